"""Conway's law, measured: does an organisation talk where its architecture needs it to?

The model has three parts:

* **teams**, each with a Team Topologies type (stream-aligned, platform,
  enabling, complicated-subsystem) and, optionally, its people and the
  CODEOWNERS handles that stand for it;
* **components**, each owned by exactly one team, and the components each one
  depends on;
* **channels**: pairs of teams that communicate, each with a Team Topologies
  interaction mode (collaboration, X-as-a-Service, facilitating).

Socio-technical congruence follows Cataldo et al. (2006), with teams in the
place of individual developers and components in the place of tasks:

* ``TA`` is the team x component ownership matrix (``TA[t, c] = 1`` when team
  ``t`` owns component ``c``);
* ``TD`` is the component x component dependency matrix (``TD[c, d] = 1``
  when ``c`` depends on ``d``: imports it, calls it, reads its output);
* ``CR = TA · TD · TAᵀ`` are the coordination requirements: ``CR[s, t]``
  counts the dependencies of team ``s``'s components on team ``t``'s.

Two choices the paper leaves to the analyst are fixed here:

* **Direction.** A dependency needs the two owning teams to coordinate
  whichever way it points (the depending team needs to know about changes,
  the depended-on team needs to know who it may break), so a team pair
  ``{s, t}`` *requires coordination* when ``CR[s, t] + CR[t, s] > 0``.
  ``CR`` keeps the direction for the per-team load.
* **A team's dependencies on its own components** land on the diagonal
  ``CR[t, t]``. Coordination inside a team is the team's everyday work, not a
  channel between teams, so the diagonal is left out of both the required
  and the actual coordination. It still counts as a dependency of the system.

The actual coordination ``CA`` is 1 for every pair of teams joined by a
channel, in any interaction mode. **Congruence** is the share of the required
team pairs that actually communicate; with no required pair it is undefined
(``None``). Required pairs without a channel are **coordination gaps**, each
reported with the dependencies that cause it; channels between teams that no
dependency joins have no architectural reason and are reported as **possible
overhead** (a facilitating channel of an enabling team is such a channel by
design: judge, do not delete).

Organisations are written in YAML (see :func:`load_org`) or built in code:

>>> org = Org(
...     teams=(Team("data", "platform"), Team("search", "stream-aligned")),
...     components=(
...         Component("events", owner="data"),
...         Component("ranker", owner="search", depends_on=("events",)),
...     ),
... )
>>> congruence(org)
Congruence(value=0.0, required_pairs=1, communicating_pairs=0)
>>> [str(gap) for gap in coordination_gaps(org)]
['data <-> search: ranker -> events']
>>> congruence(org.add_channel("data", "search", "x-as-a-service")).value
1.0
"""

from __future__ import annotations

import difflib
import os
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, cast, get_args

import networkx as nx
import yaml

from mlorg._common import counted, did_you_mean, read_text
from mlorg._output import printable, shown
from mlorg._yaml import SafeLoader
from mlorg.errors import InputError, first_line

__all__ = [
    "INTERACTION_MODES",
    "TEAM_TYPES",
    "Channel",
    "Component",
    "Congruence",
    "Dependency",
    "Gap",
    "InteractionMode",
    "Org",
    "OrgReport",
    "Team",
    "TeamLoad",
    "TeamType",
    "congruence",
    "coordination_gaps",
    "load_org",
    "org_graph",
    "parse_org",
    "possible_overhead",
    "report",
    "system_graph",
    "team_load",
]

#: The four team types of Team Topologies (Skelton and Pais, 2019).
TeamType = Literal["stream-aligned", "platform", "enabling", "complicated-subsystem"]
#: The three interaction modes of Team Topologies, spelled in lower case.
InteractionMode = Literal["collaboration", "x-as-a-service", "facilitating"]

TEAM_TYPES: tuple[TeamType, ...] = get_args(TeamType)
INTERACTION_MODES: tuple[InteractionMode, ...] = get_args(InteractionMode)


# -- The model -----------------------------------------------------------------


@dataclass(frozen=True)
class Team:
    """A team: its name, its Team Topologies type and, optionally, who is in it.

    ``owners`` are the CODEOWNERS handles (``@org/team``, ``@user``, e-mail)
    that stand for this team when the org is imported from a repository.
    ``line`` is where the team was written in a YAML file, for error messages.
    """

    name: str
    type: TeamType
    people: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    description: str = ""
    line: int | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Component:
    """A part of the system (service, library, pipeline, model) owned by one team.

    ``depends_on`` names the components this one needs: it imports them,
    calls them or reads what they produce.
    """

    name: str
    owner: str
    depends_on: tuple[str, ...] = ()
    description: str = ""
    line: int | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Channel:
    """Two teams that communicate, and how (a Team Topologies interaction mode)."""

    teams: tuple[str, str]
    mode: InteractionMode
    description: str = ""
    line: int | None = field(default=None, compare=False, repr=False)

    def __str__(self) -> str:
        """Return ``'a <-> b (mode)'``.

        >>> str(Channel(("search", "data"), "collaboration"))
        'search <-> data (collaboration)'
        """
        return f"{printable(self.teams[0])} <-> {printable(self.teams[1])} ({printable(self.mode)})"


@dataclass(frozen=True, order=True)
class Dependency:
    """``component`` depends on ``on``."""

    component: str
    on: str

    def __str__(self) -> str:
        """Return ``'component -> on'``.

        >>> str(Dependency("ranker", "events"))
        'ranker -> events'
        """
        return f"{printable(self.component)} -> {printable(self.on)}"


@dataclass(frozen=True)
class Org:
    """An organisation: teams, the components they own, and who talks to whom.

    The constructor checks the whole model and raises :class:`~mlorg.errors.InputError` with
    a one-line message naming the entry at fault (and its file and line, when
    the org came from YAML):

    >>> Org(teams=(Team("data", "platform"),), components=(Component("events", "dta"),))
    Traceback (most recent call last):
    ...
    mlorg.errors.InputError: component 'events': owner 'dta' is not a team (did you mean 'data'?)
    """

    teams: tuple[Team, ...]
    components: tuple[Component, ...] = ()
    channels: tuple[Channel, ...] = ()
    source: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        _validate(self)

    @property
    def dependencies(self) -> tuple[Dependency, ...]:
        """Every dependency, in the order the components list them."""
        return tuple(Dependency(c.name, d) for c in self.components for d in c.depends_on)

    def owner_of(self, component: str) -> str:
        """Return the team that owns ``component``.

        >>> Org((Team("data", "platform"),), (Component("events", "data"),)).owner_of("events")
        'data'
        """
        for item in self.components:
            if item.name == component:
                return item.owner
        raise InputError(_at(self.source, None, f"no component named {component!r}"))

    def move_component(self, component: str, to: str) -> Org:
        """Return a copy of this org in which team ``to`` owns ``component``.

        >>> org = Org((Team("a", "platform"), Team("b", "platform")), (Component("x", "a"),))
        >>> org.move_component("x", to="b").owner_of("x")
        'b'
        """
        if component not in {c.name for c in self.components}:
            raise InputError(_at(self.source, None, f"no component named {component!r}"))
        moved = tuple(replace(c, owner=to) if c.name == component else c for c in self.components)
        return replace(self, components=moved)

    def add_channel(
        self, team: str, other: str, mode: InteractionMode, description: str = ""
    ) -> Org:
        """Return a copy of this org with a channel between ``team`` and ``other``.

        >>> org = Org((Team("a", "platform"), Team("b", "stream-aligned")))
        >>> [str(c) for c in org.add_channel("a", "b", "x-as-a-service").channels]
        ['a <-> b (x-as-a-service)']
        """
        channel = Channel((team, other), mode, description)
        return replace(self, channels=(*self.channels, channel))


# -- Loading and validating YAML -----------------------------------------------

_SECTIONS = ("teams", "components", "channels")
_FIELDS = {
    "teams": ("name", "type", "people", "owners", "description"),
    "components": ("name", "owner", "depends_on", "description"),
    "channels": ("between", "mode", "description"),
}


class _Mapping(dict[Any, Any]):
    """A YAML mapping that remembers the line it starts on."""

    line: int | None = None


class _Sequence(list[Any]):
    """A YAML sequence that remembers the line it starts on."""

    line: int | None = None


class _Loader(SafeLoader):
    """The toolkit's safe loader (bounded aliases, no duplicate keys), plus line numbers."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        """Construct one value; a scalar PyYAML cannot convert is a YAML error at its line.

        PyYAML's own converters raise plain Python errors for some values that
        match a type's pattern: ``2024-13-01`` (a timestamp with month 13),
        ``!!int abc``, ``!!timestamp abc``.
        """
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, TypeError, AttributeError, OverflowError) as error:
            kind = node.tag.rpartition(":")[2]
            detail = f" ({error})" if isinstance(error, ValueError) else ""
            problem = (
                f"cannot read {shown(node.value)} as {kind}{detail}; quote it to keep it as text"
            )
            raise yaml.constructor.ConstructorError(None, None, problem, node.start_mark) from None


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> Iterator[_Mapping]:
    mapping = _Mapping()
    mapping.line = node.start_mark.line + 1
    yield mapping
    seen: set[str] = set()
    for key_node, _ in node.value:
        if isinstance(key_node, yaml.ScalarNode):
            if key_node.value in seen:
                # PyYAML would silently keep the last value; a repeated key is
                # almost always a copy-paste slip that loses information.
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key_node.value!r}", key_node.start_mark
                )
            seen.add(key_node.value)
    mapping.update(loader.construct_mapping(node))


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> Iterator[_Sequence]:
    sequence = _Sequence()
    sequence.line = node.start_mark.line + 1
    yield sequence
    sequence.extend(loader.construct_sequence(node))


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)


def load_org(path: str | os.PathLike[str]) -> Org:
    """Read and check an organisation from a YAML file.

    The file has up to three sections (each a list)::

        teams:
          - name: data                  # unique
            type: platform              # stream-aligned | platform | enabling | complicated-subsystem
            people: [ana, bo]           # optional
            owners: ["@acme/data"]      # optional: CODEOWNERS handles of this team
            description: ...            # optional, free text
        components:
          - name: events                # unique
            owner: data                 # a team above
            depends_on: [warehouse]     # optional: components above
        channels:
          - between: [data, search]     # two different teams
            mode: x-as-a-service        # collaboration | x-as-a-service | facilitating

    Any problem raises :class:`~mlorg.errors.InputError` with one line naming the file, the
    line and the entry, for example ``org.yaml:12: component 'ranker' depends
    on unknown component 'evnts' (did you mean 'events'?)``.
    """
    path = Path(path)
    text = read_text(path, what="YAML file")
    return parse_org(text, source=str(path))


def parse_org(text: str, source: str = "<org>") -> Org:
    """Check an organisation written as YAML text (the format of :func:`load_org`).

    >>> org = parse_org('''
    ... teams:
    ...   - {name: data, type: platform}
    ...   - {name: search, type: stream-aligned}
    ... components:
    ...   - {name: events, owner: data}
    ...   - {name: ranker, owner: search, depends_on: [events]}
    ... channels:
    ...   - {between: [search, data], mode: X-as-a-Service}
    ... ''')
    >>> congruence(org).value
    1.0
    >>> parse_org("teams: [{name: data, type: platfrom}]", source="org.yaml")
    Traceback (most recent call last):
    ...
    mlorg.errors.InputError: org.yaml:1: team 'data': unknown type 'platfrom' (expected one of stream-aligned, platform, enabling, complicated-subsystem; did you mean 'platform'?)
    """
    data = _read_yaml(text, source)
    if data is None:
        raise InputError(_at(source, None, "empty file; expected a 'teams' section"))
    if not isinstance(data, _Mapping):
        msg = "expected a mapping with the sections teams, components and channels"
        raise InputError(_at(source, None, msg))
    for key in data:
        if key not in _SECTIONS:
            msg = f"unknown section {key!r} (expected {', '.join(_SECTIONS)})"
            raise InputError(_at(source, data.line, msg))
    if "teams" not in data:
        raise InputError(_at(source, data.line, "no 'teams' section"))
    teams = tuple(_team(e, source) for e in _entries(data, "teams", source))
    components = tuple(_component(e, source) for e in _entries(data, "components", source))
    channels = tuple(_channel(e, source) for e in _entries(data, "channels", source))
    return Org(teams=teams, components=components, channels=channels, source=source)


def _read_yaml(text: str, source: str) -> Any:
    """Parse YAML text; any problem is an InputError of one line naming the source and line."""
    loader: _Loader | None = None
    try:
        loader = _Loader(text)  # a SafeLoader; it checks for unprintable characters here
        return loader.get_single_data()
    except RecursionError:
        # PyYAML composes nested collections recursively: thousands of `[`
        # exhaust the stack. The reader stopped inside the nesting.
        line = loader.get_mark().line + 1 if loader is not None else None
        raise InputError(_at(source, line, "malformed YAML: nested too deeply to read")) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = error.problem or error.context or "cannot parse"
        context = error.context_mark
        if error.problem and error.context and context is not None and context.line + 1 != line:
            problem += f" ({error.context} on line {context.line + 1})"
        raise InputError(_at(source, line, f"malformed YAML: {first_line(problem)}")) from None
    except yaml.reader.ReaderError as error:
        # A character YAML forbids (a NUL byte, say); its message spans two
        # lines and gives a character offset, which is turned into a line.
        line = text.count("\n", 0, error.position) + 1
        raise InputError(_at(source, line, f"malformed YAML: {first_line(str(error))}")) from None
    except yaml.YAMLError as error:
        raise InputError(_at(source, None, f"malformed YAML: {first_line(str(error))}")) from None
    finally:
        if loader is not None:
            loader.dispose()


def _entries(data: _Mapping, section: str, source: str) -> list[_Mapping]:
    value = data.get(section)
    if value is None:
        return []
    if not isinstance(value, _Sequence):
        raise InputError(_at(source, data.line, f"'{section}' must be a list of entries"))
    entries: list[_Mapping] = []
    for item in value:
        if not isinstance(item, _Mapping):
            msg = f"every entry of '{section}' must be a mapping, got {shown(item)}"
            raise InputError(_at(source, value.line, msg))
        unknown = [k for k in item if k not in _FIELDS[section]]
        if unknown:
            label = _label(section, item)
            msg = f"{label}: unknown field {unknown[0]!r} (expected {', '.join(_FIELDS[section])})"
            raise InputError(_at(source, item.line, msg))
        entries.append(item)
    return entries


def _label(section: str, entry: _Mapping) -> str:
    kind = section.removesuffix("s")
    name = entry.get("name")
    if section == "channels":
        return f"channel {shown(entry.get('between'))}"
    return f"{kind} {name!r}" if isinstance(name, str) else f"a {kind}"


# The functions below check only the shape of the YAML (text where text is
# expected, lists where lists are). Every rule about the values themselves
# (a name is given, an owner is a team, a channel joins two teams, ...) is
# checked once, in _validate, for orgs read from YAML and built in code alike.


def _text(entry: _Mapping, key: str, label: str, source: str) -> str:
    """Return the text under ``key``, stripped; ``""`` when the key is missing or empty."""
    value = entry.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        msg = f"{label}: '{key}' must be text, got {shown(value)} (quote it in YAML)"
        raise InputError(_at(source, entry.line, msg))
    return value.strip()


def _texts(entry: _Mapping, key: str, label: str, source: str) -> tuple[str, ...]:
    value = entry.get(key)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        msg = f"{label}: '{key}' must be a list of names, got {shown(value)}"
        raise InputError(_at(source, entry.line, msg))
    return tuple(v.strip() for v in value)


def _team(entry: _Mapping, source: str) -> Team:
    label = _label("teams", entry)
    return Team(
        name=_text(entry, "name", label, source),
        type=cast("TeamType", _text(entry, "type", label, source).lower()),
        people=_texts(entry, "people", label, source),
        owners=_texts(entry, "owners", label, source),
        description=_text(entry, "description", label, source),
        line=entry.line,
    )


def _component(entry: _Mapping, source: str) -> Component:
    label = _label("components", entry)
    return Component(
        name=_text(entry, "name", label, source),
        owner=_text(entry, "owner", label, source),
        depends_on=_texts(entry, "depends_on", label, source),
        description=_text(entry, "description", label, source),
        line=entry.line,
    )


def _channel(entry: _Mapping, source: str) -> Channel:
    label = _label("channels", entry)
    # Any number of teams may be written; _validate requires exactly two.
    between = cast("tuple[str, str]", _texts(entry, "between", label, source))
    return Channel(
        teams=between,
        mode=cast("InteractionMode", _text(entry, "mode", label, source).lower()),
        description=_text(entry, "description", label, source),
        line=entry.line,
    )


def _at(source: str, line: int | None, message: str) -> str:
    where = f"{source}:{line}" if source and line is not None else source
    return f"{where}: {message}" if where else message


def _validate(org: Org) -> None:
    """Check names, references and values; raise InputError at the first problem.

    Each rule is checked here and only here, with one message, whether the
    org was read from YAML or built in code.
    """
    src = org.source
    teams: dict[str, Team] = {}
    handles: dict[str, str] = {}
    for team in org.teams:
        if not team.name:
            raise InputError(_at(src, team.line, "a team without a 'name'"))
        if team.name in teams:
            msg = f"team {team.name!r} is listed twice{_also(teams[team.name].line)}"
            raise InputError(_at(src, team.line, msg))
        teams[team.name] = team
        if team.type not in TEAM_TYPES:
            msg = f"team {team.name!r}: {_unknown('type', team.type, TEAM_TYPES)}"
            raise InputError(_at(src, team.line, msg))
        for handle in team.owners:
            key = handle.lower()
            if key in handles and handles[key] != team.name:
                msg = (
                    f"code owner {handle!r} is listed for teams {handles[key]!r} and {team.name!r}"
                )
                raise InputError(_at(src, team.line, msg))
            handles[key] = team.name
    components: dict[str, Component] = {}
    for component in org.components:
        if not component.name:
            raise InputError(_at(src, component.line, "a component without a 'name'"))
        if component.name in components:
            first = components[component.name].line
            msg = f"component {component.name!r} is listed twice{_also(first)}"
            raise InputError(_at(src, component.line, msg))
        components[component.name] = component
    for component in org.components:
        label = f"component {component.name!r}"
        if not component.owner:
            raise InputError(_at(src, component.line, f"{label} has no owner"))
        if component.owner not in teams:
            hint = did_you_mean(component.owner, teams)
            msg = f"{label}: owner {component.owner!r} is not a team{hint}"
            raise InputError(_at(src, component.line, msg))
        seen: set[str] = set()
        for target in component.depends_on:
            if target == component.name:
                raise InputError(_at(src, component.line, f"{label} depends on itself"))
            if target not in components:
                hint = did_you_mean(target, components)
                msg = f"{label} depends on unknown component {target!r}{hint}"
                raise InputError(_at(src, component.line, msg))
            if target in seen:
                msg = f"{label} lists the dependency on {target!r} twice"
                raise InputError(_at(src, component.line, msg))
            seen.add(target)
    pairs: dict[frozenset[str], Channel] = {}
    for channel in org.channels:
        # The count comes first: the label below reads both teams. The type
        # promises two, but YAML (and untyped code) can give any number.
        between: tuple[str, ...] = channel.teams
        if len(between) != 2:
            msg = f"a channel needs exactly two teams, got {shown(list(between))}"
            raise InputError(_at(src, channel.line, msg))
        label = f"channel {channel.teams[0]} <-> {channel.teams[1]}"
        for name in channel.teams:
            if name not in teams:
                msg = f"{label}: {name!r} is not a team{did_you_mean(name, teams)}"
                raise InputError(_at(src, channel.line, msg))
        if channel.teams[0] == channel.teams[1]:
            msg = f"{label}: a team does not need a channel to itself"
            raise InputError(_at(src, channel.line, msg))
        if channel.mode not in INTERACTION_MODES:
            kind = "interaction mode"
            msg = f"{label}: {_unknown('mode', channel.mode, INTERACTION_MODES, kind=kind)}"
            raise InputError(_at(src, channel.line, msg))
        pair = frozenset(channel.teams)
        if pair in pairs:
            msg = f"{label} is listed twice{_also(pairs[pair].line)}"
            raise InputError(_at(src, channel.line, msg))
        pairs[pair] = channel


def _unknown(key: str, value: str, choices: tuple[str, ...], *, kind: str = "") -> str:
    """Return ``no 'key'`` or ``unknown kind 'value'``, then ``(expected one of ...)``.

    A missing value and a wrong one break the same rule (the value must be
    one of ``choices``), so one helper words both.

    >>> _unknown("type", "platfrom", ("platform", "enabling"))
    "unknown type 'platfrom' (expected one of platform, enabling; did you mean 'platform'?)"
    >>> _unknown("mode", "", ("collaboration",), kind="interaction mode")
    "no 'mode' (expected one of collaboration)"
    """
    expected = ", ".join(choices)
    if not value:
        return f"no {key!r} (expected one of {expected})"
    close = difflib.get_close_matches(value, choices, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown {kind or key} {shown(value)} (expected one of {expected}{hint})"


def _also(line: int | None) -> str:
    return f" (first at line {line})" if line is not None else ""


# -- Congruence ----------------------------------------------------------------


@dataclass(frozen=True)
class Congruence:
    """Socio-technical congruence and the two counts it is the ratio of.

    ``value`` is ``communicating_pairs / required_pairs``, or ``None`` when no
    team depends on another team's components (nothing is required).
    """

    value: float | None
    required_pairs: int
    communicating_pairs: int

    def __str__(self) -> str:
        """Return e.g. ``'0.50 (5 of 10 required team pairs communicate)'``.

        >>> str(Congruence(0.5, 10, 5))
        '0.50 (5 of 10 required team pairs communicate)'
        """
        if self.value is None:
            return "undefined (no team depends on another team's components)"
        return (
            f"{self.value:.2f} ({self.communicating_pairs} of {self.required_pairs} "
            "required team pairs communicate)"
        )


@dataclass(frozen=True)
class Gap:
    """Two teams that must coordinate but have no channel, and why they must."""

    teams: tuple[str, str]
    dependencies: tuple[Dependency, ...]

    def __str__(self) -> str:
        """Return ``'a <-> b: x -> y, ...'``."""
        causes = ", ".join(str(d) for d in self.dependencies)
        return f"{self.teams[0]} <-> {self.teams[1]}: {causes}"


@dataclass(frozen=True)
class TeamLoad:
    """How much of the architecture one team carries, and how much crosses its boundary.

    ``depends_on_others`` counts dependencies of this team's components on
    other teams' components, ``depended_on_by_others`` the reverse;
    ``must_coordinate_with`` counts the teams that requires, and
    ``talks_with`` the teams this team has a channel to.
    """

    team: str
    type: TeamType
    components: int
    depends_on_others: int
    depended_on_by_others: int
    must_coordinate_with: int
    talks_with: int

    @property
    def crossing(self) -> int:
        """Dependencies that cross this team's boundary, in either direction."""
        return self.depends_on_others + self.depended_on_by_others


@dataclass(frozen=True)
class _Coordination:
    """The counts behind every measure, computed once per org.

    ``cr`` is ``CR = TA · TD · TAᵀ`` kept sparse as a mapping: ``cr[s, t]``
    counts the dependencies of team ``s``'s components on team ``t``'s (the
    diagonal included); only nonzero entries are present. Team pairs are
    ``(i, j)`` with ``i < j`` in the order of ``org.teams``.
    """

    team_names: tuple[str, ...]
    owner: tuple[int, ...]  # component index -> team index
    source: tuple[int, ...]  # dependency -> component index
    target: tuple[int, ...]
    cr: Mapping[tuple[int, int], int]
    required: Mapping[tuple[int, int], int]  # pair -> dependencies joining the two teams
    communicating: frozenset[tuple[int, int]]  # pairs joined by a channel


def _coordination(org: Org) -> _Coordination:
    team_index = {team.name: i for i, team in enumerate(org.teams)}
    component_index = {component.name: k for k, component in enumerate(org.components)}
    owner = tuple(team_index[c.owner] for c in org.components)
    dependencies = org.dependencies
    source = tuple(component_index[d.component] for d in dependencies)
    target = tuple(component_index[d.on] for d in dependencies)
    # TA · TD · TAᵀ of 0/1 matrices: each dependency adds one to the entry of
    # its two owning teams, so counting dependencies by owner pair is the product.
    cr = Counter((owner[a], owner[b]) for a, b in zip(source, target, strict=True))
    required: Counter[tuple[int, int]] = Counter()
    for (s, t), count in cr.items():
        if s != t:
            required[min(s, t), max(s, t)] += count
    communicating = frozenset(
        (min(a, b), max(a, b))
        for a, b in ((team_index[c.teams[0]], team_index[c.teams[1]]) for c in org.channels)
    )
    return _Coordination(
        team_names=tuple(team_index),
        owner=owner,
        source=source,
        target=target,
        cr=dict(cr),
        required=dict(sorted(required.items())),
        communicating=communicating,
    )


def congruence(org: Org) -> Congruence:
    """Return the share of team pairs that must coordinate and do communicate.

    Cataldo et al.'s example: five teams whose components all depend on each
    other need all ten pairs to coordinate; five channels give 0.5.

    >>> names = ["a", "b", "c", "d", "e"]
    >>> org = Org(
    ...     teams=tuple(Team(n, "stream-aligned") for n in names),
    ...     components=tuple(
    ...         Component(n + "-service", n, tuple(m + "-service" for m in names if m > n))
    ...         for n in names
    ...     ),
    ...     channels=tuple(
    ...         Channel(pair, "collaboration")
    ...         for pair in [("a", "b"), ("b", "c"), ("c", "d"), ("d", "e"), ("e", "a")]
    ...     ),
    ... )
    >>> str(congruence(org))
    '0.50 (5 of 10 required team pairs communicate)'
    """
    return _congruence(_coordination(org))


def _congruence(coordination: _Coordination) -> Congruence:
    required = len(coordination.required)
    communicating = len(coordination.communicating & coordination.required.keys())
    value = communicating / required if required else None
    return Congruence(value, required, communicating)


def coordination_gaps(org: Org) -> tuple[Gap, ...]:
    """Return the team pairs that must coordinate but have no channel.

    Each gap lists the dependencies that create it (in both directions); gaps
    come with the most dependencies first, then by team names.

    >>> org = Org(
    ...     teams=(Team("data", "platform"), Team("search", "stream-aligned")),
    ...     components=(
    ...         Component("events", "data"),
    ...         Component("ranker", "search", ("events",)),
    ...         Component("clicks", "data", ("ranker",)),
    ...     ),
    ... )
    >>> [str(gap) for gap in coordination_gaps(org)]
    ['data <-> search: clicks -> ranker, ranker -> events']
    """
    return _gaps(org, _coordination(org))


def _gaps(org: Org, coordination: _Coordination) -> tuple[Gap, ...]:
    missing = coordination.required.keys() - coordination.communicating
    if not missing:
        return ()
    names = coordination.team_names
    owner = coordination.owner
    components = org.components
    causes: dict[tuple[int, int], list[Dependency]] = defaultdict(list)
    for a, b in zip(coordination.source, coordination.target, strict=True):
        s, t = owner[a], owner[b]
        pair = (min(s, t), max(s, t))
        if s != t and pair in missing:
            causes[pair].append(Dependency(components[a].name, components[b].name))
    gaps = [Gap((names[i], names[j]), tuple(sorted(deps))) for (i, j), deps in causes.items()]
    gaps.sort(key=lambda gap: (-len(gap.dependencies), gap.teams))
    return tuple(gaps)


def possible_overhead(org: Org) -> tuple[Channel, ...]:
    """Return the channels between teams that no dependency joins.

    Such a channel has no architectural reason. It may still be worth having
    (an enabling team facilitating another, a planned change), so this is a
    list to review, not to delete.

    >>> org = Org(
    ...     teams=(Team("ads", "stream-aligned"), Team("search", "stream-aligned")),
    ...     channels=(Channel(("ads", "search"), "collaboration"),),
    ... )
    >>> [str(channel) for channel in possible_overhead(org)]
    ['ads <-> search (collaboration)']
    """
    return _overhead(org, _coordination(org))


def _overhead(org: Org, coordination: _Coordination) -> tuple[Channel, ...]:
    index = {name: i for i, name in enumerate(coordination.team_names)}
    required = coordination.required
    unexplained = []
    for channel in org.channels:
        a, b = sorted((index[channel.teams[0]], index[channel.teams[1]]))
        if (a, b) not in required:
            unexplained.append(channel)
    return tuple(unexplained)


def team_load(org: Org) -> tuple[TeamLoad, ...]:
    """Return, per team, its components and the dependencies crossing its boundary.

    >>> org = Org(
    ...     teams=(Team("data", "platform"), Team("search", "stream-aligned")),
    ...     components=(
    ...         Component("events", "data"),
    ...         Component("warehouse", "data", ("events",)),
    ...         Component("ranker", "search", ("events", "warehouse")),
    ...     ),
    ... )
    >>> [(load.team, load.components, load.depends_on_others, load.depended_on_by_others)
    ...  for load in team_load(org)]
    [('data', 2, 0, 2), ('search', 1, 2, 0)]
    """
    return _load(org, _coordination(org))


def _load(org: Org, coordination: _Coordination) -> tuple[TeamLoad, ...]:
    outgoing: Counter[int] = Counter()
    incoming: Counter[int] = Counter()
    for (s, t), count in coordination.cr.items():
        if s != t:
            outgoing[s] += count
            incoming[t] += count
    partners: Counter[int] = Counter()
    for i, j in coordination.required:
        partners.update((i, j))
    owned = Counter(coordination.owner)
    talks: Counter[str] = Counter()
    for channel in org.channels:
        talks.update(channel.teams)
    return tuple(
        TeamLoad(
            team=team.name,
            type=team.type,
            components=int(owned[i]),
            depends_on_others=int(outgoing[i]),
            depended_on_by_others=int(incoming[i]),
            must_coordinate_with=int(partners[i]),
            talks_with=talks[team.name],
        )
        for i, team in enumerate(org.teams)
    )


# -- The whole report ----------------------------------------------------------


@dataclass(frozen=True)
class OrgReport:
    """Everything :func:`report` measures about one org.

    A report also keeps the coordination matrices it was measured from, so
    :func:`org_graph` and :func:`mlorg.orgfigure.draw` given the report reuse
    them instead of computing them again.
    """

    org: Org
    congruence: Congruence
    gaps: tuple[Gap, ...]
    overhead: tuple[Channel, ...]
    load: tuple[TeamLoad, ...]
    _coordination: _Coordination | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """Return the report as plain data, ready for ``json.dumps``."""
        dependencies = self.org.dependencies
        owner = {c.name: c.owner for c in self.org.components}
        inside = sum(owner[d.component] == owner[d.on] for d in dependencies)
        return {
            "source": self.org.source,
            "teams": len(self.org.teams),
            "components": len(self.org.components),
            "dependencies": len(dependencies),
            "dependencies_inside_teams": inside,
            "channels": len(self.org.channels),
            "congruence": self.congruence.value,
            "required_pairs": self.congruence.required_pairs,
            "communicating_pairs": self.congruence.communicating_pairs,
            "gaps": [
                {"teams": list(gap.teams), "dependencies": [str(d) for d in gap.dependencies]}
                for gap in self.gaps
            ],
            "possible_overhead": [
                {"teams": list(channel.teams), "mode": channel.mode} for channel in self.overhead
            ],
            "team_load": [
                {
                    "team": load.team,
                    "type": load.type,
                    "components": load.components,
                    "depends_on_others": load.depends_on_others,
                    "depended_on_by_others": load.depended_on_by_others,
                    "must_coordinate_with": load.must_coordinate_with,
                    "talks_with": load.talks_with,
                }
                for load in self.load
            ],
        }

    def to_text(self) -> str:
        """Return the report as the ``mlorg org-graph`` command prints it."""
        data = self.to_dict()
        lines = [
            (
                f"org: {counted(data['teams'], 'team')}, "
                f"{counted(data['components'], 'component')}, "
                f"{counted(data['dependencies'], 'dependency', 'dependencies')} "
                f"({data['dependencies_inside_teams']} inside a team), "
                f"{counted(data['channels'], 'channel')}"
            ),
            f"congruence: {self.congruence}",
            "",
            (
                f"coordination gaps ({len(self.gaps)}): team pairs that must coordinate "
                "but have no channel"
            ),
        ]
        lines += [
            f"  {printable(gap.teams[0])} <-> {printable(gap.teams[1])}: {_causes(gap)}"
            for gap in self.gaps
        ]
        lines += [
            "",
            f"possible overhead ({len(self.overhead)}): channels no dependency explains",
        ]
        lines += [f"  {channel}" for channel in self.overhead]
        header = (
            "team",
            "type",
            "components",
            "depends on",
            "depended on",
            "must talk to",
            "talks to",
        )
        rows = [header] + [
            (
                printable(load.team),
                printable(load.type),
                str(load.components),
                str(load.depends_on_others),
                str(load.depended_on_by_others),
                str(load.must_coordinate_with),
                str(load.talks_with),
            )
            for load in self.load
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
        lines += ["", "team load (dependencies crossing the team boundary; teams to talk to):"]
        lines += [
            "  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            for row in rows
        ]
        return "\n".join(lines)


def _causes(gap: Gap, limit: int = 5) -> str:
    listed = ", ".join(str(d) for d in gap.dependencies[:limit])
    more = len(gap.dependencies) - limit
    suffix = f", and {more} more" if more > 0 else ""
    return f"{counted(len(gap.dependencies), 'dependency', 'dependencies')} ({listed}{suffix})"


def report(org: Org) -> OrgReport:
    """Measure congruence, gaps, possible overhead and team load in one pass.

    >>> org = Org(
    ...     teams=(Team("data", "platform"), Team("search", "stream-aligned")),
    ...     components=(Component("events", "data"), Component("ranker", "search", ("events",))),
    ... )
    >>> print(report(org).to_text())  # doctest: +NORMALIZE_WHITESPACE
    org: 2 teams, 2 components, 1 dependency (0 inside a team), 0 channels
    congruence: 0.00 (0 of 1 required team pairs communicate)
    <BLANKLINE>
    coordination gaps (1): team pairs that must coordinate but have no channel
      data <-> search: 1 dependency (ranker -> events)
    <BLANKLINE>
    possible overhead (0): channels no dependency explains
    <BLANKLINE>
    team load (dependencies crossing the team boundary; teams to talk to):
      team    type            components  depends on  depended on  must talk to  talks to
      data    platform        1           0           1            1             0
      search  stream-aligned  1           1           0            1             0
    """
    coordination = _coordination(org)
    return OrgReport(
        org=org,
        congruence=_congruence(coordination),
        gaps=_gaps(org, coordination),
        overhead=_overhead(org, coordination),
        load=_load(org, coordination),
        _coordination=coordination,
    )


# -- Graphs for drawing --------------------------------------------------------


def org_graph(org: Org | OrgReport) -> nx.Graph[str]:
    """Return the teams as a graph: an edge per channel and per required pair.

    Given the :func:`report` of an org, the graph reuses what the report
    measured; given the org itself, it measures it first.

    Nodes carry ``type`` and ``components`` (how many the team owns). Edges
    carry ``dependencies`` (how many dependencies join the two teams), ``mode``
    (the channel's interaction mode, or ``None``) and ``status``:
    ``"communicating"`` (required and a channel), ``"gap"`` (required, no
    channel) or ``"overhead"`` (a channel, not required).

    >>> org = Org(
    ...     teams=(Team("data", "platform"), Team("search", "stream-aligned")),
    ...     components=(Component("events", "data"), Component("ranker", "search", ("events",))),
    ... )
    >>> org_graph(org).edges["data", "search"]
    {'dependencies': 1, 'mode': None, 'status': 'gap'}
    >>> list(org_graph(report(org)).edges(data=True)) == list(org_graph(org).edges(data=True))
    True
    """
    if isinstance(org, OrgReport):
        coordination = org._coordination or _coordination(org.org)
        org = org.org
    else:
        coordination = _coordination(org)
    graph: nx.Graph[str] = nx.Graph()
    owned = Counter(c.owner for c in org.components)
    for team in org.teams:
        graph.add_node(team.name, type=team.type, components=owned[team.name])
    names = coordination.team_names
    for (i, j), count in coordination.required.items():
        graph.add_edge(names[i], names[j], dependencies=count, mode=None, status="gap")
    for channel in org.channels:
        a, b = channel.teams
        if graph.has_edge(a, b):
            graph.edges[a, b].update(mode=channel.mode, status="communicating")
        else:
            graph.add_edge(a, b, dependencies=0, mode=channel.mode, status="overhead")
    return graph


def system_graph(org: Org) -> nx.DiGraph[str]:
    """Return the components as a directed graph, an edge ``a -> b`` when a depends on b.

    Nodes carry ``owner``; edges carry ``crosses_teams`` (the two components
    have different owners) and ``gap`` (they do, and those teams have no
    channel).

    >>> org = Org(
    ...     teams=(Team("data", "platform"), Team("search", "stream-aligned")),
    ...     components=(Component("events", "data"), Component("ranker", "search", ("events",))),
    ... )
    >>> system_graph(org).edges["ranker", "events"]
    {'crosses_teams': True, 'gap': True}
    """
    graph: nx.DiGraph[str] = nx.DiGraph()
    owner: Mapping[str, str] = {c.name: c.owner for c in org.components}
    for component in org.components:
        graph.add_node(component.name, owner=component.owner)
    talking = {frozenset(channel.teams) for channel in org.channels}
    for dependency in org.dependencies:
        a, b = owner[dependency.component], owner[dependency.on]
        graph.add_edge(
            dependency.component,
            dependency.on,
            crosses_teams=a != b,
            gap=a != b and frozenset((a, b)) not in talking,
        )
    return graph
