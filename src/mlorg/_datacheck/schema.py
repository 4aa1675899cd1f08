"""Schema failures: every broken promise of a batch, in one tidy table.

Private: the public names are in :mod:`mlorg.datacheck`.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
import pandera.pandas as pa

from mlorg._common import one_line
from mlorg._datacheck.defaults import (
    FAILURE_COLUMNS,
    ROWS,
    TABLE,
)
from mlorg._datacheck.read import (
    _DEFINITION_ERRORS,
)
from mlorg.errors import InputError

# -- Schema checks -------------------------------------------------------------


def schema_failures(data: pd.DataFrame, schema: pa.DataFrameSchema) -> pd.DataFrame:
    """Validate ``data`` against ``schema`` and return every failure, one per row.

    Validation is pandera's, run lazily so that all failures are collected.
    The table has the columns in ``FAILURE_COLUMNS``: the ``column`` at fault
    (the missing column's name when a required column is absent, ``"(rows)"``
    for duplicate rows, ``"(table)"`` for checks on the whole table), pandera's
    name for the ``check``, the offending value (``failure_case``; the row
    label for a duplicate row) and the ``row`` label where there is one.
    Failures come in the schema's column order, then the table's, duplicate
    rows last.
    An empty table means the data keeps every promise of the schema.

    Raises:
        InputError: pandera cannot apply the schema (say, a top-level
            ``unique`` that is not a list of column names).

    >>> import pandera.pandas as pa
    >>> schema = pa.DataFrameSchema(
    ...     {"island": pa.Column(str, pa.Check.isin(["Biscoe", "Dream"])), "year": pa.Column(int)}
    ... )
    >>> schema_failures(pd.DataFrame({"island": ["Biscoe", "Anvers"]}), schema)
       column                      check failure_case   row
    0  island  isin(['Biscoe', 'Dream'])       Anvers     1
    1    year        column_in_dataframe         year  None
    """
    data, unparsed = _parse_declared_datetimes(data, schema)
    try:
        schema.validate(data, lazy=True)
    except pa.errors.SchemaErrors as errors:
        found = _tidy(errors.failure_cases, schema.columns)
    except _DEFINITION_ERRORS as error:
        msg = f"pandera cannot apply the schema: {one_line(error)}"
        raise InputError(msg) from error
    else:
        found = pd.DataFrame({name: pd.Series(dtype=object) for name in FAILURE_COLUMNS})
    if unparsed.empty:
        return found
    # A text that is not a date became a missing value; it is reported as
    # unparsable, not a second time as missing.
    keys = set(zip(unparsed["column"], unparsed["row"], strict=True))
    again = [
        check == "not_nullable" and (column, row) in keys
        for column, check, row in zip(found["column"], found["check"], found["row"], strict=True)
    ]
    found = found[~np.array(again, dtype=bool)]
    merged = pd.concat([unparsed, found], ignore_index=True)
    position = {name: i for i, name in enumerate([*schema.columns, TABLE, ROWS])}
    rank = merged["column"].map(lambda name: position.get(name, len(position)))
    return merged.iloc[np.argsort(rank.to_numpy(), kind="stable")].reset_index(drop=True)


def _tidy(cases: pd.DataFrame, order: Iterable[str]) -> pd.DataFrame:
    """Reshape pandera's failure cases into one row per failure, named by column."""
    cases = cases.rename(columns={"index": "row"}).reset_index(drop=True)
    column = cases["column"].astype(object)
    check = cases["check"].astype(object)
    # A column missing from the data (or unknown to a strict schema) is named
    # in failure_case; pandera puts the schema's name in `column`.
    about_columns = check.isin(["column_in_dataframe", "column_in_schema"])
    column = column.where(~about_columns, cases["failure_case"])
    # A duplicated row is reported once per column it spans; count it once.
    duplicate_rows = check.eq("multiple_fields_uniqueness")
    column = column.where(~duplicate_rows, ROWS)
    # Any other failure of the schema as a whole is the table's: pandera puts
    # no column there, or one named after its own field ("failure_case").
    whole_table = cases["schema_context"].eq("DataFrameSchema") & ~about_columns & ~duplicate_rows
    column = column.where(~whole_table, TABLE)
    tidy = pd.DataFrame(
        {
            "column": column,
            "check": check,
            "failure_case": cases["failure_case"].astype(object),
            "row": cases["row"].astype(object),
        }
    )
    tidy = tidy[~(duplicate_rows & tidy.duplicated(["check", "row"]))]
    tidy.loc[duplicate_rows, "failure_case"] = tidy.loc[duplicate_rows, "row"]
    # Report in the schema's column order; the table's next, duplicate rows last.
    position = {name: i for i, name in enumerate([*order, TABLE, ROWS])}
    rank = tidy["column"].map(lambda name: position.get(name, len(position)))
    return tidy.iloc[np.argsort(rank.to_numpy(), kind="stable")].reset_index(drop=True)


def _parse_declared_datetimes(
    data: pd.DataFrame, schema: pa.DataFrameSchema
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read text columns the schema declares as datetimes as datetimes (ISO 8601).

    A CSV file has no types, so a date arrives as text; pandera would then
    report a wrong type and, for every check on it, the comparison's
    ``TypeError``. A column the schema declares as datetimes (and does not
    ``coerce``) is parsed here as ISO 8601, the format ``to_csv`` writes.
    Each text that is not such a date is returned as a failure of the check
    ``parse as <dtype>``, and is missing in the parsed column. Columns of
    any other type, and data that already hold datetimes, are left as they are.

    >>> schema = pa.DataFrameSchema({"day": pa.Column("datetime64[ns]")})
    >>> parsed, failures = _parse_declared_datetimes(
    ...     pd.DataFrame({"day": ["2026-12-01", "1 Dec"]}), schema
    ... )
    >>> parsed["day"].dtype
    dtype('<M8[ns]')
    >>> failures[["column", "check", "failure_case", "row"]].to_dict("records")
    [{'column': 'day', 'check': 'parse as datetime64[ns] (ISO 8601)', 'failure_case': '1 Dec', 'row': 1}]
    """
    failures = []
    parsed: dict[str, pd.Series] = {}
    for name, column in schema.columns.items():
        declared = getattr(column.dtype, "type", None)
        values = data.get(name)
        if (
            values is None
            or column.coerce
            or schema.coerce
            or not isinstance(declared, (np.dtype, pd.DatetimeTZDtype))
            or not pd.api.types.is_datetime64_any_dtype(declared)
            or not (pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values))
        ):
            continue
        timezone = getattr(declared, "tz", None)
        stamps = pd.to_datetime(values, errors="coerce", format="ISO8601", utc=timezone is not None)
        stamps = stamps.dt.tz_convert(timezone) if timezone is not None else stamps
        bad = stamps.isna() & values.notna()
        check = f"parse as {declared} (ISO 8601)"
        failures += [
            {"column": name, "check": check, "failure_case": text, "row": row}
            for row, text in values[bad].items()
        ]
        parsed[name] = stamps.astype(declared)
    frame = pd.DataFrame(failures, columns=list(FAILURE_COLUMNS)).astype(object)
    return (data.assign(**parsed) if parsed else data), frame
