from __future__ import annotations

import json
import math
import re
import subprocess
import sys
import tomllib
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from packaging.requirements import Requirement
from packaging.version import Version
from palmerpenguins import load_penguins
from scipy import stats

from mlorg import cli, datacheck
from mlorg.errors import InputError

REPO = Path(__file__).resolve().parent.parent
PENGUINS_SCHEMA = REPO / "examples" / "penguins-schema.yaml"
FLOOR = datacheck.PSI_FLOOR


@pytest.fixture(scope="module")
def schema() -> pa.DataFrameSchema:
    return datacheck.read_schema(PENGUINS_SCHEMA)


@pytest.fixture(scope="module")
def reference() -> pd.DataFrame:
    """The penguins that keep the schema: all but the two birds never measured."""
    penguins = load_penguins()
    return penguins.dropna(subset=["bill_length_mm"]).reset_index(drop=True)


@pytest.fixture
def batch(reference: pd.DataFrame) -> pd.DataFrame:
    """A clean batch: 200 birds drawn from the reference."""
    return reference.sample(200, random_state=7).reset_index(drop=True)


# -- Population stability index, against values worked out by hand ------------------


def test_psi_categorical_by_hand():
    reference = pd.Series(["a", "a", "b", "b"])
    current = pd.Series(["a", "a", "a", "b"])
    # shares: reference (.5, .5), current (.75, .25)
    expected = (0.75 - 0.5) * math.log(0.75 / 0.5) + (0.25 - 0.5) * math.log(0.25 / 0.5)
    assert datacheck.population_stability_index(reference, current) == pytest.approx(expected)
    assert expected == pytest.approx(0.274653, abs=1e-6)


def test_psi_unseen_category_uses_the_floor():
    reference = pd.Series(["a"] * 4)
    current = pd.Series(["a", "a", "a", "new"])
    # shares: a (1, .75); new (0 -> floor, .25)
    expected = (0.75 - 1) * math.log(0.75 / 1) + (0.25 - FLOOR) * math.log(0.25 / FLOOR)
    assert datacheck.population_stability_index(reference, current) == pytest.approx(expected)


def test_psi_numeric_bins_at_reference_quantiles_with_a_missing_bin():
    reference = pd.Series(np.arange(1.0, 11.0))  # median 5.5: bins below / above 5.5
    current = pd.Series([1.0] * 8 + [10.0, np.nan])
    # reference shares: below .5, above .5, missing 0 (-> floor)
    # current shares:   below .8, above .1, missing .1
    expected = (
        (0.8 - 0.5) * math.log(0.8 / 0.5)
        + (0.1 - 0.5) * math.log(0.1 / 0.5)
        + (0.1 - FLOOR) * math.log(0.1 / FLOOR)
    )
    psi = datacheck.population_stability_index(reference, current, bins=2)
    assert psi == pytest.approx(expected)
    assert expected == pytest.approx(1.474861, abs=1e-6)


def test_psi_value_on_an_edge_falls_in_the_bin_above():
    reference = pd.Series([1.0, 2.0, 3.0, 4.0])  # median 2.5
    on_edge = pd.Series([2.5, 2.5, 2.5, 2.5])
    # everything lands above the edge: shares (0 -> floor, 1) against (.5, .5)
    expected = (FLOOR - 0.5) * math.log(FLOOR / 0.5) + (1 - 0.5) * math.log(1 / 0.5)
    psi = datacheck.population_stability_index(reference, on_edge, bins=2)
    assert psi == pytest.approx(expected)


def test_psi_deciles_of_a_uniform_reference():
    reference = pd.Series(np.arange(1000.0))
    shifted = pd.Series(np.arange(1000.0) + 100)  # one decile moves out, one moves in
    # bins hold 100 values each; shifted: bin 0 empty, bins 1-8 hold 100, bin 9 holds 200
    expected = (FLOOR - 0.1) * math.log(FLOOR / 0.1) + (0.2 - 0.1) * math.log(0.2 / 0.1)
    assert datacheck.population_stability_index(reference, shifted) == pytest.approx(
        expected, rel=1e-3
    )


@pytest.mark.parametrize(
    "values",
    [pd.Series([3.0, 1.0, 2.0, np.nan]), pd.Series(["x", "y", None, "y"]), pd.Series([1, 1, 1])],
)
def test_psi_of_identical_data_is_zero(values):
    assert datacheck.population_stability_index(values, values.copy()) == 0.0


def test_drift_and_psi_share_one_numeric_path(monkeypatch):
    calls = []
    from mlorg._datacheck import drift  # where drift() and the PSI compute it

    numeric_psi = drift._numeric_psi

    def spy(*args):
        calls.append(args)
        return numeric_psi(*args)

    monkeypatch.setattr(drift, "_numeric_psi", spy)
    reference = pd.Series([1.0, 2.0, np.nan, 4.0, 5.0], name="x")
    current = pd.Series([1.0, 9.0, 9.0, np.nan, np.nan], name="x")
    alone = datacheck.population_stability_index(reference, current, bins=3)
    in_table = datacheck.drift(reference.to_frame(), current.to_frame(), bins=3).loc[0, "psi"]
    assert len(calls) == 2  # one call each: the PSI of a numeric feature is computed in one place
    assert in_table == alone


# -- Kolmogorov-Smirnov --------------------------------------------------------------


def test_ks_statistic_by_hand():
    reference = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0]})
    current = pd.DataFrame({"x": [3.0, 4.0, 5.0, 6.0]})
    # ECDFs at 2: reference .5, current 0; at 4: 1 and .5; the largest gap is .5
    row = datacheck.drift(reference, current).iloc[0]
    assert row["ks"] == pytest.approx(0.5)
    assert row["ks_pvalue"] == pytest.approx(stats.ks_2samp([1, 2, 3, 4], [3, 4, 5, 6]).pvalue)


def test_ks_ignores_missing_values():
    reference = pd.DataFrame({"x": [1.0, 2.0, np.nan]})
    current = pd.DataFrame({"x": [np.nan, 1.0, 2.0]})
    assert datacheck.drift(reference, current).iloc[0]["ks"] == 0.0


def test_ks_on_thinned_order_statistics_is_within_its_bound():
    rng = np.random.default_rng(3)
    reference = pd.DataFrame({"x": rng.normal(size=250_000)})
    current = pd.DataFrame({"x": rng.normal(0.02, 1, size=230_000)})
    exact = datacheck.drift(reference, current, ks_sample=None).iloc[0]["ks"]
    thinned = datacheck.drift(reference, current, ks_sample=10_000).iloc[0]["ks"]
    assert exact == pytest.approx(stats.ks_2samp(reference.x, current.x).statistic)
    # _thin keeps every 25th of 250,000 and every 23rd of 230,000 values
    kept = min(len(range(25 // 2, 250_000, 25)), len(range(23 // 2, 230_000, 23)))
    assert abs(thinned - exact) < 2 / kept


# -- Drift table and thresholds --------------------------------------------------------


def test_drift_flags_by_threshold_and_reports_missing_features():
    reference = pd.DataFrame({"a": list("aabb"), "x": [1.0, 2.0, 3.0, 4.0]})
    current = pd.DataFrame({"a": list("aaab")})
    table = datacheck.drift(reference, current)
    assert list(table.columns) == list(datacheck.DRIFT_COLUMNS)
    assert table.set_index("column")["kind"].to_dict() == {"a": "categorical", "x": "missing"}
    assert table["drifted"].tolist() == [True, True]  # PSI .2747 > .2
    relaxed = datacheck.drift(reference, current, columns=["a"], psi_threshold=0.3)
    assert relaxed["drifted"].tolist() == [False]


def test_small_batches_need_a_significant_ks_gap():
    reference = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0]})
    current = pd.DataFrame({"x": [1.5, 2.5, 3.5, 4.5]})
    # PSI cannot exceed 2 ln(1 / PSI_FLOOR), about 18.4: 100 leaves KS alone to decide
    row = datacheck.drift(reference, current, psi_threshold=100).iloc[0]
    assert row["ks"] > datacheck.DEFAULT_KS_THRESHOLD
    assert row["ks_pvalue"] > datacheck.DEFAULT_KS_ALPHA
    assert not row["drifted"]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("psi_threshold", math.nan, "psi_threshold must be a finite number >= 0, got nan"),
        ("psi_threshold", math.inf, "psi_threshold must be a finite number >= 0, got inf"),
        ("psi_threshold", -0.1, "psi_threshold must be a finite number >= 0, got -0.1"),
        ("ks_threshold", math.nan, "ks_threshold must be a number from 0 to 1, got nan"),
        ("ks_threshold", 1.5, "ks_threshold must be a number from 0 to 1, got 1.5"),
        ("ks_alpha", -1.0, "ks_alpha must be a number from 0 to 1, got -1.0"),
    ],
)
@pytest.mark.parametrize("measure", ["drift", "check"])
def test_thresholds_must_be_finite_and_in_range(measure, name, value, message):
    reference = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0]})
    schema = pa.DataFrameSchema({"x": pa.Column(float)})
    if measure == "drift":
        run = partial(datacheck.drift, reference, reference)
    else:
        run = partial(datacheck.check, reference, schema, reference=reference)
    with pytest.raises(InputError, match=f"^{re.escape(message)}$"):
        run(**{name: value})


@pytest.mark.parametrize(("psi", "ks"), [(0.0, 0.0), (0.2, 1.0), (50.0, 0.5)])
def test_thresholds_at_their_bounds_are_accepted(psi, ks):
    reference = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0]})
    table = datacheck.drift(reference, reference, psi_threshold=psi, ks_threshold=ks)
    assert not table.loc[0, "drifted"]


# -- Every injected defect is caught -------------------------------------------------


def _unit_change(batch):
    return batch.assign(bill_length_mm=batch["bill_length_mm"] / 10)  # mm -> cm


def _unseen_category(batch):
    batch = batch.copy()
    batch.loc[:19, "island"] = "Anvers"  # a new sampling site: 10% of the batch
    return batch


def _duplicated_rows(batch):
    return pd.concat([batch, batch.iloc[:3]], ignore_index=True)


def _dropped_column(batch):
    return batch.drop(columns=["sex"])


def _shifted_distribution(batch):
    return batch.assign(body_mass_g=batch["body_mass_g"] + 600)


@pytest.mark.parametrize(
    ("defect", "column", "schema_check", "drifts"),
    [
        (_unit_change, "bill_length_mm", "in_range(25, 70)", True),
        (_unseen_category, "island", "isin(['Biscoe', 'Dream', 'Torgersen'])", True),
        (_duplicated_rows, datacheck.ROWS, "multiple_fields_uniqueness", False),
        (_dropped_column, "sex", "column_in_dataframe", True),
        (_shifted_distribution, "body_mass_g", None, True),
    ],
)
def test_each_injected_defect_is_caught(
    defect, column, schema_check, drifts, batch, reference, schema
):
    clean = datacheck.check(batch, schema, reference=reference)
    assert clean.passed, clean.decision

    report = datacheck.check(defect(batch), schema, reference=reference)
    assert not report.passed
    failed = report.failures[report.failures["column"] == column]
    if schema_check is None:
        assert report.failures.empty  # every value plausible: only drift can see it
    else:
        assert set(failed["check"]) == {schema_check}
    drifted = set(report.drift.loc[report.drift["drifted"], "column"])
    assert drifted == ({column} if drifts else set())


def test_duplicates_are_counted_once_per_extra_row(batch, schema):
    failures = datacheck.schema_failures(_duplicated_rows(batch), schema)
    assert list(failures["row"]) == [200, 201, 202]
    assert set(failures["column"]) == {datacheck.ROWS}


def test_failures_follow_the_schema_order_with_duplicate_rows_last(batch, schema):
    broken = _duplicated_rows(_unseen_category(_unit_change(batch)))
    failures = datacheck.schema_failures(broken, schema)
    order = list(dict.fromkeys(failures["column"]))
    assert order == ["island", "bill_length_mm", datacheck.ROWS]
    decision = datacheck.gate(failures)
    assert decision.reasons == (
        f"{len(failures)} schema failures (2 columns: island, bill_length_mm; 3 duplicate rows)",
    )


def test_the_reference_data_has_two_unmeasured_birds(schema):
    failures = datacheck.schema_failures(load_penguins(), schema)
    assert set(failures["check"]) == {"not_nullable"}
    assert sorted(set(failures["row"])) == [3, 271]
    assert len(failures) == 8  # four measurements each


# -- A batch identical to the reference never fails the gate ---------------------------


@st.composite
def tables(draw):
    rows = draw(st.integers(min_value=1, max_value=60))
    floats = st.floats(-1e6, 1e6, allow_nan=False) | st.just(math.nan)
    categories = st.sampled_from(["a", "b", "c"]) | st.none()
    return pd.DataFrame(
        {
            "measure": draw(st.lists(floats, min_size=rows, max_size=rows)),
            "count": draw(st.lists(st.integers(-1000, 1000), min_size=rows, max_size=rows)),
            "kind": pd.Series(
                draw(st.lists(categories, min_size=rows, max_size=rows)), dtype="str"
            ),
        }
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reference=tables())
def test_a_batch_identical_to_the_reference_never_fails_the_gate(reference):
    schema = pa.infer_schema(reference)  # a first schema from a trusted sample
    report = datacheck.check(reference.copy(), schema, reference=reference)
    assert report.passed, report.decision
    assert (report.drift["psi"] == 0).all()


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        (pd.Series([True, False, True, True]), "categorical"),
        (pd.Series(pd.to_datetime(["2024-01-01", "2024-02-01", None, "2024-03-01"])), "numeric"),
        (pd.Series([1, 2, 3, 4], dtype="Int64"), "numeric"),
    ],
)
def test_drift_kinds_of_columns(values, kind):
    table = datacheck.drift(pd.DataFrame({"x": values}), pd.DataFrame({"x": values}))
    assert table.loc[0, "kind"] == kind
    assert table.loc[0, "psi"] == 0.0
    assert not table.loc[0, "drifted"]


# -- Gate and report -----------------------------------------------------------------


def test_gate_combines_schema_failures_and_drift():
    none = pd.DataFrame(columns=list(datacheck.FAILURE_COLUMNS))
    one = pd.DataFrame([{"column": "x", "check": "not_nullable", "failure_case": None, "row": 0}])
    calm = pd.DataFrame([{"column": "x", "drifted": False}])
    moved = pd.DataFrame([{"column": "x", "drifted": True}])
    assert datacheck.gate(none, calm).go
    assert datacheck.gate(none).go
    assert datacheck.gate(one, calm).reasons == ("1 schema failure (1 column: x)",)
    assert datacheck.gate(none, moved).reasons == ("drift in 1 feature (x)",)
    assert len(datacheck.gate(one, moved).reasons) == 2


@pytest.mark.parametrize("with_reference", [False, True])
def test_an_empty_batch_is_a_no_go(batch, reference, schema, with_reference):
    empty = batch.iloc[:0]
    report = datacheck.check(empty, schema, reference=reference if with_reference else None)
    assert not report.passed
    assert report.decision.reasons == ("the batch has no rows",)  # not "drift in 8 features"
    assert report.drift is None
    assert report.to_text() == "NO-GO: the batch has no rows"


def test_an_empty_batch_still_reports_its_schema_failures(batch, schema):
    report = datacheck.check(_dropped_column(batch).iloc[:0], schema)
    assert report.decision.reasons == (
        "the batch has no rows",
        "1 schema failure (1 column: sex)",
    )


def test_gate_on_rows():
    none = pd.DataFrame(columns=list(datacheck.FAILURE_COLUMNS))
    assert datacheck.gate(none, rows=0).reasons == ("the batch has no rows",)
    assert datacheck.gate(none, rows=1).go
    assert datacheck.gate(none).go  # the number of rows unknown


_TABLE_CHECKS = {
    "built-in check on every cell": {"checks": [pa.Check.in_range(0, 2)]},
    "check of one row across columns": {
        "checks": [pa.Check(lambda df: df["a"] < df["b"], name="a_below_b")]
    },
    "column order": {"ordered": True},
}


@pytest.mark.parametrize("settings", _TABLE_CHECKS.values(), ids=_TABLE_CHECKS.keys())
def test_table_level_failures_are_labelled_table(settings):
    schema = pa.DataFrameSchema({"a": pa.Column(int), "b": pa.Column(int)}, **settings)
    data = pd.DataFrame({"b": [1, 5], "a": [2, 3]})  # a >= b in row 0, 3 and 5 out of range
    failures = datacheck.schema_failures(data, schema)
    assert len(failures)
    assert set(failures["column"]) == {datacheck.TABLE}
    report = datacheck.check(data, schema)
    assert list(report.to_frame().index) == [datacheck.TABLE]
    (reason,) = report.decision.reasons
    assert "failure_case" not in reason
    assert reason.endswith(f"(1 table check: {failures['check'].iloc[0]})")


def test_table_failures_come_after_columns_and_before_duplicate_rows():
    schema = pa.DataFrameSchema(
        {"a": pa.Column(int, pa.Check.ge(0))},
        checks=[pa.Check.le(5)],
        unique=["a"],
        report_duplicates="exclude_first",
    )
    failures = datacheck.schema_failures(pd.DataFrame({"a": [-1, 9, 9]}), schema)
    assert list(dict.fromkeys(failures["column"])) == ["a", datacheck.TABLE, datacheck.ROWS]
    assert datacheck.gate(failures).reasons == (
        "4 schema failures (1 column: a; 1 table check: less_than_or_equal_to(5); 1 duplicate row)",
    )


def test_report_renders_as_frame_json_and_html(batch, reference, schema):
    report = datacheck.check(_unit_change(batch), schema, reference=reference)
    frame = report.to_frame()
    assert frame.loc["bill_length_mm", "failures"] == 200
    assert frame.loc["bill_length_mm", "drifted"]
    assert frame.loc["species", "failures"] == 0
    data = json.loads(report.to_json())
    assert data["go"] is False
    assert data["schema_failures"] == 200
    assert data["thresholds"]["psi"] == datacheck.DEFAULT_PSI_THRESHOLD
    by_column = {row["column"]: row for row in data["columns"]}
    assert by_column["bill_length_mm"]["checks"] == "in_range(25, 70)"
    assert "NO-GO" in report.to_html()
    assert "<table" in report.to_html()


# -- Reading input ---------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_read_table_reads_csv_and_parquet(tmp_path, reference, suffix):
    path = tmp_path / f"penguins{suffix}"
    if suffix == ".csv":
        reference.to_csv(path, index=False)
    else:
        reference.to_parquet(path)
    pd.testing.assert_frame_equal(datacheck.read_table(path), reference)


def test_the_committed_schema_round_trips_through_pandera_yaml(schema):
    again = pa.DataFrameSchema.from_yaml(schema.to_yaml())
    assert again.to_yaml() == schema.to_yaml()
    assert list(again.columns) == list(load_penguins().columns)


# -- Command line ----------------------------------------------------------------------


@pytest.fixture
def files(tmp_path, batch, reference):
    paths = {
        "clean": tmp_path / "clean.csv",
        "broken": tmp_path / "broken.csv",
        "reference": tmp_path / "reference.parquet",
        "schema": tmp_path / "schema.yaml",
    }
    batch.to_csv(paths["clean"], index=False)
    _dropped_column(_unit_change(batch)).to_csv(paths["broken"], index=False)
    reference.to_parquet(paths["reference"])
    paths["schema"].write_bytes(PENGUINS_SCHEMA.read_bytes())
    return paths


def _run(capsys, *argv):
    status = cli.main(["data-check", *map(str, argv)])
    out, err = capsys.readouterr()
    return status, out, err


def test_cli_exits_0_when_every_check_passes(capsys, files):
    status, out, err = _run(
        capsys, files["clean"], "--schema", files["schema"], "--reference", files["reference"]
    )
    assert status == cli.EXIT_OK
    assert "GO" in out
    assert "NO-GO" not in out
    assert err == ""


def test_cli_exits_0_without_a_reference(capsys, files):
    status, out, _ = _run(capsys, files["clean"], "--schema", files["schema"])
    assert status == cli.EXIT_OK
    assert out.splitlines()[-1] == "GO"


def test_report_shows_missing_values_as_missing(schema):
    report = datacheck.check(load_penguins(), schema)
    assert set(report.to_frame()["examples"]) == {"(missing)"}


def test_cli_exits_1_with_a_per_column_summary(capsys, files):
    status, out, _ = _run(
        capsys, files["broken"], "--schema", files["schema"], "--reference", files["reference"]
    )
    assert status == cli.EXIT_FAILED
    assert "NO-GO" in out
    lines = {line.split()[0]: line for line in out.splitlines() if line.strip()}
    assert "in_range(25, 70)" in lines["bill_length_mm"]
    assert "column_in_dataframe" in lines["sex"]  # a missing required column fails


def test_cli_missing_column_fails_even_without_a_reference(capsys, files):
    status, out, _ = _run(capsys, files["broken"], "--schema", files["schema"])
    assert status == cli.EXIT_FAILED
    assert "column_in_dataframe" in out


def test_cli_json_report(capsys, files):
    status, out, _ = _run(
        capsys,
        files["broken"],
        "--schema",
        files["schema"],
        "--reference",
        files["reference"],
        "--json",
    )
    assert status == cli.EXIT_FAILED
    report = json.loads(out)
    assert report["go"] is False
    failing = {row["column"] for row in report["columns"] if row["failures"]}
    assert failing == {"bill_length_mm", "sex"}


def test_cli_thresholds_are_passed_on(capsys, files, tmp_path, batch):
    shifted = tmp_path / "shifted.csv"
    _shifted_distribution(batch).to_csv(shifted, index=False)
    args = [shifted, "--schema", files["schema"], "--reference", files["reference"]]
    assert _run(capsys, *args)[0] == cli.EXIT_FAILED
    loose = [*args, "--psi-threshold", "100", "--ks-threshold", "1"]
    assert _run(capsys, *loose)[0] == cli.EXIT_OK


def test_cli_defaults_agree_with_the_library():
    assert cli._PSI_THRESHOLD == datacheck.DEFAULT_PSI_THRESHOLD
    assert cli._KS_THRESHOLD == datacheck.DEFAULT_KS_THRESHOLD


def _write(path: Path, content: str | bytes) -> Path:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("data", "schema", "message"),
    [
        ("missing.csv", None, "missing.csv: no such file"),
        ("data.xlsx", None, "data.xlsx: unknown file type '.xlsx'"),
        (("empty.csv", ""), None, "empty.csv: cannot read as CSV"),
        (("binary.csv", b"\xff\xfe\x00\x81"), None, "binary.csv: cannot read as CSV"),
        (("fake.parquet", "not parquet"), None, "fake.parquet: cannot read as Parquet"),
        (None, "missing.yaml", "missing.yaml: no such file"),
        (None, ("bad.yaml", "columns:\n  a: [x\n"), "bad.yaml: line 3: not valid YAML"),
        (None, ("list.yaml", "- a\n- b\n"), "list.yaml: not a pandera schema"),
        (None, ("dtype.yaml", "columns:\n  a:\n    dtype: flaot64\n"), "dtype.yaml: not a"),
        (None, ("empty.yaml", ""), "empty.yaml: the schema declares no columns"),
    ],
)
def test_cli_unusable_input_exits_2_with_one_line_naming_the_file(
    capsys, files, tmp_path, data, schema, message
):
    def place(spec, default):
        if spec is None:
            return default
        if isinstance(spec, tuple):
            return _write(tmp_path / spec[0], spec[1])
        return tmp_path / spec

    data_path = place(data, files["clean"])
    schema_path = place(schema, files["schema"])
    if data == "data.xlsx":
        _write(data_path, b"PK")
    status, out, err = _run(capsys, data_path, "--schema", schema_path)
    assert status == cli.EXIT_USAGE
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith(f"mlorg: error: {tmp_path}")
    assert message in err
    assert "Traceback" not in err


_COLUMN_A = "columns:\n  a:\n    dtype: int64\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        # pandera raises while reading: re.error, ValueError, KeyError
        (_COLUMN_A + '    str_matches: "["\n', "not a pandera schema: column 'a': unterminated"),
        (_COLUMN_A + "    str_length: {}\n", "not a pandera schema: column 'a': At least a min"),
        (_COLUMN_A + "    unique_values_eq: 5\n", "not a pandera schema: column 'a': Argument"),
        (_COLUMN_A + "    checks: [{options: {}}]\n", "column 'a': checks: entry 1 names no check"),
        (_COLUMN_A + "    checks: 5\n", "column 'a': checks: expected a mapping or a list"),
        # pandera raises only when validating: ValueError, TypeError
        (_COLUMN_A + "unique: [a]\nreport_duplicates: bogus\n", "not a usable pandera schema"),
        (_COLUMN_A + "unique: 5\n", "not a usable pandera schema"),
        ("columns: " + "[" * 5000 + "\n", "not valid YAML"),
    ],
)
def test_cli_malformed_schema_exits_2_with_one_line_naming_the_file(
    capsys, files, tmp_path, content, message
):
    schema = _write(tmp_path / "malformed.yaml", content)
    status, out, err = _run(capsys, files["clean"], "--schema", schema)
    assert status == cli.EXIT_USAGE
    assert out == ""
    assert err.startswith(f"mlorg: error: {schema}: ")
    assert err.count("\n") == 1
    assert message in err


def test_a_schema_pandera_cannot_apply_is_an_input_error():
    schema = pa.DataFrameSchema({"a": pa.Column(int)}, unique=5)  # pandera checks this late
    with pytest.raises(InputError, match=r"^pandera cannot apply the schema: "):
        datacheck.schema_failures(pd.DataFrame({"a": [1]}), schema)


def test_cli_names_the_schema_pandera_cannot_apply(capsys, files, monkeypatch):
    # read_schema finds such schemas first; this is the guard behind it, for
    # a definition pandera rejects only when it meets data.
    broken = pa.DataFrameSchema({"a": pa.Column(int)}, unique=5)
    monkeypatch.setattr(datacheck, "read_schema", lambda _: broken)
    status, _, err = _run(capsys, files["clean"], "--schema", files["schema"])
    assert status == cli.EXIT_USAGE
    assert err.startswith(f"mlorg: error: {files['schema']}: pandera cannot apply the schema: ")
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            _COLUMN_A + "    in_rnage: {min_value: 0, max_value: 5}\n",
            (
                "column 'a': 'in_rnage' is neither a column setting nor a pandera check "
                "(did you mean 'in_range'?)"
            ),
        ),
        (
            _COLUMN_A + "    nosuchcheck: 3\n",
            "column 'a': 'nosuchcheck' is neither a column setting nor a pandera check",
        ),
        (
            _COLUMN_A + "    nulable: false\n",
            (
                "column 'a': 'nulable' is neither a column setting nor a pandera check "
                "(did you mean 'nullable'?)"
            ),
        ),
        (
            _COLUMN_A + "    checks:\n      greater_then: 0\n",
            "column 'a': checks: unknown check 'greater_then' (did you mean 'greater_than'?)",
        ),
        (
            _COLUMN_A + "checks:\n- {value: [1], options: {check_name: isn}}\n",
            "top-level checks: unknown check 'isn' (did you mean 'isin'?)",
        ),
        (
            _COLUMN_A + "    checks: {ge: 0}\n    le: 5\n",
            "column 'a': put 'le' under 'checks:' too, or pandera ignores it",
        ),
    ],
    ids=["misspelt", "unknown", "misspelt setting", "in checks", "table checks", "both forms"],
)
def test_an_unknown_key_is_an_error_with_a_hint(tmp_path, content, message):
    path = _write(tmp_path / "typo.yaml", content)
    with pytest.raises(InputError, match=f"^{re.escape(f'{path}: {message}')}$"):
        datacheck.read_schema(path)


def test_cli_rejects_a_misspelt_check(capsys, files, tmp_path):
    typo = PENGUINS_SCHEMA.read_text(encoding="utf-8").replace("in_range:", "in_rnage:", 1)
    schema = _write(tmp_path / "typo.yaml", typo)
    status, out, err = _run(capsys, files["clean"], "--schema", schema)
    assert status == cli.EXIT_USAGE
    assert out == ""
    assert "'in_rnage' is neither a column setting nor a pandera check" in err


def test_a_setting_the_installed_pandera_drops_is_an_error(tmp_path, monkeypatch):
    # pandera 0.31 to 0.33 read no `report_duplicates` on a column: simulate that.
    read = pa.DataFrameSchema.from_yaml

    def old_pandera(source):
        schema = read(source)
        for column in schema.columns.values():
            column.report_duplicates = "all"
        return schema

    monkeypatch.setattr(pa.DataFrameSchema, "from_yaml", old_pandera)
    path = _write(
        tmp_path / "s.yaml",
        _COLUMN_A + "    unique: true\n    report_duplicates: exclude_first\n",
    )
    with pytest.raises(
        InputError, match=r"column 'a': pandera \S+ does not read 'report_duplicates'"
    ):
        datacheck.read_schema(path)


def test_every_check_of_the_committed_schema_is_read(schema):
    # Flat checks (`in_range:` right under a column) are read since pandera 0.31;
    # an older pandera drops them silently.
    assert {name: len(column.checks) for name, column in schema.columns.items()} == dict.fromkeys(
        schema.columns, 1
    )


def test_pandera_lower_bound_reads_flat_checks():
    # 0.31.0 is the first release with pandera.io._flat_checks (pandera.pandas
    # arrived in 0.24.0); pandera 0.20 to 0.30 would drop every check of
    # examples/penguins-schema.yaml.
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    (pandera,) = [
        Requirement(d) for d in project["optional-dependencies"]["data"] if d.startswith("pandera")
    ]
    lower = [Version(s.version) for s in pandera.specifier if s.operator == ">="]
    assert lower == [Version("0.31")]


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--psi-threshold", "nan"),
        ("--psi-threshold", "inf"),
        ("--psi-threshold", "-0.5"),
        ("--psi-threshold", "abc"),
        ("--ks-threshold", "nan"),
        ("--ks-threshold", "1.5"),
        ("--ks-threshold", "-1"),
    ],
)
def test_cli_thresholds_must_be_finite_and_in_range(capsys, files, option, value):
    args = [files["clean"], "--schema", files["schema"], "--reference", files["reference"]]
    with pytest.raises(SystemExit) as exit_info:
        _run(capsys, *args, option, value, "--json")
    assert exit_info.value.code == cli.EXIT_USAGE
    out, err = capsys.readouterr()
    assert out == ""
    bound = "0 or more" if option == "--psi-threshold" else "from 0 to 1"
    assert f"argument {option}: must be a finite number {bound}, got '{value}'" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("with_reference", [False, True])
def test_cli_an_empty_batch_exits_1(capsys, files, tmp_path, batch, with_reference):
    empty = tmp_path / "empty.parquet"
    batch.iloc[:0].to_parquet(empty)
    reference = ["--reference", files["reference"]] if with_reference else []
    status, out, _ = _run(capsys, empty, "--schema", files["schema"], *reference)
    assert status == cli.EXIT_FAILED
    assert out.splitlines()[-1] == "NO-GO: the batch has no rows"


def test_cli_unusable_reference_exits_2(capsys, files, tmp_path):
    status, _, err = _run(
        capsys, files["clean"], "--schema", files["schema"], "--reference", tmp_path / "nope.pq"
    )
    assert status == cli.EXIT_USAGE
    assert "nope.pq: no such file" in err


def test_cli_as_a_process_prints_no_traceback(files, tmp_path):
    bad = _write(tmp_path / "bad.yaml", "columns: [")
    result = subprocess.run(
        [sys.executable, "-m", "mlorg", "data-check", str(files["clean"]), "--schema", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == cli.EXIT_USAGE
    assert result.stderr.startswith("mlorg: error: ")
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_cli_never_modifies_its_inputs(capsys, files):
    inputs = [files["broken"], files["schema"], files["reference"]]
    before = {path: (path.read_bytes(), path.stat().st_mtime_ns) for path in inputs}
    status, _, _ = _run(
        capsys, files["broken"], "--schema", files["schema"], "--reference", files["reference"]
    )
    assert status == cli.EXIT_FAILED
    after = {path: (path.read_bytes(), path.stat().st_mtime_ns) for path in inputs}
    assert after == before
    assert sorted(p.name for p in files["broken"].parent.iterdir()) == sorted(
        p.name for p in files.values()
    )


def test_read_errors_are_input_errors(tmp_path):
    with pytest.raises(InputError, match=r"nope\.csv: no such file"):
        datacheck.read_table(tmp_path / "nope.csv")


def test_the_own_data_page_shows_real_output(tmp_path, monkeypatch, capsys):
    page = (REPO / "examples" / "data-check-own-data.md").read_text(encoding="utf-8")
    command = "$ mlorg data-check penguins.csv --schema examples/penguins-schema.yaml\n"
    shown = page.split(command, 1)[1].split("$ echo $?\n", 1)[0]
    status = page.split(command, 1)[1].split("$ echo $?\n", 1)[1].split("\n", 1)[0]
    (tmp_path / "examples").mkdir()
    (tmp_path / "examples" / "penguins-schema.yaml").write_bytes(PENGUINS_SCHEMA.read_bytes())
    load_penguins().to_csv(tmp_path / "penguins.csv", index=False)
    monkeypatch.chdir(tmp_path)
    assert cli.main(command.split()[2:]) == int(status)
    assert capsys.readouterr().out == shown


def test_the_own_data_page_shows_the_real_error_for_a_misspelt_check(tmp_path, monkeypatch, capsys):
    page = (REPO / "examples" / "data-check-own-data.md").read_text(encoding="utf-8")
    command = "$ mlorg data-check penguins.csv --schema examples/typo-schema.yaml\n"
    shown, status = page.split(command, 1)[1].split("\n```", 1)[0].split("$ echo $?\n")
    # "the first `in_range` of the penguins schema is misspelt"
    typo = PENGUINS_SCHEMA.read_text(encoding="utf-8").replace("in_range:", "in_rnage:", 1)
    (tmp_path / "examples").mkdir()
    _write(tmp_path / "examples" / "typo-schema.yaml", typo)
    load_penguins().to_csv(tmp_path / "penguins.csv", index=False)
    monkeypatch.chdir(tmp_path)
    assert cli.main(command.split()[2:]) == int(status)
    assert capsys.readouterr().err == shown
