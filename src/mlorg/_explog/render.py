"""The experiment log as Markdown, HTML or JSON.

Private: the public names are in :mod:`mlorg.explog`.
"""

from __future__ import annotations

import html
import json
import math
from typing import Any, Literal, get_args

import pandas as pd

from mlorg._explog.records import _FLAG, _MISSING, RECORD_FIELDS
from mlorg.errors import InputError

# -- rendering ------------------------------------------------------------------

#: The formats :func:`render_lessons` writes.
ReportFormat = Literal["md", "html", "json"]
_SHOWN = ["experiment", "run", *RECORD_FIELDS, "flags"]


def render_lessons(log: pd.DataFrame, fmt: ReportFormat = "md") -> str:
    """Render an experiment log from :func:`lessons` as Markdown, HTML or JSON.

    Markdown and HTML show one row per run: hypothesis → result → decision →
    lesson, with missing fields shown as ``—`` and flagged (``⚠ no lesson``)
    in the last column; the experiment column appears only when the log spans
    several experiments. JSON carries every column, one object per run.

    >>> import pandas as pd
    >>> log = pd.DataFrame([{"experiment": "e", "run": "deeper", "hypothesis": "Depth helps.",
    ...     "result": "no gain", "decision": "reject", "lesson": None, "flags": ["no lesson"]}])
    >>> print(render_lessons(log))
    | run | hypothesis | result | decision | lesson | flags |
    | --- | --- | --- | --- | --- | --- |
    | deeper | Depth helps. | no gain | reject | — | ⚠ no lesson |
    """
    if fmt not in get_args(ReportFormat):  # callers outside the type checker's reach
        msg = f"unknown format {fmt!r}; use md, html or json"
        raise InputError(msg)
    if fmt == "json":
        return _json(log)
    table = _display_table(log)
    return _markdown(table) if fmt == "md" else _html(table)


def _display_table(log: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in _SHOWN if c not in log.columns]
    if missing:
        msg = f"the log lacks the column(s) {', '.join(missing)}; make it with lessons()"
        raise InputError(msg)
    shown = list(_SHOWN)
    if log["experiment"].nunique() <= 1:
        shown.remove("experiment")
    table = log[shown].astype(object)
    table = table.where(table.notna(), _MISSING)
    table["flags"] = [
        f"{_FLAG} " + "; ".join(flags) if isinstance(flags, list) and flags else ""
        for flags in log["flags"]
    ]
    return table


def _markdown(table: pd.DataFrame) -> str:
    # Written out rather than DataFrame.to_markdown, which needs the optional
    # `tabulate` package for what is a few lines of string joining.
    def cell(value: object) -> str:
        text = str(value).replace("\\", "\\\\").replace("|", "\\|")
        return " ".join(text.split())  # a line break would end the table row

    lines = [
        "| " + " | ".join(table.columns) + " |",
        "| " + " | ".join("---" for _ in table.columns) + " |",
    ]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in table.itertuples(False)]
    return "\n".join(lines)


def _html(table: pd.DataFrame) -> str:
    # Built by hand rather than DataFrame.to_html, whose output carries
    # pandas-specific classes and attributes a wiki does not want; every
    # value is escaped with html.escape.
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in table.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>\n"
        for row in table.itertuples(False)
    )
    return (
        '<table class="mlorg-lessons">\n'
        f"<thead><tr>{head}</tr></thead>\n"
        f"<tbody>\n{body}</tbody>\n"
        "</table>"
    )


def _json(log: pd.DataFrame) -> str:
    def plain(value: Any) -> Any:
        if value is pd.NaT:
            return None
        if isinstance(value, pd.Timestamp):
            return value.isoformat()
        if isinstance(value, float) and math.isnan(value):
            return None
        if hasattr(value, "item"):  # numpy scalar
            return value.item()
        return value

    records = []
    for row in log.to_dict(orient="records"):
        record: dict[str, Any] = {}
        params: dict[str, Any] = {}
        metrics: dict[str, Any] = {}
        for key, raw in row.items():
            name, value = str(key), plain(raw)
            if name.startswith("params."):
                if value is not None:  # runs without this parameter
                    params[name.removeprefix("params.")] = value
            elif name.startswith("metrics."):
                if value is not None:
                    metrics[name.removeprefix("metrics.")] = value
            else:
                record[name] = value
        record["params"] = params
        record["metrics"] = metrics
        records.append(record)
    return json.dumps(records, indent=2, ensure_ascii=False)
