"""Shared helpers: building the book, or a small throwaway book, with Sphinx."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

# tests/data holds fixture files that tests read (a sample monorepo whose Python
# files import packages that are not installed, one of them on purpose not valid
# Python); pytest must not collect or import them.
collect_ignore = ["data"]
BOOK = REPO / "book"


@dataclass(frozen=True)
class Build:
    """The result of one ``sphinx-build`` run."""

    returncode: int
    output: str
    warnings: str
    outdir: Path


def _sphinx_build(srcdir: Path, builddir: Path, *extra: str, strict: bool = True) -> Build:
    """Build ``srcdir`` with the configuration in ``srcdir/book`` as ``nox -s docs`` does.

    Runs in a subprocess, since the configuration folder differs from the
    source folder, which ``sphinx.testing.SphinxTestApp`` cannot express, and
    so that each build gets fresh extension state and kernels.
    """
    outdir = builddir / "html"
    warnings = builddir / "warnings.log"
    flags = ["-W", "-n", "--keep-going"] if strict else ["-n", "--keep-going"]
    command = [sys.executable, "-m", "sphinx", "-b", "html", *flags, "-w", str(warnings)]
    command += ["-c", str(srcdir / "book"), str(srcdir), str(outdir), *extra]
    result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=900)
    return Build(
        returncode=result.returncode,
        output=result.stdout + result.stderr,
        warnings=warnings.read_text(encoding="utf-8") if warnings.exists() else "",
        outdir=outdir,
    )


#: What the browser tests need beyond Python, and how to get it.
_BROWSER_NEEDS = {
    Path("/usr/bin/chromium"): "apt-get install -y chromium",
    REPO / "tools" / "audit" / "node_modules" / "axe-core" / "axe.min.js": (
        "npm ci --prefix tools/audit"
    ),
}


def java() -> str | None:
    """The Java runtime a local Spark would start (``$JAVA_HOME/bin/java``, else ``java`` on PATH)."""
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").is_file():
        return str(Path(home) / "bin" / "java")
    return shutil.which("java")


def _missing_services() -> dict[str, str]:
    """Marker -> why its tests cannot run here, for the system programs a marker needs."""
    why: dict[str, str] = {}
    missing = [fix for path, fix in _BROWSER_NEEDS.items() if not path.exists()]
    if missing:
        why["browser"] = (
            f"browser test: needs Chromium and axe-core; run `{'` and `'.join(missing)}` first"
        )
    if java() is None:
        why["spark"] = (
            "spark test: needs a Java runtime (java on PATH or $JAVA_HOME); "
            "run `apt-get install -y openjdk-17-jre-headless` first"
        )
    from tracking_server import why_no_postgres

    no_postgres = why_no_postgres()
    if no_postgres is not None:
        why["server"] = f"server test: {no_postgres}"
    return why


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:  # noqa: ARG001  (pytest's hook signature)
    """Skip the browser, Spark and server tests, saying what to install, where it is missing.

    A newcomer with only Python gets them skipped with that reason; where
    Chromium and axe-core, Java and PostgreSQL are installed (CI installs
    them) they run in the default run. Only a missing system program skips
    them: anything else that stops them (a Python package, a server that
    does not start) fails them.
    """
    why = _missing_services()
    for item in items:
        for marker, reason in why.items():
            if marker in item.keywords:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def sphinx_build() -> Callable[..., Build]:
    """Return the function that runs ``sphinx-build`` (see ``_sphinx_build``)."""
    return _sphinx_build


@pytest.fixture(scope="session")
def handbook() -> Build:
    """The whole handbook, built once per test run, as ``nox -s docs`` builds it.

    Every book test reads this one build. It goes where ``nox -s docs``
    writes (``_build/html``) and shares its notebook cache, so a test run
    and a docs build never execute the same notebooks twice: whichever runs
    second only re-executes notebooks whose code changed. Every page is read
    again (``-E``), so the warnings it reports are the whole book's, not only
    those of the pages changed since the last build.
    """
    return _sphinx_build(REPO, REPO / "_build", "-E", "-T")


@pytest.fixture(scope="session")
def notebook_header() -> str:
    """Return the front matter that makes a Markdown file a MyST notebook."""
    return _NOTEBOOK_HEADER


_NOTEBOOK_HEADER = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
"""


@pytest.fixture
def throwaway_book(tmp_path: Path) -> Callable[[dict[str, str]], Path]:
    """Return a function that writes a small book using the handbook's real configuration.

    It takes ``{relative path: text}``; ``_toc.yml`` lists the given pages
    unless one is passed explicitly.
    """

    def make(pages: dict[str, str]) -> Path:
        src = tmp_path / "src"
        shutil.copytree(BOOK, src / "book", ignore=shutil.ignore_patterns("*.md"))
        pages = {"book/index.md": "# Home\n\nA throwaway book.\n", **pages}
        if "_toc.yml" not in pages:
            chapters = "".join(
                f"  - file: {name.removesuffix('.md')}\n"
                for name in pages
                if name != "book/index.md"
            )
            pages["_toc.yml"] = f"format: jb-book\nroot: book/index\nchapters:\n{chapters}"
        for name, text in pages.items():
            path = src / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return src

    return make
