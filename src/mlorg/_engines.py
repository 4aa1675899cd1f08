"""Which engine runs the data check: pandas (the default), Polars or Spark.

:func:`mlorg.datacheck.read_table` and :func:`mlorg.datacheck.check` take
an ``engine`` and hand the work to :mod:`mlorg._polars` or
:mod:`mlorg._spark`, which import their engine only when used.
"""

from __future__ import annotations

import sys
import types
import warnings
from importlib.util import find_spec
from pathlib import Path
from typing import Any, Literal, get_args

from mlorg.errors import InputError

__all__ = [
    "ENGINES",
    "Engine",
    "check",
    "engine_of",
    "pandas_on_spark_stand_in",
    "read_table",
    "row_count",
    "translate_schema",
]

#: The engines of the data check.
Engine = Literal["pandas", "polars", "spark"]
#: Their names, the default first.
ENGINES: tuple[str, ...] = get_args(Engine)


def engine_of(data: object) -> Engine:
    """The engine that owns a DataFrame: ``"spark"``, ``"polars"``, else ``"pandas"``.

    >>> import pandas as pd
    >>> engine_of(pd.DataFrame())
    'pandas'
    """
    from mlorg import _polars, _spark

    if _spark.is_spark_frame(data):
        return "spark"
    if _polars.is_polars_frame(data):
        return "polars"
    return "pandas"


def _known(engine: str) -> None:
    if engine not in ENGINES:
        msg = f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}"
        raise InputError(msg)


def read_table(path: str | Path, engine: Engine) -> Any:
    """Read a table with a non-pandas engine (see each engine's ``read_table``)."""
    _known(engine)
    if engine == "spark":
        from mlorg import _spark

        return _spark.read_table(path)
    from mlorg import _polars

    return _polars.read_table(path)


def translate_schema(engine: Engine, schema: Any) -> Any:
    """The engine's own pandera schema for a pandas pandera schema (refusing what it cannot check).

    Importing the engine's pandera backend is all it needs: no Spark session starts.
    """
    _known(engine)
    if engine == "spark":
        from mlorg import _spark

        return _spark.to_pyspark_schema(schema)
    if engine == "polars":
        from mlorg import _polars

        return _polars.to_polars_schema(schema)
    return schema


def row_count(frame: Any) -> int:
    """The number of rows of a pandas, Polars or Spark DataFrame."""
    if engine_of(frame) == "spark":
        return int(frame.count())
    return len(frame)


def check(engine: Engine, data: Any, schema: Any, reference: Any, **options: Any) -> Any:
    """Run the data check with a non-pandas engine; every frame must belong to it."""
    _known(engine)
    for role, frame in (("data", data), ("reference", reference)):
        if frame is not None and engine_of(frame) != engine:
            msg = f"engine={engine!r} needs a {engine} DataFrame as {role}, got {type(frame).__name__}"
            raise InputError(msg)
    if engine == "spark":
        from mlorg import _spark

        options.pop("ks_sample", None)  # Spark computes the exact statistic
        return _spark.check(data, schema, reference, **options)
    from mlorg import _polars

    return _polars.check(data, schema, reference, **options)


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
        warnings.filterwarnings(
            "ignore", "PySpark does not yet fully support pandas", FutureWarning
        )
        try:
            import pyspark.pandas  # noqa: F401
        except ImportError:
            pass
        else:
            return
    for name in [m for m in sys.modules if m.startswith("pyspark.pandas")]:
        del sys.modules[name]
    stand_in = types.ModuleType("pyspark.pandas", "A stand-in: see mlorg._engines.")
    stand_in.__path__ = []  # a package, so that its submodules are looked up in sys.modules
    for name in ("DataFrame", "Series", "Index", "MultiIndex"):
        setattr(stand_in, name, type(name, (), {"__module__": "pyspark.pandas"}))
    extensions = types.ModuleType("pyspark.pandas.extensions", "A stand-in: see mlorg._engines.")
    for name in (
        "register_dataframe_accessor",
        "register_series_accessor",
        "register_index_accessor",
    ):
        setattr(extensions, name, lambda _name: lambda accessor: accessor)
    stand_in.extensions = extensions  # type: ignore[attr-defined]
    sys.modules["pyspark.pandas"] = stand_in
    sys.modules["pyspark.pandas.extensions"] = extensions
