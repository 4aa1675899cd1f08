from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version

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


def test_console_script_entry_point_runs():
    result = subprocess.run(
        [sys.executable, "-m", "mlorg", "--version"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert result.stdout.strip() == f"mlorg {version('mlorg')}"


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
