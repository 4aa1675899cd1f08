"""tools/export_notebooks.py: example notebooks exported as .ipynb for Colab."""

from __future__ import annotations

import json
import subprocess

import pytest

from tools.export_notebooks import export_notebooks, install_cell_source, main, source_ref

NOTEBOOK_BODY = """# Example

Some prose.

```{code-cell} ipython3
print(open("data.csv").read())
```
"""


def test_exports_notebooks_with_their_data_and_an_install_cell(tmp_path, notebook_header):
    notebook_text = notebook_header + NOTEBOOK_BODY
    source = tmp_path / "examples"
    source.mkdir()
    (source / "example.md").write_text(notebook_text, encoding="utf-8")
    (source / "page.md").write_text("# Not a notebook\n", encoding="utf-8")
    (source / "data.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    out = tmp_path / "out"

    written = export_notebooks(source, out, "https://github.com/org/handbook", "v0.3.0")

    assert written == [out / "example.ipynb"]
    notebook = json.loads((out / "example.ipynb").read_text(encoding="utf-8"))
    cells = notebook["cells"]
    assert "".join(cells[0]["source"]) == install_cell_source(
        "https://github.com/org/handbook", "v0.3.0"
    )
    assert [c["cell_type"] for c in cells[1:]] == ["markdown", "code"]
    assert "".join(cells[2]["source"]) == 'print(open("data.csv").read())'
    assert all(not c.get("outputs") for c in cells if c["cell_type"] == "code")
    assert (out / "data.csv").read_text(encoding="utf-8") == "a,b\n1,2\n"
    assert not (out / "page.ipynb").exists()
    # the source is untouched
    assert (source / "example.md").read_text(encoding="utf-8") == notebook_text


def test_install_cell_installs_the_pages_own_version_only_when_the_toolkit_is_missing():
    source = install_cell_source("https://github.com/org/handbook", "v0.3.0")
    assert 'find_spec("mlorg") is None' in source
    assert '"mlorg[examples] @ git+https://github.com/org/handbook@v0.3.0"' in source
    assert "@main" not in source


def _git(repo, *args):
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def test_the_ref_is_the_release_tag_of_the_checkout_else_its_commit(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    (repo / "a.txt").write_text("a\n", encoding="utf-8")
    _git(repo, "add", "a.txt")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "one")
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert source_ref(repo) == commit
    _git(repo, "tag", "draft")  # not a release tag
    assert source_ref(repo) == commit
    _git(repo, "tag", "v1.2.3")
    assert source_ref(repo) == "v1.2.3"


def test_command_writes_the_ref_into_every_notebook(tmp_path, notebook_header):
    source = tmp_path / "examples"
    source.mkdir()
    (source / "example.md").write_text(notebook_header + NOTEBOOK_BODY, encoding="utf-8")
    assert main([str(source), str(tmp_path / "out"), "--ref", "v9.9.9"]) == 0
    cell = json.loads((tmp_path / "out" / "examples" / "example.ipynb").read_text("utf-8"))
    assert "@v9.9.9" in "".join(cell["cells"][0]["source"])


def test_command_refuses_a_missing_folder(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([str(tmp_path / "nope"), str(tmp_path / "out")])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.endswith("nope: no such folder")
    assert err.startswith("python -m tools.export_notebooks: error:")
    assert not (tmp_path / "out").exists()
