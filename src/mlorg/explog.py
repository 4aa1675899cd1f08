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
DataFrame, and :func:`render_lessons` turns it into Markdown, HTML or JSON;
:func:`report` does both without pandas, as ``mlorg experiments report`` does.
The log covers every run, whoever wrote it (autolog, a hand-written script):
its id, status, start time, key parameters and metrics, child runs under
their parent. A run without a hypothesis, result, decision or lesson, or one
that failed, is flagged, never an error: the log shows where the team still
owes itself a lesson; :func:`runs_missing` keeps only those runs.
The record's plan (decision rule, overall evaluation criterion, guardrails,
minimum effect) is stored as ``mlorg.*`` tags too. :func:`log_experiment` and
:func:`record_outcome` annotate the active MLflow run, or a given ``run_id``,
rather than opening a second one.

Any MLflow tracking URI works: a SQLite file (the default, ``sqlite:///mlflow.db``,
as in MLflow itself), a shared tracking server, or a Databricks workspace
(``databricks`` or ``databricks://<profile>``). A mistyped SQLite path is
an error here rather than a new, empty database, and a file that is not an
MLflow database is never touched. A password in the URI never shows in an
error message.

>>> import tempfile
>>> from pathlib import Path
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

from mlorg._explog.log import lessons, log_experiment, record_outcome, report, runs_missing
from mlorg._explog.records import (
    CHECKED_FIELDS,
    DECISIONS,
    PLAN_FIELDS,
    RECORD_FIELDS,
    CodeVersion,
    Decision,
    ExperimentRecord,
    code_version,
    data_fingerprint,
)
from mlorg._explog.render import ReportFormat, render_lessons
from mlorg._explog.tracking import (
    DEFAULT_TRACKING_URI,
    quiet_mlflow,
    resolve_tracking_uri,
    sqlite_tracking_uri,
)

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


# The classes and functions are defined in mlorg._explog; they belong to this
# module for readers, pickles and the toolkit reference.
for _name in __all__:
    _value = globals()[_name]
    if callable(_value) and getattr(_value, "__module__", "").startswith("mlorg._explog"):
        _value.__module__ = __name__
del _name, _value
