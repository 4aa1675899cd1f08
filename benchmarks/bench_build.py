"""Book-build benchmark: how long a contributor waits, and how much is executed.

Run with ``nox -s bench-build`` (environments already installed; it copies
the repository into a temporary folder, so the working tree is never edited).
Each row is the median of ``--repeat`` runs (default 3) of one scenario:

- clean build with execution (no ``_build``, no notebook cache);
- the same build with execution off (``-D nb_execution_mode=off``): the floor;
- each notebook's own execution time, executed alone, one after another;
- no-op rebuild; rebuild after a prose edit in a chapter; rebuild after a
  code edit in one notebook;
- the same clean build with the Jupyter Book 1.x command line (if its
  executable is given with ``--jupyter-book``).

Each row has the wall time, the notebooks the build executed (counted from
``handbook.execution``'s "Executed <page> in <s> s" lines) and the peak
resident memory of the largest process of the build (``wait4``'s
``ru_maxrss``: the largest single process, kernels included, not the sum of
all processes). The targets, from the issue that introduced parallel
execution:

- clean build <= 1.25 x (floor + sum of notebook execution times / 2) on 2 cores;
- no-op rebuild <= 2 s and 0 notebooks executed;
- prose edit <= 3 s and 0 executed; a notebook code edit executes exactly 1;
- the Sphinx 9 clean build faster than the Jupyter Book 1.x CLI's.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from _harness import machine

REPO = Path(__file__).resolve().parent.parent
_EXECUTED = re.compile(r"^Executed (\S+) in [0-9.]+ s$", re.MULTILINE)
PROSE_PAGE = "book/team.md"
CODE_PAGE = "examples/org-graph.md"


@dataclass
class Row:
    """One scenario: medians over the repeats, and every repeat's seconds."""

    name: str
    seconds: float
    executed: float
    peak_mb: float | None
    seconds_all: list[float] = field(default_factory=list)
    executed_all: list[int] = field(default_factory=list)


def _run(command: list[str], cwd: Path) -> tuple[float, str, float]:
    """Run a command; return its wall time, output and peak RSS (MB) of its largest process."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        output = out.read().decode("utf-8", "replace")
    if process.returncode != 0:
        sys.exit(f"bench-build: {' '.join(command)} failed:\n{output[-3000:]}")
    return elapsed, output, usage.ru_maxrss / 1024


def _copy_repository(dest: Path) -> Path:
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for name in files:
        source = REPO / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    # sphinx-last-updated-by-git wants a repository; one commit is enough.
    git = ["git", "-c", "user.email=bench@example.org", "-c", "user.name=bench"]
    subprocess.run([*git, "init", "-q"], cwd=dest, check=True)
    subprocess.run([*git, "add", "-A"], cwd=dest, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "bench"], cwd=dest, check=True)
    return dest


def _sphinx(*extra: str, strict: bool = True) -> list[str]:
    # Without execution, figure labels made by code cells are undefined: the
    # floor build warns about them, so it runs without -W.
    flags = ["-W", "-n", "--keep-going", "-T"] if strict else ["-n", "--keep-going", "-T"]
    return [
        sys.executable,
        "-m",
        "sphinx",
        "-b",
        "html",
        *flags,
        "-c",
        "book",
        ".",
        "_build/html",
        *extra,
    ]


def _row(name: str, runs: list[tuple[float, str, float]], with_memory: bool = True) -> Row:
    executed = [len(_EXECUTED.findall(output)) for _, output, _ in runs]
    return Row(
        name=name,
        seconds=statistics.median(s for s, _, _ in runs),
        executed=statistics.median(executed),
        peak_mb=statistics.median(m for _, _, m in runs) if with_memory else None,
        seconds_all=[round(s, 3) for s, _, _ in runs],
        executed_all=executed,
    )


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    if old not in text:
        sys.exit(f"bench-build: cannot find {old!r} in {path}")
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _notebook_times(work: Path, pages: list[str]) -> list[Row]:
    """Execute each notebook alone, one after another, as the build's workers do."""
    sys.path.insert(0, str(work / "book" / "_ext"))
    from myst_nb.core.config import NbParserConfig
    from myst_nb.core.read import create_nb_reader
    from myst_parser.config.main import MdParserConfig

    from handbook.execution import execute_notebook

    extensions = {"colon_fence", "dollarmath", "deflist", "attrs_block", "attrs_inline"}
    md_config = MdParserConfig(enable_extensions=extensions | {"fieldlist", "substitution"})
    nb_config = NbParserConfig()
    rows = []
    for page in pages:
        path = work / f"{page}.md"
        text = path.read_text(encoding="utf-8")
        reader = create_nb_reader(str(path), md_config, nb_config, text)
        if reader is None:
            continue
        import nbformat

        notebook = nbformat.writes(reader.read(text))
        times = []
        for _ in range(ARGS.repeat):
            outcome = execute_notebook(notebook, str(path.parent), 300, False)
            if outcome.error:
                sys.exit(f"bench-build: {page} failed: {outcome.error}")
            times.append(outcome.seconds)
        rows.append(
            Row(
                f"  execute {page} alone",
                statistics.median(times),
                1,
                None,
                [round(t, 3) for t in times],
                [1] * len(times),
            )
        )
    return rows


def main() -> int:
    """Measure every scenario, print the table, write JSON, and check the targets."""
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        work = _copy_repository(Path(tmp) / "repo")
        build = work / "_build"

        clean, floor, noop, prose, code = [], [], [], [], []
        for i in range(ARGS.repeat):
            shutil.rmtree(build, ignore_errors=True)
            floor.append(_run(_sphinx("-D", "nb_execution_mode=off", strict=False), work))
            shutil.rmtree(build, ignore_errors=True)
            clean.append(_run(_sphinx(), work))
            noop.append(_run(_sphinx(), work))
            _edit(work / PROSE_PAGE, "\n## Why it matters\n", f"\n## Why it matters\n\nEdit {i}.\n")
            prose.append(_run(_sphinx(), work))
            _edit(
                work / CODE_PAGE,
                "```{code-cell} ipython3\n",
                f"```{{code-cell}} ipython3\n# edit {i}\n",
            )
            code.append(_run(_sphinx(), work))
        executed_pages = sorted(set(_EXECUTED.findall(clean[0][1])))
        rows = [
            _row("clean build, with execution", clean),
            _row("clean build, execution off (floor)", floor),
        ]
        notebook_rows = _notebook_times(work, executed_pages)
        rows += notebook_rows
        rows += [
            _row("no-op rebuild", noop),
            _row(f"rebuild after a prose edit ({PROSE_PAGE})", prose),
            _row(f"rebuild after a code edit ({CODE_PAGE})", code),
        ]
        jb_row = None
        if ARGS.jupyter_book:
            jb_runs = []
            out = work / "_build" / "jupyter-book"
            for _ in range(ARGS.repeat):
                shutil.rmtree(out, ignore_errors=True)
                out.mkdir(parents=True)
                config = out / "_config.yml"
                subprocess.run(
                    [
                        ARGS.jupyter_book_python,
                        "-m",
                        "tools.jupyter_book_config",
                        "book/conf.py",
                        str(config),
                    ],
                    cwd=work,
                    check=True,
                    capture_output=True,
                )
                command = [
                    ARGS.jupyter_book,
                    "build",
                    ".",
                    "--config",
                    str(config),
                    "--toc",
                    "_toc.yml",
                ]
                jb_runs.append(
                    _run([*command, "--path-output", str(out), "-W", "-n", "--keep-going"], work)
                )
            jb_row = _row("clean build, Jupyter Book 1.x CLI", jb_runs)
            rows.append(jb_row)

    total_notebooks = sum(r.seconds for r in notebook_rows)
    budget = 1.25 * (rows[1].seconds + total_notebooks / 2)
    by_name = {r.name: r for r in rows}
    noop_row = by_name["no-op rebuild"]
    prose_row = by_name[f"rebuild after a prose edit ({PROSE_PAGE})"]
    code_row = by_name[f"rebuild after a code edit ({CODE_PAGE})"]
    checks = {
        f"clean build <= 1.25 x (floor + notebooks / 2) = {budget:.1f} s": rows[0].seconds
        <= budget,
        "no-op rebuild <= 2 s, 0 executed": noop_row.seconds <= 2 and noop_row.executed == 0,
        "prose edit <= 3 s, 0 executed": prose_row.seconds <= 3 and prose_row.executed == 0,
        "code edit executes exactly 1": code_row.executed_all == [1] * ARGS.repeat,
    }
    if jb_row:
        checks["Sphinx 9 clean build faster than Jupyter Book 1.x"] = (
            rows[0].seconds < jb_row.seconds
        )

    info = machine()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"\nBook build, medians of {ARGS.repeat} runs; {info['cpu']}, {info['cores']} cores, load {load}"
    )
    print(f"{'scenario':58} {'wall s':>8} {'executed':>9} {'peak MB':>8}")
    for r in rows:
        peak = f"{r.peak_mb:8.0f}" if r.peak_mb is not None else f"{'-':>8}"
        print(f"{r.name:58} {r.seconds:8.2f} {r.executed:9.0f} {peak}")
    print(f"{'  sum of notebook execution times':58} {total_notebooks:8.2f}")
    print()
    for check, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'}  {check}")
    result: dict[str, Any] = {
        "benchmark": "build",
        "machine": {**info, "load_after": os.getloadavg()},
        "repeat": ARGS.repeat,
        "rows": [asdict(r) for r in rows],
        "sum_notebook_seconds": total_notebooks,
        "checks": checks,
    }
    ARGS.json.parent.mkdir(parents=True, exist_ok=True)
    ARGS.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(f"\nwrote {ARGS.json}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--json", type=Path, default=REPO / "benchmarks" / "results" / "build.json")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--jupyter-book", help="the Jupyter Book 1.x executable (its own environment)"
    )
    parser.add_argument("--jupyter-book-python", help="the Python of that environment")
    ARGS = parser.parse_args()
    sys.exit(main())
