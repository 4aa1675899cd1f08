"""The go / no-go gate and the report of one check.

Private: the public names are in :mod:`mlorg.datacheck`.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import pandera.pandas as pa

from mlorg._common import counted, did_you_mean
from mlorg._datacheck import engines
from mlorg._datacheck.defaults import (
    DEFAULT_BINS,
    DEFAULT_KS_SAMPLE,
    DEFAULT_KS_THRESHOLD,
    DEFAULT_MIN_PER_BIN,
    DEFAULT_PSI_THRESHOLD,
    ROWS,
    TABLE,
)
from mlorg._datacheck.drift import (
    _check_thresholds,
    _significance,
    per_test_alpha,
)
from mlorg._datacheck.engines import Engine
from mlorg.errors import InputError

# -- Gate and report ---------------------------------------------------------------


@dataclass(frozen=True)
class GateDecision:
    """Whether a batch may go on to the model, and why not if it may not."""

    go: bool
    reasons: tuple[str, ...] = ()

    def __str__(self) -> str:
        return "GO" if self.go else "NO-GO: " + "; ".join(self.reasons)


def gate(
    failures: pd.DataFrame, drift_table: pd.DataFrame | None = None, *, rows: int | None = None
) -> GateDecision:
    """Decide go or no-go: go only with rows, no schema failure and no drifted feature.

    ``failures`` is a table from :func:`schema_failures`, ``drift_table``
    one from :func:`drift` (or ``None`` when there is no reference), ``rows``
    the number of rows in the batch (``None`` when unknown). A batch with no
    rows is a no-go whatever else holds: an upstream step that silently
    produced nothing must stop the pipeline, not pass it.

    >>> from mlorg.datacheck import FAILURE_COLUMNS
    >>> no_failures = pd.DataFrame(columns=list(FAILURE_COLUMNS))
    >>> gate(no_failures)
    GateDecision(go=True, reasons=())
    >>> table = pd.DataFrame([{"column": "island", "psi": 0.41, "drifted": True}])
    >>> print(gate(no_failures, table))
    NO-GO: drift in 1 feature (island)
    >>> print(gate(no_failures, rows=0))
    NO-GO: the batch has no rows
    """
    reasons = ["the batch has no rows"] if rows == 0 else []
    if len(failures):
        columns = [str(c) for c in dict.fromkeys(failures["column"]) if c not in (ROWS, TABLE)]
        duplicates = int((failures["column"] == ROWS).sum())
        table_checks = [
            str(c) for c in dict.fromkeys(failures.loc[failures["column"] == TABLE, "check"])
        ]
        where = [f"{counted(len(columns), 'column')}: {', '.join(columns)}"] if columns else []
        if table_checks:
            where.append(f"{counted(len(table_checks), 'table check')}: {', '.join(table_checks)}")
        where += [counted(duplicates, "duplicate row")] if duplicates else []
        reasons.append(f"{counted(len(failures), 'schema failure')} ({'; '.join(where)})")
    if drift_table is not None and drift_table["drifted"].any():
        drifted = list(drift_table.loc[drift_table["drifted"], "column"])
        reasons.append(
            f"drift in {counted(len(drifted), 'feature')} ({', '.join(map(str, drifted))})"
        )
    return GateDecision(go=not reasons, reasons=tuple(reasons))


def _show(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "(missing)"
    # 6 significant digits: 3.91 rather than 3.9099999999999997 after a unit change
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def _examples(values: pd.Series, limit: int = 3) -> str:
    distinct = list(dict.fromkeys(map(_show, values)))
    more = len(distinct) - limit
    return ", ".join(distinct[:limit]) + (f", ... ({more} more)" if more > 0 else "")


@dataclass(frozen=True)
class DataCheckReport:
    """What :func:`check` found: failures, drift and the gate's decision.

    ``failures`` holds every schema failure (see :func:`schema_failures`),
    ``drift`` the drift table (see :func:`drift`; ``None`` without a
    reference), ``decision`` the :func:`gate`'s verdict. Render it per column
    with :meth:`to_frame`, or as text, HTML or JSON.
    """

    failures: pd.DataFrame
    drift: pd.DataFrame | None
    decision: GateDecision
    thresholds: dict[str, float] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """``True`` when the gate says go."""
        return self.decision.go

    @property
    def notes(self) -> tuple[str, ...]:
        """What the drift check did not judge, and why (features too small, columns left out).

        >>> table = pd.DataFrame(
        ...     {"column": ["id", "x"], "verdict": ["left out: unique in the schema", "no drift"]}
        ... )
        >>> from mlorg.datacheck import FAILURE_COLUMNS
        >>> failures = pd.DataFrame(columns=list(FAILURE_COLUMNS))
        >>> DataCheckReport(failures, table, gate(failures)).notes
        ('left out of drift: id (unique in the schema)',)
        """
        if self.drift is None:
            return ()
        notes = []
        small = self.drift.loc[self.drift["verdict"] == "too small to judge", "column"]
        if len(small):
            per_bin = self.thresholds.get("min_per_bin", DEFAULT_MIN_PER_BIN)
            notes.append(
                f"drift not judged for {counted(len(small), 'feature')} "
                f"({', '.join(map(str, small))}): too small to judge, fewer than "
                f"{per_bin:g} values per bin on one side"
            )
        left = self.drift[self.drift["verdict"].str.startswith("left out: ")]
        if len(left):
            why = [
                f"{column} ({str(verdict).removeprefix('left out: ')})"
                for column, verdict in zip(left["column"], left["verdict"], strict=True)
            ]
            notes.append(f"left out of drift: {', '.join(why)}")
        return tuple(notes)

    def to_frame(self) -> pd.DataFrame:
        """One row per column with a failure or a drift measurement.

        Columns: ``failures`` (number of schema failures), ``checks`` (the
        checks that failed), ``examples`` (a few offending values) and, with
        a reference, ``psi``, ``psi_pvalue``, ``ks``, ``ks_pvalue``,
        ``drifted`` and ``verdict`` (see :func:`drift`).
        """
        grouped = self.failures.groupby("column", sort=False)
        table = pd.DataFrame(
            {
                "failures": grouped.size(),
                "checks": grouped["check"].agg(lambda c: "; ".join(dict.fromkeys(map(str, c)))),
                "examples": grouped["failure_case"].agg(_examples),
            }
        )
        if self.drift is not None:
            measured = self.drift.set_index("column")[
                ["psi", "psi_pvalue", "ks", "ks_pvalue", "drifted", "verdict"]
            ]
            table = table.join(measured, how="outer", sort=False)
            order = list(dict.fromkeys([*self.drift["column"], *self.failures["column"]]))
            table = table.reindex(order)
        table["failures"] = table["failures"].fillna(0).astype(int)
        table[["checks", "examples"]] = table[["checks", "examples"]].fillna("")
        table.index.name = "column"
        return table

    def to_dict(self) -> dict[str, Any]:
        """The report as plain data: decision, reasons, thresholds and per-column rows."""
        frame = self.to_frame().reset_index()
        rows = json.loads(frame.to_json(orient="records"))
        return {
            "go": self.decision.go,
            "reasons": list(self.decision.reasons),
            "notes": list(self.notes),
            "thresholds": dict(self.thresholds),
            "schema_failures": len(self.failures),
            "columns": rows,
        }

    def to_json(self, indent: int | None = 2) -> str:
        """The report as JSON (see :meth:`to_dict`)."""
        return json.dumps(self.to_dict(), indent=indent)

    def to_text(self) -> str:
        """The decision and the per-column table as plain text, for a terminal."""
        lines = [str(self.decision), *(f"note: {note}" for note in self.notes)]
        frame = self.to_frame()
        if self.drift is None:
            frame = frame[frame["failures"] > 0]
        if len(frame):
            text = frame.reset_index().to_string(
                index=False, float_format=lambda x: f"{x:.3g}", na_rep="-"
            )
            lines += ["", text]
        return "\n".join(lines)

    def to_html(self) -> str:
        """The decision, its reasons and the per-column table as an HTML fragment."""
        verdict = "GO" if self.decision.go else "NO-GO"
        reasons = "".join(f"<li>{html.escape(r)}</li>" for r in self.decision.reasons)
        table = self.to_frame().to_html(float_format=lambda x: f"{x:.3g}", na_rep="")
        parts = [f"<p><strong>Data check: {verdict}</strong></p>"]
        if reasons:
            parts.append(f"<ul>{reasons}</ul>")
        if self.notes:
            notes = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
            parts.append(f"<p>Notes:</p><ul>{notes}</ul>")
        parts.append(table)
        return "\n".join(parts)

    def _repr_html_(self) -> str:
        return self.to_html()


def check(
    data: pd.DataFrame | Any,
    schema: pa.DataFrameSchema,
    reference: pd.DataFrame | Any | None = None,
    *,
    engine: Engine | None = None,
    bins: int = DEFAULT_BINS,
    psi_threshold: float = DEFAULT_PSI_THRESHOLD,
    ks_threshold: float = DEFAULT_KS_THRESHOLD,
    alpha: float | None = None,
    ks_alpha: float | None = None,
    min_per_bin: float = DEFAULT_MIN_PER_BIN,
    ks_sample: int | None = DEFAULT_KS_SAMPLE,
    exclude_from_drift: Iterable[str] = (),
    include_in_drift: Iterable[str] = (),
) -> DataCheckReport:
    """Validate ``data`` against ``schema``, measure drift from ``reference``, decide.

    Drift is measured for the features the schema declares that the
    reference has (all reference columns if the schema declares none of
    them), except identifier-like and time columns, which change by
    construction in every batch: a column the schema declares ``unique``
    (or the only column of a top-level ``unique``), a column of datetimes,
    and a column with ``drift: false`` in the schema (see
    :func:`read_schema`) or named in ``exclude_from_drift``. The report
    lists them, with the reason, as "left out". A column named in
    ``include_in_drift`` or with ``drift: true`` in the schema is measured
    all the same. The thresholds are passed on to :func:`drift`.

    A batch with no rows is a no-go, "the batch has no rows"; its drift is
    not measured, as there is nothing to measure (every feature would look
    drifted and hide the cause), while its schema failures (a missing
    column, say) are still reported. A reference with no rows is unusable
    input: there is nothing to measure drift against.

    ``data`` and ``reference`` may be Polars or Spark DataFrames (both of
    the same engine): the schema is then checked by pandera's Polars or
    PySpark backend and drift is measured by that engine, with the same
    rule, verdicts and report; ``engine`` names it, by default the engine of
    ``data``. The own-data page (``examples/data-check-own-data.md``) says
    what each engine checks differently.

    Raises:
        InputError: a threshold out of bounds (see :func:`drift`), a name in
            ``exclude_from_drift`` or ``include_in_drift`` that the schema
            does not declare, a schema pandera cannot apply (see
            :func:`schema_failures`) or the engine cannot check, frames of
            another engine, or a reference with no rows.

    >>> import pandera.pandas as pa
    >>> schema = pa.DataFrameSchema({"sex": pa.Column(str, pa.Check.isin(["female", "male"]))})
    >>> report = check(pd.DataFrame({"sex": ["female", "male", "unknown"]}), schema)
    >>> report.passed
    False
    >>> print(report.to_text())
    NO-GO: 1 schema failure (1 column: sex)
    <BLANKLINE>
    column  failures                   checks examples
       sex         1 isin(['female', 'male'])  unknown
    """
    level, level_name = _significance(alpha, ks_alpha)
    _check_thresholds(psi_threshold, ks_threshold, level, alpha_name=level_name)
    excluded, included = list(exclude_from_drift), list(include_in_drift)
    for option, names in (("exclude_from_drift", excluded), ("include_in_drift", included)):
        for name in names:
            if name not in schema.columns:
                hint = did_you_mean(name, [str(c) for c in schema.columns])
                msg = f"{option}: the schema declares no column {name!r}{hint}"
                raise InputError(msg)
    on = engines.backend(engines.for_frames(data, reference, engine))
    on.checkable(schema)
    failures = on.schema_failures(data, schema)
    rows = on.row_count(data)
    thresholds: dict[str, float] = {}
    table = None
    if reference is not None and on.row_count(reference) == 0:
        msg = "the reference has no rows: there is nothing to measure drift against"
        raise InputError(msg)
    if reference is not None and rows:
        available = on.column_names(reference)
        declared = [name for name in schema.columns if name in available]
        columns = declared or available
        table = on.drift(
            reference,
            data,
            columns=columns,
            bins=bins,
            psi_threshold=psi_threshold,
            ks_threshold=ks_threshold,
            alpha=level,
            min_per_bin=min_per_bin,
            ks_sample=ks_sample,
            left_out=_left_out_of_drift(
                schema, columns, excluded, included, on.datetime_columns(reference)
            ),
        )
    if reference is not None:
        thresholds = {
            "psi": psi_threshold,
            "ks": ks_threshold,
            "alpha": level,
            "per_test_alpha": level if table is None else per_test_alpha(table, level),
            "min_per_bin": min_per_bin,
        }
    return DataCheckReport(
        failures=failures,
        drift=table,
        decision=gate(failures, table, rows=rows),
        thresholds=thresholds,
    )


def _left_out_of_drift(
    schema: pa.DataFrameSchema,
    columns: Iterable[str],
    excluded: Iterable[str],
    included: Iterable[str],
    datetimes: Iterable[str] = (),
) -> dict[str, str]:
    """The columns drift is not measured for, each with the reason, as the report gives it.

    ``datetimes`` are the reference's columns that hold datetimes.

    >>> schema = pa.DataFrameSchema({"id": pa.Column(int, unique=True), "x": pa.Column(float)})
    >>> _left_out_of_drift(schema, ["id", "x"], [], [])
    {'id': 'unique in the schema (an identifier)'}
    """
    excluded, included, datetimes = set(excluded), set(included), set(datetimes)
    whole_table_key = schema.unique if isinstance(schema.unique, list) else []
    reasons: dict[str, str] = {}
    for name in columns:
        column = schema.columns.get(name)
        marked = (getattr(column, "metadata", None) or {}).get("drift")
        if name in included or marked is True:
            continue
        if name in excluded:
            reasons[name] = "excluded on request"
        elif marked is False:
            reasons[name] = "drift: false in the schema"
        elif column is not None and (column.unique or whole_table_key == [name]):
            reasons[name] = "unique in the schema (an identifier)"
        elif _is_datetime(column) or name in datetimes:
            reasons[name] = "datetimes (a time column)"
    return reasons


def _is_datetime(column: pa.Column | None) -> bool:
    """Whether the schema declares ``column`` as datetimes."""
    declared = getattr(getattr(column, "dtype", None), "type", None)
    try:
        return declared is not None and bool(pd.api.types.is_datetime64_any_dtype(declared))
    except TypeError:  # a dtype pandas cannot interpret is not a datetime
        return False
