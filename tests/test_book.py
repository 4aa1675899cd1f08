"""The whole handbook builds with zero warnings, executing every example.

All of these read one build of the book, shared by the whole test run.
"""

from __future__ import annotations

import json
from pathlib import Path

import book_toc
import pytest

pytestmark = pytest.mark.book

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def book(handbook):
    """The real handbook, built once for the whole test run (see conftest)."""
    return handbook


def test_book_builds_with_zero_warnings(book):
    assert book.returncode == 0, book.output[-5000:]
    assert book.warnings == ""


@pytest.mark.parametrize("docname", book_toc.docnames())
def test_every_toc_entry_becomes_a_page(book, docname):
    assert (book.outdir / f"{docname}.html").is_file()


def _has_kernel(docname: str) -> bool:
    text = (REPO / f"{docname}.md").read_text(encoding="utf-8")
    return text.startswith("---\n") and "\nkernelspec:" in text.split("\n---", 1)[0]


def test_every_page_with_a_kernel_was_executed_by_the_build(book):
    """Any page that declares a kernel, chapter or example, gets executed outputs."""
    notebooks = [name for name in book_toc.docnames() if _has_kernel(name)]
    assert set(book_toc.example_notebooks()) <= set(notebooks)
    missing = [
        name
        for name in notebooks
        if not (book.outdir.parent / "jupyter_execute" / f"{name}.ipynb").is_file()
    ]
    assert missing == [], f"pages with a kernel that the build did not execute: {missing}"


@pytest.mark.parametrize("docname", book_toc.example_notebooks())
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


@pytest.mark.parametrize("docname", book_toc.example_notebooks())
def test_notebook_page_offers_the_ipynb_download(book, docname):
    assert (book.outdir / "_sources" / f"{docname}.ipynb").is_file()
    page = (book.outdir / f"{docname}.html").read_text(encoding="utf-8")
    assert f"{Path(docname).name}.ipynb" in page


@pytest.mark.parametrize("docname", book_toc.docnames())
def test_every_page_shows_the_package_version(book, docname):
    from mlorg import __version__

    page = (book.outdir / f"{docname}.html").read_text(encoding="utf-8")
    assert f"Version {__version__}</p>" in page


def test_landing_page_states_the_version_in_its_text(book):
    from mlorg import __version__

    page = (book.outdir / "book" / "index.html").read_text(encoding="utf-8")
    assert f"Version {__version__}." in page


@pytest.mark.parametrize("docname", book_toc.example_notebooks())
def test_notebook_page_offers_launch_buttons(book, docname):
    page = (book.outdir / f"{docname}.html").read_text(encoding="utf-8")
    assert "https://mybinder.org/v2/gh/" in page
    # Colab opens the .ipynb the deploy workflow publishes on the notebooks branch.
    assert "https://colab.research.google.com/github/" in page
    assert f"/blob/notebooks/{docname}.ipynb" in page


def test_landing_page_links_every_pillar(book):
    page = (book.outdir / "book" / "index.html").read_text(encoding="utf-8")
    pillars = book_toc.pillar_chapters()
    assert len(pillars) == 7
    for chapter in pillars:
        assert f'href="{Path(chapter).name}.html"' in page


def test_chapter_pages_offer_edit_and_issue_links_to_the_one_configured_repository(book):
    from importlib.metadata import metadata

    urls = dict(u.split(", ", 1) for u in metadata("mlorg").get_all("Project-URL"))
    page = (book.outdir / "book" / "team.html").read_text(encoding="utf-8")
    assert f'href="{urls["Repository"]}/edit/main/book/team.md"' in page
    assert f'href="{urls["Repository"]}/issues/new?' in page
    assert f'href="{urls["Repository"]}"' in page


def test_chapter_pages_show_owner_review_status_and_last_updated(book):
    page = (book.outdir / "book" / "team.html").read_text(encoding="utf-8")
    assert "chapter-freshness" in page
    assert "Last reviewed: " in page
    assert "Last updated on " in page


def _code_text(page: str) -> str:
    """The text of every ``<pre>`` block of ``page``, as a reader copies it."""
    import html
    import re

    blocks = re.findall(r"<pre\b[^>]*>(.*?)</pre>", page, flags=re.DOTALL)
    return "\n".join(html.unescape(re.sub(r"<[^>]+>", "", block)) for block in blocks)


@pytest.mark.parametrize("docname", book_toc.example_notebooks())
def test_notebook_code_keeps_its_text_and_colours_with_fewer_elements(book, docname):
    """Plain-looking tokens lose their ``<span>``; every line of code is still there."""
    page = (book.outdir / f"{docname}.html").read_text(encoding="utf-8")
    for plain in ("n", "p", "w"):
        assert f'<span class="{plain}">' not in page
    assert '<span class="o">' in page or '<span class="k">' in page, "highlighting is gone"
    executed = json.loads(
        (book.outdir.parent / "jupyter_execute" / f"{docname}.ipynb").read_text(encoding="utf-8")
    )
    shown = _code_text(page)
    for cell in executed["cells"]:
        removed = {"remove-input", "remove-cell"} & set(cell["metadata"].get("tags", []))
        if cell["cell_type"] == "code" and not removed:
            for line in "".join(cell["source"]).splitlines():
                assert line in shown, f"{docname}: code line missing from the page: {line!r}"


def test_notebook_tables_have_no_style_element_each(book):
    page = (book.outdir / "examples" / "data-check.html").read_text(encoding="utf-8")
    assert page.count('class="dataframe"') >= 5
    assert ".dataframe tbody tr th" not in page.split("</head>", 1)[1]
