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

    ``cr`` is ``CR = TA · TD · TAᵀ`` kept sparse as a mapping: ``cr[key(s, t)]``
    counts the dependencies of team ``s``'s components on team ``t``'s (the
    diagonal included); only nonzero entries are present. A pair of team
    indexes ``(s, t)`` is stored as the one integer ``s * n_teams + t``
    (:meth:`key`, :meth:`pair`): plain integers, unlike tuples, are not
    tracked by Python's garbage collector, which otherwise dominates the time
    on large orgs. ``required`` and ``communicating`` hold unordered pairs,
    ``s < t``, in the order of ``org.teams``.
    """

    team_names: tuple[str, ...]
    owner: tuple[int, ...]  # component index -> team index
    source: tuple[int, ...]  # dependency -> component index
    target: tuple[int, ...]
    cr: Mapping[int, int]
    required: Mapping[int, int]  # pair -> dependencies joining the two teams
    communicating: frozenset[int]  # pairs joined by a channel

    def key(self, s: int, t: int) -> int:
        """The integer that stands for the team pair ``(s, t)``."""
        return s * len(self.team_names) + t

    def pair(self, key: int) -> tuple[int, int]:
        """The team pair ``(s, t)`` an integer stands for."""
        return divmod(key, len(self.team_names))


def _coordination(org: Org) -> _Coordination:
    team_index = {team.name: i for i, team in enumerate(org.teams)}
    component_index = {component.name: k for k, component in enumerate(org.components)}
    n = len(team_index)
    owner = tuple(team_index[c.owner] for c in org.components)
    # Every dependency, in the order of org.dependencies, without building
    # its Dependency object (most are never shown).
    source = [k for k, c in enumerate(org.components) for _ in c.depends_on]
    target = [component_index[on] for c in org.components for on in c.depends_on]
    # TA · TD · TAᵀ of 0/1 matrices: each dependency adds one to the entry of
    # its two owning teams, so counting dependencies by owner pair is the product.
    cr = Counter(owner[a] * n + owner[b] for a, b in zip(source, target, strict=True))
    required: dict[int, int] = {}
    for key, count in cr.items():
        s, t = divmod(key, n)
        if s == t:
            continue  # inside one team: not a coordination requirement
        pair = key if s < t else t * n + s
        required[pair] = required.get(pair, 0) + count
    communicating = frozenset(
        min(a, b) * n + max(a, b)
        for a, b in ((team_index[c.teams[0]], team_index[c.teams[1]]) for c in org.channels)
    )
    return _Coordination(
        team_names=tuple(team_index),
        owner=owner,
        source=tuple(source),
        target=tuple(target),
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
    n = len(names)
    owner = coordination.owner
    components = org.components
    causes: dict[int, list[Dependency]] = defaultdict(list)
    for a, b in zip(coordination.source, coordination.target, strict=True):
        s, t = owner[a], owner[b]
        if s != t:
            key = s * n + t if s < t else t * n + s
            if key in missing:
                causes[key].append(Dependency(components[a].name, components[b].name))
    gaps = []
    for key, deps in causes.items():
        i, j = divmod(key, n)
        gaps.append(Gap((names[i], names[j]), tuple(sorted(deps))))
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
        if coordination.key(a, b) not in required:
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
    for key, count in coordination.cr.items():
        s, t = coordination.pair(key)
        if s != t:
            outgoing[s] += count
            incoming[t] += count
    partners: Counter[int] = Counter()
    for key in coordination.required:
        partners.update(coordination.pair(key))
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
