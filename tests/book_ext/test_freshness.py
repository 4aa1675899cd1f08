"""handbook.freshness (book/_ext): chapters declare owner, last review and status."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from handbook.freshness import (
    ChapterFreshness,
    chapter_docnames,
    is_overdue,
    main,
    read_freshness,
    review_due,
)
from mlorg.errors import InputError

GOOD = "---\nowner: ML platform lead\nlast_reviewed: 2026-11-26\nstatus: stable\n---\n\n# A chapter\n\nText.\n"


def _chapter(tmp_path: Path, front_matter: str) -> Path:
    path = tmp_path / "chapter.md"
    path.write_text(f"---\n{front_matter}---\n\n# A chapter\n", encoding="utf-8")
    return path


def test_reads_a_valid_chapter(tmp_path):
    path = tmp_path / "chapter.md"
    path.write_text(GOOD, encoding="utf-8")
    assert read_freshness(path) == ChapterFreshness(
        "ML platform lead", date(2026, 11, 26), "stable"
    )


@pytest.mark.parametrize(
    ("front_matter", "message"),
    [
        ("last_reviewed: 2026-11-26\nstatus: stable\n", "field 'owner' is missing"),
        ("owner: Head of ML\nstatus: stable\n", "field 'last_reviewed' is missing"),
        ("owner: Head of ML\nlast_reviewed: 2026-11-26\n", "field 'status' is missing"),
        (
            "owner: ''\nlast_reviewed: 2026-11-26\nstatus: stable\n",
            "'owner' must name a role or team",
        ),
        (
            "owner: [a, b]\nlast_reviewed: 2026-11-26\nstatus: stable\n",
            "'owner' must name a role or team",
        ),
        (
            "owner: Head of ML\nlast_reviewed: 26/11/2026\nstatus: stable\n",
            "'last_reviewed' must be a date",
        ),
        (
            "owner: Head of ML\nlast_reviewed: 2026-13-01\nstatus: stable\n",
            "'last_reviewed' must be a date",
        ),
        ("owner: Head of ML\nlast_reviewed: 2026-11-26\nstatus: done\n", "'status' must be one of"),
        (
            "owner: Head of ML\nlast_reviewed: [2026\nstatus: stable\n",
            "front matter is not valid YAML (line",
        ),
    ],
)
def test_malformed_front_matter_is_an_error_naming_the_file(tmp_path, front_matter, message):
    with pytest.raises(InputError, match=r"^book/chapter\.md: ") as error:
        read_freshness(_chapter(tmp_path, front_matter), "book/chapter.md")
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_chapter_without_front_matter_is_missing_its_owner(tmp_path):
    path = tmp_path / "chapter.md"
    path.write_text("# A chapter\n", encoding="utf-8")
    with pytest.raises(InputError, match="field 'owner' is missing"):
        read_freshness(path)


@pytest.mark.parametrize(
    ("reviewed", "months", "due"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 11, 26), 12, date(2026, 11, 26)),
        (date(2025, 6, 15), 18, date(2026, 12, 15)),
    ],
)
def test_review_due(reviewed, months, due):
    assert review_due(ChapterFreshness("o", reviewed, "stable"), months) == due


def test_overdue_only_after_the_due_date():
    freshness = ChapterFreshness("o", date(2025, 11, 26), "stable")
    assert not is_overdue(freshness, 12, date(2026, 11, 26))
    assert is_overdue(freshness, 12, date(2026, 11, 27))


def test_chapter_docnames():
    names = ["book/index", "book/team", "book/glossary", "examples/org-graph"]
    assert chapter_docnames(names, ["book/*"], ["book/index", "book/glossary"]) == ["book/team"]


def _srcdir(tmp_path: Path, reviewed: str) -> Path:
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "conf.py").write_text(
        'handbook_chapters = ["book/*"]\nhandbook_chapters_exclude = ["book/index"]\nhandbook_review_months = 6\n',
        encoding="utf-8",
    )
    (tmp_path / "book" / "index.md").write_text("# Home\n", encoding="utf-8")
    (tmp_path / "book" / "team.md").write_text(
        f"---\nowner: Head of ML\nlast_reviewed: {reviewed}\nstatus: stable\n---\n# Team\n",
        encoding="utf-8",
    )
    return tmp_path


def test_review_command_lists_overdue_chapters_with_owners(tmp_path, monkeypatch, capsys):
    src = _srcdir(tmp_path, "2026-01-01")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795651200")  # 2026-11-26
    assert main([str(src / "book" / "conf.py"), "--srcdir", str(src)]) == 0
    out = capsys.readouterr().out
    assert "1 chapter(s) overdue" in out
    assert "book/team.md" in out
    assert "owner: Head of ML" in out
    assert main([str(src / "book" / "conf.py"), "--srcdir", str(src), "--check"]) == 1


def test_review_command_with_nothing_overdue(tmp_path, monkeypatch, capsys):
    src = _srcdir(tmp_path, "2026-11-01")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795651200")
    assert main([str(src / "book" / "conf.py"), "--srcdir", str(src), "--check"]) == 0
    assert "No chapter is overdue" in capsys.readouterr().out


def test_review_command_reports_a_malformed_chapter(tmp_path, capsys):
    src = _srcdir(tmp_path, "someday")
    with pytest.raises(SystemExit) as exit_info:
        main([str(src / "book" / "conf.py"), "--srcdir", str(src)])
    assert exit_info.value.code == 2
    line = capsys.readouterr().err.splitlines()[-1]
    assert line.startswith("python -m handbook.freshness: error: book/team.md: ")
    assert "front matter field 'last_reviewed' must be a date" in line


# -- in a real build -------------------------------------------------------------


@pytest.mark.book
def test_build_shows_owner_review_and_status(throwaway_book, sphinx_build, tmp_path):
    src = throwaway_book({"book/team.md": GOOD.replace("# A chapter", "# Team")})
    build = sphinx_build(src, tmp_path / "_build", "-D", "handbook_review_months=1200")
    assert build.returncode == 0, build.output[-3000:]
    page = (build.outdir / "book" / "team.html").read_text(encoding="utf-8")
    assert "ML platform lead" in page
    assert "Last reviewed: 2026-11-26" in page
    assert "chapter-status-stable" in page


@pytest.mark.book
def test_build_fails_on_malformed_front_matter_naming_the_file(
    throwaway_book, sphinx_build, tmp_path
):
    src = throwaway_book({"book/team.md": GOOD.replace("status: stable", "status: finished")})
    build = sphinx_build(src, tmp_path / "_build", strict=False)
    assert build.returncode != 0
    assert "book/team.md: front matter field 'status' must be one of" in build.output


@pytest.mark.book
def test_malformed_front_matter_still_fails_an_incremental_build(
    throwaway_book, sphinx_build, tmp_path
):
    src = throwaway_book({"book/team.md": GOOD.replace("status: stable", "status: finished")})
    first = sphinx_build(src, tmp_path / "_build", strict=False)
    again = sphinx_build(src, tmp_path / "_build", strict=False)  # nothing changed: not re-read
    assert first.returncode != 0
    assert again.returncode != 0
    assert "book/team.md: front matter field 'status' must be one of" in again.output


@pytest.mark.book
def test_overdue_review_is_flagged_but_does_not_fail_the_build(
    throwaway_book, sphinx_build, tmp_path, monkeypatch
):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795651200")  # 2026-11-26
    src = throwaway_book(
        {"book/team.md": GOOD.replace("2026-11-26", "2024-01-15").replace("# A chapter", "# Team")}
    )
    build = sphinx_build(src, tmp_path / "_build")  # -W: warnings are errors
    assert build.returncode == 0, build.output[-3000:]
    assert "review overdue: book/team.md was last reviewed 2024-01-15" in build.output
    assert "owner: ML platform lead" in build.output
    page = (build.outdir / "book" / "team.html").read_text(encoding="utf-8")
    assert "review overdue" in page


@pytest.mark.book
def test_notebook_chapter_with_an_unquoted_review_date_builds(
    throwaway_book, sphinx_build, tmp_path
):
    # YAML reads 2026-11-26 as a date, which notebook metadata (JSON) cannot hold.
    chapter = (
        "---\njupytext:\n  text_representation:\n    format_name: myst\n"
        "kernelspec:\n  display_name: Python 3\n  language: python\n  name: python3\n"
        "owner: Head of ML\nlast_reviewed: 2026-11-26\nstatus: draft\n---\n\n"
        "# Team\n\n```{code-cell} ipython3\nprint('figure goes here')\n```\n"
    )
    src = throwaway_book({"book/team.md": chapter})
    build = sphinx_build(src, tmp_path / "_build", "-D", "handbook_review_months=1200")
    assert build.returncode == 0, build.output[-3000:]
    page = (build.outdir / "book" / "team.html").read_text(encoding="utf-8")
    assert "Last reviewed: 2026-11-26" in page
    assert "figure goes here" in page
