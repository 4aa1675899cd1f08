"""Reading an org from YAML: line numbers, duplicate keys, one-line errors.

Private: the public names are in :mod:`mlorg.orggraph`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import yaml

from mlorg._common import read_text
from mlorg._orggraph.model import (
    Channel,
    Component,
    InteractionMode,
    Org,
    Team,
    TeamType,
    _at,
)
from mlorg._output import shown
from mlorg._yaml import SafeLoader
from mlorg.errors import InputError, first_line

# -- Loading and validating YAML -----------------------------------------------

_SECTIONS = ("teams", "components", "channels")
_FIELDS = {
    "teams": ("name", "type", "people", "owners", "description"),
    "components": ("name", "owner", "depends_on", "description"),
    "channels": ("between", "mode", "description"),
}


class _Mapping(dict[Any, Any]):
    """A YAML mapping that remembers the line it starts on."""

    line: int | None = None


class _Sequence(list[Any]):
    """A YAML sequence that remembers the line it starts on."""

    line: int | None = None


class _Loader(SafeLoader):
    """The toolkit's safe loader (bounded aliases, no duplicate keys), plus line numbers."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        """Construct one value; a scalar PyYAML cannot convert is a YAML error at its line.

        PyYAML's own converters raise plain Python errors for some values that
        match a type's pattern: ``2024-13-01`` (a timestamp with month 13),
        ``!!int abc``, ``!!timestamp abc``.
        """
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, TypeError, AttributeError, OverflowError) as error:
            kind = node.tag.rpartition(":")[2]
            detail = f" ({error})" if isinstance(error, ValueError) else ""
            problem = (
                f"cannot read {shown(node.value)} as {kind}{detail}; quote it to keep it as text"
            )
            raise yaml.constructor.ConstructorError(None, None, problem, node.start_mark) from None


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> Iterator[_Mapping]:
    mapping = _Mapping()
    mapping.line = node.start_mark.line + 1
    yield mapping
    seen: set[str] = set()
    for key_node, _ in node.value:
        if isinstance(key_node, yaml.ScalarNode):
            if key_node.value in seen:
                # PyYAML would silently keep the last value; a repeated key is
                # almost always a copy-paste slip that loses information.
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key_node.value!r}", key_node.start_mark
                )
            seen.add(key_node.value)
    mapping.update(loader.construct_mapping(node))


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> Iterator[_Sequence]:
    sequence = _Sequence()
    sequence.line = node.start_mark.line + 1
    yield sequence
    sequence.extend(loader.construct_sequence(node))


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)


def load_org(path: str | os.PathLike[str]) -> Org:
    """Read and check an organisation from a YAML file.

    The file has up to three sections (each a list)::

        teams:
          - name: data                  # unique
            type: platform              # stream-aligned | platform | enabling | complicated-subsystem
            people: [ana, bo]           # optional
            owners: ["@acme/data"]      # optional: CODEOWNERS handles of this team
            description: ...            # optional, free text
        components:
          - name: events                # unique
            owner: data                 # a team above
            depends_on: [warehouse]     # optional: components above
        channels:
          - between: [data, search]     # two different teams
            mode: x-as-a-service        # collaboration | x-as-a-service | facilitating

    Any problem raises :class:`~mlorg.errors.InputError` with one line naming the file, the
    line and the entry, for example ``org.yaml:12: component 'ranker' depends
    on unknown component 'evnts' (did you mean 'events'?)``.
    """
    path = Path(path)
    text = read_text(path, what="YAML file")
    return parse_org(text, source=str(path))


def parse_org(text: str, source: str = "<org>") -> Org:
    """Check an organisation written as YAML text (the format of :func:`load_org`).

    >>> from mlorg.orggraph import congruence
    >>> org = parse_org('''
    ... teams:
    ...   - {name: data, type: platform}
    ...   - {name: search, type: stream-aligned}
    ... components:
    ...   - {name: events, owner: data}
    ...   - {name: ranker, owner: search, depends_on: [events]}
    ... channels:
    ...   - {between: [search, data], mode: X-as-a-Service}
    ... ''')
    >>> congruence(org).value
    1.0
    >>> parse_org("teams: [{name: data, type: platfrom}]", source="org.yaml")
    Traceback (most recent call last):
    ...
    mlorg.errors.InputError: org.yaml:1: team 'data': unknown type 'platfrom' (expected one of stream-aligned, platform, enabling, complicated-subsystem; did you mean 'platform'?)
    """
    data = _read_yaml(text, source)
    if data is None:
        raise InputError(_at(source, None, "empty file; expected a 'teams' section"))
    if not isinstance(data, _Mapping):
        msg = "expected a mapping with the sections teams, components and channels"
        raise InputError(_at(source, None, msg))
    for key in data:
        if key not in _SECTIONS:
            msg = f"unknown section {key!r} (expected {', '.join(_SECTIONS)})"
            raise InputError(_at(source, data.line, msg))
    if "teams" not in data:
        raise InputError(_at(source, data.line, "no 'teams' section"))
    teams = tuple(_team(e, source) for e in _entries(data, "teams", source))
    components = tuple(_component(e, source) for e in _entries(data, "components", source))
    channels = tuple(_channel(e, source) for e in _entries(data, "channels", source))
    return Org(teams=teams, components=components, channels=channels, source=source)


def _read_yaml(text: str, source: str) -> Any:
    """Parse YAML text; any problem is an InputError of one line naming the source and line."""
    loader: _Loader | None = None
    try:
        loader = _Loader(text)  # a SafeLoader; it checks for unprintable characters here
        return loader.get_single_data()
    except RecursionError:
        # PyYAML composes nested collections recursively: thousands of `[`
        # exhaust the stack. The reader stopped inside the nesting.
        line = loader.get_mark().line + 1 if loader is not None else None
        raise InputError(_at(source, line, "malformed YAML: nested too deeply to read")) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = error.problem or error.context or "cannot parse"
        context = error.context_mark
        if error.problem and error.context and context is not None and context.line + 1 != line:
            problem += f" ({error.context} on line {context.line + 1})"
        raise InputError(_at(source, line, f"malformed YAML: {first_line(problem)}")) from None
    except yaml.reader.ReaderError as error:
        # A character YAML forbids (a NUL byte, say); its message spans two
        # lines and gives a character offset, which is turned into a line.
        line = text.count("\n", 0, error.position) + 1
        raise InputError(_at(source, line, f"malformed YAML: {first_line(str(error))}")) from None
    except yaml.YAMLError as error:
        raise InputError(_at(source, None, f"malformed YAML: {first_line(str(error))}")) from None
    finally:
        if loader is not None:
            loader.dispose()


def _entries(data: _Mapping, section: str, source: str) -> list[_Mapping]:
    value = data.get(section)
    if value is None:
        return []
    if not isinstance(value, _Sequence):
        raise InputError(_at(source, data.line, f"'{section}' must be a list of entries"))
    entries: list[_Mapping] = []
    for item in value:
        if not isinstance(item, _Mapping):
            msg = f"every entry of '{section}' must be a mapping, got {shown(item)}"
            raise InputError(_at(source, value.line, msg))
        unknown = [k for k in item if k not in _FIELDS[section]]
        if unknown:
            label = _label(section, item)
            msg = f"{label}: unknown field {unknown[0]!r} (expected {', '.join(_FIELDS[section])})"
            raise InputError(_at(source, item.line, msg))
        entries.append(item)
    return entries


def _label(section: str, entry: _Mapping) -> str:
    kind = section.removesuffix("s")
    name = entry.get("name")
    if section == "channels":
        return f"channel {shown(entry.get('between'))}"
    return f"{kind} {name!r}" if isinstance(name, str) else f"a {kind}"


# The functions below check only the shape of the YAML (text where text is
# expected, lists where lists are). Every rule about the values themselves
# (a name is given, an owner is a team, a channel joins two teams, ...) is
# checked once, in _validate, for orgs read from YAML and built in code alike.


def _text(entry: _Mapping, key: str, label: str, source: str) -> str:
    """Return the text under ``key``, stripped; ``""`` when the key is missing or empty."""
    value = entry.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        msg = f"{label}: '{key}' must be text, got {shown(value)} (quote it in YAML)"
        raise InputError(_at(source, entry.line, msg))
    return value.strip()


def _texts(entry: _Mapping, key: str, label: str, source: str) -> tuple[str, ...]:
    value = entry.get(key)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        msg = f"{label}: '{key}' must be a list of names, got {shown(value)}"
        raise InputError(_at(source, entry.line, msg))
    return tuple(v.strip() for v in value)


def _team(entry: _Mapping, source: str) -> Team:
    label = _label("teams", entry)
    return Team(
        name=_text(entry, "name", label, source),
        type=cast("TeamType", _text(entry, "type", label, source).lower()),
        people=_texts(entry, "people", label, source),
        owners=_texts(entry, "owners", label, source),
        description=_text(entry, "description", label, source),
        line=entry.line,
    )


def _component(entry: _Mapping, source: str) -> Component:
    label = _label("components", entry)
    return Component(
        name=_text(entry, "name", label, source),
        owner=_text(entry, "owner", label, source),
        depends_on=_texts(entry, "depends_on", label, source),
        description=_text(entry, "description", label, source),
        line=entry.line,
    )


def _channel(entry: _Mapping, source: str) -> Channel:
    label = _label("channels", entry)
    # Any number of teams may be written; _validate requires exactly two.
    between = cast("tuple[str, str]", _texts(entry, "between", label, source))
    return Channel(
        teams=between,
        mode=cast("InteractionMode", _text(entry, "mode", label, source).lower()),
        description=_text(entry, "description", label, source),
        line=entry.line,
    )
