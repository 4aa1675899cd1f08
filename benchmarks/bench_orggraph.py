"""Org-graph benchmark: congruence and coordination gaps of a large organisation.

Target (issue 6): an org of 1,000 teams, 10,000 components and 50,000
dependencies gets its congruence and its gaps in at most 2 s and 1 GB peak
memory. For comparison, a straightforward pairwise loop over networkx graphs
(for every pair of teams, look up every pair of their components) runs on a
smaller org (two sizes), and so does the sparse-matrix code on the very same
orgs; the summary prints how many times faster the sparse code is there, and
checks that both give the same answer.

Run with ``nox -s bench -- orggraph``. Timed calls start from an
:class:`mlorg.orggraph.Org` already in memory (building the random org is
set-up, not timed); each builds whatever structures it needs itself.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import networkx as nx
import numpy as np
from _harness import Case, Result, main

from mlorg.orggraph import (
    INTERACTION_MODES,
    Channel,
    Component,
    Org,
    Team,
    congruence,
    coordination_gaps,
)

LARGE = {"teams": 1_000, "components": 10_000, "dependencies": 50_000, "channels": 5_000}
SMALL = {"teams": 100, "components": 1_000, "dependencies": 5_000, "channels": 500}
MEDIUM = {"teams": 300, "components": 3_000, "dependencies": 15_000, "channels": 1_500}


def _unique_pairs(
    rng: np.random.Generator, n: int, count: int, *, unordered: bool
) -> list[tuple[int, int]]:
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < count:
        a, b = rng.integers(0, n, size=(2, 2 * (count - len(pairs))))
        for x, y in zip(a.tolist(), b.tolist(), strict=True):
            if x != y and len(pairs) < count:
                pairs.add((min(x, y), max(x, y)) if unordered else (x, y))
    return sorted(pairs)


def make_org(teams: int, components: int, dependencies: int, channels: int, seed: int = 6) -> Org:
    """Return a random but reproducible org of the given size."""
    rng = np.random.default_rng(seed)
    owner = rng.integers(0, teams, size=components).tolist()
    needs: list[list[str]] = [[] for _ in range(components)]
    for a, b in _unique_pairs(rng, components, dependencies, unordered=False):
        needs[a].append(f"c{b}")
    modes = rng.integers(0, len(INTERACTION_MODES), size=channels).tolist()
    return Org(
        teams=tuple(Team(f"t{i}", "stream-aligned") for i in range(teams)),
        components=tuple(
            Component(f"c{k}", f"t{owner[k]}", tuple(needs[k])) for k in range(components)
        ),
        channels=tuple(
            Channel((f"t{a}", f"t{b}"), INTERACTION_MODES[mode])
            for (a, b), mode in zip(
                _unique_pairs(rng, teams, channels, unordered=True), modes, strict=True
            )
        ),
    )


def sparse(org: Org) -> dict[str, Any]:
    """The library: CR = TA · TD · TAᵀ as sparse counts per team pair (no scipy), then the gaps."""
    result = congruence(org)
    gaps = coordination_gaps(org)
    return {
        "congruence": result.value,
        "required_pairs": result.required_pairs,
        "gaps": len(gaps),
        "gap_dependencies": sum(len(gap.dependencies) for gap in gaps),
    }


def pairwise_networkx(org: Org) -> dict[str, Any]:
    """The straightforward way: for every pair of teams, every pair of their components."""
    system: nx.DiGraph[str] = nx.DiGraph()
    system.add_nodes_from(c.name for c in org.components)
    system.add_edges_from((d.component, d.on) for d in org.dependencies)
    talks: nx.Graph[str] = nx.Graph()
    talks.add_edges_from(channel.teams for channel in org.channels)
    members: dict[str, list[str]] = {team.name: [] for team in org.teams}
    for component in org.components:
        members[component.owner].append(component.name)
    required = communicating = gaps = gap_dependencies = 0
    for s, t in itertools.combinations(members, 2):
        causes = [
            (a, b)
            for a in members[s]
            for b in members[t]
            for pair in ((a, b), (b, a))
            if system.has_edge(*pair)
        ]
        if not causes:
            continue
        required += 1
        if talks.has_edge(s, t):
            communicating += 1
        else:
            gaps += 1
            gap_dependencies += len(causes)
    return {
        "congruence": communicating / required if required else None,
        "required_pairs": required,
        "gaps": gaps,
        "gap_dependencies": gap_dependencies,
    }


def _summary(results: Sequence[Result]) -> dict[str, Any]:
    by_name = {r.name: r for r in results}
    summary: dict[str, Any] = {}
    same = True
    for size in (SMALL, MEDIUM):
        fast, slow = (
            by_name[f"sparse: {_label(size)}"],
            by_name[f"pairwise networkx: {_label(size)}"],
        )
        same = same and fast.info == slow.info
        key = f"speed-up of sparse over the pairwise networkx loop ({size['teams']} teams)"
        summary[key] = f"{slow.seconds / fast.seconds:.0f}x"
    summary["same congruence and gaps from both methods"] = same
    summary["within_limits"] = same
    return summary


def _label(size: dict[str, int]) -> str:
    return (
        f"{size['teams']:,} teams, {size['components']:,} components, {size['dependencies']:,} deps"
    )


if __name__ == "__main__":
    raise SystemExit(
        main(
            "orggraph",
            [
                Case(
                    f"sparse: {_label(LARGE)}",
                    make_org,
                    sparse,
                    args=tuple(LARGE.values()),
                    limits={"seconds": 2.0, "peak_mb": 1024},
                ),
                *(
                    Case(f"{name}: {_label(size)}", make_org, run, args=tuple(size.values()))
                    for size in (SMALL, MEDIUM)
                    for name, run in (("sparse", sparse), ("pairwise networkx", pairwise_networkx))
                ),
            ],
            summary=_summary,
        )
    )
