"""Benchmark: the data check on 1,000,000 rows x 8 columns (``nox -s bench -- datacheck``).

Targets from the handbook (issue 4): validating and drift-checking a batch
of 1,000,000 rows and 8 columns against a reference of the same size takes
at most 5 s and 1.5 GB peak memory on the 2-core machine, and at most 1.5
times as long as plain pandera validation of the same batch with the same
schema.

The data are penguin-like: three categorical and five numeric columns,
drawn with a fixed seed; the batch keeps every promise of the schema, the
common case for a production check. Building the data and the schema is
not timed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
from _harness import Case, Result, main

from mlorg import datacheck

ROWS = 1_000_000
# Best of 7: the 2-core machine is shared, and the best time is the one least
# disturbed by other work.
REPEAT = 7
LIMITS = {"seconds": 5.0, "peak_mb": 1536}
MAX_RATIO = 1.5

SPECIES = ["Adelie", "Chinstrap", "Gentoo"]
ISLANDS = ["Biscoe", "Dream", "Torgersen"]
SEXES = ["female", "male"]


def make_table(rows: int, seed: int) -> pd.DataFrame:
    """Penguin-like data: 3 categorical and 5 numeric columns, some sexes missing."""
    rng = np.random.default_rng(seed)
    sex = pd.Series(rng.choice(SEXES, size=rows), dtype="str")
    sex[rng.random(rows) < 0.03] = None
    return pd.DataFrame(
        {
            "species": pd.Series(rng.choice(SPECIES, size=rows), dtype="str"),
            "island": pd.Series(rng.choice(ISLANDS, size=rows), dtype="str"),
            "sex": sex,
            "bill_length_mm": rng.normal(44, 5.5, rows).clip(32, 60),
            "bill_depth_mm": rng.normal(17, 2, rows).clip(13, 21.5),
            "flipper_length_mm": rng.normal(200, 14, rows).clip(172, 231),
            "body_mass_g": rng.normal(4200, 800, rows).clip(2700, 6300),
            "year": rng.integers(2007, 2010, rows),
        }
    )


def make_schema(columns: Sequence[str]) -> pa.DataFrameSchema:
    """The same kinds of promises as the penguins schema in examples/."""
    return pa.DataFrameSchema(
        {
            "species": pa.Column(str, pa.Check.isin(SPECIES)),
            "island": pa.Column(str, pa.Check.isin(ISLANDS)),
            "sex": pa.Column(str, pa.Check.isin(SEXES), nullable=True),
            "bill_length_mm": pa.Column(float, pa.Check.in_range(25, 70)),
            "bill_depth_mm": pa.Column(float, pa.Check.in_range(10, 25)),
            "flipper_length_mm": pa.Column(float, pa.Check.in_range(160, 240)),
            "body_mass_g": pa.Column(float, pa.Check.in_range(2000, 7000)),
            "year": pa.Column(int, pa.Check.in_range(2007, 2009)),
        },
        unique=list(columns),
        report_duplicates="exclude_first",
    )


def setup(rows: int) -> tuple[pd.DataFrame, pd.DataFrame, pa.DataFrameSchema]:
    """A batch, a reference of the same size, and the schema (not timed)."""
    batch = make_table(rows, seed=2)
    reference = make_table(rows, seed=1)
    return batch, reference, make_schema(list(batch.columns))


def plain_pandera(inputs: tuple[pd.DataFrame, pd.DataFrame, pa.DataFrameSchema]) -> dict[str, Any]:
    """Pandera alone: lazy validation of the batch, as the data check runs it."""
    batch, _, schema = inputs
    schema.validate(batch, lazy=True)
    return {"rows": len(batch), "columns": batch.shape[1]}


def data_check(inputs: tuple[pd.DataFrame, pd.DataFrame, pa.DataFrameSchema]) -> dict[str, Any]:
    """The full check: the same validation, drift against the reference, the gate."""
    batch, reference, schema = inputs
    report = datacheck.check(batch, schema, reference=reference)
    if not report.passed:  # the batch is clean: a failure here is a bug, not a result
        msg = f"the clean benchmark batch failed the gate: {report.decision}"
        raise RuntimeError(msg)
    return {"rows": len(batch), "columns": batch.shape[1], "go": report.passed}


def summary(results: Sequence[Result]) -> dict[str, Any]:
    """The overhead of the data check over plain pandera validation."""
    plain, full = results
    ratio = full.seconds / plain.seconds
    return {
        "overhead ratio (check / plain pandera)": round(ratio, 2),
        "ratio limit": MAX_RATIO,
        "within_limits": ratio <= MAX_RATIO,
    }


if __name__ == "__main__":
    raise SystemExit(
        main(
            "datacheck",
            [
                Case("plain pandera validation", setup, plain_pandera, args=(ROWS,), repeat=REPEAT),
                Case(
                    "mlorg data check (validate + drift + gate)",
                    setup,
                    data_check,
                    args=(ROWS,),
                    repeat=REPEAT,
                    limits=LIMITS,
                ),
            ],
            summary=summary,
        )
    )
