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


def _executed(build) -> list[str]:
    """The notebooks a build executed, from handbook.execution's own log lines."""
    return sorted(
        line.split("Executed ", 1)[1].split(" in ", 1)[0]
        for line in build.output.splitlines()
        if line.startswith("Executed ") and not line.startswith("Executed 0")
        if "notebook(s)" not in line
    )


def _cell(code: str) -> str:
    return f"```{{code-cell}} ipython3\n{code}\n```\n"


def test_parallel_execution_runs_only_what_changed(
    throwaway_book, sphinx_build, notebook_header, tmp_path
):
    pages = {
        "examples/one.md": notebook_header + "# One\n\nSome prose.\n\n" + _cell("print('one')"),
        "examples/two.md": notebook_header + "# Two\n\n" + _cell("print('two')"),
        "pages/prose.md": "# Prose\n\nNo code here.\n",
    }
    src = throwaway_book(pages)
    builddir = tmp_path / "_build"

    first = sphinx_build(src, builddir)
    assert first.returncode == 0, first.output
    assert _executed(first) == ["examples/one", "examples/two"]
    assert "in 2 worker process(es)" in first.output
    assert "two" in (first.outdir / "examples" / "two.html").read_text(encoding="utf-8")

    # A prose edit in a notebook page and in a plain page: read again, nothing executed.
    (src / "examples/one.md").write_text(
        pages["examples/one.md"].replace("Some prose.", "Better prose."), encoding="utf-8"
    )
    (src / "pages/prose.md").write_text("# Prose\n\nStill no code.\n", encoding="utf-8")
    prose = sphinx_build(src, builddir)
    assert prose.returncode == 0, prose.output
    assert "Better prose." in (prose.outdir / "examples" / "one.html").read_text(encoding="utf-8")
    assert _executed(prose) == []
    assert "Executing" not in prose.output

    # A code edit: exactly that notebook runs again, and its new output is served.
    (src / "examples/two.md").write_text(
        notebook_header + "# Two\n\n" + _cell("print('two, changed')"), encoding="utf-8"
    )
    code = sphinx_build(src, builddir)
    assert code.returncode == 0, code.output
    assert _executed(code) == ["examples/two"]
    assert "two, changed" in (code.outdir / "examples" / "two.html").read_text(encoding="utf-8")

    # Nothing changed: nothing read, nothing executed.
    again = sphinx_build(src, builddir)
    assert again.returncode == 0, again.output
    assert _executed(again) == []


def test_a_failed_notebook_fails_every_build_until_fixed(
    throwaway_book, sphinx_build, notebook_header, tmp_path
):
    src = throwaway_book(
        {
            "examples/ok.md": notebook_header + "# OK\n\n" + _cell("print('fine')"),
            "examples/broken.md": notebook_header + "# Broken\n\n" + _cell("1 / 0"),
        }
    )
    builddir = tmp_path / "_build"
    first = sphinx_build(src, builddir, strict=False)
    assert first.returncode != 0
    assert "1 example notebook(s) failed to execute: examples/broken.md" in first.output
    # executed once, in parallel, and not a second time by MyST-NB while reading
    assert first.output.count("Executing notebook failed") == 1

    # Unchanged, it is retried, and fails again; the good one is not executed again.
    second = sphinx_build(src, builddir, strict=False)
    assert second.returncode != 0
    assert "examples/broken.md" in second.output
    assert "Executing 1 notebook(s)" in second.output
    assert "examples/ok" not in _executed(second)

    (src / "examples/broken.md").write_text(
        notebook_header + "# Broken\n\n" + _cell("1 / 1"), encoding="utf-8"
    )
    fixed = sphinx_build(src, builddir, strict=False)
    assert fixed.returncode == 0, fixed.output
    assert _executed(fixed) == ["examples/broken"]


def test_kernels_talk_over_ipc_and_the_build_prints_no_kernel_warning(
    throwaway_book, sphinx_build, notebook_header, tmp_path
):
    src = throwaway_book(
        {
            "examples/transport.md": notebook_header
            + "# Transport\n\n"
            + _cell(
                "from ipykernel.kernelapp import IPKernelApp\n"
                "print('transport:', IPKernelApp.instance().transport)"
            )
        }
    )
    build = sphinx_build(src, tmp_path / "_build")
    assert build.returncode == 0, build.output
    page = (build.outdir / "examples" / "transport.html").read_text(encoding="utf-8")
    assert "transport: ipc" in page
    assert "IPKernelApp" not in build.output.replace(
        "from ipykernel.kernelapp import IPKernelApp", ""
    )
    assert "WARNING" not in build.output
