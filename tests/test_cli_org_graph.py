"""`mlorg org-graph`: output, exit codes, and what it refuses to do."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mlorg import cli

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "ml-org.yaml"
MONOREPO = REPO / "tests" / "data" / "monorepo"
IMPORTER = [
    "--codeowners",
    str(MONOREPO / ".github" / "CODEOWNERS"),
    "--repo",
    str(MONOREPO),
    "--teams",
    str(MONOREPO / "TEAMS.yaml"),
]


def test_prints_congruence_gaps_overhead_and_load(capsys):
    assert cli.main(["org-graph", str(EXAMPLE)]) == cli.EXIT_OK
    out = capsys.readouterr().out
    assert "congruence: 0.56 (5 of 9 required team pairs communicate)" in out
    assert "coordination gaps (4)" in out
    assert "  search <-> research: 2 dependencies (search-ranker -> embeddings," in out
    assert "possible overhead (1)" in out
    assert "  search <-> recommendations (collaboration)" in out
    assert "team load" in out


def test_json_output(capsys):
    assert cli.main(["org-graph", str(EXAMPLE), "--json"]) == cli.EXIT_OK
    data = json.loads(capsys.readouterr().out)
    assert data["congruence"] == pytest.approx(5 / 9)
    assert data["notes"] == []
    assert data["gaps"][0]["teams"] == ["data", "research"]


def test_importer_prints_report_and_notes(capsys):
    assert cli.main(["org-graph", *IMPORTER]) == cli.EXIT_OK
    out = capsys.readouterr().out
    assert "congruence: 0.67 (4 of 6 required team pairs communicate)" in out
    assert "notes (7): what the import could not place" in out
    assert "  code owner '@carol' (CODEOWNERS line 18) is in no team's 'owners'" in out
    assert (
        "  left out by default: 6 Python files of tests, docs, examples, scripts and benchmarks "
        "(tests 3, docs 1, examples 1, scripts 1); read them with --include, e.g. --include tests"
    ) in out


def test_include_and_exclude_change_what_is_read(capsys):
    arguments = ["org-graph", *IMPORTER, "--include", "tests", "--exclude", "sdk"]
    assert cli.main(arguments) == cli.EXIT_OK
    out = capsys.readouterr().out
    assert "congruence: 0.50 (4 of 8 required team pairs communicate)" in out
    assert "  data <-> search: 1 dependency (tests -> search)" in out
    assert "  left out by --exclude: 3 Python files" in out


def test_json_has_every_component_with_its_owner_and_file_counts(capsys):
    assert cli.main(["org-graph", *IMPORTER, "--json"]) == cli.EXIT_OK
    data = json.loads(capsys.readouterr().out)
    audit = data["import"]
    assert audit["folder"] == "."
    assert audit["source_roots"] == [
        {"folder": "sdk/python/src", "found_in": "sdk/python/pyproject.toml packages.find.where"}
    ]
    assert audit["excluded_by_default"] == {"tests": 3, "docs": 1, "examples": 1, "scripts": 1}
    by_name = {c["name"]: c for c in audit["components"]}
    assert by_name["embeddings"] == {
        "name": "embeddings",
        "owner": "research",
        "files": 3,
        "files_by_team": {"research": 2},
        "files_without_team": 1,
        "folder": "research/embeddings/embeddings",
    }
    assert by_name["lint_helpers"]["owner"] is None
    assert sorted(by_name) == [
        "acme",
        "embeddings",
        "feature_store",
        "lint_helpers",
        "recs",
        "search",
        "warehouse",
    ]


def test_source_root_that_is_not_a_folder_exits_2(capsys):
    arguments = ["org-graph", *IMPORTER, "--source-root", "no/such/folder"]
    assert cli.main(arguments) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert "error: source root 'no/such/folder': not a folder inside" in err
    assert len(err.splitlines()) == 1


def test_import_options_with_org_yaml_exit_2(capsys):
    assert cli.main(["org-graph", str(EXAMPLE), "--exclude", "tests"]) == cli.EXIT_USAGE
    assert "--exclude chooses the files of an import from a repository" in capsys.readouterr().err


@pytest.mark.parametrize("suffix", [".svg", ".png"])
def test_figure_is_written(tmp_path, capsys, suffix):
    figure = tmp_path / f"org{suffix}"
    assert cli.main(["org-graph", str(EXAMPLE), "--figure", str(figure)]) == cli.EXIT_OK
    data = figure.read_bytes()
    if suffix == ".png":
        # A PNG signature, then the IHDR chunk with the image's width and height.
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        assert width > height > 100  # two graphs side by side
    else:
        svg = data.decode("utf-8")
        assert svg.lstrip().startswith("<?xml")
        assert "<svg" in svg
        # Text is kept as text (svg.fonttype none): every team of the example is labelled.
        for team in ("ml-platform", "data", "search", "recommendations", "research"):
            assert f">{team}<" in svg, team
    assert f"figure: {figure}" in capsys.readouterr().out


def test_fail_under_exits_1_when_congruence_is_lower(capsys):
    assert cli.main(["org-graph", str(EXAMPLE), "--fail-under", "0.8"]) == cli.EXIT_FAILED
    assert capsys.readouterr().err == "mlorg: congruence 0.56 is below --fail-under 0.8\n"
    assert cli.main(["org-graph", str(EXAMPLE), "--fail-under", "0.5"]) == cli.EXIT_OK


def _copy(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _folder(path: Path) -> Path:
    path.mkdir()
    return path


def _proc_path() -> Path:
    # As root every ordinary folder is writable; /proc refuses new files to anyone.
    if not Path("/proc/self").is_dir():
        pytest.skip("needs Linux's /proc for a path that cannot be written")
    return Path("/proc/mlorg-test-org.svg")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        pytest.param(
            lambda tmp: [str(_copy(tmp, "org.yaml", "teams: [{name: a, type: platform\n"))],
            "org.yaml:2: malformed YAML:",
            id="malformed-yaml",
        ),
        pytest.param(
            lambda tmp: [str(_copy(tmp, "org.yaml", "teams: [{name: a, type: squad}]\n"))],
            "org.yaml:1: team 'a': unknown type 'squad'",
            id="invalid-org",
        ),
        pytest.param(lambda tmp: [str(tmp / "none.yaml")], "none.yaml: no such file", id="missing"),
        pytest.param(lambda _tmp: [], "give ORG.yaml, or --codeowners, --repo, --teams", id="nothing"),
        pytest.param(lambda _tmp: [str(EXAMPLE), *IMPORTER], "not both", id="both-ways"),
        pytest.param(
            lambda _tmp: IMPORTER[:4], "importing from a repository needs --teams too", id="partial"
        ),
        pytest.param(
            lambda tmp: [str(EXAMPLE), "--figure", str(tmp / "org.pdf")],
            "the figure must be .svg or .png",
            id="figure-format",
        ),
        pytest.param(
            lambda tmp: [*IMPORTER[:2], "--repo", str(tmp / "gone"), *IMPORTER[4:]],
            "gone: not a folder",
            id="importer-repo-missing",
        ),
        pytest.param(
            lambda tmp: [str(_copy(tmp, "org.yaml", "teams: [{name: a, type: platform}]\n\0\n"))],
            "org.yaml:2: malformed YAML: unacceptable character #x0000",
            id="nul-byte",
        ),
        pytest.param(
            lambda tmp: [str(_copy(tmp, "org.yaml", "teams: " + "[" * 5000 + "\n"))],
            "org.yaml:1: malformed YAML: nested too deeply to read",
            id="deep-nesting",
        ),
        pytest.param(
            lambda tmp: [str(_copy(tmp, "org.yaml", "teams: [{name: a, type: platform}]\nchannels: [{between: [a], mode: collaboration}]\n"))],
            "org.yaml:2: a channel needs exactly two teams, got ['a']",
            id="channel-with-one-team",
        ),
        pytest.param(
            lambda tmp: [str(EXAMPLE), "--figure", str(_folder(tmp / "out.svg"))],
            "out.svg is a folder; give a file name ending in .svg or .png",
            id="figure-is-a-folder",
        ),
        pytest.param(
            lambda tmp: [str(EXAMPLE), "--figure", str(_folder(tmp / "out.svg")), "--force"],
            "out.svg is a folder; give a file name ending in .svg or .png",
            id="figure-is-a-folder-even-with-force",
        ),
        pytest.param(
            lambda _tmp: [str(EXAMPLE), "--figure", str(_proc_path())],
            "mlorg-test-org.svg: cannot write the figure (No such file or directory)",
            id="figure-unwritable",
        ),
    ],
)  # fmt: skip
def test_unusable_input_exits_2_with_one_line(tmp_path, capsys, arguments, message):
    assert cli.main(["org-graph", *arguments(tmp_path)]) == cli.EXIT_USAGE
    captured = capsys.readouterr()
    assert captured.err.startswith("mlorg: error: ")
    assert message in captured.err
    assert captured.err.count("\n") == 1
    assert captured.out == ""


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--fail-under", "56"], "argument --fail-under: must be a finite number from 0 to 1, got '56'"),
        (["--fail-under", "nan"], "argument --fail-under: must be a finite number from 0 to 1, got 'nan'"),
        (["--depth", "0"], "argument --depth: must be a whole number, 1 or more, got '0'"),
        (["--depth", "two"], "argument --depth: must be a whole number, 1 or more, got 'two'"),
    ],
)  # fmt: skip
def test_argparse_refuses_bad_option_values_before_any_work(arguments, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["org-graph", str(EXAMPLE), *arguments])
    assert exit_info.value.code == cli.EXIT_USAGE
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines()[-1] == f"mlorg org-graph: error: {message}"


@pytest.mark.parametrize("force", [[], ["--force"]], ids=["no-force", "force"])
@pytest.mark.parametrize("which", ["org", "teams", "codeowners"])
def test_figure_never_overwrites_an_input(tmp_path, capsys, which, force):
    org = _copy(tmp_path, "org.svg", EXAMPLE.read_text(encoding="utf-8"))
    teams = _copy(tmp_path, "teams.svg", (MONOREPO / "TEAMS.yaml").read_text(encoding="utf-8"))
    owners = _copy(tmp_path, "owners.png", (MONOREPO / ".github/CODEOWNERS").read_text("utf-8"))
    target = {"org": org, "teams": teams, "codeowners": owners}[which]
    before = target.read_bytes()
    if which == "org":
        arguments = [str(org)]
    else:
        arguments = ["--codeowners", str(owners), "--repo", str(MONOREPO), "--teams", str(teams)]
    # the same file, spelled differently
    figure = tmp_path / "sub" / ".." / target.name
    (tmp_path / "sub").mkdir()
    status = cli.main(["org-graph", *arguments, "--figure", str(figure), *force])
    assert status == cli.EXIT_USAGE
    assert "is an input of this command" in capsys.readouterr().err
    assert target.read_bytes() == before


def test_figure_keeps_an_existing_file_unless_forced(tmp_path, capsys):
    figure = _copy(tmp_path, "org.svg", "the reader's own drawing")
    assert cli.main(["org-graph", str(EXAMPLE), "--figure", str(figure)]) == cli.EXIT_USAGE
    captured = capsys.readouterr()
    assert (
        captured.err
        == f"mlorg: error: --figure {figure} already exists; add --force to replace it\n"
    )
    assert captured.out == ""
    assert figure.read_text(encoding="utf-8") == "the reader's own drawing"
    status = cli.main(["org-graph", str(EXAMPLE), "--figure", str(figure), "--force"])
    assert status == cli.EXIT_OK
    assert b"<svg" in figure.read_bytes()


def test_fail_under_with_undefined_congruence_exits_1(tmp_path, capsys):
    # two teams, each using only its own component: no pair must coordinate
    org = _copy(
        tmp_path,
        "org.yaml",
        "teams: [{name: a, type: platform}, {name: b, type: platform}]\n"
        "components: [{name: x, owner: a}, {name: y, owner: b}]\n",
    )
    assert cli.main(["org-graph", str(org)]) == cli.EXIT_OK
    assert "congruence: undefined" in capsys.readouterr().out
    assert cli.main(["org-graph", str(org), "--fail-under", "0.9"]) == cli.EXIT_FAILED
    assert capsys.readouterr().err == (
        "mlorg: congruence could not be measured (no team depends on another team's "
        "components), so --fail-under 0.9 is not met\n"
    )


def test_figure_and_report_share_one_measurement(tmp_path, monkeypatch):
    from mlorg._orggraph import metrics  # where report() and org_graph() measure

    calls = []
    original = metrics._coordination
    monkeypatch.setattr(metrics, "_coordination", lambda o: calls.append(o) or original(o))
    status = cli.main(["org-graph", str(EXAMPLE), "--figure", str(tmp_path / "org.svg")])
    assert status == cli.EXIT_OK
    assert len(calls) == 1


def test_a_real_process_shows_no_traceback(tmp_path):
    broken = _copy(tmp_path, "org.yaml", "teams:\n  - name: a\n    type: platform\n  - {name: a")
    result = subprocess.run(
        [sys.executable, "-m", "mlorg", "org-graph", str(broken)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(f"mlorg: error: {broken}:")


def test_version_does_not_import_the_org_graph_modules():
    code = (
        "import sys; from mlorg import cli; cli.main(['--version']); "
        "print(any(m in sys.modules for m in ('mlorg.orggraph', 'scipy', 'matplotlib')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.splitlines()[-1] == "False"


def test_own_org_page_shows_the_real_importer_output(capsys, monkeypatch):
    page = (REPO / "examples" / "org-graph-own-org.md").read_text(encoding="utf-8")
    block = page.split("```console\n$ mlorg org-graph --codeowners", 1)[1].split("\n```", 1)[0]
    first, second, shown = block.split("\n", 2)
    arguments = ["--codeowners", *f"{first} {second}".replace("\\", " ").split()]
    monkeypatch.chdir(REPO)
    assert cli.main(["org-graph", *arguments]) == cli.EXIT_OK
    assert capsys.readouterr().out == shown + "\n"


def test_own_org_page_shows_the_real_audit_of_a_component(capsys):
    page = (REPO / "examples" / "org-graph-own-org.md").read_text(encoding="utf-8")
    block = page.split("## Audit the assignment", 1)[1].split("```console\n", 1)[1]
    shown = block.split("\n```", 1)[0].splitlines()[-1]
    assert cli.main(["org-graph", *IMPORTER, "--json"]) == cli.EXIT_OK
    data = json.loads(capsys.readouterr().out)
    assert str(data["import"]["components"][1]) == shown
