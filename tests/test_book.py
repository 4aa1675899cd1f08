"""The whole handbook builds with zero warnings, executing every example."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sphinx_external_toc.parsing import parse_toc_yaml

pytestmark = pytest.mark.book

REPO = Path(__file__).resolve().parent.parent


def _toc_docnames() -> list[str]:
    site_map = parse_toc_yaml(REPO / "_toc.yml")
    return sorted(site_map)


def _notebooks() -> list[str]:
    # Example pages whose front matter names a kernel; a plain page such as
    # examples/data-check-own-data is not executed.
    def is_notebook(name: str) -> bool:
        text = (REPO / f"{name}.md").read_text(encoding="utf-8")
        return text.startswith("---") and "kernelspec:" in text.split("\n---", 1)[0]

    return [name for name in _toc_docnames() if name.startswith("examples/") and is_notebook(name)]


@pytest.fixture(scope="module")
def book(sphinx_build, tmp_path_factory):
    """Build the real handbook, from scratch, into a temporary folder."""
    return sphinx_build(REPO, tmp_path_factory.mktemp("book") / "_build")


def test_book_builds_with_zero_warnings(book):
    assert book.returncode == 0, book.output[-5000:]
    assert book.warnings == ""


@pytest.mark.parametrize("docname", _toc_docnames())
def test_every_toc_entry_becomes_a_page(book, docname):
    assert (book.outdir / f"{docname}.html").is_file()


def test_there_are_example_notebooks():
    assert _notebooks() == ["examples/data-check", "examples/experiment-log", "examples/org-graph"]


@pytest.mark.parametrize("docname", _notebooks())
def test_notebook_page_shows_executed_outputs(book, docname):
    executed = json.loads(
        (book.outdir.parent / "jupyter_execute" / f"{docname}.ipynb").read_text(encoding="utf-8")
    )
    code_cells = [cell for cell in executed["cells"] if cell["cell_type"] == "code"]
    assert code_cells
    assert all(cell["execution_count"] for cell in code_cells), "a code cell was not executed"
    assert any(cell["outputs"] for cell in code_cells)
    page = (book.outdir / f"{docname}.html").read_text(encoding="utf-8")
    assert "cell_output" in page


@pytest.mark.parametrize("docname", _notebooks())
def test_notebook_page_offers_the_ipynb_download(book, docname):
    assert (book.outdir / "_sources" / f"{docname}.ipynb").is_file()
    page = (book.outdir / f"{docname}.html").read_text(encoding="utf-8")
    assert f"{Path(docname).name}.ipynb" in page


def test_landing_page_shows_the_version(book):
    from mlorg import __version__

    page = (book.outdir / "book" / "index.html").read_text(encoding="utf-8")
    assert f"Version {__version__}" in page


def test_landing_page_links_every_pillar(book):
    page = (book.outdir / "book" / "index.html").read_text(encoding="utf-8")
    for chapter in (
        "purpose",
        "team",
        "data-flow",
        "productionizing",
        "process",
        "experimentation",
        "org-design",
    ):
        assert f'href="{chapter}.html"' in page
