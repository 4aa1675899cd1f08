"""The whole report of one org, as data and as the text ``mlorg org-graph`` prints.

Private: the public names are in :mod:`mlorg.orggraph`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mlorg._common import counted
from mlorg._orggraph import metrics
from mlorg._orggraph.metrics import Congruence, Gap, TeamLoad, _Coordination
from mlorg._orggraph.model import Channel, Org
from mlorg._output import printable

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
    shown = ", ".join(str(d) for d in gap.dependencies[:limit])
    more = len(gap.dependencies) - limit
    suffix = f", and {more} more" if more > 0 else ""
    return f"{counted(len(gap.dependencies), 'dependency', 'dependencies')} ({shown}{suffix})"


def report(org: Org) -> OrgReport:
    """Measure congruence, gaps, possible overhead and team load in one pass.

    >>> from mlorg.orggraph import Component, Org, Team, report
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
    coordination = metrics._coordination(org)
    return OrgReport(
        org=org,
        congruence=metrics._congruence(coordination),
        gaps=metrics._gaps(org, coordination),
        overhead=metrics._overhead(org, coordination),
        load=metrics._load(org, coordination),
        _coordination=coordination,
    )
