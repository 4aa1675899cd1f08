"""A broken page or table of contents must stop the build, and say where it is."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.book


def test_broken_cross_reference_fails_the_build(throwaway_book, sphinx_build, tmp_path):
    src = throwaway_book({"pages/chapter.md": "# Chapter\n\nSee {doc}`no-such-chapter`.\n"})
    build = sphinx_build(src, tmp_path / "_build")
    assert build.returncode != 0
    assert "pages/chapter.md" in build.warnings
    assert "no-such-chapter" in build.warnings


def test_toc_naming_a_missing_file_fails_and_names_it(throwaway_book, sphinx_build, tmp_path):
    src = throwaway_book(
        {
            "_toc.yml": "format: jb-book\nroot: book/index\nchapters:\n  - file: book/missing-chapter\n"
        }
    )
    build = sphinx_build(src, tmp_path / "_build")
    assert build.returncode != 0
    assert "book/missing-chapter" in build.warnings
