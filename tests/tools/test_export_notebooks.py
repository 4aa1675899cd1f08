"""tools/export_notebooks.py: example notebooks exported as .ipynb for Colab."""

from __future__ import annotations

import json

from tools.export_notebooks import export_notebooks, install_cell_source, main

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

    written = export_notebooks(source, out, "https://github.com/org/handbook")

    assert written == [out / "example.ipynb"]
    notebook = json.loads((out / "example.ipynb").read_text(encoding="utf-8"))
    cells = notebook["cells"]
    assert "".join(cells[0]["source"]) == install_cell_source("https://github.com/org/handbook")
    assert [c["cell_type"] for c in cells[1:]] == ["markdown", "code"]
    assert "".join(cells[2]["source"]) == 'print(open("data.csv").read())'
    assert all(not c.get("outputs") for c in cells if c["cell_type"] == "code")
    assert (out / "data.csv").read_text(encoding="utf-8") == "a,b\n1,2\n"
    assert not (out / "page.ipynb").exists()
    # the source is untouched
    assert (source / "example.md").read_text(encoding="utf-8") == notebook_text


def test_install_cell_installs_only_when_the_toolkit_is_missing():
    source = install_cell_source("https://github.com/org/handbook")
    assert 'find_spec("mlorg") is None' in source
    assert "git+https://github.com/org/handbook@main" in source


def test_command_refuses_a_missing_folder(tmp_path, capsys):
    assert main([str(tmp_path / "nope"), str(tmp_path / "out")]) == 2
    assert "no such folder" in capsys.readouterr().err
