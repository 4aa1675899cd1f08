"""Full-text search with Pagefind, over the article body of every page only.

Sphinx's own search builds a result's excerpt from everything inside the
page's ``[role="main"]`` element; in the book theme that element also holds
the article header (download, fullscreen and light/dark buttons), so excerpts
read "...Settings Light Dark...". Its ranking also has no notion of where a
term is defined: a chapter that uses "stream-aligned team" ten times
outranks the glossary entry that defines it.

This extension instead

* marks the rendered document (``body``, what the page *says*, without any
  theme chrome) with ``data-pagefind-body``, so Pagefind indexes that alone;
* gives the term of a glossary entry (``<dt id="term-...">``) a high
  ``data-pagefind-weight``, so the page that defines a term ranks first;
* runs Pagefind over the finished HTML build (``pagefind[bin]`` on PyPI
  bundles the binary; nothing is downloaded), writing ``_build/html/pagefind/``,
  and adds one search record per glossary entry, anchored at the entry, so
  that searching a term finds its definition first.

The search page itself (``book/_templates/search.html``) shows Pagefind's UI.
Configuration: ``handbook_search_term_weight`` (default 10, Pagefind's maximum).
"""

from __future__ import annotations

import re
from html import escape as html_escape
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: A glossary entry's term as Sphinx writes it: ``<dt id="term-Drift">``.
_GLOSSARY_TERM = re.compile(r'<dt id="(term-[^"]+)"')


def mark_for_indexing(body: str, term_weight: float) -> str:
    """Wrap a page's rendered body for Pagefind and weight its glossary terms.

    >>> mark_for_indexing('<dl><dt id="term-Drift">Drift</dt><dd>...</dd></dl>', 10)
    '<div data-pagefind-body><dl><dt data-pagefind-weight="10" id="term-Drift">Drift</dt><dd>...</dd></dl></div>'
    """
    weighted = _GLOSSARY_TERM.sub(
        lambda m: f'<dt data-pagefind-weight="{term_weight:g}" id="{m.group(1)}"', body
    )
    return f"<div data-pagefind-body>{weighted}</div>"


def _on_page_context(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Mark the body of every page that has one (not search, the index or the 404 page).

    The toolkit reference (``reference/``) is left out for now: its pages repeat
    the chapters' terms (a Team API, drift) in API prose and outranked the
    glossary's definitions. It is one click away in the navigation.
    """
    del templatename, doctree
    if pagename == "404" or app.builder.name not in ("html", "dirhtml"):
        return
    if pagename.startswith("reference/"):
        return
    if context.get("body"):
        context["body"] = mark_for_indexing(context["body"], app.config.handbook_search_term_weight)


def glossary_entries(html: str) -> list[dict[str, str]]:
    """Return each glossary entry of a rendered page as ``{"anchor", "term", "definition"}``.

    >>> glossary_entries(
    ...     '<dl class="simple glossary"><dt id="term-Drift">Drift<a class="headerlink" '
    ...     'href="#term-Drift">#</a></dt><dd><p>A change in the <em>data</em> [<a>Lu, 2018</a>].</p>'
    ...     '<p>See also skew.</p></dd></dl>'
    ... )
    [{'anchor': 'term-Drift', 'term': 'Drift', 'definition': 'A change in the data [Lu, 2018]. See also skew.'}]
    """
    from bs4 import BeautifulSoup

    entries = []
    for glossary in BeautifulSoup(html, "html.parser").select("dl.glossary"):
        for term in glossary.find_all("dt", id=True, recursive=False):
            for link in term.select(".headerlink"):
                link.decompose()
            definition = term.find_next_sibling("dd")
            if definition is not None:
                # Paragraphs of a definition are separate sentences, not one word.
                for block in definition.find_all(["p", "li", "div"]):
                    block.append(" ")
            entries.append(
                {
                    "anchor": str(term["id"]),
                    "term": " ".join(term.get_text().split()),
                    "definition": " ".join(definition.get_text().split()) if definition else "",
                }
            )
    return entries


def _glossary_record(entry: dict[str, str]) -> str:
    """The HTML Pagefind indexes for one glossary entry: the term weighs most."""
    term, definition = html_escape(entry["term"]), html_escape(entry["definition"])
    return (
        f'<html lang="en"><body data-pagefind-body>'
        f'<h1 data-pagefind-weight="10" data-pagefind-meta="title:{term} (glossary)">{term}</h1>'
        f"<p>{definition}</p></body></html>"
    )


async def _write_index(outdir: Path, language: str) -> int:
    """Index ``outdir`` and add one record per glossary entry; return the record count."""
    from pagefind.index import IndexConfig, PagefindIndex

    config = IndexConfig(
        # Pages are linked as .../index.html, so that the book also works
        # opened from disk; keep result URLs the same.
        keep_index_url=True,
        # The pilcrow-like "#" after every heading and glossary term.
        exclude_selectors=[".headerlink"],
        force_language=language,
        output_path=str(outdir / "pagefind"),
    )
    records = 0
    async with PagefindIndex(config=config) as index:
        indexed = await index.add_directory(str(outdir))
        records += indexed["page_count"]
        # One record per glossary term, its URL the term's anchor: a short
        # record that *is* the definition ranks first for the term, and its
        # excerpt is the definition's sentence.
        for page in sorted(outdir.rglob("*.html")):
            html = page.read_text(encoding="utf-8")
            if "data-pagefind-body" not in html or 'class="simple glossary"' not in html:
                continue
            url = "/" + page.relative_to(outdir).as_posix()
            for entry in glossary_entries(html):
                await index.add_html_file(
                    url=f"{url}#{entry['anchor']}",
                    content=_glossary_record(entry),
                )
                records += 1
    return records


def _on_build_finished(app: Sphinx, exception: Exception | None) -> None:
    """Index the finished HTML with Pagefind (only for the ``html`` builder)."""
    if exception is not None or app.builder.name != "html":
        return
    import asyncio

    outdir = Path(app.outdir)
    try:
        records = asyncio.run(_write_index(outdir, app.config.language or "en"))
    except Exception as error:
        msg = f"Pagefind failed to index {outdir}: {error}"
        raise ExtensionError(msg) from error
    if not (outdir / "pagefind" / "pagefind.js").is_file():
        msg = f"Pagefind wrote no index into {outdir / 'pagefind'}"
        raise ExtensionError(msg)
    logger.info("Pagefind indexed %d records for search", records)


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the configuration value and the two event handlers."""
    app.add_config_value("handbook_search_term_weight", 10.0, "html", types=frozenset({float, int}))
    app.connect("html-page-context", _on_page_context)
    app.connect("build-finished", _on_build_finished)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
