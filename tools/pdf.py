"""Print the handbook's single-page HTML build as one PDF, with Chromium; no TeX.

``nox -s pdf`` runs Sphinx's ``singlehtml`` builder (notebooks come from the
jupyter-cache the HTML build filled) and then this script::

    python tools/pdf.py _build/singlehtml _build/html/handbook.pdf

It writes ``handbook-print.html`` next to the single page: a cover with the
version, a table of contents, and the book's article body with each chapter
on a new page, styled by the site's own CSS, ``book/_static/print.css`` (no
navigation, toolbars or buttons) and ``tools/pdf.css`` (page size, running
head, page numbers). Chromium, driven by Playwright from ``/usr/bin/chromium``
(``apt-get install chromium``; never ``playwright install``), prints it twice:
the first print tells on which page each chapter starts (from the PDF's
outline), the second carries those numbers in the table of contents. Requests
that would leave the machine are blocked.

Exit status: 0 when the PDF was written, 2 on bad input (one line on stderr).
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import importlib.metadata
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
# The repository root, so that `python tools/pdf.py` finds the tools package.
sys.path.insert(0, str(HERE.parent))
from tools import chromium

PROG = "tools/pdf.py"
#: What the table of contents shows before the first print has counted pages.
_UNKNOWN_PAGE = "00"


class UsageError(Exception):
    """Input this script cannot use; the message names the file or option."""


@dataclass
class Entry:
    """One line of the table of contents: a page of the book."""

    docname: str
    anchor: str
    title: str
    level: int  # 1 for a chapter, 2 for a page under it
    page: str = _UNKNOWN_PAGE


def _text(node: object) -> str:
    from bs4 import Tag

    assert isinstance(node, Tag)
    copy = Tag(name="x")
    copy.extend([c.__copy__() for c in node.contents])
    for link in copy.select(".headerlink"):
        link.decompose()
    return " ".join(copy.get_text().split())


def _single_page(singlehtml: Path) -> Path:
    """The page of the single-page build in ``singlehtml``; UsageError if there is none."""
    pages = sorted(p for p in singlehtml.rglob("*.html") if 'id="document-' in _peek(p))
    if not pages:
        msg = f"{singlehtml}: no single-page build here (run sphinx-build -b singlehtml first)"
        raise UsageError(msg)
    return pages[0]


def prepare(singlehtml: Path, *, version: str, url: str, built: str) -> tuple[Path, list[Entry]]:
    """Write ``handbook-print.html`` into ``singlehtml``; return it and the TOC entries.

    Raises:
        UsageError: if ``singlehtml`` holds no single-page build of the book.
    """
    from bs4 import BeautifulSoup

    source = _single_page(singlehtml)
    soup = BeautifulSoup(source.read_text(encoding="utf-8"), "html.parser")
    article = soup.select_one("article.bd-article") or soup.select_one('[role="main"]')
    if article is None:
        msg = f"{source}: no article element (article.bd-article or [role=main])"
        raise UsageError(msg)

    root_section = article.find("section")
    entries: list[Entry] = []
    for marker in article.select('span[id^="document-"]'):
        section = marker.find_next_sibling("section")
        if section is None:
            continue
        heading = section.find(re.compile("^h[1-6]$"))
        if heading is None:
            continue
        level = 1 if marker.find_parent("section") is root_section else 2
        if level == 1:
            section["class"] = [*section.get("class", []), "pdf-chapter"]
        # The contents and bookmarks point at the page's title itself: a page
        # that does not start a new sheet may begin at the foot of one while
        # its title, kept with the text below it, prints on the next.
        anchor = str(heading.get("id") or f"pdf-{section.get('id') or marker['id']}")
        heading["id"] = anchor
        entries.append(
            Entry(
                docname=str(marker["id"]).removeprefix("document-"),
                anchor=anchor,
                title=_text(heading),
                level=level,
            )
        )
    if not entries:
        msg = f"{source}: no chapters found (no span id='document-...' markers)"
        raise UsageError(msg)

    title = soup.title.get_text().split(" — ")[0].split(" | ")[0].strip() if soup.title else ""
    first_heading = article.find("h1")
    book_title = _text(first_heading) if first_heading else title
    first_paragraph = root_section.find("p") if root_section else None
    subtitle = _text(first_paragraph) if first_paragraph else ""

    css = (HERE / "pdf.css").read_text(encoding="utf-8")
    css = css.replace("@RUNNING_HEAD@", f"{book_title} · version {version}".replace('"', "'"))
    head = soup.head
    assert head is not None
    style = soup.new_tag("style")
    style.string = css
    head.append(style)
    # print.css is loaded with media="print", which is what Chromium prints.
    html_tag = soup.html
    assert html_tag is not None
    html_tag["data-theme"] = "light"
    html_tag["data-mode"] = "light"

    body = soup.body
    assert body is not None
    cover = BeautifulSoup(_cover_html(book_title, subtitle, version, url, built), "html.parser")
    toc = BeautifulSoup(_toc_html(entries), "html.parser")
    main = soup.new_tag("main", attrs={"class": "pdf-article bd-article"})
    main.extend(list(article.contents))
    # The web pages load figures lazily, when scrolled near; a print scrolls
    # nowhere, so a lazy figure far down the book could print blank.
    for image in main.find_all("img"):
        del image["loading"]
        image["decoding"] = "sync"
    body.clear()
    body.append(cover)
    body.append(toc)
    body.append(main)

    out = singlehtml / "handbook-print.html"
    out.write_text(str(soup), encoding="utf-8")
    return out, entries


def _peek(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


def _cover_html(title: str, subtitle: str, version: str, url: str, built: str) -> str:
    e = html.escape
    return (
        '<section class="pdf-cover">'
        '<img class="pdf-cover-mark" src="_static/favicon.svg" alt="">'
        f'<h1 class="pdf-cover-title">{e(title)}</h1>'
        f'<p class="pdf-cover-subtitle">{e(subtitle)}</p>'
        f'<p class="pdf-cover-version">Version {e(version)}</p>'
        f'<p class="pdf-cover-meta">Built {e(built)} · read online at {e(url)}<br>'
        "Prose CC BY 4.0, code MIT.</p>"
        "</section>"
    )


def _toc_html(entries: list[Entry]) -> str:
    e = html.escape
    lines = ['<nav class="pdf-toc" aria-label="Contents"><h1>Contents</h1><ol>']
    open_sub = False
    for i, entry in enumerate(entries):
        if entry.level == 2 and not open_sub:
            lines.append("<ol>")
            open_sub = True
        elif entry.level == 1 and open_sub:
            lines.append("</ol></li>")
            open_sub = False
        elif entry.level == 1 and i:
            lines.append("</li>")
        lines.append(
            f'<li><a href="#{e(entry.anchor)}" data-docname="{e(entry.docname)}">'
            f'<span class="pdf-toc-title">{e(entry.title)}</span>'
            '<span class="pdf-toc-leader"></span>'
            f'<span class="pdf-toc-page">{e(entry.page)}</span></a>'
        )
        if entry.level == 2:
            lines.append("</li>")
    lines.append("</ol></li></ol></nav>" if open_sub else "</li></ol></nav>")
    return "".join(lines)


def _set_toc_pages(page_html: Path, entries: list[Entry]) -> None:
    text = page_html.read_text(encoding="utf-8")
    toc = re.compile(r'<nav [^>]*class="pdf-toc".*?</nav>', re.DOTALL)
    page_html.write_text(toc.sub(lambda _: _toc_html(entries), text, count=1), encoding="utf-8")


def anchor_pages(pdf: Path) -> dict[str, int]:
    """Return ``{anchor: page (1-based)}`` for every named destination Chromium wrote.

    Chromium turns each element id a link points to into a named destination.
    """
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    return {
        name.removeprefix("/"): reader.get_destination_page_number(dest) + 1
        for name, dest in reader.named_destinations.items()
    }


def finish(pdf: Path, entries: list[Entry], *, title: str, version: str, author: str) -> int:
    """Add the bookmarks (chapters and their pages) and metadata; return the page count."""
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=pdf)
    parent = None
    for entry in entries:
        number = int(entry.page) - 1
        if entry.level == 1:
            parent = writer.add_outline_item(title=entry.title, page_number=number)
        else:
            writer.add_outline_item(title=entry.title, page_number=number, parent=parent)
    writer.page_mode = "/UseOutlines"
    writer.add_metadata(
        {"/Title": f"{title}, version {version}", "/Author": author, "/Subject": title}
    )
    with pdf.open("wb") as handle:
        writer.write(handle)
    return len(writer.pages)


def print_pdf(page_html: Path, out: Path, executable: str) -> None:
    """Print ``page_html`` to ``out`` with headless Chromium; block off-machine requests."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = chromium.launch(playwright, executable)
        try:
            page = browser.new_page()
            page.route(
                re.compile(r"^(?!file:|data:|about:)"),
                lambda route: route.abort("blockedbyclient"),
            )
            page.emulate_media(media="print", color_scheme="light")
            page.goto(page_html.resolve().as_uri(), wait_until="load")
            # Math typeset in the browser (a locally served MathJax) is waited for.
            page.evaluate(
                "() => window.MathJax && MathJax.startup && MathJax.startup.promise"
                " ? MathJax.startup.promise : null"
            )
            page.evaluate("() => document.fonts.ready.then(() => true)")
            # Every figure loaded and decoded before the print; one that fails stops the build.
            broken = page.evaluate(
                """() => Promise.all([...document.images].map(image => image.decode().then(
                    () => null, () => image.getAttribute("src"))))
                  .then(results => results.filter(Boolean))"""
            )
            if broken:
                msg = f"{page_html}: figures that did not load: {', '.join(broken[:3])}"
                raise UsageError(msg)
            out.parent.mkdir(parents=True, exist_ok=True)
            page.pdf(
                path=str(out),
                prefer_css_page_size=True,
                print_background=True,
                tagged=True,
            )
        finally:
            browser.close()


def build(
    singlehtml: Path, out: Path, *, version: str, url: str, built: str, author: str, executable: str
) -> int:
    """Prepare, print, number the table of contents, print again; return the page count."""
    page_html, entries = prepare(singlehtml, version=version, url=url, built=built)
    for _ in range(3):
        print_pdf(page_html, out, executable)
        found = anchor_pages(out)
        missing = [entry.anchor for entry in entries if entry.anchor not in found]
        if missing:
            msg = f"{out}: no destination in the PDF for the chapter anchors {missing[:3]}"
            raise UsageError(msg)
        numbered = [str(found[entry.anchor]) for entry in entries]
        if numbered == [entry.page for entry in entries]:
            break
        for entry, number in zip(entries, numbered, strict=True):
            entry.page = number
        _set_toc_pages(page_html, entries)
    else:
        msg = f"{out}: the table of contents' page numbers did not settle after three prints"
        raise UsageError(msg)
    title = entries and _book_title(page_html)
    return finish(out, entries, title=title or "", version=version, author=author)


def _book_title(page_html: Path) -> str:
    match = re.search(r'<h1 class="pdf-cover-title">(.*?)</h1>', page_html.read_text("utf-8"))
    return html.unescape(match.group(1)) if match else ""


def main(argv: list[str] | None = None) -> int:
    """Command line: ``tools/pdf.py SINGLEHTML_DIR OUT.pdf [--chromium PATH]``."""
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    parser.add_argument("singlehtml", type=Path, help="the singlehtml build folder")
    parser.add_argument("out", type=Path, help="the PDF to write")
    parser.add_argument(
        "--chromium", default=chromium.find(), help="Chromium binary (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    # One line each, the input's own problems before the machine's (Chromium).
    try:
        if not args.singlehtml.is_dir():
            msg = f"{args.singlehtml}: no such folder"
            raise UsageError(msg)
        _single_page(args.singlehtml)
        if args.out.suffix.lower() != ".pdf":
            msg = f"{args.out}: the output must be a .pdf file"
            raise UsageError(msg)
        if not Path(args.chromium).is_file():
            msg = f"{args.chromium}: no Chromium there (apt-get install chromium)"
            raise UsageError(msg)
        metadata = importlib.metadata.metadata("mlorg")
        urls = dict(u.split(", ", 1) for u in metadata.get_all("Project-URL") or [])
        epoch = os.environ.get("SOURCE_DATE_EPOCH")
        day = (
            dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
            if epoch
            else dt.datetime.now(tz=dt.UTC).date()
        )
        pages = build(
            args.singlehtml,
            args.out,
            version=metadata["Version"],
            url=urls.get("Documentation", ""),
            built=day.isoformat(),
            author=metadata.get("Author") or metadata.get("Author-email") or "",
            executable=args.chromium,
        )
    except UsageError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2
    size = args.out.stat().st_size
    print(f"{args.out}: {pages} pages, {size / 1024 / 1024:.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
