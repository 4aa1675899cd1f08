"""The ML Organization Handbook's toolkit.

``mlorg`` holds the reusable logic behind the handbook's runnable examples, so
that a reader can point the same code at their own data, experiments and org
chart.

>>> import mlorg
>>> mlorg.__version__ == __import__("importlib.metadata").metadata.version("mlorg")
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlorg.errors import InputError

__all__ = ["InputError", "__version__"]

if TYPE_CHECKING:
    #: The handbook's version, read from the package metadata (pyproject.toml).
    __version__: str


def __getattr__(name: str) -> str:
    # __version__ is read on first use: importlib.metadata takes a few tenths
    # of a second to load, and most commands never print the version.
    if name == "__version__":
        from importlib.metadata import version

        value = version("mlorg")
        globals()["__version__"] = value
        return value
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)
