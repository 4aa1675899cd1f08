"""The ML Organization Handbook's toolkit.

``mlorg`` holds the reusable logic behind the handbook's runnable examples, so
that a reader can point the same code at their own data, experiments and org
chart.

>>> import mlorg
>>> mlorg.__version__ == __import__("importlib.metadata").metadata.version("mlorg")
True
"""

from __future__ import annotations

from importlib.metadata import version as _version

from mlorg.errors import InputError

__all__ = ["InputError", "__version__"]

#: The handbook's version, read from the package metadata (pyproject.toml).
__version__: str = _version("mlorg")
