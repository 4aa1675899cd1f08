"""Tasks for building, testing and checking The ML Organization Handbook.

Run ``nox -l`` to list sessions; ``nox`` alone runs the default ones
(``lint``, ``tests`` and ``docs``).
Every session installs from the committed lock files in ``requirements/``,
so a build today and a build next year resolve the same packages;
``nox -s lock`` regenerates them.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nox

nox.needs_version = ">=2025.2.9"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_venv = "yes"
# A Python that a session asks for and that cannot be found is an error,
# never a silently skipped session: sessions only ask for Pythons found below.
nox.options.error_on_missing_interpreters = True

ROOT = Path(__file__).parent
PYPROJECT = nox.project.load_toml(ROOT / "pyproject.toml")


def _pythons() -> list[str]:
    """The supported Pythons (3.11 to 3.13) this machine has, oldest first.

    A Python counts when ``pythonX.Y`` on PATH runs, or when pyenv has it
    installed (``$PYENV_ROOT/versions/X.Y.*``, also when pyenv is not on PATH
    or its shim for that version is not active). Those found only through
    pyenv are linked into ``.nox/.pythons``, which goes first on PATH, so nox
    finds them by their version like any other.
    """
    supported = ("3.11", "3.12", "3.13")
    links = ROOT / ".nox" / ".pythons"
    found = []
    for version in supported:
        name = f"python{version}"
        candidates = [shutil.which(name)]
        pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
        candidates += sorted(pyenv.glob(f"{version}.*/bin/{name}"), reverse=True)
        for candidate in filter(None, candidates):
            # A pyenv shim exists for every installed version but fails for
            # the inactive ones; running it is the only reliable check.
            probe = [str(candidate), "-c", "import sys; print(sys.version_info[:2])"]
            try:
                ok = subprocess.run(probe, capture_output=True, timeout=20, check=False)
            except OSError:
                continue
            if ok.returncode != 0:
                continue
            if Path(str(candidate)).parent != Path(str(shutil.which(name) or "")).parent:
                links.mkdir(parents=True, exist_ok=True)
                link = links / name
                link.unlink(missing_ok=True)
                link.symlink_to(candidate)
            found.append(version)
            break
    if links.is_dir() and str(links) not in os.environ["PATH"].split(os.pathsep):
        os.environ["PATH"] = f"{links}{os.pathsep}{os.environ['PATH']}"
    # Without any of them, ask for the one running nox: the session then
    # fails with nox's own clear "interpreter not found" message.
    return found or [f"{sys.version_info.major}.{sys.version_info.minor}"]


#: Oldest and newest supported Python found here: the test suite runs on both.
_FOUND = _pythons()
PYTHONS = list(dict.fromkeys([_FOUND[0], _FOUND[-1]]))
#: Every other session (and the book tests) runs on the oldest one.
PYTHON = PYTHONS[0]
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
    session: nox.Session,
    *groups: str,
    lock: Path = LOCK,
    extras: tuple[str, ...] = (),
    bytecode: bool = True,
) -> None:
    """Install ``mlorg[examples]`` plus ``extras``, and the given dependency groups, pinned.

    ``bytecode=False`` for a session that starts Python only a few times (lint),
    where compiling the whole environment costs more than it saves.
    """
    session.install(
        "-c",
        str(lock),
        *nox.project.dependency_groups(PYPROJECT, *groups),
        "-e",
        f".[{','.join(('examples', *extras))}]",
        # uv installs without bytecode, and where PYTHONDONTWRITEBYTECODE is set
        # (many containers and CI images) Python then compiles every imported
        # module from source in every process: 7 of the 9 s of CPU a no-op book
        # rebuild took, and the same again in every notebook kernel and every
        # command the tests run. pip compiles by default; this asks uv to.
        env={"UV_COMPILE_BYTECODE": "1"} if bytecode else {},
    )


# The data check's other engines (issue 14): the tests and benchmarks run them.
ENGINES = ("spark", "polars")


@nox.session(python=PYTHON, default=True)
def lint(session: nox.Session) -> None:
    """Every pre-commit hook on every file, ruff, mypy --strict, and zizmor over the workflows.

    The hooks (file hygiene, ruff, codespell, the JSON schemas of workflows,
    issue forms and .readthedocs.yaml, nbstripout) are all ``local`` hooks
    whose environments pre-commit installs from PyPI, so they run offline
    from GitHub; see .pre-commit-config.yaml.
    """
    # mypy reads pyspark and polars types
    _install(session, "lint", extras=ENGINES, bytecode=False)
    session.run("pre-commit", "run", "--all-files", "--show-diff-on-failure", "--color=never")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy")
    # GitHub Actions security audit (permissions, credentials, pinning); offline.
    session.run("zizmor", "--offline", ".github/workflows")


@nox.session(python=PYTHONS, default=True)
def tests(session: nox.Session) -> None:
    """Unit, doctest and book tests, on the oldest and the newest Python found.

    The book tests (one shared build of the whole handbook, plus small
    throwaway books) run on the oldest Python only, the one ``docs`` uses, so
    the book is not built twice. Pass pytest options after ``--``, e.g.
    ``nox -s tests -- -m "not book"``; ``nox -s tests-3.13`` picks one Python.
    The newer Python's default run installs no pyspark (it runs no Spark test);
    with pytest options it installs everything, so any test can be chosen.
    """
    args = list(session.posargs)
    subset = not args and session.python != PYTHON
    # PyPI has pyspark only as a source archive: uv builds it for each new
    # environment, 1.4 GB on disk each time (7.4 GB of uv's cache after one CI
    # run). The newer Python's default run deselects the Spark tests, so it goes without.
    extras = tuple(e for e in ENGINES if e != "spark") if subset else ENGINES
    _install(session, "test", extras=extras)
    if subset:
        session.log(
            f"The book, browser, Spark and server tests run on Python {PYTHON} only (tests-{PYTHON})."
        )
        args = ["-m", "not book and not browser and not spark and not server"]
    session.run("pytest", *args)


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
        "--watch",
        "book/_ext",
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
    preview locally (``python -m http.server -d _build/versions``), and
    ``-- --editions`` to give each version its own PDF and EPUB (needs
    Chromium; ``--chromium PATH`` for another binary), as the deploy does.
    """
    _install(session, "docs")
    session.install("-c", str(LOCK), "uv")
    base_url = (
        "/" + PYPROJECT["project"]["urls"]["Documentation"].split("://", 1)[1].split("/", 1)[1]
    )
    session.run(
        "python",
        "-m",
        "tools.versions",
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
    session.run(
        "python",
        "-m",
        "handbook.freshness",
        "book/conf.py",
        *session.posargs,
        env={"PYTHONPATH": str(ROOT / "book" / "_ext")},
    )


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
    session.run("python", "-m", "tools.export_notebooks", "examples", str(out))


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
    session.run("python", "-m", "tools.jupyter_book_config", "book/conf.py", str(config))
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


@nox.session(name="bench-build", python=PYTHON, default=False)
def bench_build(session: nox.Session) -> None:
    """Time the book build (clean, floor, each notebook, no-op, prose and code edits, Jupyter Book 1.x).

    Works on a copy of the repository; prints a table and writes
    benchmarks/results/build.json. ``nox -s bench-build -- --repeat 5`` for
    more runs per scenario; ``-- --only noop,prose`` for some scenarios only;
    ``-- --baseline main`` to measure main's book too, side by side.
    """
    _install(session, "docs")
    session.install("-c", str(LOCK), "uv")
    # The Jupyter Book 1.x build needs its own environment (it pins Sphinx 7).
    jb = Path(session.virtualenv.location + "-jupyter-book")
    if not (jb / "bin" / "jupyter-book").exists():
        session.run("uv", "venv", "--quiet", "--python", session.python or PYTHON, str(jb))
    groups = nox.project.dependency_groups(PYPROJECT, "jupyter-book")
    session.run(
        "uv",
        "pip",
        "install",
        "--quiet",
        "--python",
        str(jb / "bin" / "python"),
        "--compile-bytecode",
        "-c",
        str(JB_LOCK),
        *groups,
        "-e",
        ".[examples]",
    )
    session.run(
        "python",
        "benchmarks/bench_build.py",
        "--jupyter-book",
        str(jb / "bin" / "jupyter-book"),
        "--jupyter-book-python",
        str(jb / "bin" / "python"),
        *session.posargs,
    )


@nox.session(python=PYTHON, default=False)
def lock(session: nox.Session) -> None:
    """Regenerate the lock files in requirements/ from pyproject.toml (needs uv)."""
    session.install("uv")
    common = ["uv", "pip", "compile", "--universal", "--python-version", PYTHON, "--quiet"]
    common.append("--all-extras")
    session.run(
        *common,
        "pyproject.toml",
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


@nox.session(python=PYTHON, default=False)
def pdf(session: nox.Session) -> None:
    """The whole handbook as one PDF and as EPUB, into _build/html/handbook.pdf and .epub.

    No TeX: Sphinx's singlehtml build is printed by Chromium through Playwright
    (tools/pdf.py; needs /usr/bin/chromium, ``apt-get install chromium``), and
    the EPUB is Sphinx's own epub builder. Notebooks are not executed again:
    both builds read the jupyter-cache that ``nox -s docs`` filled (and fill
    it, if this runs first). Run after ``nox -s docs``: the files land next
    to the HTML that links to them. ``-- --out DIR`` writes them elsewhere
    (e.g. a version's folder in _build/versions); ``-- --chromium PATH`` uses
    another Chromium or Chrome binary.
    """
    parser = argparse.ArgumentParser(prog="nox -s pdf")
    parser.add_argument("--out", type=Path, default=HTML, help="folder for the two files")
    parser.add_argument("--chromium", default="/usr/bin/chromium", help="Chromium or Chrome binary")
    args = parser.parse_args(session.posargs)
    _install(session, "pdf")
    single, epub = BUILD / "singlehtml", BUILD / "epub"
    for builder, outdir in (("singlehtml", single), ("epub", epub)):
        # Doctrees outside the output, or the EPUB would try to pack them.
        doctrees = ["-d", str(BUILD / "doctrees" / builder)]
        session.run("sphinx-build", "-b", builder, *STRICT, *doctrees, *SPHINX_ARGS, str(outdir))
    args.out.mkdir(parents=True, exist_ok=True)
    pdf_file = str(args.out / "handbook.pdf")
    session.run("python", "tools/pdf.py", str(single), pdf_file, "--chromium", args.chromium)
    epubs = sorted(epub.glob("*.epub"))
    if len(epubs) != 1:
        session.error(f"expected one .epub in {epub}, found {[p.name for p in epubs]}")
    shutil.copyfile(epubs[0], args.out / "handbook.epub")
    size = (args.out / "handbook.epub").stat().st_size
    session.log(f"{args.out / 'handbook.epub'}: {size / 1024 / 1024:.1f} MiB")


AUDIT = ROOT / "tools" / "audit"


@nox.session(python=PYTHON, default=False)
def audit(session: nox.Session) -> None:
    """Lighthouse and axe on every page of the built handbook; fails below the targets.

    Needs ``nox -s docs`` first, Node.js with npm, and Chromium at
    /usr/bin/chromium (``apt-get install -y chromium``). Serves _build/html on
    127.0.0.1 with gzip and cache headers, prints the table, writes
    _build/audit.json. ``nox -s audit -- book/team`` audits only the pages named.
    """
    if not (HTML / "index.html").is_file():
        session.error(f"{HTML}: no built handbook; run `nox -s docs` first")
    session.install("-c", str(LOCK), *nox.project.dependency_groups(PYPROJECT, "browser"))
    installed = AUDIT / "node_modules" / ".package-lock.json"
    lock = AUDIT / "package-lock.json"
    if not installed.is_file() or installed.stat().st_mtime < lock.stat().st_mtime:
        session.run("npm", "ci", "--prefix", str(AUDIT), "--no-audit", "--no-fund", external=True)
    session.run(
        "python",
        str(AUDIT / "audit.py"),
        "--site",
        str(HTML),
        "--toc",
        str(ROOT / "_toc.yml"),
        "--json",
        str(BUILD / "audit.json"),
        *session.posargs,
    )
