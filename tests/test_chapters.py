"""Every pillar chapter has the handbook's shape, is sourced, and every source is cited.

The shape is a heading convention (see CONTRIBUTING.md, "Change a chapter"):
the essay's passage in a collapsed ``origin`` admonition, then these level-2
sections in this order. A pillar chapter may be split into sub-pages listed
under it in ``_toc.yml``; the shape tests read the chapter page itself, while
the rules for front matter, cases, templates and numbers hold for every page.
"""

from __future__ import annotations

import re
from pathlib import Path

import book_toc
import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
BOOK = REPO / "book"

PILLARS = [Path(name).name for name in book_toc.pillar_chapters()]
CHAPTERS = ["introduction", *PILLARS, "conclusion"]
#: Sub-pages a chapter was split into, e.g. ``purpose-budget`` under ``purpose``.
SUB_PAGES = {
    name: [Path(page).name for page in book_toc.sub_pages(f"book/{name}")] for name in CHAPTERS
}
CHAPTER_PAGES = [page for name in CHAPTERS for page in (name, *SUB_PAGES[name])]

#: Level-2 sections of a pillar chapter, in order; a trailing ":" means the
#: heading starts with that text (``## Template: data contract``).
SECTIONS = [
    "Why it matters",
    "Practices",
    "Anti-patterns and failure modes",
    "Checklist",
    "Signals and metrics",
    "Template:",
    "Related chapters and examples",
    "Further reading",
]
MIN_CITATIONS = 5
WORDS = (1500, 4000)

_CITE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")
_FENCE = re.compile(r"^(`{3,}|~{3,}|:{3,})")
#: A fence opening code (a notebook cell, a code block, or a language), not a directive.
_CODE_FENCE = re.compile(r"^(`{3,})(?:\{code-cell\}|\{code-block\}|\{code\}|[\w+-]+)(?:\s.*)?$")
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'\u2019-]*")


def _text(name: str) -> str:
    return (BOOK / f"{name}.md").read_text(encoding="utf-8")


def _front_matter(text: str) -> dict[str, object]:
    if not text.startswith("---\n"):
        return {}
    return yaml.safe_load(text.split("---\n", 2)[1]) or {}


def _body(text: str) -> str:
    return text.split("---\n", 2)[2] if text.startswith("---\n") else text


def _headings(text: str, level: int) -> list[str]:
    """Headings of one level outside fenced blocks."""
    found, fence = [], None
    for line in _body(text).splitlines():
        match = _FENCE.match(line)
        if match:
            marker = match.group(1)
            if fence is None:
                fence = marker
            elif marker == fence and line.strip() == marker:
                fence = None
            continue
        if fence is None and line.startswith("#" * level + " "):
            found.append(line[level + 1 :].strip())
    return found


def _prose_words(text: str) -> int:
    """Words of prose: no front matter, code, or directive markup."""
    words, code_fence = 0, None
    for line in _body(text).splitlines():
        stripped = line.strip()
        if code_fence is not None:
            if stripped == code_fence:
                code_fence = None
            continue
        opening = _CODE_FENCE.match(stripped)
        if opening:
            code_fence = opening.group(1)
            continue
        if stripped.startswith((":::", "```", ":")) or not stripped:
            continue
        words += len(_WORD.findall(stripped))
    return words


def cited_keys(text: str) -> set[str]:
    """The bibliography keys a page cites."""
    return {key.strip() for group in _CITE.findall(text) for key in group.split(",")}


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_opens_with_the_essay_passage(name):
    body = _body(_text(name))
    first_section = body.find("\n## ")
    head = body if first_section == -1 else body[:first_section]
    assert ":class: origin" in head, (
        f"{name}.md: the essay's passage must come before the first section"
    )


@pytest.mark.parametrize("name", CHAPTER_PAGES)
def test_chapter_front_matter_names_owner_review_and_status(name):
    meta = _front_matter(_text(name))
    assert {"owner", "last_reviewed", "status"} <= set(meta), (
        f"{name}.md front matter: {sorted(meta)}"
    )


@pytest.mark.parametrize("name", PILLARS)
def test_pillar_chapter_has_the_required_sections_in_order(name):
    headings = _headings(_text(name), 2)
    positions = []
    for section in SECTIONS:
        matches = [
            i
            for i, heading in enumerate(headings)
            if (heading.startswith(section) if section.endswith(":") else heading == section)
        ]
        assert matches, f"{name}.md has no '## {section}' section; it has {headings}"
        positions.append(matches[0])
    assert positions == sorted(positions), f"{name}.md: sections out of order: {headings}"


@pytest.mark.parametrize("name", PILLARS)
def test_pillar_chapter_cites_enough_distinct_sources(name):
    keys = cited_keys(_text(name))
    assert len(keys) >= MIN_CITATIONS, (
        f"{name}.md cites {len(keys)} distinct sources: {sorted(keys)}"
    )


@pytest.mark.parametrize("name", PILLARS)
def test_pillar_chapter_length(name):
    words = _prose_words(_text(name))
    assert WORDS[0] <= words <= WORDS[1], f"{name}.md has {words} words of prose"


@pytest.mark.parametrize("name", PILLARS)
def test_pillar_chapter_has_a_checklist_to_copy(name):
    text = _text(name)
    checklist = text.split("\n## Checklist", 1)[1].split("\n## ", 1)[0]
    assert len(re.findall(r"^- \[ \] ", checklist, flags=re.MULTILINE)) >= 5


@pytest.mark.parametrize("name", PILLARS)
def test_pillar_chapter_has_a_figure_with_alt_text(name):
    text = _text(name)
    generated = re.search(r"```\{code-cell\}[^\n]*\n(?:[^\n]*\n)*?\s*alt:", text)
    layout = ":class: diagram" in text
    assert generated or layout, (
        f"{name}.md needs a figure: a code cell with mystnb image alt text, or a layout with :class: diagram"
    )


def test_every_reference_is_cited_somewhere():
    bib = (BOOK / "references.bib").read_text(encoding="utf-8")
    entries = set(re.findall(r"^@\w+\{([^,]+),", bib, flags=re.MULTILINE))
    cited: set[str] = set()
    for page in [*BOOK.glob("*.md"), *(REPO / "examples").glob("*.md")]:
        cited |= cited_keys(page.read_text(encoding="utf-8"))
    assert entries - cited == set(), "entries in references.bib that nothing cites"
    assert cited - entries == set(), "citations with no entry in references.bib"


# -- Shared formats (issue 16): collapsed origin, case boxes, templates, numbers --

#: Every Markdown page of the handbook whose prose the formats apply to.
BOOK_PAGES = sorted(BOOK.glob("*.md"))
PROSE_PAGES = [*BOOK_PAGES, *sorted((REPO / "examples").glob("*.md"))]
TEMPLATES = BOOK / "templates"

_OPTION = re.compile(r"^:[\w-]+:")
#: Directives whose body is code or data, not prose.
_CODE_DIRECTIVES = {
    "code-cell",
    "code-block",
    "code",
    "sourcecode",
    "literalinclude",
    "math",
    "raw",
    "eval-rst",
    "mermaid",
}
_OPENING = re.compile(r"^(`{3,}|~{3,}|:{3,})\s*(\{([\w:-]+)\})?(.*)$")
_CONVENTION = re.compile(r"^%\s*convention:\s*\S")
_DOWNLOAD = re.compile(r"\{download\}`(?:[^`<]*<)?([^`>]+)>?`")
CASE_LEAD_INS = ["What happened.", "What they decided.", "What followed.", "What to take from it."]
_CASE_TITLE = re.compile(r"^Case: [^,]+, .+ \(\d{4}(?:[\u2013-]\d{2,4})?\)$")

#: A percentage: "12%", "12 %", "80 percent", "ten per cent".
_PERCENTAGE = re.compile(r"\d\s?%|\bper ?cent\b", re.IGNORECASE)
#: A multiple: "3x", "10 times" (also with a multiplication sign), "three times as", "twice the", "five-fold", "a factor of".
_NUMBER_WORD = (
    r"(?:two|three|four|five|six|seven|eight|nine|ten|a hundred|a thousand|\d+(?:[.,]\d+)?)"
)
_COMPARED = r"(?:as|more|less|fewer|faster|slower|higher|lower|larger|smaller|bigger|longer|shorter|the|their|its|that|what)"
_MULTIPLE = re.compile(
    rf"\b\d+(?:\.\d+)?\s?[x\u00d7](?!\w)"
    rf"|\b{_NUMBER_WORD}\s+times\s+{_COMPARED}\b"
    rf"|\b(?:twice|thrice)\s+{_COMPARED}\b"
    rf"|\b{_NUMBER_WORD}[- ]?fold\b(?![- ]?cross|\s+validation)"
    rf"|\bfactor of\b",
    re.IGNORECASE,
)
#: What is not prose when looking for numbers: URLs, roles and inline code.
_NOT_PROSE = re.compile(r"https?://\S+|\{[\w:-]+\}`[^`]*`|`[^`]*`")


def _page(path: Path) -> str:
    return str(path.relative_to(REPO))


def _paragraphs(text: str) -> list[tuple[int, list[str]]]:
    """Blank-line-separated blocks of prose, each with the line number it starts on.

    Front matter and the bodies of code fences (code cells, YAML, Markdown
    templates shown inline, ...) are left out. The opening and closing lines of
    a prose directive such as an admonition, and its option lines, end a
    block, so a box's text forms its own paragraphs. MyST comment lines stay
    in their block, so ``% convention: ...`` marks the paragraph under it.
    Headings and the essay's passage (the ``Origin:`` admonition, the essay's
    words kept unchanged) are not the handbook's claims and are left out.
    """
    lines = text.splitlines()
    start = 0
    if lines and lines[0] == "---":
        start = lines.index("---", 1) + 1
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    first = 0
    directives: list[str] = []  # open prose directives, by fence marker
    code_fence: str | None = None

    def close() -> None:
        nonlocal current
        if current:
            blocks.append((first, current))
        current = []

    for number, line in enumerate(lines[start:], start=start + 1):
        stripped = line.strip()
        if code_fence is not None:
            if stripped == code_fence:
                code_fence = None
            continue
        opening = _OPENING.match(stripped)
        if opening:
            close()
            marker, name = opening.group(1), opening.group(3)
            if directives and stripped == directives[-1]:
                directives.pop()
            elif name == "admonition" and opening.group(4).strip().startswith("Origin:"):
                code_fence = marker  # the essay's words: skipped like code
            elif name is not None and name not in _CODE_DIRECTIVES:
                directives.append(marker)
            else:
                code_fence = marker
            continue
        if not stripped or _OPTION.match(stripped) or stripped.startswith("#"):
            close()
            continue
        if not current:
            first = number
        current.append(stripped)
    close()
    return blocks


def _sentences_with_numbers(block: list[str]) -> list[str]:
    """The lines (one sentence per line) of a block that state a percentage or a multiple."""
    found = []
    for line in block:
        if line.startswith("%"):
            continue
        prose = _NOT_PROSE.sub(" ", line)
        if _PERCENTAGE.search(prose) or _MULTIPLE.search(prose):
            found.append(line)
    return found


def _uncited_numbers(text: str) -> list[tuple[int, str]]:
    """(line, sentence) for every number-stating sentence its paragraph leaves unsourced."""
    problems = []
    for first, block in _paragraphs(text):
        if _CONVENTION.match(block[0]) or any(_CITE.search(line) for line in block):
            continue
        problems += [(first + block.index(s), s) for s in _sentences_with_numbers(block)]
    return problems


def test_the_number_rule_reads_paragraphs_as_the_brief_defines_them():
    """The checker itself, on text made for it: what is flagged, what is exempt."""
    lines = [
        "---",
        "owner: x",
        "---",
        "A claim of 40% with no source.",
        "",
        "A claim of 40% with a source.",
        "Its citation is on the next line {cite:p}`key`.",
        "",
        "% convention: the handbook's own arithmetic",
        "Two teams of four is twice the size of one team of four.",
        "",
        "It runs three times a week.",
        "It costs three times as much.",
        "",
        "```yaml",
        "share: 40%  # code is not prose",
        "```",
        "",
        "```{admonition} Case: X, a thing (2020)",
        ":class: case",
        "",
        "Inside a box, 5x faster and unsourced {cite:p}`key`.",
        "```",
        "Outside the box, 5x faster and unsourced.",
        "",
        "See `50%` in code, https://example.org/a%20b, or a 3 times table.",
        "",
        "## Where 90% comes from",
        "",
        "```{admonition} Origin: the essay",
        ":class: origin dropdown",
        "",
        "With 90% of models failing, the essay says.",
        "```",
        "",
        "Scored by five-fold cross-validation, it was a ten-fold gain.",
    ]
    text = "\n".join(lines)
    assert _uncited_numbers(text) == [
        (4, "A claim of 40% with no source."),
        (13, "It costs three times as much."),
        (24, "Outside the box, 5x faster and unsourced."),
        (36, "Scored by five-fold cross-validation, it was a ten-fold gain."),
    ]


@pytest.mark.parametrize("path", PROSE_PAGES, ids=_page)
def test_every_percentage_or_multiple_is_cited_in_its_paragraph(path):
    problems = [
        f"{_page(path)}:{line}: {sentence}"
        for line, sentence in _uncited_numbers(path.read_text(encoding="utf-8"))
    ]
    assert not problems, (
        "sentences stating a percentage or a multiple, in a paragraph with no {cite:...} "
        "and no '% convention: ...' line above it (WRITERS.md, 'Numbers need citations'):\n"
        + "\n".join(problems)
    )


def _admonitions(text: str) -> list[tuple[int, str, list[str]]]:
    """Each admonition as (line number, title, lines of its body including options)."""
    found, lines = [], text.splitlines()
    index = 0
    while index < len(lines):
        match = re.match(r"^(`{3,}|:{3,})\{admonition\}\s*(.*)$", lines[index].strip())
        if not match:
            index += 1
            continue
        marker, title, body = match.group(1), match.group(2).strip(), []
        start = index + 1
        index += 1
        while index < len(lines) and lines[index].strip() != marker:
            body.append(lines[index])
            index += 1
        found.append((start, title, body))
        index += 1
    return found


def _classes(body: list[str]) -> set[str]:
    for line in body:
        if line.strip().startswith(":class:"):
            return set(line.split(":class:", 1)[1].split())
    return set()


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_origin_passage_is_collapsed(name):
    origins = [
        (line, classes)
        for line, _, body in _admonitions(_text(name))
        if "origin" in (classes := _classes(body))
    ]
    assert origins, f"book/{name}.md has no origin admonition"
    for line, classes in origins:
        assert "dropdown" in classes, (
            f"book/{name}.md:{line}: the origin admonition needs ':class: origin dropdown' "
            f"so the chapter opens with its own first paragraph; it has {sorted(classes)}"
        )


def _case_problems(path: Path) -> list[str]:
    problems = []
    for line, title, body in _admonitions(path.read_text(encoding="utf-8")):
        is_case = title.startswith("Case:") or "case" in _classes(body)
        if not is_case:
            continue
        where = f"{_page(path)}:{line}"
        if not _CASE_TITLE.match(title):
            problems.append(
                f"{where}: title {title!r} is not 'Case: <organisation>, <what> (<year>)'"
            )
        if "case" not in _classes(body):
            problems.append(f"{where}: the case box needs ':class: case'")
        starts = [
            next((i for i, text in enumerate(body) if text.startswith(f"**{lead_in}**")), None)
            for lead_in in CASE_LEAD_INS
        ]
        missing = [lead_in for lead_in, at in zip(CASE_LEAD_INS, starts, strict=True) if at is None]
        if missing:
            problems.append(f"{where}: lead-ins missing at the start of a line: {missing}")
        elif starts != sorted(starts):
            problems.append(f"{where}: lead-ins out of order; they must be {CASE_LEAD_INS}")
        if not any(_CITE.search(text) for text in body):
            problems.append(f"{where}: the case cites no source")
    return problems


@pytest.mark.parametrize("path", BOOK_PAGES, ids=_page)
def test_every_case_box_has_the_four_lead_ins_and_a_source(path):
    problems = _case_problems(path)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", PILLARS)
def test_pillar_chapter_tells_at_least_one_real_case(name):
    pages = [name, *SUB_PAGES[name]]
    cases = [
        (page, title)
        for page in pages
        for _, title, body in _admonitions(_text(page))
        if title.startswith("Case:") and "case" in _classes(body)
    ]
    assert cases, (
        f"no 'Case:' admonition with ':class: case' in {[f'book/{page}.md' for page in pages]}"
    )


def _download_targets(path: Path, text: str | None = None) -> list[Path]:
    """The files a page (or a part of it) links with {download}, resolved as Sphinx does."""
    if text is None:
        text = path.read_text(encoding="utf-8")
    targets = []
    for link in _DOWNLOAD.findall(text):
        target = link.strip()
        base = REPO if target.startswith("/") else path.parent
        targets.append((base / target.lstrip("/")).resolve())
    return targets


def test_every_template_file_is_linked_for_download():
    files = sorted(path.resolve() for path in TEMPLATES.glob("*") if path.is_file())
    linked = {target for page in PROSE_PAGES for target in _download_targets(page)}
    unlinked = [_page(path) for path in files if path not in linked]
    assert not unlinked, (
        f"files in book/templates/ that no page links with {{download}}: {unlinked}"
    )


@pytest.mark.parametrize("path", BOOK_PAGES, ids=_page)
def test_every_template_section_offers_its_file_for_download(path):
    text = path.read_text(encoding="utf-8")
    problems = []
    for heading in _headings(text, 2):
        if not heading.startswith("Template:"):
            continue
        section = text.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
        targets = _download_targets(path, section)
        if not targets:
            problems.append(f"{_page(path)}: '## {heading}' has no {{download}} link")
        problems += [
            f"{_page(path)}: '## {heading}' links a missing file {target}"
            for target in targets
            if not target.is_file()
        ]
    assert not problems, "\n".join(problems)


def test_every_template_file_names_its_page_and_licence():
    files = sorted(TEMPLATES.glob("*.md"))
    assert files, "book/templates/ holds no template; every '## Template:' section needs one"
    problems = []
    for path in files:
        header = path.read_text(encoding="utf-8").splitlines()[0]
        linking = [page for page in PROSE_PAGES if path.resolve() in _download_targets(page)]
        if "CC BY 4.0" not in header:
            problems.append(f"{_page(path)}:1 does not state the CC BY 4.0 licence: {header!r}")
        if not any(
            page.stem in header or _title(page).lower() in header.lower() for page in linking
        ):
            problems.append(
                f"{_page(path)}:1 does not name the page it comes from "
                f"(linked from {[_page(page) for page in linking]}): {header!r}"
            )
    assert not problems, "\n".join(problems)


def _title(path: Path) -> str:
    headings = _headings(path.read_text(encoding="utf-8"), 1)
    return headings[0] if headings else path.stem


def test_pillar_chapters_are_the_seven_pillars_without_their_sub_pages():
    assert len(PILLARS) == 7
    for name in PILLARS:
        assert all(page not in PILLARS for page in SUB_PAGES[name])
