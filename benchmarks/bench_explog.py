"""Experiment log at scale: log 1,000 runs, then report them.

Targets:

* issue 5: the report for 1,000 runs renders in at most 3 seconds, measured
  as fetching the log from a SQLite store (``explog.lessons``) plus
  rendering it (``explog.render_lessons``), in a process where MLflow is
  already imported;
* issue 12: the whole ``mlorg experiments report`` command on those 1,000
  runs, in a new Python process (start-up and imports included), takes at
  most 2 seconds, median of 5 calls. Before issue 12 it took 21-25 s on the
  2-core machine under a load of about 15 (``python -X importtime``: 7 s
  importing MLflow, of which 5 s its SQL store and 2 s SQLAlchemy and
  alembic; 2-4 s pandas); now a SQLite store is read read-only with the
  standard library's ``sqlite3``, neither MLflow nor pandas is imported,
  and ``importlib.metadata`` (0.2-0.4 s) only when a version is needed.

Also measured, without a target: logging the 1,000 runs. The store is built
once, before the cases, and copied for each of them.

With PostgreSQL installed (``apt-get install -y postgresql``) the same
logging and report also run through an MLflow tracking server in front of
a throwaway PostgreSQL cluster (issue 14), side by side with the SQLite
store; the server and the cluster start before the cases (not timed), on
127.0.0.1, and are stopped by process id at the end (tests/tracking_server.py).

With ``MLORG_BENCH_BASELINE`` set to a git revision (``MLORG_BENCH_BASELINE=main
nox -s bench -- explog``), the whole command against the server also runs
with that revision's ``src/mlorg`` (``git archive``, put first on
``PYTHONPATH``), in the same run, on the same server: before and after a
change, side by side.

Run with ``nox -s bench -- explog``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from _harness import Case, baseline_source, main

from mlorg import explog
from mlorg.explog import DECISIONS, ExperimentRecord

RUNS = 1_000
EXPERIMENT = "benchmark"
#: A git revision whose mlorg also runs the whole command against the server.
BASELINE = os.environ.get("MLORG_BENCH_BASELINE")
ROOT = Path(__file__).resolve().parent.parent


def _records(count: int) -> list[ExperimentRecord]:
    records = []
    for i in range(count):
        # every tenth run has no lesson yet, every fifteenth no decision either
        records.append(
            ExperimentRecord(
                hypothesis=f"Variant {i} beats the baseline on held-out accuracy.",
                result=f"accuracy 0.{800 + i % 199} ± 0.01{i % 10}",
                decision=None if i % 15 == 0 else DECISIONS[i % 3],
                lesson=None if i % 10 == 0 else f"Variant {i}: keep what worked, drop the rest.",
            )
        )
    return records


def _empty_store() -> tuple[tempfile.TemporaryDirectory[str], str]:
    explog.quiet_mlflow()
    folder = tempfile.TemporaryDirectory(prefix="bench-explog-")
    uri = explog.sqlite_tracking_uri(Path(folder.name) / "mlflow.db")
    # Creating the store runs MLflow's schema migrations once; not part of any timing.
    explog.log_experiment(
        ExperimentRecord(hypothesis="warm-up"), experiment="warm-up", tracking_uri=uri
    )
    return folder, uri


def _log(uri: str, experiment: str, count: int) -> None:
    code = explog.code_version()
    for i, record in enumerate(_records(count)):
        explog.log_experiment(
            record,
            experiment=experiment,
            tracking_uri=uri,
            run_name=f"variant {i}",
            params={"variant": i, "learning_rate": 0.01 * (1 + i % 7)},
            fold_scores={"accuracy": [0.8 + (i % 13) / 100, 0.81, 0.79, 0.8, 0.82]},
            seed=i,
            code=code,
        )


# -- case 1: logging ------------------------------------------------------------------


def setup_logging() -> dict[str, Any]:
    """An empty store (schema created)."""
    folder, uri = _empty_store()
    return {"folder": folder, "uri": uri, "calls": 0}


def log_runs(state: dict[str, Any]) -> dict[str, Any]:
    """Log 1,000 runs into a new experiment of the store."""
    state["calls"] += 1
    _log(state["uri"], f"{EXPERIMENT} {state['calls']}", RUNS)
    return {"runs_logged": RUNS}


# -- case 2: the report, in process ----------------------------------------------------


def build_store(count: int) -> tuple[tempfile.TemporaryDirectory[str], str]:
    """A store with ``count`` logged runs in one experiment."""
    folder, uri = _empty_store()
    _log(uri, EXPERIMENT, count)
    return folder, uri


def setup_report(template: str) -> tuple[tempfile.TemporaryDirectory[str], str]:
    """A copy of the store built once by :func:`build_store`."""
    folder = tempfile.TemporaryDirectory(prefix="bench-explog-")
    db = Path(folder.name) / "mlflow.db"
    shutil.copyfile(template, db)
    return folder, explog.sqlite_tracking_uri(db)


def report(state: tuple[tempfile.TemporaryDirectory[str], str]) -> dict[str, Any]:
    """Fetch the log and render it as Markdown, as the command does."""
    _, uri = state
    log = explog.lessons(tracking_uri=uri, experiment=EXPERIMENT)
    text = explog.render_lessons(log, "md")
    flagged = int(log["flags"].map(bool).sum())
    if len(log) != RUNS:
        msg = f"expected {RUNS} runs in the log, found {len(log)}"
        raise RuntimeError(msg)
    return {"runs": len(log), "flagged_runs": flagged, "markdown_chars": len(text)}


# -- cases 4 to 6: the same through a tracking server ----------------------------------


def setup_server_logging(url: str) -> dict[str, Any]:
    """The running server's URL (its store is PostgreSQL)."""
    explog.quiet_mlflow()
    return {"folder": None, "uri": url, "calls": 0}


def setup_server_report(url: str) -> tuple[None, str]:
    """The running server's URL; its 1,000 runs were logged before the cases (not timed)."""
    explog.quiet_mlflow()
    return None, url


def setup_baseline_report(url: str, source: str) -> tuple[None, str, str]:
    """The running server's URL, and the folder holding the baseline's ``mlorg``."""
    return None, url, source


def fill_server(url: str) -> None:
    """Log what :func:`build_store` logs, through the server: the warm-up run and 1,000 runs."""
    explog.quiet_mlflow()
    explog.log_experiment(
        ExperimentRecord(hypothesis="warm-up"), experiment="warm-up", tracking_uri=url
    )
    _log(url, EXPERIMENT, RUNS)


# -- case 3: the whole command ----------------------------------------------------------


def report_command(state: tuple[Any, ...]) -> dict[str, Any]:
    """Run ``mlorg experiments report`` in a new Python process (a baseline's, if one is given)."""
    uri = state[1]
    env = None
    if len(state) > 2:
        env = {**os.environ, "PYTHONPATH": state[2]}
    done = subprocess.run(
        [sys.executable, "-m", "mlorg", "experiments", "report", "--tracking-uri", uri],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    rows = done.stdout.count("\n") - 2  # less the header and its rule line
    if rows != RUNS + 1:  # and the warm-up run
        msg = f"expected {RUNS + 1} runs in the report, found {rows}"
        raise RuntimeError(msg)
    return {"lines": done.stdout.count("\n")}


def _cases(db: str, server_url: str | None, baseline: str | None = None) -> list[Case]:
    cases = [
        Case(f"log {RUNS:,} runs (no target)", setup_logging, log_runs, repeat=1),
        Case(
            f"report {RUNS:,} runs: lessons() + render md",
            setup_report,
            report,
            args=(db,),
            limits={"seconds": 3.0},
        ),
        Case(
            f"mlorg experiments report, {RUNS:,} runs, whole command",
            setup_report,
            report_command,
            args=(db,),
            repeat=5,
            limits={"seconds": 2.0},
            statistic="median",
        ),
    ]
    if server_url is not None:
        # The report cases first: the logging case adds 1,000 more runs.
        if baseline is not None:
            cases.append(
                Case(
                    f"server+PostgreSQL: mlorg experiments report, {RUNS:,} runs, "
                    f"mlorg at {BASELINE} (no target)",
                    setup_baseline_report,
                    report_command,
                    args=(server_url, baseline),
                    repeat=5,
                    statistic="median",
                )
            )
        cases += [
            Case(
                f"server+PostgreSQL: report {RUNS:,} runs: lessons() + render md (no target)",
                setup_server_report,
                report,
                args=(server_url,),
            ),
            Case(
                f"server+PostgreSQL: mlorg experiments report, {RUNS:,} runs (no target)",
                setup_server_report,
                report_command,
                args=(server_url,),
                repeat=5,
                statistic="median",
            ),
            Case(
                f"server+PostgreSQL: log {RUNS:,} runs (no target)",
                setup_server_logging,
                log_runs,
                args=(server_url,),
                repeat=1,
            ),
        ]
    return cases


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    import tracking_server

    template, template_uri = build_store(RUNS)
    with template, contextlib.ExitStack() as stack:
        url = baseline = None
        reason = tracking_server.why_no_postgres()
        if reason is None:
            postgres = stack.enter_context(tracking_server.postgres_cluster())
            postgres.create_database("mlflow")
            port = tracking_server.free_port()
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-server-")))
            command = (
                f"mlflow server --backend-store-uri {postgres.uri('mlflow')} "
                f"--host 127.0.0.1 --port {port} --workers 1"
            )
            server = stack.enter_context(
                tracking_server.mlflow_server(
                    command,
                    port=port,
                    env={
                        "MLFLOW_DISABLE_TELEMETRY": "true",
                        "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false",
                    },
                    cwd=folder,
                )
            )
            url = server.url
            fill_server(url)
            if BASELINE is not None:
                unpacked = Path(
                    stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-base-"))
                )
                baseline = baseline_source(BASELINE, unpacked, ROOT)
        else:
            print(f"tracking-server cases left out: {reason}", file=sys.stderr)
        status = main("explog", _cases(template_uri.removeprefix("sqlite:///"), url, baseline))
    sys.exit(status)
