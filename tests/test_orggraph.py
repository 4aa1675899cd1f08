from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlorg.errors import InputError
from mlorg.orggraph import (
    Channel,
    Component,
    Congruence,
    Dependency,
    Gap,
    Org,
    Team,
    congruence,
    coordination_gaps,
    load_org,
    org_graph,
    parse_org,
    possible_overhead,
    report,
    system_graph,
    team_load,
)

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "ml-org.yaml"


def _org(owners, depends=(), channels=(), types=None):
    """Build an org from {component: team}, [(component, depends_on)], [(team, team)]."""
    teams = sorted(set(owners.values()) | {t for pair in channels for t in pair})
    needs = {c: tuple(d for a, d in depends if a == c) for c in owners}
    return Org(
        teams=tuple(Team(t, (types or {}).get(t, "stream-aligned")) for t in teams),
        components=tuple(Component(c, owner, needs[c]) for c, owner in owners.items()),
        channels=tuple(Channel(pair, "collaboration") for pair in channels),
    )


# -- congruence on hand-computed examples --------------------------------------


def test_cataldo_five_of_ten_required_pairs_is_one_half():
    # Five teams, each owning one component; every component depends on every
    # other, so all C(5, 2) = 10 team pairs must coordinate. Five channels
    # cover five of them: congruence 5 / 10 = 0.5 (Cataldo et al., 2006).
    teams = "abcde"
    owners = {f"{t}-service": t for t in teams}
    depends = [(f"{a}-service", f"{b}-service") for a, b in itertools.permutations(teams, 2)]
    channels = [("a", "b"), ("b", "c"), ("c", "d"), ("d", "e"), ("e", "a")]
    assert congruence(_org(owners, depends, channels)) == Congruence(0.5, 10, 5)


@pytest.mark.parametrize(
    ("owners", "depends", "channels", "expected"),
    [
        pytest.param({"x": "a", "y": "b"}, [], [("a", "b")], Congruence(None, 0, 0), id="nothing-required"),
        pytest.param({"x": "a", "y": "b"}, [("x", "y")], [], Congruence(0.0, 1, 0), id="one-gap"),
        pytest.param({"x": "a", "y": "b"}, [("x", "y")], [("b", "a")], Congruence(1.0, 1, 1), id="channel-order-irrelevant"),
        pytest.param({"x": "a", "y": "b"}, [("x", "y"), ("y", "x")], [("a", "b")], Congruence(1.0, 1, 1), id="both-directions-one-pair"),
        pytest.param({"x": "a", "y": "a"}, [("x", "y")], [], Congruence(None, 0, 0), id="own-components-excluded"),
        pytest.param(
            {"x": "a", "y": "b", "z": "c"}, [("x", "y"), ("y", "z")], [("a", "c")], Congruence(0.0, 2, 0),
            id="chain-with-unneeded-channel",
        ),
        pytest.param(
            {"x": "a", "y": "b", "z": "c"}, [("x", "y"), ("y", "z")], [("a", "b"), ("a", "c")], Congruence(0.5, 2, 1),
            id="chain-half-covered",
        ),
        pytest.param(
            {"x1": "a", "x2": "a", "y": "b", "z": "c"},
            [("x1", "y"), ("x2", "y"), ("x1", "x2"), ("z", "x2")],
            [("b", "a")],
            Congruence(0.5, 2, 1),
            id="several-dependencies-one-pair",
        ),
    ],
)  # fmt: skip
def test_congruence_on_hand_computed_examples(owners, depends, channels, expected):
    assert congruence(_org(owners, depends, channels)) == expected


def _naive_congruence(org):
    """Straight from the definition, without matrices: the test's oracle."""
    owner = {c.name: c.owner for c in org.components}
    required = {
        frozenset((owner[d.component], owner[d.on]))
        for d in org.dependencies
        if owner[d.component] != owner[d.on]
    }
    talking = {frozenset(c.teams) for c in org.channels}
    return len(required & talking), len(required)


@st.composite
def _random_orgs(draw):
    n_teams = draw(st.integers(1, 6))
    n_components = draw(st.integers(0, 10))
    owners = {f"c{k}": f"t{draw(st.integers(0, n_teams - 1))}" for k in range(n_components)}
    pairs = [(a, b) for a in owners for b in owners if a != b]
    depends = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=20)) if pairs else []
    teams = [f"t{i}" for i in range(n_teams)]
    team_pairs = list(itertools.combinations(teams, 2))
    channels = (
        draw(st.lists(st.sampled_from(team_pairs), unique=True, max_size=8)) if team_pairs else []
    )
    return Org(
        teams=tuple(Team(t, "platform") for t in teams),
        components=tuple(
            Component(c, t, tuple(d for a, d in depends if a == c)) for c, t in owners.items()
        ),
        channels=tuple(Channel(pair, "facilitating") for pair in channels),
    )


@settings(max_examples=60, deadline=None)
@given(_random_orgs())
def test_sparse_congruence_matches_the_definition(org):
    communicating, required = _naive_congruence(org)
    result = congruence(org)
    assert (result.communicating_pairs, result.required_pairs) == (communicating, required)
    assert result.value == (communicating / required if required else None)
    gaps = {frozenset(gap.teams) for gap in coordination_gaps(org)}
    assert len(gaps) == required - communicating


def test_coordination_requirements_are_ta_td_ta_transpose():
    owners = {"x1": "a", "x2": "a", "y": "b", "z": "c"}
    depends = [("x1", "y"), ("x2", "y"), ("x1", "x2"), ("z", "x2"), ("y", "z")]
    org = _org(owners, depends)
    teams = [t.name for t in org.teams]
    components = list(owners)
    ta = np.array([[owners[c] == t for c in components] for t in teams], dtype=int)
    td = np.zeros((len(components), len(components)), dtype=int)
    for a, b in depends:
        td[components.index(a), components.index(b)] = 1
    cr = ta @ td @ ta.T
    loads = {load.team: load for load in team_load(org)}
    for i, team in enumerate(teams):
        assert loads[team].depends_on_others == cr[i].sum() - cr[i, i]
        assert loads[team].depended_on_by_others == cr[:, i].sum() - cr[i, i]
    graph = org_graph(org)
    for i, j in itertools.combinations(range(len(teams)), 2):
        between = cr[i, j] + cr[j, i]
        assert graph.has_edge(teams[i], teams[j]) == bool(between)
        if between:
            assert graph.edges[teams[i], teams[j]]["dependencies"] == between


# -- gaps, overhead, load ------------------------------------------------------


def test_gaps_name_the_dependencies_behind_them_most_first():
    owners = {"ingest": "data", "store": "platform", "rank": "search", "feat": "search"}
    depends = [("rank", "store"), ("feat", "ingest"), ("rank", "ingest"), ("store", "ingest")]
    org = _org(owners, depends, [("platform", "data")])
    assert coordination_gaps(org) == (
        Gap(("data", "search"), (Dependency("feat", "ingest"), Dependency("rank", "ingest"))),
        Gap(("platform", "search"), (Dependency("rank", "store"),)),
    )


def test_gap_lists_dependencies_in_both_directions():
    org = _org({"x": "a", "y": "b"}, [("x", "y"), ("y", "x")])
    (gap,) = coordination_gaps(org)
    assert gap.dependencies == (Dependency("x", "y"), Dependency("y", "x"))
    assert str(gap) == "a <-> b: x -> y, y -> x"


def test_no_gaps_when_every_required_pair_talks():
    org = _org({"x": "a", "y": "b"}, [("x", "y")], [("a", "b")])
    assert coordination_gaps(org) == ()


def test_overhead_is_channels_without_a_dependency():
    owners = {"x": "a", "y": "b", "z": "c"}
    org = _org(owners, [("x", "y")], [("a", "b"), ("b", "c"), ("a", "c")])
    assert [c.teams for c in possible_overhead(org)] == [("b", "c"), ("a", "c")]


def test_team_load_counts_components_and_crossing_dependencies():
    owners = {"ingest": "data", "warehouse": "data", "rank": "search", "api": "search"}
    depends = [("warehouse", "ingest"), ("rank", "warehouse"), ("rank", "ingest"), ("api", "rank")]
    org = _org(owners, depends, [("data", "search")], types={"data": "platform"})
    data, search = team_load(org)
    assert (data.team, data.type, data.components) == ("data", "platform", 2)
    assert (data.depends_on_others, data.depended_on_by_others, data.crossing) == (0, 2, 2)
    assert (search.depends_on_others, search.depended_on_by_others) == (2, 0)
    assert (search.must_coordinate_with, search.talks_with) == (1, 1)


def test_report_bundles_every_measure_and_serialises_to_json():
    org = load_org(EXAMPLE)
    result = report(org)
    assert result.congruence == congruence(org)
    assert result.gaps == coordination_gaps(org)
    assert result.overhead == possible_overhead(org)
    assert result.load == team_load(org)
    data = json.loads(json.dumps(result.to_dict()))
    assert data["required_pairs"] == result.congruence.required_pairs
    assert len(data["gaps"]) == len(result.gaps)
    assert "congruence: " in result.to_text()


def test_example_org_numbers_match_the_notebook_prose():
    # examples/org-graph.md quotes these numbers; its hidden cell checks them too.
    result = report(load_org(EXAMPLE))
    assert result.congruence == Congruence(5 / 9, 9, 5)
    assert [gap.teams for gap in result.gaps] == [
        ("data", "research"),
        ("search", "research"),
        ("data", "recommendations"),
        ("ml-platform", "research"),
    ]
    assert [c.teams for c in result.overhead] == [("search", "recommendations")]


# -- the model's operations ------------------------------------------------------


def test_move_component_and_add_channel_return_new_orgs():
    org = _org({"x": "a", "y": "b"}, [("x", "y")])
    moved = org.move_component("x", to="b")
    assert moved.owner_of("x") == "b"
    assert org.owner_of("x") == "a"
    assert congruence(moved).value is None
    talking = org.add_channel("a", "b", "x-as-a-service")
    assert congruence(talking).value == 1.0
    assert org.channels == ()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda org: org.move_component("nope", to="a"), "no component named 'nope'"),
        (lambda org: org.move_component("x", to="zz"), "owner 'zz' is not a team"),
        (lambda org: org.add_channel("a", "a", "collaboration"), "a team does not need a channel"),
        (lambda org: org.owner_of("nope"), "no component named 'nope'"),
    ],
)
def test_what_if_changes_are_checked(change, message):
    with pytest.raises(InputError, match=message):
        change(_org({"x": "a", "y": "b"}, [("x", "y")]))


def test_graphs_for_drawing():
    org = _org({"x": "a", "y": "b", "z": "c"}, [("x", "y"), ("y", "z")], [("a", "b"), ("a", "c")])
    teams = org_graph(org)
    assert teams.edges["a", "b"] == {
        "dependencies": 1,
        "mode": "collaboration",
        "status": "communicating",
    }
    assert teams.edges["b", "c"] == {"dependencies": 1, "mode": None, "status": "gap"}
    assert teams.edges["a", "c"] == {
        "dependencies": 0,
        "mode": "collaboration",
        "status": "overhead",
    }
    assert teams.nodes["a"] == {"type": "stream-aligned", "components": 1}
    system = system_graph(org)
    assert system.nodes["x"] == {"owner": "a"}
    assert system.edges["x", "y"] == {"crosses_teams": True, "gap": False}
    assert system.edges["y", "z"] == {"crosses_teams": True, "gap": True}
    assert not system.has_edge("y", "x")


# -- loading and validation ------------------------------------------------------

_VALID = """\
teams:
  - name: data
    type: platform
    people: [ana, bo]
  - name: search
    type: stream-aligned
components:
  - name: events
    owner: data
  - name: ranker
    owner: search
    depends_on: [events]
channels:
  - between: [search, data]
    mode: X-as-a-Service
"""


def test_valid_yaml_loads_with_lines_and_normalised_modes():
    org = parse_org(_VALID, source="org.yaml")
    assert [t.name for t in org.teams] == ["data", "search"]
    assert org.teams[0].people == ("ana", "bo")
    assert org.components[1].line == 10
    assert org.channels[0].mode == "x-as-a-service"
    assert org.dependencies == (Dependency("ranker", "events"),)


def test_the_example_org_is_valid():
    org = load_org(EXAMPLE)
    assert {t.type for t in org.teams} == {"platform", "stream-aligned", "complicated-subsystem"}
    assert len(org.components) == 15


def _replace(old, new):
    assert old in _VALID
    return _VALID.replace(old, new, 1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            _replace("owner: search", "owner: serch"),
            "org.yaml:10: component 'ranker': owner 'serch' is not a team (did you mean 'search'?)",
            id="unknown-team",
        ),
        pytest.param(
            _replace("    owner: search\n", ""),
            "org.yaml:10: component 'ranker' has no owner",
            id="component-without-owner",
        ),
        pytest.param(
            _replace("depends_on: [events]", "depends_on: [evnts]"),
            "org.yaml:10: component 'ranker' depends on unknown component 'evnts' (did you mean 'events'?)",
            id="dependency-on-unknown-component",
        ),
        pytest.param(
            _replace("depends_on: [events]", "depends_on: [ranker]"),
            "org.yaml:10: component 'ranker' depends on itself",
            id="self-dependency",
        ),
        pytest.param(
            _replace("depends_on: [events]", "depends_on: [events, events]"),
            "org.yaml:10: component 'ranker' lists the dependency on 'events' twice",
            id="dependency-listed-twice",
        ),
        pytest.param(
            _replace("name: search", "name: data"),
            "org.yaml:5: team 'data' is listed twice (first at line 2)",
            id="duplicate-team",
        ),
        pytest.param(
            _replace("name: ranker", "name: events"),
            "org.yaml:10: component 'events' is listed twice (first at line 8)",
            id="duplicate-component",
        ),
        pytest.param(
            _VALID + "  - between: [data, search]\n    mode: collaboration\n",
            "org.yaml:16: channel data <-> search is listed twice (first at line 14)",
            id="duplicate-channel",
        ),
        pytest.param(
            _replace("type: platform", "type: platfrom"),
            "org.yaml:2: team 'data': unknown type 'platfrom' (expected one of stream-aligned, "
            "platform, enabling, complicated-subsystem; did you mean 'platform'?)",
            id="unknown-team-type",
        ),
        pytest.param(
            _replace("mode: X-as-a-Service", "mode: meetings"),
            "org.yaml:14: channel search <-> data: unknown interaction mode 'meetings' "
            "(expected one of collaboration, x-as-a-service, facilitating)",
            id="unknown-interaction-mode",
        ),
        pytest.param(
            _replace("between: [search, data]", "between: [search, dta]"),
            "org.yaml:14: channel search <-> dta: 'dta' is not a team (did you mean 'data'?)",
            id="channel-to-unknown-team",
        ),
        pytest.param(
            _replace("between: [search, data]", "between: [search, search]"),
            "org.yaml:14: channel search <-> search: a team does not need a channel to itself",
            id="channel-to-itself",
        ),
        pytest.param(
            _replace("between: [search, data]", "between: [search]"),
            "org.yaml:14: a channel needs exactly two teams, got ['search']",
            id="channel-with-one-team",
        ),
        pytest.param(
            _replace("    mode: X-as-a-Service\n", ""),
            "org.yaml:14: channel search <-> data: no 'mode' (expected one of collaboration, x-as-a-service, facilitating)",
            id="channel-without-mode",
        ),
        pytest.param(
            _replace("teams:\n  - name: data\n", "teams:\n  - name: data\n    name: dupe\n"),
            "org.yaml:3: malformed YAML: duplicate key 'name'",
            id="duplicate-yaml-key",
        ),
        pytest.param(
            _replace("    depends_on: [events]", "    depends_on: [events"),
            "org.yaml:13: malformed YAML: expected ',' or ']', but got ':' "
            "(while parsing a flow sequence on line 12)",
            id="malformed-yaml",
        ),
        pytest.param(
            _replace("    type: stream-aligned", "    tpye: stream-aligned"),
            "org.yaml:5: team 'search': unknown field 'tpye' (expected name, type, people, "
            "owners, description)",
            id="unknown-field",
        ),
        pytest.param(
            _VALID + "people: []\n",
            "org.yaml:1: unknown section 'people' (expected teams, components, channels)",
            id="unknown-section",
        ),
        pytest.param(
            _replace("  - name: search\n    type: stream-aligned\n", "  - type: stream-aligned\n"),
            "org.yaml:5: a team without a 'name'",
            id="team-without-name",
        ),
        pytest.param(
            _replace("  - name: search\n", "  - name: 2024\n"),
            "org.yaml:5: a team: 'name' must be text, got 2024 (quote it in YAML)",
            id="name-not-text",
        ),
        pytest.param(
            _replace("people: [ana, bo]", "people: ana"),
            "org.yaml:2: team 'data': 'people' must be a list of names, got 'ana'",
            id="people-not-a-list",
        ),
        pytest.param(
            _replace("components:\n", "components:\n  - just-a-name\n"),
            "org.yaml:8: every entry of 'components' must be a mapping, got 'just-a-name'",
            id="entry-not-a-mapping",
        ),
        pytest.param(
            _replace("channels:\n  - between", "channels: between\n  - between").split("channels:")[0]
            + "channels: none\n",
            "org.yaml:1: 'channels' must be a list of entries",
            id="section-not-a-list",
        ),
        pytest.param("", "org.yaml: empty file; expected a 'teams' section", id="empty-file"),
        pytest.param(
            "- a\n- b\n",
            "org.yaml: expected a mapping with the sections teams, components and channels",
            id="not-a-mapping",
        ),
        pytest.param("components: []\n", "org.yaml:1: no 'teams' section", id="no-teams"),
        pytest.param(
            _replace("people: [ana, bo]", "owners: ['@acme/x']")
            .replace("type: stream-aligned", "type: stream-aligned\n    owners: ['@ACME/X']"),
            "org.yaml:5: code owner '@ACME/X' is listed for teams 'data' and 'search'",
            id="code-owner-in-two-teams",
        ),
    ],
)  # fmt: skip
def test_every_validation_error_is_one_line_naming_the_entry(text, message):
    with pytest.raises(InputError) as error:
        parse_org(text, source="org.yaml")
    assert str(error.value) == message
    assert "\n" not in str(error.value)


def test_constructing_in_code_is_validated_too():
    with pytest.raises(InputError, match=r"^component 'x' depends on unknown component 'q'$"):
        Org(teams=(Team("a", "platform"),), components=(Component("x", "a", ("q",)),))
    with pytest.raises(InputError, match="unknown type 'squad'"):
        Org(teams=(Team("a", "squad"),))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: tmp / "missing.yaml", "missing.yaml: no such file"),
        (lambda tmp: tmp, "is a folder, not a YAML file"),
        (lambda tmp: _write(tmp / "latin1.yaml", "teams: [{name: caf\xe9}]".encode("latin-1")), "not UTF-8 text"),
    ],
)  # fmt: skip
def test_unreadable_files_are_input_errors(tmp_path, make, message):
    with pytest.raises(InputError, match=message):
        load_org(make(tmp_path))


def _write(path, data):
    path.write_bytes(data)
    return path


# -- the documented example on examples/org-graph-own-org.md -----------------------

OWN_ORG_PAGE = EXAMPLE.parent / "org-graph-own-org.md"


def _own_org_yaml():
    text = OWN_ORG_PAGE.read_text(encoding="utf-8")
    block = text.split("```yaml\n# my-org.yaml", 1)[1].split("\n```", 1)[0]
    return "# my-org.yaml" + block + "\n"


def test_own_org_page_example_gives_the_numbers_the_page_states():
    result = report(parse_org(_own_org_yaml(), source="my-org.yaml"))
    assert result.congruence == Congruence(0.5, 2, 1)
    (gap,) = result.gaps
    assert str(gap) == (
        "fraud-models <-> ml-platform: fraud-model -> feature-store, "
        "fraud-model -> training-pipeline, fraud-scoring -> feature-store"
    )
    assert [str(c) for c in result.overhead] == ["ml-enablement <-> fraud-models (facilitating)"]


def test_own_org_page_error_example_is_the_real_message():
    text = OWN_ORG_PAGE.read_text(encoding="utf-8")
    shown = text.split("```text\nmlorg: error: ", 1)[1].split("\n", 1)[0]
    broken = _own_org_yaml().replace("depends_on: [fraud-scoring]", "depends_on: [fraud-scorng]", 1)
    with pytest.raises(InputError) as error:
        parse_org(broken, source="my-org.yaml")
    assert str(error.value) == shown


# -- YAML the parser cannot read (review item 13) ---------------------------------


@pytest.mark.parametrize(
    ("text", "where_and_message"),
    [
        pytest.param(
            "teams: [{name: a, type: platform}]\n\0\n",
            ":2: malformed YAML: unacceptable character #x0000: special characters are not allowed",
            id="nul-byte",
        ),
        pytest.param(
            "teams:\n  - name: a\n    people: " + "[" * 5000 + "\n",
            ":3: malformed YAML: nested too deeply to read",
            id="deep-nesting",
        ),
        pytest.param(
            "teams:\n  - {name: a, type: platform, description: 2024-13-01}\n",
            ":2: malformed YAML: cannot read '2024-13-01' as timestamp (month must be in 1..12); "
            "quote it to keep it as text",
            id="impossible-date",
        ),
        pytest.param(
            "teams:\n  - {name: a, type: !!timestamp soon}\n",
            ":2: malformed YAML: cannot read 'soon' as timestamp; quote it to keep it as text",
            id="explicit-tag-that-does-not-fit",
        ),
    ],
)  # fmt: skip
def test_yaml_the_parser_cannot_read_is_one_line_naming_file_and_line(
    tmp_path, text, where_and_message
):
    path = tmp_path / "org.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as error:
        load_org(path)
    assert str(error.value) == f"{path}{where_and_message}"


# -- each rule checked once, with one message (review item 21) ---------------------


@pytest.mark.parametrize(
    ("entry", "field", "in_code", "message"),
    [
        pytest.param(
            "  - {field}\n    type: stream-aligned\n",
            "name",
            lambda: Org(teams=(Team("", "platform"),)),
            "a team without a 'name'",
            id="team-name",
        ),
        pytest.param(
            "    {field}\n    depends_on: [events]\n",
            "owner",
            lambda: Org(teams=(Team("a", "platform"),), components=(Component("ranker", ""),)),
            "component 'ranker' has no owner",
            id="component-owner",
        ),
        pytest.param(
            "  - name: search\n    {field}\n",
            "type",
            lambda: Org(teams=(Team("search", ""),)),
            "team 'search': no 'type' (expected one of stream-aligned, platform, enabling, "
            "complicated-subsystem)",
            id="team-type",
        ),
        pytest.param(
            "    {field}\n",
            "mode",
            lambda: Org(
                teams=(Team("search", "platform"), Team("data", "platform")),
                channels=(Channel(("search", "data"), ""),),
            ),
            "channel search <-> data: no 'mode' (expected one of collaboration, "
            "x-as-a-service, facilitating)",
            id="channel-mode",
        ),
    ],
)  # fmt: skip
def test_a_missing_value_gives_one_message_however_it_is_missing(entry, field, in_code, message):
    original = {
        "name": "  - name: search\n    type: stream-aligned\n",
        "owner": "    owner: search\n    depends_on: [events]\n",
        "type": "  - name: search\n    type: stream-aligned\n",
        "mode": "    mode: X-as-a-Service\n",
    }[field]
    # left out, written without a value, empty, blank
    spellings = ["description: left out", f"{field}:", f"{field}: ''", f"{field}: '   '"]
    messages = set()
    for spelling in spellings:
        with pytest.raises(InputError) as error:
            parse_org(_replace(original, entry.format(field=spelling)), source="org.yaml")
        messages.add(str(error.value).split(": ", 1)[1])
    with pytest.raises(InputError) as error:
        in_code()
    messages.add(str(error.value))
    assert messages == {message}


def test_a_channel_with_one_team_is_an_input_error_not_an_index_error():
    with pytest.raises(InputError) as error:
        Org(teams=(Team("a", "platform"),), channels=(Channel(("a",), "collaboration"),))
    assert str(error.value) == "a channel needs exactly two teams, got ['a']"


def test_org_graph_from_a_report_reuses_its_coordination(monkeypatch):
    from mlorg._orggraph import metrics  # where report() and org_graph() measure

    org = load_org(EXAMPLE)
    result = report(org)
    calls = []
    original = metrics._coordination
    monkeypatch.setattr(metrics, "_coordination", lambda o: calls.append(o) or original(o))
    from_report = org_graph(result)
    assert calls == []
    assert list(from_report.edges(data=True)) == list(org_graph(org).edges(data=True))
    assert len(calls) == 1
