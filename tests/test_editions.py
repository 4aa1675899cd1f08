"""The whole handbook as one PDF and as EPUB (``nox -s pdf``, tools/pdf.py).

The module builds the real book with the singlehtml and epub builders and
prints the PDF with Chromium, as the nox session does.
"""

from __future__ import annotations

import functools
import html
import re
import shutil
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import book_toc
import pytest

REPO = Path(__file__).resolve().parent.parent


def _build(builder: str, out: Path) -> Path:
    # The notebooks' outputs come from the cache the test run's one HTML build
    # filled (the `handbook` fixture), so nothing is executed a second time.
    cache = REPO / "_build" / ".jupyter_cache"
    command = [sys.executable, "-m", "sphinx", "-b", builder, "-W", "-n", "--keep-going"]
    command += ["-D", f"nb_execution_cache_path={cache}"]
    command += ["-d", str(out.parent / f"doctrees-{builder}"), "-c", "book", ".", str(out)]
    result = subprocess.run(
        command, cwd=REPO, capture_output=True, text=True, check=False, timeout=1800
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def editions(handbook, tmp_path_factory) -> Path:
    """A folder for both builds, made after the HTML build whose notebook cache they read."""
    assert handbook.returncode == 0, handbook.output[-3000:]
    return tmp_path_factory.mktemp("editions")


@pytest.fixture(scope="module")
def pdf(editions) -> Path:
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.fail("needs Chromium: apt-get install -y chromium (.ci/run does)")
    single = _build("singlehtml", editions / "singlehtml")
    out = editions / "handbook.pdf"
    result = subprocess.run(
        [sys.executable, "tools/pdf.py", str(single), str(out), "--chromium", chromium],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def epub(editions) -> Path:
    out = _build("epub", editions / "epub")
    (book,) = out.glob("*.epub")
    return book


@functools.cache
def _pages(pdf: Path) -> list[str]:
    """Each page's text, ligatures ("ﬁ") unfolded; read once per PDF (pypdf is slow)."""
    from pypdf import PdfReader

    return [
        unicodedata.normalize("NFKC", page.extract_text() or "") for page in PdfReader(pdf).pages
    ]


@pytest.mark.book
@pytest.mark.browser
def test_pdf_cover_carries_the_version(pdf):
    from mlorg import __version__

    cover = " ".join(_pages(pdf)[0].split())
    assert "The ML Organization Handbook" in cover
    assert f"Version {__version__}" in cover


@pytest.mark.book
@pytest.mark.browser
def test_pdf_contents_list_every_page_with_the_page_its_bookmark_opens(pdf):
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    pages = _pages(pdf)

    def bookmarks(items, level=1):
        for item in items:
            if isinstance(item, list):
                yield from bookmarks(item, level + 1)
            else:
                yield item.title, reader.get_destination_page_number(item) + 1, level

    marks = list(bookmarks(reader.outline))
    # Every page of the book but its home page, chapters with their pages under them.
    assert len(marks) == len(book_toc.docnames()) - 1
    assert {title for title, _, level in marks if level == 1} >= {"Glossary", "Bibliography"}
    assert {level for _, _, level in marks} == {1, 2}
    # The contents run from page 2 to the page before the first chapter (several
    # pages, now that the book has sub-pages); each line is a bookmark's title
    # and the page that bookmark opens, in the bookmarks' order.
    first_chapter = min(number for _, number, _ in marks)
    contents = " ".join(" ".join(page.split()) for page in pages[1 : first_chapter - 1])
    assert contents.split(" / ", 1)[-1].lstrip("0123456789 ").startswith("Contents")
    position = 0
    for title, number, _ in marks:
        found = re.compile(rf"{re.escape(title)}[ .]*{number}\b").search(contents, position)
        assert found, (title, number)
        position = found.end()
        assert title.split(":")[0] in " ".join(pages[number - 1].split()), title


@pytest.mark.book
@pytest.mark.browser
def test_pdf_pages_are_numbered_and_fit_a4_and_letter(pdf):
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    total = len(reader.pages)
    assert total > 50
    pages = _pages(pdf)
    for number in (2, total // 2, total):
        assert f"{number} / {total}" in pages[number - 1], number
    for page in reader.pages:
        width_mm, height_mm = (float(v) / 72 * 25.4 for v in page.mediabox[2:])
        assert width_mm <= 210.1
        assert height_mm <= 279.5


def _svg_texts(svg: Path) -> list[str]:
    """The words an SVG figure draws as text (matplotlib keeps text as text), 8 characters or more."""
    drawn = re.findall(r"<text\b[^>]*>(.*?)</text>", svg.read_text(encoding="utf-8"), re.DOTALL)
    texts = (" ".join(html.unescape(re.sub(r"<[^>]+>", "", t)).split()) for t in drawn)
    return [text for text in texts if len(text) >= 8]


@pytest.mark.book
@pytest.mark.browser
def test_pdf_has_figures_citations_and_the_bibliography(pdf):
    from pypdf import PdfReader

    text = " ".join(" ".join(_pages(pdf)).split())
    assert "Bibliography" in text
    assert "Conway" in text
    assert "1968" in text
    assert re.search(r"\[[A-Z][\w-]+(?: and [A-Z][\w-]+| et al\.)?, \d{4}\]", text)  # a citation
    # Every figure of the book is printed. An SVG figure prints as drawing and
    # text, not as an image (pypdf's page.images sees only pictures), so it
    # counts when the words it draws are in the PDF; a picture counts as one.
    single = pdf.parent / "singlehtml"
    printed = (single / "handbook-print.html").read_text(encoding="utf-8")
    figures = re.findall(r'<img [^>]*src="(_images/[^"]+)"', printed)
    assert len(figures) >= 5
    pictures = 0
    for figure in figures:
        if figure.endswith(".svg"):
            words = _svg_texts(single / figure)
            assert words, f"{figure} draws no text to look for"
            missing = [w for w in words if w not in text]
            assert not missing, (figure, missing[:3])
        else:
            pictures += 1
    assert sum(len(page.images) for page in PdfReader(pdf).pages) >= pictures


@pytest.mark.book
def test_epub_is_a_valid_container_with_cover_and_navigation(epub):
    from mlorg import __version__

    with zipfile.ZipFile(epub) as book:
        first = book.infolist()[0]
        assert first.filename == "mimetype"
        assert first.compress_type == zipfile.ZIP_STORED
        assert book.read("mimetype") == b"application/epub+zip"
        container = book.read("META-INF/container.xml").decode()
        opf_path = re.search(r'full-path="([^"]+)"', container).group(1)
        opf = book.read(opf_path).decode()
        names = set(book.namelist())
        manifest = dict(re.findall(r'<item id="([^"]+)" href="([^"]+)"', opf))
        assert manifest
        for href in manifest.values():
            assert href in names, f"content.opf lists {href}, which is not in the EPUB"
        spine = re.findall(r'<itemref idref="([^"]+)"', opf)
        assert len(spine) >= len(book_toc.docnames())
        for idref in spine:
            assert idref in manifest, f"the spine reads {idref}, which content.opf does not list"
        # Reading systems parse each page as XML: one that is not well-formed does not open.
        for href in manifest.values():
            if href.endswith(".xhtml"):
                ET.fromstring(book.read(href))
        assert 'properties="nav"' in opf
        assert re.search(r'<meta name="cover" content="[^"]+"', opf)
        assert book.read("_static/handbook-cover.png")[:4] == b"\x89PNG"
        nav = book.read("nav.xhtml").decode()
        for docname in book_toc.docnames():
            assert re.search(rf'href="[^"]*{re.escape(docname.split("/")[-1])}\.xhtml"', nav), (
                docname
            )
        assert __version__ in opf


def _pdf_tool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "tools/pdf.py", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )


def test_pdf_tool_refuses_a_folder_without_a_build(tmp_path):
    # Whether or not this machine has Chromium: the folder is the problem.
    result = _pdf_tool(str(tmp_path), str(tmp_path / "x.pdf"))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "no single-page build here" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_pdf_tool_without_chromium_says_how_to_get_it_in_one_line(tmp_path):
    (tmp_path / "index.html").write_text(
        '<section id="document-index"></section>', encoding="utf-8"
    )
    missing = tmp_path / "no-chromium"
    result = _pdf_tool(str(tmp_path), str(tmp_path / "x.pdf"), "--chromium", str(missing))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"tools/pdf.py: error: {missing}: no Chromium there (apt-get install chromium)"
    )
    assert not (tmp_path / "x.pdf").exists()
