"""The experiment log as plain rows: read from a store, ordered by nesting, filtered, rendered.

Private to :mod:`mlorg.explog`, whose ``lessons`` and ``render_lessons`` are
the public face of this module. It imports neither pandas nor MLflow, so that
``mlorg experiments report`` on a SQLite store starts in a fraction of a second:

* :func:`read_sqlite` reads runs, parameters, latest metrics and tags from an
  MLflow SQLite store opened **read-only** (``mode=ro``), so the store is
  never created, migrated or changed; it returns ``None`` when the schema
  lacks a table or column it needs, and the caller then asks MLflow instead;
* :func:`row` turns one run, however it was written (by ``mlorg``, by
  autolog, by hand), into one row of the log;
* :func:`nested` puts child runs (MLflow's tag ``mlflow.parentRunId``, set by
  ``mlflow.start_run(nested=True)`` and by autolog's hyperparameter searches)
  right after their parent;
* :func:`render` writes Markdown, HTML or JSON.

>>> rows = [row(RunData("p1", "search", "0", "FINISHED", 0, {}, {"score": 0.9}, {}), "e"),
...         row(RunData("c1", "fold 1", "0", "FAILED", 1, {"alpha": "0.1"}, {},
...             {PARENT_TAG: "p1"}), "e")]
>>> [(r["run"], depth) for r, depth in nested(rows)]
[('search', 0), ('fold 1', 1)]
"""

from __future__ import annotations

import html
import json
import math
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

__all__ = [
    "CHECKED_FIELDS",
    "DECISIONS",
    "OUTCOME_FIELDS",
    "PARENT_TAG",
    "PLAN_FIELDS",
    "RECORD_FIELDS",
    "RunData",
    "key_names",
    "missing_any",
    "nested",
    "read_sqlite",
    "render",
    "row",
]

DECISIONS: tuple[str, ...] = ("adopt", "reject", "iterate")
#: The record's fields that every run owes the team; a run lacking one is flagged.
RECORD_FIELDS = ("hypothesis", "result", "decision", "lesson")
#: The rest of the chapter's record, written before the run; reported, never flagged
#: (the overall evaluation criterion, guardrails and minimum effect concern online tests only).
PLAN_FIELDS = ("decision_rule", "oec", "guardrails", "minimum_effect")
#: Provenance a run should carry.
PROVENANCE_FIELDS = ("data_fingerprint", "code_version", "seed")
#: What ``--missing`` can ask for.
CHECKED_FIELDS = (*RECORD_FIELDS, *PLAN_FIELDS, *PROVENANCE_FIELDS)
#: Fields :func:`mlorg.explog.record_outcome` writes after the run.
OUTCOME_FIELDS = ("result", "decision", "lesson")

TAG = "mlorg."
FINGERPRINT_TAG = "mlorg.data_fingerprint"
CODE_VERSION_TAG = "mlorg.code_version"
GIT_COMMIT_TAG = "mlflow.source.git.commit"
PARENT_TAG = "mlflow.parentRunId"
RUN_NAME_TAG = "mlflow.runName"
SEED_PARAM = "seed"
#: Statuses of a run that did not end well; shown with a mark and flagged.
BAD_STATUSES = frozenset({"FAILED", "KILLED"})
MISSING = "—"
FLAG = "⚠"
FAILED_MARK = "✗"
CHILD_MARK = "↳ "
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
KEY_COLUMNS = 3  # parameters and metrics shown by default in Markdown and HTML


@dataclass(frozen=True)
class RunData:
    """One MLflow run as this module needs it, whichever way it was read."""

    run_id: str
    name: str | None
    experiment_id: str
    status: str
    start_time: int | None  # milliseconds since the epoch, as MLflow stores it
    params: Mapping[str, str]
    metrics: Mapping[str, float]
    tags: Mapping[str, str]


# -- reading a SQLite store ---------------------------------------------------------

#: Tables and columns :func:`read_sqlite` reads; present in MLflow's schema since 1.x.
_NEEDED = {
    "experiments": {"experiment_id", "name", "lifecycle_stage"},
    "runs": {"run_uuid", "name", "experiment_id", "status", "start_time", "lifecycle_stage"},
    "params": {"run_uuid", "key", "value"},
    "tags": {"run_uuid", "key", "value"},
    "latest_metrics": {"run_uuid", "key", "value", "is_nan"},
}


class ExperimentNotFound(LookupError):
    """The named experiment is missing or deleted; ``args``: state, known names."""


def read_sqlite(db: Path, experiment: str | None) -> tuple[dict[str, str], list[RunData]] | None:
    """Read the active runs of one experiment (or of every active one) from a SQLite store.

    The database is opened read-only. Returns the experiments (id -> name)
    and their active runs, oldest first (ties by run id, as MLflow orders
    them), or ``None`` when the schema is not one this reader knows, or the
    file cannot be read without writing (the caller then asks MLflow).
    The metrics are each run's latest values, as ``MlflowClient.search_runs``
    gives them.

    Raises:
        ExperimentNotFound: ``experiment`` is not an active experiment there.
    """
    try:
        with closing(sqlite3.connect(db.resolve().as_uri() + "?mode=ro", uri=True)) as db_:
            if not _schema_is_known(db_):
                return None
            return _read(db_, experiment)
    except sqlite3.Error:
        return None


def _schema_is_known(connection: sqlite3.Connection) -> bool:
    for table, columns in _NEEDED.items():
        found = {info[1] for info in connection.execute(f"PRAGMA table_info({table})")}
        if not columns <= found:
            return False
    return True


def _read(
    connection: sqlite3.Connection, experiment: str | None
) -> tuple[dict[str, str], list[RunData]]:
    if experiment is None:
        query = "SELECT experiment_id, name FROM experiments WHERE lifecycle_stage = 'active'"
        names = {str(i): str(n) for i, n in connection.execute(query)}
    else:
        found = connection.execute(
            "SELECT experiment_id, name, lifecycle_stage FROM experiments WHERE name = ?",
            (experiment,),
        ).fetchone()
        if found is None or found[2] != "active":
            query = "SELECT name FROM experiments WHERE lifecycle_stage = 'active' ORDER BY name"
            known = [str(n) for (n,) in connection.execute(query)]
            raise ExperimentNotFound("is deleted" if found else "not found", known[:50])
        names = {str(found[0]): str(found[1])}
    if not names:
        return names, []
    marks = ",".join("?" * len(names))
    runs_of = (
        f"SELECT run_uuid FROM runs WHERE lifecycle_stage = 'active' AND experiment_id IN ({marks})"
    )
    ids = list(names)
    params: dict[str, dict[str, str]] = {}
    for run_id, key, value in connection.execute(
        f"SELECT run_uuid, key, value FROM params WHERE run_uuid IN ({runs_of})", ids
    ):
        params.setdefault(run_id, {})[key] = value
    tags: dict[str, dict[str, str]] = {}
    for run_id, key, value in connection.execute(
        f"SELECT run_uuid, key, value FROM tags WHERE run_uuid IN ({runs_of})", ids
    ):
        tags.setdefault(run_id, {})[key] = value
    metrics: dict[str, dict[str, float]] = {}
    for run_id, key, value, is_nan in connection.execute(
        f"SELECT run_uuid, key, value, is_nan FROM latest_metrics WHERE run_uuid IN ({runs_of})",
        ids,
    ):
        metrics.setdefault(run_id, {})[key] = math.nan if is_nan else float(value)
    runs = [
        RunData(
            run_id=run_id,
            name=name or tags.get(run_id, {}).get(RUN_NAME_TAG),
            experiment_id=str(experiment_id),
            status=status,
            start_time=start_time,
            params=params.get(run_id, {}),
            metrics=metrics.get(run_id, {}),
            tags=tags.get(run_id, {}),
        )
        for run_id, name, experiment_id, status, start_time in connection.execute(
            "SELECT run_uuid, name, experiment_id, status, start_time FROM runs"
            f" WHERE lifecycle_stage = 'active' AND experiment_id IN ({marks})"
            " ORDER BY start_time ASC, run_uuid ASC",
            ids,
        )
    ]
    return names, runs


# -- rows -----------------------------------------------------------------------------


def row(run: RunData, experiment: str) -> dict[str, Any]:
    """One row of the log: the run, its record, provenance, parameters and metrics.

    >>> r = row(RunData("abc", "fit", "0", "FAILED", 0, {"seed": "1"}, {},
    ...     {"mlorg.guardrails": '["p95 latency", "error rate"]'}), "e")
    >>> r["status"], r["seed"], r["guardrails"], r["flags"][-1]
    ('FAILED', '1', ['p95 latency', 'error rate'], 'run FAILED')
    """
    tags = run.tags
    record: dict[str, Any] = {
        name: _text(tags.get(TAG + name)) for name in (*RECORD_FIELDS, *PLAN_FIELDS)
    }
    record["guardrails"] = parse_guardrails(record["guardrails"])
    started = None
    if run.start_time is not None:
        started = _EPOCH + timedelta(milliseconds=run.start_time)
    return {
        "experiment": experiment,
        "run_id": run.run_id,
        "run": run.name,
        "parent_run_id": tags.get(PARENT_TAG),
        "started": started,
        "status": run.status,
        **record,
        "flags": _flags(record, run.status),
        "data_fingerprint": tags.get(FINGERPRINT_TAG),
        "code_version": tags.get(CODE_VERSION_TAG),
        "git_commit": tags.get(GIT_COMMIT_TAG),
        "seed": run.params.get(SEED_PARAM),
        "params": {k: v for k, v in run.params.items() if k != SEED_PARAM},
        "metrics": dict(run.metrics),
    }


def _text(value: str | None) -> str | None:
    return (value or "").strip() or None


def parse_guardrails(text: str | None) -> list[str] | None:
    """Guardrails from their tag: a JSON list of names, or any other text as one name.

    >>> parse_guardrails('["p95 latency", "error rate"]'), parse_guardrails("p95 latency")
    (['p95 latency', 'error rate'], ['p95 latency'])
    """
    if text is None:
        return None
    try:
        names = json.loads(text)
    except ValueError:
        return [text]
    if isinstance(names, list) and all(isinstance(n, str) for n in names):
        return [n for n in names if n.strip()] or None
    return [text]


def _flags(record: Mapping[str, str | None], status: str) -> list[str]:
    flags = [f"no {name}" for name in RECORD_FIELDS if record[name] is None]
    decision = record["decision"]
    if decision is not None and decision not in DECISIONS:
        flags.append(f"decision {decision!r} is not one of {', '.join(DECISIONS)}")
    if status in BAD_STATUSES:
        flags.append(f"run {status}")
    return flags


def missing_any(rows: Iterable[Mapping[str, Any]], fields: Sequence[str]) -> list[dict[str, Any]]:
    """The rows that lack at least one of ``fields`` (a field of :data:`CHECKED_FIELDS`).

    >>> missing_any([{"lesson": None, "run": "a"}, {"lesson": "x", "run": "b"}], ["lesson"])
    [{'lesson': None, 'run': 'a'}]
    """
    return [dict(r) for r in rows if any(is_missing(r.get(name)) for name in fields)]


def is_missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, str | list):
        return not value
    return False


def nested(rows: Sequence[Mapping[str, Any]]) -> list[tuple[Mapping[str, Any], int]]:
    """Rows with each run's children right after it, and each row's nesting depth.

    Order is otherwise kept (oldest first). A run whose parent is not among
    ``rows`` (filtered out, or in another experiment) stands at the top level.
    """
    index = {r["run_id"]: i for i, r in enumerate(rows) if r.get("run_id")}
    children: dict[int, list[int]] = {}
    roots = []
    for i, r in enumerate(rows):
        parent = index.get(r.get("parent_run_id") or "")
        if parent is not None and parent != i:
            children.setdefault(parent, []).append(i)
        else:
            roots.append(i)
    ordered: list[tuple[Mapping[str, Any], int]] = []
    seen: set[int] = set()

    def visit(i: int, depth: int) -> None:
        if i in seen:  # a cycle of parent tags, written by hand
            return
        seen.add(i)
        ordered.append((rows[i], depth))
        for child in children.get(i, []):
            visit(child, depth + 1)

    for i in roots:
        visit(i, 0)
    for i in range(len(rows)):  # runs caught in a cycle have no root; keep them
        visit(i, 0)
    return ordered


def key_names(dicts: Sequence[Mapping[str, Any]], *, varying: bool) -> list[str]:
    """The names worth a column: the ones most runs have (and, if ``varying``, whose values differ).

    >>> key_names([{"a": 1, "b": 2}, {"a": 1, "b": 3}, {"c": 0}], varying=True)
    ['b', 'a', 'c']
    """
    counts: dict[str, int] = {}
    values: dict[str, set[str]] = {}
    for names in dicts:
        for name, value in names.items():
            counts[name] = counts.get(name, 0) + 1
            values.setdefault(name, set()).add(str(value))

    def rank(name: str) -> tuple[int, int, str]:
        differs = 1 if varying and len(values[name]) > 1 else 0
        return (-differs, -counts[name], name)

    return sorted(counts, key=rank)[:KEY_COLUMNS]


# -- rendering --------------------------------------------------------------------------


def render(
    rows: Sequence[Mapping[str, Any]],
    fmt: str,
    *,
    params: Sequence[str] | None = None,
    metrics: Sequence[str] | None = None,
) -> str:
    """Render rows as Markdown, HTML (children under their parents) or JSON (every field).

    ``params`` and ``metrics`` name the parameters and metrics shown in
    Markdown and HTML; by default the three parameters whose values differ
    most often between runs and the three metrics most runs have.
    """
    if fmt == "json":
        return _json(rows)
    table = _table(rows, params, metrics)
    return _markdown(table) if fmt == "md" else _html(table)


@dataclass(frozen=True)
class _Table:
    columns: list[str]
    cells: list[list[str]]
    bad: list[bool]  # rows whose run failed or was killed


def _table(
    rows: Sequence[Mapping[str, Any]],
    params: Sequence[str] | None,
    metrics: Sequence[str] | None,
) -> _Table:
    rows = list(rows)
    # Chosen names are shown as chosen; by default a run that has none of
    # the log's key names shows its own (a run logged by hand among autolog's).
    own = {"params": params is None, "metrics": metrics is None}
    all_params = [r.get("params") or {} for r in rows]
    all_metrics = [r.get("metrics") or {} for r in rows]
    if params is None:
        params = key_names(all_params, varying=True) if any(all_params) else []
    if metrics is None:
        metrics = key_names(all_metrics, varying=False) if any(all_metrics) else []
    columns: list[str] = []
    if len({r.get("experiment") for r in rows}) > 1:
        columns.append("experiment")
    columns.append("run")
    for name, label in [("run_id", "run id"), ("status", "status"), ("started", "started")]:
        if any(name in r for r in rows):
            columns.append(label)
    if params:
        columns.append("params")
    if metrics:
        columns.append("metrics")
    columns += list(RECORD_FIELDS)
    plan = [name for name in PLAN_FIELDS if any(not is_missing(r.get(name)) for r in rows)]
    columns += [name.replace("_", " ") for name in plan]
    columns.append("flags")
    cells, bad = [], []
    for r, depth in nested(rows):
        status = str(r.get("status") or "")
        line = []
        if "experiment" in columns:
            line.append(_cell(r.get("experiment")))
        mark = CHILD_MARK * depth if depth else (CHILD_MARK if r.get("parent_run_id") else "")
        line.append(mark + _cell(r.get("run")))
        if "run id" in columns:
            line.append(_cell(r.get("run_id")))
        if "status" in columns:
            line.append(f"{FAILED_MARK} {status}" if status in BAD_STATUSES else _cell(status))
        if "started" in columns:
            line.append(_when(r.get("started")))
        if params:
            line.append(_pairs(r.get("params") or {}, params, own=own["params"]))
        if metrics:
            line.append(_pairs(r.get("metrics") or {}, metrics, own=own["metrics"]))
        line += [_cell(r.get(name)) for name in (*RECORD_FIELDS, *plan)]
        flags = r.get("flags")
        line.append(f"{FLAG} " + "; ".join(flags) if isinstance(flags, list) and flags else "")
        cells.append(line)
        bad.append(status in BAD_STATUSES)
    return _Table(columns, cells, bad)


def _cell(value: object) -> str:
    if is_missing(value):
        return MISSING
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def _when(value: object) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
    return MISSING


def _pairs(values: Mapping[str, Any], names: Sequence[str], *, own: bool) -> str:
    if own and not any(name in values for name in names):
        names = sorted(values)[:KEY_COLUMNS]
    shown = []
    for name in names:
        value = values.get(name)
        if is_missing(value):
            continue
        text = f"{value:.4g}" if isinstance(value, float) else str(value)
        shown.append(f"{name}={text}")
    return ", ".join(shown) or MISSING


def _markdown(table: _Table) -> str:
    # Written out rather than DataFrame.to_markdown, which needs the optional
    # `tabulate` package for what is a few lines of string joining.
    def cell(text: str) -> str:
        text = text.replace("\\", "\\\\").replace("|", "\\|")
        return " ".join(text.split())  # a line break would end the table row

    status = table.columns.index("status") if "status" in table.columns else None
    lines = [
        "| " + " | ".join(table.columns) + " |",
        "| " + " | ".join("---" for _ in table.columns) + " |",
    ]
    for cells, bad in zip(table.cells, table.bad, strict=True):
        texts = [cell(text) for text in cells]
        if bad and status is not None:
            texts[status] = f"**{texts[status]}**"
        lines.append("| " + " | ".join(texts) + " |")
    return "\n".join(lines)


def _html(table: _Table) -> str:
    # Built by hand rather than DataFrame.to_html, whose output carries
    # pandas-specific classes and attributes a wiki does not want; every
    # value is escaped with html.escape.
    # A failed run's row has a class for a stylesheet and its status in bold
    # for a page without one.
    status = table.columns.index("status") if "status" in table.columns else None

    def cell(i: int, text: str, bad: bool) -> str:
        escaped = html.escape(text)
        return (
            f"<td><strong>{escaped}</strong></td>" if bad and i == status else f"<td>{escaped}</td>"
        )

    head = "".join(f"<th>{html.escape(c)}</th>" for c in table.columns)
    body = "".join(
        ('<tr class="mlorg-run-failed">' if bad else "<tr>")
        + "".join(cell(i, text, bad) for i, text in enumerate(cells))
        + "</tr>\n"
        for cells, bad in zip(table.cells, table.bad, strict=True)
    )
    return (
        '<table class="mlorg-lessons">\n'
        f"<thead><tr>{head}</tr></thead>\n"
        f"<tbody>\n{body}</tbody>\n"
        "</table>"
    )


def _json(rows: Sequence[Mapping[str, Any]]) -> str:
    def plain(value: Any) -> Any:
        if isinstance(value, datetime):
            return value.isoformat()
        if isinstance(value, float) and math.isnan(value):
            return None
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items() if not is_missing(v)}
        if hasattr(value, "item"):  # numpy scalar
            return value.item()
        return value

    return json.dumps(
        [{str(k): plain(v) for k, v in r.items()} for r in rows], indent=2, ensure_ascii=False
    )
