"""The data check on Polars: pandera's Polars backend for the schema, the pandas engine's drift.

Used through :func:`mlorg.datacheck.check` with Polars DataFrames (or
``engine="polars"``) and ``mlorg data-check --engine polars``. The schema
file is the same pandera YAML file; :func:`to_polars_schema` gives each
column Polars' type. pandera's Polars backend reports failing values one
by one, as the pandas backend does, so the report's failures are the same,
with two differences: a duplicated row is reported with every copy
(``report_duplicates`` has no effect), and row numbers count from 0 in the
file's order. Drift uses the pandas engine's code, on the measured
columns converted to pandas (zero-copy for numbers where Arrow allows it).

Private: see :mod:`mlorg._datacheck.engines`.
"""

from __future__ import annotations

import types
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from mlorg._datacheck.defaults import FAILURE_COLUMNS
from mlorg._datacheck.drift import drift as _pandas_drift
from mlorg._datacheck.schema import _tidy
from mlorg.errors import InputError, first_line

if TYPE_CHECKING:
    import pandera.pandas as pa
    import polars as pl

__all__ = [
    "checkable",
    "column_names",
    "datetime_columns",
    "drift",
    "read_table",
    "row_count",
    "schema_failures",
    "to_polars_schema",
]

#: pandera's (pandas) type names and the names of the Polars types they become.
_POLARS_TYPES = {
    "str": "String",
    "string[pyarrow]": "String",
    "string[python]": "String",
    "string": "String",
    "object": "String",
    "float64": "Float64",
    "float32": "Float32",
    "int64": "Int64",
    "Int64": "Int64",
    "int32": "Int32",
    "Int32": "Int32",
    "int16": "Int16",
    "Int16": "Int16",
    "int8": "Int8",
    "Int8": "Int8",
    "bool": "Boolean",
    "boolean": "Boolean",
    "date": "Date",
}


def _modules() -> tuple[types.ModuleType, types.ModuleType]:
    try:
        import pandera.polars as pp
        import polars as pl
    except ImportError as error:
        msg = 'the polars engine needs polars and pandera\'s Polars backend: pip install "mlorg[polars]"'
        raise InputError(msg) from error
    return pl, pp


def read_table(path: str | Path) -> pl.DataFrame:
    """Read a CSV file, a Parquet file or a folder of Parquet partitions into a Polars DataFrame.

    Raises:
        InputError: the path is missing or unreadable; one line, naming it.
    """
    polars, _ = _modules()
    path = Path(path)
    if not path.exists():
        msg = f"{path}: no such file or folder"
        raise InputError(msg)
    suffix = path.suffix.lower()
    if path.is_file() and suffix not in {".csv", ".parquet", ".pq"}:
        msg = f"{path}: unknown file type {suffix or '(no suffix)'!r}; use .csv, .parquet or .pq"
        raise InputError(msg)
    try:
        if suffix == ".csv":
            # Dates are parsed as ISO 8601, as the pandas engine parses the
            # columns the schema declares as datetimes.
            frame: pl.DataFrame = polars.read_csv(path, try_parse_dates=True)
        elif path.is_dir():
            frame = polars.scan_parquet(path / "**" / "*.parquet").collect()
        else:
            frame = polars.read_parquet(path)
    except (OSError, ValueError, polars.exceptions.PolarsError) as error:
        kind = "CSV" if suffix == ".csv" else "Parquet"
        msg = f"{path}: cannot read as {kind}: {first_line(str(error))}"
        raise InputError(msg) from error
    return frame


def to_polars_schema(schema: pa.DataFrameSchema) -> Any:
    """Translate a pandas pandera schema for Polars: Polars' types, the same checks and settings.

    Raises:
        InputError: a column's type has no Polars counterpart here.
    """
    polars, pp = _modules()
    columns = {}
    for name, column in schema.columns.items():
        dtype = None
        if column.dtype is not None:
            text = str(column.dtype)
            if text.startswith("datetime64"):
                dtype = polars.Datetime(text.removeprefix("datetime64[").rstrip("]") or "ns")
            elif text in _POLARS_TYPES:
                dtype = getattr(polars, _POLARS_TYPES[text])
            else:
                known = ", ".join(sorted([*_POLARS_TYPES, "datetime64[ns]"]))
                msg = f"column {name!r}: dtype {text!r} has no Polars type here; use one of {known}"
                raise InputError(msg)
        columns[name] = pp.Column(
            dtype,
            list(column.checks),
            nullable=column.nullable,
            unique=column.unique,
            coerce=column.coerce,
            required=column.required,
            regex=column.regex,
            description=column.description,
        )
    return pp.DataFrameSchema(
        columns,
        checks=list(schema.checks),
        unique=schema.unique,
        strict=schema.strict,
        ordered=schema.ordered,
        coerce=schema.coerce,
        name=schema.name,
    )


def checkable(schema: pa.DataFrameSchema) -> None:
    """Raise ``InputError`` if a column's type has no Polars counterpart here."""
    to_polars_schema(schema)


def schema_failures(data: pl.DataFrame, schema: pa.DataFrameSchema) -> pd.DataFrame:
    """Validate a Polars DataFrame with pandera's Polars backend; one row per failure.

    The table is that of :func:`mlorg.datacheck.schema_failures`.
    """
    polars, pp = _modules()
    polars_schema = to_polars_schema(schema)
    # Dates read from CSV (and many Parquet writers) are in microseconds; a
    # column the schema declares as datetime64[ns] is read as the schema says,
    # as the pandas engine parses it, rather than failing on the unit.
    recast = [
        polars.col(name).cast(column.dtype.type)
        for name, column in polars_schema.columns.items()
        if name in data.columns
        and column.dtype is not None
        and isinstance(column.dtype.type, polars.Datetime)
        and isinstance(data.schema[name], polars.Datetime)
        and data.schema[name] != column.dtype.type
    ]
    if recast:
        data = data.with_columns(recast)
    try:
        polars_schema.validate(data, lazy=True)
    except pp.errors.SchemaErrors as errors:
        cases = errors.failure_cases.to_pandas()
        return _tidy(cases, schema.columns)
    return pd.DataFrame({name: pd.Series(dtype=object) for name in FAILURE_COLUMNS})


def row_count(frame: pl.DataFrame) -> int:
    """The number of rows."""
    return int(frame.height)


def column_names(frame: pl.DataFrame) -> list[str]:
    """The column names, in order."""
    return list(frame.columns)


def datetime_columns(frame: pl.DataFrame) -> set[str]:
    """The columns of datetimes or dates."""
    return {name for name, dtype in frame.schema.items() if dtype.is_temporal()}


def drift(
    reference: pl.DataFrame,
    current: pl.DataFrame,
    *,
    columns: Iterable[str] | None = None,
    left_out: Mapping[str, str] | None = None,
    **options: Any,
) -> pd.DataFrame:
    """The drift table of :func:`mlorg.datacheck.drift`: the pandas engine's, on the measured columns.

    Only the columns drift measures are converted to pandas.
    """
    names = list(reference.columns if columns is None else columns)
    left_out = dict(left_out or {})
    measured = [name for name in names if name not in left_out]
    return _pandas_drift(
        reference.select(measured).to_pandas(),
        current.select([name for name in measured if name in current.columns]).to_pandas(),
        columns=names,
        left_out=left_out,
        **options,
    )
