"""The org and its system as networkx graphs, for drawing.

Private: the public names are in :mod:`mlorg.orggraph`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

import networkx as nx

from mlorg._orggraph import metrics
from mlorg._orggraph.model import Org
from mlorg._orggraph.report import OrgReport

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

    >>> from mlorg.orggraph import Component, Org, Team, report
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
        coordination = org._coordination or metrics._coordination(org.org)
        org = org.org
    else:
        coordination = metrics._coordination(org)
    graph: nx.Graph[str] = nx.Graph()
    owned = Counter(c.owner for c in org.components)
    for team in org.teams:
        graph.add_node(team.name, type=team.type, components=owned[team.name])
    names = coordination.team_names
    for key, count in coordination.required.items():
        i, j = coordination.pair(key)
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

    >>> from mlorg.orggraph import Component, Org, Team
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
