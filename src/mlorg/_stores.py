"""Checks of a tracking store made before MLflow opens it (MLflow upgrades what it opens).

Read-only: a SQLite file is opened with ``mode=ro`` and only its catalogue
and ``alembic_version`` table are read.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import re
from functools import cache
from pathlib import Path

__all__ = ["blank_tracking_uri", "known_mlflow_revisions", "sqlite_problem"]

_REVISION = re.compile(r"""^revision\s*=\s*["']([0-9A-Za-z_]+)["']""", re.MULTILINE)


def blank_tracking_uri(given: str | None, environment: str | None) -> str | None:
    """Describe a tracking URI that is given but blank, or ``None`` if it is not blank.

    A blank URI would make MLflow fall back to ``./mlflow.db`` and create it.

    >>> blank_tracking_uri("   ", None)
    "the tracking URI is blank ('   '); give a URI such as sqlite:///mlflow.db"
    >>> blank_tracking_uri(None, " ")
    "MLFLOW_TRACKING_URI is set but blank (' '); unset it or give a URI such as sqlite:///mlflow.db"
    >>> blank_tracking_uri("sqlite:///mlflow.db", " ") is None
    True
    """
    if given is not None:
        if not given.strip():
            return f"the tracking URI is blank ({given!r}); give a URI such as sqlite:///mlflow.db"
        return None
    if environment is not None and not environment.strip():
        return (
            f"MLFLOW_TRACKING_URI is set but blank ({environment!r}); unset it or give "
            "a URI such as sqlite:///mlflow.db"
        )
    return None


@cache
def known_mlflow_revisions() -> frozenset[str]:
    """The database revisions the installed MLflow can open (its alembic migrations).

    Read from MLflow's migration scripts without importing MLflow; empty when
    MLflow is not installed or ships no scripts.

    >>> isinstance(known_mlflow_revisions(), frozenset)
    True
    """
    spec = importlib.util.find_spec("mlflow")
    if spec is None or not spec.submodule_search_locations:
        return frozenset()
    folder = Path(next(iter(spec.submodule_search_locations))) / "store/db_migrations/versions"
    revisions: set[str] = set()
    for script in folder.glob("*.py"):
        match = _REVISION.search(script.read_text(encoding="utf-8", errors="replace"))
        if match:
            revisions.add(match.group(1))
    return frozenset(revisions)


def _mlflow_version() -> str:
    for distribution in ("mlflow", "mlflow-skinny"):
        try:
            return importlib.metadata.version(distribution)
        except importlib.metadata.PackageNotFoundError:
            continue
    return "(version unknown)"


def sqlite_problem(revisions: list[str]) -> str | None:
    """What is wrong with an MLflow store's ``alembic_version`` rows, if anything.

    >>> print(sqlite_problem(["ffffffffffff"]))  # doctest: +ELLIPSIS
    is an MLflow store at database revision 'ffffffffffff', which MLflow ... does not know...
    """
    known = known_mlflow_revisions()
    if not known:
        return None  # nothing to compare with; MLflow will say
    if len(revisions) != 1:
        return f"has {len(revisions)} rows in alembic_version, not one; not a store MLflow wrote"
    if revisions[0] not in known:
        return (
            f"is an MLflow store at database revision {revisions[0]!r}, which MLflow "
            f"{_mlflow_version()} does not know (written by a newer MLflow?)"
        )
    return None
