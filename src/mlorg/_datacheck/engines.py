"""Which engine reads and checks the data: pandas (the default), Polars or Spark.

The one place that decides it. :func:`mlorg.datacheck.check` and
``mlorg data-check --engine`` ask :func:`backend` for the engine's
functions (reading a table, the schema's failures, the drift
measurements, row and column names); the drift rule, the gate and the
report are shared by every engine (:mod:`mlorg._datacheck.drift`,
:mod:`mlorg._datacheck.report`), so Spark and Polars give the verdicts, the
table and the exit status of the pandas engine. The Polars and Spark
engines live in :mod:`mlorg._datacheck.polars` and
:mod:`mlorg._datacheck.spark`, imported only when used.

Private: the public names are in :mod:`mlorg.datacheck`.
"""

from __future__ import annotations

import importlib
import sys
import types
import warnings
from collections.abc import Iterable, Mapping
from importlib.util import find_spec
from pathlib import Path
from typing import Any, Literal, Protocol, cast, get_args

import pandas as pd

from mlorg._extras import require
from mlorg.errors import InputError

#: The engines of the data check.
Engine = Literal["pandas", "polars", "spark"]
#: Their names, the default first.
ENGINES: tuple[str, ...] = get_args(Engine)


class Backend(Protocol):
    """What an engine provides; the drift rule, gate and report are shared."""

    def read_table(self, path: str | Path) -> Any:
        """Read a batch or a reference (a file, or a folder of Parquet partitions)."""

    def checkable(self, schema: Any) -> None:
        """Raise ``InputError`` if the engine's pandera backend cannot check ``schema``."""

    def schema_failures(self, data: Any, schema: Any) -> pd.DataFrame:
        """Every failure, as :func:`mlorg.datacheck.schema_failures` reports them."""

    def row_count(self, frame: Any) -> int:
        """The number of rows."""

    def column_names(self, frame: Any) -> list[str]:
        """The column names, in order."""

    def datetime_columns(self, frame: Any) -> set[str]:
        """The columns holding dates or times."""

    def drift(
        self,
        reference: Any,
        current: Any,
        *,
        columns: Iterable[str],
        bins: int,
        psi_threshold: float,
        ks_threshold: float,
        alpha: float,
        min_per_bin: float,
        ks_sample: int | None,
        left_out: Mapping[str, str],
    ) -> pd.DataFrame:
        """The drift table of :func:`mlorg.datacheck.drift`."""


def engine_of(data: object) -> Engine:
    """The engine that owns a DataFrame: ``"spark"``, ``"polars"``, else ``"pandas"``.

    Decided from the type's module, without importing Polars or Spark.

    >>> engine_of(pd.DataFrame())
    'pandas'
    """
    kind = type(data)
    if kind.__name__ == "DataFrame":
        if kind.__module__.startswith("pyspark.sql"):  # classic or Spark Connect
            return "spark"
        if kind.__module__.startswith("polars"):
            return "polars"
    return "pandas"


def known(engine: str) -> Engine:
    """Return ``engine`` if it is one of :data:`ENGINES`.

    >>> known("dask")
    Traceback (most recent call last):
    ...
    mlorg.errors.InputError: unknown engine 'dask'; use one of pandas, polars, spark
    """
    if engine not in ENGINES:
        msg = f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}"
        raise InputError(msg)
    return cast("Engine", engine)


def backend(engine: str) -> Backend:
    """The functions of ``engine``, importing its module (and its extra's check) on first use.

    Raises:
        InputError: an unknown engine.
        MissingExtraError: the engine's extra is not installed.
    """
    engine = known(engine)
    if engine != "pandas":
        require(engine, f"the data check's {engine} engine")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", _PANDAS_3_WARNING, FutureWarning)
        return cast("Backend", importlib.import_module(f"mlorg._datacheck.{engine}_engine"))


def for_frames(data: object, reference: object | None, engine: str | None) -> Engine:
    """The engine of a check: the one named, else that of ``data``; ``reference`` must match.

    >>> for_frames(pd.DataFrame(), [1, 2], None)
    Traceback (most recent call last):
    ...
    mlorg.errors.InputError: engine='pandas' needs a pandas DataFrame as reference, got list
    """
    chosen = known(engine) if engine is not None else engine_of(data)
    for role, frame in (("data", data), ("reference", reference)):
        if frame is None:
            continue
        if engine_of(frame) != chosen or (
            chosen == "pandas" and not isinstance(frame, pd.DataFrame)
        ):
            msg = (
                f"engine={chosen!r} needs a {chosen} DataFrame as {role}, "
                f"got {type(frame).__name__}"
            )
            raise InputError(msg)
    return chosen


#: pyspark warns on import that it does not fully support pandas 3; the parts
#: used here (Spark SQL DataFrames) do not involve pandas.
_PANDAS_3_WARNING = "PySpark does not yet fully support pandas"


def pandas_on_spark_stand_in() -> None:
    """Give pandera a stand-in for pyspark's pandas API where that cannot import.

    With pyspark installed, pandera imports ``pyspark.pandas`` (the pandas
    API on Spark) when it is imported, when it first validates a pandas
    DataFrame and in its PySpark backend, to name types, even when it never
    sees such a DataFrame. pyspark 4.3's ``pyspark.pandas`` does not import
    with pandas 3 (it imports ``DateOffset`` from
    ``pandas.tseries.frequencies``, which pandas 3 removed), so each of those
    imports would fail again, slowly, with a warning each time. mlorg uses
    Spark SQL DataFrames only; when the import fails, ``pyspark.pandas``
    becomes a stand-in module whose classes no object is an instance of, so
    pandera never routes anything to it. Nothing happens without pyspark,
    or where its pandas API imports.
    """
    if "pyspark.pandas" in sys.modules or find_spec("pyspark") is None:
        return
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", _PANDAS_3_WARNING, FutureWarning)
        try:
            import pyspark.pandas  # noqa: F401
        except ImportError:
            pass
        else:
            return
    for name in [m for m in sys.modules if m.startswith("pyspark.pandas")]:
        del sys.modules[name]
    stand_in = types.ModuleType("pyspark.pandas", "A stand-in: see mlorg._datacheck.engines.")
    stand_in.__path__ = []  # a package, so that its submodules are looked up in sys.modules
    for name in ("DataFrame", "Series", "Index", "MultiIndex"):
        setattr(stand_in, name, type(name, (), {"__module__": "pyspark.pandas"}))
    extensions = types.ModuleType(
        "pyspark.pandas.extensions", "A stand-in: see mlorg._datacheck.engines."
    )
    for name in (
        "register_dataframe_accessor",
        "register_series_accessor",
        "register_index_accessor",
    ):
        setattr(extensions, name, lambda _name: lambda accessor: accessor)
    stand_in.extensions = extensions  # type: ignore[attr-defined]
    sys.modules["pyspark.pandas"] = stand_in
    sys.modules["pyspark.pandas.extensions"] = extensions
