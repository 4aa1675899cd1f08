"""Page descriptions from what a page says, not from the lines the book adds to it.

sphinxext-opengraph builds each page's ``<meta name="description">``,
``og:description`` and social card text from the first text of the page's
doctree. On a chapter that is the owner / last-reviewed / status line
(``handbook.freshness``), which says nothing about the chapter. Since the page
body is already rendered when ``html-page-context`` fires, this extension
takes the nodes whose classes are listed in ``handbook_description_skip``
out of the doctree just before sphinxext-opengraph reads it, and puts them
back right after, so nothing else sees a change.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

#: sphinxext-opengraph's html-page-context handler runs at the default priority.
_OPENGRAPH_PRIORITY = 500
_KEY = "_handbook_description_detached"


def detach(doctree: nodes.Node, classes: set[str]) -> list[tuple[nodes.Element, int, nodes.Node]]:
    r"""Remove the elements carrying any of ``classes``; return how to put them back.

    >>> from docutils.utils import new_document
    >>> from docutils.frontend import get_default_settings
    >>> from docutils.parsers.rst import Parser
    >>> doc = new_document("<x>", get_default_settings(Parser))
    >>> doc += nodes.container("", nodes.paragraph(text="Owner: X"), classes=["chapter-freshness"])
    >>> doc += nodes.paragraph(text="What the page says.")
    >>> removed = detach(doc, {"chapter-freshness"})
    >>> doc.astext()
    'What the page says.'
    >>> reattach(removed)
    >>> doc.astext()
    'Owner: X\n\nWhat the page says.'
    """
    found = [
        node
        for node in doctree.findall(nodes.Element)
        if classes.intersection(node.get("classes", ())) and node.parent is not None
    ]
    removed: list[tuple[nodes.Element, int, nodes.Node]] = []
    for node in found:
        parent: nodes.Element = node.parent  # not None: filtered above
        index = parent.index(node)
        parent.remove(node)
        removed.append((parent, index, node))
    return removed


def reattach(removed: list[tuple[nodes.Element, int, nodes.Node]]) -> None:
    """Put back what ``detach`` removed, in reverse order, where it was."""
    for parent, index, node in reversed(removed):
        parent.insert(index, node)


def _before_opengraph(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    del pagename, templatename
    if doctree is not None:
        context[_KEY] = detach(doctree, set(app.config.handbook_description_skip))


def _after_opengraph(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    del app, pagename, templatename, doctree
    reattach(context.pop(_KEY, []))


def setup(app: Sphinx) -> dict[str, Any]:
    """Register ``handbook_description_skip`` and the two handlers around sphinxext-opengraph's."""
    app.add_config_value(
        "handbook_description_skip", ["chapter-freshness"], "html", types=frozenset({list})
    )
    app.connect("html-page-context", _before_opengraph, priority=_OPENGRAPH_PRIORITY - 1)
    app.connect("html-page-context", _after_opengraph, priority=_OPENGRAPH_PRIORITY + 1)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
