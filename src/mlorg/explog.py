"""Experiment log: every experiment leaves a hypothesis, a decision and a lesson.

A thin layer on MLflow's tracking API. MLflow stores the runs, their
parameters and metrics; this module adds what the handbook asks every
experiment to leave behind, stored as ordinary MLflow tags so that the MLflow
UI, ``mlflow.search_runs`` and any other MLflow client see them too:

* the :class:`ExperimentRecord`: hypothesis, result, decision (adopt, reject
  or iterate) and lesson (tags ``mlorg.hypothesis``, ``mlorg.result``,
  ``mlorg.decision``, ``mlorg.lesson``);
* a :func:`data_fingerprint` of the training data (tag ``mlorg.data_fingerprint``);
* the :func:`code_version`: package version (tag ``mlorg.code_version``) and git
  commit (MLflow's own tag ``mlflow.source.git.commit``, which its UI shows).

:func:`lessons` fetches the log of one experiment, or of all of them, into a
DataFrame, and :func:`render_lessons` turns it into Markdown, HTML or JSON.
A run without a hypothesis, result, decision or lesson is flagged, never an
error: the log shows where the team still owes itself a lesson.

Any MLflow tracking URI works: a SQLite file (the default, ``sqlite:///mlflow.db``,
as in MLflow itself), a shared tracking server, or a Databricks workspace
(``databricks`` or ``databricks://<profile>``). A mistyped SQLite path is
an error here rather than a new, empty database, and a file that is not an
MLflow database is never touched. A password in the URI never shows in an
error message.

>>> import tempfile
>>> folder = tempfile.TemporaryDirectory()
>>> uri = sqlite_tracking_uri(Path(folder.name) / "mlflow.db")
>>> run_id = log_experiment(
...     ExperimentRecord(hypothesis="Bill length separates the species."),
...     experiment="penguins", tracking_uri=uri, metrics={"accuracy": 0.9},
... )
>>> record_outcome(run_id, ExperimentRecord(
...     result="accuracy 0.90", decision="adopt", lesson="Measure bills.",
... ), tracking_uri=uri)
>>> log = lessons(tracking_uri=uri, experiment="penguins")
>>> log[["hypothesis", "decision", "lesson"]].to_numpy().tolist()
[['Bill length separates the species.', 'adopt', 'Measure bills.']]
>>> folder.cleanup()
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import math
import os
import sqlite3
import statistics
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _package_version
from pathlib import Path
from typing import Any, Literal, get_args
from urllib.parse import unquote, urlsplit

import numpy as np
import pandas as pd
from sqlalchemy.exc import SQLAlchemyError

from mlorg.errors import InputError, first_line

# MLflow 3.2+ sends anonymous usage data by default, starting when `mlflow` is
# imported. The handbook's build and tests must not touch the network, so we
# opt out the way MLflow documents (docs: "Usage Tracking"), before the import
# below. `setdefault` leaves an explicit choice in the environment alone.
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
# MLflow also prints a hint on import when it thinks a coding agent runs it;
# that is noise in a notebook's output.
os.environ.setdefault("MLFLOW_DISABLE_AGENT_HINT", "true")

from mlflow import MlflowClient  # after the opt-out above
from mlflow.entities import Experiment, Metric, Param, Run, RunStatus, RunTag
from mlflow.exceptions import MlflowException
from mlflow.utils.mlflow_tags import MLFLOW_GIT_COMMIT

__all__ = [
    "DECISIONS",
    "DEFAULT_TRACKING_URI",
    "RECORD_FIELDS",
    "CodeVersion",
    "Decision",
    "ExperimentRecord",
    "ReportFormat",
    "code_version",
    "data_fingerprint",
    "lessons",
    "log_experiment",
    "quiet_mlflow",
    "record_outcome",
    "render_lessons",
    "resolve_tracking_uri",
    "sqlite_tracking_uri",
]

#: What a team can decide after an experiment.
Decision = Literal["adopt", "reject", "iterate"]
#: The allowed decisions, in the order the handbook discusses them.
DECISIONS: tuple[str, ...] = get_args(Decision)
#: MLflow's own default store: a SQLite file in the current folder.
DEFAULT_TRACKING_URI = "sqlite:///mlflow.db"
#: The fields of an experiment record, in reading order.
RECORD_FIELDS = ("hypothesis", "result", "decision", "lesson")

_TAG = "mlorg."
_FINGERPRINT_TAG = "mlorg.data_fingerprint"
_CODE_VERSION_TAG = "mlorg.code_version"
_GIT_DIRTY_TAG = "mlorg.git_dirty"
_SEED_PARAM = "seed"
_MISSING = "—"
_FLAG = "⚠"
_PAGE = 1000  # runs per search request; MLflow's default page size


@dataclass(frozen=True)
class ExperimentRecord:
    """What one experiment set out to learn and what the team made of it.

    The hypothesis is stated before the run; result, decision and lesson are
    filled in afterwards (see :func:`record_outcome`). Empty text counts as
    missing.

    >>> ExperimentRecord(hypothesis="Deeper trees help.").missing
    ('result', 'decision', 'lesson')
    >>> ExperimentRecord(hypothesis="x", decision="maybe")
    Traceback (most recent call last):
    ...
    mlorg.errors.InputError: decision 'maybe' is not one of adopt, reject, iterate
    """

    hypothesis: str | None = None
    result: str | None = None
    decision: Decision | None = None
    lesson: str | None = None

    def __post_init__(self) -> None:
        if self.decision is not None and self.decision not in DECISIONS:
            msg = f"decision {self.decision!r} is not one of {', '.join(DECISIONS)}"
            raise InputError(msg)

    @property
    def missing(self) -> tuple[str, ...]:
        """The record's fields that are still empty, in reading order."""
        return tuple(name for name in RECORD_FIELDS if not (getattr(self, name) or "").strip())

    def tags(self) -> dict[str, str]:
        """The record as MLflow tags (``mlorg.<field>``), leaving out empty fields.

        >>> ExperimentRecord(hypothesis="Deeper trees help.", decision="reject").tags()
        {'mlorg.hypothesis': 'Deeper trees help.', 'mlorg.decision': 'reject'}
        """
        return {
            _TAG + name: str(getattr(self, name)).strip()
            for name in RECORD_FIELDS
            if name not in self.missing
        }


@dataclass(frozen=True)
class CodeVersion:
    """Which code produced a run: a package version and, if known, a git commit.

    >>> str(CodeVersion("mlorg", "0.1.0", "0123456789abcdef", dirty=True))
    'mlorg 0.1.0 @ 0123456789ab (uncommitted changes)'
    """

    package: str
    version: str | None
    git_commit: str | None = None
    dirty: bool | None = field(default=None, kw_only=True)

    @property
    def package_version(self) -> str:
        """The package and its version, e.g. ``"mlorg 0.1.0"``."""
        return f"{self.package} {self.version or '(not installed)'}"

    def __str__(self) -> str:
        text = self.package_version
        if self.git_commit:
            text += f" @ {self.git_commit[:12]}"
        if self.dirty:
            text += " (uncommitted changes)"
        return text


def code_version(package: str = "mlorg", where: Path | None = None) -> CodeVersion:
    """Return the installed version of ``package`` and the git commit of ``where``.

    ``where`` defaults to the current folder. The commit is ``None`` outside a
    git repository or without git; ``dirty`` says whether tracked files have
    uncommitted changes, in which case the commit alone does not pin the code.
    (MLflow finds the commit too, but only for runs started through its
    global "fluent" API, which this module avoids; asking git is two commands.)

    >>> code_version().version == __import__("mlorg").__version__
    True
    """
    try:
        installed: str | None = _package_version(package)
    except PackageNotFoundError:
        installed = None
    commit = _git(where, "rev-parse", "--verify", "HEAD")
    dirty = None
    if commit is not None:
        dirty = bool(_git(where, "status", "--porcelain", "--untracked-files=no"))
    return CodeVersion(package, installed, commit, dirty=dirty)


def _git(where: Path | None, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=where,
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def data_fingerprint(data: pd.DataFrame | pd.Series[Any]) -> str:
    """Return a SHA-256 fingerprint of a table's column names, types and values.

    Built on :func:`pandas.util.hash_pandas_object`, which hashes every row.
    Changing any single value, a column name or a column's type changes the
    fingerprint; the same data loaded again, copied or re-indexed (the row
    labels are not data) gives the same one. Row order counts, since it
    decides which rows land in which cross-validation fold. (MLflow's own
    dataset digest hashes only the first 10,000 rows, so it can miss a change.)
    In a column of Python objects (dtype ``object``, or categories of that
    dtype) pandas hashes each value's text, so the number 1 and the text "1"
    would look the same; there each value's type is hashed too. A missing
    value counts as missing whatever marks it (None, NaN or ``pd.NA``).

    >>> frame = pd.DataFrame({"mass": [3750, 3800], "species": ["Adelie", "Gentoo"]})
    >>> data_fingerprint(frame) == data_fingerprint(frame.copy())
    True
    >>> changed = frame.copy()
    >>> changed.loc[1, "mass"] = 3801
    >>> data_fingerprint(frame) == data_fingerprint(changed)
    False
    >>> numbers = pd.DataFrame({"id": pd.Series([1, 2], dtype=object)})
    >>> data_fingerprint(numbers) == data_fingerprint(numbers.astype(str).astype(object))
    False
    """
    frame = data.to_frame() if isinstance(data, pd.Series) else data
    try:
        rows = pd.util.hash_pandas_object(frame, index=False)
    except TypeError as error:  # lists, dicts: values pandas cannot hash
        msg = f"cannot fingerprint the data: {error}"
        raise InputError(msg) from error
    except UnicodeDecodeError as error:
        # pandas hashes a column of mixed types by each value's text, and
        # decodes bytes as ASCII to get it.
        msg = (
            f"cannot fingerprint the data: bytes that are not ASCII ({error.object!r}) "
            "among values of other types"
        )
        raise InputError(msg) from error
    digest = hashlib.sha256()
    for name, dtype in frame.dtypes.items():
        digest.update(f"{name!r}:{dtype}\n".encode())
    digest.update(rows.to_numpy().tobytes())
    for position, (name, column) in enumerate(frame.items()):
        types = _value_types(column)
        if types is not None:
            digest.update(f"types of column {position} {name!r}\n".encode())
            digest.update(types.tobytes())
    return digest.hexdigest()


def _value_types(column: pd.Series[Any]) -> np.ndarray[Any, np.dtype[np.uint64]] | None:
    """Hash each value's type in a column of Python objects; None for other columns.

    A column whose values are all strings, or missing, needs no per-value
    types; checking that is one fast pass in C (``infer_dtype``), so only
    columns of mixed or non-text values pay for looking at each value's type.
    """
    # In a categorical column only the categories can mix types: a missing
    # value has no category and already hashes apart from every value.
    kept = column.dtype.categories if isinstance(column.dtype, pd.CategoricalDtype) else column
    if kept.dtype != object or pd.api.types.infer_dtype(kept, skipna=True) in {"string", "empty"}:
        return None
    values = column.to_numpy(dtype=object)
    codes, types = pd.factorize(np.frompyfunc(type, 1, 1)(values))
    names = np.array([_type_name(kind) for kind in types], dtype=object)
    hashes: np.ndarray[Any, np.dtype[np.uint64]] = pd.util.hash_array(names)[codes]
    # pandas hashes every missing value alike (None, NaN, pd.NA); so do we.
    hashes[pd.isna(values)] = 0
    return hashes


def _type_name(kind: type) -> str:
    # A str subclass (numpy.str_) holds text like str: the same value.
    return "str" if issubclass(kind, str) else f"{kind.__module__}.{kind.__qualname__}"


def sqlite_tracking_uri(path: Path | str) -> str:
    """Return the MLflow tracking URI of a SQLite file (made absolute).

    >>> sqlite_tracking_uri("/tmp/runs/mlflow.db")
    'sqlite:////tmp/runs/mlflow.db'
    """
    return "sqlite:///" + Path(path).resolve().as_posix()


def resolve_tracking_uri(tracking_uri: str | None = None) -> str:
    """Return the tracking URI to use: the one given, else ``$MLFLOW_TRACKING_URI``, else the default.

    >>> resolve_tracking_uri("sqlite:///team.db")
    'sqlite:///team.db'
    """
    return tracking_uri or os.environ.get("MLFLOW_TRACKING_URI") or DEFAULT_TRACKING_URI


def quiet_mlflow() -> None:
    """Keep MLflow's informational messages (database migrations, ...) off the console.

    Warnings and errors still show. Call it from a script or notebook; the
    library itself leaves logging configuration to the application.
    """
    for name in ("mlflow", "alembic"):
        logging.getLogger(name).setLevel(logging.WARNING)
    # A database store that cannot be reached (PostgreSQL down, say) makes
    # MLflow log a warning with the driver's message, then raise the error
    # that explog reports in one line; the warning would be a second line.
    logging.getLogger("mlflow.store.db.utils").setLevel(logging.ERROR)


def log_experiment(
    record: ExperimentRecord,
    *,
    experiment: str,
    tracking_uri: str | None = None,
    run_name: str | None = None,
    params: Mapping[str, object] | None = None,
    metrics: Mapping[str, float] | None = None,
    fold_scores: Mapping[str, Sequence[float]] | None = None,
    data: pd.DataFrame | pd.Series[Any] | None = None,
    seed: int | None = None,
    code: CodeVersion | None = None,
) -> str:
    """Log one finished run with its experiment record and return the run's id.

    The experiment is created if it does not exist yet. ``fold_scores`` maps a
    metric to its cross-validation scores, logged as ``<name>_mean`` and
    ``<name>_std`` (sample standard deviation across folds), so that every
    comparison can show its spread. ``data`` is fingerprinted, ``seed`` is
    logged as the parameter ``seed``, and ``code`` defaults to
    :func:`code_version` of the current folder.
    """
    uri = _usable_tracking_uri(tracking_uri, may_create=True)
    all_params = {str(key): str(value) for key, value in (params or {}).items()}
    if seed is not None:
        if _SEED_PARAM in all_params and all_params[_SEED_PARAM] != str(seed):
            msg = f"the seed is given twice with different values: seed={seed}, params['seed']"
            raise InputError(msg)
        all_params[_SEED_PARAM] = str(seed)
    all_metrics = {str(key): float(value) for key, value in (metrics or {}).items()}
    for name, scores in (fold_scores or {}).items():
        all_metrics.update(_spread(name, scores))
    tags = record.tags()
    if data is not None:
        tags[_FINGERPRINT_TAG] = data_fingerprint(data)
    code = code if code is not None else code_version()
    tags[_CODE_VERSION_TAG] = code.package_version
    if code.git_commit:
        tags[MLFLOW_GIT_COMMIT] = code.git_commit
        tags[_GIT_DIRTY_TAG] = str(bool(code.dirty)).lower()
    with _tracking_errors(uri):
        client = MlflowClient(tracking_uri=uri)
        found = client.get_experiment_by_name(experiment)
        if found is not None and found.lifecycle_stage != "active":
            msg = f"{uri}: experiment {experiment!r} is deleted; restore it or pick a new name"
            raise InputError(msg)
        experiment_id = (
            found.experiment_id if found is not None else _create_experiment(client, experiment)
        )
        run = client.create_run(experiment_id, run_name=run_name)
        run_id: str = run.info.run_id
        now = _now_ms()
        client.log_batch(
            run_id,
            metrics=[Metric(key, value, now, 0) for key, value in all_metrics.items()],
            params=[Param(key, value) for key, value in all_params.items()],
            tags=[RunTag(key, value) for key, value in tags.items()],
        )
        client.set_terminated(run_id, status=RunStatus.to_string(RunStatus.FINISHED))
    return run_id


def _create_experiment(client: MlflowClient, name: str) -> str:
    """Create an experiment, or use the one another client created at the same moment.

    Clients of one tracking server that log into a new experiment at once
    all find it missing and all create it; the store accepts the first and
    refuses the others (``RESOURCE_ALREADY_EXISTS``), which then use it.
    """
    try:
        return str(client.create_experiment(name))
    except MlflowException as error:
        if error.error_code != "RESOURCE_ALREADY_EXISTS":
            raise
        found = client.get_experiment_by_name(name)
        if found is None:
            raise
        return str(found.experiment_id)


def record_outcome(
    run_id: str, record: ExperimentRecord, *, tracking_uri: str | None = None
) -> None:
    """Add what an experiment taught (result, decision, lesson) to a logged run.

    Fields that are empty in ``record`` leave the run's tags unchanged.
    """
    uri = _usable_tracking_uri(tracking_uri, may_create=False)
    with _tracking_errors(uri):
        client = MlflowClient(tracking_uri=uri)
        client.log_batch(run_id, tags=[RunTag(k, v) for k, v in record.tags().items()])


def _spread(name: str, scores: Sequence[float]) -> dict[str, float]:
    values = [float(score) for score in scores]
    if len(values) < 2:
        msg = f"fold_scores[{name!r}]: need the scores of at least 2 folds, got {len(values)}"
        raise InputError(msg)
    return {f"{name}_mean": statistics.fmean(values), f"{name}_std": statistics.stdev(values)}


def _now_ms() -> int:
    return int(datetime.now(UTC).timestamp() * 1000)


# -- reading the log ------------------------------------------------------------


def lessons(tracking_uri: str | None = None, experiment: str | None = None) -> pd.DataFrame:
    """Fetch the experiment log: one row per run, oldest first.

    Columns: ``experiment``, ``run_id``, ``run``, ``started`` (UTC), ``status``,
    the record's ``hypothesis``, ``result``, ``decision``, ``lesson``,
    ``flags`` (what the record still lacks, e.g. ``["no lesson"]``),
    ``data_fingerprint``, ``code_version``, ``git_commit``, ``seed``, then one
    ``params.<name>`` and one ``metrics.<name>`` column per parameter and
    metric, as in :func:`mlflow.search_runs`. A missing record field is
    ``None``, a missing parameter or metric is ``NaN``.
    With ``experiment=None`` every active experiment is included.

    Raises:
        InputError: the tracking URI is malformed or unreachable, a SQLite
            file does not exist or is not an MLflow database, or the
            experiment does not exist.
    """
    uri = _usable_tracking_uri(tracking_uri, may_create=False)
    with _tracking_errors(uri):
        client = MlflowClient(tracking_uri=uri)
        names = _experiments(client, uri, experiment)
        runs = _all_runs(client, list(names))
    rows = [_row(run, names[run.info.experiment_id]) for run in runs]
    log = pd.DataFrame(rows, columns=_BASE_COLUMNS if not rows else None)
    fixed = [c for c in log.columns if not c.startswith(("params.", "metrics."))]
    extra = sorted(c for c in log.columns if c.startswith("params.")) + sorted(
        c for c in log.columns if c.startswith("metrics.")
    )
    log = log[fixed + extra]
    # pandas would store a missing text as NaN; the record's readers want None.
    text = [c for c in fixed if c != "started"]
    log[text] = log[text].astype(object).where(log[text].notna(), None)
    return log


_BASE_COLUMNS = [
    "experiment",
    "run_id",
    "run",
    "started",
    "status",
    *RECORD_FIELDS,
    "flags",
    "data_fingerprint",
    "code_version",
    "git_commit",
    "seed",
]


def _experiments(client: MlflowClient, uri: str, name: str | None) -> dict[str, str]:
    """Map experiment id to name: the one named, or every active experiment."""
    if name is None:
        found: list[Experiment] = []
        token = None
        while True:
            page = client.search_experiments(max_results=_PAGE, page_token=token)
            found.extend(page)
            token = page.token
            if not token:
                break
        return {e.experiment_id: e.name for e in found}
    experiment = client.get_experiment_by_name(name)
    if experiment is None or experiment.lifecycle_stage != "active":
        known = sorted(e.name for e in client.search_experiments(max_results=50))
        hint = f"; experiments there: {', '.join(known)}" if known else "; it has no experiments"
        state = "is deleted" if experiment is not None else "not found"
        msg = f"{uri}: experiment {name!r} {state}{hint}"
        raise InputError(msg)
    return {experiment.experiment_id: experiment.name}


def _all_runs(client: MlflowClient, experiment_ids: list[str]) -> list[Run]:
    runs: list[Run] = []
    if not experiment_ids:
        return runs
    token = None
    while True:
        page = client.search_runs(
            experiment_ids,
            max_results=_PAGE,
            order_by=["attributes.start_time ASC"],
            page_token=token,
        )
        runs.extend(page)
        token = page.token
        if not token:
            return runs


def _row(run: Run, experiment: str) -> dict[str, Any]:
    tags = run.data.tags
    record = {name: (tags.get(_TAG + name) or "").strip() or None for name in RECORD_FIELDS}
    row: dict[str, Any] = {
        "experiment": experiment,
        "run_id": run.info.run_id,
        "run": run.info.run_name,
        "started": _timestamp(run.info.start_time),
        "status": run.info.status,
        **record,
        "flags": _flags(record),
        "data_fingerprint": tags.get(_FINGERPRINT_TAG),
        "code_version": tags.get(_CODE_VERSION_TAG),
        "git_commit": tags.get(MLFLOW_GIT_COMMIT),
        "seed": run.data.params.get(_SEED_PARAM),
    }
    row.update({f"params.{k}": v for k, v in run.data.params.items() if k != _SEED_PARAM})
    row.update({f"metrics.{k}": v for k, v in run.data.metrics.items()})
    return row


def _timestamp(milliseconds: int | None) -> pd.Timestamp | None:
    return None if milliseconds is None else pd.Timestamp(milliseconds, unit="ms", tz="UTC")


def _flags(record: Mapping[str, str | None]) -> list[str]:
    flags = [f"no {name}" for name in RECORD_FIELDS if record[name] is None]
    decision = record["decision"]
    if decision is not None and decision not in DECISIONS:
        flags.append(f"decision {decision!r} is not one of {', '.join(DECISIONS)}")
    return flags


# -- rendering ------------------------------------------------------------------

#: The formats :func:`render_lessons` writes.
ReportFormat = Literal["md", "html", "json"]
_SHOWN = ["experiment", "run", *RECORD_FIELDS, "flags"]


def render_lessons(log: pd.DataFrame, fmt: ReportFormat = "md") -> str:
    """Render an experiment log from :func:`lessons` as Markdown, HTML or JSON.

    Markdown and HTML show one row per run: hypothesis → result → decision →
    lesson, with missing fields shown as ``—`` and flagged (``⚠ no lesson``)
    in the last column; the experiment column appears only when the log spans
    several experiments. JSON carries every column, one object per run.

    >>> log = pd.DataFrame([{"experiment": "e", "run": "deeper", "hypothesis": "Depth helps.",
    ...     "result": "no gain", "decision": "reject", "lesson": None, "flags": ["no lesson"]}])
    >>> print(render_lessons(log))
    | run | hypothesis | result | decision | lesson | flags |
    | --- | --- | --- | --- | --- | --- |
    | deeper | Depth helps. | no gain | reject | — | ⚠ no lesson |
    """
    if fmt not in get_args(ReportFormat):  # callers outside the type checker's reach
        msg = f"unknown format {fmt!r}; use md, html or json"
        raise InputError(msg)
    if fmt == "json":
        return _json(log)
    table = _display_table(log)
    return _markdown(table) if fmt == "md" else _html(table)


def _display_table(log: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in _SHOWN if c not in log.columns]
    if missing:
        msg = f"the log lacks the column(s) {', '.join(missing)}; make it with lessons()"
        raise InputError(msg)
    shown = list(_SHOWN)
    if log["experiment"].nunique() <= 1:
        shown.remove("experiment")
    table = log[shown].astype(object)
    table = table.where(table.notna(), _MISSING)
    table["flags"] = [
        f"{_FLAG} " + "; ".join(flags) if isinstance(flags, list) and flags else ""
        for flags in log["flags"]
    ]
    return table


def _markdown(table: pd.DataFrame) -> str:
    # Written out rather than DataFrame.to_markdown, which needs the optional
    # `tabulate` package for what is a few lines of string joining.
    def cell(value: object) -> str:
        text = str(value).replace("\\", "\\\\").replace("|", "\\|")
        return " ".join(text.split())  # a line break would end the table row

    lines = [
        "| " + " | ".join(table.columns) + " |",
        "| " + " | ".join("---" for _ in table.columns) + " |",
    ]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in table.itertuples(False)]
    return "\n".join(lines)


def _html(table: pd.DataFrame) -> str:
    # Built by hand rather than DataFrame.to_html, whose output carries
    # pandas-specific classes and attributes a wiki does not want; every
    # value is escaped with html.escape.
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in table.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>\n"
        for row in table.itertuples(False)
    )
    return (
        '<table class="mlorg-lessons">\n'
        f"<thead><tr>{head}</tr></thead>\n"
        f"<tbody>\n{body}</tbody>\n"
        "</table>"
    )


def _json(log: pd.DataFrame) -> str:
    def plain(value: Any) -> Any:
        if value is pd.NaT:
            return None
        if isinstance(value, pd.Timestamp):
            return value.isoformat()
        if isinstance(value, float) and math.isnan(value):
            return None
        if hasattr(value, "item"):  # numpy scalar
            return value.item()
        return value

    records = []
    for row in log.to_dict(orient="records"):
        record: dict[str, Any] = {}
        params: dict[str, Any] = {}
        metrics: dict[str, Any] = {}
        for key, raw in row.items():
            name, value = str(key), plain(raw)
            if name.startswith("params."):
                if value is not None:  # runs without this parameter
                    params[name.removeprefix("params.")] = value
            elif name.startswith("metrics."):
                if value is not None:
                    metrics[name.removeprefix("metrics.")] = value
            else:
                record[name] = value
        record["params"] = params
        record["metrics"] = metrics
        records.append(record)
    return json.dumps(records, indent=2, ensure_ascii=False)


# -- tracking URIs ----------------------------------------------------------------


#: Tracking URIs MLflow takes as they are, without "://": its store registry
#: (mlflow.tracking.registry) looks these up whole, as schemes of their own.
#: ``databricks`` is the default Databricks profile; ``databricks-uc`` and
#: ``uc`` name Unity Catalog, which MLflow refuses as a tracking store with
#: its own message.
_BARE_URIS = frozenset({"databricks", "databricks-uc", "uc"})


def _usable_tracking_uri(tracking_uri: str | None, *, may_create: bool) -> str:
    """Check a tracking URI before MLflow sees it, and return it.

    MLflow creates a SQLite file (and its folders) or a store folder for any
    path it is given, and upgrades any SQLite database it opens. So a
    mistyped path would silently become a new, empty store, and a file that
    is not an MLflow database would be altered. Here a missing file or folder
    is an error (unless ``may_create`` and only the file is new), and an
    existing SQLite file is opened read-only first to check it is MLflow's.
    """
    uri = resolve_tracking_uri(tracking_uri).strip()
    with _tracking_errors(uri):
        _check_tracking_uri(uri, may_create=may_create)
    return uri


def _check_tracking_uri(uri: str, *, may_create: bool) -> None:
    if uri in _BARE_URIS:  # before the scheme test: urlsplit sees a path in them
        return
    malformed = f"{uri}: not a tracking URI; write e.g. sqlite:///mlflow.db or http://host:5000"
    try:
        parts = urlsplit(uri)
        hostname = parts.hostname
    except ValueError as error:  # e.g. an unclosed "[" in the host
        raise InputError(malformed) from error
    scheme = parts.scheme.lower()
    if not scheme:
        if "://" in uri:
            raise InputError(malformed)
        _check_store_folder(uri, parts.path)
    elif scheme == "file":
        _check_store_folder(uri, parts.path)
    elif scheme == "sqlite":
        _check_sqlite(uri, parts.netloc, parts.path, may_create=may_create)
    elif "://" not in uri or (scheme in {"http", "https"} and not hostname):
        raise InputError(malformed)


def _check_sqlite(uri: str, host: str, path: str, *, may_create: bool) -> None:
    if host:
        msg = f"{uri}: a SQLite URI has no host; write sqlite:///relative/path.db or sqlite:////absolute/path.db"
        raise InputError(msg)
    file = unquote(path.removeprefix("/"))
    if not file or file == ":memory:":
        msg = f"{uri}: names no database file; write e.g. sqlite:///mlflow.db"
        raise InputError(msg)
    db = Path(file)
    if not db.exists():
        if not may_create:
            msg = f"{uri}: no such file {db}; check the path (nothing was created)"
            raise InputError(msg)
        if not db.parent.is_dir():
            msg = f"{uri}: no such folder {db.parent}; create it first (nothing was created)"
            raise InputError(msg)
        return
    if not db.is_file():
        msg = f"{uri}: {db} is not a file"
        raise InputError(msg)
    try:
        with _read_only(db) as connection:
            tables = {
                name
                for (name,) in connection.execute(
                    "SELECT name FROM sqlite_master WHERE type='table'"
                )
            }
    except sqlite3.DatabaseError as error:
        msg = f"{uri}: {db} is not a SQLite database ({error}); it was left untouched"
        raise InputError(msg) from error
    if not {"experiments", "runs", "alembic_version"} <= tables:
        msg = f"{uri}: {db} is not an MLflow tracking database; it was left untouched"
        raise InputError(msg)


@contextmanager
def _read_only(db: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(db.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        yield connection
    finally:
        connection.close()


def _check_store_folder(uri: str, path: str) -> None:
    folder = Path(unquote(path))
    if not folder.is_dir():
        hint = ""
        if folder.suffix in {".db", ".sqlite", ".sqlite3"}:
            hint = f"; for a SQLite file write sqlite:///{folder.as_posix()}"
        msg = f"{uri}: no such MLflow store folder {folder}{hint}"
        raise InputError(msg)


@contextmanager
def _tracking_errors(uri: str) -> Iterator[None]:
    """Give what goes wrong with a tracking store as a one-line InputError naming it.

    The one place where messages about a store are finished: this module's
    own checks raise ``InputError("<uri>: ...")``, and what MLflow, a missing
    driver or SQLAlchemy raise becomes one. Either way the URI's password is
    then hidden wherever it occurs in the message, since MLflow's messages
    repeat the whole URI. When the URI has a password, the error is raised
    without the one it came from (``from None``), whose message a notebook's
    traceback would show, password and all.
    """
    try:
        yield
        return
    except InputError as error:
        message, cause = str(error), error.__cause__
    except MlflowException as error:
        message, cause = f"{uri}: {first_line(error.message)}", error
    except ImportError as error:  # e.g. no PostgreSQL driver installed
        message = f"{uri}: a package this tracking store needs is missing: {error}"
        cause = error
    except SQLAlchemyError as error:  # e.g. a database server that refuses the connection
        message, cause = f"{uri}: {first_line(str(error))}", error
    password = _password(uri)
    if password is None:
        raise InputError(message) from cause
    raise InputError(_hide(password, message)) from None


def _password(uri: str) -> str | None:
    """The password in a URI (``scheme://user:password@host...``), if any.

    >>> _password("postgresql://ml:s3cret@db.internal/mlflow")
    's3cret'
    >>> _password("http://ml:s3cret@[::1/mlflow")  # a host urlsplit refuses
    's3cret'
    """
    try:
        password = urlsplit(uri).password
    except ValueError:
        # urlsplit refuses some malformed hosts (an unclosed "["); the password
        # still stands between the first ":" and the last "@" before the path.
        netloc = uri.partition("://")[2].split("/", 1)[0]
        user, at, _ = netloc.rpartition("@")
        password = user.partition(":")[2] if at and ":" in user else None
    return password or None


def _hide(password: str, message: str) -> str:
    """Replace a password, as written and percent-decoded, everywhere in a message.

    >>> _hide("s3cr%40t", "http://ml:s3cr%40t@host: login as ml:s3cr@t refused")
    'http://ml:***@host: login as ml:*** refused'
    """
    for form in sorted({password, unquote(password)}, key=len, reverse=True):
        message = message.replace(form, "***")
    return message
