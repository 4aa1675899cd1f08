"""Every pillar chapter has the handbook's shape, is sourced, and every source is cited.

The shape is a heading convention (see CONTRIBUTING.md, "Change a chapter"):
the essay's passage in an ``origin`` admonition, then these level-2 sections
in this order.
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


@pytest.mark.parametrize("name", CHAPTERS)
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
