"""The handbook in a real browser, used by clicking, on a phone and on a desktop.

Playwright drives Debian's Chromium (/usr/bin/chromium; never a downloaded
browser) on the handbook served from 127.0.0.1 with gzip and cache headers
(tools/audit/serve.py). Marked ``browser``: the default run skips them;
``nox -s tests -- -m browser`` runs them (.ci/run does).

The site is built from scratch into a temporary folder, so the tests check
this checkout; set HANDBOOK_BROWSER_SITE=_build/html to test a build you
already have (after ``nox -s docs``) while working on the theme.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import book_toc
import pytest

from tools import chromium

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = Path(chromium.find())
AXE = REPO / "tools" / "audit" / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}
VIEWPORTS = pytest.mark.parametrize(
    "reader", [PHONE, DESKTOP], ids=["375x812", "1280x800"], indirect=True
)
ON_PHONE = pytest.mark.parametrize("reader", [PHONE], ids=["375x812"], indirect=True)
ON_DESKTOP = pytest.mark.parametrize("reader", [DESKTOP], ids=["1280x800"], indirect=True)

pytestmark = pytest.mark.browser

sys.path.insert(0, str(REPO / "tools" / "audit"))
from serve import serving


@pytest.fixture(scope="module")
def site(sphinx_build: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built handbook: built here from this checkout, or HANDBOOK_BROWSER_SITE."""
    given = os.environ.get("HANDBOOK_BROWSER_SITE")
    if given:
        path = Path(given).resolve()
        assert (path / "book" / "index.html").is_file(), f"{path}: no built handbook there"
        return path
    build = sphinx_build(REPO, tmp_path_factory.mktemp("browser") / "_build")
    assert build.returncode == 0, build.output[-3000:]
    return build.outdir


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    """The site served on 127.0.0.1 with gzip and cache headers."""
    with serving(site) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium, driven by Playwright."""
    if not CHROMIUM.is_file():
        pytest.fail(f"needs Chromium at {CHROMIUM}: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = chromium.launch(playwright, str(CHROMIUM))
        yield browser
        browser.close()


class Reader:
    """One browser tab that records console errors and every request it makes."""

    def __init__(self, browser: Any, base_url: str, viewport: dict[str, int]) -> None:
        self.base_url = base_url
        self.viewport = viewport
        self.context = browser.new_context(viewport=viewport)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.off_site: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.context.route(re.compile(r"^(?!http://127\.0\.0\.1:).*"), self._refuse_off_site)

    def _refuse_off_site(self, route: Any) -> None:
        if route.request.url.startswith(("data:", "blob:")):
            route.continue_()
            return
        self.off_site.append(route.request.url)
        route.abort()

    def open(self, docname: str) -> Any:
        self.page.goto(f"{self.base_url}/{docname}.html", wait_until="networkidle")
        return self.page

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def reader(browser: Any, base_url: str, request: pytest.FixtureRequest) -> Iterator[Reader]:
    """A tab at the viewport the test is parametrized with (PHONE or DESKTOP)."""
    tab = Reader(browser, base_url, request.param)
    yield tab
    tab.close()


def _visible(page: Any, selector: str) -> bool:
    return bool(page.locator(selector).first.is_visible())


# -- Navigation -----------------------------------------------------------------


@ON_PHONE
def test_phone_menu_opens_the_navigation_and_closes(reader):
    page = reader.open("book/team")
    assert not _visible(page, "#pst-primary-sidebar-modal")
    page.locator(".bd-header-article .primary-toggle").click()
    drawer = page.locator("#pst-primary-sidebar-modal")
    drawer.wait_for(state="visible")
    link = drawer.get_by_role("link", name="Ensuring high-quality data flow")
    assert link.is_visible()
    page.keyboard.press("Escape")
    drawer.wait_for(state="hidden")
    # Open it again and follow a link: the drawer is how a phone reader navigates.
    page.locator(".bd-header-article .primary-toggle").click()
    drawer.get_by_role("link", name="Ensuring high-quality data flow").click()
    page.wait_for_url("**/book/data-flow.html")
    assert reader.errors == []


@ON_DESKTOP
def test_desktop_menu_button_collapses_and_restores_the_sidebar(reader):
    page = reader.open("book/team")
    sidebar = page.locator("#pst-primary-sidebar")
    assert sidebar.is_visible()
    toggle = page.locator(".bd-header-article .primary-toggle")
    toggle.click()
    page.wait_for_function(
        "getComputedStyle(document.getElementById('pst-primary-sidebar')).visibility === 'hidden'"
    )
    assert not _visible(page, "#pst-primary-sidebar-modal")
    toggle.click()
    sidebar.wait_for(state="visible")
    assert reader.errors == []


@VIEWPORTS
def test_page_contents_open_and_lead_to_a_section(reader):
    page = reader.open("book/team")
    if reader.viewport is PHONE:
        assert not _visible(page, "#pst-secondary-sidebar")
        page.locator(".bd-header-article .secondary-toggle").click()
        contents = page.locator("#pst-secondary-sidebar-modal")
        contents.wait_for(state="visible")
    else:
        contents = page.locator("#pst-secondary-sidebar")
        assert contents.is_visible()
    link = contents.locator("nav.page-toc a").nth(1)
    target = link.get_attribute("href")
    assert target
    assert target.startswith("#")
    link.click()
    page.wait_for_url(f"**/book/team.html{target}")
    heading = page.locator(f"[id='{target[1:]}']")
    assert heading.is_visible()
    assert reader.errors == []


@VIEWPORTS
def test_search_finds_a_chapter_term_and_links_to_the_chapter(reader):
    page = reader.open("book/team")
    button = (
        ".bd-header-article .search-button" if reader.viewport is PHONE else ".search-button-field"
    )
    page.locator(button).first.click()
    field = page.locator("#pst-search-dialog input[name='q']")
    field.wait_for(state="visible")
    field.fill("conway")
    field.press("Enter")
    page.wait_for_url("**/search.html?q=conway*")
    # Pagefind's results (book/_ext/handbook/search.py); the first leads to a page about it.
    result = page.locator(".pagefind-ui__result-link")
    result.first.wait_for(timeout=20_000)
    result.first.click()
    page.wait_for_url("**/book/*.html*")
    assert "Conway" in page.locator("article").inner_text()
    assert reader.errors == []


@VIEWPORTS
def test_dark_mode_switches_and_survives_a_reload(reader):
    page = reader.open("book/team")
    page.locator(".bd-header-article .theme-switch-button").click()
    page.locator(".theme-change-button[data-mode='dark']").first.click()
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    page.reload(wait_until="networkidle")
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == background
    assert background != "rgb(255, 255, 255)"
    page.locator(".bd-header-article .theme-switch-button").click()
    page.locator(".theme-change-button[data-mode='light']").first.click()
    assert page.evaluate("document.documentElement.dataset.theme") == "light"
    assert reader.errors == []


@VIEWPORTS
def test_next_and_previous_links_walk_the_book(reader):
    order = book_toc.reading_order()
    here = order.index("book/team")
    page = reader.open("book/team")
    page.locator(".prev-next-footer a.right-next").click()
    page.wait_for_url(f"**/{order[here + 1]}.html")
    page.locator(".prev-next-footer a.left-prev").click()
    page.wait_for_url("**/book/team.html")
    page.locator(".prev-next-footer a.left-prev").click()
    page.wait_for_url(f"**/{order[here - 1]}.html")
    assert reader.errors == []


# -- Every page -----------------------------------------------------------------


@pytest.mark.parametrize("docname", book_toc.docnames())
def test_every_page_fits_a_phone_without_errors_or_off_site_requests(browser, base_url, docname):
    tab = Reader(browser, base_url, PHONE)
    try:
        page = tab.open(docname)
        page.mouse.wheel(0, 100_000)  # load what is lazy-loaded, too
        page.wait_for_load_state("networkidle")
        width = page.evaluate("document.documentElement.scrollWidth")
        wide = page.evaluate(
            """() => [...document.querySelectorAll('article *')]
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                .filter(e => !e.closest('pre, .cell_output, .math-display, .table-wrapper,'
                                        + ' .pst-scrollable-table-container, .output'))
                .slice(0, 3).map(e => e.tagName + '.' + e.className)"""
        )
        assert width <= PHONE["width"], f"page is {width} px wide: {wide}"
        assert tab.errors == []
        assert tab.off_site == []
    finally:
        tab.close()


def _axe(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    return [
        {"id": v["id"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in result["violations"]
    ]


@pytest.mark.parametrize("mode", ["light", "dark"])
@pytest.mark.parametrize("docname", book_toc.docnames())
def test_every_page_has_no_axe_violations(browser, base_url, docname, mode):
    assert AXE.is_file(), "needs axe-core: npm ci --prefix tools/audit"
    tab = Reader(browser, base_url, DESKTOP)
    try:
        tab.context.add_init_script(
            f"localStorage.setItem('mode', '{mode}'); localStorage.setItem('theme', '{mode}');"
        )
        page = tab.open(docname)
        assert page.evaluate("document.documentElement.dataset.theme") == mode
        violations = _axe(page)
        assert violations == [], json.dumps(violations, indent=1)
    finally:
        tab.close()


def test_axe_finds_a_violation_when_there_is_one(browser, base_url):
    # The check above can fail: an unlabelled checkbox added to a real page is caught.
    tab = Reader(browser, base_url, DESKTOP)
    try:
        page = tab.open("book/team")
        page.evaluate(
            "document.querySelector('article').insertAdjacentHTML("
            "'beforeend', '<input type=\"checkbox\">')"
        )
        assert "label" in [v["id"] for v in _axe(page)]
    finally:
        tab.close()


# -- Reader features ---------------------------------------------------------------


@ON_PHONE
def test_notebook_page_offers_download_launch_and_source_buttons(reader):
    page = reader.open("examples/org-graph")
    header = page.locator(".bd-header-article")
    header.locator(".dropdown-launch-buttons > button.dropdown-toggle").click()
    binder = header.get_by_role("link", name="Binder")
    colab = header.get_by_role("link", name="Colab")
    binder.wait_for(state="visible")
    assert (binder.get_attribute("href") or "").startswith("https://mybinder.org/v2/gh/")
    assert "/blob/notebooks/examples/org-graph.ipynb" in (colab.get_attribute("href") or "")
    page.keyboard.press("Escape")
    header.locator(".dropdown-source-buttons > button.dropdown-toggle").click()
    for name in ("Repository", "Suggest edit", "Open issue"):
        assert header.get_by_role("link", name=name).is_visible()
    page.keyboard.press("Escape")
    header.locator(".dropdown-download-buttons > button.dropdown-toggle").click()
    ipynb = header.get_by_role("link", name=".ipynb")
    ipynb.wait_for(state="visible")
    response = page.request.get(f"{reader.base_url}/_sources/examples/org-graph.ipynb")
    assert response.ok
    assert json.loads(response.body())["cells"]
    assert reader.errors == []


@ON_DESKTOP
def test_copy_button_copies_a_code_cell_as_the_notebook_has_it_in_colour(reader, site):
    """Code tokens drawn like plain text carry no ``<span>`` (html.py): nothing else changes."""
    executed = json.loads(
        (site.parent / "jupyter_execute" / "examples" / "data-check.ipynb").read_text("utf-8")
    )
    sources = {
        "".join(cell["source"]).rstrip("\n")
        for cell in executed["cells"]
        if cell["cell_type"] == "code"
    }
    page = reader.open("examples/data-check")
    reader.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=reader.base_url)
    block = page.locator("div.cell_input div.highlight >> visible=true").first
    block.hover()
    block.locator("button.copybtn").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.rstrip("\n") in sources
    colours = block.evaluate(
        "b => [getComputedStyle(b.querySelector('pre')).color,"
        " getComputedStyle(b.querySelector('pre span.o, pre span.k, pre span.kn')).color]"
    )
    assert colours[0] != colours[1], "keywords and operators are no longer coloured"
    assert reader.errors == []


@VIEWPORTS
def test_chapter_shows_owner_status_and_last_updated(reader):
    page = reader.open("book/team")
    freshness = page.locator(".chapter-freshness")
    assert freshness.is_visible()
    assert "Last reviewed" in freshness.inner_text()
    assert "Last updated on" in page.locator("footer.bd-footer-content").inner_text()


@VIEWPORTS
def test_figures_have_alt_text_dimensions_and_lazy_loading(reader):
    for docname in ("book/team", "examples/org-graph"):
        page = reader.open(docname)
        images = page.evaluate(
            """() => [...document.querySelectorAll('article img')].map(i => ({
                src: i.getAttribute('src'), alt: i.getAttribute('alt'),
                width: i.getAttribute('width'), height: i.getAttribute('height'),
                loading: i.getAttribute('loading'),
                top: i.getBoundingClientRect().top + window.scrollY}))"""
        )
        assert images, f"{docname}: no figure"
        for image in images:
            assert image["alt"], image
            assert image["width"], image
            assert image["height"], image
            if image["top"] > reader.viewport["height"]:
                assert image["loading"] == "lazy", image


_SVG_FONT = re.compile(r"font(?:-size)?:\s*(?:[a-z]+\s+)*([\d.]+)px")


@VIEWPORTS
@pytest.mark.parametrize("docname", ["book/team", "book/data-flow", "examples/org-graph"])
def test_figure_text_is_at_least_12_css_px_as_shown(reader, docname):
    page = reader.open(docname)
    figures = page.evaluate(
        """() => [...document.querySelectorAll('article figure img')].map(i => {
            i.scrollIntoView(); return {src: i.src, shown: i.getBoundingClientRect().width}})"""
    )
    svgs = [f for f in figures if f["src"].endswith(".svg")]
    assert svgs, f"{docname}: no SVG figure"
    for figure in svgs:
        svg = page.request.get(figure["src"]).text()
        view_width = float(re.search(r'viewBox="[\d.]+ [\d.]+ ([\d.]+)', svg)[1])
        sizes = [float(size) for size in _SVG_FONT.findall(svg)]
        assert sizes, "the figure has no text elements (svg.fonttype should be none)"
        smallest = min(sizes) * figure["shown"] / view_width
        # (rounded: the browser lays the image out at whole pixels)
        assert round(smallest, 1) >= 12, (
            f"{figure['src']}: {smallest:.1f} px text at {figure['shown']} px"
        )


# -- Margin notes and cards ---------------------------------------------------------

_MARGIN_AND_CARDS = """\
# Features

The text column of a chapter, long enough to wrap on a phone and to sit beside a note on a desktop.

```{margin} A margin note
Said beside the text it belongs to.
```

More of the chapter, after the paragraph the note belongs to.

::::{grid} 1 1 2 2
:::{grid-item-card} First card
:link: other
:link-type: doc

Leads to the other page.
:::
:::{grid-item-card} Second card
A card without a link.
:::
::::
"""


@pytest.fixture(scope="module")
def features_site(sphinx_build: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A throwaway book, built with the handbook's configuration, that has a margin note and cards."""
    src = tmp_path_factory.mktemp("features") / "src"
    shutil.copytree(REPO / "book", src / "book", ignore=shutil.ignore_patterns("*.md"))
    pages = {
        "book/index.md": "# Home\n\nA throwaway book.\n",
        "pages/features.md": _MARGIN_AND_CARDS,
        "pages/other.md": "# Other page\n\nWhere the first card leads.\n",
        "_toc.yml": (
            "format: jb-book\nroot: book/index\nchapters:\n"
            "  - file: pages/features\n  - file: pages/other\n"
        ),
    }
    for name, text in pages.items():
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        (src / name).write_text(text, encoding="utf-8")
    build = sphinx_build(src, src.parent / "_build")
    assert build.returncode == 0, build.output[-3000:]
    with serving(build.outdir) as url:
        yield url


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375x812", "1280x800"])
def test_margin_notes_and_cards_work(browser, features_site, viewport):
    tab = Reader(browser, features_site, viewport)
    try:
        page = tab.open("pages/features")
        note = page.locator("aside.margin")
        assert note.is_visible()
        assert "Said beside the text it belongs to." in note.inner_text()
        text = page.locator("article p", has_text="The text column").first.bounding_box()
        box = note.bounding_box()
        assert text is not None
        assert box is not None
        if viewport == DESKTOP:
            # In the margin: right of the text column, not over it.
            assert box["x"] >= text["x"] + text["width"] - 1, (box, text)
        assert box["x"] + box["width"] <= viewport["width"], (box, viewport)
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        cards = page.locator(".sd-card")
        assert cards.count() == 2
        assert all(card.is_visible() for card in cards.all())
        # sphinx-design's styles reached the bundle: a card has its border.
        border = cards.first.evaluate("e => getComputedStyle(e).borderTopStyle")
        assert border != "none"
        cards.first.click()
        page.wait_for_url(re.compile(r"/pages/other\.html$"))
        assert page.get_by_role("heading", name="Other page").is_visible()
        assert tab.errors == []
        assert tab.off_site == []
    finally:
        tab.close()
