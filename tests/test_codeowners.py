from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from mlorg.codeowners import import_org, module_imports, read_codeowners
from mlorg.errors import InputError
from mlorg.orggraph import Component, congruence, coordination_gaps

MONOREPO = Path(__file__).resolve().parent / "data" / "monorepo"
CODEOWNERS = MONOREPO / ".github" / "CODEOWNERS"
TEAMS = MONOREPO / "TEAMS.yaml"


@pytest.fixture(scope="module")
def imported():
    return import_org(CODEOWNERS, MONOREPO, TEAMS)


def test_components_owners_and_dependencies_of_the_fixture_monorepo(imported):
    assert imported.org.components == (
        Component("embeddings", "research", ("warehouse",)),
        Component("feature_store", "ml-platform", ("warehouse",)),
        Component("recs", "recommendations", ("embeddings", "feature_store")),
        Component("search", "search", ("embeddings", "feature_store")),
        Component("warehouse", "data", ()),
    )
    assert dict(imported.files) == {
        "embeddings": 3,
        "feature_store": 2,
        "recs": 3,
        "search": 3,
        "warehouse": 2,
    }
    assert [t.name for t in imported.org.teams] == [
        "ml-platform",
        "data",
        "search",
        "recommendations",
        "research",
    ]
    assert len(imported.org.channels) == 4


def test_analysis_of_the_imported_org(imported):
    assert congruence(imported.org).value == pytest.approx(4 / 6)
    assert [str(gap) for gap in coordination_gaps(imported.org)] == [
        "data <-> research: embeddings -> warehouse",
        "search <-> research: search -> embeddings",
    ]


def test_everything_the_import_cannot_place_is_a_note(imported):
    assert imported.notes == (
        "1 Python file outside any package (no __init__.py) belongs to no component",
        "code owner '@carol' (CODEOWNERS line 13) is in no team's 'owners'",
        (
            "component 'embeddings' goes to 'research', which owns 2 of its 3 Python files "
            "(1 has no team)"
        ),
        "services/recs/recs/broken.py:3: not valid Python here, imports not read (invalid syntax)",
        (
            "component 'lint_helpers' (1 Python file) has no owning team in TEAMS.yaml and is "
            "left out, with 1 import link to other components"
        ),
    )


@pytest.mark.parametrize(
    ("path", "owners"),
    [
        ("libs/feature_store/feature_store/online.py", [("TEAM", "@acme/ml-platform")]),
        ("data/warehouse/warehouse/tables.py", [("TEAM", "@acme/data")]),
        ("services/recs/recs/model.py", [("TEAM", "@acme/recs"), ("USERNAME", "@alice")]),
        # the last matching line wins: research/ is overridden for one file ...
        ("research/embeddings/embeddings/legacy.py", [("USERNAME", "@carol")]),
        ("research/embeddings/embeddings/train.py", [("TEAM", "@acme/research")]),
        # ... and a pattern without owners leaves a folder unowned
        ("tools/lint_helpers/__init__.py", []),
    ],
)
def test_codeowners_last_matching_line_wins(path, owners):
    assert read_codeowners(CODEOWNERS).of(path) == owners


def test_codeowners_pattern_semantics_follow_github(tmp_path):
    path = tmp_path / "CODEOWNERS"
    path.write_text("docs/*  @docs\n/apps/  @apps\n*.py @py\n", encoding="utf-8")
    rules = read_codeowners(path)
    assert rules.of("docs/intro.md") == [("USERNAME", "@docs")]
    assert rules.of("docs/deep/intro.md") == []  # docs/* does not reach into sub-folders
    assert rules.of("apps/a/b.txt") == [("USERNAME", "@apps")]
    assert rules.of("apps/a/b.py") == [("USERNAME", "@py")]  # later line wins


def test_codeowners_bad_pattern_names_its_line(tmp_path):
    path = tmp_path / "CODEOWNERS"
    path.write_text("# owners\n*.py @py\nsrc/[abc @broken\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"CODEOWNERS:3: cannot read the pattern 'src/\[abc'"):
        read_codeowners(path)


def test_missing_codeowners_file(tmp_path):
    with pytest.raises(InputError, match="CODEOWNERS: no such file"):
        read_codeowners(tmp_path / "CODEOWNERS")


@pytest.mark.parametrize(
    ("source", "module", "is_package", "expected"),
    [
        ("import a.b, c as d", "pkg.m", False, {"a.b", "c"}),
        ("from a.b import c, d", "pkg.m", False, {"a.b", "a.b.c", "a.b.d"}),
        ("from . import sibling", "pkg.m", False, {"pkg", "pkg.sibling"}),
        ("from .sub import x", "pkg", True, {"pkg.sub", "pkg.sub.x"}),
        ("from ..other import y", "pkg.sub.m", False, {"pkg.other", "pkg.other.y"}),
        ("from ... import z", "pkg.m", False, set()),  # above the top-level package
        ("from a import *", "pkg.m", False, {"a"}),
        ("def f():\n    import lazy\n", "pkg.m", False, {"lazy"}),
        ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import t\n", "p.m", False, {"typing", "typing.TYPE_CHECKING", "t"}),
    ],
)  # fmt: skip
def test_module_imports(source, module, is_package, expected):
    assert module_imports(source, module, is_package=is_package) == expected


def test_module_imports_rejects_invalid_python():
    with pytest.raises(SyntaxError):
        module_imports("def f(:\n", "pkg.m")


def _repo(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


_TEAMS = """\
teams:
  - {name: core, type: platform, owners: ["@core"]}
  - {name: apps, type: stream-aligned, owners: ["@apps"]}
channels: []
"""


def test_depth_splits_one_package_into_components(tmp_path):
    repo = _repo(
        tmp_path,
        {
            "CODEOWNERS": "* @core\n/acme/app/ @apps\n",
            "TEAMS.yaml": _TEAMS,
            "acme/__init__.py": "",
            "acme/lib/__init__.py": "",
            "acme/lib/util.py": "",
            "acme/app/__init__.py": "from acme.lib import util\n",
        },
    )
    shallow = import_org(repo / "CODEOWNERS", repo, repo / "TEAMS.yaml")
    assert shallow.org.components == (Component("acme", "core"),)
    assert shallow.notes == (
        "component 'acme' goes to 'core', which owns 3 of its 4 Python files ('apps' owns 1)",
    )
    deep = import_org(repo / "CODEOWNERS", repo, repo / "TEAMS.yaml", depth=2)
    assert deep.org.components == (
        Component("acme", "core"),
        Component("acme.app", "apps", ("acme.lib",)),
        Component("acme.lib", "core"),
    )
    assert congruence(deep.org).value == 0.0


def test_hidden_folders_and_virtualenvs_are_skipped(tmp_path):
    repo = _repo(
        tmp_path,
        {
            "CODEOWNERS": "* @core\n",
            "TEAMS.yaml": _TEAMS,
            "core/__init__.py": "",
            ".venv/pyvenv.cfg": "",
            ".venv/lib/site/__init__.py": "",
            "env/pyvenv.cfg": "",
            "env/lib/numpy/__init__.py": "",
            ".git/hooks/__init__.py": "",
        },
    )
    result = import_org(repo / "CODEOWNERS", repo, repo / "TEAMS.yaml")
    assert [c.name for c in result.org.components] == ["core"]
    assert result.notes == ()


def test_same_package_in_two_folders_is_one_component_with_a_note(tmp_path):
    repo = _repo(
        tmp_path,
        {
            "CODEOWNERS": "* @core\n",
            "TEAMS.yaml": _TEAMS,
            "one/app/__init__.py": "",
            "two/app/__init__.py": "",
        },
    )
    result = import_org(repo / "CODEOWNERS", repo, repo / "TEAMS.yaml")
    assert result.org.components == (Component("app", "core"),)
    assert result.notes == (
        "package 'app' is defined in several folders (one/app, two/app); one component",
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda repo: {"repo": repo / "nowhere"}, "nowhere: not a folder"),
        (lambda _repo: {"depth": 0}, "depth must be 1 or more, got 0"),
        (
            lambda repo: {"teams": _write(repo / "T.yaml", "teams: [{name: a, type: platform}]\n")},
            "T.yaml: no team lists 'owners'",
        ),
        (
            lambda repo: {
                "teams": _write(
                    repo / "T.yaml",
                    "teams: [{name: a, type: platform, owners: ['@a']}]\n"
                    "components: [{name: x, owner: a}]\n",
                )
            },
            "T.yaml: lists components; TEAMS.yaml names teams and channels only",
        ),
        (
            lambda repo: {"teams": _write(repo / "T.yaml", "teams: [{name: a, type: squad}]\n")},
            "T.yaml:1: team 'a': unknown type 'squad'",
        ),
        (lambda repo: {"codeowners": repo / "NOPE"}, "NOPE: no such file"),
    ],
)
def test_unusable_inputs_are_one_line_errors(tmp_path, change, message):
    repo = _repo(tmp_path, {"CODEOWNERS": "* @core\n", "TEAMS.yaml": _TEAMS, "p/__init__.py": ""})
    arguments = {"codeowners": repo / "CODEOWNERS", "repo": repo, "teams": repo / "TEAMS.yaml"}
    arguments |= change(repo)
    depth = arguments.pop("depth", 1)
    with pytest.raises(InputError, match=message) as error:
        import_org(arguments["codeowners"], arguments["repo"], arguments["teams"], depth=depth)
    assert "\n" not in str(error.value)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# -- files and folders the importer cannot read (review item 14) -------------------

_PARSER_LIMITS = [
    pytest.param(b"import os\0\n", "(source code string cannot contain null bytes)", id="nul-byte"),
    pytest.param(
        b"x = '\xe9'\n", "((unicode error) 'utf-8' codec can't decode byte 0xe9", id="not-utf-8"
    ),
    pytest.param(
        b"x = " + b"not " * 200_000 + b"1\n",
        "(too deeply nested for the parser)",
        id="memory-error",
    ),
    pytest.param(
        b"x = 1" + b" + 1" * 100_000 + b"\n",
        "(too deeply nested for the parser)",
        id="recursion-error",
    ),
]


@pytest.mark.parametrize(("source", "reason"), _PARSER_LIMITS)
def test_a_file_python_cannot_parse_is_a_note(tmp_path, source, reason):
    repo = _repo(
        tmp_path,
        {
            "CODEOWNERS": "* @core\n",
            "TEAMS.yaml": _TEAMS,
            "core/__init__.py": "",
            "app/__init__.py": "import core\n",
        },
    )
    (repo / "app" / "odd.py").write_bytes(source)
    result = import_org(repo / "CODEOWNERS", repo, repo / "TEAMS.yaml")
    assert result.org.components == (Component("app", "core", ("core",)), Component("core", "core"))
    (note,) = result.notes
    assert note.startswith("app/odd.py")
    assert ": not valid Python here, imports not read " + reason in note
    assert "\n" not in note


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (ValueError("source code string cannot contain null bytes"), "source code string cannot contain null bytes"),
        (UnicodeDecodeError("utf-8", b"\xe9", 0, 1, "invalid continuation byte"), "'utf-8' codec can't decode byte 0xe9"),
        (OverflowError("Python int too large to convert to C int"), "Python int too large to convert to C int"),
        (MemoryError(), "too deeply nested for the parser"),
        (RecursionError("maximum recursion depth exceeded"), "too deeply nested for the parser"),
        (SyntaxError("invalid syntax", ("x.py", 4, 1, "def f(:\n")), "invalid syntax"),
    ],
    ids=[
        "value-error", "unicode-decode-error", "overflow-error", "memory-error", "recursion-error",
        "syntax-error",
    ],
)  # fmt: skip
def test_every_error_of_the_parser_becomes_a_note(tmp_path, monkeypatch, error, reason):
    # Which error Python's parser raises for which file differs between Python
    # versions, so each error the importer must survive is raised directly too.
    import mlorg.codeowners

    def parse(*_args, **_kwargs):
        raise error

    repo = _repo(tmp_path, {"CODEOWNERS": "* @core\n", "TEAMS.yaml": _TEAMS, "app/__init__.py": ""})
    monkeypatch.setattr(mlorg.codeowners, "module_imports", parse)
    result = import_org(repo / "CODEOWNERS", repo, repo / "TEAMS.yaml")
    where = "app/__init__.py:4" if isinstance(error, SyntaxError) else "app/__init__.py"
    assert len(result.notes) == 1
    assert result.notes[0].startswith(f"{where}: not valid Python here, imports not read ({reason}")


def test_a_folder_that_cannot_be_listed_is_a_note(tmp_path, monkeypatch):
    repo = _repo(
        tmp_path,
        {
            "CODEOWNERS": "* @core\n",
            "TEAMS.yaml": _TEAMS,
            "core/__init__.py": "",
            "locked/inner/__init__.py": "",
        },
    )
    # Tests run as root here, and root can list any folder, so the refusal is
    # simulated where os.walk asks for the listing; the walk itself is real.
    real_scandir = os.scandir

    def scandir(path="."):
        if Path(path) == repo / "locked":
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    result = import_org(repo / "CODEOWNERS", repo, repo / "TEAMS.yaml")
    assert [c.name for c in result.org.components] == ["core"]
    assert result.notes == (
        "locked: cannot read this folder (Permission denied); its Python files are left out",
    )
