from __future__ import annotations

import errno
import os
from pathlib import Path, PurePosixPath

import pytest

from mlorg.codeowners import (
    ImportedComponent,
    SourceRoot,
    import_org,
    matches,
    module_imports,
    read_codeowners,
    source_roots,
)
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
        # sdk/python/src/acme/sdk: found through sdk/python/pyproject.toml, with
        # acme/ a namespace package (no __init__.py)
        Component("acme", "search", ("feature_store", "search")),
        Component("embeddings", "research", ("warehouse",)),
        Component("feature_store", "ml-platform", ("warehouse",)),
        Component("recs", "recommendations", ("embeddings", "feature_store")),
        Component("search", "search", ("embeddings", "feature_store")),
        Component("warehouse", "data", ()),
    )
    assert dict(imported.files) == {
        "acme": 2,
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
        (
            "package roots from packaging files: sdk/python/src "
            "(sdk/python/pyproject.toml packages.find.where)"
        ),
        (
            "left out by default: 6 Python files of tests, docs, examples, scripts and benchmarks "
            "(tests 3, docs 1, examples 1, scripts 1); read them with --include, "
            "e.g. --include tests"
        ),
        "code owner '@acme/docs-writers' (CODEOWNERS line 14) is in no team's 'owners'",
        "code owner '@carol' (CODEOWNERS line 18) is in no team's 'owners'",
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


def test_the_audit_lists_every_component_with_its_files_per_team(imported):
    audit = {c.name: c for c in imported.components}
    assert audit["embeddings"] == ImportedComponent(
        "embeddings", "research", 3, {"research": 2}, 1, "research/embeddings/embeddings"
    )
    assert audit["lint_helpers"].owner is None  # left out of the org, kept in the audit
    assert imported.to_dict()["excluded_by_default"] == {
        "tests": 3,
        "docs": 1,
        "examples": 1,
        "scripts": 1,
    }


def test_tests_drive_a_gap_when_they_are_included():
    # tests/ is owned by the data team and imports search and recs: read as a
    # component, it invents two coordination needs the product does not have.
    default = import_org(CODEOWNERS, MONOREPO, TEAMS)
    with_tests = import_org(CODEOWNERS, MONOREPO, TEAMS, include=["tests"])
    assert "tests" not in {c.name for c in default.org.components}
    assert with_tests.org.owner_of("tests") == "data"
    assert [str(gap) for gap in coordination_gaps(with_tests.org)] == [
        "data <-> recommendations: tests -> recs",
        "data <-> research: embeddings -> warehouse",
        "data <-> search: tests -> search",
        "search <-> research: search -> embeddings",
    ]
    assert congruence(with_tests.org).value == pytest.approx(4 / 8)
    # an explicit exclusion wins over an inclusion
    both = import_org(CODEOWNERS, MONOREPO, TEAMS, include=["tests"], exclude=["tests"])
    assert "tests" not in {c.name for c in both.org.components}
    assert "left out by --exclude: 3 Python files" in both.notes


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
            "CODEOWNERS": "* @core\n/apps/ @apps\n",
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
            "CODEOWNERS": "* @core\n/apps/ @apps\n",
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
    repo = _repo(
        tmp_path,
        {"CODEOWNERS": "* @core\n/apps/ @apps\n", "TEAMS.yaml": _TEAMS, "p/__init__.py": ""},
    )
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
            "CODEOWNERS": "* @core\n/apps/ @apps\n",
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

    repo = _repo(
        tmp_path,
        {"CODEOWNERS": "* @core\n/apps/ @apps\n", "TEAMS.yaml": _TEAMS, "app/__init__.py": ""},
    )
    monkeypatch.setattr(mlorg.codeowners, "module_imports", parse)
    result = import_org(repo / "CODEOWNERS", repo, repo / "TEAMS.yaml")
    where = "app/__init__.py:4" if isinstance(error, SyntaxError) else "app/__init__.py"
    assert len(result.notes) == 1
    assert result.notes[0].startswith(f"{where}: not valid Python here, imports not read ({reason}")


def test_a_folder_that_cannot_be_listed_is_a_note(tmp_path, monkeypatch):
    repo = _repo(
        tmp_path,
        {
            "CODEOWNERS": "* @core\n/apps/ @apps\n",
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


# -- issue 12: real repositories --------------------------------------------------


@pytest.mark.parametrize(
    ("path", "pattern", "expected"),
    [
        ("tests/test_a.py", "tests", True),
        ("pkg/tests/unit/test_a.py", "tests", True),
        ("pkg/contests/a.py", "tests", False),
        ("pkg/test_io.py", "test_*.py", True),
        ("pkg/io_test.py", "*_test.py", True),
        ("sdk/python/tests/a.py", "/sdk/python/tests/", True),
        ("tests/sdk/python/a.py", "sdk/python", False),  # with "/": from the start only
        ("services/search/ranker.py", "services/*/ranker.py", True),
        ("a.py", "", False),
    ],
)
def test_matches(path, pattern, expected):
    assert matches(path, pattern) is expected


def test_typos_in_owners_are_named_on_both_sides(tmp_path):
    repo = _repo(
        tmp_path,
        {
            # a dropped "@" in CODEOWNERS: GitHub's parser ignores the word
            "CODEOWNERS": "* @core\n/apps/ apps-team\n/ops/ @ops\n",
            # and one in TEAMS.yaml
            "TEAMS.yaml": (
                "teams:\n"
                "  - {name: core, type: platform, owners: ['@core']}\n"
                "  - {name: apps, type: stream-aligned, owners: ['@apps-team']}\n"
                "  - {name: ops, type: platform, owners: ['ops']}\n"
            ),
            "core/__init__.py": "",
        },
    )
    result = import_org(repo / "CODEOWNERS", repo, repo / "TEAMS.yaml")
    assert result.notes == (
        (
            "CODEOWNERS line 2: 'apps-team' is not an owner (an owner is @user, @org/team or "
            "an e-mail), so it owns nothing (did you mean '@apps-team'?)"
        ),
        "code owner '@ops' (CODEOWNERS line 3) is in no team's 'owners'",
        (
            f"{repo / 'TEAMS.yaml'}:3: team 'apps' lists owner '@apps-team', which CODEOWNERS "
            "never names"
        ),
        (
            f"{repo / 'TEAMS.yaml'}:4: team 'ops' lists owner 'ops', which CODEOWNERS never names "
            "(did you mean '@ops'?)"
        ),
    )


def _subfolder_repo(tmp_path):
    return _repo(
        tmp_path,
        {
            ".github/CODEOWNERS": "* @core\n/sdk/python/acme/apps/ @apps\n",
            "TEAMS.yaml": _TEAMS,
            "sdk/python/acme/__init__.py": "",
            "sdk/python/acme/lib/__init__.py": "",
            "sdk/python/acme/lib/util.py": "",
            "sdk/python/acme/apps/__init__.py": "from acme.lib import util\n",
            "sdk/python/acme/cli.py": "import acme.apps\n",
            "sdk/python/tests/__init__.py": "",
            "sdk/python/tests/test_cli.py": "import acme.cli\n",
        },
    )


def test_a_repo_in_a_subfolder_matches_codeowners_from_the_repository_root(tmp_path):
    root = _subfolder_repo(tmp_path)
    sdk = root / "sdk" / "python"
    result = import_org(root / ".github" / "CODEOWNERS", sdk, root / "TEAMS.yaml", depth=2)
    assert result.folder == "sdk/python"
    assert result.notes[0] == (
        f"{sdk} is the folder sdk/python/ of the repository at {root.resolve()}; CODEOWNERS "
        "paths are relative to the repository root, so sdk/python/ is put before every "
        "path matched"
    )
    assert result.org.components == (
        # acme/cli.py is a module of the package acme, never a component of its own
        Component("acme", "core", ("acme.apps",)),
        Component("acme.apps", "apps", ("acme.lib",)),
        Component("acme.lib", "core"),
    )
    assert dict(result.files) == {"acme": 2, "acme.apps": 1, "acme.lib": 2}


def test_components_are_packages_at_every_depth(tmp_path):
    root = _subfolder_repo(tmp_path)
    result = import_org(root / ".github" / "CODEOWNERS", root, root / "TEAMS.yaml", depth=5)
    assert [c.name for c in result.org.components] == ["acme", "acme.apps", "acme.lib"]


def test_source_root_names_namespace_packages(tmp_path):
    repo = _repo(
        tmp_path,
        {
            "CODEOWNERS": "* @core\n/plugins/apps/ @apps\n",
            "TEAMS.yaml": _TEAMS,
            # two plugins share the namespace package "acme" (no __init__.py)
            "plugins/core/src/acme/core/__init__.py": "",
            "plugins/apps/src/acme/apps/__init__.py": "from acme.core import x\n",
            "plugins/apps/src/setup_helper.py": "",  # a top-level module: no package
        },
    )
    without = import_org(repo / "CODEOWNERS", repo, repo / "TEAMS.yaml", depth=2)
    assert [c.name for c in without.org.components] == ["apps", "core"]  # named wrongly
    given = import_org(
        repo / "CODEOWNERS",
        repo,
        repo / "TEAMS.yaml",
        depth=2,
        roots=["plugins/core/src", "plugins/apps/src"],
    )
    assert given.org.components == (
        Component("acme.apps", "apps", ("acme.core",)),
        Component("acme.core", "core"),
    )
    assert "1 Python file outside any package (no __init__.py) belongs to no component" in (
        given.notes
    )


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("pyproject.toml", '[tool.setuptools]\npackage-dir = {"" = "lib"}\n', "lib"),
        (
            "pyproject.toml",
            '[tool.setuptools]\npackages = {find = {where = ["lib"]}}\n',
            "lib",
        ),
        ("pyproject.toml", '[tool.hatch.build.targets.wheel]\npackages = ["lib/acme"]\n', "lib"),
        ("pyproject.toml", '[tool.poetry]\npackages = [{include = "acme", from = "lib"}]\n', "lib"),
        ("setup.cfg", "[options.packages.find]\nwhere = lib\n", "lib"),
        ("setup.cfg", "[options]\npackage_dir =\n    = lib\n", "lib"),
    ],
)
def test_source_roots_from_packaging_files(tmp_path, name, text, expected):
    _repo(tmp_path, {f"sdk/{name}": text, "sdk/lib/acme/__init__.py": ""})
    assert [str(root.folder) for root in source_roots(tmp_path)] == [f"sdk/{expected}"]


def test_source_roots_skip_unreadable_and_excluded_packaging_files(tmp_path):
    _repo(
        tmp_path,
        {
            "broken/pyproject.toml": "[tool.setuptools\n",
            "examples/demo/pyproject.toml": '[tool.setuptools]\npackage-dir = {"" = "."}\n',
            "outside/pyproject.toml": '[tool.setuptools]\npackage-dir = {"" = "../.."}\n',
        },
    )
    assert source_roots(tmp_path) == ()


def test_patterns_that_match_nothing_are_named(tmp_path):
    repo = _repo(tmp_path, {"CODEOWNERS": "* @core\n/apps/ @apps\n", "TEAMS.yaml": _TEAMS})
    _repo(repo, {"core/__init__.py": "", "core/tests/test_a.py": ""})
    result = import_org(
        repo / "CODEOWNERS", repo, repo / "TEAMS.yaml", include=["tset"], exclude=["vendor"]
    )
    assert "--include 'tset' matches no Python file it could change" in result.notes
    assert "--exclude 'vendor' matches no Python file it could change" in result.notes


def test_a_source_root_outside_the_repo_is_an_input_error(tmp_path):
    repo = _repo(tmp_path, {"CODEOWNERS": "* @core\n", "TEAMS.yaml": _TEAMS})
    with pytest.raises(InputError, match=r"source root '\.\./elsewhere': not a folder inside"):
        import_org(repo / "CODEOWNERS", repo, repo / "TEAMS.yaml", roots=["../elsewhere"])


def test_a_package_root_declared_above_a_subfolder_repo_is_used(tmp_path):
    # feast's layout: the root pyproject.toml says where = ["sdk/python"]
    root = _subfolder_repo(tmp_path)
    (root / "sdk" / "python" / "acme" / "__init__.py").unlink()  # a namespace package now
    (root / "pyproject.toml").write_text(
        '[tool.setuptools]\npackages = {find = {where = ["sdk/python"]}}\n', encoding="utf-8"
    )
    sdk = root / "sdk" / "python"
    result = import_org(root / ".github" / "CODEOWNERS", sdk, root / "TEAMS.yaml", depth=2)
    assert result.source_roots == (
        SourceRoot(PurePosixPath("."), "pyproject.toml packages.find.where"),
    )
    assert [c.name for c in result.org.components] == ["acme", "acme.apps", "acme.lib"]
