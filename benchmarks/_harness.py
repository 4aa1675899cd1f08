"""Shared harness for the handbook's benchmarks (run them with ``nox -s bench``).

Each case runs in a fresh, spawned process so that its peak memory is its
own: the harness records the process's peak resident set size (``ru_maxrss``)
after building the inputs and after the timed call, and the best wall time
of ``repeat`` calls. Results print as a table and are written as JSON with a
description of the machine, so figures are always reported with where they
were measured.

A benchmark script defines module-level ``setup`` and ``run`` functions per
case (they must be importable, since the case runs in another process)::

    from _harness import Case, main

    def make_data(n): ...
    def validate(data): ...

    if __name__ == "__main__":
        main("datacheck", [Case("validate 1M rows", make_data, validate, args=(1_000_000,))])
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from queue import Empty
from typing import Any

__all__ = ["Case", "Result", "baseline_source", "machine", "main", "measure"]


@dataclass(frozen=True)
class Case:
    """One measurement: ``run(setup(*args))`` timed, ``setup`` not.

    ``limits`` are the targets the handbook promises, e.g.
    ``{"seconds": 5.0, "peak_mb": 1536}``; a result above a limit is marked.
    ``statistic`` says which of the ``repeat`` wall times is reported and
    checked: the best (default) or the median, for a figure a user would
    see on a typical call rather than on the luckiest one.
    """

    name: str
    setup: Callable[..., Any]
    run: Callable[[Any], Any]
    args: tuple[Any, ...] = ()
    repeat: int = 3
    limits: dict[str, float] = field(default_factory=dict)
    statistic: str = "best"
    #: A folder put first on the case's ``sys.path``: e.g. another revision's
    #: ``src``, whose ``mlorg`` the case then imports (before and after, side by side).
    import_first: str | None = None


@dataclass(frozen=True)
class Result:
    """What one case measured."""

    name: str
    seconds: float
    seconds_all: list[float]
    peak_mb: float
    inputs_mb: float
    limits: dict[str, float]
    within_limits: bool
    statistic: str
    info: dict[str, Any]


def _maxrss_mb() -> float:
    # ru_maxrss is in KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(case: Case, queue: Any) -> None:
    data = case.setup(*case.args)
    inputs_mb = _maxrss_mb()
    times = []
    info: Any = None
    for _ in range(case.repeat):
        start = time.perf_counter()
        info = case.run(data)
        times.append(time.perf_counter() - start)
    queue.put((times, inputs_mb, _maxrss_mb(), info if isinstance(info, dict) else {}))


def measure(case: Case) -> Result:
    """Run ``case`` in a fresh process and return what it measured.

    Raises:
        RuntimeError: if the case's process fails (its traceback is on stderr).
    """
    context = mp.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_child, args=(case, queue))
    # A spawned process starts with this process's sys.path (multiprocessing
    # sends it along), so the folder goes first here, while it starts.
    saved = list(sys.path)
    if case.import_first is not None:
        sys.path.insert(0, case.import_first)
    try:
        process.start()
    finally:
        sys.path[:] = saved
    while True:
        try:
            times, inputs_mb, peak_mb, info = queue.get(timeout=1)
            break
        except Empty:
            if not process.is_alive():  # crashed before reporting: don't wait forever
                process.join()
                msg = f"benchmark case {case.name!r} failed with exit code {process.exitcode}"
                raise RuntimeError(msg) from None
    process.join()
    best = statistics.median(times) if case.statistic == "median" else min(times)
    observed = {"seconds": best, "peak_mb": peak_mb}
    within = all(observed[key] <= limit for key, limit in case.limits.items() if key in observed)
    return Result(
        name=case.name,
        seconds=best,
        seconds_all=times,
        peak_mb=peak_mb,
        inputs_mb=inputs_mb,
        limits=case.limits,
        within_limits=within,
        statistic=case.statistic,
        info=info,
    )


def baseline_source(revision: str, folder: Path, root: Path) -> str:
    """Unpack ``src/mlorg`` of a git revision of ``root`` into ``folder``; return the folder to import it from."""
    archive = subprocess.run(
        ["git", "-C", str(root), "archive", revision, "src/mlorg"],
        capture_output=True,
        check=True,
    )
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return str(folder / "src")


def machine() -> dict[str, Any]:
    """Describe the machine the figures come from."""
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    meminfo = Path("/proc/meminfo")
    memory_gb = None
    if meminfo.exists():
        first = meminfo.read_text(encoding="utf-8").splitlines()[0]
        memory_gb = round(int(first.split()[1]) / 1024**2, 1)
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": memory_gb,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
    }


def _table(results: Sequence[Result]) -> str:
    rows = [("case", "wall s", "peak MB", "inputs MB", "limits", "ok")]
    for r in results:
        limits = ", ".join(f"{k} ≤ {v:g}" for k, v in r.limits.items()) or "-"
        rows.append(
            (
                r.name,
                f"{r.seconds:.3f} ({r.statistic} of {len(r.seconds_all)})",
                f"{r.peak_mb:.0f}",
                f"{r.inputs_mb:.0f}",
                limits,
                "yes" if r.within_limits else "NO",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(
    benchmark: str,
    cases: Sequence[Case],
    summary: Callable[[Sequence[Result]], dict[str, Any]] | None = None,
) -> int:
    """Measure ``cases``, print a table, write JSON; exit 1 if a limit is exceeded.

    ``summary`` may derive figures from the results (such as a ratio between
    two cases); they are printed and stored in the JSON too.
    """
    parser = argparse.ArgumentParser(description=f"{benchmark} benchmark")
    parser.add_argument("--json", type=Path, help="write the results to this file")
    args = parser.parse_args()
    host = machine()
    print(
        f"{benchmark}: {host['cores']} cores, {host['cpu']}, {host['memory_gb']} GB, Python {host['python']}"
    )
    results = [measure(case) for case in cases]
    print(_table(results))
    extra = summary(results) if summary else {}
    for key, value in extra.items():
        if isinstance(value, list) and all(isinstance(line, str) for line in value):
            print(f"{key}:", *value, sep="\n")  # a table's lines
        else:
            print(f"{key}: {value}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "benchmark": benchmark,
            "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": host,
            "results": [asdict(r) for r in results],
            "summary": extra,
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {args.json}")
    ok = all(r.within_limits for r in results) and extra.get("within_limits", True)
    return 0 if ok else 1
