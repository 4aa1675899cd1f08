"""The toolkit reference (reference/) covers every public module and is reachable from the book."""

from __future__ import annotations

import re
from pathlib import Path

import book_toc

REPO = Path(__file__).resolve().parent.parent
PUBLIC_MODULES = sorted(
    p.stem
    for p in (REPO / "src" / "mlorg").glob("*.py")
    if not p.stem.startswith("_") and p.stem != "__main__"
)


def test_every_public_module_has_a_reference_page_in_the_book():
    assert "reference/index" in book_toc.part("Reference")
    pages = book_toc.docnames()
    for module in PUBLIC_MODULES:
        assert f"reference/{module}" in pages, module
        text = (REPO / "reference" / f"{module}.md").read_text(encoding="utf-8")
        assert f".. automodule:: mlorg.{module}\n" in text


def test_every_reference_page_documents_a_module_that_exists():
    for page in (REPO / "reference").glob("*.md"):
        for module in re.findall(r"\.\. automodule:: (\S+)", page.read_text(encoding="utf-8")):
            assert module.removeprefix("mlorg.") in PUBLIC_MODULES, (page.name, module)


def test_each_example_notebook_links_to_the_reference_of_what_it_uses():
    for name in book_toc.example_notebooks():
        text = (REPO / f"{name}.md").read_text(encoding="utf-8")
        assert re.search(r"\{doc\}`/reference/\w+`", text), name
