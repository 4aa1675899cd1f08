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

    >>> import pandas as pd
    >>> import pandera.pandas as pa
    >>> import pandera.pandas as pa
    >>> schema = pa.DataFrameSchema(
    ...     {"island": pa.Column(str, pa.Check.isin(["Biscoe", "Dream"])), "year": pa.Column(int)}
    ... )
    >>> schema_failures(pd.DataFrame({"island": ["Biscoe", "Anvers"]}), schema)
       column                      check failure_case   row
    0  island  isin(['Biscoe', 'Dream'])       Anvers     1
    1    year        column_in_dataframe         year  None
    """
    try:
        schema.validate(data, lazy=True)
    except pa.errors.SchemaErrors as errors:
        return _tidy(errors.failure_cases, schema.columns)
    except _DEFINITION_ERRORS as error:
        msg = f"pandera cannot apply the schema: {one_line(error)}"
        raise InputError(msg) from error
    return pd.DataFrame({name: pd.Series(dtype=object) for name in FAILURE_COLUMNS})


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
