"""Writing runs with their record to MLflow, and reading the log back.

Private: the public names are in :mod:`mlorg.explog`.
"""

from __future__ import annotations

import os
import statistics
import sys
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from mlorg._explog import rest as _rest
from mlorg._explog import rows as _rows
from mlorg._explog.records import (
    _CODE_VERSION_TAG,
    _FINGERPRINT_TAG,
    _GIT_DIRTY_TAG,
    _PAGE,
    _SEED_PARAM,
    CHECKED_FIELDS,
    MLFLOW_GIT_COMMIT,
    PLAN_FIELDS,
    RECORD_FIELDS,
    CodeVersion,
    ExperimentRecord,
    code_version,
    data_fingerprint,
)
from mlorg._explog.render import ReportFormat, _check_format
from mlorg._explog.rows import RunData
from mlorg._explog.tracking import (
    _check_tracking_uri,
    _client,
    _credentials_hidden,
    _tracking_errors,
    _usable_tracking_uri,
    resolve_tracking_uri,
)
from mlorg._stores import blank_tracking_uri
from mlorg.errors import InputError

if TYPE_CHECKING:
    import pandas as pd
    from mlflow import MlflowClient
    from mlflow.entities import Experiment, Run


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

    With MLflow's autolog (``mlflow.sklearn.autolog()`` and the like), call
    it inside ``with mlflow.start_run():``, after the ``fit``: autolog logs
    the model's parameters and metrics on that active run (and, for a
    hyperparameter search, one nested child run per candidate), and the
    record lands on the same run. A ``fit`` outside any ``start_run`` gets a
    run of its own that autolog ends when the fit returns; annotate it
    afterwards with ``run_id=mlflow.last_active_run().info.run_id``. A run
    given by ``run_id`` is looked up in ``tracking_uri`` (default
    ``$MLFLOW_TRACKING_URI``, else ``sqlite:///mlflow.db``), not in the store
    set with ``mlflow.set_tracking_uri``, so pass the same store::

        mlflow.sklearn.autolog(log_models=False)
        with mlflow.start_run(run_name="tree search"):
            GridSearchCV(DecisionTreeClassifier(), {"max_depth": [2, 4, 8]}).fit(X, y)
            log_experiment(ExperimentRecord(hypothesis="...", decision_rule="..."))

        DecisionTreeClassifier(max_depth=4).fit(X, y)  # autolog's own run, ended
        log_experiment(
            ExperimentRecord(hypothesis="..."),
            run_id=mlflow.last_active_run().info.run_id,
            tracking_uri=mlflow.get_tracking_uri(),
        )

    ``experiment`` is required only for a new run; given for an existing run,
    it must be that run's experiment. ``fold_scores`` maps a metric to its
    cross-validation scores, logged as ``<name>_mean`` and ``<name>_std``
    (sample standard deviation across folds), so that every comparison can
    show its spread. ``data`` is fingerprinted, ``seed`` is logged as the
    parameter ``seed``, and ``code`` defaults to :func:`code_version` of the
    current folder. MLflow never changes a logged parameter, so a parameter
    the run already has with another value is an error (nothing is logged).

    >>> import tempfile
    >>> from pathlib import Path
    >>> from mlorg.explog import ExperimentRecord, lessons, log_experiment, sqlite_tracking_uri
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
                found.experiment_id if found is not None else _create_experiment(client, experiment)
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


def _create_experiment(client: MlflowClient, name: str) -> str:
    """Create an experiment, or use the one another client created at the same moment.

    Clients of one tracking server that log into a new experiment at once
    all find it missing and all create it; the store accepts the first and
    refuses the others (``RESOURCE_ALREADY_EXISTS``), which then use it.
    """
    from mlflow.exceptions import MlflowException

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
    run_id: str | None, record: ExperimentRecord, *, tracking_uri: str | None = None
) -> None:
    """Add what an experiment taught (result, decision, lesson) to a logged run.

    ``run_id=None`` means the active MLflow run (inside ``mlflow.start_run()``),
    in the store it was started in unless ``tracking_uri`` says otherwise.
    Fields that are empty in ``record`` leave the run's tags unchanged; the
    plan fields (decision rule, OEC, guardrails, minimum effect) may be added
    here too.

    For an autologged run, call it with ``None`` inside the ``with
    mlflow.start_run():`` block that autolog logs into; for a run autolog
    opened and ended itself (a ``fit`` outside any ``start_run``), give
    ``mlflow.last_active_run().info.run_id`` and the store it is in, as
    ``tracking_uri`` (``mlflow.get_tracking_uri()``): a run given by id is
    looked up in ``tracking_uri``, not in the store set with
    ``mlflow.set_tracking_uri``. See :func:`log_experiment`.

    >>> import tempfile
    >>> from pathlib import Path
    >>> from mlorg.explog import ExperimentRecord, lessons, log_experiment, sqlite_tracking_uri
    >>> folder = tempfile.TemporaryDirectory()
    >>> uri = sqlite_tracking_uri(Path(folder.name) / "mlflow.db")
    >>> run = log_experiment(ExperimentRecord(hypothesis="Bills help."),
    ...     experiment="penguins", tracking_uri=uri)
    >>> record_outcome(run, ExperimentRecord(result="accuracy 0.95", decision="adopt"),
    ...     tracking_uri=uri)
    >>> lessons(uri)[["hypothesis", "result", "decision"]].to_numpy().tolist()
    [['Bills help.', 'accuracy 0.95', 'adopt']]
    >>> folder.cleanup()
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
    the tables this needs (MLflow's since version 1); a tracking server
    (``http://``, ``https://``) through its REST API, with the standard
    library and MLflow's own settings (credentials, TLS, timeouts), without
    importing MLflow; any other store, a SQLite schema this reader does not
    know, or a server that needs an MLflow plugin, through MLflow's client.
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
    one of these fields (see ``mlorg.explog.CHECKED_FIELDS``).

    >>> import tempfile
    >>> from pathlib import Path
    >>> from mlorg.explog import ExperimentRecord, log_experiment, report, sqlite_tracking_uri
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
        rows = _rows.missing_any(rows, fields)
    return _rows.render(rows, fmt, params=params, metrics=metrics)


def runs_missing(log: pd.DataFrame, fields: Sequence[str]) -> pd.DataFrame:
    """The runs of a log from :func:`lessons` that lack at least one of ``fields``.

    >>> import pandas as pd
    >>> from mlorg.explog import runs_missing
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
        any(_rows.is_missing(value) for value in values)
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


def _read_directly(
    uri: str,
    experiment: str | None,
    read: Callable[[], tuple[dict[str, str], list[RunData]] | None],
) -> list[dict[str, Any]] | None:
    """The log's rows from a reader that bypasses MLflow's client; ``None`` if it hands back."""
    try:
        found = read()
    except _rows.ExperimentNotFound as error:
        state, known = error.args
        raise InputError(_not_found(uri, str(experiment), state, known)) from None
    if found is None:
        return None
    names, runs = found
    return [_rows.row(run, names[run.experiment_id]) for run in runs]


def _served(uri: str, experiment: str | None) -> tuple[dict[str, str], list[RunData]] | None:
    """:func:`mlorg._explog.rest.read_server`, its errors naming the server."""
    try:
        return _rest.read_server(uri, experiment)
    except InputError as error:
        msg = f"{uri}: {error}"
        raise InputError(msg) from None


def _log_rows(
    tracking_uri: str | None, experiment: str | None, *, direct: bool = True
) -> list[dict[str, Any]]:
    """The log's rows; a SQLite store or a tracking server read directly unless ``direct=False``.

    ``direct=False`` (for tests) reads through MLflow's client, which the
    direct readers must agree with.
    """
    # A blank URI (given, or in MLFLOW_TRACKING_URI) is an error on every
    # path, before anything resolves it to a default store.
    blank = blank_tracking_uri(tracking_uri, os.environ.get("MLFLOW_TRACKING_URI"))
    if blank is not None:
        raise InputError(blank)
    uri = resolve_tracking_uri(tracking_uri).strip()
    db = _sqlite_file(uri) if direct else None
    if db is not None:
        # The same guards as every other path (missing file, not MLflow's
        # database); a SQLite URI has no host, so no password to hide.
        _check_tracking_uri(uri, may_create=False)
        found = _read_directly(uri, experiment, lambda: _rows.read_sqlite(db, experiment))
        if found is not None:
            return found
    if direct and not _rest.needs_mlflow(uri):
        # A tracking server's REST API, asked without importing MLflow.
        with _credentials_hidden(uri):
            _check_tracking_uri(uri, may_create=False)
            served = _read_directly(uri, experiment, lambda: _served(uri, experiment))
        if served is not None:
            return served
    uri = _usable_tracking_uri(tracking_uri, may_create=False)
    with _tracking_errors(uri):
        client = _client(uri)
        names = _experiments(client, uri, experiment)
        fetched = _all_runs(client, list(names))
    return [_rows.row(_run_data(run), names[run.info.experiment_id]) for run in fetched]


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
