"""The org model: teams, components, channels, and the rules every org obeys.

Private: the public names are in :mod:`mlorg.orggraph`.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, replace
from typing import Literal, get_args

from mlorg._common import did_you_mean
from mlorg._output import printable, shown
from mlorg.errors import InputError

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
