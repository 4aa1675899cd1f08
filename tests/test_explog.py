from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import traceback
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlorg import cli, explog
from mlorg._secrets import mask_uri
from mlorg.errors import InputError
from mlorg.explog import ExperimentRecord

COMPLETE = ExperimentRecord(
    hypothesis="Bill measurements add signal beyond body mass.",
    result="accuracy 0.95 ± 0.02 vs 0.74 ± 0.04",
    decision="adopt",
    lesson="Measure bills | they are cheap.",
)
PENGUINS = pd.DataFrame(
    {
        "species": ["Adelie", "Gentoo", "Chinstrap", "Adelie"],
        "bill_length_mm": [39.1, 46.1, 46.5, 38.8],
        "body_mass_g": [3750, 5200, 3500, 3400],
        "island": pd.Categorical(["Torgersen", "Biscoe", "Dream", "Dream"]),
    }
)


@pytest.fixture(scope="session")
def empty_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An MLflow SQLite store with no runs (creating one runs MLflow's migrations: slow)."""
    db = tmp_path_factory.mktemp("template") / "mlflow.db"
    explog.log_experiment(
        ExperimentRecord(hypothesis="setup"),
        experiment="template",
        tracking_uri=explog.sqlite_tracking_uri(db),
    )
    return db


@pytest.fixture
def store(empty_store: Path, tmp_path: Path) -> str:
    """A fresh copy of the empty store; returns its tracking URI."""
    db = tmp_path / "mlflow.db"
    shutil.copyfile(empty_store, db)
    return explog.sqlite_tracking_uri(db)


@pytest.fixture(autouse=True)
def _mlflow_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # No environment setting from the developer's shell leaks into a test,
    # and a failing HTTP request fails at once instead of being retried.
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "5")
    monkeypatch.chdir(tmp_path)


def _log_three(uri: str) -> list[str]:
    code = explog.CodeVersion("mlorg", "0.1.0", "abc123def4567890", dirty=False)
    return [
        explog.log_experiment(
            COMPLETE,
            experiment="penguins",
            tracking_uri=uri,
            run_name="mass + bill",
            params={"features": "body_mass_g,bill_length_mm", "C": 1.0},
            fold_scores={"accuracy": [0.93, 0.95, 0.97]},
            data=PENGUINS,
            seed=7,
            code=code,
        ),
        explog.log_experiment(
            ExperimentRecord(hypothesis="Deeper trees help.", result="no gain", decision="reject"),
            experiment="penguins",
            tracking_uri=uri,
            run_name="deep forest",
            params={"max_depth": 12},
            metrics={"accuracy_mean": 0.94},
            code=code,
        ),
        explog.log_experiment(
            ExperimentRecord(hypothesis="Island <matters>.", lesson="Check the sampling."),
            experiment="penguins",
            tracking_uri=uri,
            run_name="island",
            code=code,
        ),
    ]


# -- round trip ---------------------------------------------------------------------


def test_round_trip_keeps_record_params_metrics_and_provenance(store: str) -> None:
    run_ids = _log_three(store)
    log = explog.lessons(tracking_uri=store, experiment="penguins")

    assert log["run_id"].tolist() == run_ids  # oldest first
    first = log.iloc[0]
    assert first["run"] == "mass + bill"
    assert first["status"] == "FINISHED"
    assert [first[name] for name in explog.RECORD_FIELDS] == [
        COMPLETE.hypothesis,
        COMPLETE.result,
        COMPLETE.decision,
        COMPLETE.lesson,
    ]
    assert first["flags"] == []
    assert first["seed"] == "7"
    assert first["params.C"] == "1.0"
    assert first["metrics.accuracy_mean"] == pytest.approx(0.95)
    assert first["metrics.accuracy_std"] == pytest.approx(0.02)
    assert first["data_fingerprint"] == explog.data_fingerprint(PENGUINS)
    assert first["code_version"] == "mlorg 0.1.0"
    assert first["git_commit"] == "abc123def4567890"
    assert log.iloc[1]["data_fingerprint"] is None


def test_round_trip_renders_every_format(store: str) -> None:
    _log_three(store)
    log = explog.lessons(tracking_uri=store, experiment="penguins")

    markdown = explog.render_lessons(log, "md").splitlines()
    assert markdown[0] == (
        "| run | run id | status | started | params | metrics "
        "| hypothesis | result | decision | lesson | flags |"
    )
    assert len(markdown) == 2 + 3
    assert "Measure bills \\| they are cheap." in markdown[2]  # a pipe cannot break the table

    records = json.loads(explog.render_lessons(log, "json"))
    assert [r["run"] for r in records] == ["mass + bill", "deep forest", "island"]
    assert records[0]["metrics"]["accuracy_mean"] == pytest.approx(0.95)
    assert records[0]["params"] == {"features": "body_mass_g,bill_length_mm", "C": "1.0"}
    assert records[1]["lesson"] is None

    page = explog.render_lessons(log, "html")
    assert page.count("<tr>") == 1 + 3
    assert "Island &lt;matters&gt;." in page
    assert "<matters>" not in page


def test_outcome_recorded_after_the_run_completes_the_record(store: str) -> None:
    run_id = explog.log_experiment(
        ExperimentRecord(hypothesis="Deeper trees help."), experiment="e", tracking_uri=store
    )
    before = explog.lessons(tracking_uri=store, experiment="e").iloc[0]
    assert before["flags"] == ["no result", "no decision", "no lesson"]

    explog.record_outcome(
        run_id,
        ExperimentRecord(result="no gain", decision="iterate", lesson="Tune depth first."),
        tracking_uri=store,
    )
    after = explog.lessons(tracking_uri=store, experiment="e").iloc[0]
    assert after["hypothesis"] == "Deeper trees help."  # left unchanged
    assert (after["decision"], after["lesson"]) == ("iterate", "Tune depth first.")
    assert after["flags"] == []


def test_all_experiments_are_reported_when_none_is_named(store: str) -> None:
    _log_three(store)
    explog.log_experiment(COMPLETE, experiment="other", tracking_uri=store)
    log = explog.lessons(tracking_uri=store)
    assert set(log["experiment"]) == {"template", "penguins", "other"}
    assert explog.render_lessons(log).startswith("| experiment | run |")


def test_an_experiment_without_runs_gives_an_empty_log(store: str) -> None:
    from mlflow import MlflowClient

    MlflowClient(store).create_experiment("empty")
    empty = explog.lessons(tracking_uri=store, experiment="empty")
    assert empty.empty
    assert explog.render_lessons(empty).count("\n") == 1  # header and rule only
    assert json.loads(explog.render_lessons(empty, "json")) == []


# -- missing lessons are flagged, not fatal ------------------------------------------


@pytest.mark.parametrize(
    ("record", "flag"),
    [
        (ExperimentRecord(hypothesis="h", result="r", decision="adopt"), "no lesson"),
        (ExperimentRecord(hypothesis="h", result="r", lesson="l"), "no decision"),
        (ExperimentRecord(hypothesis="h", result="r", decision="reject", lesson="  "), "no lesson"),
        (ExperimentRecord(result="r", decision="adopt", lesson="l"), "no hypothesis"),
    ],
)
def test_a_missing_field_is_flagged_in_every_format(
    store: str, record: ExperimentRecord, flag: str
) -> None:
    explog.log_experiment(record, experiment="e", tracking_uri=store)
    log = explog.lessons(tracking_uri=store, experiment="e")
    assert log.iloc[0]["flags"] == [flag]
    assert f"⚠ {flag}" in explog.render_lessons(log, "md")
    assert f"⚠ {flag}" in explog.render_lessons(log, "html")
    assert json.loads(explog.render_lessons(log, "json"))[0]["flags"] == [flag]


def test_a_run_logged_without_mlorg_is_flagged_not_fatal(store: str) -> None:
    from mlflow import MlflowClient

    client = MlflowClient(store)
    experiment_id = client.create_experiment("plain mlflow")
    client.create_run(experiment_id, run_name="bare", tags={"mlorg.decision": "maybe"})
    log = explog.lessons(tracking_uri=store, experiment="plain mlflow")
    assert log.iloc[0]["flags"] == [
        "no hypothesis",
        "no result",
        "no lesson",
        "decision 'maybe' is not one of adopt, reject, iterate",
    ]
    assert log.iloc[0]["status"] == "RUNNING"
    assert "| RUNNING |" in explog.render_lessons(log)
    assert "| — | — | maybe | — | ⚠ no hypothesis;" in explog.render_lessons(log)


def test_cli_reports_flagged_runs_with_exit_0(
    store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    explog.log_experiment(
        ExperimentRecord(hypothesis="h", decision="adopt"), experiment="e", tracking_uri=store
    )
    assert cli.main(["experiments", "report", "--tracking-uri", store]) == cli.EXIT_OK
    out = capsys.readouterr().out
    assert "⚠ no result; no lesson" in out


# -- the record and its inputs -------------------------------------------------------


@pytest.mark.parametrize("decision", ["maybe", "Adopt", ""])
def test_a_decision_outside_adopt_reject_iterate_is_refused(decision: str) -> None:
    with pytest.raises(InputError, match="is not one of adopt, reject, iterate"):
        ExperimentRecord(hypothesis="h", decision=decision)  # type: ignore[arg-type]


def test_fold_scores_are_logged_as_mean_and_spread(store: str) -> None:
    explog.log_experiment(
        COMPLETE, experiment="e", tracking_uri=store, fold_scores={"f1": [0.5, 0.7, 0.9]}
    )
    row = explog.lessons(tracking_uri=store, experiment="e").iloc[0]
    assert row["metrics.f1_mean"] == pytest.approx(0.7)
    assert row["metrics.f1_std"] == pytest.approx(0.2)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"fold_scores": {"f1": [0.5]}}, r"fold_scores\['f1'\]: need the scores of at least 2"),
        ({"seed": 1, "params": {"seed": 2}}, "the seed is given twice"),
    ],
)
def test_unusable_logging_input_is_refused(
    store: str, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(InputError, match=message):
        explog.log_experiment(COMPLETE, experiment="e", tracking_uri=store, **kwargs)  # type: ignore[arg-type]


def test_code_version_outside_git_has_no_commit(tmp_path: Path) -> None:
    code = explog.code_version(where=tmp_path)
    assert (code.version, code.git_commit, code.dirty) == (version("mlorg"), None, None)
    assert str(code) == f"mlorg {version('mlorg')}"


def test_code_version_names_the_commit_and_uncommitted_changes(tmp_path: Path) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org"}
    env |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", *args], cwd=tmp_path, env=env, capture_output=True, text=True, check=True
        )
        return done.stdout.strip()

    git("init", "-q")
    (tmp_path / "train.py").write_text("print(1)\n", encoding="utf-8")
    git("add", "train.py")
    git("commit", "-q", "-m", "first")
    clean = explog.code_version(where=tmp_path)
    assert (clean.git_commit, clean.dirty) == (git("rev-parse", "HEAD"), False)
    (tmp_path / "train.py").write_text("print(2)\n", encoding="utf-8")
    assert explog.code_version(where=tmp_path).dirty is True
    assert explog.code_version("no-such-package-xyz", tmp_path).version is None


# -- data fingerprint ---------------------------------------------------------------

frames = st.integers(min_value=1, max_value=30).flatmap(
    lambda rows: st.builds(
        lambda counts, names, masses: pd.DataFrame(
            {"count": counts, "name": names, "mass": masses}
        ),
        st.lists(st.integers(-1000, 1000), min_size=rows, max_size=rows),
        st.lists(st.text(max_size=5), min_size=rows, max_size=rows),
        st.lists(
            st.floats(allow_nan=False, allow_infinity=False, width=64),
            min_size=rows,
            max_size=rows,
        ),
    )
)


@settings(max_examples=200, deadline=None)
@given(frame=frames, data=st.data())
def test_fingerprint_changes_when_any_one_value_changes(
    frame: pd.DataFrame, data: st.DataObject
) -> None:
    row = data.draw(st.integers(0, len(frame) - 1), label="row")
    column = data.draw(st.sampled_from(list(frame.columns)), label="column")
    old = frame.at[row, column]
    new = data.draw(
        {
            "count": st.integers(-1000, 1000),
            "name": st.text(max_size=5),
            "mass": st.floats(allow_nan=False, allow_infinity=False, width=64),
        }[column].filter(lambda value: value != old),
        label="new value",
    )
    changed = frame.copy()
    changed.at[row, column] = new
    assert explog.data_fingerprint(changed) != explog.data_fingerprint(frame)


@settings(max_examples=100, deadline=None)
@given(frame=frames)
def test_fingerprint_is_the_same_for_the_same_data(frame: pd.DataFrame) -> None:
    fingerprint = explog.data_fingerprint(frame)
    assert explog.data_fingerprint(frame.copy(deep=True)) == fingerprint
    assert explog.data_fingerprint(frame.set_axis(range(100, 100 + len(frame)))) == fingerprint
    rebuilt = pd.DataFrame({name: list(values) for name, values in frame.items()})
    assert explog.data_fingerprint(rebuilt) == fingerprint


def test_fingerprint_is_stable_across_processes() -> None:
    code = (
        "import pandas as pd; from mlorg.explog import data_fingerprint; "
        "print(data_fingerprint(pd.DataFrame({'a': [1, 2], 'b': ['x', None], "
        "'c': pd.Series([1, '1'], dtype=object)})))"
    )
    other = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    here = explog.data_fingerprint(
        pd.DataFrame({"a": [1, 2], "b": ["x", None], "c": pd.Series([1, "1"], dtype=object)})
    )
    assert other == here


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda f: f.rename(columns={"bill_length_mm": "bill_mm"}), id="column name"),
        pytest.param(lambda f: f.astype({"body_mass_g": "float64"}), id="column type"),
        pytest.param(lambda f: f.iloc[::-1], id="row order"),
        pytest.param(lambda f: f.iloc[:-1], id="one row fewer"),
        pytest.param(lambda f: f.assign(bill_length_mm=[39.1, None, 46.5, 38.8]), id="a NaN"),
        pytest.param(
            lambda f: f.assign(island=f["island"].cat.rename_categories({"Dream": "Biscoe2"})),
            id="a category",
        ),
        pytest.param(lambda f: f["species"], id="one column of it"),
    ],
)
def test_fingerprint_changes_with_the_data(
    change: Callable[[pd.DataFrame], pd.DataFrame | pd.Series[Any]],
) -> None:
    assert explog.data_fingerprint(change(PENGUINS)) != explog.data_fingerprint(PENGUINS)


def _objects(*values: object) -> pd.Series[Any]:
    return pd.Series(values, dtype=object)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        pytest.param(_objects(1, 2), _objects("1", "2"), id="numbers or their text"),
        pytest.param(_objects(1, "x"), _objects("1", "x"), id="a number among text"),
        pytest.param(_objects(1, "1"), _objects("1", 1), id="the same texts, types swapped"),
        pytest.param(_objects(True, "a"), _objects("True", "a"), id="a bool or its text"),
        pytest.param(_objects(1.5, "a"), _objects("1.5", "a"), id="a float or its text"),
        pytest.param(_objects(b"x", "y"), _objects("x", "y"), id="bytes or text"),
        pytest.param(
            pd.Series(pd.Categorical([1, "1"])),
            pd.Series(pd.Categorical(["1", 1])),
            id="categories of mixed types",
        ),
    ],
)
def test_fingerprint_tells_values_of_different_types_apart(
    one: pd.Series[Any], other: pd.Series[Any]
) -> None:
    assert explog.data_fingerprint(one) != explog.data_fingerprint(other)
    # ... and still gives the same fingerprint for the same values
    assert explog.data_fingerprint(one) == explog.data_fingerprint(one.copy(deep=True))


def test_fingerprint_counts_every_missing_value_alike() -> None:
    fingerprints = {
        explog.data_fingerprint(_objects("x", 1, missing)) for missing in (None, np.nan, pd.NA)
    }
    assert len(fingerprints) == 1


python_values = st.one_of(
    st.integers(-1000, 1000),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    # bytes that are not ASCII among other types: see the test after this one
    st.binary(max_size=3).filter(bytes.isascii),
    st.text(max_size=3),
)


@settings(max_examples=100, deadline=None)
@given(values=st.lists(python_values, min_size=1, max_size=20), data=st.data())
def test_fingerprint_changes_when_a_value_is_replaced_by_its_text(
    values: list[object], data: st.DataObject
) -> None:
    row = data.draw(
        st.sampled_from([i for i, value in enumerate(values) if not isinstance(value, str)])
        if any(not isinstance(value, str) for value in values)
        else st.nothing(),
        label="row",
    )
    frame = pd.DataFrame({"value": _objects(*values)})
    changed = frame.copy()
    changed.at[row, "value"] = str(values[row])
    assert explog.data_fingerprint(changed) != explog.data_fingerprint(frame)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        pytest.param([[1], [2]], "cannot fingerprint the data: ", id="lists"),
        pytest.param(
            _objects(0, b"\x80"),
            r"cannot fingerprint the data: bytes that are not ASCII \(b'\\x80'\)",
            id="bytes that are not ASCII among numbers",
        ),
    ],
)
def test_fingerprint_of_unhashable_values_is_a_clear_error(values: object, message: str) -> None:
    with pytest.raises(InputError, match=message):
        explog.data_fingerprint(pd.DataFrame({"a": values}))


# -- tracking URIs and the command line ------------------------------------------------


def _report(*args: str) -> list[str]:
    return ["experiments", "report", *args]


def _closed_port() -> int:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        return int(listener.getsockname()[1])


def test_cli_prints_the_log_in_each_format(store: str, capsys: pytest.CaptureFixture[str]) -> None:
    _log_three(store)
    for fmt, check in [
        ("md", lambda out: out.startswith("| run | run id | status | started |")),
        ("json", lambda out: len(json.loads(out)) == 3),
        ("html", lambda out: out.startswith('<table class="mlorg-lessons">')),
    ]:
        args = _report("--tracking-uri", store, "--experiment", "penguins", "--format", fmt)
        assert cli.main(args) == cli.EXIT_OK
        assert check(capsys.readouterr().out), fmt


def test_cli_reads_the_tracking_uri_from_the_environment(
    store: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _log_three(store)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", store)
    assert cli.main(_report("--experiment", "penguins")) == cli.EXIT_OK
    assert "deep forest" in capsys.readouterr().out


def test_cli_unknown_experiment_exits_2_and_names_the_known_ones(
    store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _log_three(store)
    assert cli.main(_report("--tracking-uri", store, "--experiment", "pengiuns")) == 2
    err = capsys.readouterr().err
    assert err == (
        f"mlorg: error: {store}: experiment 'pengiuns' not found; "
        "experiments there: Default, penguins, template\n"
    )


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("://nowhere", "not a tracking URI"),
        ("http:/localhost:5000", "not a tracking URI"),
        ("https://", "not a tracking URI"),
        ("sqlite://", "names no database file"),
        ("sqlite:///:memory:", "names no database file"),
        ("sqlite://host/mlflow.db", "a SQLite URI has no host"),
        ("nonsense://x", "Model registry functionality is unavailable; got unsupported URI"),
        ("mlflow.db", "no such MLflow store folder mlflow.db; for a SQLite file write sqlite:///"),
    ],
)
def test_cli_malformed_uri_exits_2_with_one_line(
    uri: str, message: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert cli.main(_report("--tracking-uri", uri)) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert err.startswith(f"mlorg: error: {uri}: ")
    assert message in err
    assert err.count("\n") == 1
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []  # nothing was created


def test_cli_unreachable_server_exits_2_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    uri = f"http://127.0.0.1:{_closed_port()}"
    assert cli.main(_report("--tracking-uri", uri, "--experiment", "e")) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert err.startswith(f"mlorg: error: {uri}: API request to {uri}/api/")
    assert "Connection refused" in err
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("uri", "password"),
    [
        pytest.param("http://alice:s3cret@127.0.0.1:{port}", "s3cret", id="server"),
        pytest.param("http://alice:s3cr%40t@127.0.0.1:{port}", "s3cr%40t", id="quoted password"),
        pytest.param("postgresql://ml:s3cret@127.0.0.1:{port}/mlflow", "s3cret", id="database"),
        pytest.param("sqlite://ml:s3cret@db/mlflow.db", "s3cret", id="sqlite with a host"),
        pytest.param("file://ml:s3cret@host/no/such/store", "s3cret", id="store folder"),
        pytest.param("http://ml:s3cret@[::1", "s3cret", id="unparsable host"),
    ],
)
def test_cli_never_prints_the_password_of_a_tracking_uri(
    uri: str, password: str, capsys: pytest.CaptureFixture[str]
) -> None:
    uri = uri.format(port=_closed_port())
    assert cli.main(_report("--tracking-uri", uri, "--experiment", "e")) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    # Everything between "://" and the last "@" is hidden: the user name too.
    assert err.startswith(f"mlorg: error: {mask_uri(uri)}: ")
    for shown in (password, "s3cr@t"):
        assert shown not in err
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda uri: explog.lessons(tracking_uri=uri), id="lessons"),
        pytest.param(
            lambda uri: explog.log_experiment(COMPLETE, experiment="e", tracking_uri=uri),
            id="log_experiment",
        ),
        pytest.param(
            lambda uri: explog.record_outcome("0" * 32, COMPLETE, tracking_uri=uri),
            id="record_outcome",
        ),
    ],
)
def test_a_password_is_hidden_in_the_whole_traceback(call: Any) -> None:
    # In a notebook the error shows with its traceback, including the errors
    # it was raised from, and MLflow's own message repeats the whole URI.
    uri = f"http://alice:s3cret@127.0.0.1:{_closed_port()}"
    with pytest.raises(InputError) as raised:
        call(uri)
    shown = "".join(traceback.format_exception(raised.value))
    assert "s3cret" not in shown
    assert "alice" not in shown
    assert "http://***@127.0.0.1" in shown


@pytest.mark.parametrize(
    ("uri", "mlflow_says"),
    [
        ("databricks", "Databricks"),
        ("databricks://team-profile", "Databricks"),
        ("databricks-uc", "Unity Catalog"),
        ("uc", "Unity Catalog"),
    ],
)
def test_databricks_uris_are_left_to_mlflow(
    uri: str, mlflow_says: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # No Databricks credentials anywhere, so MLflow's Databricks client stops
    # before it would contact a workspace, with its own message.
    for name in [name for name in os.environ if name.startswith("DATABRICKS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.databrickscfg
    with pytest.raises(InputError) as raised:
        explog.lessons(tracking_uri=uri)
    message = str(raised.value)
    assert message.startswith(f"{uri}: ")
    assert mlflow_says in message
    assert "store folder" not in message
    assert "not a tracking URI" not in message
    assert list(tmp_path.iterdir()) == []  # nothing was created


_HTTP_LIMITS = ("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "MLFLOW_HTTP_REQUEST_TIMEOUT")


@pytest.mark.parametrize("outcome", ["report", "unreachable server", "crash"])
@pytest.mark.parametrize(
    "preset",
    [
        pytest.param({}, id="unset"),
        pytest.param(dict(zip(_HTTP_LIMITS, ["5", "60"], strict=True)), id="set by the user"),
    ],
)
def test_cli_limits_mlflow_http_retries_only_while_it_reports(
    outcome: str,
    preset: dict[str, str],
    store: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name in _HTTP_LIMITS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", "0")  # retry at once
    for name, value in preset.items():
        monkeypatch.setenv(name, value)
    before = dict(os.environ)
    seen: list[dict[str, str | None]] = []
    report = explog.report

    def spy(*args: Any, **kwargs: Any) -> str:
        seen.append({name: os.environ.get(name) for name in _HTTP_LIMITS})
        if outcome == "crash":
            msg = "boom"
            raise RuntimeError(msg)
        return report(*args, **kwargs)

    monkeypatch.setattr(explog, "report", spy)
    uri = store if outcome == "report" else f"http://127.0.0.1:{_closed_port()}"
    args = _report("--tracking-uri", uri, "--experiment", "template")
    if outcome == "crash":
        with pytest.raises(RuntimeError, match="boom"):
            cli.main(args)
    else:
        expected = cli.EXIT_OK if outcome == "report" else cli.EXIT_USAGE
        assert cli.main(args) == expected
    assert seen == [preset or {name: cli.REPORT_HTTP_LIMITS[name] for name in _HTTP_LIMITS}]
    assert dict(os.environ) == before
    capsys.readouterr()


@pytest.mark.parametrize("path", ["mlflow.db", "runs/mlflow.db", "mlfow.db"])
def test_cli_missing_sqlite_file_exits_2_and_creates_nothing(
    path: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    uri = f"sqlite:///{path}"
    assert cli.main(_report("--tracking-uri", uri)) == cli.EXIT_USAGE
    assert capsys.readouterr().err == (
        f"mlorg: error: {uri}: no such file {path}; check the path (nothing was created)\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_default_store_is_mlflow_db_in_the_current_folder(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(_report()) == cli.EXIT_USAGE
    assert "sqlite:///mlflow.db: no such file mlflow.db" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"experiment,lesson\nx,y\n", "is not a SQLite database"),
        (b"", "is not an MLflow tracking database"),
    ],
)
def test_a_file_that_is_not_an_mlflow_store_is_refused_and_left_untouched(
    tmp_path: Path, content: bytes, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "results.db"
    db.write_bytes(content)
    uri = explog.sqlite_tracking_uri(db)
    assert cli.main(_report("--tracking-uri", uri)) == cli.EXIT_USAGE
    assert message in capsys.readouterr().err
    with pytest.raises(InputError, match=message):
        explog.log_experiment(COMPLETE, experiment="e", tracking_uri=uri)
    assert db.read_bytes() == content


def test_another_sqlite_database_is_left_untouched(tmp_path: Path) -> None:
    import sqlite3

    db = tmp_path / "sales.db"
    with sqlite3.connect(db) as connection:
        connection.execute("CREATE TABLE sales (amount REAL)")
    connection.close()
    before = db.read_bytes()
    with pytest.raises(InputError, match=r"sales\.db is not an MLflow tracking database"):
        explog.lessons(tracking_uri=explog.sqlite_tracking_uri(db))
    assert db.read_bytes() == before


def test_logging_creates_a_new_store_but_not_its_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"no such folder .*missing; create it first"):
        explog.log_experiment(
            COMPLETE,
            experiment="e",
            tracking_uri=explog.sqlite_tracking_uri(tmp_path / "missing" / "mlflow.db"),
        )
    assert list(tmp_path.iterdir()) == []


def test_unknown_render_format_is_refused() -> None:
    with pytest.raises(InputError, match="unknown format 'pdf'"):
        explog.render_lessons(pd.DataFrame(), "pdf")  # type: ignore[arg-type]


def test_importing_explog_changes_nothing_and_talking_to_a_store_turns_telemetry_off(
    tmp_path: Path,
) -> None:
    # A clean environment: none of the CI or pytest markers that MLflow also
    # treats as "do not send", so only our opt-out can turn it off.
    keep = {"PATH", "HOME", "LANG", "SYSTEMROOT", "VIRTUAL_ENV"}
    env = {key: value for key, value in os.environ.items() if key in keep}
    code = (
        "import os, sys, mlorg.explog as explog\n"
        "assert 'mlflow' not in sys.modules, 'importing explog imported MLflow'\n"
        "assert 'MLFLOW_DISABLE_TELEMETRY' not in os.environ, 'importing explog changed the env'\n"
        "explog.log_experiment(explog.ExperimentRecord(hypothesis='h'), experiment='e',\n"
        "    tracking_uri=explog.sqlite_tracking_uri('mlflow.db'))\n"
        "from mlflow.telemetry.client import get_telemetry_client\n"
        "from mlflow.telemetry.utils import is_telemetry_disabled\n"
        "print(os.environ['MLFLOW_DISABLE_TELEMETRY'], is_telemetry_disabled(),"
        " get_telemetry_client())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=tmp_path,
    )
    assert done.stdout.split() == ["true", "True", "None"]
