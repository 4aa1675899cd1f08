"""Writing runs with their record to MLflow, and reading the log back.

Private: the public names are in :mod:`mlorg.explog`.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from mlorg.errors import InputError

if TYPE_CHECKING:
    from mlflow import MlflowClient
    from mlflow.entities import Experiment, Run

from mlorg._explog.records import (
    _CODE_VERSION_TAG,
    _FINGERPRINT_TAG,
    _GIT_DIRTY_TAG,
    _PAGE,
    _SEED_PARAM,
    _TAG,
    DECISIONS,
    MLFLOW_GIT_COMMIT,
    RECORD_FIELDS,
    CodeVersion,
    ExperimentRecord,
    code_version,
    data_fingerprint,
)
from mlorg._explog.tracking import _client, _tracking_errors, _usable_tracking_uri


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
        from mlflow.entities import Metric, Param, RunStatus, RunTag

        client = _client(uri)
        found = client.get_experiment_by_name(experiment)
        if found is not None and found.lifecycle_stage != "active":
            msg = f"{uri}: experiment {experiment!r} is deleted; restore it or pick a new name"
            raise InputError(msg)
        experiment_id = (
            found.experiment_id if found is not None else client.create_experiment(experiment)
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


def record_outcome(
    run_id: str, record: ExperimentRecord, *, tracking_uri: str | None = None
) -> None:
    """Add what an experiment taught (result, decision, lesson) to a logged run.

    Fields that are empty in ``record`` leave the run's tags unchanged.
    """
    uri = _usable_tracking_uri(tracking_uri, may_create=False)
    with _tracking_errors(uri):
        from mlflow.entities import RunTag

        client = _client(uri)
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
        client = _client(uri)
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
