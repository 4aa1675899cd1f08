from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from matplotlib.colors import to_hex

from mlorg.errors import InputError
from mlorg.orgfigure import OKABE_ITO, TEAM_TYPE_COLOURS, draw, layout, save
from mlorg.orggraph import load_org, report

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "ml-org.yaml"


@pytest.fixture(scope="module")
def org():
    return load_org(EXAMPLE)


def test_layout_is_deterministic_and_groups_components_by_team(org):
    teams, components = layout(org)
    again_teams, again_components = layout(org)
    assert all(np.array_equal(teams[t], again_teams[t]) for t in teams)
    assert all(np.array_equal(components[c], again_components[c]) for c in components)
    assert set(components) == {c.name for c in org.components}
    for component in org.components:
        distances = {
            t: np.linalg.norm(components[component.name] - 1.9 * p) for t, p in teams.items()
        }
        assert min(distances, key=distances.get) == component.owner


def test_team_type_colours_are_distinct_okabe_ito_colours():
    colours = list(TEAM_TYPE_COLOURS.values())
    assert len(set(colours)) == len(colours)
    assert set(colours) <= set(OKABE_ITO.values())


def _dashed_colours(axes):
    """Colours of the dashed edges drawn in one panel (line collections and arrows)."""
    found = set()
    for collection in axes.collections:
        styles = collection.get_linestyles()
        if any(offset is not None and dashes for offset, dashes in styles):
            found.update(to_hex(c) for c in collection.get_edgecolors())
    for patch in axes.patches:  # arrows of a directed graph
        if patch.get_linestyle() not in ("-", "solid"):
            found.add(to_hex(patch.get_edgecolor()))
    return found


def test_figure_has_both_panels_and_highlights_gaps_in_vermillion(org):
    figure = draw(org)
    left, right = figure.axes
    assert left.get_title() == "Teams and channels (congruence 0.56)"
    assert right.get_title() == "Components and dependencies"
    vermillion = OKABE_ITO["vermillion"].lower()
    assert vermillion in _dashed_colours(left)
    assert vermillion in _dashed_colours(right)


def test_no_gap_no_vermillion(org):
    closed = org
    for gap in [
        ("data", "research"),
        ("search", "research"),
        ("data", "recommendations"),
        ("ml-platform", "research"),
    ]:
        closed = closed.add_channel(*gap, "collaboration")
    left, right = draw(closed).axes
    assert OKABE_ITO["vermillion"].lower() not in _dashed_colours(left) | _dashed_colours(right)


def test_svg_is_byte_for_byte_reproducible(org, tmp_path):
    first = save(draw(org), tmp_path / "a.svg").read_bytes()
    second = save(draw(org), tmp_path / "b.svg").read_bytes()
    assert first == second
    assert b"<svg" in first


def test_png_is_written(org, tmp_path):
    path = save(draw(org), tmp_path / "org.PNG")
    assert path.read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("name", "message"),
    [("org.pdf", "the figure must be .svg or .png"), ("missing/org.svg", "does not exist")],
)
def test_save_refuses_unusable_paths(org, tmp_path, name, message):
    with pytest.raises(InputError, match=message):
        save(draw(org), tmp_path / name)


# -- writing the figure never loses a file (review item 8) -------------------------


def test_save_keeps_an_existing_file_unless_told_to_overwrite(org, tmp_path):
    path = tmp_path / "org.svg"
    path.write_text("the reader's own drawing", encoding="utf-8")
    with pytest.raises(InputError, match=r"org\.svg: already exists; not replaced"):
        save(draw(org), path)
    assert path.read_text(encoding="utf-8") == "the reader's own drawing"
    save(draw(org), path, overwrite=True)
    assert b"<svg" in path.read_bytes()


def _unwritable(_tmp):
    # As root every ordinary folder is writable; /proc refuses new files to anyone.
    if not Path("/proc/self").is_dir():
        pytest.skip("needs Linux's /proc for a path that cannot be written")
    return Path("/proc/mlorg-test-org.svg")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: _mkdir(tmp / "out.svg"), r"out\.svg: is a folder"),
        (
            _unwritable,
            r"mlorg-test-org\.svg: cannot write the figure \(No such file or directory\)",
        ),
    ],
    ids=["folder", "unwritable"],
)
@pytest.mark.parametrize("overwrite", [False, True])
def test_save_turns_a_path_it_cannot_write_into_an_input_error(
    org, tmp_path, make, message, overwrite
):
    with pytest.raises(InputError, match=message) as error:
        save(draw(org), make(tmp_path), overwrite=overwrite)
    assert "\n" not in str(error.value)


def _mkdir(path):
    path.mkdir()
    return path


# -- one measurement per figure (review item 21) ------------------------------------


@pytest.fixture
def measurements(monkeypatch):
    """Count how often the coordination matrices are computed."""
    from mlorg._orggraph import metrics  # where report() and org_graph() measure

    calls = []
    original = metrics._coordination
    monkeypatch.setattr(metrics, "_coordination", lambda o: calls.append(o) or original(o))
    return calls


def test_draw_reuses_a_report_and_measures_an_org_once(org, measurements):
    measured = report(org)
    assert len(measurements) == 1
    from_report = draw(measured)
    assert len(measurements) == 1
    from_org = draw(org)
    assert len(measurements) == 2
    assert [a.get_title() for a in from_report.axes] == [a.get_title() for a in from_org.axes]
