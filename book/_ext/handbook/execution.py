"""Execute the handbook's notebooks in parallel, and fail the build when one fails.

MyST-NB executes a notebook while Sphinx reads it, one after another, and
Sphinx's own parallel read (``-j``) falls back to a serial read once
sphinx-external-toc is loaded. This extension executes, before Sphinx reads
anything, every notebook that is about to be read and has no up-to-date
outputs in the jupyter-cache, in parallel worker processes (one per core by
default). The executed notebooks go into the same cache MyST-NB reads in
``nb_execution_mode = "cache"``, keyed by the notebook's code, so MyST-NB then
finds them there and executes nothing itself:

- a prose edit in a notebook page changes no code, so nothing is executed;
- a code edit changes the key, so exactly that notebook is executed again and
  never served with stale outputs.

A notebook that fails (a cell raises, or runs past ``nb_execution_timeout``)
is reported as MyST-NB reports it, as a warning with the notebook, the cell
and its traceback; MyST-NB is told not to execute it a second time in the
same build; and at the end of the build every failed notebook is named and
the exit status is non-zero, also without ``-W`` (for example under the
Jupyter Book 1.x command line). A failed notebook is read and executed again
on every build until it passes. (MyST-NB's own ``nb_execution_raise_on_error``
aborts with Sphinx's crash report, which misleads contributors.)

Kernels talk to the build over IPC (local sockets) rather than TCP: nothing
leaves the machine, and ipykernel 7 has no reason for its "Kernel is running
over TCP without encryption" warning.

Enable it in ``conf.py`` with ``extensions = [..., "handbook.execution"]``;
``handbook_execution_workers`` (default: the number of usable cores) caps the
worker processes.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import tempfile
import time
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import nbformat
from myst_nb.core.read import create_nb_reader
from myst_nb.sphinx_ import NbMetadataCollector
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

__all__ = ["execute_notebook", "failed_notebooks", "setup"]

_logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """What executing one notebook gave: the executed notebook, or its error."""

    notebook: str
    seconds: float
    error: str | None = None
    traceback: str | None = None


def execute_notebook(notebook: str, cwd: str, timeout: int, allow_errors: bool) -> Outcome:
    """Execute a notebook (nbformat JSON) in ``cwd``; runs in a worker process.

    The kernel is started with the IPC transport, so its channels are local
    sockets. Per-notebook ``execution.timeout`` / ``execution.allow_errors``
    metadata wins over the arguments, as in MyST-NB.
    """
    from jupyter_cache.executors.utils import single_nb_execution
    from traitlets.config import Config

    nb = nbformat.reads(notebook, as_version=4)
    # The socket paths must be absolute: the kernel runs in the notebook's
    # folder, this process elsewhere. nbclient owns (and so shuts down) the
    # kernel manager it creates from this configuration.
    with tempfile.TemporaryDirectory(prefix="handbook-kernel-") as sockets:
        ipc = {"transport": "ipc", "ip": str(Path(sockets) / "kernel")}
        result = single_nb_execution(
            nb,
            cwd=cwd,
            timeout=timeout,
            allow_errors=allow_errors,
            meta_override=True,
            config=Config({"KernelManager": ipc}),
        )
    if result.err is not None:
        return Outcome(notebook, result.time, type(result.err).__name__, result.exc_string)
    return Outcome(nbformat.writes(result.nb), result.time)


def _workers(app: Sphinx, jobs: int) -> int:
    configured = int(app.config.handbook_execution_workers or 0)
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(jobs, configured or cores))


def _failures(env: BuildEnvironment) -> dict[str, str]:
    """Failed notebooks of this and earlier builds, ``{docname: error}``, kept in the env."""
    if not hasattr(env, "handbook_failed_notebooks"):
        env.handbook_failed_notebooks = {}
    return env.handbook_failed_notebooks


def _execute_ahead(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """Execute, in parallel, the notebooks about to be read whose outputs are not cached."""
    nb_config = env.mystnb_config
    if nb_config.execution_mode != "cache":
        return  # "force", "auto" and "inline" execute inside MyST-NB, as configured
    # Opened at the first notebook: jupyter-cache imports SQLAlchemy, which a
    # rebuild that reads no notebook (a prose edit, a no-op) does not need.
    cache: Any = None
    pending: dict[str, tuple[Path, Any, dict[str, Any] | None]] = {}
    for docname in docnames:
        path = Path(env.doc2path(docname))
        # The text as Sphinx will read it: source-read handlers (such as
        # handbook.freshness quoting a bare review date) run on it first.
        source = [path.read_text(encoding="utf-8")]
        app.events.emit("source-read", docname, source)
        text = source[0]
        reader = create_nb_reader(str(path), env.myst_config, nb_config, text)
        if reader is None:
            continue  # a plain Markdown page
        notebook = reader.read(text)
        overrides = notebook.metadata.get(nb_config.metadata_key, {})
        if overrides.get("execution_mode", "cache") != "cache":
            continue
        posix = PurePosixPath(path.as_posix())
        if any(posix.match(pattern) for pattern in nb_config.execution_excludepatterns):
            continue
        if cache is None:
            from jupyter_cache import get_cache

            cache = get_cache(nb_config.execution_cache_path)
        with suppress(KeyError):
            cache.match_cache_notebook(notebook)
            continue  # outputs for exactly this code are cached
        pending[docname] = (path, notebook, reader.read_fmt)
    if not pending:
        return

    workers = _workers(app, len(pending))
    _logger.info(
        "Executing %d notebook(s) in %d worker process(es): %s",
        len(pending),
        workers,
        ", ".join(sorted(pending)),
    )
    from jupyter_cache.base import CacheBundleIn

    failed = _failures(env)
    skip: list[str] = []
    start = time.perf_counter()
    # "spawn": the build process holds threads and sockets that a fork would copy.
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(workers, mp_context=context) as pool:
        futures = {
            pool.submit(
                execute_notebook,
                nbformat.writes(notebook),
                str(path.parent),
                nb_config.execution_timeout,
                nb_config.execution_allow_errors,
            ): docname
            for docname, (path, notebook, _) in pending.items()
        }
        for future in concurrent.futures.as_completed(futures):
            docname = futures[future]
            path, notebook, read_fmt = pending[docname]
            outcome = future.result()
            if outcome.error is None:
                failed.pop(docname, None)
                record = (
                    cache.add_nb_to_project(str(path), read_data=read_fmt)
                    if read_fmt is not None
                    else cache.add_nb_to_project(str(path))
                )
                cache.cache_notebook_bundle(
                    CacheBundleIn(
                        nbformat.reads(outcome.notebook, as_version=4),
                        record.uri,
                        data={"execution_seconds": outcome.seconds},
                    ),
                    check_validity=False,
                    overwrite=True,
                )
                _logger.info("Executed %s in %.1f s", docname, outcome.seconds)
                continue
            failed[docname] = outcome.error
            skip.append(str(PurePosixPath(path.as_posix())))
            message = f"Executing notebook failed: {outcome.error}"
            if nb_config.execution_show_tb and outcome.traceback:
                message += f"\n{outcome.traceback}"
            _logger.warning(message, location=docname, type="mystnb", subtype="exec")
    _logger.info("Executed %d notebook(s) in %.1f s", len(pending), time.perf_counter() - start)
    if skip:
        # Do not let MyST-NB execute the failed ones again while reading them.
        env.mystnb_config = nb_config.copy(
            execution_excludepatterns=[*nb_config.execution_excludepatterns, *skip]
        )


def _write_executed_notebook(app: Sphinx, doctree: Any) -> None:  # noqa: ARG001
    """Give the executed ``.ipynb`` MyST-NB writes for a page its cached outputs.

    On a cache hit MyST-NB renders the cached outputs but writes the notebook
    as read, without them, to ``jupyter_execute/`` (the file readers download);
    since every notebook now reaches MyST-NB through the cache, merge the
    outputs into that file here.
    """
    from jupyter_cache import get_cache

    nb_config = app.env.mystnb_config
    if nb_config.execution_mode != "cache":
        return
    written = Path(nb_config.output_folder) / f"{app.env.docname}.ipynb"
    if not written.is_file():
        return
    notebook = nbformat.reads(written.read_text(encoding="utf-8"), as_version=4)
    try:
        _, merged = get_cache(nb_config.execution_cache_path).merge_match_into_notebook(notebook)
    except KeyError:
        return  # not executed (excluded, failed, or another mode for this page)
    written.write_text(nbformat.writes(merged), encoding="utf-8")


def _forget(app: Sphinx, env: BuildEnvironment, docname: str) -> None:  # noqa: ARG001
    """A page about to be read again sheds its old failure (it is retried)."""
    if docname not in env.found_docs:
        _failures(env).pop(docname, None)


def _retry_failed(
    app: Sphinx,  # noqa: ARG001
    env: BuildEnvironment,
    added: set[str],  # noqa: ARG001
    changed: set[str],
    removed: set[str],  # noqa: ARG001
) -> list[str]:
    """Read (and so execute) every notebook that failed before, changed or not."""
    return [docname for docname in _failures(env) if docname not in changed]


def failed_notebooks(app: Sphinx) -> list[str]:
    """Return the source paths of the notebooks whose execution failed, sorted."""
    failed = set(_failures(app.env))
    for docname, data in NbMetadataCollector.get_doc_data(app.env).items():
        exec_data = data.get("exec_data") or {}
        if exec_data.get("succeeded") is False:
            failed.add(docname)
    return sorted(str(app.env.doc2path(docname, base=False)) for docname in failed)


def _fail_on_failed_notebooks(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None:
        return
    failed = failed_notebooks(app)
    if failed:
        _logger.error(
            "%d example notebook(s) failed to execute: %s (the failing cell and its traceback are printed above)",
            len(failed),
            ", ".join(failed),
            type="mlorg",
            subtype="execution",
        )
        app.statuscode = 1


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the parallel execution and the check with Sphinx."""
    app.setup_extension("myst_nb")
    app.add_config_value("handbook_execution_workers", 0, "", types=[int])
    app.connect("env-get-outdated", _retry_failed)
    app.connect("env-purge-doc", _forget)
    app.connect("env-before-read-docs", _execute_ahead)
    app.connect("doctree-read", _write_executed_notebook)
    app.connect("build-finished", _fail_on_failed_notebooks)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
