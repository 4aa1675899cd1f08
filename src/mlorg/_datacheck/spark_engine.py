"""The data check on Spark: pandera's PySpark backend for the schema, Spark aggregations for drift.

Used through :func:`mlorg.datacheck.check` with Spark DataFrames (or
``engine="spark"``) and ``mlorg data-check --engine spark``. The drift rule,
the gate and the report are the pandas engine's (PSI and KS with their
p-values, too small to judge, left-out columns); what differs is said
where it is done:

* The schema file is the same pandera YAML file; :func:`to_pyspark_schema`
  translates it to a ``pandera.pyspark`` schema (Spark types, the same
  checks) and refuses, with one line, what pandera's PySpark backend cannot
  check (a table-level ``checks:`` list, an index, a type with no Spark
  counterpart here, a check it does not implement).
* pandera's PySpark backend reports each failed check once, not each failing
  value, and Spark rows have no labels: a failure row is one failed check,
  its ``failure_case`` is pandera's message and its ``row`` is empty.
  Duplicates are counted as distinct rows that occur more than once (one
  failure each), where pandas counts every extra copy. A column's
  ``unique: true``, which that backend does not check, is checked here with
  one group-by: every copy of a repeated value is a failure, as in pandas.
* Drift never brings rows to the driver. Bin edges are the reference's
  quantiles from ``DataFrame.approxQuantile`` (relative error
  ``QUANTILE_ERROR``; they are values of the data, where the pandas engine
  interpolates between two values); bin counts are one aggregation per
  side; categories are counted with one group-by per side. The
  Kolmogorov-Smirnov statistic is exact: inside range buckets (the
  reference's bin edges) a window runs the two sides' cumulative counts
  along the sorted values, each bucket's offset comes from the bin counts,
  and the largest gap is taken in Spark, every column in one job. Its p-value is
  the asymptotic one (:func:`scipy.stats.ks_2samp` with ``method="asymp"``,
  which is what ``ks_2samp`` uses itself beyond 10,000 pairs of values).

The Spark session is the one already active, or the one the environment
names (``SPARK_REMOTE`` for Spark Connect, ``PYSPARK_SUBMIT_ARGS`` or a
cluster's own configuration), else a local one on two cores, ``local[2]``:
nothing here names a cluster.

Private: see :mod:`mlorg._datacheck.engines`.
"""

from __future__ import annotations

import os
import re
import sys
import types
import warnings
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
from scipy import stats

from mlorg._datacheck import engines
from mlorg._datacheck.defaults import (
    DEFAULT_BINS,
    DEFAULT_KS_THRESHOLD,
    DEFAULT_MIN_PER_BIN,
    DEFAULT_PSI_THRESHOLD,
    FAILURE_COLUMNS,
    ROWS,
    TABLE,
)
from mlorg._datacheck.drift import (
    _check_thresholds,
    _significance,
    drift_table,
    measured_row,
    missing_row,
)
from mlorg.errors import InputError, first_line

if TYPE_CHECKING:
    import pandera.pandas as pa
    from pyspark.sql import Column, DataFrame, SparkSession

__all__ = [
    "LOCAL_MASTER",
    "QUANTILE_ERROR",
    "checkable",
    "column_names",
    "datetime_columns",
    "drift",
    "read_table",
    "row_count",
    "schema_failures",
    "session",
    "to_pyspark_schema",
]

#: The session started when the environment provides none: two local cores.
LOCAL_MASTER = "local[2]"
#: The relative error of the reference's quantiles (``DataFrame.approxQuantile``).
QUANTILE_ERROR = 1e-3

#: pandera's (pandas) type names and the Spark SQL types they become.
_SPARK_TYPES = {
    "str": "string",
    "string[pyarrow]": "string",
    "string[python]": "string",
    "string": "string",
    "object": "string",
    "float64": "double",
    "float32": "float",
    "int64": "bigint",
    "Int64": "bigint",
    "int32": "int",
    "Int32": "int",
    "int16": "smallint",
    "Int16": "smallint",
    "int8": "tinyint",
    "Int8": "tinyint",
    "bool": "boolean",
    "boolean": "boolean",
    "datetime64[ns]": "timestamp",
    "date": "date",
}
#: The built-in checks pandera's PySpark backend implements
#: (pandera.backends.pyspark.builtin_checks).
_SPARK_CHECKS = frozenset(
    {
        "equal_to",
        "not_equal_to",
        "greater_than",
        "greater_than_or_equal_to",
        "less_than",
        "less_than_or_equal_to",
        "in_range",
        "isin",
        "notin",
        "str_matches",
        "str_contains",
        "str_startswith",
        "str_endswith",
        "str_length",
        "unique_values_eq",
    }
)
_NUMERIC_TYPES = frozenset(
    {"ByteType", "ShortType", "IntegerType", "LongType", "FloatType", "DoubleType", "DecimalType"}
)
_TIME_TYPES = frozenset({"TimestampType", "TimestampNTZType", "DateType"})
# -- Imports and the session ----------------------------------------------------------


@contextmanager
def _quiet_imports() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", engines._PANDAS_3_WARNING, FutureWarning)
        yield


@cache
def _pandera_pyspark() -> types.ModuleType:
    """Import ``pandera.pyspark`` (see :func:`mlorg._datacheck.engines.pandas_on_spark_stand_in`)."""
    try:
        from pyspark.sql import SparkSession  # noqa: F401
    except ImportError as error:
        msg = (
            "the spark engine needs pyspark and pandera's PySpark backend: "
            'pip install "mlorg[spark]"'
        )
        raise InputError(msg) from error
    with _quiet_imports():
        engines.pandas_on_spark_stand_in()
        import pandera.pyspark as ps
    return ps


def session() -> SparkSession:
    """The Spark session to use: the active one, the environment's, or ``local[2]``.

    With ``SPARK_REMOTE`` set (Spark Connect) or ``PYSPARK_SUBMIT_ARGS``
    (``spark-submit``'s options, naming a master), the environment's session
    is built; on Databricks or under ``spark-submit`` a session is usually
    active already. Otherwise a local session on two cores starts, with the
    web UI off, few shuffle partitions and a driver heap of a quarter of the
    machine's memory (1 to 4 GiB; ``SPARK_DRIVER_MEMORY`` overrides it), for a
    laptop or a CI machine.
    """
    _pandera_pyspark()
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    builder = SparkSession.builder.appName("mlorg data-check")
    if not (os.environ.get("SPARK_REMOTE") or os.environ.get("PYSPARK_SUBMIT_ARGS")):
        builder = (
            builder.master(LOCAL_MASTER)
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile={_LOG4J}")
        )
        memory = None if os.environ.get("SPARK_DRIVER_MEMORY") else _driver_memory()
        if memory is not None:
            builder = builder.config("spark.driver.memory", memory)
        # The JVM writes start-up notices to standard error before any logging
        # configuration applies ("Using incubator modules"); it inherits the
        # standard error it starts with, so it gets none. Spark's errors still
        # reach Python as exceptions, and are reported from there.
        with _quiet_imports(), _jvm_stderr_discarded():
            return builder.getOrCreate()
    with _quiet_imports():
        return builder.getOrCreate()


def _driver_memory(physical: int | None = None) -> str | None:
    """The heap of a local session's driver: a quarter of the machine's memory, 1 to 4 GiB.

    Spark's default heap, 1 GiB, ran out (``java.lang.OutOfMemoryError`` in
    the sort of the KS job) on 10,000,000 rows x 8 columns on a 2-core
    machine with 23.5 GB (``benchmarks/bench_datacheck_spark.py``). In local
    mode the driver's heap holds the executors' work too. ``None`` (Spark's
    own default) when the machine's memory is unknown; ``physical`` is in
    bytes (default: this machine's).

    >>> _driver_memory(8 * 2**30)
    '2g'
    >>> _driver_memory(64 * 2**30)
    '4g'
    >>> _driver_memory(2 * 2**30)
    '1g'
    """
    if physical is None:
        try:
            physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        except (AttributeError, ValueError, OSError):  # not on a POSIX system
            return None
    return f"{min(4, max(1, physical // 4 // 2**30))}g"


@contextmanager
def _jvm_stderr_discarded() -> Iterator[None]:
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


#: A log4j 2 configuration that keeps Spark's driver to errors on the console.
_LOG4J = (Path(__file__).with_name("spark-log4j2.properties")).as_uri()


# -- Reading input ----------------------------------------------------------------


def _is_local(path: str) -> bool:
    scheme = urlsplit(path).scheme
    return len(scheme) <= 1 or scheme == "file"  # "C:" is a drive letter, not a scheme


def read_table(path: str | Path, spark: SparkSession | None = None) -> DataFrame:
    """Read a Parquet file, or a folder of Parquet partitions, as a Spark DataFrame.

    A local path must exist; a URI Spark knows (``s3a://``, ``abfss://``,
    ``dbfs:/``, ...) is left to Spark. CSV is refused: its types would be
    guessed, and a schema check of guessed types checks the guess.

    Raises:
        InputError: the path is missing, is CSV, or Spark cannot read it as
            Parquet; the message is one line and names the path.
    """
    text = str(path)
    if _is_local(text):
        local = Path(urlsplit(text).path if text.startswith("file:") else text)
        if not local.exists():
            msg = f"{text}: no such file or folder"
            raise InputError(msg)
        if local.is_file() and local.suffix.lower() not in {".parquet", ".pq"}:
            msg = (
                f"{text}: the spark engine reads Parquet (a .parquet file or a folder of "
                "Parquet partitions); convert it, or use --engine pandas"
            )
            raise InputError(msg)
        # Spark resolves a relative path against the folder its JVM started
        # in, which need not be this process's current folder any more.
        where = str(local.resolve())
    else:
        where = text
    spark = spark or session()
    try:
        with _spark_errors(text, "cannot read as Parquet"):
            return spark.read.parquet(where)
    except InputError:
        raise
    except Exception as error:  # what Spark raises depends on where it failed (JVM, Connect)
        msg = f"{text}: cannot read as Parquet: {_spark_message(error)}"
        raise InputError(msg) from error


def _spark_message(error: BaseException) -> str:
    """The first line of what Spark said, without the JVM's stack trace."""
    text = str(getattr(error, "desc", None) or error)
    return first_line(text)


@contextmanager
def _spark_errors(what: str, doing: str) -> Iterator[None]:
    from pyspark.errors import PySparkException

    try:
        yield
    except PySparkException as error:
        msg = f"{what}: {doing}: {_spark_message(error)}"
        raise InputError(msg) from error


# -- The schema ---------------------------------------------------------------------


def to_pyspark_schema(schema: pa.DataFrameSchema) -> Any:
    """Translate a pandas pandera schema (as :func:`~mlorg.datacheck.read_schema` reads it) for Spark.

    Types become Spark SQL types (``str`` -> ``string``, ``float64`` ->
    ``double``, ``int64`` -> ``bigint``, ``bool`` -> ``boolean``, ...),
    checks and the settings ``nullable``, ``required``, ``coerce``,
    ``regex``, a table-level ``unique``, ``strict`` and ``ordered`` carry
    over. ``report_duplicates`` has no counterpart: pandera's PySpark
    backend reports duplicated rows as one failure. A column's ``unique``
    is left out of the translation and checked by :func:`schema_failures`.

    Raises:
        InputError: the schema uses what pandera's PySpark backend cannot
            check; the message names the column or setting.
    """
    ps = _pandera_pyspark()
    if schema.checks:
        msg = (
            "top-level checks: the spark engine cannot run checks on the whole table; "
            "remove them or use --engine pandas"
        )
        raise InputError(msg)
    if schema.index is not None:
        msg = "index: Spark DataFrames have no index; remove it or use --engine pandas"
        raise InputError(msg)
    columns = {}
    for name, column in schema.columns.items():
        where = f"column {name!r}"
        spark_type = None
        if column.dtype is not None:
            spark_type = _SPARK_TYPES.get(str(column.dtype))
            if spark_type is None:
                known = ", ".join(sorted(_SPARK_TYPES))
                msg = f"{where}: dtype {str(column.dtype)!r} has no Spark type here; use one of {known}"
                raise InputError(msg)
        checks = []
        for check in column.checks:
            if check.name not in _SPARK_CHECKS:
                msg = (
                    f"{where}: check {check.name!r} has no implementation in pandera's "
                    "PySpark backend; use --engine pandas"
                )
                raise InputError(msg)
            checks.append(getattr(ps.Check, check.name)(**check.statistics))
        columns[name] = ps.Column(
            spark_type,
            checks,
            nullable=column.nullable,
            coerce=column.coerce,
            required=column.required,
            regex=column.regex,
            description=column.description,
        )
    unique = schema.unique
    return ps.DataFrameSchema(
        columns,
        unique=unique,
        strict=schema.strict,
        ordered=schema.ordered,
        coerce=schema.coerce,
        name=schema.name,
    )


def checkable(schema: pa.DataFrameSchema) -> None:
    """Raise ``InputError`` if pandera's PySpark backend cannot check ``schema``.

    Needs pandera's PySpark backend only: no Spark session starts.
    """
    to_pyspark_schema(schema)


#: pandera's PySpark names for checks the pandas engine names otherwise.
_PANDAS_NAMES = {"unique": "multiple_fields_uniqueness"}


def schema_failures(data: DataFrame, schema: pa.DataFrameSchema | Any) -> pd.DataFrame:
    """Validate a Spark DataFrame with pandera's PySpark backend; one row per failed check.

    ``schema`` is a pandas pandera schema (translated by
    :func:`to_pyspark_schema`) or a ``pandera.pyspark`` schema. The table has
    the columns of :data:`mlorg.FAILURE_COLUMNS`, in the schema's
    column order, the table's failures next and duplicate rows last.

    Raises:
        InputError: the schema cannot be translated, or pandera could not run
            one of its checks on the data.
    """
    ps = _pandera_pyspark()
    spark_schema = schema if isinstance(schema, ps.DataFrameSchema) else to_pyspark_schema(schema)
    with _quiet_imports(), _spark_errors("the data", "Spark failed while validating"):
        checked = spark_schema.validate(data)
        # Read the report at once: later Spark operations on `checked` may drop it.
        report = checked.pandera.errors
    rows = []
    for by_reason in (report or {}).values():
        for reason, entries in by_reason.items():
            for entry in entries:
                rows += _failure_rows(str(reason), entry)
    if not isinstance(schema, ps.DataFrameSchema):
        present = set(data.columns)
        unique = [name for name, column in schema.columns.items() if column.unique]
        for name in (name for name in unique if name in present):
            rows += _repeated_values(data, name)
    order = list(spark_schema.columns)
    position = {name: i for i, name in enumerate([*order, TABLE, ROWS])}
    rows.sort(key=lambda row: position.get(row["column"], len(position)))
    frame = pd.DataFrame(rows, columns=list(FAILURE_COLUMNS))
    return frame.astype(object)


def _repeated_values(data: DataFrame, name: str) -> list[dict[str, Any]]:
    """A column's ``unique: true``, checked with one group-by: each copy of a repeated value fails.

    pandera's pandas backend reports every copy (``report_duplicates: all``,
    its default) as a ``field_uniqueness`` failure; so does this, with no row label.
    """
    from pyspark.sql import functions as F

    column = F.col(f"`{name}`")
    repeated = (
        data.where(column.isNotNull()).groupBy(column.alias("value")).count().where("count > 1")
    )
    with _spark_errors("the data", f"Spark failed while checking that {name!r} is unique"):
        found = repeated.collect()
    return [
        {"column": name, "check": "field_uniqueness", "failure_case": row["value"], "row": None}
        for row in found
        for _ in range(int(row["count"]))
    ]


def _failure_rows(reason: str, entry: Mapping[str, Any]) -> list[dict[str, Any]]:
    check = _PANDAS_NAMES.get(str(entry.get("check")), str(entry.get("check")))
    column = entry.get("column")
    message = " ".join(str(entry.get("error", "")).split())
    if reason == "CHECK_ERROR":
        msg = f"pandera could not run {check} on column {column!r} on Spark: {message}"
        raise InputError(msg)
    count = 1
    if reason == "DUPLICATES":
        if message.startswith("Specified `unique` columns are missing"):
            return []  # the missing column is reported by its own failure, as on pandas
        column = ROWS
        # "Duplicated rows [N] were found ...": N distinct rows occur more than
        # once; one failure each (pandas counts each extra copy instead).
        found = re.search(r"\[(\d+)\]", message)
        count = int(found[1]) if found else 1
    elif column is None:
        column = TABLE
    failure_case = column if check == "column_in_dataframe" else message
    return [{"column": column, "check": check, "failure_case": failure_case, "row": None}] * count


# -- Drift ---------------------------------------------------------------------------


def _kind(data: DataFrame, name: str) -> str:
    return type(data.schema[name].dataType).__name__


def _as_number(data: DataFrame, name: str) -> Column:
    """The column as a double: numbers as they are, timestamps in microseconds, dates in days."""
    from pyspark.sql import functions as F

    kind = _kind(data, name)
    column = F.col(f"`{name}`")
    if kind == "DateType":
        column = F.unix_date(column)
    elif kind in {"TimestampType", "TimestampNTZType"}:
        column = F.unix_micros(F.to_timestamp(column))
    return column.cast("double")


def _valid(value: Column) -> Column:
    from pyspark.sql import functions as F

    return value.isNotNull() & ~F.isnan(value)


def _bin_counts(
    data: DataFrame, names: list[str], edges: Mapping[str, list[float]]
) -> dict[str, np.ndarray[Any, np.dtype[np.float64]]]:
    """Counts per bin (below, between and above the edges), then missing, in one aggregation.

    A value equal to an edge counts in the bin above it, as in the pandas engine.
    """
    from pyspark.sql import functions as F

    aggregates = [F.count(F.lit(1)).alias("rows")]
    for i, name in enumerate(names):
        value = _as_number(data, name)
        valid = _valid(value)
        aggregates.append(F.sum(F.when(valid, 1).otherwise(0)).alias(f"valid_{i}"))
        aggregates += [
            F.sum(F.when(valid & (value < edge), 1).otherwise(0)).alias(f"below_{i}_{j}")
            for j, edge in enumerate(edges[name])
        ]
    (row,) = data.agg(*aggregates).collect()
    counts = {}
    for i, name in enumerate(names):
        present = int(row[f"valid_{i}"] or 0)
        below = [int(row[f"below_{i}_{j}"] or 0) for j in range(len(edges[name]))]
        bounds = np.array([0, *below, present])
        missing = np.array([int(row["rows"]) - present])
        counts[name] = np.concatenate([np.diff(bounds), missing]).astype(np.float64)
    return counts


def _category_counts(data: DataFrame, names: list[str]) -> dict[str, dict[str | None, int]]:
    """Each category's count (missing is a category of its own), every column in one group-by."""
    from pyspark.sql import functions as F

    if not names:
        return {}
    pairs = F.explode(
        F.array(
            *[
                F.struct(F.lit(name).alias("feature"), F.col(f"`{name}`").cast("string").alias("v"))
                for name in names
            ]
        )
    ).alias("pair")
    grouped = data.select(pairs).select("pair.feature", "pair.v").groupBy("feature", "v").count()
    counts: dict[str, dict[str | None, int]] = {name: {} for name in names}
    for row in grouped.collect():
        counts[row["feature"]][row["v"]] = int(row["count"])
    return counts


def _ks_statistics(
    reference: DataFrame,
    current: DataFrame,
    names: list[str],
    edges: Mapping[str, list[float]],
    counts: tuple[Mapping[str, np.ndarray[Any, np.dtype[np.float64]]], ...],
) -> dict[str, tuple[float, int, int]]:
    """The exact two-sample Kolmogorov-Smirnov statistic of each column, in one Spark job.

    The values of both sides, every column at once, are cut into range
    buckets at ``edges`` (the reference's bin edges), and a window sorted by
    value within each bucket counts, for each value, the values of each
    side up to and including it (equal values together: a range frame).
    ``counts`` are the two sides' bin counts (:func:`_bin_counts`, the same
    buckets), so each bucket's offset, the values below it, is known
    without another pass. The largest gap between the two empirical
    distribution functions is taken per column, in Spark. Returns
    ``{column: (statistic, reference values, current values)}``, counting
    non-missing values; a column with no values on a side is left out.

    Measured with ``benchmarks/bench_datacheck_spark.py``: this replaced a
    version that first counted each distinct value per side (a group-by over
    every value, which continuous measurements barely shrink), cached it and
    totalled the buckets in a job of their own.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    ref_counts, cur_counts = counts
    offsets = []
    sizes: dict[str, tuple[int, int]] = {}
    for name in names:
        # the last bin count is the column's missing values
        per_bucket = np.stack([ref_counts[name][:-1], cur_counts[name][:-1]]).astype(np.int64)
        n, m = (int(total) for total in per_bucket.sum(axis=1))
        if min(n, m) == 0:
            continue
        sizes[name] = (n, m)
        below = np.cumsum(per_bucket, axis=1) - per_bucket
        offsets += [
            (name, bucket, int(below[0, bucket]), int(below[1, bucket]), n, m)
            for bucket in range(per_bucket.shape[1])
        ]
    if not sizes:
        return {}
    measured = list(sizes)

    def tagged(data: DataFrame, side: int) -> DataFrame:
        pairs = F.explode(
            F.array(
                *[
                    F.struct(F.lit(name).alias("feature"), _as_number(data, name).alias("v"))
                    for name in measured
                ]
            )
        ).alias("pair")
        rows = data.select(pairs).select("pair.feature", "pair.v").where(_valid(F.col("v")))
        return rows.select("feature", "v", F.lit(1 - side).alias("r"), F.lit(side).alias("c"))

    bucket: Column = F.lit(0)
    for name in measured:
        inside = sum((F.when(F.col("v") >= edge, 1).otherwise(0) for edge in edges[name]), F.lit(0))
        bucket = F.when(F.col("feature") == name, inside).otherwise(bucket)
    joint = tagged(reference, 0).unionByName(tagged(current, 1)).withColumn("bucket", bucket)
    spark = reference.sparkSession
    offset_frame = spark.createDataFrame(
        offsets, "feature string, bucket int, below_r long, below_c long, n long, m long"
    )
    up_to_value = (
        Window.partitionBy("feature", "bucket")
        .orderBy("v")
        .rangeBetween(Window.unboundedPreceding, Window.currentRow)
    )
    gaps = (
        joint.join(F.broadcast(offset_frame), ["feature", "bucket"])
        .select(
            "feature",
            F.abs(
                (F.col("below_r") + F.sum("r").over(up_to_value)) / F.col("n")
                - (F.col("below_c") + F.sum("c").over(up_to_value)) / F.col("m")
            ).alias("gap"),
        )
        .groupBy("feature")
        .agg(F.max("gap").alias("ks"))
        .collect()
    )
    return {row["feature"]: (float(row["ks"]), *sizes[row["feature"]]) for row in gaps}


def _ks_pvalue(statistic: float, n: int, m: int) -> float:
    """The asymptotic two-sided p-value, as :func:`scipy.stats.ks_2samp` with ``method="asymp"``.

    >>> round(_ks_pvalue(0.5, 4, 4), 4) == round(float(stats.ks_2samp(
    ...     [1, 2, 3, 4], [3, 4, 5, 6], method="asymp").pvalue), 4)
    True
    """
    return float(stats.kstwo.sf(statistic, round(n * m / (n + m))))


def drift(
    reference: DataFrame,
    current: DataFrame,
    *,
    columns: Iterable[str] | None = None,
    bins: int = DEFAULT_BINS,
    psi_threshold: float = DEFAULT_PSI_THRESHOLD,
    ks_threshold: float = DEFAULT_KS_THRESHOLD,
    alpha: float | None = None,
    ks_alpha: float | None = None,
    min_per_bin: float = DEFAULT_MIN_PER_BIN,
    ks_sample: int | None = None,
    left_out: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """The drift table of :func:`mlorg.datacheck.drift`, measured in Spark (see the module's notes).

    Only counts and a few numbers per feature come back to the driver; the
    verdicts are decided by the pandas engine's rule
    (:func:`mlorg._datacheck.drift.drift_table`). ``ks_sample`` is accepted
    and not needed: the KS statistic here is exact at any size.
    """
    del ks_sample
    level, level_name = _significance(alpha, ks_alpha)
    _check_thresholds(psi_threshold, ks_threshold, level, alpha_name=level_name)
    names = list(reference.columns if columns is None else columns)
    left_out = dict(left_out or {})
    present = set(current.columns)
    measured = [n for n in names if n not in left_out and n in present]
    numeric = [
        n
        for n in measured
        if {_kind(reference, n), _kind(current, n)} <= (_NUMERIC_TYPES | _TIME_TYPES)
    ]
    categorical = [n for n in measured if n not in numeric]
    probabilities = list(np.linspace(0, 1, bins + 1)[1:-1])
    edges: dict[str, list[float]] = {}
    if numeric:
        numbers = reference.select([_as_number(reference, n).alias(n) for n in numeric])
        quantiles = numbers.approxQuantile(numeric, probabilities, QUANTILE_ERROR)
        edges = {
            n: [float(e) for e in np.unique(q)] for n, q in zip(numeric, quantiles, strict=True)
        }
    ref_bins = _bin_counts(reference, numeric, edges) if numeric else {}
    cur_bins = _bin_counts(current, numeric, edges) if numeric else {}
    ks = _ks_statistics(reference, current, numeric, edges, (ref_bins, cur_bins))
    ref_categories = _category_counts(reference, categorical)
    cur_categories = _category_counts(current, categorical)
    rows: dict[str, dict[str, Any]] = {}
    for name in names:
        if name in left_out:
            continue
        if name not in present:
            rows[name] = missing_row(name)
            continue
        if name in categorical:
            keys = list(dict.fromkeys([*ref_categories[name], *cur_categories[name]]))
            counts = (
                np.array([ref_categories[name].get(k, 0) for k in keys], dtype=np.float64),
                np.array([cur_categories[name].get(k, 0) for k in keys], dtype=np.float64),
            )
            test = None
        else:
            counts = (ref_bins[name], cur_bins[name])
            test = None
            if name in ks:
                statistic, n, m = ks[name]
                test = (statistic, _ks_pvalue(statistic, n, m))
        rows[name] = measured_row(
            name, numeric=name in numeric, counts=counts, ks=test, min_per_bin=min_per_bin
        )
    return drift_table(
        names,
        rows,
        left_out,
        psi_threshold=psi_threshold,
        ks_threshold=ks_threshold,
        alpha=level,
    )


# -- What the shared check asks of an engine ------------------------------------------


def row_count(frame: DataFrame) -> int:
    """The number of rows (a Spark job)."""
    return int(frame.count())


def column_names(frame: DataFrame) -> list[str]:
    """The column names, in order."""
    return list(frame.columns)


def datetime_columns(frame: DataFrame) -> set[str]:
    """The columns of timestamps or dates."""
    return {name for name in frame.columns if _kind(frame, name) in _TIME_TYPES}
