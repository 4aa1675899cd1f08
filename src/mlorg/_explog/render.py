"""Rendering the experiment log as Markdown, HTML or JSON.

Private: the public names are in :mod:`mlorg.explog`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal, get_args

from mlorg._explog import rows as _rows
from mlorg._explog.records import RECORD_FIELDS
from mlorg.errors import InputError

if TYPE_CHECKING:
    import pandas as pd


# -- rendering ------------------------------------------------------------------

#: The formats :func:`render_lessons` writes.
ReportFormat = Literal["md", "html", "json"]
_SHOWN = ["run", *RECORD_FIELDS, "flags"]


def render_lessons(
    log: pd.DataFrame,
    fmt: ReportFormat = "md",
    *,
    params: Sequence[str] | None = None,
    metrics: Sequence[str] | None = None,
) -> str:
    """Render an experiment log from :func:`lessons` as Markdown, HTML or JSON.

    Markdown and HTML show one row per run, child runs right after their
    parent (marked ``↳``): the run's name, id, status (a failed or killed
    run marked ``✗`` and in bold, and flagged), start time, key parameters
    and metrics, then hypothesis → result → decision → lesson, the plan
    fields any run has, and the flags (``⚠ no lesson``). Missing values show
    as ``—``; the experiment column appears only when the log spans several
    experiments. ``params`` and ``metrics`` choose the parameters and
    metrics shown; by default the three parameters whose values differ
    between runs and the three metrics most runs have. JSON carries every
    column, one object per run, oldest first.

    >>> import pandas as pd
    >>> from mlorg.explog import render_lessons
    >>> log = pd.DataFrame([{"experiment": "e", "run": "deeper", "hypothesis": "Depth helps.",
    ...     "result": "no gain", "decision": "reject", "lesson": None, "flags": ["no lesson"]}])
    >>> print(render_lessons(log))
    | run | hypothesis | result | decision | lesson | flags |
    | --- | --- | --- | --- | --- | --- |
    | deeper | Depth helps. | no gain | reject | — | ⚠ no lesson |
    """
    _check_format(fmt)
    missing = [c for c in _SHOWN if c not in log.columns]
    if missing:
        msg = f"the log lacks the column(s) {', '.join(missing)}; make it with lessons()"
        raise InputError(msg)
    return _rows.render(_log_as_rows(log), fmt, params=params, metrics=metrics)


def _check_format(fmt: str) -> None:
    if fmt not in get_args(ReportFormat):  # callers outside the type checker's reach
        msg = f"unknown format {fmt!r}; use md, html or json"
        raise InputError(msg)


def _log_as_rows(log: pd.DataFrame) -> list[dict[str, Any]]:
    """A log's DataFrame back as rows: params and metrics in dicts, missing values None."""
    import pandas as pd

    rows = []
    for record in log.to_dict(orient="records"):
        row: dict[str, Any] = {}
        params: dict[str, Any] = {}
        metrics: dict[str, Any] = {}
        for key, cell in record.items():
            name, value = str(key), cell
            if not isinstance(cell, list | tuple | dict) and pd.isna(cell):
                value = None
            elif isinstance(cell, pd.Timestamp):
                value = cell.to_pydatetime()
            if name.startswith("params."):
                if value is not None:  # runs without this parameter
                    params[name.removeprefix("params.")] = value
            elif name.startswith("metrics."):
                if value is not None:
                    metrics[name.removeprefix("metrics.")] = value
            else:
                row[name] = value
        row["params"] = params
        row["metrics"] = metrics
        rows.append(row)
    return rows
