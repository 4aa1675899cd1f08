"""Build ``main`` and every release tag of the handbook side by side.

``nox -s docs-versions`` runs this script (``python -m tools.versions``).
Each version is checked out into its own git worktree, gets its own environment installed from *its own* lock
file and package (so an old version's notebooks execute with that version's
``mlorg``), and is built into ``_build/versions/<name>/``. With ``--editions``
each version also gets its own PDF and EPUB (``handbook.pdf``,
``handbook.epub``, which its pages link to), made by that version's own
``tools/pdf.py`` and Sphinx builders; a version without that script gets
none, and says so. A ``switcher.json``
for the theme's version switcher and an ``index.html`` that redirects to the
latest release are written beside them.

Why a script and not a library:

- sphinx-multiversion builds every version with the *current* environment and
  code, so old versions' notebooks would run against today's toolkit.
- sphinx-polyversion (checked for this, December 2026; its PyPI description:
  "Isolated builds using venv, virtualenv or poetry") does build each
  version in an environment of its own. Adopting it was not a quick swap
  here, so it was not tried: it is configured by its own Python script and
  hands each build its version data through a loader called in ``conf.py``
  (``load(globals())``), which the release tags already published do not
  have; its environment drivers install a version with pip or poetry, while
  each version here must be installed with uv from *its own* lock file
  (``requirements/constraints.txt`` of that tag), which would need a driver
  of our own; and the theme's switcher reads ``switcher.json``, which it
  does not write.
- Read the Docs builds each version in its own environment and remains the
  production alternative (``.readthedocs.yaml``).

This is the small script for the same job on any static host.

Release tags are ``vX.Y.Z``; the version name shown for a tag is the tag.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "BuiltVersion",
    "build_versions",
    "main",
    "release_tags",
    "resolve_ref",
    "switcher_entries",
]

_RELEASE = re.compile(r"^v(\d+)\.(\d+)\.(\d+)$")
#: The dependency groups a version's environment needs to build the book.
DOCS_GROUPS = ("docs",)
#: ... and to make its PDF and EPUB editions (``--editions``).
EDITION_GROUPS = ("docs", "pdf")
#: The two editions, as the pages link them (book/conf.py's ``handbook_downloads``).
EDITION_FILES = ("handbook.pdf", "handbook.epub")


@dataclass(frozen=True)
class BuiltVersion:
    """One built version: its name (``main`` or a tag) and where its HTML is."""

    name: str
    html: Path


def release_tags(tags: Sequence[str]) -> list[str]:
    """Return the release tags (``vX.Y.Z``) among ``tags``, newest first.

    >>> release_tags(["v0.10.0", "v0.2.1", "draft", "v0.9.0-rc1", "v1.0.0"])
    ['v1.0.0', 'v0.10.0', 'v0.2.1']
    """
    releases = [tag for tag in tags if _RELEASE.match(tag)]
    return sorted(
        releases, key=lambda tag: tuple(int(n) for n in _RELEASE.findall(tag)[0]), reverse=True
    )


def switcher_entries(names: Sequence[str], base_url: str) -> list[dict[str, Any]]:
    """Return pydata-sphinx-theme's ``switcher.json`` entries for ``names``.

    The newest release is ``preferred`` (the banner on other versions points
    to it); without releases, ``main`` is.

    >>> switcher_entries(["main", "v0.2.0", "v0.1.0"], "/handbook/")  # doctest: +NORMALIZE_WHITESPACE
    [{'name': 'main (development)', 'version': 'main', 'url': '/handbook/main/'},
     {'name': '0.2.0 (latest)', 'version': 'v0.2.0', 'url': '/handbook/v0.2.0/', 'preferred': True},
     {'name': '0.1.0', 'version': 'v0.1.0', 'url': '/handbook/v0.1.0/'}]
    """
    base = base_url if base_url.endswith("/") else base_url + "/"
    releases = release_tags([n for n in names if n != "main"])
    preferred = releases[0] if releases else "main"
    entries: list[dict[str, Any]] = []
    for name in names:
        if name == "main":
            label = "main (development)"
        else:
            label = name.removeprefix("v") + (" (latest)" if name == preferred else "")
        entry: dict[str, Any] = {"name": label, "version": name, "url": f"{base}{name}/"}
        if name == preferred:
            entry["preferred"] = True
        entries.append(entry)
    return entries


def _git(repo: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        msg = f"git {' '.join(args)} failed in {repo}: {result.stderr.strip()}"
        raise RuntimeError(msg)
    return result.stdout


def resolve_ref(repo: Path, name: str) -> str:
    """Return the commit of branch or tag ``name``, also when only ``origin`` has the branch.

    A CI checkout of a tag has no local ``main`` branch, only ``origin/main``.
    """
    for candidate in (f"refs/heads/{name}", f"refs/remotes/origin/{name}", f"refs/tags/{name}"):
        result = subprocess.run(
            ["git", "rev-parse", "--verify", "--quiet", f"{candidate}^{{commit}}"],
            cwd=repo,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode == 0:
            return result.stdout.strip()
    msg = f"no branch or tag {name!r} in {repo}"
    raise RuntimeError(msg)


def _environment(source: Path, envdir: Path, uv: str, groups: Sequence[str] = DOCS_GROUPS) -> Path:
    """Create (or update) the environment for one checked-out version."""
    python = envdir / "bin" / "python"
    if not python.exists():
        subprocess.run([uv, "venv", "--quiet", "--python", sys.executable, str(envdir)], check=True)
    lock = source / "requirements" / "constraints.txt"
    constraints = ["-c", str(lock)] if lock.exists() else []
    options = [f"--group={source / 'pyproject.toml'}:{group}" for group in groups]
    command = [uv, "pip", "install", "--quiet", "--python", str(python), *constraints, *options]
    # Versions since the toolkit's extras install `mlorg[examples]`; older ones
    # had everything in the base install (and the notebooks' list in a group).
    extras = "[examples]" if _has_extra(source / "pyproject.toml", "examples") else ""
    subprocess.run([*command, "-e", f"{source}{extras}"], check=True)
    return python


def _has_extra(pyproject: Path, extra: str) -> bool:
    """Return whether the project in ``pyproject`` defines the optional extra ``extra``."""
    with pyproject.open("rb") as file:
        project = tomllib.load(file).get("project", {})
    return extra in project.get("optional-dependencies", {})


def _has_group(pyproject: Path, group: str) -> bool:
    """Return whether the project in ``pyproject`` defines the dependency group ``group``."""
    with pyproject.open("rb") as file:
        return group in tomllib.load(file).get("dependency-groups", {})


def _sphinx(python: Path, builder: str, builddir: Path, outdir: Path) -> list[str]:
    """The ``sphinx-build`` command line of one builder for one version (run in its source)."""
    command = [str(python), "-m", "sphinx", "-b", builder, "-W", "-n", "--keep-going", "-q"]
    # Doctrees outside the output, so they are not published with it (nor packed in the EPUB).
    command += ["-d", str(builddir / "doctrees" / builder), "-c", "book", ".", str(outdir)]
    return command


def _run(command: list[str], source: Path, env: dict[str, str], what: str) -> None:
    result = subprocess.run(command, cwd=source, env=env, check=False)
    if result.returncode != 0:
        msg = f"{what} failed with exit status {result.returncode}"
        raise RuntimeError(msg)


def _build_one(
    repo: Path,
    ref: str,
    name: str,
    work: Path,
    json_url: str,
    uv: str,
    chromium: str | None = None,
) -> Path:
    """Build one version's HTML (and, given ``chromium``, its editions) with its own code."""
    source = work / "src" / name
    if source.exists():
        _git(repo, "worktree", "remove", "--force", str(source))
    _git(repo, "worktree", "add", "--detach", str(source), resolve_ref(repo, ref))
    try:
        pdf_script = source / "tools" / "pdf.py"
        editions = chromium is not None and pdf_script.is_file()
        editions = editions and _has_group(source / "pyproject.toml", "pdf")
        groups = EDITION_GROUPS if editions else DOCS_GROUPS
        python = _environment(source, work / "envs" / name, uv, groups)
        builddir = work / "build" / name
        html = builddir / "html"
        env = {**os.environ, "HANDBOOK_VERSION_NAME": name, "HANDBOOK_SWITCHER_JSON": json_url}
        print(f"[versions] building {name} ({ref})", flush=True)
        _run(_sphinx(python, "html", builddir, html), source, env, f"the build of {name} ({ref})")
        for stale in EDITION_FILES:
            (html / stale).unlink(missing_ok=True)
        if chromium is not None and not editions:
            print(f"[versions] {name}: no tools/pdf.py or pdf group, so no PDF or EPUB", flush=True)
        if editions:
            assert chromium is not None
            print(f"[versions] the PDF and EPUB of {name}", flush=True)
            for builder in ("singlehtml", "epub"):
                what = f"the {builder} build of {name} ({ref})"
                _run(_sphinx(python, builder, builddir, builddir / builder), source, env, what)
            print_pdf = [str(python), str(pdf_script), str(builddir / "singlehtml")]
            print_pdf += [str(html / "handbook.pdf"), "--chromium", chromium]
            _run(print_pdf, source, env, f"printing the PDF of {name} ({ref})")
            epubs = sorted((builddir / "epub").glob("*.epub"))
            if len(epubs) != 1:
                msg = f"the epub build of {name} ({ref}) made {len(epubs)} .epub files, not one"
                raise RuntimeError(msg)
            shutil.copyfile(epubs[0], html / "handbook.epub")
        return html
    finally:
        _git(repo, "worktree", "remove", "--force", str(source))


def build_versions(
    repo: Path,
    outdir: Path,
    base_url: str,
    *,
    branch: str = "main",
    uv: str = "uv",
    work: Path | None = None,
    chromium: str | None = None,
) -> list[BuiltVersion]:
    """Build ``branch`` and every release tag of ``repo`` into ``outdir/<name>/``.

    Given ``chromium`` (a Chromium or Chrome binary), each version's PDF and
    EPUB are made too, by its own code, next to its HTML.

    Also writes ``outdir/switcher.json`` and ``outdir/index.html`` (a redirect
    to the preferred version); ``outdir`` then holds exactly what to publish.
    Work trees, environments and caches live in ``work`` (default: a
    ``<outdir>-work`` folder beside it) and are reused by the next run.
    """
    tags = release_tags(_git(repo, "tag", "--list").split())
    names = [branch, *tags]
    work = work or outdir.with_name(outdir.name + "-work")
    work.mkdir(parents=True, exist_ok=True)
    built = []
    for name in names:
        html = _build_one(repo, name, name, work, "../switcher.json", uv, chromium)
        target = outdir / name
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(html, target)
        built.append(BuiltVersion(name=name, html=target))
    entries = switcher_entries(names, base_url)
    (outdir / "switcher.json").write_text(json.dumps(entries, indent=2) + "\n", encoding="utf-8")
    preferred = next(e["version"] for e in entries if e.get("preferred"))
    (outdir / "index.html").write_text(
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="refresh" content="0; url={preferred}/">'
        f"<title>The ML Organization Handbook</title></head>"
        f'<body><a href="{preferred}/">The ML Organization Handbook, version {preferred}</a></body></html>\n',
        encoding="utf-8",
    )
    return built


def main(argv: Sequence[str] | None = None) -> int:
    """Command line of ``nox -s docs-versions``."""
    parser = argparse.ArgumentParser(
        prog="python -m tools.versions",
        description="Build main and every release tag (vX.Y.Z) side by side, with a version switcher.",
    )
    parser.add_argument("--repo", type=Path, default=Path(), help="the git repository (default: .)")
    parser.add_argument("--out", type=Path, default=Path("_build/versions"), help="output folder")
    parser.add_argument("--base-url", default="/", help="URL path the versions are served under")
    parser.add_argument("--branch", default="main", help="the development branch to build")
    parser.add_argument("--uv", default=shutil.which("uv") or "uv", help="the uv executable")
    parser.add_argument(
        "--editions",
        action="store_true",
        help="also make each version's PDF and EPUB with its own code (needs Chromium)",
    )
    parser.add_argument(
        "--chromium", default="/usr/bin/chromium", help="Chromium or Chrome binary for --editions"
    )
    args = parser.parse_args(argv)
    if args.editions and not Path(args.chromium).is_file():
        parser.error(f"--chromium {args.chromium}: no such file (apt-get install chromium)")
    try:
        built = build_versions(
            args.repo.resolve(),
            args.out.resolve(),
            args.base_url,
            branch=args.branch,
            uv=args.uv,
            chromium=args.chromium if args.editions else None,
        )
    except (RuntimeError, subprocess.CalledProcessError) as error:
        # A failed build, not unusable input: exit status 1, in argparse's words.
        print(f"{parser.prog}: error: {error}", file=sys.stderr)
        return 1
    for version in built:
        print(f"[versions] {version.name}: {version.html}")
    print(f"[versions] serve {args.out} and open {args.base_url}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
