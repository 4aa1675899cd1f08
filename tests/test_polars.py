"""The data check on Polars (``mlorg._datacheck.polars_engine``): the pandas engine's verdicts, on Polars."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from palmerpenguins import load_penguins
from test_datacheck import (
    ENGINE_CASES,
    PENGUINS_SCHEMA,
    _duplicated_rows,
    engine_case_id,
    engine_verdict,
)

from mlorg import cli, datacheck
from mlorg.errors import InputError

pl = pytest.importorskip(
    "polars", reason="polars is not installed (python -m pip install 'mlorg[polars]')"
)


@pytest.fixture(scope="module")
def schema():
    return datacheck.read_schema(PENGUINS_SCHEMA)


@pytest.fixture(scope="module")
def reference() -> pd.DataFrame:
    return load_penguins().dropna(subset=["bill_length_mm"]).reset_index(drop=True)


@pytest.fixture(scope="module")
def batch(reference) -> pd.DataFrame:
    return reference.sample(200, random_state=7).reset_index(drop=True)


@pytest.mark.parametrize("defect", ENGINE_CASES, ids=engine_case_id)
def test_the_pandas_engines_defect_cases_give_the_same_verdicts_on_polars(
    schema, reference, batch, tmp_path, defect
):
    data = batch if defect is None else defect(batch)
    on_pandas = datacheck.check(data, schema, reference=reference)
    data.to_parquet(tmp_path / "data.parquet", index=False)
    reference.to_parquet(tmp_path / "reference.parquet", index=False)
    on_polars = datacheck.check(
        pl.read_parquet(tmp_path / "data.parquet"),
        schema,
        reference=pl.read_parquet(tmp_path / "reference.parquet"),
    )
    assert engine_verdict(on_polars) == engine_verdict(on_pandas)
    assert on_polars.passed is (defect is None)
    assert on_polars.thresholds == on_pandas.thresholds
    if defect is _duplicated_rows:
        # pandera's Polars backend reports every copy of a repeated row, pandas the extra ones.
        assert len(on_polars.failures) == 2 * len(on_pandas.failures) == 6
    else:
        assert on_polars.decision == on_pandas.decision


def test_identifiers_and_times_are_left_out_as_on_pandas(tmp_path, capsys):
    days = pd.date_range("2026-01-01", periods=300, freq="h")
    frame = pd.DataFrame(
        {"order_id": range(300), "at": days, "amount": [float(i % 17) for i in range(300)]}
    )
    frame.to_csv(tmp_path / "reference.csv", index=False)
    later = frame.assign(order_id=frame.order_id + 300, at=frame["at"] + pd.Timedelta(days=30))
    later.to_csv(tmp_path / "today.csv", index=False)
    schema = tmp_path / "orders.yaml"
    schema.write_text(
        "schema_type: dataframe\nversion: 0.0.0\ncolumns:\n"
        "  order_id:\n    dtype: int64\n    unique: true\n"
        "  at:\n    dtype: datetime64[ns]\n"
        "  amount:\n    dtype: float64\n",
        encoding="utf-8",
    )
    args = ["data-check", str(tmp_path / "today.csv"), "--schema", str(schema)]
    args += ["--reference", str(tmp_path / "reference.csv"), "--json"]
    outputs = []
    for engine in ("pandas", "polars"):
        assert cli.main([*args, "--engine", engine]) == cli.EXIT_OK
        outputs.append(json.loads(capsys.readouterr().out))
    on_pandas, on_polars = outputs
    assert on_polars == on_pandas
    assert on_polars["notes"] == [
        (
            "left out of drift: order_id (unique in the schema (an identifier)), "
            "at (datetimes (a time column))"
        )
    ]


def test_the_python_api_takes_a_polars_frame_and_refuses_mixed_engines(schema, batch, reference):
    report = datacheck.check(pl.from_pandas(batch), schema, reference=pl.from_pandas(reference))
    assert report.passed
    with pytest.raises(
        InputError, match=r"^engine='polars' needs a polars DataFrame as reference, got DataFrame$"
    ):
        datacheck.check(pl.from_pandas(batch), schema, reference=reference)


def test_cli_reads_a_folder_of_partitions_and_refuses_a_missing_file(
    capsys, batch, reference, tmp_path
):
    parts = tmp_path / "batch"
    parts.mkdir()
    batch.iloc[:100].to_parquet(parts / "part-0.parquet", index=False)
    batch.iloc[100:].to_parquet(parts / "part-1.parquet", index=False)
    reference.to_parquet(tmp_path / "reference.parquet", index=False)
    args = ["data-check", str(parts), "--schema", str(PENGUINS_SCHEMA), "--engine", "polars"]
    assert cli.main([*args, "--reference", str(tmp_path / "reference.parquet")]) == cli.EXIT_OK
    assert capsys.readouterr().out.splitlines()[1] == "GO"
    missing = tmp_path / "missing.parquet"
    assert cli.main([*args[:1], str(missing), *args[2:]]) == cli.EXIT_USAGE
    assert capsys.readouterr().err == f"mlorg: error: {missing}: no such file or folder\n"
