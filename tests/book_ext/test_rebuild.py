"""handbook.rebuild (book/_ext): a rebuild skips repeated work and still gives the right pages."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

EXT = Path(__file__).resolve().parents[2] / "book" / "_ext"

#: What a build imports only to execute a notebook, draw a social card or write math.
_HEAVY = ("sqlalchemy", "matplotlib", "nbclient", "latex2mathml")


def _imported_after(code: str, stand_ins: bool = True) -> list[str]:
    """The heavy modules imported by ``code``, run in a fresh Python (with the stand-ins in place)."""
    setup = "rebuild.setup(SimpleNamespace(connect=lambda *args, **kwargs: None))\n"
    script = (
        "import sys\n"
        f"sys.path.insert(0, {str(EXT)!r})\n"
        "from types import SimpleNamespace\n"
        "from handbook import rebuild\n"
        f"{setup if stand_ins else ''}"
        f"{code}\n"
        f"print(sorted(name for name in {_HEAVY!r} if name in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return ast.literal_eval(result.stdout.strip().splitlines()[-1])


_LOAD = "import myst_nb.sphinx_ext, sphinxext.opengraph, handbook.execution, handbook.html"


def test_loading_the_extensions_imports_nothing_heavy():
    assert _imported_after(_LOAD) == []
    # Without the stand-ins, the same imports load SQLAlchemy, matplotlib and nbclient.
    assert set(_imported_after(_LOAD, stand_ins=False)) >= {"sqlalchemy", "matplotlib", "nbclient"}


def test_a_stand_in_gives_the_real_thing_when_called():
    code = (
        "import logging, nbformat\n"
        "from myst_nb.core.config import NbParserConfig\n"
        "from myst_nb.core.execute import create_client\n"
        "client = create_client(nbformat.v4.new_notebook(), 'x.md',"
        " NbParserConfig(execution_mode='cache'), logging.getLogger('x'))\n"
        "assert type(client).__module__ == 'myst_nb.core.execute.cache', type(client)\n"
        "assert type(client).__name__ == 'NotebookClientCache', type(client)\n"
        "from sphinxext.opengraph import DEFAULT_SOCIAL_CONFIG\n"
        "cards = rebuild._real(rebuild._SOCIAL_CARDS)\n"
        "assert DEFAULT_SOCIAL_CONFIG == cards.DEFAULT_SOCIAL_CONFIG, DEFAULT_SOCIAL_CONFIG\n"
    )
    assert set(_imported_after(code)) >= {"sqlalchemy", "matplotlib"}


_BIB = """@book{alpha2020,
  author = {Alpha, Ann},
  title = {The First Title},
  publisher = {Press},
  year = {2020}
}

@book{beta2021,
  author = {Beta, Bob},
  title = {Another Book},
  publisher = {Press},
  year = {2021}
}
"""


@pytest.mark.book
def test_bibliography_follows_bib_edits_and_new_citations(throwaway_book, sphinx_build, tmp_path):
    src = throwaway_book(
        {
            "book/references.bib": _BIB,
            "examples/claims.md": "# Claims\n\nA claim {cite:p}`alpha2020`.\n",
            "book/bibliography.md": "# Bibliography\n\n```{bibliography}\n```\n",
            "_toc.yml": (
                "format: jb-book\nroot: book/index\nchapters:\n"
                "  - file: examples/claims\n  - file: book/bibliography\n"
            ),
        }
    )
    build_dir = tmp_path / "_build"
    bibliography = build_dir / "html" / "book" / "bibliography.html"

    def build() -> str:
        result = sphinx_build(src, build_dir, "-D", "nb_execution_mode=off")
        assert result.returncode == 0, result.output
        return bibliography.read_text(encoding="utf-8")

    first = build()
    assert "The First Title" in first
    assert "Another Book" not in first  # only cited entries are listed

    # A no-op rebuild keeps the formatted citations, and writes no page:
    # neither a document nor the search page.
    search = build_dir / "html" / "search.html"
    written, searched = bibliography.stat().st_mtime_ns, search.stat().st_mtime_ns
    assert build() == first
    assert bibliography.stat().st_mtime_ns == written
    assert search.stat().st_mtime_ns == searched
    claims = (build_dir / "html" / "examples" / "claims.html").read_text(encoding="utf-8")
    assert "Alpha, 2020" in claims

    # A .bib edit: the bibliography shows the new title.
    bib = src / "book" / "references.bib"
    time.sleep(1)  # a new modification time, which is how the .bib edit is noticed
    bib.write_text(_BIB.replace("The First Title", "The Corrected Title"), encoding="utf-8")
    os.utime(bib)
    edited = build()
    assert "The Corrected Title" in edited
    assert "The First Title" not in edited
    # A build that wrote a page renders the search page again.
    assert search.stat().st_mtime_ns != searched

    # A new citation on another page: the bibliography lists it too.
    page = src / "examples" / "claims.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nAnd {cite:t}`beta2021`.\n")
    cited = build()
    assert "Another Book" in cited
    assert "The Corrected Title" in cited
    claims = (build_dir / "html" / "examples" / "claims.html").read_text(encoding="utf-8")
    assert "Beta" in claims
    assert "2021" in claims
