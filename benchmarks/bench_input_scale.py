"""Input-scale benchmark: large inputs read from files cost time linear in their size.

Issue 13 found a 20,000-column schema taking 14 s (100,000 columns did not
finish in 180 s) and an org of 100,000 components taking 27 s. Each case
here runs the whole path a user runs, from the file: ``load_org`` +
``report`` for an org YAML file, ``read_schema`` + ``read_table`` + ``check``
for a schema and a three-row CSV. Each runs at two sizes, a quarter and the
full size, and the summary prints the time per component (per column) at
both: linear work gives about the same time per element, quadratic work
four times as much at the full size.

Run with ``nox -s bench -- input_scale``. Writing the files is set-up, not timed.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from _harness import Case, Result, main

COMPONENTS = 100_000
COLUMNS = 20_000


def write_org(components: int) -> Path:
    """An org file: one team per 100 components, a chain of dependencies, a channel chain."""
    teams = max(components // 100, 2)
    folder = Path(tempfile.mkdtemp(prefix="bench-org-"))
    lines = ["teams:"]
    lines += [f"  - {{name: t{t}, type: stream-aligned}}" for t in range(teams)]
    lines.append("components:")
    lines += [
        f"  - {{name: c{i}, owner: t{i % teams}" + (f", depends_on: [c{i - 1}]" if i else "") + "}"
        for i in range(components)
    ]
    lines.append("channels:")
    lines += [f"  - {{between: [t{t - 1}, t{t}], mode: collaboration}}" for t in range(1, teams)]
    path = folder / "org.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def org_report(path: Path) -> dict[str, Any]:
    """Timed: read the org file, check it, and compute the whole report."""
    from mlorg.orggraph import load_org, report

    result = report(load_org(path))
    return {"teams": len(result.load), "text_chars": len(result.to_text())}


def write_schema(columns: int) -> tuple[Path, Path]:
    """A schema of ``columns`` int64 columns with a check each, and a three-row CSV of them."""
    folder = Path(tempfile.mkdtemp(prefix="bench-schema-"))
    schema = folder / "schema.yaml"
    schema.write_text(
        "schema_type: dataframe\ncolumns:\n"
        + "".join(
            f"  c{i}:\n    dtype: int64\n    nullable: false\n    checks:\n      ge: 0\n"
            for i in range(columns)
        ),
        encoding="utf-8",
    )
    data = folder / "batch.csv"
    header = ",".join(f"c{i}" for i in range(columns))
    rows = "".join(",".join([str(r)] * columns) + "\n" for r in range(3))
    data.write_text(header + "\n" + rows, encoding="utf-8")
    return schema, data


def schema_check(paths: tuple[Path, Path]) -> dict[str, Any]:
    """Timed: read the schema and the CSV, then check the batch against the schema."""
    from mlorg.datacheck import check, read_schema, read_table

    schema_path, data_path = paths
    schema = read_schema(schema_path)
    report = check(read_table(data_path), schema)
    return {"passed": report.passed, "columns": len(schema.columns)}


def per_element(results: Sequence[Result]) -> dict[str, Any]:
    """Microseconds per component and per column at each size, and the ratio full/quarter."""
    sizes = {
        "org 25,000 components": 25_000,
        "org 100,000 components": 100_000,
        "schema 5,000 columns": 5_000,
        "schema 20,000 columns": 20_000,
    }
    times = {r.name: r.seconds / sizes[r.name] * 1e6 for r in results if r.name in sizes}
    out: dict[str, Any] = {f"{name}: µs per element": round(t, 1) for name, t in times.items()}
    for small, large in (
        ("org 25,000 components", "org 100,000 components"),
        ("schema 5,000 columns", "schema 20,000 columns"),
    ):
        if small in times and large in times:
            out[f"{large} / {small}, per element (1 = linear, 4 = quadratic)"] = round(
                times[large] / times[small], 2
            )
    return out


if __name__ == "__main__":
    raise SystemExit(
        main(
            "input_scale",
            [
                Case("org 25,000 components", write_org, org_report, args=(25_000,), repeat=1),
                Case("org 100,000 components", write_org, org_report, args=(COMPONENTS,), repeat=1),
                Case("schema 5,000 columns", write_schema, schema_check, args=(5_000,), repeat=1),
                Case(
                    "schema 20,000 columns", write_schema, schema_check, args=(COLUMNS,), repeat=1
                ),
            ],
            summary=per_element,
        )
    )
