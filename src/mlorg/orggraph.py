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

from mlorg._orggraph.graphs import org_graph, system_graph
from mlorg._orggraph.load import load_org, parse_org
from mlorg._orggraph.metrics import (
    Congruence,
    Gap,
    TeamLoad,
    congruence,
    coordination_gaps,
    possible_overhead,
    team_load,
)
from mlorg._orggraph.model import (
    INTERACTION_MODES,
    TEAM_TYPES,
    Channel,
    Component,
    Dependency,
    InteractionMode,
    Org,
    Team,
    TeamType,
)
from mlorg._orggraph.report import OrgReport, report

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

# The classes and functions are defined in mlorg._orggraph; they belong to
# this module for readers, pickles and the toolkit reference.
for _name in __all__:
    _value = globals()[_name]
    if callable(_value) and getattr(_value, "__module__", "").startswith("mlorg._orggraph"):
        _value.__module__ = __name__
del _name, _value
