from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points, version
from pathlib import Path

import pytest

from mlorg import cli


def test_version_is_the_package_metadata(capsys):
    assert cli.main(["--version"]) == cli.EXIT_OK
    assert capsys.readouterr().out == f"mlorg {version('mlorg')}\n"


def test_no_command_prints_help_and_exits_2(capsys):
    assert cli.main([]) == cli.EXIT_USAGE
    assert "usage: mlorg" in capsys.readouterr().out


def test_unknown_command_exits_2_without_traceback(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["no-such-command"])
    assert exit_info.value.code == cli.EXIT_USAGE
    assert "Traceback" not in capsys.readouterr().err


def test_console_script_is_installed_and_runs_the_cli():
    # The `mlorg` script pip writes from [project.scripts], not `python -m mlorg`.
    (script,) = [e for e in entry_points(group="console_scripts") if e.name == "mlorg"]
    assert script.value == "mlorg.cli:main"
    executable = Path(sys.executable).parent / "mlorg"
    assert executable.is_file()
    result = subprocess.run(
        [str(executable), "org-graph", "no-such-org.yaml"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == cli.EXIT_USAGE
    assert result.stderr == "mlorg: error: no-such-org.yaml: no such file\n"
    result = subprocess.run(
        [str(executable), "--version"], capture_output=True, text=True, check=False
    )
    assert (result.returncode, result.stdout) == (0, f"mlorg {version('mlorg')}\n")


def test_closed_pipe_gives_no_traceback(tmp_path):
    # An org whose JSON report is far larger than a pipe's buffer (64 KiB), so
    # the command is still writing when the reader goes away.
    teams = "".join(f"  - name: team-{i}\n    type: stream-aligned\n" for i in range(400))
    components = "".join(
        f"  - name: component-{i}\n    owner: team-{i}\n    depends_on: [component-{(i + 1) % 400}]\n"
        for i in range(400)
    )
    org = tmp_path / "org.yaml"
    org.write_text(f"teams:\n{teams}components:\n{components}", encoding="utf-8")
    # `mlorg org-graph org.yaml --json | head -c 10`
    producer = subprocess.Popen(
        [sys.executable, "-m", "mlorg", "org-graph", str(org), "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert producer.stdout is not None
    producer.stdout.read(10)
    producer.stdout.close()
    _, stderr = producer.communicate()
    assert b"Traceback" not in stderr, stderr.decode()
    # 128 + SIGPIPE, as a shell reports a command that a closed pipe stopped,
    # not 1, which would say that a check failed.
    assert producer.returncode == 141


@pytest.fixture
def without(monkeypatch):
    """Return a function that makes the given top-level modules look uninstalled to mlorg."""
    import importlib.util

    from mlorg import _extras

    real = importlib.util.find_spec

    def hide(*names):
        def find_spec(name, *args, **kwargs):
            return None if name.split(".")[0] in names else real(name, *args, **kwargs)

        monkeypatch.setattr(_extras.importlib.util, "find_spec", find_spec)

    return hide


@pytest.mark.parametrize(
    ("argv", "hidden", "extra"),
    [
        (["data-check", "batch.csv", "--schema", "schema.yaml"], ("pandera",), "data"),
        (["experiments", "report"], ("mlflow",), "experiments"),
        (["org-graph", "ORG", "--figure", "out.svg"], ("matplotlib",), "figure"),
    ],
)
def test_a_missing_extra_is_one_line_naming_the_install_command(
    argv, hidden, extra, without, capsys, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ORG").write_text("teams: [{name: a, type: platform}]\n", encoding="utf-8")
    without(*hidden)
    assert cli.main(argv) == cli.EXIT_USAGE
    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.splitlines()
    assert line.startswith(f"mlorg: error: mlorg {argv[0]}")
    assert line.endswith(f'pip install "mlorg[{extra}]"')
    assert hidden[0] in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ORG"]  # nothing written


def test_parquet_without_pyarrow_names_the_parquet_extra(without, capsys, tmp_path):
    (tmp_path / "schema.yaml").write_text("columns: {a: {dtype: int64}}\n", encoding="utf-8")
    (tmp_path / "batch.parquet").write_bytes(b"PAR1")
    without("pyarrow")
    argv = [
        "data-check",
        str(tmp_path / "batch.parquet"),
        "--schema",
        str(tmp_path / "schema.yaml"),
    ]
    assert cli.main(argv) == cli.EXIT_USAGE
    (line,) = capsys.readouterr().err.splitlines()
    assert line == (
        f"mlorg: error: reading {tmp_path / 'batch.parquet'} needs pyarrow, which the base "
        'install leaves out: pip install "mlorg[parquet]"'
    )


@pytest.mark.parametrize(
    ("module", "hidden", "extra"),
    [("mlorg.datacheck", "pandera", "data"), ("mlorg.explog", "mlflow", "experiments")],
)
def test_importing_a_module_without_its_extra_names_the_extra(module, hidden, extra):
    # In a fresh interpreter where `hidden` looks uninstalled to mlorg.
    code = (
        "import importlib.util as u\n"
        "real = u.find_spec\n"
        f"u.find_spec = lambda name, *a: None if name == {hidden!r} else real(name, *a)\n"
        f"import {module}\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"mlorg.errors.MissingExtraError: {module} needs {hidden}")
    assert last.endswith(f'pip install "mlorg[{extra}]"')
