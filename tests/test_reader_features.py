"""What readers expect besides the pages: descriptions and social cards, a
sitemap, a 404 page that leads back, a print stylesheet, links to the PDF and
EPUB on every page, and a search whose excerpts are the matched sentence and
which finds a glossary term's definition first (issue 15).

The module reads the test run's one build of the handbook; the search tests drive Chromium.
"""

from __future__ import annotations

import functools
import html
import http.server
import re
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import book_toc
import pytest

from tools import chromium

pytestmark = pytest.mark.book

REPO = Path(__file__).resolve().parent.parent
SITE = "https://ml-org-handbook.github.io/handbook/"
# Words of the theme's chrome that Sphinx's search used to put in excerpts.
CHROME = ("Light Dark", "System Settings", "Toggle navigation", "Fullscreen", ".ipynb .pdf")


@pytest.fixture(scope="module")
def book(handbook):
    """The real handbook's HTML: the test run's one build (see conftest)."""
    assert handbook.returncode == 0, handbook.output[-5000:]
    return handbook.outdir


def _page(book: Path, docname: str) -> str:
    return (book / f"{docname}.html").read_text(encoding="utf-8")


def _meta(page: str, attribute: str, name: str) -> str | None:
    match = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)"', page)
    return html.unescape(match.group(1)) if match else None


@pytest.mark.parametrize("docname", book_toc.docnames())
def test_every_page_has_a_description_from_its_own_text(book, docname):
    page = _page(book, docname)
    description = _meta(page, "name", "description")
    assert description, f"{docname}: no meta description"
    assert _meta(page, "property", "og:description") == description
    # Not the owner / review / status line the book puts under a chapter's title.
    assert not description.startswith("Owner:")
    # It is text of the page itself (its first words, before any truncation).
    words = description.removesuffix("...").split()[:6]
    text = " ".join(re.sub(r"<[^>]+>", " ", html.unescape(page)).split())
    # A tag closing right before punctuation ("<a>organisation</a>.") leaves a space.
    text = re.sub(r" ([.,;:!?)])", r"\1", text)
    assert " ".join(words) in text


@pytest.mark.parametrize("docname", book_toc.docnames())
def test_every_page_has_open_graph_tags_and_a_social_card(book, docname):
    page = _page(book, docname)
    assert _meta(page, "property", "og:title")
    assert _meta(page, "property", "og:url") == f"{SITE}{docname}.html"
    image = _meta(page, "property", "og:image")
    assert image
    assert image.startswith(f"{SITE}_images/social_previews/")
    card = book / image.removeprefix(SITE)
    assert card.is_file()
    assert card.read_bytes()[:4] == b"\x89PNG"


def test_sitemap_lists_every_page_and_nothing_else(book):
    tree = ET.parse(book / "sitemap.xml")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    urls = sorted(loc.text or "" for loc in tree.getroot().findall("s:url/s:loc", ns))
    assert urls == sorted(f"{SITE}{docname}.html" for docname in book_toc.docnames())


def test_404_page_links_and_assets_resolve_under_the_site_path(book):
    page = (book / "404.html").read_text(encoding="utf-8")
    assert "Page not found" in page
    targets = re.findall(r'(?:href|src)="([^"]+)"', page)
    local = [
        t for t in targets if not t.startswith(("http://", "https://", "#", "mailto:", "data:"))
    ]
    assert any(t.endswith("book/index.html") for t in local), "no link to the front page"
    # handbook.pdf and .epub are written next to the HTML by `nox -s pdf`
    # (tests/test_editions.py builds them); an HTML build has only the links.
    editions = ("/handbook/handbook.pdf", "/handbook/handbook.epub")
    for target in local:
        path = unquote(urlsplit(target).path)
        if path in editions:
            continue
        # The page is served for any missing URL, so every link is absolute.
        assert path.startswith("/handbook/"), f"404.html: {target} is not absolute under /handbook/"
        assert (book / path.removeprefix("/handbook/")).exists(), f"404.html: {target} is missing"


@pytest.mark.parametrize("docname", book_toc.docnames())
def test_every_page_links_the_pdf_and_epub_and_has_a_print_stylesheet(book, docname):
    page = _page(book, docname)
    depth = docname.count("/")
    for name in ("handbook.pdf", "handbook.epub"):
        assert f'href="{"../" * depth}{name}"' in page, f"{docname}: no link to {name}"
    stylesheet = re.search(r'<link [^>]*href="[./]*_static/print\.css[^"]*"[^>]*>', page)
    assert stylesheet
    assert 'media="print"' in stylesheet.group(0)


def test_print_stylesheet_hides_the_chrome():
    css = (REPO / "book" / "_static" / "print.css").read_text(encoding="utf-8")
    hidden = css.split("display: none", 1)[0]
    chrome = (
        ".bd-header",
        ".bd-sidebar-primary",
        ".bd-header-article",
        ".prev-next-area",
        ".onlyprint",
    )
    for selector in chrome:
        assert selector in hidden


def test_search_index_is_built_from_article_bodies_only(book):
    assert (book / "pagefind" / "pagefind.js").is_file()
    for docname in book_toc.docnames():
        # The toolkit reference is left out of the index (handbook.search).
        expected = 0 if docname.startswith("reference/") else 1
        assert _page(book, docname).count("data-pagefind-body") == expected, docname
    search = (book / "search.html").read_text(encoding="utf-8")
    assert "pagefind/pagefind-ui.js" in search


def _glossary_terms() -> list[tuple[str, str]]:
    """(term, the definition's opening words) from book/glossary.md, as written."""
    source = (REPO / "book" / "glossary.md").read_text(encoding="utf-8")
    block = source.split("```{glossary}", 1)[1].split("```", 1)[0]
    terms = []
    for match in re.finditer(r"^(\S[^\n]*)\n  ([^\n]+)", block, re.MULTILINE):
        if match.group(1).startswith(":"):
            continue
        # The words before the first role ({cite:p}, {term}, ...) read as rendered.
        opening = match.group(2).split("{", 1)[0].split("`", 1)[0].replace("'", "\u2019")
        terms.append((match.group(1).replace("'", "\u2019"), " ".join(opening.split()[:6])))
    return terms


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output free of request logs."""


@pytest.fixture(scope="module")
def served(book: Path, tmp_path_factory) -> Iterator[str]:
    """Serve the build at http://127.0.0.1:<port>/handbook/ (as on the real host)."""
    root = tmp_path_factory.mktemp("site")
    (root / "handbook").symlink_to(book, target_is_directory=True)
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/handbook"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser_page() -> Iterator[object]:
    """A headless Chromium page (Debian's /usr/bin/chromium, through Playwright)."""
    if not Path(chromium.find()).exists():
        pytest.fail("needs Chromium: apt-get install -y chromium (.ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = chromium.launch(playwright)
        yield browser.new_page()
        browser.close()


def _search(page, served: str, query: str) -> list[tuple[str, str]]:
    """Search on the search page, as the theme's search field does; return (href, excerpt)s."""
    page.goto(f"{served}/search.html?q={query}")
    # Pagefind's UI shows placeholders first and fills each result in as its data loads.
    page.wait_for_function(
        """() => {
          const results = [...document.querySelectorAll('.pagefind-ui__result')];
          return results.length > 0 && results.every(r =>
            r.querySelector('.pagefind-ui__result-link') &&
            r.querySelector('.pagefind-ui__result-excerpt'));
        }""",
        timeout=20_000,
    )
    return page.eval_on_selector_all(
        ".pagefind-ui__result",
        "els => els.map(e => [e.querySelector('.pagefind-ui__result-link').getAttribute('href'),"
        " e.querySelector('.pagefind-ui__result-excerpt').innerText])",
    )


def test_the_glossary_has_terms_to_search_for():
    assert len(_glossary_terms()) >= 20


@pytest.mark.browser
@pytest.mark.parametrize(("term", "sentence"), _glossary_terms(), ids=lambda v: v[:30])
def test_search_finds_a_glossary_term_at_its_definition_first(browser_page, served, term, sentence):
    results = _search(browser_page, served, term)
    href, excerpt = results[0]
    assert href.startswith("/handbook/book/glossary.html#term-"), (term, results[:3])
    flat = " ".join(excerpt.split())
    assert term in flat, (term, flat)
    assert sentence in flat, (term, flat)
    assert not any(chrome in flat for chrome in CHROME)


@pytest.mark.browser
@pytest.mark.parametrize(
    ("query", "docname"),
    [("congruence", "book/glossary"), ("psi", "examples/data-check"), ("conway", "book/glossary")],
)
def test_search_excerpts_are_sentences_without_menu_text(browser_page, served, query, docname):
    results = _search(browser_page, served, query)
    assert any(href.startswith(f"/handbook/{docname}.html") for href, _ in results[:3])
    for _, excerpt in results:
        assert not any(chrome in excerpt for chrome in CHROME), excerpt
        assert query.lower() in excerpt.lower()
