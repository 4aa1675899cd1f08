"""The experiment log against a real MLflow tracking server in front of PostgreSQL (``-m server``).

The module starts one throwaway PostgreSQL cluster and two MLflow servers
(plain and basic-auth) on 127.0.0.1 (see ``tracking_server``), runs the
commands of examples/experiment-log-team.md exactly as the page shows
them, and stops everything by process id at the end. Skipped, with the
reason, where PostgreSQL or the full MLflow is not installed.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import secrets
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import tracking_server
from tracking_server import free_port

REPO = Path(__file__).resolve().parent.parent
PAGE = REPO / "examples" / "experiment-log-team.md"
SECTION = "## Tried here: four clients, one server, PostgreSQL\n"
WORKERS, RUNS = 4, 50

pytestmark = pytest.mark.server


def _section() -> str:
    return PAGE.read_text(encoding="utf-8").split(SECTION, 1)[1].split("\n## ", 1)[0]


def _console_blocks() -> list[list[str]]:
    return [
        block.splitlines() for block in re.findall(r"```console\n(.*?)```", _section(), re.DOTALL)
    ]


def _command(block: list[str]) -> str:
    (line,) = block
    assert line.startswith("$ ")
    return line.removeprefix("$ ")


def _log_runs_script() -> str:
    return re.search(
        r"```\{code-block\} python\n:caption: log_runs.py\n\n(.*?)```", _section(), re.DOTALL
    )[1]


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator[dict[str, object]]:
    # Skipped by conftest.py only where PostgreSQL is missing; anything else fails.
    server_block, _, auth_block, _ = _console_blocks()
    with tracking_server.postgres_cluster() as postgres:
        postgres.create_database("mlflow")
        postgres.create_database("mlflow_auth")
        env = {
            "PGPORT": str(postgres.port),
            "PORT": str(free_port()),
            "AUTH_PORT": str(free_port()),
            "ADMIN_PASSWORD": secrets.token_urlsafe(16),
            "SECRET_KEY": secrets.token_urlsafe(32),
            "MLFLOW_DISABLE_TELEMETRY": "true",
        }
        folder = tmp_path_factory.mktemp("server")
        auth_folder = tmp_path_factory.mktemp("auth-server")
        with (
            tracking_server.mlflow_server(
                _command(server_block), port=int(env["PORT"]), env=env, cwd=folder
            ) as server,
            tracking_server.mlflow_server(
                _command(auth_block), port=int(env["AUTH_PORT"]), env=env, cwd=auth_folder
            ) as auth_server,
        ):
            yield {"env": env, "server": server, "auth": auth_server, "postgres": postgres}
            pids = [server.process.pid, auth_server.process.pid]
    # Nothing is left behind: the servers' groups, the postmaster and its folder are gone.
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.killpg(pid, 0)
    assert not tracking_server._alive(postgres.pid)
    assert not postgres.root.exists()


def _run_block(block: list[str], env: dict[str, str], cwd: Path) -> tuple[str, str]:
    """Run a console block's commands in one bash; return (what it printed, what the page shows)."""
    script = "\n".join(line.removeprefix("$ ") for line in block if line.startswith("$ "))
    shown = "".join(f"{line}\n" for line in block if not line.startswith("$ "))
    environment = {
        **os.environ,
        **env,
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
    }
    for name in ("MLFLOW_TRACKING_URI", "MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD"):
        environment.pop(name, None)
    done = subprocess.run(
        ["bash", "-c", script],
        cwd=cwd,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,  # one stream, in the order a terminal shows them
        text=True,
        timeout=1200,
        check=False,
    )
    printed = done.stdout
    for name in ("AUTH_PORT", "PORT"):
        printed = printed.replace(f":{env[name]}", f":${{{name}}}")
    return printed, shown


@pytest.fixture(scope="module")
def logged(stack, tmp_path_factory) -> dict[str, object]:
    """The page's clients and report, run once: 4 processes x 50 runs, at the same time."""
    folder = tmp_path_factory.mktemp("clients")
    (folder / "log_runs.py").write_text(_log_runs_script(), encoding="utf-8")
    block = _console_blocks()[1]
    printed, shown = _run_block(block, stack["env"], folder)
    return {"printed": printed, "shown": shown, "folder": folder}


def test_the_team_page_shows_what_its_commands_print(logged):
    assert logged["printed"] == logged["shown"]


def test_concurrent_clients_lose_and_duplicate_nothing(logged):
    runs = json.loads((logged["folder"] / "team.json").read_text(encoding="utf-8"))
    expected = {f"w{w}-r{n:02d}": (w, n) for w in range(WORKERS) for n in range(RUNS)}
    assert len(runs) == WORKERS * RUNS
    assert len({run["run_id"] for run in runs}) == WORKERS * RUNS
    assert {run["run"] for run in runs} == set(expected)
    for run in runs:
        worker, number = expected[run["run"]]
        assert run["status"] == "FINISHED"
        assert run["hypothesis"] == f"{run['run']}: a deeper tree helps"
        assert run["result"] == f"accuracy 0.{80 + number % 10}"
        assert run["decision"] == "iterate"
        assert run["lesson"] == f"{run['run']}: try the next depth"
        assert run["params"] == {"worker": str(worker), "number": str(number)}
        assert run["metrics"]["accuracy"] == pytest.approx(0.80 + number % 10 / 100)


def test_a_wrong_password_is_refused_and_never_printed(stack, tmp_path):
    block = _console_blocks()[3]
    printed, shown = _run_block(block, stack["env"], tmp_path)
    lines = printed.splitlines()
    assert lines[-1] == "exit status 2"
    (error,) = lines[:-1]
    assert error.startswith("mlorg: error: http://127.0.0.1:${AUTH_PORT}: ")
    assert "401" in error or "authenticat" in error.lower()
    assert "not-the-password" not in printed
    assert printed == shown


def test_the_right_password_is_let_in_and_a_password_in_the_uri_is_hidden(stack):
    env = stack["env"]
    good = {"MLFLOW_TRACKING_USERNAME": "admin", "MLFLOW_TRACKING_PASSWORD": env["ADMIN_PASSWORD"]}
    report = _mlorg(["--tracking-uri", stack["auth"].url], good)
    assert report.returncode == 0, report.stderr
    wrong = f"http://admin:wr0ng-s3cret@127.0.0.1:{env['AUTH_PORT']}"
    refused = _mlorg(["--tracking-uri", wrong], {})
    assert refused.returncode == 2
    assert refused.stdout == ""
    assert refused.stderr.count("\n") == 1
    assert "wr0ng-s3cret" not in refused.stderr
    # everything between "://" and the last "@" is hidden, the user name too (mlorg._secrets)
    assert refused.stderr.startswith("mlorg: error: http://***@127.0.0.1:")


def _mlorg(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **env}
    for name in ("MLFLOW_TRACKING_URI", "MLFLOW_HTTP_REQUEST_MAX_RETRIES"):
        environment.pop(name, None)
    if "MLFLOW_TRACKING_USERNAME" not in env:
        environment.pop("MLFLOW_TRACKING_USERNAME", None)
        environment.pop("MLFLOW_TRACKING_PASSWORD", None)
    return subprocess.run(
        [sys.executable, "-m", "mlorg", "experiments", "report", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
        check=False,
    )


class _VanishingRelay:
    """A TCP relay to the server that vanishes when the client asks for the runs.

    It forwards the report's first requests (finding the experiment), and at
    the request that searches the runs it drops the connection and stops
    listening: to the client, the server went away in the middle of the report.
    """

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.vanished = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.vanished.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        upstream = socket.create_connection(("127.0.0.1", self.target_port))

        def back() -> None:
            try:
                while chunk := upstream.recv(65536):
                    client.sendall(chunk)
            except OSError:
                pass

        threading.Thread(target=back, daemon=True).start()
        try:
            while chunk := client.recv(65536):
                if b"/runs/search" in chunk:
                    self.vanish()
                    break
                upstream.sendall(chunk)
        except OSError:
            pass
        finally:
            for end in (client, upstream):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
                end.close()

    def vanish(self) -> None:
        self.vanished.set()
        self.listener.close()


@pytest.mark.usefixtures("logged")
def test_a_server_that_goes_away_mid_report_is_one_line_and_exit_2(stack):
    relay = _VanishingRelay(stack["server"].port)
    result = _mlorg(
        ["--tracking-uri", f"http://127.0.0.1:{relay.port}", "--experiment", "team"], {}
    )
    assert relay.vanished.is_set()  # it went away after answering the first request
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"mlorg: error: http://127.0.0.1:{relay.port}: ")
    assert "Traceback" not in result.stderr


# -- the report read from the server's REST API, without MLflow's client ---------------

SAME = "same runs"


def _log_the_same_runs(uri: str) -> None:
    """Runs of every shape a report shows, logged alike into any store.

    A complete record, an empty one, a failed run, a parent with a nested
    child, plan fields, a NaN metric, parameters; a few milliseconds apart,
    so that both stores order them by start time alike.
    """
    import time

    from mlflow import MlflowClient
    from mlflow.entities import Metric, Param, RunTag

    from mlorg import explog
    from mlorg.explog import ExperimentRecord

    code = explog.code_version()
    records = [
        ExperimentRecord(hypothesis="h1", result="r1", decision="adopt", lesson="l1"),
        ExperimentRecord(),
        ExperimentRecord(
            hypothesis="h3", decision_rule="adopt if > 0.9", oec="sessions", guardrails=["p95"]
        ),
    ]
    for i, record in enumerate(records):
        explog.log_experiment(
            record,
            experiment=SAME,
            tracking_uri=uri,
            run_name=f"run {i}",
            params={"depth": i, "criterion": "gini"},
            metrics={"accuracy": 0.8 + i / 100, "loss": float("nan")},
            seed=i,
            code=code,
        )
        time.sleep(0.01)
    client = MlflowClient(tracking_uri=uri)
    experiment = client.get_experiment_by_name(SAME).experiment_id
    parent = client.create_run(experiment, run_name="search").info.run_id
    time.sleep(0.01)
    child = client.create_run(
        experiment, run_name="fold 1", tags={"mlflow.parentRunId": parent}
    ).info.run_id
    client.log_batch(
        child,
        metrics=[Metric("score", 0.5, 0, 0), Metric("score", 0.75, 1, 1)],
        params=[Param("alpha", "0.1")],
        tags=[RunTag("mlorg.hypothesis", "a child")],
    )
    client.set_terminated(child, status="FAILED")
    client.set_terminated(parent)


def _comparable(uri: str) -> list[dict[str, object]]:
    """The JSON report, with what differs between two stores (ids, times) replaced."""
    from mlorg import explog

    runs = json.loads(explog.report(uri, SAME, "json"))
    names = {run["run_id"]: run["run"] for run in runs}
    for run in runs:
        run["run_id"] = "<id>"
        run["started"] = "<time>"
        run["parent_run_id"] = names.get(run["parent_run_id"], run["parent_run_id"])
    return runs


@pytest.fixture(scope="module")
def same_runs(stack, tmp_path_factory) -> dict[str, str]:
    from mlorg import explog

    explog.quiet_mlflow()
    sqlite = explog.sqlite_tracking_uri(tmp_path_factory.mktemp("same") / "mlflow.db")
    server = stack["server"].url
    for uri in (sqlite, server):
        _log_the_same_runs(uri)
    return {"sqlite": sqlite, "server": server}


def test_the_server_and_sqlite_give_the_same_report_for_the_same_runs(same_runs):
    from_sqlite = _comparable(same_runs["sqlite"])
    assert [run["run"] for run in from_sqlite] == ["run 0", "run 1", "run 2", "search", "fold 1"]
    assert from_sqlite[-1]["parent_run_id"] == "search"
    assert from_sqlite[-1]["status"] == "FAILED"
    assert from_sqlite[-1]["metrics"] == {"score": 0.75}  # the latest value
    assert _comparable(same_runs["server"]) == from_sqlite


@pytest.mark.usefixtures("logged", "same_runs")
@pytest.mark.parametrize("experiment", ["team", SAME, None])
def test_reading_the_server_directly_agrees_with_mlflows_client(stack, experiment):
    from mlorg._explog.log import _log_rows

    uri = stack["server"].url
    direct = _log_rows(uri, experiment)
    assert len(direct) >= (WORKERS * RUNS if experiment != SAME else 5)
    assert any(math.isnan(row["metrics"].get("loss", 0)) for row in direct) == (
        experiment != "team"
    )

    def text(rows: list[dict[str, object]]) -> str:  # NaN equals NaN here, as it should
        return json.dumps(rows, default=str, sort_keys=True)

    assert text(direct) == text(_log_rows(uri, experiment, direct=False))


@pytest.mark.usefixtures("same_runs")
def test_the_report_from_a_server_loads_neither_mlflow_nor_sqlalchemy(stack):
    script = (
        "import sys; from mlorg import explog; "
        f"text = explog.report({stack['server'].url!r}, {SAME!r}); "
        "assert 'run 2' in text and 'fold 1' in text, text; "
        "print(sorted(m for m in ('mlflow', 'sqlalchemy') if m in sys.modules))"
    )
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=True,
    )
    assert done.stdout == "[]\n"
