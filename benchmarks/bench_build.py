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

``--only noop,prose`` measures only some scenarios (the rebuilds then start
from one unmeasured build); ``--baseline main`` also measures the book as
committed at a git ref, each repeat of a scenario on it and on this tree in
turn, so that a change is compared with what it changes under the same load:
``nox -s bench-build -- --only noop,prose --baseline main --repeat 5``.
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
sys.path.insert(0, str(REPO))
# (after the line above: tools/ is imported from the repository root)
from tools.worktree import copy_working_tree

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
    #: CPU seconds (user + system) of the build process and the children it
    #: waited for: what the work costs, however busy the machine is.
    cpu_seconds: float | None = None
    seconds_all: list[float] = field(default_factory=list)
    executed_all: list[int] = field(default_factory=list)


def _run(command: list[str], cwd: Path) -> tuple[float, str, float, float]:
    """Run a command; return its wall time, output, peak RSS (MB) of its largest process, CPU s."""
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
    return elapsed, output, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def _copy_repository(dest: Path) -> Path:
    copy_working_tree(REPO, dest)
    return _init_repository(dest)


def _export(ref: str, dest: Path) -> Path:
    """The tree committed at git ref ``ref`` of this repository, copied into ``dest``."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", ref], cwd=REPO, capture_output=True, check=False
    )
    if archive.returncode != 0:
        sys.exit(f"bench-build: error: --baseline {ref}: {archive.stderr.decode().strip()}")
    dest.mkdir(parents=True)
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)
    return _init_repository(dest)


def _init_repository(dest: Path) -> Path:
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


def _row(name: str, runs: list[tuple[float, str, float, float]], with_memory: bool = True) -> Row:
    executed = [len(_EXECUTED.findall(output)) for _, output, _, _ in runs]
    return Row(
        name=name,
        seconds=statistics.median(s for s, _, _, _ in runs),
        executed=statistics.median(executed),
        peak_mb=statistics.median(m for _, _, m, _ in runs) if with_memory else None,
        cpu_seconds=statistics.median(c for _, _, _, c in runs),
        seconds_all=[round(s, 3) for s, _, _, _ in runs],
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
                seconds_all=[round(t, 3) for t in times],
                executed_all=[1] * len(times),
            )
        )
    return rows


#: Every scenario ``--only`` can choose, in the order they run.
SCENARIOS = ("floor", "clean", "notebooks", "noop", "prose", "code", "jupyter-book")
_ROW_NAMES = {
    "clean": "clean build, with execution",
    "floor": "clean build, execution off (floor)",
    "noop": "no-op rebuild",
    "prose": f"rebuild after a prose edit ({PROSE_PAGE})",
    "code": f"rebuild after a code edit ({CODE_PAGE})",
    "jupyter-book": "clean build, Jupyter Book 1.x CLI",
}


def scenarios(value: str) -> list[str]:
    """Parse ``--only``: scenario names separated by commas.

    >>> scenarios("noop, prose")
    ['noop', 'prose']
    >>> scenarios("nope")
    Traceback (most recent call last):
    argparse.ArgumentTypeError: unknown scenario 'nope'; choose from floor, clean, notebooks, noop, prose, code, jupyter-book
    """
    names = [name.strip() for name in value.split(",") if name.strip()]
    for name in names or [value]:
        if name not in SCENARIOS:
            msg = f"unknown scenario {name!r}; choose from {', '.join(SCENARIOS)}"
            raise argparse.ArgumentTypeError(msg)
    return names


class _Tree:
    """One copy of the book, and the runs of each scenario measured on it."""

    def __init__(self, work: Path, label: str) -> None:
        self.work = work
        self.label = label
        self.runs: dict[str, list[tuple[float, str, float, float]]] = {s: [] for s in SCENARIOS}
        self.edits = 0
        #: What the first build that executed notebooks printed (it names them).
        #: Not the floor's output, which runs first and executes none.
        self.first_build = ""

    def build(self, *extra: str, strict: bool = True) -> tuple[float, str, float, float]:
        result = _run(_sphinx(*extra, strict=strict), self.work)
        if not self.first_build and _EXECUTED.search(result[1]):
            self.first_build = result[1]
        return result

    def warm_up(self, cache_from: Path | None = None) -> None:
        """Build the book, not measured, so that a rebuild scenario finds it built.

        ``cache_from``: another copy whose notebook cache this one starts
        from, so the notebooks are not executed once more for it.
        """
        cache = self.work / "_build" / ".jupyter_cache"
        if cache_from is not None and not cache.exists():
            shutil.copytree(cache_from / "_build" / ".jupyter_cache", cache)
        if not (self.work / "_build" / "html" / "index.html").is_file():
            self.build()

    def run(self, scenario: str) -> None:
        """Measure one repeat of ``scenario``."""
        build = self.work / "_build"
        if scenario == "floor":
            shutil.rmtree(build, ignore_errors=True)
            self.runs[scenario].append(self.build("-D", "nb_execution_mode=off", strict=False))
            # What the floor leaves has no outputs: a rebuild scenario needs the real book.
            shutil.rmtree(build / "html", ignore_errors=True)
            return
        if scenario == "clean":
            shutil.rmtree(build, ignore_errors=True)
        elif scenario in ("noop", "prose", "code"):
            self.warm_up()
        if scenario == "prose":
            self.edits += 1
            _edit(
                self.work / PROSE_PAGE,
                "\n## Why it matters\n",
                f"\n## Why it matters\n\nEdit {self.edits}.\n",
            )
        elif scenario == "code":
            self.edits += 1
            _edit(
                self.work / CODE_PAGE,
                "```{code-cell} ipython3\n",
                f"```{{code-cell}} ipython3\n# edit {self.edits}\n",
            )
        if scenario == "jupyter-book":
            self.runs[scenario].append(_jupyter_book(self.work))
        else:
            self.runs[scenario].append(self.build())

    def rows(self) -> dict[str, Row]:
        suffix = f" [{self.label}]" if self.label else ""
        return {
            s: _row(_ROW_NAMES[s] + suffix, runs)
            for s, runs in self.runs.items()
            if runs and s in _ROW_NAMES
        }


def _jupyter_book(work: Path) -> tuple[float, str, float, float]:
    out = work / "_build" / "jupyter-book"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    config = out / "_config.yml"
    subprocess.run(
        [ARGS.jupyter_book_python, "-m", "tools.jupyter_book_config", "book/conf.py", str(config)],
        cwd=work,
        check=True,
        capture_output=True,
    )
    command = [ARGS.jupyter_book, "build", ".", "--config", str(config), "--toc", "_toc.yml"]
    return _run([*command, "--path-output", str(out), "-W", "-n", "--keep-going"], work)


def main() -> int:
    """Measure the chosen scenarios, print the table, write JSON, and check the targets."""
    chosen = [s for s in SCENARIOS if s in ARGS.only]
    if "jupyter-book" in chosen and not ARGS.jupyter_book:
        chosen.remove("jupyter-book")
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        current = _Tree(_copy_repository(Path(tmp) / "repo"), "this tree" if ARGS.baseline else "")
        trees = [current]
        if ARGS.baseline:
            # Side by side: every repeat of a scenario runs on the baseline, then on this tree.
            baseline = _Tree(_export(ARGS.baseline, Path(tmp) / "baseline"), ARGS.baseline)
            trees.insert(0, baseline)
            if "clean" not in chosen:
                current.warm_up()
                baseline.warm_up(cache_from=current.work)
        for _ in range(ARGS.repeat):
            for scenario in chosen:
                if scenario != "notebooks":
                    for tree in trees:
                        tree.run(scenario)
        notebook_rows: list[Row] = []
        if "notebooks" in chosen:
            current.warm_up()
            executed_pages = sorted(set(_EXECUTED.findall(current.first_build)))
            if not executed_pages:
                # A sum of 0 would shrink the clean build's budget to 1.25 x the floor.
                sys.exit("bench-build: no build printed the notebooks it executed")
            notebook_rows = _notebook_times(current.work, executed_pages)

    rows: list[Row] = []
    for tree in trees:
        tree_rows = tree.rows()
        rows += [tree_rows[s] for s in ("clean", "floor") if s in tree_rows]
        if tree is current:
            rows += notebook_rows
        rows += [tree_rows[s] for s in ("noop", "prose", "code", "jupyter-book") if s in tree_rows]
    mine = current.rows()
    total_notebooks = sum(r.seconds for r in notebook_rows)
    checks: dict[str, bool] = {}
    if {"clean", "floor", "notebooks"} <= set(chosen):
        budget = 1.25 * (mine["floor"].seconds + total_notebooks / 2)
        checks[f"clean build <= 1.25 x (floor + notebooks / 2) = {budget:.1f} s"] = (
            mine["clean"].seconds <= budget
        )
    if "noop" in mine:
        checks["no-op rebuild <= 2 s, 0 executed"] = (
            mine["noop"].seconds <= 2 and mine["noop"].executed == 0
        )
    if "prose" in mine:
        checks["prose edit <= 3 s, 0 executed"] = (
            mine["prose"].seconds <= 3 and mine["prose"].executed == 0
        )
    if "code" in mine:
        checks["code edit executes exactly 1"] = mine["code"].executed_all == [1] * ARGS.repeat
    if "clean" in mine and "jupyter-book" in mine:
        checks["Sphinx 9 clean build faster than Jupyter Book 1.x"] = (
            mine["clean"].seconds < mine["jupyter-book"].seconds
        )

    info = machine()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"\nBook build, medians of {ARGS.repeat} runs; {info['cpu']}, {info['cores']} cores, load {load}"
    )
    if ARGS.baseline:
        print(
            f"[{ARGS.baseline}] and [this tree] measured side by side, one repeat of each in turn"
        )
    print(f"{'scenario':68} {'wall s':>8} {'cpu s':>7} {'executed':>9} {'peak MB':>8}")
    for r in rows:
        peak = f"{r.peak_mb:8.0f}" if r.peak_mb is not None else f"{'-':>8}"
        cpu = f"{r.cpu_seconds:7.2f}" if r.cpu_seconds is not None else f"{'-':>7}"
        print(f"{r.name:68} {r.seconds:8.2f} {cpu} {r.executed:9.0f} {peak}")
    if notebook_rows:
        print(f"{'  sum of notebook execution times':68} {total_notebooks:8.2f}")
    print(
        "(wall s is what a contributor waits; on a busy machine it is inflated, while cpu s,\n"
        " the build's own user + system time, is not: for a build that executes nothing,\n"
        " wall s on an idle machine is about cpu s.)"
    )
    print()
    for check, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'}  {check}")
    result: dict[str, Any] = {
        "benchmark": "build",
        "machine": {**info, "load_after": os.getloadavg()},
        "repeat": ARGS.repeat,
        "scenarios": chosen,
        "baseline": ARGS.baseline,
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
        "--only",
        type=scenarios,
        default=list(SCENARIOS),
        metavar="SCENARIO[,...]",
        help=f"measure only these ({', '.join(SCENARIOS)}); a rebuild scenario without"
        " 'clean' builds the book once first, unmeasured",
    )
    parser.add_argument(
        "--baseline",
        metavar="REF",
        help="also measure the book as committed at this git ref (e.g. main), side by side",
    )
    parser.add_argument(
        "--jupyter-book", help="the Jupyter Book 1.x executable (its own environment)"
    )
    parser.add_argument("--jupyter-book-python", help="the Python of that environment")
    ARGS = parser.parse_args()
    sys.exit(main())
