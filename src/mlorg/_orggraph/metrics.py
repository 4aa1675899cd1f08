"""Congruence, coordination gaps, possible overhead and team load, from one count of dependencies.

Private: the public names are in :mod:`mlorg.orggraph`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from mlorg._orggraph.model import Channel, Dependency, Org, TeamType

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

    >>> from mlorg.orggraph import Channel, Component, Org, Team
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

    >>> from mlorg.orggraph import Channel, Component, Org, Team
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

    >>> from mlorg.orggraph import Channel, Component, Org, Team
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

    >>> from mlorg.orggraph import Channel, Component, Org, Team
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
