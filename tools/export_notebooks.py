"""Export the handbook's example notebooks as ``.ipynb`` for Colab.

Colab only opens ``.ipynb`` files from GitHub, so the deploy workflow
publishes the MyST Markdown examples as ``.ipynb``, with their data files, to
the ``notebooks`` branch, where the book's Colab button
(``book/_ext/handbook/colab.py``) points. ``nox -s notebooks`` writes that
branch's content::

    python -m tools.export_notebooks examples OUT

Each exported notebook starts with a cell that installs ``mlorg`` from the
repository when it is missing (on Colab), so the notebook runs as in the book.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["export_notebooks", "install_cell_source", "main"]


def install_cell_source(repository_url: str) -> str:
    """Return the code of the cell that installs ``mlorg`` where it is missing.

    >>> print(install_cell_source("https://github.com/org/handbook"))  # doctest: +ELLIPSIS
    # On Colab: install the handbook's toolkit first (the handbook's own build has it).
    import importlib.util
    if importlib.util.find_spec("mlorg") is None:
        %pip install --quiet "mlorg @ git+https://github.com/org/handbook@main" palmerpenguins scikit-learn
    """
    return (
        "# On Colab: install the handbook's toolkit first (the handbook's own build has it).\n"
        "import importlib.util\n"
        'if importlib.util.find_spec("mlorg") is None:\n'
        f'    %pip install --quiet "mlorg @ git+{repository_url}@main" palmerpenguins scikit-learn'
    )


def _repository_url() -> str:
    urls = importlib.metadata.metadata("mlorg").get_all("Project-URL") or []
    return str(dict(url.split(", ", 1) for url in urls)["Repository"])


def export_notebooks(source: Path, out: Path, repository_url: str) -> list[Path]:
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
        install = nbformat.v4.new_code_cell(install_cell_source(repository_url))  # type: ignore[no-untyped-call]
        install.metadata["tags"] = ["remove-cell"]
        notebook.cells.insert(0, install)
        notebook.metadata.pop("jupytext", None)
        ipynb = target.with_suffix(".ipynb")
        nbformat.write(notebook, str(ipynb))  # type: ignore[no-untyped-call]
        written.append(ipynb)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """Export the example notebooks for the Colab branch: ``SOURCE OUT``."""
    parser = argparse.ArgumentParser(prog="python -m tools.export_notebooks")
    parser.add_argument("source", type=Path, help="folder of MyST notebooks (examples)")
    parser.add_argument(
        "out", type=Path, help="output folder (its content becomes the notebooks branch)"
    )
    args = parser.parse_args(argv)
    if not args.source.is_dir():
        print(f"error: {args.source}: no such folder", file=sys.stderr)
        return 2
    target = args.out / args.source.name
    for notebook in export_notebooks(args.source, target, _repository_url()):
        print(notebook)
    return 0


if __name__ == "__main__":
    sys.exit(main())
