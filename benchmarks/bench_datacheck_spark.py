"""Benchmark: the data check's pandas engine against its Spark engine (``nox -s bench -- datacheck_spark``).

Issue 14 asks where Spark overtakes pandas on the 2-core machine, and what
the driver's memory does as rows grow. Each engine reads a batch and a
reference from Parquet and runs the whole check (validate, drift, gate) on
1,000,000 and on 10,000,000 rows x 8 columns (``MLORG_BENCH_ROWS`` picks
others); the 10M cases run once. The
Parquet files are written before any case starts (not timed). The Spark
session (``local[2]``, Spark's default driver memory) starts in the case's
set-up and is not timed either; its start-up time is reported beside.

Memory: "peak MB" is the Python process's peak resident set; for Spark the
work happens in the JVM the session starts (driver and, in local mode, the
executors), whose peak resident set (``VmHWM``) is reported as "JVM peak MB".
Needs Java; without it the Spark cases are left out and the table says so.

With ``MLORG_BENCH_BASELINE`` set to a git revision (``MLORG_BENCH_BASELINE=main``),
the Spark cases also run with that revision's ``src/mlorg`` (``git archive``,
imported first), in the same run: before and after a change, side by side,
with their ratio. Wall times are medians of the calls.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from _harness import Case, Result, baseline_source, main
from bench_datacheck import make_table

from mlorg import datacheck
from mlorg._datacheck import spark_engine

#: The batch sizes, in rows; ``MLORG_BENCH_ROWS=1000000`` (comma-separated) runs fewer.
SIZES = tuple(
    int(rows) for rows in os.environ.get("MLORG_BENCH_ROWS", "1000000,10000000").split(",")
)
SCHEMA = Path(__file__).resolve().parent.parent / "examples" / "penguins-schema.yaml"
FOLDER = Path(tempfile.gettempdir()) / "mlorg-bench-datacheck-spark"
#: A git revision whose mlorg also runs the Spark cases.
BASELINE = os.environ.get("MLORG_BENCH_BASELINE")


def _files(rows: int) -> tuple[Path, Path]:
    return FOLDER / f"batch-{rows}.parquet", FOLDER / f"reference-{rows}.parquet"


def write_inputs(rows: int) -> None:
    """Write a batch and a reference of ``rows`` penguin-like rows as Parquet (not timed)."""
    batch, reference = _files(rows)
    if batch.exists() and reference.exists():
        return
    FOLDER.mkdir(parents=True, exist_ok=True)
    for seed, path in ((2, batch), (1, reference)):
        table = make_table(rows, seed=seed)
        # bench_datacheck's data keep the penguins schema's promises, except
        # that its rows are not unique at this size; the schema's key is dropped below.
        table.to_parquet(path, index=False)
        del table


def _schema() -> Any:
    # The key (no two rows alike) is checked by both engines too, but random
    # data of this size are not a fair test of it: years and categories repeat
    # while measurements rarely do. Kept, as in the file.
    return datacheck.read_schema(SCHEMA)


def setup_pandas(rows: int) -> tuple[int, Any]:
    """Only the schema: reading the Parquet files is part of the timed check."""
    return rows, _schema()


def run_pandas(inputs: tuple[int, Any]) -> dict[str, Any]:
    """Read both files into pandas and run the check."""
    rows, schema = inputs
    batch_path, reference_path = _files(rows)
    batch = datacheck.read_table(batch_path)
    reference = datacheck.read_table(reference_path)
    report = datacheck.check(batch, schema, reference=reference)
    if not report.passed:
        msg = f"the clean benchmark batch failed the gate on pandas: {report.decision}"
        raise RuntimeError(msg)
    return {"rows": rows, "go": report.passed}


def setup_spark(rows: int) -> tuple[int, Any, Any, float]:
    """Start the local Spark session (timed apart) and translate the schema."""
    start = time.perf_counter()
    spark = spark_engine.session()
    spark.range(1).count()  # the first job starts the executors
    return rows, _schema(), spark, time.perf_counter() - start


def _jvm_peak_mb(spark: Any) -> float | None:
    process = getattr(spark.sparkContext._gateway, "proc", None)
    if process is None:
        return None
    for line in Path(f"/proc/{process.pid}/status").read_text(encoding="utf-8").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def run_spark(inputs: tuple[int, Any, Any, float]) -> dict[str, Any]:
    """Read both files as Spark DataFrames and run the check in Spark."""
    rows, schema, spark, session_start = inputs
    batch_path, reference_path = _files(rows)
    batch = spark_engine.read_table(batch_path, spark)
    reference = spark_engine.read_table(reference_path, spark)
    report = datacheck.check(batch, schema, reference=reference)
    if not report.passed:
        msg = f"the clean benchmark batch failed the gate on Spark: {report.decision}"
        raise RuntimeError(msg)
    return {
        "rows": rows,
        "go": report.passed,
        "session_start_s": round(session_start, 1),
        "jvm_peak_mb": _jvm_peak_mb(spark),
        "driver_heap": spark.sparkContext.getConf().get(
            "spark.driver.memory", "1g (Spark's default)"
        ),
        "mlorg_imported_from": str(Path(datacheck.__file__).parent),
    }


def summary(results: Sequence[Result]) -> dict[str, Any]:
    """Side by side per size: wall time and memory of each engine (and of the baseline's Spark)."""
    by_name = {r.name: r for r in results}
    lines = ["rows        pandas s  pandas peak MB  spark s  spark py MB  JVM peak MB  session s"]
    faster_at = []
    ratios = {}
    for rows in SIZES:
        pandas = by_name.get(f"pandas {rows:,} rows")
        if pandas is None:
            continue
        for label in (f"spark {rows:,} rows", f"spark {rows:,} rows, mlorg at {BASELINE}"):
            spark = by_name.get(label)
            if spark is None:
                continue
            jvm = spark.info.get("jvm_peak_mb")
            lines.append(
                f"{rows:>10,}  {pandas.seconds:8.1f}  {pandas.peak_mb:14.0f}  {spark.seconds:7.1f}"
                f"  {spark.peak_mb:11.0f}  {jvm if jvm is None else round(jvm):>11}"
                f"  {spark.info.get('session_start_s')!s:>9}"
                + ("" if label.endswith(" rows") else f"  (mlorg at {BASELINE})")
            )
        spark = by_name.get(f"spark {rows:,} rows")
        if spark is None:
            lines.append(
                f"{rows:>10,}  {pandas.seconds:8.1f}  {pandas.peak_mb:14.0f}  (no Java: Spark not run)"
            )
            continue
        if spark.seconds < pandas.seconds:
            faster_at.append(rows)
        before = by_name.get(f"spark {rows:,} rows, mlorg at {BASELINE}")
        if before is not None:
            ratios[f"{rows:,} rows"] = round(before.seconds / spark.seconds, 2)
    extra: dict[str, Any] = {
        "spark faster than pandas at": [f"{r:,} rows" for r in faster_at] or "neither size",
        "side by side": lines,
    }
    if ratios:
        extra[f"spark: mlorg at {BASELINE} / now"] = ratios
    return extra


if __name__ == "__main__":
    have_java = shutil.which("java") is not None
    cases = []
    with tempfile.TemporaryDirectory(prefix="bench-base-") as unpacked:
        baseline = None
        if BASELINE is not None:
            root = Path(__file__).resolve().parent.parent
            baseline = baseline_source(BASELINE, Path(unpacked), root)
        for rows in SIZES:
            write_inputs(rows)
            repeat = 1 if rows >= 10_000_000 else 2
            cases.append(
                Case(
                    f"pandas {rows:,} rows",
                    setup_pandas,
                    run_pandas,
                    args=(rows,),
                    repeat=repeat,
                    statistic="median",
                )
            )
            if not have_java:
                continue
            if baseline is not None:
                cases.append(
                    Case(
                        f"spark {rows:,} rows, mlorg at {BASELINE}",
                        setup_spark,
                        run_spark,
                        args=(rows,),
                        repeat=repeat,
                        statistic="median",
                        import_first=baseline,
                    )
                )
            cases.append(
                Case(
                    f"spark {rows:,} rows",
                    setup_spark,
                    run_spark,
                    args=(rows,),
                    repeat=repeat,
                    statistic="median",
                )
            )
        if not have_java:
            print("no java on PATH: the Spark cases are left out", file=sys.stderr)
        status = main("datacheck_spark", cases, summary=summary)
    raise SystemExit(status)
