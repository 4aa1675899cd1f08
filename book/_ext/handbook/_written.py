"""Whether this build wrote any document page.

Some work is done on the whole site when a build finishes (the search
index, the slimmed stylesheets). When Sphinx found nothing to update it
writes no document page, only the index, search and 404 pages, which come
out the same as last time; that work can then be skipped or served from a
cache, which is what keeps a no-op rebuild short.

>>> from types import SimpleNamespace
>>> app = SimpleNamespace(connect=lambda event, handler, priority=500: None)
>>> track(app)
>>> pages_written(app)
0
>>> _count(app, "team", "page.html", {}, doctree=object())
>>> _count(app, "genindex", "genindex.html", {}, doctree=None)
>>> pages_written(app)
1
"""

from __future__ import annotations

from typing import Any

__all__ = ["pages_written", "track"]

_COUNT = "_handbook_pages_written"


def track(app: Any) -> None:
    """Count the document pages this build writes (once per application)."""
    if hasattr(app, _COUNT):
        return
    setattr(app, _COUNT, 0)
    # Before every other handler: the count does not depend on what they do.
    app.connect("html-page-context", _count, priority=100)


def _count(app: Any, pagename: str, templatename: str, context: Any, doctree: Any) -> None:
    del pagename, templatename, context
    # Pages Sphinx makes itself (genindex, search, 404) have no doctree.
    if doctree is not None:
        setattr(app, _COUNT, getattr(app, _COUNT, 0) + 1)


def pages_written(app: Any) -> int:
    """How many document pages this build has written so far."""
    return int(getattr(app, _COUNT, 0))
