"""Copy a repository's working tree: what git tracks or would track, nothing it ignores.

The benchmarks and tests that build the book from a copy (so the working
tree is never edited) use this one copy, so they agree on what "the
repository" is: committed files, uncommitted edits and new files that are
not ignored, without ``_build``, ``.nox`` or caches.

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as folder:
...     copy_working_tree(Path(__file__).resolve().parent.parent, Path(folder))
...     (Path(folder) / "pyproject.toml").is_file(), (Path(folder) / ".nox").exists()
(True, False)
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

__all__ = ["copy_working_tree"]


def copy_working_tree(source: Path, dest: Path) -> None:
    """Copy every file git tracks or would track in ``source`` into ``dest``."""
    names = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=source,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\0")
    for name in filter(None, names):
        # A tracked file deleted in the working tree is not copied.
        if (source / name).is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / name, dest / name)
