"""Tasks for building, testing and checking The ML Organization Handbook.

Run ``nox -l`` to list sessions; ``nox`` alone runs the default ones
(``lint``, ``tests`` and ``docs``).
Every session installs from the committed lock files in ``requirements/``,
so a build today and a build next year resolve the same packages;
``nox -s lock`` regenerates them.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import nox

nox.needs_version = ">=2025.2.9"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_venv = "yes"
# A missing Python 3.11 is an error, never a silently skipped session; nox
# downloads a standalone 3.11 with uv when the machine lacks one.
nox.options.error_on_missing_interpreters = True

ROOT = Path(__file__).parent
PYPROJECT = nox.project.load_toml(ROOT / "pyproject.toml")
PYTHON = "3.11"
LOCK = ROOT / "requirements" / "constraints.txt"
JB_LOCK = ROOT / "requirements" / "jupyter-book.txt"
BUILD = ROOT / "_build"
HTML = BUILD / "html"

# One place for the sphinx-build invocation: the source directory is the
# repository root (so `_toc.yml` can list `book/` and `examples/`), the
# configuration lives in `book/`.
SPHINX_ARGS = ["-c", "book", "."]
# Warnings are errors, cross-references are checked (-n), every warning is
# reported before failing (--keep-going), tracebacks are shown (-T).
STRICT = ["-W", "-n", "--keep-going", "-T"]


def _install(
    session: nox.Session, *groups: str, lock: Path = LOCK, extras: tuple[str, ...] = ()
) -> None:
    """Install the project (with ``extras``) and the given dependency groups, pinned by a lock file."""
    session.install(
        "-c",
        str(lock),
        *nox.project.dependency_groups(PYPROJECT, *groups),
        "-e",
        f".[{','.join(extras)}]" if extras else ".",
    )


# The data check's other engines (issue 14): the tests and benchmarks run them.
ENGINES = ("spark", "polars")


@nox.session(python=PYTHON, default=True)
def lint(session: nox.Session) -> None:
    """Ruff (lint and format check) over everything, mypy --strict over src/."""
    _install(session, "lint", extras=ENGINES)  # mypy reads pyspark and polars types
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy")


@nox.session(python=PYTHON, default=True)
def tests(session: nox.Session) -> None:
    """Unit, doctest and book tests (the book test builds and executes everything).

    Pass pytest options after ``--``, e.g. ``nox -s tests -- -m "not book"``.
    """
    _install(session, "test", extras=ENGINES)
    session.run("pytest", *session.posargs)


@nox.session(python=PYTHON, default=True)
def docs(session: nox.Session) -> None:
    """Build the handbook as HTML into _build/html, executing every notebook.

    Warnings are errors. Notebooks are cached by jupyter-cache in
    _build/.jupyter_cache, so only changed notebooks are re-executed.
    ``nox -s docs -- --fresh`` deletes the HTML, the executed notebooks and
    their cache first (other builds in _build, such as versions, are kept).
    """
    parser = argparse.ArgumentParser(prog="nox -s docs")
    parser.add_argument("--fresh", action="store_true", help="rebuild and re-execute everything")
    args, sphinx_extra = parser.parse_known_args(session.posargs)
    if args.fresh:
        for leftover in (HTML, BUILD / "jupyter_execute", BUILD / ".jupyter_cache"):
            if leftover.exists():
                shutil.rmtree(leftover)
    _install(session, "docs")
    session.run(
        "sphinx-build",
        "-b",
        "html",
        *STRICT,
        *SPHINX_ARGS,
        str(HTML),
        *sphinx_extra,
    )
    session.log(f"Open the handbook at file://{HTML / 'index.html'}")


@nox.session(name="docs-live", python=PYTHON, default=False)
def docs_live(session: nox.Session) -> None:
    """Serve the handbook on http://127.0.0.1:8000 and rebuild on every save."""
    _install(session, "docs-live")
    session.run(
        "sphinx-autobuild",
        *SPHINX_ARGS,
        str(HTML),
        "--watch",
        "src",
        "--ignore",
        "*/.jupyter_cache/*",
        "--ignore",
        "*/jupyter_execute/*",
        *session.posargs,
    )


@nox.session(name="docs-versions", python=PYTHON, default=False)
def docs_versions(session: nox.Session) -> None:
    """Build main and every release tag (vX.Y.Z) into _build/versions/<name>/ with a version switcher.

    Each version gets its own environment from its own lock file, so old
    versions' notebooks run with their own code. Pass ``-- --base-url /`` to
    preview locally (``python -m http.server -d _build/versions``).
    """
    _install(session, "docs")
    session.install("-c", str(LOCK), "uv")
    base_url = (
        "/" + PYPROJECT["project"]["urls"]["Documentation"].split("://", 1)[1].split("/", 1)[1]
    )
    session.run(
        "python",
        "-m",
        "mlorg.sphinxext.versions",
        "--out",
        str(BUILD / "versions"),
        "--base-url",
        base_url,
        "--uv",
        str(Path(session.bin) / "uv"),
        *session.posargs,
    )


@nox.session(python=PYTHON, default=False)
def review(session: nox.Session) -> None:
    """List chapters whose last review is older than handbook_review_months, with owners.

    ``nox -s review -- --check`` fails when one is overdue (for a scheduled job).
    """
    _install(session)
    session.run("python", "-m", "mlorg.sphinxext.freshness", "book/conf.py", *session.posargs)


@nox.session(python=PYTHON, default=False)
def linkcheck(session: nox.Session) -> None:
    """Check every external link (needs the internet; CI runs it weekly)."""
    _install(session, "docs")
    session.run(
        "sphinx-build",
        "-b",
        "linkcheck",
        "-D",
        "nb_execution_mode=off",
        *SPHINX_ARGS,
        str(BUILD / "linkcheck"),
        *session.posargs,
    )


@nox.session(python=PYTHON, default=False)
def notebooks(session: nox.Session) -> None:
    """Export the example notebooks as .ipynb, with their data, into _build/notebooks (for Colab)."""
    _install(session, "docs")
    out = BUILD / "notebooks"
    if out.exists():
        shutil.rmtree(out)
    session.run("python", "-m", "mlorg.sphinxext.launch", "examples", str(out))


@nox.session(name="jupyter-book", python=PYTHON, default=False)
def jupyter_book(session: nox.Session) -> None:
    """Compatibility build with the Jupyter Book 1.x CLI (Sphinx 7), own environment.

    Its ``_config.yml`` is generated from book/conf.py into _build/jupyter-book,
    so there is one hand-maintained configuration.
    """
    _install(session, "jupyter-book", lock=JB_LOCK)
    out = BUILD / "jupyter-book"
    out.mkdir(parents=True, exist_ok=True)
    config = out / "_config.yml"
    session.run("python", "-m", "mlorg.sphinxext.jupyter_book", "book/conf.py", str(config))
    session.run(
        "jupyter-book",
        "build",
        ".",
        "--config",
        str(config),
        "--toc",
        "_toc.yml",
        "--path-output",
        str(out),
        "-W",
        "-n",
        "--keep-going",
        *session.posargs,
    )
    session.log(f"Jupyter Book 1.x HTML at file://{out / '_build' / 'html' / 'index.html'}")


@nox.session(python=PYTHON, default=False)
def bench(session: nox.Session) -> None:
    """Run the benchmarks in benchmarks/: ``nox -s bench`` (all) or ``nox -s bench -- datacheck``.

    Each prints a table and writes JSON to benchmarks/results/<name>.json,
    with the machine it ran on.
    """
    _install(session, "bench", extras=ENGINES)
    available = sorted(p.stem for p in (ROOT / "benchmarks").glob("bench_*.py"))
    names = [f"bench_{n.removeprefix('bench_')}" for n in session.posargs] or available
    unknown = sorted(set(names) - set(available))
    if unknown:
        session.error(f"unknown benchmark(s) {unknown}; available: {available}")
    for name in names:
        out = ROOT / "benchmarks" / "results" / f"{name.removeprefix('bench_')}.json"
        session.run("python", f"benchmarks/{name}.py", "--json", str(out))


@nox.session(python=PYTHON, default=False)
def lock(session: nox.Session) -> None:
    """Regenerate the lock files in requirements/ from pyproject.toml (needs uv)."""
    session.install("uv")
    common = ["uv", "pip", "compile", "--universal", "--python-version", PYTHON, "--quiet"]
    session.run(
        *common,
        "pyproject.toml",
        "--all-extras",
        *(f"--group={g}" for g in ("dev", "docs-live", "bench")),
        "-o",
        str(LOCK.relative_to(ROOT)),
        *session.posargs,
    )
    session.run(
        *common,
        "pyproject.toml",
        "--group=jupyter-book",
        "-o",
        str(JB_LOCK.relative_to(ROOT)),
        *session.posargs,
    )
