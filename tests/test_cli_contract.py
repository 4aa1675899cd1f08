"""The contract every ``mlorg`` command keeps with hostile input, end to end.

One line on stderr, the right exit status, no traceback, nothing created,
no secret printed. Most cases run the installed ``mlorg`` script in a
subprocess, since they concern what a shell sees (a full device, a closed
standard output, Ctrl-C).
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from mlorg import cli

MLORG = str(Path(sys.executable).parent / "mlorg")
ORG = "teams:\n  - {name: data, type: platform}\ncomponents:\n  - {name: events, owner: data}\n"


def _run(*args: str, cwd: Path, **options: object) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    options.setdefault("stdout", subprocess.PIPE)
    options.setdefault("stderr", subprocess.PIPE)
    return subprocess.run(
        [MLORG, *args],
        text=True,
        check=False,
        cwd=cwd,
        env=environment,
        timeout=120,
        **options,  # type: ignore[call-overload]
    )


def _one_error_line(stderr: str) -> str:
    assert "Traceback" not in stderr
    assert stderr.count("\n") == 1, stderr
    return stderr.rstrip("\n")


@pytest.fixture
def org(tmp_path: Path) -> Path:
    path = tmp_path / "org.yaml"
    path.write_text(ORG, encoding="utf-8")
    return path


# -- (4) output ------------------------------------------------------------------


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
def test_a_full_device_gives_one_line_and_status_74(org, tmp_path):
    with open("/dev/full", "w") as full:  # noqa: PTH123  (a device, not a path to read)
        result = _run("org-graph", str(org), cwd=tmp_path, stdout=full, stderr=subprocess.PIPE)
    assert result.returncode == cli.EXIT_OUTPUT
    assert _one_error_line(result.stderr) == (
        "mlorg: error: cannot write the output: No space left on device"
    )


def test_a_closed_standard_output_gives_one_line_and_status_74(org, tmp_path):
    result = subprocess.run(  # `mlorg org-graph org.yaml >&-`
        f"{MLORG} org-graph {org} >&-",
        shell=True,
        capture_output=False,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == cli.EXIT_OUTPUT
    assert _one_error_line(result.stderr) == (
        "mlorg: error: standard output is closed; nothing can be printed"
    )


# -- (5) signals ------------------------------------------------------------------


@pytest.fixture
def silent_server() -> Iterator[tuple[int, threading.Event]]:
    """A server on 127.0.0.1 that accepts connections and never answers."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted = threading.Event()
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            held.append(connection)
            accepted.set()

    threading.Thread(target=accept, daemon=True).start()
    yield listener.getsockname()[1], accepted
    listener.close()
    for connection in held:
        connection.close()


def test_ctrl_c_ends_with_one_line_and_status_130(silent_server, tmp_path):
    port, accepted = silent_server
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    # The command's own 3 s read timeout (REPORT_HTTP_LIMITS) must not win the
    # race against the Ctrl-C: on a loaded machine it did, and the command
    # ended with the timeout's exit 2. A user's setting is kept, so this holds it off.
    environment["MLFLOW_HTTP_REQUEST_TIMEOUT"] = "300"
    process = subprocess.Popen(
        [MLORG, "experiments", "report", "--tracking-uri", f"http://127.0.0.1:{port}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env=environment,
    )
    try:
        assert accepted.wait(timeout=90), "mlorg never connected"
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == cli.EXIT_INTERRUPTED
    assert _one_error_line(stderr) == "mlorg: interrupted"


def test_keyboard_interrupt_in_any_command_is_status_130(monkeypatch, capsys, org):
    from mlorg import orggraph

    def interrupted(_path: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(orggraph, "load_org", interrupted)
    assert cli.main(["org-graph", str(org)]) == cli.EXIT_INTERRUPTED
    assert capsys.readouterr().err == "mlorg: interrupted\n"


# -- (7) a server that never answers ------------------------------------------------


def test_a_server_that_never_answers_fails_with_one_line(silent_server, tmp_path):
    port, _ = silent_server
    # With MLflow's defaults this takes minutes; with REPORT_HTTP_LIMITS,
    # 3 s and one retry (the benchmark-free check: the subprocess's timeout).
    result = _run(
        "experiments",
        "report",
        "--tracking-uri",
        f"http://bot:pa#ss@127.0.0.1:{port}",
        cwd=tmp_path,
    )
    assert result.returncode == cli.EXIT_USAGE
    line = _one_error_line(result.stderr)
    assert line.startswith(f"mlorg: error: http://***@127.0.0.1:{port}")
    assert "pa#ss" not in line
    assert "bot" not in line
    assert list(tmp_path.iterdir()) == []


# -- (1), (6) files -------------------------------------------------------------------


def test_a_fifo_as_an_org_file_is_named_and_does_not_hang(tmp_path):
    fifo = tmp_path / "org.yaml"
    os.mkfifo(fifo)
    result = _run("org-graph", str(fifo), cwd=tmp_path)
    assert result.returncode == cli.EXIT_USAGE
    assert _one_error_line(result.stderr) == (
        f"mlorg: error: {fifo}: is a named pipe (FIFO), not a YAML file"
    )


def test_a_link_to_dev_zero_inside_the_repository_becomes_a_note(tmp_path, capsys):
    repo = tmp_path / "repo"
    (repo / "acme").mkdir(parents=True)
    (repo / "acme" / "__init__.py").write_text("from acme import zero\n", encoding="utf-8")
    (repo / "acme" / "zero.py").symlink_to("/dev/zero")
    (repo / "acme" / "outside.py").symlink_to(tmp_path / "secret.py")
    (tmp_path / "secret.py").write_text("import os\n", encoding="utf-8")
    codeowners = tmp_path / "CODEOWNERS"
    codeowners.write_text("* @acme/data\n", encoding="utf-8")
    teams = tmp_path / "teams.yaml"
    teams.write_text(
        "teams:\n  - {name: data, type: platform, owners: ['@acme/data']}\n", encoding="utf-8"
    )
    args = ["org-graph", "--repo", str(repo), "--codeowners", str(codeowners)]
    assert cli.main([*args, "--teams", str(teams)]) == cli.EXIT_OK
    out = capsys.readouterr().out
    assert "acme/zero.py: is a symbolic link to a character device, not a Python file" in out
    assert "acme/outside.py: is a symbolic link out of the repository" in out


def test_a_folder_as_a_data_file_says_folder(tmp_path, capsys):
    pytest.importorskip("pandera", reason="needs mlorg[data]")
    schema = tmp_path / "schema.yaml"
    schema.write_text("columns:\n  a:\n    dtype: int64\n", encoding="utf-8")
    folder = tmp_path / "batch.csv"
    folder.mkdir()
    assert cli.main(["data-check", str(folder), "--schema", str(schema)]) == cli.EXIT_USAGE
    assert capsys.readouterr().err == f"mlorg: error: {folder}: is a folder, not a CSV file\n"


def test_a_bad_byte_on_line_302_of_a_csv_says_line_302(tmp_path, capsys):
    pytest.importorskip("pandera", reason="needs mlorg[data]")
    schema = tmp_path / "schema.yaml"
    schema.write_text("columns:\n  a:\n    dtype: int64\n", encoding="utf-8")
    data = tmp_path / "batch.csv"
    data.write_bytes(b"a\n" + b"".join(b"%d\n" % i for i in range(300)) + b"7\xff\n")
    assert cli.main(["data-check", str(data), "--schema", str(schema)]) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert err == f"mlorg: error: {data}: line 302: not UTF-8 text (byte 0xff at column 2)\n"


# -- (2) YAML ----------------------------------------------------------------------------

_BOMB = "a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol,lol]\n" + "".join(
    f"{b}: &{b} [{','.join([f'*{a}'] * 10)}]\n" for a, b in zip("abcdefgh", "bcdefghi", strict=True)
)


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        (_BOMB, "line 1: not valid YAML: aliases expand this document to"),
        (
            "columns:\n  a:\n    dtype: int64\n  a:\n    dtype: str\n",
            "line 4: not valid YAML: found duplicate key 'a'",
        ),
        (
            "columns:\n  a:\n    dtype: int64\nuniqe: [a]\n",
            "unknown top-level key 'uniqe' (did you mean 'unique'?)",
        ),
        (
            "columns:\n  a:\n    dtype: int64\nstrictt: true\n",
            "unknown top-level key 'strictt' (did you mean 'strict'?)",
        ),
    ],
    ids=["alias bomb", "column twice", "uniqe", "strictt"],
)
def test_a_schema_hostile_or_misspelt_is_one_line(schema, expected, tmp_path, capsys):
    pytest.importorskip("pandera", reason="needs mlorg[data]")
    path = tmp_path / "schema.yaml"
    path.write_text(schema, encoding="utf-8")
    data = tmp_path / "batch.csv"
    data.write_text("a\n1\n", encoding="utf-8")
    assert cli.main(["data-check", str(data), "--schema", str(path)]) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert err.startswith(f"mlorg: error: {path}: {expected}")
    assert err.count("\n") == 1
    assert len(err) < 400


def test_an_org_alias_bomb_is_a_short_line(tmp_path, capsys):
    org = tmp_path / "org.yaml"
    org.write_text(_BOMB.replace("a: &a", "teams: &a", 1), encoding="utf-8")
    assert len(org.read_bytes()) < 500
    assert cli.main(["org-graph", str(org)]) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert "aliases expand this document" in err
    assert len(err) < 400


def test_a_huge_value_in_a_message_is_cut(tmp_path, capsys):
    org = tmp_path / "org.yaml"
    org.write_text("teams:\n  - {name: data, type: " + "x" * 100_000 + "}\n", encoding="utf-8")
    assert cli.main(["org-graph", str(org)]) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert err.startswith(f"mlorg: error: {org}:2: team 'data': unknown type 'xxx")
    assert "..." in err
    assert len(err) < 600


# -- (6) names that would forge report lines ---------------------------------------------


def test_escape_sequences_and_newlines_in_names_are_printed_escaped(tmp_path, capsys):
    org = tmp_path / "org.yaml"
    org.write_text(
        "teams:\n"
        '  - {name: "data\\e[2J\\ncongruence: 1.00 (forged)", type: platform}\n'
        "  - {name: search, type: stream-aligned}\n"
        "components:\n"
        '  - {name: "events\\u009b31m", owner: "data\\e[2J\\ncongruence: 1.00 (forged)"}\n'
        '  - {name: ranker, owner: search, depends_on: ["events\\u009b31m"]}\n',
        encoding="utf-8",
    )
    assert cli.main(["org-graph", str(org)]) == cli.EXIT_OK
    out = capsys.readouterr().out
    assert "\x1b" not in out
    assert "\x9b" not in out
    assert not any(line.startswith("congruence: 1.00 (forged)") for line in out.splitlines())
    assert "data\\x1b[2J\\ncongruence: 1.00 (forged)" in out


# A name that would drive a terminal: an escape sequence (ESC [), the one-character
# C1 form of it (U+009B, which json.dumps leaves raw), and a newline.
HOSTILE = "data\x1b[2J\x9b31m\ncongruence: 1.00 (forged)"
# Every character a terminal acts on; the only newlines allowed are the JSON's own
# indentation, between values, so a raw newline must never sit inside a string.
RAW_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _assert_safe_json(out: str) -> object:
    """``out`` holds no raw control character, and parses; return what it parses to."""
    assert RAW_CONTROL.search(out) is None, RAW_CONTROL.search(out)
    assert HOSTILE not in out  # the name's newline is escaped, not printed
    assert "\\u009b31m" in out
    return json.loads(out)


def _strings(data: object) -> list[str]:
    if isinstance(data, dict):
        return [*map(str, data), *(s for v in data.values() for s in _strings(v))]
    if isinstance(data, list):
        return [s for v in data for s in _strings(v)]
    return [data] if isinstance(data, str) else []


def test_org_graph_json_escapes_control_characters_in_names(tmp_path, capsys):
    org = tmp_path / "org.yaml"
    name = json.dumps(HOSTILE)  # a YAML double-quoted string takes JSON's escapes
    org.write_text(
        "teams:\n"
        f"  - {{name: {name}, type: platform}}\n"
        "  - {name: search, type: stream-aligned}\n"
        "components:\n"
        f"  - {{name: {name}, owner: {name}}}\n"
        f"  - {{name: ranker, owner: search, depends_on: [{name}]}}\n",
        encoding="utf-8",
    )
    assert cli.main(["org-graph", str(org), "--json"]) == cli.EXIT_OK
    data = _assert_safe_json(capsys.readouterr().out)
    assert HOSTILE in _strings(data)


def test_data_check_json_escapes_control_characters_in_a_schema_column(tmp_path, capsys):
    pd = pytest.importorskip("pandas", reason="needs mlorg[data]")
    schema = tmp_path / "schema.yaml"
    schema.write_text(
        f"columns:\n  {json.dumps(HOSTILE)}:\n    dtype: str\n    isin: [ok]\n", encoding="utf-8"
    )
    batch = tmp_path / "batch.csv"
    pd.DataFrame({HOSTILE: ["ok", HOSTILE] * 30}).to_csv(batch, index=False)
    argv = ["data-check", str(batch), "--schema", str(schema), "--reference", str(batch), "--json"]
    assert cli.main(argv) == cli.EXIT_FAILED  # the hostile value fails `isin`
    data = _assert_safe_json(capsys.readouterr().out)
    assert isinstance(data, dict)
    (row,) = data["columns"]
    assert row["column"] == HOSTILE
    assert row["examples"] == HOSTILE  # the offending value, as it was in the file


def test_experiments_report_json_escapes_control_characters_in_a_run_name(tmp_path, capsys):
    pytest.importorskip("mlflow", reason="needs mlorg[experiments]")
    from mlorg import explog
    from mlorg._explog.tracking import _import_mlflow

    explog.quiet_mlflow()
    _import_mlflow()  # telemetry off before MLflow loads
    from mlflow import MlflowClient

    store = explog.sqlite_tracking_uri(tmp_path / "mlflow.db")
    client = MlflowClient(tracking_uri=store)
    run = client.create_run(client.create_experiment("hostile"), run_name=HOSTILE)
    client.set_terminated(run.info.run_id)
    argv = ["experiments", "report", "--tracking-uri", store, "--format", "json"]
    assert cli.main(argv) == cli.EXIT_OK
    data = _assert_safe_json(capsys.readouterr().out)
    assert isinstance(data, list)
    assert [row["run"] for row in data] == [HOSTILE]


def test_an_existing_dangling_link_as_figure_says_force(org, tmp_path, capsys):
    figure = tmp_path / "org.svg"
    figure.symlink_to(tmp_path / "nowhere.svg")
    pytest.importorskip("matplotlib", reason="needs mlorg[figure]")
    assert cli.main(["org-graph", str(org), "--figure", str(figure)]) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert "--force" in err
    assert "overwrite=True" not in err
    assert not (tmp_path / "nowhere.svg").exists()
