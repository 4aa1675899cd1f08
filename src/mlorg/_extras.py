"""Which optional extra each command needs, and the one-line error when it is missing.

The base install of ``mlorg`` is what every command needs (PyYAML, networkx,
codeowners). Each job's heavy dependencies come as an extra of the package;
``pyproject.toml`` lists them, this module only names the modules that tell
whether an extra is installed.
"""

from __future__ import annotations

import importlib.util

from mlorg.errors import MissingExtraError

__all__ = ["EXTRAS", "missing_modules", "require"]

#: Extra -> the top-level modules whose presence shows it is installed.
EXTRAS: dict[str, tuple[str, ...]] = {
    "data": ("pandas", "pandera", "scipy"),
    "parquet": ("pyarrow",),
    "experiments": ("mlflow", "sqlalchemy", "alembic", "pandas"),
    "figure": ("matplotlib",),
    # the data check's other engines (mlorg._datacheck.engines)
    "spark": ("pyspark",),
    "polars": ("polars",),
}


def missing_modules(extra: str) -> list[str]:
    """Return the modules of ``extra`` that cannot be imported here.

    >>> missing_modules("figure") in ([], ["matplotlib"])
    True
    """
    return [name for name in EXTRAS[extra] if importlib.util.find_spec(name) is None]


def require(extra: str, what: str) -> None:
    """Raise :class:`~mlorg.errors.MissingExtraError` unless ``extra`` is installed.

    Args:
        extra: a key of :data:`EXTRAS`.
        what: what needs it, for the message (``"mlorg data-check"``).

    Raises:
        MissingExtraError: one line naming the missing modules and the
            ``pip install`` command that adds them.
    """
    missing = missing_modules(extra)
    if missing:
        msg = (
            f"{what} needs {', '.join(missing)}, which the base install leaves out: "
            f'pip install "mlorg[{extra}]"'
        )
        raise MissingExtraError(msg, name=missing[0])
