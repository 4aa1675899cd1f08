"""The data check's default engine: pandas DataFrames, pandera's pandas backend, NumPy drift.

Private: see :mod:`mlorg._datacheck.engines`; the public names are in :mod:`mlorg.datacheck`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pandera.pandas as pa

from mlorg._datacheck.drift import drift as _drift
from mlorg._datacheck.read import read_table
from mlorg._datacheck.schema import schema_failures

__all__ = [
    "checkable",
    "column_names",
    "datetime_columns",
    "drift",
    "read_table",
    "row_count",
    "schema_failures",
]


def checkable(schema: pa.DataFrameSchema) -> None:
    """Every schema :func:`~mlorg.datacheck.read_schema` accepts is checkable with pandas."""
    del schema


def row_count(frame: pd.DataFrame) -> int:
    """The number of rows.

    >>> row_count(pd.DataFrame({"x": [1, 2]}))
    2
    """
    return len(frame)


def column_names(frame: pd.DataFrame) -> list[str]:
    """The column names, in order."""
    return [str(name) for name in frame.columns]


def datetime_columns(frame: pd.DataFrame) -> set[str]:
    """The columns holding datetimes.

    >>> datetime_columns(pd.DataFrame({"at": pd.to_datetime(["2026-01-01"]), "x": [1]}))
    {'at'}
    """
    return {
        str(name) for name in frame.columns if pd.api.types.is_datetime64_any_dtype(frame[name])
    }


def drift(reference: pd.DataFrame, current: pd.DataFrame, **options: Any) -> pd.DataFrame:
    """The drift table (see :func:`mlorg.datacheck.drift`)."""
    return _drift(reference, current, **options)
