"""The data check on a real local Spark (``mlorg._datacheck.spark_engine``): the pandas engine's verdicts.

Every test here shares one local Spark session (``local[2]``, four shuffle
partitions), started once; conftest.py skips them, with what to install,
only where no Java runtime is found (``apt-get install -y
openjdk-17-jre-headless``; .ci/run installs it).
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from palmerpenguins import load_penguins
from scipy import stats
from test_datacheck import (
    ENGINE_CASES,
    PENGUINS_SCHEMA,
    _unit_change,
    engine_case_id,
    engine_verdict,
)

from mlorg import cli, datacheck
from mlorg._datacheck import spark_engine
from mlorg.errors import InputError

REPO = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def spark():
    """The one local Spark session of the test run (conftest.py skips these tests without Java)."""
    session = spark_engine.session()
    yield session
    session.stop()


def test_the_local_session_gets_a_driver_heap_sized_to_the_machine(spark):
    # Spark's 1 GiB default ran out of heap on 10,000,000 rows (bench_datacheck_spark).
    expected = os.environ.get("SPARK_DRIVER_MEMORY") or spark_engine._driver_memory()
    assert expected in {"1g", "2g", "3g", "4g", os.environ.get("SPARK_DRIVER_MEMORY")}
    assert spark.sparkContext.getConf().get("spark.driver.memory") == expected
    # and the JVM really got it (the setting works only before the JVM starts)
    heap_gib = spark.sparkContext._jvm.java.lang.Runtime.getRuntime().maxMemory() / 2**30
    if expected in {"1g", "2g", "3g", "4g"}:
        assert abs(heap_gib - int(expected[0])) < 0.25, heap_gib


@pytest.fixture(scope="module")
def schema():
    return datacheck.read_schema(PENGUINS_SCHEMA)


@pytest.fixture(scope="module")
def reference() -> pd.DataFrame:
    penguins = load_penguins()
    return penguins.dropna(subset=["bill_length_mm"]).reset_index(drop=True)


@pytest.fixture(scope="module")
def batch(reference) -> pd.DataFrame:
    return reference.sample(200, random_state=7).reset_index(drop=True)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("spark-data")


def _parquet(frame: pd.DataFrame, folder: Path, name: str) -> Path:
    path = folder / f"{name}.parquet"
    frame.to_parquet(path, index=False)
    return path


@pytest.mark.parametrize("defect", ENGINE_CASES, ids=engine_case_id)
def test_the_pandas_engines_defect_cases_give_the_same_verdicts_on_spark(
    spark, schema, reference, batch, folder, defect
):
    data = batch if defect is None else defect(batch)
    name = "clean" if defect is None else defect.__name__.strip("_")
    on_pandas = datacheck.check(data, schema, reference=reference)
    spark_data = spark.read.parquet(str(_parquet(data, folder, name)))
    spark_reference = spark.read.parquet(str(_parquet(reference, folder, "reference")))
    on_spark = datacheck.check(spark_data, schema, reference=spark_reference)
    assert engine_verdict(on_spark) == engine_verdict(on_pandas)
    assert on_spark.passed is (defect is None)
    assert list(on_spark.drift.columns) == list(datacheck.DRIFT_COLUMNS)
    assert on_spark.thresholds == on_pandas.thresholds  # the same tests, so the same per-test level

    def drift_reasons(report):
        return [r for r in report.decision.reasons if r.startswith("drift in")]

    assert drift_reasons(on_spark) == drift_reasons(on_pandas)


def test_the_ks_statistic_is_exact_and_its_pvalue_asymptotic(spark):
    rng = np.random.default_rng(5)
    ref = pd.DataFrame({"x": rng.normal(size=3000).round(1)})  # rounded: many ties
    cur = pd.DataFrame({"x": np.append(rng.normal(0.3, 1, size=2000).round(1), [np.nan] * 7)})
    table = datacheck.check(
        spark.createDataFrame(cur),
        datacheck.pa.DataFrameSchema({}),
        reference=spark.createDataFrame(ref),
    ).drift
    expected = stats.ks_2samp(ref.x, cur.x.dropna(), method="asymp")
    assert table.loc[0, "ks"] == pytest.approx(expected.statistic, abs=1e-12)
    assert table.loc[0, "ks_pvalue"] == pytest.approx(expected.pvalue, rel=1e-6)


def test_psi_on_spark_by_hand(spark):
    # bins=2: the reference's median is an edge; approxQuantile returns a value
    # of the data (5.0 of 1..10), where NumPy would interpolate (5.5).
    ref = pd.DataFrame({"x": np.arange(1.0, 11.0)})
    cur = pd.DataFrame({"x": [1.0] * 8 + [10.0, np.nan]})
    table = spark_engine.drift(spark.createDataFrame(ref), spark.createDataFrame(cur), bins=2)
    # edge 5.0: reference below 4, above 6, missing 0 (floor); current 8, 1, 1
    floor = datacheck.PSI_FLOOR
    expected = (
        (0.8 - 0.4) * math.log(0.8 / 0.4)
        + (0.1 - 0.6) * math.log(0.1 / 0.6)
        + (0.1 - floor) * math.log(0.1 / floor)
    )
    assert table.loc[0, "psi"] == pytest.approx(expected)


def test_categories_missing_values_and_a_missing_feature(spark):
    ref = pd.DataFrame({"a": ["x", "x", "y", None], "b": [1.0, 2.0, 3.0, 4.0]})
    cur = pd.DataFrame({"a": ["x", "y", "y", "y"]})
    table = spark_engine.drift(spark.createDataFrame(ref), spark.createDataFrame(cur))
    table = table.set_index("column")
    pandas_table = datacheck.drift(ref, cur).set_index("column")
    assert table.loc["a", "psi"] == pytest.approx(pandas_table.loc["a", "psi"])
    assert table.loc["a", "psi_pvalue"] == pytest.approx(pandas_table.loc["a", "psi_pvalue"])
    assert table.loc["b", "kind"] == "missing"
    assert table["drifted"].to_dict() == pandas_table["drifted"].to_dict()
    # four values a side: too small to judge, on both engines
    assert table["verdict"].to_dict() == pandas_table["verdict"].to_dict()
    assert table.loc["a", "verdict"] == "too small to judge"


def test_identifiers_and_times_are_left_out_and_small_batches_not_judged_as_on_pandas(
    spark, folder
):
    rng = np.random.default_rng(11)
    days = pd.date_range("2026-01-01", periods=400, freq="h")
    ref = pd.DataFrame({"id": np.arange(400), "at": days, "x": rng.normal(size=400)})
    cur = pd.DataFrame(
        {
            "id": np.arange(400, 440),
            "at": days[:40] + pd.Timedelta(days=30),
            "x": rng.normal(size=40),
        }
    )
    schema = datacheck.pa.DataFrameSchema(
        {
            "id": datacheck.pa.Column(int, unique=True),
            "at": datacheck.pa.Column("datetime64[ns]"),
            "x": datacheck.pa.Column(float),
        }
    )
    on_pandas = datacheck.check(cur, schema, reference=ref)
    on_spark = datacheck.check(
        spark.read.parquet(str(_parquet(cur, folder, "orders-today"))),
        schema,
        reference=spark.read.parquet(str(_parquet(ref, folder, "orders-reference"))),
    )
    assert engine_verdict(on_spark) == engine_verdict(on_pandas)
    assert on_spark.drift["verdict"].tolist() == [
        "left out: unique in the schema (an identifier)",
        "left out: datetimes (a time column)",
        "too small to judge",
    ]
    assert on_spark.to_text().splitlines()[:3] == on_pandas.to_text().splitlines()[:3]


def test_a_unique_column_is_checked_on_spark_as_on_pandas(spark):
    schema = datacheck.pa.DataFrameSchema({"id": datacheck.pa.Column(int, unique=True)})
    data = pd.DataFrame({"id": [1, 2, 2, 3, 3, 3, 4]})
    on_pandas = datacheck.schema_failures(data, schema)
    on_spark = spark_engine.schema_failures(spark.createDataFrame(data), schema)
    assert len(on_spark) == len(on_pandas) == 5
    assert set(on_spark["check"]) == set(on_pandas["check"]) == {"field_uniqueness"}
    assert sorted(on_spark["failure_case"]) == sorted(on_pandas["failure_case"])


def test_a_folder_of_partitions_reads_as_one_table(spark, schema, reference, batch, folder):
    parts = folder / "batch-partitions"
    parts.mkdir()
    for number, rows in enumerate(np.array_split(np.arange(len(batch)), 3)):
        batch.iloc[rows].to_parquet(parts / f"part-{number}.parquet", index=False)
    whole = spark_engine.read_table(parts, spark)
    assert whole.count() == len(batch)
    ref = spark_engine.read_table(_parquet(reference, folder, "reference"), spark)
    assert datacheck.check(whole, schema, reference=ref).passed


# -- the command ------------------------------------------------------------------------


def _run(capsys, *argv):
    status = cli.main(["data-check", *map(str, argv), "--engine", "spark"])
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.usefixtures("spark")
def test_cli_gives_the_pandas_engines_decision_and_json_shape(capsys, reference, batch, folder):
    data = _parquet(_unit_change(batch), folder, "cli-unit-change")
    ref = _parquet(reference, folder, "reference")
    args = [data, "--schema", PENGUINS_SCHEMA, "--reference", ref]
    status, out, err = _run(capsys, *args, "--json")
    assert (status, err) == (cli.EXIT_FAILED, "")
    on_spark = json.loads(out)
    assert cli.main(["data-check", *map(str, args), "--json"]) == cli.EXIT_FAILED
    on_pandas = json.loads(capsys.readouterr().out)
    assert on_spark.keys() == on_pandas.keys()
    assert on_spark["go"] is on_pandas["go"] is False
    assert on_spark["thresholds"] == on_pandas["thresholds"]
    assert [row["column"] for row in on_spark["columns"]] == [
        row["column"] for row in on_pandas["columns"]
    ]
    status, out, _ = _run(capsys, _parquet(batch, folder, "cli-clean"), "--schema", PENGUINS_SCHEMA)
    assert status == cli.EXIT_OK
    assert out.splitlines()[-1] == "GO"


@pytest.mark.usefixtures("spark")
def test_cli_an_empty_batch_is_a_no_go_as_on_pandas(capsys, batch, folder):
    empty = _parquet(batch.iloc[:0], folder, "empty-batch")
    status, out, _ = _run(capsys, empty, "--schema", PENGUINS_SCHEMA)
    assert status == cli.EXIT_FAILED
    assert out.splitlines()[-1] == "NO-GO: the batch has no rows"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda folder, _: folder / "missing.parquet",
            "missing.parquet: no such file or folder",
        ),
        (
            lambda folder, batch: _parquet(batch.iloc[:0], folder, "empty-reference"),
            "empty-reference.parquet: the reference has no rows",
        ),
        (lambda folder, _: _empty_folder(folder), "no-partitions: cannot read as Parquet: "),
        (
            lambda folder, _: _write(folder / "fake.parquet", b"not parquet"),
            "fake.parquet: cannot read as Parquet: ",
        ),
        (
            lambda folder, _: _write(folder / "batch.csv", b"a,b\n1,2\n"),
            "batch.csv: the spark engine reads Parquet",
        ),
    ],
    ids=["missing file", "0-row reference", "empty folder", "not parquet", "csv"],
)
@pytest.mark.usefixtures("spark")
def test_cli_unusable_input_exits_2_with_one_line(capsys, batch, folder, make, message):
    bad = make(folder, batch)
    status, out, err = _run(
        capsys,
        _parquet(batch, folder, "cli-clean"),
        "--schema",
        PENGUINS_SCHEMA,
        "--reference",
        bad,
    )
    assert status == cli.EXIT_USAGE
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("mlorg: error: ")
    assert message in err


def _empty_folder(folder: Path) -> Path:
    empty = folder / "no-partitions"
    empty.mkdir(exist_ok=True)
    return empty


def _write(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


def test_a_schema_spark_cannot_check_is_refused_before_any_data_is_read(tmp_path, capsys):
    text = PENGUINS_SCHEMA.read_text(encoding="utf-8").replace(
        "    dtype: int64\n", "    dtype: category\n", 1
    )
    schema = tmp_path / "category-column.yaml"
    schema.write_text(text, encoding="utf-8")
    status = cli.main(
        ["data-check", str(tmp_path / "x.parquet"), "--schema", str(schema), "--engine", "spark"]
    )
    out, err = capsys.readouterr()
    assert (status, out) == (cli.EXIT_USAGE, "")
    assert err.startswith(
        f"mlorg: error: {schema}: column 'year': dtype 'category' has no Spark type here; use one of "
    )
    assert err.count("\n") == 1
    assert not (tmp_path / "x.parquet").exists()


def test_a_check_without_a_spark_implementation_is_refused():
    pa = datacheck.pa
    spark_engine.to_pyspark_schema(
        pa.DataFrameSchema({"x": pa.Column(float, pa.Check.isin([1.0]))})
    )
    spark_engine.to_pyspark_schema(
        pa.DataFrameSchema({"x": pa.Column(float, pa.Check.unique_values_eq([1.0]))})
    )
    custom = pa.DataFrameSchema({"x": pa.Column(float, pa.Check(lambda s: s > 0, name="positive"))})
    with pytest.raises(InputError, match=r"^column 'x': check 'positive' has no implementation"):
        spark_engine.to_pyspark_schema(custom)
    with pytest.raises(InputError, match=r"^column 'x': dtype 'category' has no Spark type here"):
        spark_engine.to_pyspark_schema(pa.DataFrameSchema({"x": pa.Column("category")}))


@pytest.mark.usefixtures("spark")
def test_the_engine_must_match_the_frames(reference):
    with pytest.raises(
        InputError, match=r"engine='spark' needs a spark DataFrame as data, got DataFrame"
    ):
        datacheck.check(reference, datacheck.read_schema(PENGUINS_SCHEMA), engine="spark")


@pytest.mark.usefixtures("spark")
def test_as_a_process_a_0_row_reference_is_one_line_on_stderr(batch, folder):
    # A new process starts its own JVM: the JVM's own start-up notices must
    # not reach the terminal either.
    data = _parquet(batch, folder, "cli-clean")
    empty = _parquet(batch.iloc[:0], folder, "empty-reference")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mlorg",
            "data-check",
            str(data),
            "--schema",
            str(PENGUINS_SCHEMA),
            "--reference",
            str(empty),
            "--engine",
            "spark",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode == cli.EXIT_USAGE
    assert result.stdout == ""
    assert result.stderr == (
        f"mlorg: error: {empty}: the reference has no rows: there is nothing to measure drift against\n"
    )


@pytest.mark.usefixtures("spark")
def test_the_own_data_page_shows_real_spark_output(tmp_path, monkeypatch, capsys):
    page = (REPO / "examples" / "data-check-own-data.md").read_text(encoding="utf-8")
    block = page.split("### The same check on Spark, on the penguins\n", 1)[1]
    block = block.split("```console\n", 1)[1].split("```", 1)[0]
    make, command = (line.removeprefix("$ ") for line in block.splitlines()[:2])
    shown, status = block.split(f"$ {command}\n", 1)[1].split("$ echo $?\n")
    (tmp_path / "examples").mkdir()
    (tmp_path / "examples" / "penguins-schema.yaml").write_bytes(PENGUINS_SCHEMA.read_bytes())
    subprocess.run(
        ["bash", "-c", make],
        cwd=tmp_path,
        check=True,
        env={**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"},
    )
    monkeypatch.chdir(tmp_path)
    assert cli.main(command.split()[1:]) == int(status)
    assert capsys.readouterr().out == shown
