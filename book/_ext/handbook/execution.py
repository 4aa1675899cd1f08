"""Fail the handbook's build when an example notebook failed to execute.

MyST-NB reports a failing notebook as a warning, with the cell and its
traceback; ``-W`` then fails the build. Its alternative,
``nb_execution_raise_on_error``, aborts the build with Sphinx's crash report
("please open an issue at Sphinx"), which misleads contributors. This
extension keeps MyST-NB's readable warning and, at the end of the build,
names every failed notebook and sets a non-zero exit status, so a broken
example fails the build also without ``-W`` (for example under the Jupyter
Book 1.x command line).

Enable it in ``conf.py`` with ``extensions = [..., "mlorg.sphinxext.execution"]``.
"""

from __future__ import annotations

from typing import Any

from myst_nb.sphinx_ import NbMetadataCollector
from sphinx.application import Sphinx
from sphinx.util import logging

__all__ = ["failed_notebooks", "setup"]

_logger = logging.getLogger(__name__)


def failed_notebooks(app: Sphinx) -> list[str]:
    """Return the source paths of the notebooks whose execution failed, sorted."""
    failed = []
    for docname, data in NbMetadataCollector.get_doc_data(app.env).items():
        exec_data = data.get("exec_data") or {}
        if exec_data.get("succeeded") is False:
            failed.append(str(app.env.doc2path(docname, base=False)))
    return sorted(failed)


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
    """Register the check with Sphinx."""
    app.setup_extension("myst_nb")
    app.connect("build-finished", _fail_on_failed_notebooks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
