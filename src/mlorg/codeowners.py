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

A **component** is a package named by the first ``depth`` parts of its import
name: with ``depth=1`` the whole top-level package ``acme`` is one component,
with ``depth=2`` ``acme.ranking`` and ``acme.features`` are two. Files outside
any package (scripts, a ``tests`` folder without ``__init__.py``) belong to no
component. A component belongs to the team that owns most of its Python files
(ties go to the team listed first in ``TEAMS.yaml``); a file belongs to the
team of the first owner on its winning CODEOWNERS line that ``TEAMS.yaml``
maps to a team. Anything the import cannot place is reported as a note, never
dropped silently.

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
import os
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from codeowners import CodeOwners

from mlorg._common import counted, read_text
from mlorg.errors import InputError
from mlorg.orggraph import Component, Org, load_org

__all__ = ["ImportedOrg", "import_org", "module_imports", "read_codeowners"]

# Folders that never hold the repository's own code.
_SKIP_FOLDERS = {"__pycache__", "node_modules", "site-packages"}


@dataclass(frozen=True)
class ImportedOrg:
    """What :func:`import_org` found: the org, files per component, and notes.

    ``notes`` are one-line remarks on what could not be placed (unowned
    components, handles missing from ``TEAMS.yaml``, files that are not valid
    Python, ...); read them before trusting the numbers.
    """

    org: Org
    files: Mapping[str, int]
    notes: tuple[str, ...]


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


@dataclass(frozen=True)
class _File:
    path: PurePosixPath  # relative to the repository, as CODEOWNERS sees it
    module: str
    is_package: bool


def _python_files(repo: Path, notes: list[str]) -> tuple[list[_File], int]:
    """Return the files inside regular packages, and how many Python files are outside.

    A folder that cannot be listed is added to ``notes``: its files are missing.
    """

    def unreadable(error: OSError) -> None:
        # os.walk skips a folder it cannot list; without this, silently.
        notes.append(
            f"{_in_repo(repo, error.filename)}: cannot read this folder "
            f"({error.strerror or error}); its Python files are left out"
        )

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
        found.extend(relative / name for name in sorted(files) if name.endswith(".py"))
    inside: list[_File] = []
    outside = 0
    for path in found:
        if path.parent not in packages:
            outside += 1
            continue
        parts = [] if path.name == "__init__.py" else [path.stem]
        folder = path.parent
        while folder != PurePosixPath(".") and folder in packages:
            parts.insert(0, folder.name)
            folder = folder.parent
        inside.append(_File(path, ".".join(parts), path.name == "__init__.py"))
    return inside, outside


def import_org(
    codeowners: str | os.PathLike[str],
    repo: str | os.PathLike[str],
    teams: str | os.PathLike[str],
    *,
    depth: int = 1,
) -> ImportedOrg:
    """Build the org of a repository from its CODEOWNERS file, its imports and TEAMS.yaml.

    See the module documentation for what counts as a component and who
    owns it. Raises :class:`~mlorg.errors.InputError` for inputs it cannot use.
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
    files, outside = _python_files(repo, notes)
    if outside:
        verb = "belongs" if outside == 1 else "belong"
        notes.append(
            f"{counted(outside, 'Python file')} outside any package (no __init__.py) "
            f"{verb} to no component"
        )

    def component_of(module: str) -> str:
        return ".".join(module.split(".")[:depth])

    folders: dict[str, set[str]] = defaultdict(set)
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    sizes: Counter[str] = Counter()
    unknown_handles: dict[str, int | None] = {}
    for file in files:
        name = component_of(file.module)
        sizes[name] += 1
        folders[name].add(_package_folder(file, name))
        owners, line, _, _ = rules.matching_line(str(file.path))
        file_team = next((team_of[h.lower()] for _, h in owners if h.lower() in team_of), None)
        for _, handle in owners:
            if handle.lower() not in team_of:
                unknown_handles.setdefault(handle, line)
        if file_team is not None:
            votes[name][file_team] += 1
    for handle, line in unknown_handles.items():
        notes.append(f"code owner {handle!r} (CODEOWNERS line {line}) is in no team's 'owners'")
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
        name = component_of(file.module)
        try:
            source = (repo / file.path).read_bytes()
        except OSError as error:
            notes.append(f"{file.path}: cannot read ({error.strerror}), imports not read")
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
    return ImportedOrg(org, {name: sizes[name] for name in owner}, tuple(notes))


def _targets(imported: set[str], components: Mapping[str, int], depth: int) -> Iterator[str]:
    for name in imported:
        key = ".".join(name.split(".")[:depth])
        if key in components:
            yield key


def _package_folder(file: _File, component: str) -> str:
    """Return the folder of ``component``'s top package, for telling duplicates apart."""
    levels = len(file.module.split(".")) - len(component.split("."))
    folder = file.path.parent
    for _ in range(levels - (0 if file.is_package else 1)):
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
