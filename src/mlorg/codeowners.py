"""Build an org graph from a repository: ownership from CODEOWNERS, dependencies from imports.

Three inputs, all of which a team running a Python monorepo usually has:

* the repository's ``CODEOWNERS`` file, read with GitHub's rules (the last
  matching pattern decides a file's owners; ``docs/*`` does not reach into
  sub-folders) by the ``codeowners`` package;
* the repository itself: every regular Python package (a folder with an
  ``__init__.py``) is read, and the ``import`` statements of its files give
  the dependencies between components;
* ``TEAMS.yaml``: the teams, their types, the CODEOWNERS handles that stand
  for each team (``owners``), and the channels between teams. It is the
  org-graph YAML format of :func:`mlorg.orggraph.load_org` without the
  ``components`` section, which comes from the repository.

What is read, and what is left out:

* Files and folders that test, document, demonstrate or measure the code
  (:data:`DEFAULT_EXCLUDES`: ``tests``, ``docs``, ``examples``, ``scripts``,
  ``benchmarks``, ``test_*.py``, ...) are left out by default, and the notes
  say how many; ``include`` patterns read them again, ``exclude`` patterns
  leave out more (see :func:`matches`).
* A **package** is a folder with an ``__init__.py`` whose import name starts
  at the topmost such folder, or any folder below a **package root**: a
  folder the repository's packaging files declare (setuptools' ``where`` or
  ``package-dir``, a ``src`` layout; see :func:`source_roots`) or one the
  caller names. Below a root, folders need no ``__init__.py`` (namespace
  packages).
* CODEOWNERS paths are relative to the repository's root, which need not be
  the folder read: see :func:`repository_root`.

A **component** is a package named by the first ``depth`` parts of its import
name: with ``depth=1`` the whole top-level package ``acme`` is one component,
with ``depth=2`` ``acme.ranking`` and ``acme.features`` are two, and the
modules directly in ``acme`` belong to ``acme``. A component is always a
package, never a single module. Files outside any package (scripts, a
``tests`` folder without ``__init__.py``) belong to no component. A component
belongs to the team that owns most of its Python files (ties go to the team
listed first in ``TEAMS.yaml``); a file belongs to the team of the first owner
on its winning CODEOWNERS line that ``TEAMS.yaml`` maps to a team. Anything
the import cannot place is reported as a note, never dropped silently, and so
is every CODEOWNERS owner in no team and every team owner CODEOWNERS never
names (``mlorg`` instead of ``@mlorg``).

The dependency graph is read with the standard library's :mod:`ast`, not by
importing the code (:mod:`importlib`, :mod:`modulefinder`) and not with an
import-graph library such as grimp, which analyses packages that are
installed in the running environment: ``ast`` never executes the reader's
code, needs none of its dependencies, and works on any checkout. Every
``import`` counts, wherever it is in the file (inside a function or an
``if TYPE_CHECKING:`` block too): each one is a reason the two owning teams
must know about each other's changes.
"""

from __future__ import annotations

import ast
import configparser
import fnmatch
import os
import shlex
import tomllib
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from codeowners import CodeOwners, parse_owner

from mlorg._common import counted, did_you_mean, read_text
from mlorg._files import check_input_file, read_bytes
from mlorg.errors import InputError
from mlorg.orggraph import Component, Org, load_org

__all__ = [
    "DEFAULT_EXCLUDES",
    "ImportedComponent",
    "ImportedOrg",
    "SourceRoot",
    "import_org",
    "matches",
    "module_imports",
    "read_codeowners",
    "repository_root",
    "source_roots",
]

# Folders that never hold the repository's own code.
_SKIP_FOLDERS = {"__pycache__", "node_modules", "site-packages"}


def read_codeowners(path: str | os.PathLike[str]) -> CodeOwners:
    r"""Read a CODEOWNERS file, with a one-line error naming the line of a bad pattern.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "CODEOWNERS"
    ...     _ = path.write_text("*.py @acme/ml\n/docs/ @acme/docs\n", encoding="utf-8")
    ...     read_codeowners(path).of("src/train.py")
    [('TEAM', '@acme/ml')]
    """
    path = Path(path)
    text = read_text(path, what="CODEOWNERS file")
    try:
        return CodeOwners(text)
    except ValueError as error:
        for number, line in enumerate(text.splitlines(), start=1):
            try:
                CodeOwners(line)
            except ValueError:
                msg = f"{path}:{number}: cannot read the pattern {line.split()[0]!r} ({error})"
                raise InputError(msg) from None
        msg = f"{path}: {error}"
        raise InputError(msg) from None


def module_imports(source: str | bytes, module: str, *, is_package: bool = False) -> set[str]:
    r"""Return the absolute names a module's source imports, relative imports resolved.

    For ``from x import y`` both ``x.y`` (``y`` may be a submodule) and ``x``
    are returned. Raises what Python's parser raises for source it cannot
    read: :class:`SyntaxError` for source that is not Python, and for some
    files :class:`ValueError`, :class:`OverflowError`, :class:`MemoryError` or
    :class:`RecursionError` (code nested too deeply).

    >>> sorted(module_imports("import numpy as np\nfrom . import features", "acme.ranker"))
    ['acme', 'acme.features', 'numpy']
    >>> sorted(module_imports("from ..data import load", "acme.ranker.model"))
    ['acme.data', 'acme.data.load']
    """
    package = module if is_package else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(package, node.level, node.module)
            if base is None:
                continue
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names if alias.name != "*")
    return names


def _absolute(package: str, level: int, module: str | None) -> str | None:
    if level == 0:
        return module
    parts = package.split(".") if package else []
    if level - 1 > len(parts) or (level - 1 == len(parts) and not module):
        return None  # reaches above the top-level package: not ours to resolve
    base = parts[: len(parts) - (level - 1)]
    if module:
        base.append(module)
    return ".".join(base) or None


#: Files and folders left out unless ``include`` names them: code that tests,
#: documents, demonstrates or measures the product is not part of its
#: architecture, and would otherwise go to whichever team owns most of it.
DEFAULT_EXCLUDES: tuple[str, ...] = (
    "tests",
    "test",
    "docs",
    "doc",
    "examples",
    "example",
    "scripts",
    "benchmarks",
    "conftest.py",
    "test_*.py",
    "*_test.py",
)

# Where GitHub and GitLab look for CODEOWNERS: the root, .github/, docs/, .gitlab/.
_CODEOWNERS_FOLDERS = {".github", "docs", ".gitlab"}


def matches(path: PurePosixPath | str, pattern: str) -> bool:
    """Return whether a glob ``pattern`` selects ``path`` (relative, ``/``-separated).

    A pattern without ``/`` matches any one folder or file name on the path,
    as in ``.gitignore``: ``tests`` selects ``tests/a.py`` and
    ``pkg/tests/b.py``, ``test_*.py`` any file so named. A pattern with ``/``
    matches from the start of the path, and selects everything below a folder
    it matches; a leading ``/`` is ignored. ``*``, ``?`` and ``[...]`` are
    ``fnmatch`` wildcards (``*`` also crosses ``/``).

    >>> matches("pkg/tests/test_io.py", "tests")
    True
    >>> matches("sdk/python/tests/unit/a.py", "sdk/python/tests")
    True
    >>> matches("pkg/contest.py", "tests")
    False
    >>> matches("services/search/ranker.py", "services/*/ranker.py")
    True
    """
    parts = PurePosixPath(path).parts
    pattern = pattern.strip().strip("/")
    if not pattern:
        return False
    if "/" not in pattern:
        return any(fnmatch.fnmatchcase(part, pattern) for part in parts)
    return any(
        fnmatch.fnmatchcase("/".join(parts[:end]), pattern) for end in range(1, len(parts) + 1)
    )


@dataclass(frozen=True)
class SourceRoot:
    """A folder in which import names start (setuptools' ``where``, a ``src`` layout).

    ``folder`` is relative to the folder that was read; ``found_in`` says
    where it came from (``--source-root``, or the packaging file and key).
    """

    folder: PurePosixPath
    found_in: str


def source_roots(repo: str | os.PathLike[str]) -> tuple[SourceRoot, ...]:
    r"""Find the package roots that the repository's packaging files declare.

    Read are every ``pyproject.toml`` (setuptools' ``packages.find.where`` and
    ``package-dir``, Hatch's wheel ``packages``, Poetry's ``packages`` with
    ``from``, and a ``src`` folder next to a ``[project]`` table, which is
    setuptools' src layout) and every ``setup.cfg`` (``[options]
    package_dir`` and ``[options.packages.find] where``) outside hidden
    folders and the folders of :data:`DEFAULT_EXCLUDES`. A file that cannot be
    parsed is skipped: this is a hint, the ``__init__.py`` rule still applies.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     sdk = Path(folder) / "sdk" / "python"
    ...     (sdk / "lib").mkdir(parents=True)
    ...     _ = (sdk / "setup.cfg").write_text("[options]\npackage_dir =\n    =lib\n")
    ...     [str(root.folder) for root in source_roots(folder)]
    ['sdk/python/lib']
    """
    repo = Path(repo)
    found: dict[PurePosixPath, str] = {}
    for top, subfolders, files in os.walk(repo):
        here = PurePosixPath(Path(top).relative_to(repo).as_posix())
        subfolders[:] = sorted(
            name
            for name in subfolders
            if not name.startswith(".")
            and name not in _SKIP_FOLDERS
            and not any(matches(here / name, p) for p in DEFAULT_EXCLUDES)
        )
        for where, how in _declared_roots(Path(top), files):
            folder = PurePosixPath(os.path.normpath((here / where).as_posix()))
            if folder.parts[:1] != ("..",) and (repo / folder).is_dir():
                found.setdefault(folder, str(here / how))
    return tuple(SourceRoot(folder, how) for folder, how in sorted(found.items()))


def _declared_roots(folder: Path, files: Sequence[str]) -> Iterator[tuple[PurePosixPath, str]]:
    """Yield ``(root relative to folder, 'file key')`` for the packaging files in ``folder``."""
    for name in ("pyproject.toml", "setup.cfg"):
        if name not in files:
            continue
        try:
            text = (folder / name).read_text(encoding="utf-8")
            declared = _pyproject_roots(text) if name == "pyproject.toml" else _cfg_roots(text)
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, configparser.Error):
            continue
        if not declared and name == "pyproject.toml" and (folder / "src").is_dir():
            declared = [("src", "the src layout of a [project]")] if "[project]" in text else []
        for where, key in declared:
            yield PurePosixPath(where), f"{name} {key}"


def _roots_from_above(root: Path, repo: Path) -> tuple[SourceRoot, ...]:
    """Return the package roots inside ``repo`` that packaging files above it declare.

    A repository may declare its package from its root (``where =
    ["sdk/python"]``) while the folder read is ``sdk/python``.
    """
    repo = repo.resolve()
    found: dict[PurePosixPath, str] = {}
    for above in repo.parents:
        if not above.is_relative_to(root):
            break
        names = [n for n in ("pyproject.toml", "setup.cfg") if (above / n).is_file()]
        for where, how in _declared_roots(above, names):
            folder = Path(os.path.normpath(above / where))
            if folder.is_dir() and folder.is_relative_to(repo):
                relative = PurePosixPath(folder.relative_to(repo).as_posix())
                found.setdefault(
                    relative, str(PurePosixPath(above.relative_to(root).as_posix()) / how)
                )
    return tuple(SourceRoot(folder, how) for folder, how in sorted(found.items()))


def _pyproject_roots(text: str) -> list[tuple[str, str]]:
    data = tomllib.loads(text)
    tool = data.get("tool", {})
    roots: list[tuple[str, str]] = []
    setuptools = tool.get("setuptools", {})
    packages = setuptools.get("packages")
    if isinstance(packages, dict):
        where = packages.get("find", {}).get("where", [])
        roots += [(w, "packages.find.where") for w in _strings(where)]
    package_dir = setuptools.get("package-dir", {})
    if isinstance(package_dir, dict) and isinstance(package_dir.get(""), str):
        roots.append((package_dir[""], "package-dir"))
    wheel = tool.get("hatch", {}).get("build", {}).get("targets", {}).get("wheel", {})
    for package in _strings(wheel.get("packages", [])):
        roots.append((str(PurePosixPath(package).parent), "hatch packages"))
    for package in tool.get("poetry", {}).get("packages", []):
        if isinstance(package, dict) and isinstance(package.get("from"), str):
            roots.append((package["from"], "poetry packages from"))
    return roots


def _cfg_roots(text: str) -> list[tuple[str, str]]:
    config = configparser.ConfigParser()
    config.read_string(text)
    roots: list[tuple[str, str]] = []
    for line in config.get("options", "package_dir", fallback="").splitlines():
        key, _, value = line.partition("=")
        if not key.strip() and value.strip():
            roots.append((value.strip(), "[options] package_dir"))
    where = config.get("options.packages.find", "where", fallback="").split()
    roots += [(w, "[options.packages.find] where") for w in where]
    return roots


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def repository_root(codeowners: str | os.PathLike[str], repo: str | os.PathLike[str]) -> Path:
    """Return the folder that CODEOWNERS paths are relative to, for a ``repo`` inside it.

    That is the folder GitHub reads the file from: the parent of
    ``.github/``, ``docs/`` or ``.gitlab/`` when the file is in one of them,
    else its own folder, provided ``repo`` is inside it; else the git root
    above ``repo``; else ``repo`` itself.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     root = Path(folder).resolve()
    ...     (root / ".github").mkdir()
    ...     (root / "sdk" / "python").mkdir(parents=True)
    ...     found = repository_root(root / ".github" / "CODEOWNERS", root / "sdk" / "python")
    ...     found == root
    True
    """
    repo = Path(repo).resolve()
    codeowners = Path(codeowners).resolve()
    folder = codeowners.parent
    if folder.name in _CODEOWNERS_FOLDERS:
        folder = folder.parent
    if repo.is_relative_to(folder):
        return folder
    for above in (repo, *repo.parents):
        if (above / ".git").exists():
            return above
    return repo


@dataclass(frozen=True)
class _File:
    path: PurePosixPath  # relative to the folder read (--repo)
    module: str
    is_package: bool

    @property
    def package(self) -> str:
        """The package this file belongs to (itself, for an ``__init__.py``)."""
        return self.module if self.is_package else self.module.rpartition(".")[0]


@dataclass
class _Selection:
    """What the walk over the repository found and left out."""

    files: list[_File] = field(default_factory=list)
    outside: int = 0  # Python files in no package
    by_default: Counter[str] = field(default_factory=Counter)  # default pattern -> files
    by_exclude: Counter[str] = field(default_factory=Counter)  # --exclude pattern -> files
    by_include: Counter[str] = field(default_factory=Counter)  # --include pattern -> files


def _python_files(
    repo: Path,
    notes: list[str],
    *,
    roots: Sequence[PurePosixPath],
    include: Sequence[str],
    exclude: Sequence[str],
    defaults: Sequence[str],
) -> _Selection:
    """Walk the repository; return its package files and what was left out.

    A folder that cannot be listed is added to ``notes``: its files are missing.
    """

    def unreadable(error: OSError) -> None:
        # os.walk skips a folder it cannot list; without this, silently.
        notes.append(
            f"{_in_repo(repo, error.filename)}: cannot read this folder "
            f"({error.strerror or error}); its Python files are left out"
        )

    selection = _Selection()
    packages: set[PurePosixPath] = set()
    found: list[PurePosixPath] = []
    for top, subfolders, files in os.walk(repo, onerror=unreadable):
        here = Path(top)
        subfolders[:] = sorted(
            name
            for name in subfolders
            if not name.startswith(".")
            and name not in _SKIP_FOLDERS
            and not (here / name / "pyvenv.cfg").exists()
        )
        relative = PurePosixPath(here.relative_to(repo).as_posix())
        if "__init__.py" in files:
            packages.add(relative)
        for name in sorted(files):
            if not name.endswith(".py"):
                continue
            path = relative / name
            explicit = next((p for p in exclude if matches(path, p)), None)
            if explicit is not None:
                selection.by_exclude[explicit] += 1
                continue
            wanted = next((p for p in include if matches(path, p)), None)
            default = next((p for p in defaults if matches(path, p)), None)
            if default is not None and wanted is None:
                selection.by_default[default] += 1
                continue
            if wanted is not None:
                selection.by_include[wanted] += 1
            found.append(path)
    deepest_first = sorted(roots, key=lambda r: -len(r.parts))
    for path in found:
        root = next((r for r in deepest_first if path.is_relative_to(r) and r != path), None)
        if root is not None:
            # Below a package root every folder is a package (PEP 420 namespace
            # packages need no __init__.py); a module directly in the root is
            # a top-level module, not a package.
            inner = path.relative_to(root)
            if len(inner.parts) == 1 and inner.name != "__init__.py":
                selection.outside += 1
                continue
            parts = list(inner.parent.parts)
        elif path.parent in packages:
            parts = []
            folder = path.parent
            while folder != PurePosixPath(".") and folder in packages:
                parts.insert(0, folder.name)
                folder = folder.parent
        else:
            selection.outside += 1
            continue
        if path.name != "__init__.py":
            parts.append(path.stem)
        selection.files.append(_File(path, ".".join(parts), path.name == "__init__.py"))
    return selection


def _owner_tokens(text: str) -> Iterator[tuple[int, str]]:
    r"""Yield ``(line, word)`` for every word after the pattern on a CODEOWNERS rule line.

    >>> list(_owner_tokens("# owners\n*.py @ml acme/data  # the data team\n[Section]\n"))
    [(2, '@ml'), (2, 'acme/data')]
    """
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith(("[", "^[")) and line.endswith("]"):
            continue  # a GitLab section header
        for word in line.replace("\\ ", "\0").split()[1:]:
            if word.startswith("#"):
                break  # the rest of the line is a comment
            yield number, word


def _owner_notes(text: str, team_org: Org, team_of: Mapping[str, str], teams: object) -> list[str]:
    """Name every CODEOWNERS owner in no team, and every team owner CODEOWNERS never names."""
    notes: list[str] = []
    handles: dict[str, tuple[str, int]] = {}
    for line, word in _owner_tokens(text):
        if parse_owner(word) is None:
            hint = did_you_mean(f"@{word}", [h for t in team_org.teams for h in t.owners])
            notes.append(
                f"CODEOWNERS line {line}: {word!r} is not an owner (an owner is @user, "
                f"@org/team or an e-mail), so it owns nothing{hint}"
            )
            continue
        handles.setdefault(word.lower(), (word, line))
    for key, (handle, line) in sorted(handles.items(), key=lambda item: item[1][1]):
        if key not in team_of:
            notes.append(f"code owner {handle!r} (CODEOWNERS line {line}) is in no team's 'owners'")
    spelled = [handle for handle, _ in handles.values()]
    for team in team_org.teams:
        for handle in team.owners:
            if handle.lower() not in handles:
                where = f"{teams}:{team.line}" if team.line else str(teams)
                notes.append(
                    f"{where}: team {team.name!r} lists owner {handle!r}, which CODEOWNERS "
                    f"never names{did_you_mean(handle, spelled)}"
                )
    return notes


@dataclass(frozen=True)
class ImportedComponent:
    """One component of an import, with what decided its owner.

    ``files_by_team`` counts the component's Python files per team, and
    ``files_without_team`` those whose CODEOWNERS owners are in no team.
    ``owner`` is ``None`` for a component no team owns (it is left out).
    """

    name: str
    owner: str | None
    files: int
    files_by_team: Mapping[str, int]
    files_without_team: int
    folder: str

    def to_dict(self) -> dict[str, Any]:
        """Return the component as plain data, for ``--json``.

        >>> ImportedComponent("acme", "core", 3, {"core": 2}, 1, "src/acme").to_dict()["owner"]
        'core'
        """
        return {
            "name": self.name,
            "owner": self.owner,
            "files": self.files,
            "files_by_team": dict(self.files_by_team),
            "files_without_team": self.files_without_team,
            "folder": self.folder,
        }


@dataclass(frozen=True)
class ImportedOrg:
    """What :func:`import_org` found: the org, files per component, and notes.

    ``notes`` are one-line remarks on what could not be placed (unowned
    components, handles missing from ``TEAMS.yaml``, files that are not valid
    Python, ...); read them before trusting the numbers. ``components`` holds
    every component found, with its file counts per team, the left-out ones
    too; ``excluded_by_default`` counts the Python files each default pattern
    left out; ``folder`` is where the folder read sits in the repository
    (``.`` for its root); ``source_roots`` are the package roots used.
    """

    org: Org
    files: Mapping[str, int]
    notes: tuple[str, ...]
    components: tuple[ImportedComponent, ...] = ()
    excluded_by_default: Mapping[str, int] = field(default_factory=dict)
    folder: str = "."
    source_roots: tuple[SourceRoot, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return what the import decided, as plain data, so the assignment can be audited.

        >>> from mlorg.orggraph import Team
        >>> ImportedOrg(Org((Team("a", "platform"),)), {}, ()).to_dict()["components"]
        []
        """
        return {
            "folder": self.folder,
            "source_roots": [
                {"folder": str(root.folder), "found_in": root.found_in}
                for root in self.source_roots
            ],
            "excluded_by_default": dict(self.excluded_by_default),
            "components": [component.to_dict() for component in self.components],
        }


def _repository_file(repo: Path, path: PurePosixPath) -> bytes:
    """The bytes of a Python file of the repository, read through :mod:`mlorg._files`.

    Raises:
        InputError: the file is a link out of the repository, not a regular
            file (a link to ``/dev/zero``, a FIFO), too large, or unreadable.
    """
    full = repo / path
    check_input_file(full, what="Python file")  # a device or FIFO is named as such
    if full.is_symlink():
        target = full.resolve()
        if not target.is_relative_to(repo.resolve()):
            msg = f"{path}: is a symbolic link out of the repository ({full.readlink()})"
            raise InputError(msg)
    return read_bytes(full, what="Python file")


def import_org(
    codeowners: str | os.PathLike[str],
    repo: str | os.PathLike[str],
    teams: str | os.PathLike[str],
    *,
    depth: int = 1,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    roots: Sequence[str | os.PathLike[str]] | None = None,
    default_excludes: Sequence[str] = DEFAULT_EXCLUDES,
) -> ImportedOrg:
    """Build the org of a repository from its CODEOWNERS file, its imports and TEAMS.yaml.

    See the module documentation for what counts as a component and who
    owns it. ``include`` and ``exclude`` are glob patterns (see
    :func:`matches`) on paths relative to ``repo``: a file that an
    ``exclude`` pattern matches is never read; one that a
    ``default_excludes`` pattern matches is read only when an ``include``
    pattern matches it too. ``roots`` are package roots relative to ``repo``
    (``None``: those :func:`source_roots` finds). Raises :class:`~mlorg.errors.InputError`
    for inputs it cannot use.
    """
    if depth < 1:
        msg = f"depth must be 1 or more, got {depth}"
        raise InputError(msg)
    repo = Path(repo)
    if not repo.is_dir():
        msg = f"{repo}: not a folder"
        raise InputError(msg)
    team_org = load_org(teams)
    if team_org.components:
        msg = f"{teams}: lists components; TEAMS.yaml names teams and channels only"
        raise InputError(msg)
    team_of: dict[str, str] = {}
    for team in team_org.teams:
        team_of.update((handle.lower(), team.name) for handle in team.owners)
    if not team_of:
        msg = f"{teams}: no team lists 'owners' (the CODEOWNERS handles that stand for it)"
        raise InputError(msg)
    rules = read_codeowners(codeowners)
    notes: list[str] = []
    root = repository_root(codeowners, repo)
    folder = PurePosixPath(repo.resolve().relative_to(root).as_posix())
    if roots is not None:
        found_roots = _given_roots(repo, roots)
    else:
        found_roots = source_roots(repo) or _roots_from_above(root, repo)
    if folder != PurePosixPath("."):
        notes.append(
            f"{repo} is the folder {folder}/ of the repository at {root}; CODEOWNERS "
            f"paths are relative to the repository root, so {folder}/ is put before "
            "every path matched"
        )
    if found_roots and roots is None:
        notes.append(
            "package roots from packaging files: "
            + "; ".join(f"{r.folder} ({r.found_in})" for r in found_roots)
        )
    selection = _python_files(
        repo,
        notes,
        roots=[r.folder for r in found_roots],
        include=include,
        exclude=exclude,
        defaults=default_excludes,
    )
    files = selection.files
    notes.extend(_selection_notes(selection, include, exclude))
    if selection.outside:
        verb = "belongs" if selection.outside == 1 else "belong"
        notes.append(
            f"{counted(selection.outside, 'Python file')} outside any package "
            f"(no __init__.py) {verb} to no component"
        )
    notes.extend(_owner_notes(read_text(Path(codeowners)), team_org, team_of, teams))

    def component_of(file: _File) -> str:
        return ".".join(file.package.split(".")[:depth])

    folders: dict[str, set[str]] = defaultdict(set)
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    sizes: Counter[str] = Counter()
    for file in files:
        name = component_of(file)
        sizes[name] += 1
        folders[name].add(_component_folder(file, name))
        owners, _, _, _ = rules.matching_line(str(folder / file.path))
        file_team = next((team_of[h.lower()] for _, h in owners if h.lower() in team_of), None)
        if file_team is not None:
            votes[name][file_team] += 1
    for name in sorted(folders):
        if len(folders[name]) > 1:
            where = ", ".join(sorted(folders[name]))
            notes.append(f"package {name!r} is defined in several folders ({where}); one component")

    order = {team.name: i for i, team in enumerate(team_org.teams)}
    owner: dict[str, str] = {}
    for name in sorted(sizes):
        ballot = votes.get(name)
        if not ballot:
            continue
        winner = min(ballot, key=lambda t: (-ballot[t], order[t]))
        owner[name] = winner
        if ballot[winner] < sizes[name]:
            rest = [f"{t!r} owns {n}" for t, n in sorted(ballot.items()) if t != winner]
            unowned = sizes[name] - sum(ballot.values())
            rest += [f"{unowned} {'has' if unowned == 1 else 'have'} no team"] if unowned else []
            notes.append(
                f"component {name!r} goes to {winner!r}, which owns {ballot[winner]} of its "
                f"{sizes[name]} Python files ({'; '.join(rest)})"
            )

    dependencies: dict[str, set[str]] = defaultdict(set)
    dropped: Counter[str] = Counter()
    for file in files:
        name = component_of(file)
        try:
            # Repository content is hostile input: git stores symbolic links, so
            # a ".py" file may point at /dev/zero, a FIFO or a file outside the
            # repository. Only regular files inside it, of bounded size, are read.
            source = _repository_file(repo, file.path)
        except InputError as error:
            reason = str(error).partition(": ")[2]
            notes.append(f"{file.path}: {reason}; imports not read")
            continue
        try:
            imported = module_imports(source, file.module, is_package=file.is_package)
        # Python's parser gives up on some files with other errors than
        # SyntaxError: ValueError (a NUL byte in earlier 3.11 releases, see
        # CPython gh-96670; UnicodeDecodeError is a ValueError), OverflowError,
        # and MemoryError or RecursionError for code nested too deeply (such
        # as 200,000 `not`s). One such file must not stop the import.
        except (SyntaxError, ValueError, OverflowError, MemoryError, RecursionError) as error:
            line = getattr(error, "lineno", None)
            where = f"{file.path}:{line}" if line else str(file.path)
            notes.append(f"{where}: not valid Python here, imports not read ({_why(error)})")
            continue
        for target in _targets(imported, sizes, depth):
            if target == name:
                continue
            if name in owner and target in owner:
                dependencies[name].add(target)
            else:
                dropped[name if name not in owner else target] += 1
    for name in sorted(set(sizes) - set(owner)):
        notes.append(
            f"component {name!r} ({counted(sizes[name], 'Python file')}) has no owning "
            f"team in TEAMS.yaml and is left out, with {dropped[name]} import "
            f"{'link' if dropped[name] == 1 else 'links'} to other components"
        )
    components = tuple(
        Component(name, owner[name], tuple(sorted(dependencies[name]))) for name in sorted(owner)
    )
    org = Org(
        teams=team_org.teams,
        components=components,
        channels=team_org.channels,
        source=str(teams),
    )
    audit = tuple(
        ImportedComponent(
            name,
            owner.get(name),
            sizes[name],
            dict(sorted(votes[name].items())),
            sizes[name] - sum(votes[name].values()),
            ", ".join(sorted(folders[name])),
        )
        for name in sorted(sizes)
    )
    return ImportedOrg(
        org,
        {name: sizes[name] for name in owner},
        tuple(notes),
        components=audit,
        excluded_by_default=dict(selection.by_default),
        folder=str(folder),
        source_roots=found_roots,
    )


def _given_roots(repo: Path, roots: Sequence[str | os.PathLike[str]]) -> tuple[SourceRoot, ...]:
    """Check the package roots a user named; each must be a folder inside ``repo``."""
    checked: list[SourceRoot] = []
    for given in roots:
        path = Path(given)
        full = path if path.is_absolute() else repo / path
        if not full.is_dir() or not full.resolve().is_relative_to(repo.resolve()):
            msg = f"source root {str(given)!r}: not a folder inside {repo}"
            raise InputError(msg)
        relative = PurePosixPath(full.resolve().relative_to(repo.resolve()).as_posix())
        checked.append(SourceRoot(relative, "--source-root"))
    return tuple(checked)


def _selection_notes(
    selection: _Selection, include: Sequence[str], exclude: Sequence[str]
) -> list[str]:
    """Say what was left out by default and by ``exclude``, and name patterns that match nothing."""
    notes: list[str] = []
    if selection.by_default:
        total = sum(selection.by_default.values())
        each = ", ".join(f"{p} {n}" for p, n in selection.by_default.most_common())
        first = selection.by_default.most_common(1)[0][0]
        notes.append(
            f"left out by default: {counted(total, 'Python file')} of tests, docs, examples, "
            f"scripts and benchmarks ({each}); read them with --include, "
            f"e.g. --include {shlex.quote(first)}"
        )
    if selection.by_exclude:
        total = sum(selection.by_exclude.values())
        notes.append(f"left out by --exclude: {counted(total, 'Python file')}")
    for option, patterns, used in (
        ("--include", include, selection.by_include),
        ("--exclude", exclude, selection.by_exclude),
    ):
        for pattern in patterns:
            if not used[pattern]:
                notes.append(f"{option} {pattern!r} matches no Python file it could change")
    return notes


def _targets(imported: set[str], components: Mapping[str, int], depth: int) -> Iterator[str]:
    """Yield the component of each imported name: its longest prefix that is a component.

    >>> sorted(_targets({"acme.lib.util.load", "acme.io"}, {"acme": 1, "acme.lib": 2}, 2))
    ['acme', 'acme.lib']
    """
    for name in imported:
        parts = name.split(".")
        for size in range(min(depth, len(parts)), 0, -1):
            key = ".".join(parts[:size])
            if key in components:
                yield key
                break


def _component_folder(file: _File, component: str) -> str:
    """Return the folder of ``component``, for telling packages of the same name apart."""
    folder = file.path.parent
    for _ in range(len(file.package.split(".")) - len(component.split("."))):
        folder = folder.parent
    return str(folder)


def _why(error: Exception) -> str:
    """Say in a few words why Python's parser gave up on a file.

    >>> _why(SyntaxError("invalid syntax"))
    'invalid syntax'
    >>> _why(MemoryError())
    'too deeply nested for the parser'
    """
    if isinstance(error, MemoryError | RecursionError):
        return "too deeply nested for the parser"
    message = error.msg if isinstance(error, SyntaxError) else str(error)
    return (message or type(error).__name__).splitlines()[0]


def _in_repo(repo: Path, filename: object) -> str:
    """Return ``filename`` relative to the repository, as the other notes show paths."""
    try:
        return Path(str(filename)).relative_to(repo).as_posix()
    except ValueError:
        return str(filename)
