"""The handbook's table of contents, as the tests see it (one reading of _toc.yml)."""

from __future__ import annotations

from pathlib import Path

from sphinx_external_toc.parsing import parse_toc_yaml

REPO = Path(__file__).resolve().parent.parent


def docnames() -> list[str]:
    """Every page the table of contents lists, sorted."""
    return sorted(parse_toc_yaml(REPO / "_toc.yml"))


def part(caption: str) -> list[str]:
    """The pages of the table of contents' part with this caption, in order."""
    site_map = parse_toc_yaml(REPO / "_toc.yml")
    parts = {tree.caption: tree.files() for tree in site_map[site_map.root.docname].subtrees}
    return parts[caption]


def pillar_chapters() -> list[str]:
    """The seven pillar chapters, e.g. ``book/purpose``."""
    return part("The seven pillars")


def example_notebooks() -> list[str]:
    """Pages under examples/ that are notebooks (a jupytext header), not plain pages."""
    return [
        name
        for name in docnames()
        if name.startswith("examples/")
        and "\njupytext:" in (REPO / f"{name}.md").read_text(encoding="utf-8").split("\n---", 1)[0]
    ]


def sub_pages(docname: str) -> list[str]:
    """The pages listed under ``docname`` as ``sections:``, at any depth, in order.

    For example ``sub_pages("book/purpose")`` gives the pages a pillar chapter
    was split into; a chapter without sections gives ``[]``.
    """
    site_map = parse_toc_yaml(REPO / "_toc.yml")
    found: list[str] = []
    pending = [docname]
    while pending:
        document = site_map[pending.pop(0)]
        children = [name for tree in document.subtrees for name in tree.files()]
        found.extend(children)
        pending.extend(children)
    return found


def reading_order() -> list[str]:
    """Every page in the order a reader meets it (next / previous), sub-pages after their page."""
    site_map = parse_toc_yaml(REPO / "_toc.yml")
    order: list[str] = []

    def visit(docname: str) -> None:
        order.append(docname)
        for tree in site_map[docname].subtrees:
            for child in tree.files():
                visit(child)

    visit(site_map.root.docname)
    return order
