"""A throwaway PostgreSQL cluster and MLflow tracking servers in front of it, for tests and benchmarks.

PostgreSQL is Debian's (``apt-get install -y postgresql``): a new cluster in
a temporary folder (``initdb``), started with ``pg_ctl`` on 127.0.0.1 and a
free port, with trust authentication for local connections only. PostgreSQL
refuses to run as root, so as root (CI) its commands run as the system user
``postgres`` (``runuser -u postgres --``), which the Debian package creates.
MLflow's server runs from this Python environment, in its own process group.
Both are stopped by their process ids, and their folders removed.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "MlflowServer",
    "Postgres",
    "free_port",
    "mlflow_server",
    "postgres_bin",
    "postgres_cluster",
    "why_no_postgres",
]

_USER = "mlflow"  # the database role initdb creates as the cluster's superuser


def postgres_bin() -> Path | None:
    """The folder of PostgreSQL's server programs (``initdb``, ``pg_ctl``), if installed."""
    on_path = shutil.which("pg_ctl")
    if on_path:
        return Path(on_path).resolve().parent
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3]))
    return found[-1].parent if found else None


def why_no_postgres() -> str | None:
    """What is missing to start PostgreSQL here (its programs, or the user to run them as), if anything."""
    if postgres_bin() is None:
        return "PostgreSQL's initdb and pg_ctl not found; run `apt-get install -y postgresql` first"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return (
                "running as root, and there is no 'postgres' user to run PostgreSQL as; "
                "run `apt-get install -y postgresql` first"
            )
        if _runuser() is None:
            return "running as root without runuser (util-linux) to run PostgreSQL as 'postgres'"
    return None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by another user
        return True
    # A child that exited but was not reaped yet is a zombie: gone for our purposes.
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "\nState:\tZ" in status.read_text(encoding="utf-8"))


def _wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.2)
    return not _alive(pid)


@dataclass(frozen=True)
class Postgres:
    """A running throwaway cluster: its folder, port and postmaster's process id."""

    root: Path
    port: int
    pid: int

    def uri(self, database: str) -> str:
        """The SQLAlchemy URI of a database of the cluster, through psycopg 3."""
        return f"postgresql+psycopg://{_USER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> None:
        """Create an empty database."""
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=self.port, user=_USER, dbname="postgres", autocommit=True
        ) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')


def _runuser() -> str | None:
    """runuser, also where it lives outside a short PATH (/usr/sbin, /sbin)."""
    path = os.pathsep.join([os.environ.get("PATH", os.defpath), "/usr/sbin", "/sbin"])
    return shutil.which("runuser", path=path)


def _as_postgres(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return [_runuser() or "runuser", "-u", "postgres", "--", *command]


@contextlib.contextmanager
def postgres_cluster() -> Iterator[Postgres]:
    """Start a new PostgreSQL cluster in a temporary folder; stop it and remove the folder after."""
    bin_dir = postgres_bin()
    assert bin_dir is not None, why_no_postgres()
    root = Path(tempfile.mkdtemp(prefix="mlorg-postgres-"))
    pid = None
    try:
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(root, user.pw_uid, user.pw_gid)
        data = root / "data"
        subprocess.run(
            _as_postgres(
                [
                    str(bin_dir / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    _USER,
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C",
                    "--no-sync",
                ]
            ),
            check=True,
            capture_output=True,
            text=True,
            timeout=300,
        )
        port = free_port()
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(
            _as_postgres(
                [
                    str(bin_dir / "pg_ctl"),
                    "-D",
                    str(data),
                    "-l",
                    str(root / "postgres.log"),
                    "-o",
                    options,
                    "-w",
                    "-t",
                    "180",
                    "start",
                ]
            ),
            check=True,
            capture_output=True,
            text=True,
            timeout=240,
        )
        pid = int((data / "postmaster.pid").read_text(encoding="utf-8").split()[0])
        yield Postgres(root=root, port=port, pid=pid)
    finally:
        if pid is not None:
            os.kill(pid, signal.SIGINT)  # PostgreSQL's "fast" shutdown
            if not _wait_gone(pid, 60):
                os.kill(pid, signal.SIGQUIT)
                _wait_gone(pid, 10)
        shutil.rmtree(root, ignore_errors=True)


@dataclass(frozen=True)
class MlflowServer:
    """A running MLflow tracking server: its URL, port and process (the leader of its group)."""

    url: str
    port: int
    process: subprocess.Popen[bytes]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=5) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


@contextlib.contextmanager
def mlflow_server(
    command: str, *, port: int, env: Mapping[str, str], cwd: Path, timeout: float = 300
) -> Iterator[MlflowServer]:
    """Run ``command`` (a shell command line starting ``mlflow server``) until the block ends.

    The line runs as ``bash -c LINE`` in a new process group, which the
    server and its workers share; they are stopped as that group. Waits for
    ``/health``; raises with the server's log if it exits or never answers.
    """
    log = cwd / "mlflow-server.log"
    environment = {
        **os.environ,
        **env,
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
    }
    with log.open("wb") as output:
        process = subprocess.Popen(
            ["bash", "-c", command],
            cwd=cwd,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while not _healthy(url):
            if process.poll() is not None or time.monotonic() > deadline:
                tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
                msg = f"the MLflow server did not come up (exit {process.returncode}):\n{tail}"
                raise RuntimeError(msg)
            time.sleep(0.5)
        yield MlflowServer(url=url, port=port, process=process)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            # uvicorn waits for open connections to close; do not wait long.
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        # Workers left in the group (uvicorn's, gunicorn's) go with it.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                os.killpg(process.pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.2)
        else:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
