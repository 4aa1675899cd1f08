"""Tracking URIs: checked before MLflow sees them, MLflow imported once, errors in one line without passwords.

Private: the public names are in :mod:`mlorg.explog`.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from mlorg._extras import require
from mlorg._secrets import credentials, hide_credentials
from mlorg._stores import blank_tracking_uri, sqlite_problem
from mlorg.errors import InputError, first_line

if TYPE_CHECKING:
    from mlflow import MlflowClient


#: A SQLite file in the current folder (the store MLflow itself uses by default).
DEFAULT_TRACKING_URI = "sqlite:///mlflow.db"


def sqlite_tracking_uri(path: Path | str) -> str:
    """Return the MLflow tracking URI of a SQLite file (made absolute).

    >>> sqlite_tracking_uri("/tmp/runs/mlflow.db")
    'sqlite:////tmp/runs/mlflow.db'
    """
    return "sqlite:///" + Path(path).resolve().as_posix()


def resolve_tracking_uri(tracking_uri: str | None = None) -> str:
    """Return the tracking URI to use: the one given, else ``$MLFLOW_TRACKING_URI``, else the default.

    >>> resolve_tracking_uri("sqlite:///team.db")
    'sqlite:///team.db'
    """
    return tracking_uri or os.environ.get("MLFLOW_TRACKING_URI") or DEFAULT_TRACKING_URI


def quiet_mlflow() -> None:
    """Keep MLflow's informational messages (database migrations, ...) off the console.

    Warnings and errors still show. Call it from a script or notebook; the
    library itself leaves logging configuration to the application.
    """
    for name in ("mlflow", "alembic"):
        logging.getLogger(name).setLevel(logging.WARNING)
    # A database store that cannot be reached (PostgreSQL down, say) makes
    # MLflow log a warning with the driver's message, then raise the error
    # that explog reports in one line; the warning would be a second line.
    logging.getLogger("mlflow.store.db.utils").setLevel(logging.ERROR)


# -- tracking URIs ----------------------------------------------------------------


#: Tracking URIs MLflow takes as they are, without "://": its store registry
#: (mlflow.tracking.registry) looks these up whole, as schemes of their own.
#: ``databricks`` is the default Databricks profile; ``databricks-uc`` and
#: ``uc`` name Unity Catalog, which MLflow refuses as a tracking store with
#: its own message.
_BARE_URIS = frozenset({"databricks", "databricks-uc", "uc"})


def _usable_tracking_uri(tracking_uri: str | None, *, may_create: bool) -> str:
    """Check a tracking URI before MLflow sees it, and return it.

    MLflow creates a SQLite file (and its folders) or a store folder for any
    path it is given, and upgrades any SQLite database it opens. So a
    mistyped path would silently become a new, empty store, and a file that
    is not an MLflow database would be altered. Here a missing file or folder
    is an error (unless ``may_create`` and only the file is new), and an
    existing SQLite file is opened read-only first to check it is MLflow's.
    """
    blank = blank_tracking_uri(tracking_uri, os.environ.get("MLFLOW_TRACKING_URI"))
    if blank is not None:
        raise InputError(blank)
    uri = resolve_tracking_uri(tracking_uri).strip()
    with _tracking_errors(uri):
        _check_tracking_uri(uri, may_create=may_create)
    return uri


def _check_tracking_uri(uri: str, *, may_create: bool) -> None:
    if uri in _BARE_URIS:  # before the scheme test: urlsplit sees a path in them
        return
    malformed = f"{uri}: not a tracking URI; write e.g. sqlite:///mlflow.db or http://host:5000"
    try:
        parts = urlsplit(uri)
        hostname = parts.hostname
    except ValueError as error:  # e.g. an unclosed "[" in the host
        raise InputError(malformed) from error
    scheme = parts.scheme.lower()
    if not scheme:
        if "://" in uri:
            raise InputError(malformed)
        _check_store_folder(uri, parts.path)
    elif scheme == "file":
        _check_store_folder(uri, parts.path)
    elif scheme == "sqlite":
        _check_sqlite(uri, parts.netloc, parts.path, may_create=may_create)
    elif "://" not in uri or (scheme in {"http", "https"} and not hostname):
        raise InputError(malformed)


def _check_sqlite(uri: str, host: str, path: str, *, may_create: bool) -> None:
    if host:
        msg = f"{uri}: a SQLite URI has no host; write sqlite:///relative/path.db or sqlite:////absolute/path.db"
        raise InputError(msg)
    file = unquote(path.removeprefix("/"))
    if not file or file == ":memory:":
        msg = f"{uri}: names no database file; write e.g. sqlite:///mlflow.db"
        raise InputError(msg)
    db = Path(file)
    if not db.exists():
        if not may_create:
            msg = f"{uri}: no such file {db}; check the path (nothing was created)"
            raise InputError(msg)
        if not db.parent.is_dir():
            msg = f"{uri}: no such folder {db.parent}; create it first (nothing was created)"
            raise InputError(msg)
        return
    if not db.is_file():
        msg = f"{uri}: {db} is not a file"
        raise InputError(msg)
    revisions: list[str] = []
    try:
        with _read_only(db) as connection:
            tables = {
                name
                for (name,) in connection.execute(
                    "SELECT name FROM sqlite_master WHERE type='table'"
                )
            }
            if "alembic_version" in tables:
                rows = connection.execute("SELECT version_num FROM alembic_version")
                revisions = [str(revision) for (revision,) in rows]
    except sqlite3.OperationalError as error:
        if "locked" in str(error):
            msg = f"{uri}: {db} is locked by another program; try again when it is done"
        else:
            msg = (
                f"{uri}: {db} cannot be read as a SQLite database ({error}); it was left untouched"
            )
        raise InputError(msg) from error
    except sqlite3.DatabaseError as error:
        msg = f"{uri}: {db} is not a SQLite database ({error}); it was left untouched"
        raise InputError(msg) from error
    if not {"experiments", "runs", "alembic_version"} <= tables:
        msg = f"{uri}: {db} is not an MLflow tracking database; it was left untouched"
        raise InputError(msg)
    # MLflow would run its migrations on a revision it does not know, writing
    # into the file before failing; refuse first.
    problem = sqlite_problem(revisions)
    if problem is not None:
        msg = f"{uri}: {db} {problem}; it was left untouched"
        raise InputError(msg)


@contextmanager
def _read_only(db: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(db.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        yield connection
    finally:
        connection.close()


def _check_store_folder(uri: str, path: str) -> None:
    folder = Path(unquote(path))
    if not folder.is_dir():
        hint = ""
        if folder.suffix in {".db", ".sqlite", ".sqlite3"}:
            hint = f"; for a SQLite file write sqlite:///{folder.as_posix()}"
        msg = f"{uri}: no such MLflow store folder {folder}{hint}"
        raise InputError(msg)


def _import_mlflow() -> None:
    """Import MLflow, after opting out of what it does on import; the one place that imports it.

    MLflow 3.2+ sends anonymous usage data by default, starting when ``mlflow``
    is imported. The handbook's build and tests must not touch the network, so
    we opt out the way MLflow documents (docs: "Usage Tracking"), before the
    import. MLflow also prints a hint on import when it thinks a coding agent
    runs it; that is noise in a notebook's output. Against a tracking server,
    MLflow 3 prints "View run ... at: URL" on standard output for every run
    that ends, which would mix into a script's or ``mlorg``'s own output (four
    clients logging 50 runs each printed 400 such lines), so that is off too.
    ``setdefault`` leaves an
    explicit choice in the environment alone. Importing :mod:`mlorg.explog`
    changes nothing; the first call that talks to a tracking store does this.

    Raises:
        MissingExtraError: MLflow is not installed (``pip install "mlorg[experiments]"``).
    """
    require("experiments", "mlorg.explog")
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    os.environ.setdefault("MLFLOW_DISABLE_AGENT_HINT", "true")
    os.environ.setdefault("MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT", "true")
    import mlflow  # noqa: F401  (after the opt-out above)


def _client(uri: str) -> MlflowClient:
    _import_mlflow()
    from mlflow import MlflowClient

    return MlflowClient(tracking_uri=uri)


@contextmanager
def _tracking_errors(uri: str) -> Iterator[None]:
    """Give what goes wrong with a tracking store as a one-line InputError naming it.

    The one place where messages about a store are finished: this module's
    own checks raise ``InputError("<uri>: ...")``, and what MLflow, a missing
    driver or SQLAlchemy raise becomes one. Either way the URI's password is
    then hidden (see :func:`_credentials_hidden`).
    """
    _import_mlflow()
    from mlflow.exceptions import MlflowException

    with _credentials_hidden(uri):
        try:
            yield
        except MlflowException as error:
            msg = f"{uri}: {first_line(error.message)}"
            raise InputError(msg) from error
        except ImportError as error:  # e.g. no PostgreSQL driver installed
            msg = f"{uri}: a package this tracking store needs is missing: {error}"
            raise InputError(msg) from error
        except _database_errors() as error:  # e.g. a database server that refuses the connection
            msg = f"{uri}: {first_line(str(error))}"
            raise InputError(msg) from error


def _database_errors() -> tuple[type[Exception], ...]:
    """SQLAlchemy's errors, if SQLAlchemy was imported (else none can have been raised).

    An ``except`` clause evaluates this only when an exception reaches it, so
    a report from a tracking server never imports SQLAlchemy (0.3 s) for it.
    """
    errors = sys.modules.get("sqlalchemy.exc")
    return (errors.SQLAlchemyError,) if errors is not None else ()


@contextmanager
def _credentials_hidden(uri: str) -> Iterator[None]:
    """Hide the URI's credentials in an ``InputError`` raised inside, wherever they occur.

    MLflow's messages repeat the whole URI. When the URI has a password, the
    error is raised without the one it came from (``from None``), whose
    message a notebook's traceback would show, password and all.
    """
    try:
        yield
    except InputError as error:
        message, cause = str(error), error.__cause__
        if credentials(uri) is None:
            raise InputError(hide_credentials(message)) from cause
        raise InputError(hide_credentials(message, uri)) from None
