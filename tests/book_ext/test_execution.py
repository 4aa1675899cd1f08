"""handbook.execution (book/_ext): a failing or hanging example notebook stops the build and is named."""

from __future__ import annotations

import time

import pytest

pytestmark = pytest.mark.book


def test_failing_cell_fails_the_build_and_names_the_notebook(
    throwaway_book, sphinx_build, notebook_header, tmp_path
):
    src = throwaway_book(
        {
            "examples/broken.md": notebook_header
            + "# Broken\n\n```{code-cell} ipython3\nraise RuntimeError('deliberately broken example')\n```\n"
        }
    )
    build = sphinx_build(src, tmp_path / "_build")
    assert build.returncode != 0
    assert "examples/broken.md" in build.output
    assert "RuntimeError" in build.output  # the traceback is shown
    assert "deliberately broken example" in build.output


def test_failing_cell_fails_even_without_warnings_as_errors(
    throwaway_book, sphinx_build, notebook_header, tmp_path
):
    src = throwaway_book(
        {
            "examples/broken.md": notebook_header
            + "# Broken\n\n```{code-cell} ipython3\n1 / 0\n```\n"
        }
    )
    build = sphinx_build(src, tmp_path / "_build", strict=False)
    assert build.returncode != 0
    assert "1 example notebook(s) failed to execute: examples/broken.md" in build.output


def test_cell_tagged_raises_exception_is_allowed(
    throwaway_book, sphinx_build, notebook_header, tmp_path
):
    src = throwaway_book(
        {
            "examples/expected.md": notebook_header
            + "# Expected failure\n\n```{code-cell} ipython3\n:tags: [raises-exception]\n1 / 0\n```\n"
        }
    )
    build = sphinx_build(src, tmp_path / "_build")
    assert build.returncode == 0, build.output
    assert "ZeroDivisionError" in (build.outdir / "examples" / "expected.html").read_text(
        encoding="utf-8"
    )


def test_hanging_cell_fails_after_the_timeout(
    throwaway_book, sphinx_build, notebook_header, tmp_path
):
    src = throwaway_book(
        {
            "examples/hang.md": notebook_header
            + "# Hang\n\n```{code-cell} ipython3\nimport time\ntime.sleep(600)\n```\n"
        }
    )
    start = time.monotonic()
    build = sphinx_build(src, tmp_path / "_build", "-D", "nb_execution_timeout=3")
    elapsed = time.monotonic() - start
    assert build.returncode != 0
    assert "CellTimeoutError" in build.output
    assert "examples/hang.md" in build.output
    assert elapsed < 120, f"the build took {elapsed:.0f} s: the timeout did not stop the cell"
