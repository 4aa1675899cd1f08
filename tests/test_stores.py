"""mlorg._stores: a tracking store MLflow would alter or misread is refused first."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

pytest.importorskip("mlflow", reason="needs mlorg[experiments]")

from mlorg import _stores, cli, explog
from mlorg.errors import InputError


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.chdir(tmp_path)


def _lookalike(path: Path, revision: str) -> Path:
    """A SQLite file with MLflow's three marker tables, at the given alembic revision."""
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE experiments (experiment_id INTEGER PRIMARY KEY)")
        connection.execute("CREATE TABLE runs (run_uuid TEXT PRIMARY KEY)")
        connection.execute("CREATE TABLE alembic_version (version_num TEXT NOT NULL)")
        connection.execute("INSERT INTO alembic_version VALUES (?)", (revision,))
    connection.close()
    return path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_installed_mlflow_knows_its_own_revisions():
    known = _stores.known_mlflow_revisions()
    assert len(known) > 30  # MLflow 3 ships some fifty migrations
    assert all(len(revision) >= 6 for revision in known)


def test_a_store_at_an_unknown_revision_is_refused_and_left_untouched(tmp_path):
    db = _lookalike(tmp_path / "mlflow.db", "ffffdeadbeef")
    before = _digest(db)
    with pytest.raises(InputError) as refused:
        explog.lessons(tracking_uri=explog.sqlite_tracking_uri(db))
    message = str(refused.value)
    assert "at database revision 'ffffdeadbeef', which MLflow" in message
    assert message.endswith("it was left untouched")
    assert _digest(db) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mlflow.db"]


def test_a_locked_store_says_it_is_locked(tmp_path):
    db = _lookalike(tmp_path / "mlflow.db", min(_stores.known_mlflow_revisions()))
    holder = sqlite3.connect(db, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        with pytest.raises(InputError, match="is locked by another program"):
            explog.lessons(tracking_uri=explog.sqlite_tracking_uri(db))
    finally:
        holder.execute("ROLLBACK")
        holder.close()


@pytest.mark.parametrize("blank", ["", "   ", "\t"])
def test_a_blank_tracking_uri_exits_2_and_creates_nothing(blank, tmp_path, capsys):
    assert cli.main(["experiments", "report", "--tracking-uri", blank]) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert err.startswith("mlorg: error: the tracking URI is blank")
    assert err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_a_blank_environment_variable_is_named(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "  ")
    assert cli.main(["experiments", "report"]) == cli.EXIT_USAGE
    assert capsys.readouterr().err.startswith(
        "mlorg: error: MLFLOW_TRACKING_URI is set but blank ('  ')"
    )
    assert list(tmp_path.iterdir()) == []
