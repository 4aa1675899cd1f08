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
