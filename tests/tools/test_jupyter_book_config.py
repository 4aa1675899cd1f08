"""tools/jupyter_book_config.py: the Jupyter Book 1.x configuration, derived from book/conf.py."""

from __future__ import annotations

import runpy
from pathlib import Path, PurePosixPath

import pytest
import yaml

from mlorg.errors import InputError
from tools.jupyter_book_config import CONFDIR_RELATIVE, jupyter_book_config, main

REPO = Path(__file__).resolve().parents[2]
CONF_PY = REPO / "book" / "conf.py"


@pytest.fixture(scope="module")
def settings():
    return runpy.run_path(str(CONF_PY))


def test_every_public_setting_reaches_the_jupyter_book_config(settings):
    config = jupyter_book_config(settings, PurePosixPath("book"))
    carried = set(config["sphinx"]["config"]) | {"extensions"}
    public = {
        name
        for name, value in settings.items()
        if not name.startswith("_") and isinstance(value, (str, int, float, bool, list, dict))
    }
    assert public <= carried
    assert config["sphinx"]["extra_extensions"] == settings["extensions"]
    assert config["title"] == settings["project"]


def test_confdir_relative_paths_point_at_the_same_files(settings):
    config = jupyter_book_config(settings, PurePosixPath("book"))["sphinx"]["config"]
    for name in CONFDIR_RELATIVE & set(settings):
        values = config[name] if isinstance(config[name], list) else [config[name]]
        for value in values:
            assert (REPO / value).exists(), (
                f"{name}: {value} does not exist relative to the source folder"
            )


def test_non_data_setting_is_refused():
    with pytest.raises(InputError, match="'html_context'"):
        jupyter_book_config({"html_context": {"when": object()}}, PurePosixPath("book"))


def test_urls_are_not_rebased():
    config = jupyter_book_config(
        {"html_logo": "https://example.org/logo.svg"}, PurePosixPath("book")
    )
    assert config["sphinx"]["config"]["html_logo"] == "https://example.org/logo.svg"


def test_main_writes_a_loadable_config(tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)
    out = tmp_path / "_config.yml"
    assert main([str(CONF_PY), str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Generated from")
    config = yaml.safe_load(text)
    assert config["sphinx"]["config"]["nb_execution_mode"] == "cache"
    # The book's own extensions come from book/_ext, which Jupyter Book puts on sys.path.
    ext = str(REPO / "book" / "_ext")
    import runpy

    ours = [e for e in runpy.run_path(str(CONF_PY))["extensions"] if e.startswith("handbook.")]
    assert "handbook.execution" in ours
    assert config["sphinx"]["local_extensions"] == dict.fromkeys(ours, ext)
    assert not any(e.startswith("handbook.") for e in config["sphinx"]["extra_extensions"])


def test_main_reports_a_missing_conf_py(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([str(tmp_path / "conf.py"), str(tmp_path / "out.yml")])
    assert exit_info.value.code == 2
    line = capsys.readouterr().err.splitlines()[-1]
    assert (
        line
        == f"python -m tools.jupyter_book_config: error: {tmp_path / 'conf.py'}: no such configuration file"
    )
    assert not (tmp_path / "out.yml").exists()


def test_task_lists_are_left_out_of_the_jupyter_book_build(settings):
    assert "tasklist" in settings["myst_enable_extensions"]
    config = jupyter_book_config(settings, PurePosixPath("book"))["sphinx"]["config"]
    assert "tasklist" not in config["myst_enable_extensions"]
    assert set(config["myst_enable_extensions"]) == set(settings["myst_enable_extensions"]) - {
        "tasklist"
    }
