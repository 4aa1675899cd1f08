"""Draw an org graph and its system graph side by side, coordination gaps highlighted.

The left panel shows teams and their channels; the right panel shows
components, grouped around the team that owns them, and their dependencies.
Colours come from the Okabe-Ito palette, which stays distinguishable with
the common forms of colour blindness, and every colour is paired with a line
style, so nothing depends on colour alone. The layout is computed, not
random: teams sit on a circle in the order the org lists them, and each
team's components on a small circle around it, so the same org always gives
the same picture.

>>> from mlorg.orggraph import Component, Org, Team
>>> org = Org(
...     teams=(Team("data", "platform"), Team("search", "stream-aligned")),
...     components=(Component("events", "data"), Component("ranker", "search", ("events",))),
... )
>>> figure = draw(org)
>>> [axes.get_title() for axes in figure.axes]
['Teams and channels (congruence 0.00)', 'Components and dependencies']
"""

from __future__ import annotations

import math
import os
from collections import Counter
from pathlib import Path

import matplotlib as mpl
import networkx as nx
import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from mlorg.errors import InputError
from mlorg.orggraph import TEAM_TYPES, Org, OrgReport, TeamType, org_graph, report, system_graph

__all__ = ["FIGURE_FORMATS", "OKABE_ITO", "TEAM_TYPE_COLOURS", "draw", "layout", "save"]

#: The Okabe-Ito palette, a colour-blind-safe set of eight colours.
OKABE_ITO = {
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
    "black": "#000000",
}

#: One colour per Team Topologies team type (black labels stay readable on each).
TEAM_TYPE_COLOURS: dict[TeamType, str] = {
    "stream-aligned": OKABE_ITO["yellow"],
    "platform": OKABE_ITO["sky blue"],
    "enabling": OKABE_ITO["bluish green"],
    "complicated-subsystem": OKABE_ITO["orange"],
}

#: File formats :func:`save` writes.
FIGURE_FORMATS = (".svg", ".png")

_GAP = OKABE_ITO["vermillion"]
_OVERHEAD = OKABE_ITO["reddish purple"]
_TALKING = "#333333"
_INSIDE = "#BBBBBB"
_LABEL_LIMIT = 60  # above this many nodes, labels would hide the graph
_CLUSTER_RADIUS = 1.9  # how far from the centre each team's components sit
_TEAM_NODE = 4600
# Text sizes in points. A figure 6.4 inches wide is shown 614 CSS px wide on a
# desktop, where 9 pt is 12 px: nothing in the figure is smaller than that.
_TEXT_PT = 10
_TITLE_PT = 12


def layout(org: Org) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Return fixed positions for the teams and for the components.

    Teams are spaced on a unit circle in the order the org lists them; each
    team's components sit on a smaller circle around the team's position,
    pushed outwards, so ownership is visible as clusters.

    >>> from mlorg.orggraph import Component, Org, Team
    >>> org = Org((Team("a", "platform"), Team("b", "platform")), (Component("x", "a"),))
    >>> teams, components = layout(org)
    >>> sorted(teams), sorted(components)
    (['a', 'b'], ['x'])
    """
    team_names = [team.name for team in org.teams]
    teams = _ring(team_names, scale=1.0, centre=np.zeros(2))
    owned: dict[str, list[str]] = {name: [] for name in team_names}
    for component in org.components:
        owned[component.owner].append(component.name)
    spread = 0.95 * math.sin(math.pi / max(len(team_names), 2))
    components: dict[str, np.ndarray] = {}
    for name, members in owned.items():
        if not members:
            continue
        centre = _CLUSTER_RADIUS * teams[name]
        if len(members) == 1:
            components[members[0]] = centre
            continue
        components.update(_ring(members, scale=spread, centre=centre))
    return teams, components


def _ring(names: list[str], scale: float, centre: np.ndarray) -> dict[str, np.ndarray]:
    graph: nx.Graph[str] = nx.Graph()
    graph.add_nodes_from(names)
    positions = nx.circular_layout(graph, scale=scale, center=centre)
    return {name: np.asarray(positions[name], dtype=float) for name in names}


def draw(org: Org | OrgReport, figure: Figure | None = None) -> Figure:
    """Draw the org graph (left) and the system graph (right) into ``figure``.

    Left: teams coloured by type; a solid line is a channel the architecture
    needs, a dashed vermillion line a coordination gap, a dotted purple line
    a channel no dependency explains. Right: components coloured by their
    team's type and grouped around it; dependencies inside a team are light
    grey, dependencies across teams that talk are dark, and dependencies
    across teams without a channel are dashed vermillion.

    ``org`` is an org, or its :func:`~mlorg.orggraph.report` when that has
    been computed already: the figure then reuses the report's measurements.

    A figure taller than wide gets the two panels one above the other (the
    org graph on top), which keeps the text readable on a page: the
    handbook's notebooks draw into ``Figure(figsize=(6.4, 12.5))``.
    """
    measured = org if isinstance(org, OrgReport) else report(org)
    org = measured.org
    if figure is None:
        figure = Figure(figsize=(13, 7), layout="constrained")
    width, height = figure.get_size_inches()
    stacked = height > width
    left, right = figure.subplots(2, 1) if stacked else figure.subplots(1, 2)
    team_positions, component_positions = layout(org)
    _draw_teams(measured, left, team_positions)
    _draw_components(org, right, team_positions, component_positions)
    handles: list[Artist] = [
        Patch(facecolor=TEAM_TYPE_COLOURS[kind], edgecolor="black", label=kind)
        for kind in TEAM_TYPES
        if any(team.type == kind for team in org.teams)
    ]
    handles += [
        Line2D(
            [],
            [],
            color=_TALKING,
            lw=2,
            label="channel the architecture needs; dependency it covers",
        ),
        Line2D(
            [], [], color=_GAP, lw=2.5, ls="--", label="coordination gap; dependency causing it"
        ),
        Line2D([], [], color=_OVERHEAD, lw=2, ls=":", label="channel without a dependency"),
        Line2D([], [], color=_INSIDE, lw=1.5, label="dependency inside a team"),
    ]
    figure.legend(
        handles=handles,
        loc="outside lower center",
        ncols=1 if stacked else 4,
        frameon=False,
        fontsize=_TEXT_PT,
    )
    return figure


def _draw_teams(measured: OrgReport, axes: Axes, positions: dict[str, np.ndarray]) -> None:
    graph = org_graph(measured)
    types = nx.get_node_attributes(graph, "type")
    nodes = list(graph.nodes)
    nx.draw_networkx_nodes(
        graph,
        positions,
        ax=axes,
        nodelist=nodes,
        node_color=[TEAM_TYPE_COLOURS[types[n]] for n in nodes],
        edgecolors="black",
        node_size=_TEAM_NODE,
    )
    styles = {
        "communicating": (_TALKING, 2.0, "solid"),
        "gap": (_GAP, 2.5, "dashed"),
        "overhead": (_OVERHEAD, 2.0, "dotted"),
    }
    for status, (colour, width, style) in styles.items():
        edges = [(a, b) for a, b, data in graph.edges(data=True) if data["status"] == status]
        nx.draw_networkx_edges(
            graph,
            positions,
            ax=axes,
            edgelist=edges,
            node_size=_TEAM_NODE,
            edge_color=colour,
            width=width,
            style=style,
        )
    if len(nodes) <= _LABEL_LIMIT:
        labels = {n: n.replace("-", "-\n", 1) if len(n) > 10 else n for n in nodes}
        nx.draw_networkx_labels(graph, positions, labels=labels, ax=axes, font_size=_TEXT_PT)
        edge_labels = {
            (a, b): str(data["dependencies"])
            for a, b, data in graph.edges(data=True)
            if data["dependencies"]
        }
        nx.draw_networkx_edge_labels(
            graph, positions, edge_labels=edge_labels, ax=axes, font_size=_TEXT_PT
        )
        axes.text(
            0.5,
            0.0,
            "numbers: dependencies between the two teams",
            transform=axes.transAxes,
            ha="center",
            fontsize=_TEXT_PT,
        )
    value = measured.congruence.value
    shown = "undefined" if value is None else f"{value:.2f}"
    axes.set_title(f"Teams and channels (congruence {shown})", fontsize=_TITLE_PT)
    _frame(axes, 1.35)


def _draw_components(
    org: Org,
    axes: Axes,
    team_positions: dict[str, np.ndarray],
    positions: dict[str, np.ndarray],
) -> None:
    graph = system_graph(org)
    kind = {team.name: team.type for team in org.teams}
    owners = nx.get_node_attributes(graph, "owner")
    nodes = list(graph.nodes)
    size = 500 if len(nodes) <= _LABEL_LIMIT else 60
    nx.draw_networkx_nodes(
        graph,
        positions,
        ax=axes,
        nodelist=nodes,
        node_color=[TEAM_TYPE_COLOURS[kind[owners[n]]] for n in nodes],
        edgecolors="black",
        node_size=size,
    )
    inside = [(a, b) for a, b, data in graph.edges(data=True) if not data["crosses_teams"]]
    gaps = [(a, b) for a, b, data in graph.edges(data=True) if data["gap"]]
    talking = [
        (a, b) for a, b, data in graph.edges(data=True) if data["crosses_teams"] and not data["gap"]
    ]
    for edges, colour, width, style in (
        (inside, _INSIDE, 1.0, "solid"),
        (talking, _TALKING, 1.0, "solid"),
        (gaps, _GAP, 2.0, "dashed"),
    ):
        nx.draw_networkx_edges(
            graph,
            positions,
            ax=axes,
            edgelist=edges,
            node_size=size,
            arrows=True,
            arrowsize=12,
            edge_color=colour,
            width=width,
            style=style,
        )
    if len(nodes) <= _LABEL_LIMIT:
        for name, (x, y) in positions.items():
            axes.annotate(
                name,
                (x, y),
                xytext=(0, -13),
                textcoords="offset points",
                ha="center",
                va="top",
                fontsize=_TEXT_PT,
            )
    members = Counter(owners.values())
    for team in org.teams:
        if members[team.name]:
            # A lone component sits where the team's name would go: put the name above it.
            axes.annotate(
                team.name,
                tuple(_CLUSTER_RADIUS * team_positions[team.name]),
                xytext=(0, 0 if members[team.name] > 1 else 14),
                textcoords="offset points",
                ha="center",
                va="center" if members[team.name] > 1 else "bottom",
                fontsize=_TEXT_PT,
                style="italic",
                bbox={"boxstyle": "round", "facecolor": "white", "alpha": 0.8, "lw": 0},
            )
    axes.set_title("Components and dependencies", fontsize=_TITLE_PT)
    _frame(axes, _CLUSTER_RADIUS + 0.9)


def _frame(axes: Axes, limit: float) -> None:
    axes.set_xlim(-limit, limit)
    axes.set_ylim(-limit, limit)
    axes.set_aspect("equal")
    axes.set_axis_off()


def save(figure: Figure, path: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
    """Write ``figure`` as SVG or PNG, reproducibly (no timestamp, fixed SVG ids).

    An existing file is left alone unless ``overwrite`` is true. Any path
    that cannot be written is an :class:`~mlorg.errors.InputError` naming it.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = save(Figure(), Path(folder) / "org.svg")
    ...     save(Figure(), path)
    Traceback (most recent call last):
    ...
    mlorg.errors.InputError: .../org.svg: already exists; not replaced without overwrite=True
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     save(Figure(), Path(folder) / "org.pdf")
    Traceback (most recent call last):
    ...
    mlorg.errors.InputError: .../org.pdf: the figure must be .svg or .png
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FIGURE_FORMATS:
        msg = f"{path}: the figure must be {' or '.join(FIGURE_FORMATS)}"
        raise InputError(msg)
    if not path.parent.is_dir():
        msg = f"{path}: folder {path.parent} does not exist"
        raise InputError(msg)
    if path.is_dir():
        msg = f"{path}: is a folder; give a file name ending in {' or '.join(FIGURE_FORMATS)}"
        raise InputError(msg)
    # Mode "x" creates the file only if it does not exist, in one step, so no
    # file appearing between a check and the write can be overwritten.
    try:
        stream = path.open("wb" if overwrite else "xb")
    except FileExistsError:
        msg = f"{path}: already exists; not replaced without overwrite=True"
        raise InputError(msg) from None
    except OSError as error:
        raise _cannot_write(path, error) from None
    try:
        with stream, mpl.rc_context({"svg.hashsalt": "mlorg", "svg.fonttype": "none"}):
            if suffix == ".svg":
                figure.savefig(stream, format="svg", metadata={"Date": None})
            else:
                figure.savefig(stream, format="png", dpi=150)
    except OSError as error:  # a full disk, say
        if not overwrite:
            path.unlink(missing_ok=True)  # created above and incomplete: ours to remove
        raise _cannot_write(path, error) from None
    return path


def _cannot_write(path: Path, error: OSError) -> InputError:
    return InputError(f"{path}: cannot write the figure ({error.strerror or error})")
