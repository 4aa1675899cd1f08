"""Export the handbook's example notebooks as ``.ipynb`` for Colab.

Colab only opens ``.ipynb`` files from GitHub, so the deploy workflow
publishes the MyST Markdown examples as ``.ipynb``, with their data files, to
the ``notebooks`` branch, where the book's Colab button
(``book/_ext/handbook/colab.py``) points. ``nox -s notebooks`` writes that
branch's content::

    python -m tools.export_notebooks examples OUT

Each exported notebook starts with a cell that installs ``mlorg[examples]``
from the repository, at the tag or commit being exported, when it is missing
(on Colab), so the notebook runs as in the book.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from mlorg._common import project_url

__all__ = ["export_notebooks", "install_cell_source", "main", "source_ref"]


def install_cell_source(repository_url: str, ref: str) -> str:
    """Return the code of the cell that installs ``mlorg`` where it is missing.

    It installs the toolkit at ``ref``, the tag or commit the page was built
    from, with the ``examples`` extra (everything the notebooks import), so
    a notebook opened from an older version's page runs with that version's code.

    >>> print(install_cell_source("https://github.com/org/handbook", "v0.1.0"))
    # On Colab: install the handbook's toolkit first (the handbook's own build has it).
    import importlib.util
    if importlib.util.find_spec("mlorg") is None:
        %pip install --quiet "mlorg[examples] @ git+https://github.com/org/handbook@v0.1.0"
    """
    return (
        "# On Colab: install the handbook's toolkit first (the handbook's own build has it).\n"
        "import importlib.util\n"
        'if importlib.util.find_spec("mlorg") is None:\n'
        f'    %pip install --quiet "mlorg[examples] @ git+{repository_url}@{ref}"'
    )


def source_ref(repo: Path) -> str:
    """Return the release tag of ``repo``'s checkout, else its commit, else ``v<version>``.

    The tag when the checkout is a release (``vX.Y.Z``), as the deploy
    workflow builds releases; the commit otherwise (``main`` moves on, the
    commit does not); ``v`` + the package version outside a git checkout.
    """
    for command in (
        ["git", "describe", "--tags", "--exact-match", "--match", "v*.*.*", "HEAD"],
        ["git", "rev-parse", "--verify", "HEAD"],
    ):
        result = subprocess.run(command, cwd=repo, capture_output=True, text=True, check=False)
        if result.returncode == 0 and result.stdout.strip():
            return result.stdout.strip()
    return "v" + importlib.metadata.version("mlorg")


def export_notebooks(source: Path, out: Path, repository_url: str, ref: str) -> list[Path]:
    """Write every MyST notebook in ``source`` as ``.ipynb`` into ``out``, with its data files.

    Markdown pages that are not notebooks are skipped; other files (data,
    schemas) are copied so the notebooks find them next to them.
    """
    import nbformat
    from myst_nb.core.read import is_myst_markdown_notebook, read_myst_markdown_notebook

    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted(source.rglob("*")):
        if not path.is_file() or any(
            part.startswith((".", "_")) for part in path.relative_to(source).parts
        ):
            continue
        target = out / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix != ".md":
            shutil.copy2(path, target)
            continue
        text = path.read_text(encoding="utf-8")
        if not is_myst_markdown_notebook(text):
            continue
        notebook = read_myst_markdown_notebook(text, path=str(path))
        # nbformat is typed but its constructors are not annotated.
        install = nbformat.v4.new_code_cell(install_cell_source(repository_url, ref))
        install.metadata["tags"] = ["remove-cell"]
        notebook.cells.insert(0, install)
        notebook.metadata.pop("jupytext", None)
        ipynb = target.with_suffix(".ipynb")
        nbformat.write(notebook, str(ipynb))
        written.append(ipynb)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """Export the example notebooks for the Colab branch: ``SOURCE OUT``."""
    parser = argparse.ArgumentParser(prog="python -m tools.export_notebooks")
    parser.add_argument("source", type=Path, help="folder of MyST notebooks (examples)")
    parser.add_argument(
        "out", type=Path, help="output folder (its content becomes the notebooks branch)"
    )
    parser.add_argument(
        "--ref",
        help="the tag or commit to install (default: the checkout's release tag, else its commit)",
    )
    args = parser.parse_args(argv)
    if not args.source.is_dir():
        parser.error(f"{args.source}: no such folder")
    ref = args.ref or source_ref(args.source)
    target = args.out / args.source.name
    for notebook in export_notebooks(args.source, target, project_url("Repository"), ref):
        print(notebook)
    return 0


if __name__ == "__main__":
    sys.exit(main())
