"""The go / no-go gate and the report of one check.

Private: the public names are in :mod:`mlorg.datacheck`.
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import pandera.pandas as pa

from mlorg._common import counted
from mlorg._datacheck.defaults import (
    DEFAULT_BINS,
    DEFAULT_KS_ALPHA,
    DEFAULT_KS_SAMPLE,
    DEFAULT_KS_THRESHOLD,
    DEFAULT_PSI_THRESHOLD,
    ROWS,
    TABLE,
)
from mlorg._datacheck.drift import (
    _check_thresholds,
    drift,
)
from mlorg._datacheck.schema import schema_failures

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

    >>> import pandas as pd
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

    def to_frame(self) -> pd.DataFrame:
        """One row per column with a failure or a drift measurement.

        Columns: ``failures`` (number of schema failures), ``checks`` (the
        checks that failed), ``examples`` (a few offending values) and, with
        a reference, ``psi``, ``ks`` and ``drifted``.
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
            measured = self.drift.set_index("column")[["psi", "ks", "drifted"]]
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
            "thresholds": dict(self.thresholds),
            "schema_failures": len(self.failures),
            "columns": rows,
        }

    def to_json(self, indent: int | None = 2) -> str:
        """The report as JSON (see :meth:`to_dict`)."""
        return json.dumps(self.to_dict(), indent=indent)

    def to_text(self) -> str:
        """The decision and the per-column table as plain text, for a terminal."""
        lines = [str(self.decision)]
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
        parts.append(table)
        return "\n".join(parts)

    def _repr_html_(self) -> str:
        return self.to_html()


def check(
    data: pd.DataFrame,
    schema: pa.DataFrameSchema,
    reference: pd.DataFrame | None = None,
    *,
    bins: int = DEFAULT_BINS,
    psi_threshold: float = DEFAULT_PSI_THRESHOLD,
    ks_threshold: float = DEFAULT_KS_THRESHOLD,
    ks_alpha: float = DEFAULT_KS_ALPHA,
    ks_sample: int | None = DEFAULT_KS_SAMPLE,
) -> DataCheckReport:
    """Validate ``data`` against ``schema``, measure drift from ``reference``, decide.

    Drift is measured for the features the schema declares that the
    reference has (all reference columns if the schema declares none of
    them). The thresholds are passed on to :func:`drift`. A batch with no
    rows is a no-go, "the batch has no rows"; its drift is not measured, as
    there is nothing to measure (every feature would look drifted and hide
    the cause), while its schema failures (a missing column, say) are still
    reported.

    Raises:
        InputError: a threshold out of bounds (see :func:`drift`), or a
            schema pandera cannot apply (see :func:`schema_failures`).

    >>> import pandas as pd
    >>> import pandera.pandas as pa
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
    _check_thresholds(psi_threshold, ks_threshold, ks_alpha)
    failures = schema_failures(data, schema)
    thresholds: dict[str, float] = {}
    table = None
    if reference is not None:
        thresholds = {"psi": psi_threshold, "ks": ks_threshold, "ks_alpha": ks_alpha}
    if reference is not None and len(data):
        declared = [name for name in schema.columns if name in reference.columns]
        table = drift(
            reference,
            data,
            columns=declared or list(reference.columns),
            bins=bins,
            psi_threshold=psi_threshold,
            ks_threshold=ks_threshold,
            ks_alpha=ks_alpha,
            ks_sample=ks_sample,
        )
    return DataCheckReport(
        failures=failures,
        drift=table,
        decision=gate(failures, table, rows=len(data)),
        thresholds=thresholds,
    )
