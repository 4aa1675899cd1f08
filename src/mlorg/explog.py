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
import json
import logging
import os
import sqlite3
import statistics
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _package_version
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args
from urllib.parse import unquote, urlsplit

from mlorg import _explog_report as _report
from mlorg._explog_report import PLAN_FIELDS, RunData
from mlorg._extras import require
from mlorg.errors import InputError, first_line

if TYPE_CHECKING:
    # pandas and numpy load when a function needs them: `mlorg experiments
    # report` on a SQLite store needs neither, and importing them is most of
    # its start-up time on a busy machine (see benchmarks/bench_explog.py).
    import numpy as np
    import pandas as pd
    from mlflow import MlflowClient
    from mlflow.entities import Experiment, Run

#: MLflow's tag for the git commit of a run (``mlflow.utils.mlflow_tags.MLFLOW_GIT_COMMIT``),
#: which its UI shows; written out so that this module imports MLflow only when it talks to a store.
MLFLOW_GIT_COMMIT = "mlflow.source.git.commit"

__all__ = [
    "CHECKED_FIELDS",
    "DECISIONS",
    "DEFAULT_TRACKING_URI",
    "PLAN_FIELDS",
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
    "report",
    "resolve_tracking_uri",
    "runs_missing",
    "sqlite_tracking_uri",
]

#: What a team can decide after an experiment.
Decision = Literal["adopt", "reject", "iterate"]
#: The allowed decisions, in the order the handbook discusses them.
DECISIONS: tuple[str, ...] = get_args(Decision)
#: MLflow's own default store: a SQLite file in the current folder.
DEFAULT_TRACKING_URI = "sqlite:///mlflow.db"
#: The fields of an experiment record every run owes the team, in reading order;
#: a run lacking one is flagged. The plan fields (:data:`PLAN_FIELDS`: decision
#: rule, overall evaluation criterion, guardrails, minimum effect) are stored
#: and reported too, never flagged; :data:`CHECKED_FIELDS` are those a report
#: can filter on (``--missing``).
RECORD_FIELDS = _report.RECORD_FIELDS

_TAG = "mlorg."
_FINGERPRINT_TAG = "mlorg.data_fingerprint"
_CODE_VERSION_TAG = "mlorg.code_version"
_GIT_DIRTY_TAG = "mlorg.git_dirty"
_SEED_PARAM = "seed"
_PAGE = 1000  # runs per search request; MLflow's default page size


@dataclass(frozen=True)
class ExperimentRecord:
    """What one experiment set out to learn and what the team made of it.

    The hypothesis is stated before the run, with the plan the experimentation
    chapter's record asks for: the decision rule (what result leads to adopt,
    reject or iterate) and, for an online experiment, the overall evaluation
    criterion (``oec``), the guardrail metrics and the minimum effect worth
    acting on. Result, decision and lesson are filled in afterwards (see
    :func:`record_outcome`). Empty text counts as missing; a run is flagged
    only for a missing hypothesis, result, decision or lesson, since the
    online fields do not apply to every experiment.

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
    decision_rule: str | None = None
    oec: str | None = None
    guardrails: Sequence[str] | None = None
    minimum_effect: str | None = None

    def __post_init__(self) -> None:
        if self.decision is not None and self.decision not in DECISIONS:
            msg = f"decision {self.decision!r} is not one of {', '.join(DECISIONS)}"
            raise InputError(msg)
        if self.guardrails is not None:
            names = [self.guardrails] if isinstance(self.guardrails, str) else self.guardrails
            if not all(isinstance(name, str) for name in names):
                msg = f"guardrails must be names of metrics (text), got {self.guardrails!r}"
                raise InputError(msg)
            # frozen: the one place the value is normalised, to a tuple of names
            object.__setattr__(self, "guardrails", tuple(n.strip() for n in names if n.strip()))

    @property
    def missing(self) -> tuple[str, ...]:
        """The record's fields that are still empty, in reading order."""
        return tuple(name for name in RECORD_FIELDS if not (getattr(self, name) or "").strip())

    def tags(self) -> dict[str, str]:
        """The record as MLflow tags (``mlorg.<field>``), leaving out empty fields.

        Guardrails are stored as a JSON list of names.

        >>> ExperimentRecord(hypothesis="Deeper trees help.", decision="reject").tags()
        {'mlorg.hypothesis': 'Deeper trees help.', 'mlorg.decision': 'reject'}
        >>> ExperimentRecord(oec="sessions per user", guardrails=["p95 latency"]).tags()
        {'mlorg.oec': 'sessions per user', 'mlorg.guardrails': '["p95 latency"]'}
        """
        tags = {}
        for name in (*RECORD_FIELDS, *PLAN_FIELDS):
            value = getattr(self, name)
            if name == "guardrails":
                if value:
                    tags[_TAG + name] = json.dumps(list(value), ensure_ascii=False)
            elif (value or "").strip():
                tags[_TAG + name] = str(value).strip()
        return tags


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

    >>> import pandas as pd
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
    import pandas as pd

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
    import numpy as np
    import pandas as pd

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


def log_experiment(
    record: ExperimentRecord,
    *,
    experiment: str | None = None,
    tracking_uri: str | None = None,
    run_id: str | None = None,
    run_name: str | None = None,
    params: Mapping[str, object] | None = None,
    metrics: Mapping[str, float] | None = None,
    fold_scores: Mapping[str, Sequence[float]] | None = None,
    data: pd.DataFrame | pd.Series[Any] | None = None,
    seed: int | None = None,
    code: CodeVersion | None = None,
) -> str:
    """Log a run's experiment record, parameters and metrics; return the run's id.

    Which run is annotated:

    * ``run_id`` given: that run, in ``tracking_uri``'s store;
    * else the active MLflow run, if there is one (inside ``with
      mlflow.start_run():``, also with autolog on), in the store it was
      started in unless ``tracking_uri`` says otherwise: the record joins
      the parameters and metrics MLflow logs there, and the run stays open
      for MLflow to end;
    * else a new, finished run in ``experiment`` (created if needed).

    ``experiment`` is required only for a new run; given for an existing run,
    it must be that run's experiment. ``fold_scores`` maps a metric to its
    cross-validation scores, logged as ``<name>_mean`` and ``<name>_std``
    (sample standard deviation across folds), so that every comparison can
    show its spread. ``data`` is fingerprinted, ``seed`` is logged as the
    parameter ``seed``, and ``code`` defaults to :func:`code_version` of the
    current folder. MLflow never changes a logged parameter, so a parameter
    the run already has with another value is an error (nothing is logged).

    >>> import tempfile
    >>> folder = tempfile.TemporaryDirectory()
    >>> uri = sqlite_tracking_uri(Path(folder.name) / "mlflow.db")
    >>> first = log_experiment(ExperimentRecord(hypothesis="Bills help."),
    ...     experiment="penguins", tracking_uri=uri, metrics={"accuracy": 0.9})
    >>> log_experiment(ExperimentRecord(decision_rule="adopt if accuracy >= 0.85"),
    ...     run_id=first, tracking_uri=uri, params={"model": "logistic"}) == first
    True
    >>> lessons(uri)[["hypothesis", "decision_rule", "params.model"]].to_numpy().tolist()
    [['Bills help.', 'adopt if accuracy >= 0.85', 'logistic']]
    >>> folder.cleanup()
    """
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
    uri, existing = _target(run_id, tracking_uri, new_run_in=experiment)
    with _tracking_errors(uri):
        from mlflow.entities import Metric, Param, RunStatus, RunTag

        client = _client(uri)
        if existing is not None:
            run = _existing_run(client, uri, existing, experiment)
            all_params = _new_params(uri, run, all_params)
            if run.data.tags.get(MLFLOW_GIT_COMMIT, code.git_commit) != code.git_commit:
                # MLflow found the commit of the script that started the run; keep it.
                tags.pop(MLFLOW_GIT_COMMIT, None)
                tags.pop(_GIT_DIRTY_TAG, None)
            target = run.info.run_id
        else:
            assert experiment is not None  # _target refused a new run without one
            found = client.get_experiment_by_name(experiment)
            if found is not None and found.lifecycle_stage != "active":
                msg = f"{uri}: experiment {experiment!r} is deleted; restore it or pick a new name"
                raise InputError(msg)
            experiment_id = (
                found.experiment_id if found is not None else client.create_experiment(experiment)
            )
            target = client.create_run(experiment_id, run_name=run_name).info.run_id
        now = _now_ms()
        client.log_batch(
            target,
            metrics=[Metric(key, value, now, 0) for key, value in all_metrics.items()],
            params=[Param(key, value) for key, value in all_params.items()],
            tags=[RunTag(key, value) for key, value in tags.items()],
        )
        if existing is None:
            client.set_terminated(target, status=RunStatus.to_string(RunStatus.FINISHED))
    return str(target)


def record_outcome(
    run_id: str | None, record: ExperimentRecord, *, tracking_uri: str | None = None
) -> None:
    """Add what an experiment taught (result, decision, lesson) to a logged run.

    ``run_id=None`` means the active MLflow run (inside ``mlflow.start_run()``),
    in the store it was started in unless ``tracking_uri`` says otherwise.
    Fields that are empty in ``record`` leave the run's tags unchanged; the
    plan fields (decision rule, OEC, guardrails, minimum effect) may be added
    here too.
    """
    uri, existing = _target(run_id, tracking_uri, new_run_in=None)
    assert existing is not None  # _target refused to go on without a run
    with _tracking_errors(uri):
        from mlflow.entities import RunTag

        client = _client(uri)
        run = _existing_run(client, uri, existing, None)
        client.log_batch(run.info.run_id, tags=[RunTag(k, v) for k, v in record.tags().items()])


def _target(
    run_id: str | None, tracking_uri: str | None, *, new_run_in: str | None
) -> tuple[str, str | None]:
    """The store to write to and the run to annotate (None: a new run in ``new_run_in``)."""
    if run_id is not None:
        if not run_id.strip():
            msg = "run_id is empty; give the id of a run, or None for the active run"
            raise InputError(msg)
        return _usable_tracking_uri(tracking_uri, may_create=False), run_id.strip()
    active = _active_run()
    if active is not None:
        active_id, active_uri = active
        return _usable_tracking_uri(tracking_uri or active_uri, may_create=False), active_id
    if new_run_in is None:
        msg = (
            "no run to annotate: no run_id given and no active MLflow run "
            "(call it inside `with mlflow.start_run():`, or pass run_id=...)"
        )
        raise InputError(msg)
    return _usable_tracking_uri(tracking_uri, may_create=True), None


def _active_run() -> tuple[str, str] | None:
    """The active MLflow run's id and the tracking URI it was started with, if any."""
    mlflow = sys.modules.get("mlflow")
    if mlflow is None:  # no run can be active in a process that never imported MLflow
        return None
    run = mlflow.active_run()
    if run is None:
        return None
    return str(run.info.run_id), str(mlflow.get_tracking_uri())


def _existing_run(client: MlflowClient, uri: str, run_id: str, experiment: str | None) -> Run:
    run = client.get_run(run_id)  # MLflow's "Run '...' not found" if it is not there
    if run.info.lifecycle_stage != "active":
        msg = f"{uri}: run {run_id} is deleted; restore it first"
        raise InputError(msg)
    if experiment is not None:
        name = client.get_experiment(run.info.experiment_id).name
        if name != experiment:
            msg = f"{uri}: run {run_id} belongs to experiment {name!r}, not {experiment!r}"
            raise InputError(msg)
    return run


def _new_params(uri: str, run: Run, params: Mapping[str, str]) -> dict[str, str]:
    """The parameters not logged yet; a parameter logged with another value is an error."""
    logged = run.data.params
    for key, value in params.items():
        if key in logged and logged[key] != value:
            msg = (
                f"{uri}: run {run.info.run_id} already has the parameter {key}={logged[key]!r}, "
                f"and MLflow never changes a parameter (got {value!r}); nothing was logged"
            )
            raise InputError(msg)
    return {key: value for key, value in params.items() if key not in logged}


def _spread(name: str, scores: Sequence[float]) -> dict[str, float]:
    values = [float(score) for score in scores]
    if len(values) < 2:
        msg = f"fold_scores[{name!r}]: need the scores of at least 2 folds, got {len(values)}"
        raise InputError(msg)
    return {f"{name}_mean": statistics.fmean(values), f"{name}_std": statistics.stdev(values)}


def _now_ms() -> int:
    return int(datetime.now(UTC).timestamp() * 1000)


# -- reading the log ------------------------------------------------------------

#: Fields :func:`report` and :func:`runs_missing` can filter on: the record,
#: the plan fields and the provenance (``data_fingerprint``, ``code_version``, ``seed``).
CHECKED_FIELDS = _report.CHECKED_FIELDS


def lessons(tracking_uri: str | None = None, experiment: str | None = None) -> pd.DataFrame:
    """Fetch the experiment log: one row per run, oldest first.

    Columns: ``experiment``, ``run_id``, ``run``, ``parent_run_id`` (MLflow's
    tag ``mlflow.parentRunId``: set for nested runs, such as autolog's runs of
    a hyperparameter search), ``started`` (UTC), ``status`` (``FINISHED``,
    ``FAILED``, ``KILLED``, ``RUNNING``), the record's ``hypothesis``,
    ``result``, ``decision``, ``lesson``, the plan's ``decision_rule``,
    ``oec``, ``guardrails`` (a list), ``minimum_effect``, ``flags`` (what the
    record still lacks, e.g. ``["no lesson"]``, and ``"run FAILED"`` for a
    run that failed), ``data_fingerprint``, ``code_version``, ``git_commit``,
    ``seed``, then one ``params.<name>`` and one ``metrics.<name>`` column
    per parameter and metric, as in :func:`mlflow.search_runs`. A missing
    record field is ``None``, a missing parameter or metric is ``NaN``.
    With ``experiment=None`` every active experiment is included.

    A SQLite store is read directly, opened read-only, when its schema has
    the tables this needs (MLflow's since version 1); any other store, or a
    SQLite schema this reader does not know, is read through MLflow's client.
    Either way the store is never created, migrated or changed.

    Raises:
        InputError: the tracking URI is malformed or unreachable, a SQLite
            file does not exist or is not an MLflow database, or the
            experiment does not exist.
    """
    import pandas as pd

    rows = _log_rows(tracking_uri, experiment)
    flat = []
    for row in rows:
        params, metrics = row.pop("params"), row.pop("metrics")
        row.update({f"params.{k}": v for k, v in params.items()})
        row.update({f"metrics.{k}": v for k, v in metrics.items()})
        flat.append(row)
    log = pd.DataFrame(flat, columns=_BASE_COLUMNS if not flat else None)
    fixed = [c for c in log.columns if not c.startswith(("params.", "metrics."))]
    extra = sorted(c for c in log.columns if c.startswith("params.")) + sorted(
        c for c in log.columns if c.startswith("metrics.")
    )
    log = log[fixed + extra]
    log["started"] = pd.to_datetime(log["started"], utc=True)
    # pandas would store a missing text as NaN; the record's readers want None.
    text = [c for c in fixed if c != "started"]
    log[text] = log[text].astype(object).where(log[text].notna(), None)
    return log


_BASE_COLUMNS = [
    "experiment",
    "run_id",
    "run",
    "parent_run_id",
    "started",
    "status",
    *RECORD_FIELDS,
    *PLAN_FIELDS,
    "flags",
    "data_fingerprint",
    "code_version",
    "git_commit",
    "seed",
]


def report(
    tracking_uri: str | None = None,
    experiment: str | None = None,
    fmt: ReportFormat = "md",
    *,
    missing: Sequence[str] = (),
    params: Sequence[str] | None = None,
    metrics: Sequence[str] | None = None,
) -> str:
    """Fetch and render the experiment log in one step, as ``mlorg experiments report`` does.

    The same as ``render_lessons(runs_missing(lessons(...), missing), fmt)``
    without building a DataFrame, so that on a SQLite store it needs neither
    pandas nor MLflow. ``missing`` keeps only the runs that lack at least
    one of these fields (see :data:`CHECKED_FIELDS`).

    >>> import tempfile
    >>> folder = tempfile.TemporaryDirectory()
    >>> uri = sqlite_tracking_uri(Path(folder.name) / "mlflow.db")
    >>> _ = log_experiment(ExperimentRecord(hypothesis="h", lesson="l"), experiment="e",
    ...     tracking_uri=uri, run_name="first")
    >>> print(report(uri, missing=["decision"], params=[], metrics=[]))  # doctest: +ELLIPSIS
    | run | run id | status | started | hypothesis | result | decision | lesson | flags |
    | --- | --- | --- | --- | --- | --- | --- | --- | --- |
    | first | ... | FINISHED | ... | h | — | — | l | ⚠ no result; no decision |
    >>> folder.cleanup()
    """
    _check_format(fmt)
    fields = _checked(missing)
    rows = _log_rows(tracking_uri, experiment)
    if fields:
        rows = _report.missing_any(rows, fields)
    return _report.render(rows, fmt, params=params, metrics=metrics)


def runs_missing(log: pd.DataFrame, fields: Sequence[str]) -> pd.DataFrame:
    """The runs of a log from :func:`lessons` that lack at least one of ``fields``.

    >>> import pandas as pd
    >>> log = pd.DataFrame({"run": ["a", "b"], "lesson": [None, "Measure bills."]})
    >>> runs_missing(log, ["lesson"])["run"].tolist()
    ['a']
    """
    names = _checked(fields)
    absent = [name for name in names if name not in log.columns]
    if absent:
        msg = f"the log lacks the column(s) {', '.join(absent)}; make it with lessons()"
        raise InputError(msg)
    keep = [
        any(_report.is_missing(value) for value in values)
        for values in log[names].itertuples(index=False)
    ]
    return log[keep]


def _checked(fields: Sequence[str]) -> list[str]:
    if isinstance(fields, str):  # one name, not its letters
        fields = [fields]
    unknown = [name for name in fields if name not in CHECKED_FIELDS]
    if unknown:
        msg = f"unknown field {unknown[0]!r}; use one of {', '.join(CHECKED_FIELDS)}"
        raise InputError(msg)
    return list(fields)


def _log_rows(
    tracking_uri: str | None, experiment: str | None, *, direct: bool = True
) -> list[dict[str, Any]]:
    """The log's rows; a SQLite store read directly unless ``direct=False`` (for tests)."""
    uri = resolve_tracking_uri(tracking_uri).strip()
    db = _sqlite_file(uri) if direct else None
    if db is not None:
        # The same guards as every other path (missing file, not MLflow's
        # database); a SQLite URI has no host, so no password to hide.
        _check_tracking_uri(uri, may_create=False)
        try:
            found = _report.read_sqlite(db, experiment)
        except _report.ExperimentNotFound as error:
            state, known = error.args
            raise InputError(_not_found(uri, str(experiment), state, known)) from None
        if found is not None:
            names, runs = found
            return [_report.row(run, names[run.experiment_id]) for run in runs]
    uri = _usable_tracking_uri(tracking_uri, may_create=False)
    with _tracking_errors(uri):
        client = _client(uri)
        names = _experiments(client, uri, experiment)
        fetched = _all_runs(client, list(names))
    return [_report.row(_run_data(run), names[run.info.experiment_id]) for run in fetched]


def _sqlite_file(uri: str) -> Path | None:
    """The file of a plain ``sqlite:///path`` URI (no host, no query); else None."""
    try:
        parts = urlsplit(uri)
    except ValueError:
        return None
    if parts.scheme.lower() != "sqlite" or parts.netloc or parts.query or parts.fragment:
        return None
    file = unquote(parts.path.removeprefix("/"))
    return Path(file) if file and file != ":memory:" else None


def _not_found(uri: str, name: str, state: str, known: Sequence[str]) -> str:
    hint = f"; experiments there: {', '.join(known)}" if known else "; it has no experiments"
    return f"{uri}: experiment {name!r} {state}{hint}"


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
        state = "is deleted" if experiment is not None else "not found"
        raise InputError(_not_found(uri, name, state, known))
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


def _run_data(run: Run) -> RunData:
    return RunData(
        run_id=run.info.run_id,
        name=run.info.run_name,
        experiment_id=run.info.experiment_id,
        status=run.info.status,
        start_time=run.info.start_time,
        params=run.data.params,
        metrics=run.data.metrics,
        tags=run.data.tags,
    )


# -- rendering ------------------------------------------------------------------

#: The formats :func:`render_lessons` writes.
ReportFormat = Literal["md", "html", "json"]
_SHOWN = ["run", *RECORD_FIELDS, "flags"]


def render_lessons(
    log: pd.DataFrame,
    fmt: ReportFormat = "md",
    *,
    params: Sequence[str] | None = None,
    metrics: Sequence[str] | None = None,
) -> str:
    """Render an experiment log from :func:`lessons` as Markdown, HTML or JSON.

    Markdown and HTML show one row per run, child runs right after their
    parent (marked ``↳``): the run's name, id, status (a failed or killed
    run marked ``✗`` and in bold, and flagged), start time, key parameters
    and metrics, then hypothesis → result → decision → lesson, the plan
    fields any run has, and the flags (``⚠ no lesson``). Missing values show
    as ``—``; the experiment column appears only when the log spans several
    experiments. ``params`` and ``metrics`` choose the parameters and
    metrics shown; by default the three parameters whose values differ
    between runs and the three metrics most runs have. JSON carries every
    column, one object per run, oldest first.

    >>> import pandas as pd
    >>> log = pd.DataFrame([{"experiment": "e", "run": "deeper", "hypothesis": "Depth helps.",
    ...     "result": "no gain", "decision": "reject", "lesson": None, "flags": ["no lesson"]}])
    >>> print(render_lessons(log))
    | run | hypothesis | result | decision | lesson | flags |
    | --- | --- | --- | --- | --- | --- |
    | deeper | Depth helps. | no gain | reject | — | ⚠ no lesson |
    """
    _check_format(fmt)
    missing = [c for c in _SHOWN if c not in log.columns]
    if missing:
        msg = f"the log lacks the column(s) {', '.join(missing)}; make it with lessons()"
        raise InputError(msg)
    return _report.render(_rows(log), fmt, params=params, metrics=metrics)


def _check_format(fmt: str) -> None:
    if fmt not in get_args(ReportFormat):  # callers outside the type checker's reach
        msg = f"unknown format {fmt!r}; use md, html or json"
        raise InputError(msg)


def _rows(log: pd.DataFrame) -> list[dict[str, Any]]:
    """A log's DataFrame back as rows: params and metrics in dicts, missing values None."""
    import pandas as pd

    rows = []
    for record in log.to_dict(orient="records"):
        row: dict[str, Any] = {}
        params: dict[str, Any] = {}
        metrics: dict[str, Any] = {}
        for key, cell in record.items():
            name, value = str(key), cell
            if not isinstance(cell, list | tuple | dict) and pd.isna(cell):
                value = None
            elif isinstance(cell, pd.Timestamp):
                value = cell.to_pydatetime()
            if name.startswith("params."):
                if value is not None:  # runs without this parameter
                    params[name.removeprefix("params.")] = value
            elif name.startswith("metrics."):
                if value is not None:
                    metrics[name.removeprefix("metrics.")] = value
            else:
                row[name] = value
        row["params"] = params
        row["metrics"] = metrics
        rows.append(row)
    return rows


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


def _import_mlflow() -> None:
    """Import MLflow, after opting out of what it does on import; the one place that imports it.

    MLflow 3.2+ sends anonymous usage data by default, starting when ``mlflow``
    is imported. The handbook's build and tests must not touch the network, so
    we opt out the way MLflow documents (docs: "Usage Tracking"), before the
    import. MLflow also prints a hint on import when it thinks a coding agent
    runs it; that is noise in a notebook's output. ``setdefault`` leaves an
    explicit choice in the environment alone. Importing :mod:`mlorg.explog`
    changes nothing; the first call that talks to a tracking store does this.

    Raises:
        MissingExtraError: MLflow is not installed (``pip install "mlorg[experiments]"``).
    """
    require("experiments", "mlorg.explog")
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    os.environ.setdefault("MLFLOW_DISABLE_AGENT_HINT", "true")
    import mlflow  # noqa: F401  (after the opt-out above)


def _client(uri: str) -> MlflowClient:
    _import_mlflow()
    from mlflow import MlflowClient

    return MlflowClient(tracking_uri=uri)


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
    _import_mlflow()
    from mlflow.exceptions import MlflowException
    from sqlalchemy.exc import SQLAlchemyError  # here, not on import: it takes seconds to load

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
