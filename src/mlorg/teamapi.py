"""Turn the org-design chapter's Team APIs into the org-graph YAML of :func:`mlorg.orggraph.load_org`.

The chapter asks every team for a Team API (``book/templates/team-api.md``: a
YAML block with ``team``, ``type``, ``owns``, ``depends_on``, ``talks_to``, ...)
and the organisation for one interaction-mode map (a Markdown table with the
columns Team A, Team B and Mode). This module reads both, from Markdown files
(every fenced ``yaml`` block with a ``team`` key, and the map's table) or YAML
files (one Team API, or a list of them), and writes the org:

* ``team`` and ``type`` become a team, ``mission`` its description; ``size``
  and ``load``, which the org graph does not use, stay as a comment;
* ``owns`` become the team's components (exactly one owner per component);
* ``depends_on`` is written per team, so **every** component of the team
  depends on each component listed (congruence and the gaps between team
  pairs do not change with that choice; the dependencies per component in a
  gap are then an upper bound). Each ``component`` must be owned by one of
  the Team APIs read, and its ``owner``, when given, must be that team;
* ``talks_to`` (the teams actually talked to last quarter) become channels,
  with their mode from the interaction-mode map, or from ``{team, mode}``
  entries in ``talks_to``. A map row that no ``talks_to`` confirms is kept as
  a comment, not as a channel: congruence counts communication that happens.

Any problem is an :class:`~mlorg.errors.InputError` of one line naming the
file and line. The result is checked by :func:`mlorg.orggraph.parse_org`
before it is returned.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlorg._common import did_you_mean, read_text
from mlorg._orggraph.load import _Mapping, _read_yaml  # the YAML reader with line numbers
from mlorg.errors import InputError
from mlorg.orggraph import INTERACTION_MODES, TEAM_TYPES, parse_org

__all__ = ["FIELDS", "ModeMap", "TeamApi", "read_team_apis", "to_org_yaml"]

#: The keys of the chapter's Team API template; any other key is refused (a typo would lose data).
FIELDS = (
    "team",
    "type",
    "size",
    "load",
    "mission",
    "owns",
    "depends_on",
    "offers",
    "ways_of_working",
    "talks_to",
    "reviewed",
)

_FENCE = re.compile(r"^(```+|~~~+)\s*ya?ml\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class TeamApi:
    """One team's API as the org graph needs it, with where it was written.

    >>> TeamApi("search", "stream-aligned", owns=("ranker",)).owns
    ('ranker',)
    """

    team: str
    type: str
    owns: tuple[str, ...] = ()
    depends_on: tuple[tuple[str, str | None, int | None], ...] = ()  # component, owner, line
    talks_to: tuple[tuple[str, str | None], ...] = ()  # team, mode
    mission: str = ""
    size: object = None
    load: object = None
    where: str = ""


# The interaction-mode map: for each pair of teams, its mode, purpose and where it is written.
ModeMap = dict[frozenset[str], tuple[str, str, str]]


def read_team_apis(paths: Sequence[str | os.PathLike[str]]) -> tuple[list[TeamApi], ModeMap]:
    r"""Read Team APIs and interaction-mode maps from Markdown or YAML files.

    Returns the Team APIs and the map: for each pair of teams, ``(mode,
    purpose, where)``.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "search.yaml"
    ...     _ = path.write_text("team: search\ntype: stream-aligned\nowns: [ranker]\n")
    ...     apis, modes = read_team_apis([path])
    >>> apis[0].team, apis[0].owns, modes
    ('search', ('ranker',), {})
    """
    apis: list[TeamApi] = []
    modes: ModeMap = {}
    for path in map(Path, paths):
        text = read_text(path, what="Team API file")
        if path.suffix.lower() in (".md", ".markdown"):
            for line, block in _yaml_blocks(text):
                data = _read_yaml("\n" * (line - 1) + block, str(path))
                if isinstance(data, _Mapping) and "team" in data:
                    apis.append(_team_api(data, str(path)))
            _read_map(text, str(path), modes)
        else:
            data = _read_yaml(text, str(path))
            entries = data if isinstance(data, list) else [data]
            for entry in entries:
                if not isinstance(entry, _Mapping) or "team" not in entry:
                    msg = f"{path}: expected a Team API (a mapping with 'team') or a list of them"
                    raise InputError(msg)
                apis.append(_team_api(entry, str(path)))
    if not apis:
        msg = f"{', '.join(map(str, paths))}: no Team API found (a YAML block with a 'team' key)"
        raise InputError(msg)
    return apis, modes


def _yaml_blocks(text: str) -> Iterator[tuple[int, str]]:
    r"""Yield ``(first line, text)`` of every fenced YAML block of a Markdown text.

    >>> list(_yaml_blocks("# API\n```yaml\nteam: a\n```\n"))
    [(3, 'team: a\n')]
    """
    lines = text.splitlines(keepends=True)
    number = 0
    while number < len(lines):
        fence = _FENCE.match(lines[number].strip())
        number += 1
        if not fence:
            continue
        start = number
        while number < len(lines) and not lines[number].strip().startswith(fence.group(1)):
            number += 1
        yield start + 1, "".join(lines[start:number])
        number += 1


def _read_map(text: str, source: str, modes: ModeMap) -> None:
    """Read the rows of every interaction-mode map table (columns Team A, Team B, Mode)."""
    columns: list[str] | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not line.lstrip().startswith("|"):
            columns = None
            continue
        if columns is None:
            lowered = [cell.lower() for cell in cells]
            if {"team a", "team b", "mode"} <= set(lowered):
                columns = lowered
            continue
        if all(set(cell) <= set("-: ") for cell in cells):
            continue  # the separator row
        row = dict(zip(columns, cells, strict=False))
        first, second, mode = row.get("team a", ""), row.get("team b", ""), row.get("mode", "")
        where = f"{source}:{number}"
        if not first or not second or first == second:
            msg = f"{where}: a row of the interaction-mode map needs two different teams"
            raise InputError(msg)
        if mode.lower() not in INTERACTION_MODES:
            msg = (
                f"{where}: unknown interaction mode {mode!r} (expected collaboration, "
                f"X-as-a-Service or facilitating{did_you_mean(mode.lower(), INTERACTION_MODES)})"
            )
            raise InputError(msg)
        pair = frozenset((first, second))
        if pair in modes and modes[pair][0] != mode.lower():
            msg = f"{where}: {first} and {second} already have the mode {modes[pair][0]!r} in {modes[pair][2]}"
            raise InputError(msg)
        modes.setdefault(pair, (mode.lower(), row.get("purpose", ""), where))


def _team_api(data: _Mapping, source: str) -> TeamApi:
    where = f"{source}:{data.line}" if data.line else source
    unknown = [key for key in data if key not in FIELDS]
    if unknown:
        msg = f"{where}: unknown Team API field {unknown[0]!r}{did_you_mean(unknown[0], FIELDS)}"
        raise InputError(msg)
    team = _name(data.get("team"), "team", where)
    kind = _name(data.get("type"), f"team {team!r}: 'type'", where).lower()
    if kind not in TEAM_TYPES:
        msg = (
            f"{where}: team {team!r}: unknown type {kind!r} (expected one of "
            f"{', '.join(TEAM_TYPES)}{did_you_mean(kind, TEAM_TYPES)})"
        )
        raise InputError(msg)
    owns = tuple(
        _name(item, f"team {team!r}: 'owns'", where) for item in _list(data, "owns", where)
    )
    depends: list[tuple[str, str | None, int | None]] = []
    for item in _list(data, "depends_on", where):
        if isinstance(item, str):
            depends.append((item.strip(), None, None))
        elif isinstance(item, _Mapping) and isinstance(item.get("component"), str):
            owner = item.get("owner")
            depends.append(
                (item["component"].strip(), owner if isinstance(owner, str) else None, item.line)
            )
        else:
            msg = (
                f"{where}: team {team!r}: each 'depends_on' entry needs a 'component', got {item!r}"
            )
            raise InputError(msg)
    talks: list[tuple[str, str | None]] = []
    for item in _list(data, "talks_to", where):
        if isinstance(item, str):
            talks.append((item.strip(), None))
        elif isinstance(item, _Mapping) and isinstance(item.get("team"), str):
            mode = item.get("mode")
            talks.append((item["team"].strip(), mode.lower() if isinstance(mode, str) else None))
        else:
            msg = f"{where}: team {team!r}: each 'talks_to' entry is a team name or {{team, mode}}, got {item!r}"
            raise InputError(msg)
    mission = data.get("mission")
    return TeamApi(
        team=team,
        type=kind,
        owns=owns,
        depends_on=tuple(depends),
        talks_to=tuple(talks),
        mission=" ".join(mission.split()) if isinstance(mission, str) else "",
        size=data.get("size"),
        load=data.get("load"),
        where=where,
    )


def _name(value: object, what: str, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        msg = f"{where}: {what} must be a name, got {value!r}"
        raise InputError(msg)
    return value.strip()


def _list(data: _Mapping, key: str, where: str) -> list[Any]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        msg = f"{where}: team {data.get('team')!r}: {key!r} must be a list, got {value!r}"
        raise InputError(msg)
    return value


def to_org_yaml(paths: Sequence[str | os.PathLike[str]]) -> str:
    r"""Return the org-graph YAML for the Team APIs (and interaction-mode map) in ``paths``.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     search, data = Path(folder) / "search.yaml", Path(folder) / "data.yaml"
    ...     _ = search.write_text(
    ...         "team: search\ntype: stream-aligned\nowns: [ranker]\n"
    ...         "depends_on: [{component: events, owner: data}]\n"
    ...         "talks_to: [{team: data, mode: X-as-a-Service}]\n"
    ...     )
    ...     _ = data.write_text("team: data\ntype: platform\nowns: [events]\n")
    ...     text = to_org_yaml([search, data])
    >>> from mlorg.orggraph import congruence
    >>> congruence(parse_org(text)).value
    1.0
    """
    apis, modes = read_team_apis(paths)
    teams: dict[str, TeamApi] = {}
    for api in apis:
        if api.team in teams:
            msg = (
                f"{api.where}: team {api.team!r} has a Team API already, in {teams[api.team].where}"
            )
            raise InputError(msg)
        teams[api.team] = api
    owner: dict[str, str] = {}
    for api in apis:
        for component in api.owns:
            if component in owner and owner[component] != api.team:
                msg = (
                    f"{api.where}: team {api.team!r} owns {component!r}, which team "
                    f"{owner[component]!r} owns too (exactly one owner per component)"
                )
                raise InputError(msg)
            owner[component] = api.team
    lines = [
        f"# The org graph of {len(apis)} Team APIs, written by `mlorg team-api`.",
        "# depends_on is per team in a Team API: every component of a team lists them all.",
        "",
        "teams:",
    ]
    for api in apis:
        lines.append(f"  - name: {_scalar(api.team)}")
        lines.append(f"    type: {_scalar(api.type)}")
        if api.mission:
            lines.append(f"    description: {_scalar(api.mission)}")
        extra = [f"size {_flat(api.size)}"] if api.size is not None else []
        extra += [f"load {_flat(api.load)}"] if api.load is not None else []
        if extra:
            lines.append(f"    # {'; '.join(extra)} (from the Team API; not used by the org graph)")
    lines += ["", "components:"] if owner else []
    for api in apis:
        needed: list[str] = []
        for component, stated, line in api.depends_on:
            where = f"{api.where.rsplit(':', 1)[0]}:{line}" if line else api.where
            if component not in owner:
                remedy = f"; give the Team API of {stated!r} too" if stated else ""
                msg = (
                    f"{where}: team {api.team!r} depends on {component!r}, which no Team API "
                    f"among the files owns{did_you_mean(component, owner)}{remedy}"
                )
                raise InputError(msg)
            if stated is not None and stated != owner[component]:
                msg = (
                    f"{where}: team {api.team!r} says {component!r} is owned by {stated!r}, "
                    f"but the Team API of {owner[component]!r} owns it"
                )
                raise InputError(msg)
            needed += [component] if component not in needed else []
        for component in api.owns:
            lines.append(f"  - name: {_scalar(component)}")
            lines.append(f"    owner: {_scalar(api.team)}")
            others = [c for c in needed if c != component]
            if others:
                lines.append(f"    depends_on: [{', '.join(_scalar(c) for c in others)}]")
    channels: dict[frozenset[str], str] = {}
    for api in apis:
        for other, mode in api.talks_to:
            if other not in teams:
                msg = (
                    f"{api.where}: team {api.team!r} talks to {other!r}, which has no Team API "
                    f"among the files{did_you_mean(other, teams)}"
                )
                raise InputError(msg)
            pair = frozenset((api.team, other))
            known = mode or (modes[pair][0] if pair in modes else None)
            if known is None:
                msg = (
                    f"{api.where}: team {api.team!r} talks to {other!r}, but no interaction mode "
                    f"is given: add the row '| {api.team} | {other} | <mode> |' to the "
                    "interaction-mode map, or write {team: " + other + ", mode: <mode>}"
                )
                raise InputError(msg)
            if channels.setdefault(pair, known) != known:
                msg = (
                    f"{api.where}: {api.team} and {other} are given two interaction modes, "
                    f"{channels[pair]!r} and {known!r}"
                )
                raise InputError(msg)
    if channels:
        lines += ["", "channels:"]
    for pair, mode in channels.items():
        first, second = sorted(pair, key=list(teams).index)
        lines.append(f"  - between: [{_scalar(first)}, {_scalar(second)}]")
        lines.append(f"    mode: {_scalar(mode)}")
        purpose = modes.get(pair, ("", "", ""))[1]
        if purpose:
            lines.append(f"    description: {_scalar(purpose)}")
    unconfirmed = [(pair, value) for pair, value in modes.items() if pair not in channels]
    if unconfirmed:
        lines += ["", "# In the interaction-mode map but in no team's talks_to, so not counted:"]
    for pair, (mode, _, where) in unconfirmed:
        lines.append(f"#   {' <-> '.join(sorted(pair))} ({mode}), {where}")
    text = "\n".join(lines) + "\n"
    parse_org(text, source="the converted Team APIs")  # the output always loads
    return text


def _scalar(value: str) -> str:
    """Return ``value`` as a YAML scalar: plain when safe, else a JSON (double-quoted) string.

    >>> _scalar("ranking-core"), _scalar("yes"), _scalar("a: b")
    ('ranking-core', '"yes"', '"a: b"')
    """
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.\-]*", value) and value.lower() not in _YAML_WORDS:
        return value
    return json.dumps(value, ensure_ascii=False)


_YAML_WORDS = {"yes", "no", "true", "false", "on", "off", "null", "y", "n"}


def _flat(value: object) -> str:
    """Return a size or load on one line, for a comment.

    >>> _flat({"models_in_production": 2, "poorly_understood": []})
    'models_in_production 2, poorly_understood none'
    """
    if isinstance(value, dict):
        return ", ".join(f"{key} {_flat(item)}" for key, item in value.items())
    if isinstance(value, list):
        return " ".join(map(str, value)) or "none"
    return " ".join(str(value).split())
