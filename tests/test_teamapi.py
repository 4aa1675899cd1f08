"""`mlorg team-api`: the org-design chapter's Team APIs as org-graph YAML."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlorg import cli
from mlorg.errors import InputError
from mlorg.orggraph import congruence, coordination_gaps, parse_org
from mlorg.teamapi import read_team_apis, to_org_yaml

TEAM_APIS = Path(__file__).resolve().parent / "data" / "team-apis"
FILES = sorted(TEAM_APIS.glob("*.md")) + sorted(TEAM_APIS.glob("*.yaml"))


def test_team_apis_become_an_org_with_the_numbers_they_imply():
    org = parse_org(to_org_yaml(FILES))
    assert [t.name for t in org.teams] == [
        "ml-platform",
        "ranking-core",
        "data-engineering",
        "search",
    ]
    assert org.owner_of("ranking-model") == "ranking-core"
    assert {c.name: c.depends_on for c in org.components}["search-api"] == ("ranking-model",)
    # the modes come from the interaction-mode map in ranking-core.md
    assert sorted((sorted(c.teams), c.mode) for c in org.channels) == [
        (["ml-platform", "ranking-core"], "collaboration"),
        (["ml-platform", "search"], "x-as-a-service"),
        (["ranking-core", "search"], "x-as-a-service"),
    ]
    assert congruence(org).value == 0.5
    assert [gap.teams for gap in coordination_gaps(org)] == [
        ("ml-platform", "data-engineering"),
        ("ranking-core", "data-engineering"),
    ]


def test_fields_the_org_graph_does_not_use_are_kept_as_comments():
    text = to_org_yaml(FILES)
    assert (
        "    # size 6; load models_in_production 2, poorly_understood none "
        "(from the Team API; not used by the org graph)"
    ) in text
    # a map row no talks_to confirms is not a channel
    assert "#   ml-enablement <-> recommendations (facilitating), " in text


def test_markdown_blocks_without_a_team_and_yaml_lists_are_read(tmp_path):
    page = tmp_path / "apis.md"
    page.write_text(
        "```yaml\nnot: a team api\n```\n\n```yml\nteam: a\ntype: platform\nowns: [x]\n```\n",
        encoding="utf-8",
    )
    listed = tmp_path / "more.yaml"
    listed.write_text(
        "- {team: b, type: enabling}\n- {team: c, type: platform}\n", encoding="utf-8"
    )
    apis, modes = read_team_apis([page, listed])
    assert [api.team for api in apis] == ["a", "b", "c"]
    assert modes == {}


def _api(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("files", "message"),
    [
        pytest.param(
            {"a.yaml": "team: a\ntype: platform\nown: [x]\n"},
            "a.yaml:1: unknown Team API field 'own' (did you mean 'owns'?)",
            id="misspelt-field",
        ),
        pytest.param(
            {"a.yaml": "team: a\ntype: platform\nowns: [x]\n", "b.yaml": "team: b\ntype: platform\nowns: [x]\n"},
            "b.yaml:1: team 'b' owns 'x', which team 'a' owns too (exactly one owner per component)",
            id="two-owners",
        ),
        pytest.param(
            {"a.yaml": "team: a\ntype: platform\ndepends_on:\n  - {component: evnts, owner: b}\n"},
            "a.yaml:4: team 'a' depends on 'evnts', which no Team API among the files owns; "
            "give the Team API of 'b' too",
            id="unowned-dependency",
        ),
        pytest.param(
            {
                "a.yaml": "team: a\ntype: platform\ndepends_on:\n  - {component: x, owner: c}\n",
                "b.yaml": "team: b\ntype: platform\nowns: [x]\n",
            },
            "a.yaml:4: team 'a' says 'x' is owned by 'c', but the Team API of 'b' owns it",
            id="wrong-owner",
        ),
        pytest.param(
            {"a.yaml": "team: a\ntype: platform\ntalks_to: [b]\n", "b.yaml": "team: b\ntype: platform\n"},
            "a.yaml:1: team 'a' talks to 'b', but no interaction mode is given: add the row "
            "'| a | b | <mode> |' to the interaction-mode map, or write {team: b, mode: <mode>}",
            id="no-mode",
        ),
        pytest.param(
            {"a.yaml": "team: a\ntype: platform\ntalks_to: [serch]\n", "search.yaml": "team: search\ntype: platform\n"},
            "a.yaml:1: team 'a' talks to 'serch', which has no Team API among the files "
            "(did you mean 'search'?)",
            id="unknown-team",
        ),
        pytest.param(
            {"map.md": "```yaml\nteam: a\ntype: platform\n```\n\n| Team A | Team B | Mode |\n|---|---|---|\n| a | b | X-as-a-Servce |\n"},
            "map.md:8: unknown interaction mode 'X-as-a-Servce' (expected collaboration, "
            "X-as-a-Service or facilitating (did you mean 'x-as-a-service'?))",
            id="misspelt-mode",
        ),
        pytest.param(
            {"a.md": "```yaml\nteam: a\ntype: platfrom\n```\n"},
            "a.md:2: team 'a': unknown type 'platfrom' (expected one of stream-aligned, platform, "
            "enabling, complicated-subsystem (did you mean 'platform'?))",
            id="misspelt-type",
        ),
        pytest.param(
            {"a.md": "# no api here\n"},
            "a.md: no Team API found (a YAML block with a 'team' key)",
            id="no-api",
        ),
        pytest.param(
            {"a.md": "```yaml\nteam: a\ntype: [platform\n```\n"},
            "a.md:4: malformed YAML: expected ',' or ']', but got '<stream end>' "
            "(while parsing a flow sequence on line 3)",
            id="malformed-yaml-names-the-line-of-the-markdown-file",
        ),
    ],
)  # fmt: skip
def test_what_cannot_be_converted_is_one_line_naming_file_and_line(tmp_path, files, message):
    paths = [_api(tmp_path, name, text) for name, text in files.items()]
    with pytest.raises(InputError) as error:
        to_org_yaml(paths)
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_cli_prints_yaml_that_org_graph_reads(tmp_path, capsys):
    before = sorted(p.name for p in tmp_path.iterdir())
    assert cli.main(["team-api", *map(str, FILES)]) == cli.EXIT_OK
    text = capsys.readouterr().out
    org_yaml = tmp_path / "org.yaml"
    org_yaml.write_text(text, encoding="utf-8")
    assert cli.main(["org-graph", str(org_yaml)]) == cli.EXIT_OK
    assert "congruence: 0.50 (2 of 4 required team pairs communicate)" in capsys.readouterr().out
    assert before == []


def test_cli_bad_team_api_exits_2_with_one_line(tmp_path, capsys):
    path = _api(tmp_path, "a.yaml", "team: a\ntype: platform\nown: [x]\n")
    assert cli.main(["team-api", str(path)]) == cli.EXIT_USAGE
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.endswith("a.yaml:1: unknown Team API field 'own' (did you mean 'owns'?)\n")
    assert len(captured.err.splitlines()) == 1


def test_own_org_page_shows_the_real_team_api_output(tmp_path, capsys, monkeypatch):
    repo = Path(__file__).resolve().parent.parent
    page = (repo / "examples" / "org-graph-own-org.md").read_text(encoding="utf-8")
    block = page.split("```console\n$ mlorg team-api tests/data/team-apis/", 1)[1]
    block = block.split("\n```", 1)[0]
    shown = block.split("\n", 2)[2]  # after the two commands
    monkeypatch.chdir(repo)
    assert cli.main(["team-api", *map(str, FILES)]) == cli.EXIT_OK
    org_yaml = tmp_path / "team-apis.yaml"
    org_yaml.write_text(capsys.readouterr().out, encoding="utf-8")
    assert cli.main(["org-graph", str(org_yaml)]) == cli.EXIT_OK
    head = "\n".join(capsys.readouterr().out.splitlines()[:2])
    assert head == shown
