"""The data check on Polars (``mlorg._polars``): the pandas engine's verdicts, on Polars."""

from __future__ import annotations

import pandas as pd
import pytest
from palmerpenguins import load_penguins
from test_datacheck import (
    PENGUINS_SCHEMA,
    _dropped_column,
    _duplicated_rows,
    _shifted_distribution,
    _unit_change,
    _unseen_category,
)

from mlorg import cli, datacheck

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


def _verdict(report):
    failed = set(zip(report.failures["column"], report.failures["check"], strict=True))
    drifted = (
        set() if report.drift is None else set(report.drift.loc[report.drift["drifted"], "column"])
    )
    return report.passed, failed, drifted


@pytest.mark.parametrize(
    "defect",
    [
        None,
        _unit_change,
        _unseen_category,
        _duplicated_rows,
        _dropped_column,
        _shifted_distribution,
    ],
    ids=lambda d: "clean" if d is None else d.__name__.strip("_"),
)
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
    assert _verdict(on_polars) == _verdict(on_pandas)
    assert on_polars.passed is (defect is None)


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
