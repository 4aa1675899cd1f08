"""Reading a batch (CSV, Parquet) and a pandera YAML schema, refusing what pandera would silently drop.

Private: the public names are in :mod:`mlorg.datacheck`.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pandas as pd
import pandera.pandas as pa
import yaml
from pandera.io import pandas_io

from mlorg import _yaml
from mlorg._common import did_you_mean, one_line, read_text
from mlorg._datacheck.defaults import (
    _READERS,
)
from mlorg._extras import require
from mlorg._files import check_input_file, decode_utf8, read_bytes
from mlorg._output import shown
from mlorg.errors import InputError

# -- Reading input -------------------------------------------------------------


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV or Parquet file (chosen by its suffix) into a DataFrame.

    Raises:
        InputError: the file is missing, unreadable or of another type; the
            message is one line and names the file.

    >>> read_table("no-such-file.csv")
    Traceback (most recent call last):
    ...
    mlorg.errors.InputError: no-such-file.csv: no such file
    """
    path = Path(path)
    kind = _READERS.get(path.suffix.lower())
    if kind is None:
        known = ", ".join(sorted(_READERS))
        msg = f"{path}: unknown file type {path.suffix or '(no suffix)'!r}; use one of {known}"
        raise InputError(msg)
    # A regular file of bounded size only: never a folder, FIFO or device.
    check_input_file(path, what=f"{kind} file")
    if kind == "Parquet":
        require("parquet", f"reading {path}")
    if kind == "CSV":
        # Decoded here, so that a bad byte is reported with its line.
        text = decode_utf8(read_bytes(path, what="CSV file"), str(path))
    try:
        if kind == "CSV":
            return pd.read_csv(io.StringIO(text))
        return pd.read_parquet(path)
    # pandas and pyarrow report unreadable files as ValueError subclasses
    # (ParserError, EmptyDataError, UnicodeDecodeError, ArrowInvalid) or OSError.
    except (OSError, ValueError) as error:
        msg = f"{path}: cannot read as {kind}: {one_line(error)}"
        raise InputError(msg) from error


#: What pandera raises for a schema it cannot build or apply, as opposed to
#: data that break the schema's promises (``SchemaErrors``).
_DEFINITION_ERRORS = (
    pa.errors.SchemaDefinitionError,
    TypeError,
    ValueError,
    KeyError,
    AttributeError,
    re.error,
)

#: The settings a column may carry besides its checks: the keys pandera's YAML
#: reader (``pandera.io.pandas_io``) passes on to ``Column``. Any other key is
#: read as a check if ``Check`` has one by that name, and dropped otherwise.
_COLUMN_SETTINGS = frozenset(
    {
        "checks",
        "coerce",
        "default",
        "description",
        "drop_invalid_rows",
        "dtype",
        "name",
        "nullable",
        "regex",
        "report_duplicates",
        "required",
        "title",
        "unique",
    }
)
#: The settings of a column that ``mlorg`` reads itself and pandera never sees:
#: ``drift: false`` leaves the column out of drift, ``drift: true`` measures it
#: even if it looks like an identifier or a time (see :func:`check`).
_MLORG_SETTINGS = frozenset({"drift"})


#: The settings compared with the column pandera built: older pandera
#: versions read fewer of them (0.31 drops ``default``, ``drop_invalid_rows``
#: and ``report_duplicates``), and a setting dropped must not pass for one in force.
_COMPARED_SETTINGS = _COLUMN_SETTINGS - {"checks", "dtype", "name"}


def read_schema(path: str | Path) -> pa.DataFrameSchema:
    """Read a schema in pandera's own YAML format (``DataFrameSchema.to_yaml``).

    One setting under a column is ``mlorg``'s own, not pandera's:
    ``drift: false`` leaves the column out of drift measurement (an
    identifier or a time that pandera cannot tell apart from a feature),
    ``drift: true`` measures a column that would otherwise be left out (see
    :func:`check`). It is kept in the column's ``metadata`` as ``{"drift": ...}``.

    Beyond what pandera checks when it reads the file, a key under a column
    that is neither a column setting nor one of pandera's checks is an error
    (pandera would drop it without a word, so a misspelt check would never
    run), and so is a setting the installed pandera does not read. The
    schema is then applied once to an empty table of its columns, so that a
    definition pandera only rejects while validating (say
    ``report_duplicates: bogus``) is reported here, with the file's name,
    rather than on the first batch.

    Raises:
        InputError: the file is missing, is not YAML, is not a pandera schema,
            has an unknown key, or declares no columns; the message is one
            line and names the file.

    >>> read_schema("no-such-schema.yaml")
    Traceback (most recent call last):
    ...
    mlorg.errors.InputError: no-such-schema.yaml: no such file
    """
    path = Path(path)
    text = read_text(path, what="YAML schema")
    try:
        raw = _yaml.safe_load(text)  # bounded aliases, duplicate keys refused
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"line {mark.line + 1}: " if mark is not None else ""
        msg = f"{path}: {where}not valid YAML: {error.problem or one_line(error)}"
        raise InputError(msg) from error
    # RecursionError: thousands of nested brackets exhaust PyYAML's composer.
    except (yaml.YAMLError, RecursionError) as error:
        msg = f"{path}: not valid YAML: {one_line(error)}"
        raise InputError(msg) from error
    raw = {} if raw is None else raw  # an empty file: pandera reads it as no columns
    if not isinstance(raw, Mapping):
        msg = f"{path}: not a pandera schema: the file holds a {type(raw).__name__}, not a mapping"
        raise InputError(msg)
    problem = _unknown_top_level_key(raw) or _unknown_keys(raw)
    if problem:
        msg = f"{path}: {problem}"
        raise InputError(msg)
    marks = {name: spec["drift"] for name, spec in _column_specs(raw) if "drift" in spec}
    try:
        # From the mapping read above, not the file again: it is read once.
        schema: pa.DataFrameSchema = pandas_io.deserialize_schema(  # type: ignore[no-untyped-call]
            _without_marks(raw) if marks else raw
        )
    # pandera raises all of these for YAML that is not a usable schema: an
    # unknown dtype (TypeError), a check's arguments it rejects (ValueError,
    # TypeError; re.error for a bad pattern), a part of the wrong shape
    # (AttributeError, KeyError, SchemaDefinitionError).
    except (yaml.YAMLError, RecursionError, *_DEFINITION_ERRORS) as error:
        msg = f"{path}: not a pandera schema: {_culprit(raw)}{one_line(error)}"
        raise InputError(msg) from error
    if not schema.columns:
        msg = f"{path}: the schema declares no columns"
        raise InputError(msg)
    if marks:
        schema = schema.update_columns(
            {
                name: {"metadata": {**(schema.columns[name].metadata or {}), "drift": mark}}
                for name, mark in marks.items()
                if name in schema.columns
            }
        )
    problem = _ignored_settings(raw, schema) or _definition_problem(schema)
    if problem:
        msg = f"{path}: {problem}"
        raise InputError(msg)
    return schema


def _without_marks(raw: Mapping[Any, Any]) -> dict[Any, Any]:
    """The schema without ``mlorg``'s own column settings, for pandera to read."""
    stripped = dict(raw)
    columns = raw.get("columns")
    if isinstance(columns, Mapping):
        stripped["columns"] = {
            name: (
                {k: v for k, v in spec.items() if k not in _MLORG_SETTINGS}
                if isinstance(spec, Mapping)
                else spec
            )
            for name, spec in columns.items()
        }
    elif isinstance(columns, list):
        stripped["columns"] = [
            (
                {k: v for k, v in spec.items() if k not in _MLORG_SETTINGS}
                if isinstance(spec, Mapping)
                else spec
            )
            for spec in columns
        ]
    return stripped


def _check_names() -> frozenset[str]:
    """The names pandera reads as a check: ``Check``'s own constructors, and registered checks.

    >>> {"in_range", "isin", "ge", "str_matches"} <= _check_names()
    True
    """
    own = {name for name, value in vars(pa.Check).items() if isinstance(value, classmethod)}
    return frozenset(own | set(pa.Check.REGISTERED_CUSTOM_CHECKS))


def _column_specs(raw: Mapping[Any, Any]) -> list[tuple[Any, Mapping[Any, Any]]]:
    """Each column's name and its mapping of settings and checks, as written in the file."""
    columns = raw.get("columns")
    if isinstance(columns, Mapping):
        pairs = list(columns.items())
    elif isinstance(columns, list):  # pandera's form for names that are not strings
        pairs = [(c.get("name"), c) for c in columns if isinstance(c, Mapping)]
    else:
        return []
    # pandera reads a name written as a list as a tuple (a MultiIndex column)
    return [
        (tuple(name) if isinstance(name, list) else name, spec)
        for name, spec in pairs
        if isinstance(spec, Mapping)
    ]


#: The top-level keys of a pandera YAML schema: what ``DataFrameSchema.to_yaml``
#: writes and ``pandera.io.pandas_io.deserialize_schema`` reads. Any other
#: key would be dropped without a word (``strictt: true`` would not be strict).
_SCHEMA_KEYS = frozenset(
    {
        "add_missing_columns",
        "api",
        "checks",
        "coerce",
        "columns",
        "dataframe_library",
        "description",
        "drop_invalid_rows",
        "dtype",
        "index",
        "metadata",
        "multiindex",
        "name",
        "ordered",
        "report_duplicates",
        "schema_type",
        "strict",
        "title",
        "unique",
        "unique_column_names",
        "version",
    }
)


def _unknown_top_level_key(raw: Mapping[Any, Any]) -> str | None:
    """The first top-level key of a raw schema that pandera does not read, described.

    >>> _unknown_top_level_key({"columns": {}, "uniqe": ["a", "b"]})
    "unknown top-level key 'uniqe' (did you mean 'unique'?)"
    """
    for key in raw:
        if key not in _SCHEMA_KEYS:
            return f"unknown top-level key {key!r}{did_you_mean(key, sorted(_SCHEMA_KEYS))}"
    return None


def _unknown_keys(raw: Mapping[Any, Any]) -> str | None:
    """The first key of a raw YAML schema that pandera would drop or misread, described."""
    checks = _check_names()
    for name, spec in _column_specs(raw):
        where = f"column {name!r}"
        if "drift" in spec and not isinstance(spec["drift"], bool):
            return f"{where}: 'drift' must be true or false, got {spec['drift']!r}"
        for key in spec:
            if key in _MLORG_SETTINGS:
                continue
            if key not in _COLUMN_SETTINGS and key not in checks:
                hint = did_you_mean(key, _COLUMN_SETTINGS | _MLORG_SETTINGS | checks)
                return f"{where}: {key!r} is neither a column setting nor a pandera check{hint}"
            if key in checks and spec.get("checks") is not None:
                # pandera reads flat checks only when there is no `checks:` list
                return f"{where}: put {key!r} under 'checks:' too, or pandera ignores it"
        problem = _unknown_checks(spec.get("checks"), checks, f"{where}: checks")
        if problem:
            return problem
    return _unknown_checks(raw.get("checks"), checks, "top-level checks")


def _unknown_checks(checks: object, known: frozenset[str], where: str) -> str | None:
    """What is wrong with a ``checks:`` entry (a mapping or a list of checks), if anything."""
    if checks is None:
        return None
    if isinstance(checks, Mapping):
        names: list[object] = list(checks)
    elif isinstance(checks, list):
        names = []
        for number, entry in enumerate(checks, start=1):
            options = entry.get("options") if isinstance(entry, Mapping) else None
            if not isinstance(options, Mapping) or "check_name" not in options:
                return f"{where}: entry {number} names no check (options: {{check_name: ...}})"
            names.append(options["check_name"])
    else:
        return f"{where}: expected a mapping or a list of checks, got {shown(checks)}"
    for name in names:
        if not isinstance(name, str) or name not in known:
            return f"{where}: unknown check {name!r}{did_you_mean(name, known)}"
    return None


def _culprit(raw: Mapping[Any, Any]) -> str:
    """``"column 'x': "`` for the first column pandera cannot read on its own, else ``""``.

    pandera's messages (say, "At least a minimum or a maximum need to be
    specified") do not say which column they are about; reading each column
    alone finds it.
    """
    for name, spec in _column_specs(raw):
        try:
            pa.DataFrameSchema.from_yaml(yaml.safe_dump({"columns": {name: dict(spec)}}))
        except (yaml.YAMLError, RecursionError, *_DEFINITION_ERRORS):
            return f"column {name!r}: "
    return ""


def _ignored_settings(raw: Mapping[Any, Any], schema: pa.DataFrameSchema) -> str | None:
    """A column setting in the file that the schema pandera built does not carry."""
    for name, spec in _column_specs(raw):
        column = schema.columns.get(name)
        if column is None:
            continue
        for key in _COMPARED_SETTINGS.intersection(spec):
            if getattr(column, key, None) != spec[key]:
                installed = version("pandera")
                return f"column {name!r}: pandera {installed} does not read {key!r} on a column"
    return None


def _empty_column(column: pa.Column) -> pd.Series:
    """An empty Series of the column's type (of objects if it has none pandas can make)."""
    native = getattr(column.dtype, "type", None)  # pandera's DataType wraps the pandas dtype
    try:
        return pd.Series(dtype=object if native is None else native)
    except (TypeError, ValueError):
        return pd.Series(dtype=object)


def _definition_problem(schema: pa.DataFrameSchema) -> str | None:
    """Apply ``schema`` to an empty table of its columns; describe what pandera rejects."""
    empty = pd.DataFrame({name: _empty_column(column) for name, column in schema.columns.items()})
    try:
        schema.validate(empty, lazy=True)
    except pa.errors.SchemaErrors:
        return None  # failures of (the absence of) data, not of the definition
    except _DEFINITION_ERRORS as error:
        return f"not a usable pandera schema: {one_line(error)}"
    return None
