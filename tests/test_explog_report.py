"""The experiment log on a store written by plain MLflow, and annotating MLflow's own runs.

The store is written with MLflow's fluent API only, as a team that never heard
of mlorg would: a hyperparameter search whose child runs are nested under a
parent with autolog's parameter and metric names, a run that crashed, and a
run with metrics logged by hand step by step.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mlorg import cli, explog
from mlorg._explog.log import _log_rows
from mlorg._explog.tracking import _import_mlflow
from mlorg.errors import InputError
from mlorg.explog import ExperimentRecord

SEARCH = "tuning"


@pytest.fixture(autouse=True)
def _mlflow_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.chdir(tmp_path)
    yield
    mlflow = sys.modules.get("mlflow")
    if mlflow is not None:  # leave no active run or fluent store to the next test
        while mlflow.active_run() is not None:
            mlflow.end_run()
        mlflow.set_tracking_uri(None)


@pytest.fixture(scope="session")
def plain_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A store written with plain MLflow; returns the file and the run ids by role."""
    db = tmp_path_factory.mktemp("plain") / "mlflow.db"
    explog.quiet_mlflow()
    _import_mlflow()  # telemetry off before MLflow loads
    import mlflow

    mlflow.set_tracking_uri(explog.sqlite_tracking_uri(db))
    mlflow.set_experiment(SEARCH)
    ids: dict[str, str] = {}
    with mlflow.start_run(run_name="GridSearchCV") as parent:
        ids["parent"] = parent.info.run_id
        mlflow.log_params({"estimator": "DecisionTreeClassifier()", "cv": "3"})
        for depth in (1, 2, 3):
            with mlflow.start_run(run_name=f"depth {depth}", nested=True) as child:
                ids[f"child {depth}"] = child.info.run_id
                mlflow.log_params({"max_depth": str(depth), "criterion": "gini"})
                mlflow.log_metrics({"mean_test_score": 0.6 + depth / 10, "std_test_score": 0.02})
        mlflow.log_metrics({"best_cv_score": 0.9, "training_accuracy_score": 0.97})
    try:
        with mlflow.start_run(run_name="crashed") as crashed:
            ids["crashed"] = crashed.info.run_id
            mlflow.log_param("max_depth", "50")
            raise MemoryError  # MLflow ends the run as FAILED
    except MemoryError:
        pass
    with mlflow.start_run(run_name="by hand") as manual:
        ids["manual"] = manual.info.run_id
        for step, loss in enumerate([0.9, 0.5, 0.3]):
            mlflow.log_metric("loss", loss, step=step)
    mlflow.set_tracking_uri(None)
    return db, ids


@pytest.fixture
def plain(
    plain_template: tuple[Path, dict[str, str]], tmp_path: Path
) -> tuple[str, dict[str, str]]:
    db = tmp_path / "plain.db"
    shutil.copyfile(plain_template[0], db)
    return explog.sqlite_tracking_uri(db), plain_template[1]


def _lines_by_run(markdown: str) -> dict[str, str]:
    rows = markdown.splitlines()[2:]
    return {row.split(" | ")[0].removeprefix("| ").removeprefix("↳ "): row for row in rows}


def test_report_on_a_plain_mlflow_store_shows_ids_status_metrics_and_nesting(
    plain: tuple[str, dict[str, str]],
) -> None:
    uri, ids = plain
    text = explog.report(uri, SEARCH)
    lines = text.splitlines()
    assert lines[0].startswith("| run | run id | status | started | params | metrics |")
    names = [line.split(" | ")[0].removeprefix("| ") for line in lines[2:]]
    # the children follow their parent, marked; the other runs stand alone, oldest first
    assert names == ["GridSearchCV", "↳ depth 1", "↳ depth 2", "↳ depth 3", "crashed", "by hand"]
    by_run = _lines_by_run(text)
    for role, run_id in ids.items():
        assert f"| {run_id} |" in text, role
    assert "| **✗ FAILED** |" in by_run["crashed"]
    assert "run FAILED" in by_run["crashed"]
    assert "FAILED" not in by_run["by hand"]
    assert "mean_test_score=0.8" in by_run["depth 2"]
    assert "max_depth=2" in by_run["depth 2"]  # the parameter that differs between runs
    assert "loss=0.3" in by_run["by hand"]  # the latest value of a metric logged per step


def test_report_formats_carry_status_and_parent(plain: tuple[str, dict[str, str]]) -> None:
    uri, ids = plain
    runs = {run["run"]: run for run in json.loads(explog.report(uri, SEARCH, "json"))}
    assert runs["depth 1"]["parent_run_id"] == ids["parent"]
    assert runs["GridSearchCV"]["parent_run_id"] is None
    assert runs["crashed"]["status"] == "FAILED"
    assert runs["by hand"]["metrics"] == {"loss": 0.3}
    assert runs["depth 3"]["params"] == {"max_depth": "3", "criterion": "gini"}
    page = explog.report(uri, SEARCH, "html")
    failed = [line for line in page.splitlines() if "crashed" in line]
    assert failed
    assert failed[0].startswith('<tr class="mlorg-run-failed">')
    assert "<td><strong>✗ FAILED</strong></td>" in failed[0]


def test_direct_sqlite_reading_agrees_with_mlflows_client(
    plain: tuple[str, dict[str, str]],
) -> None:
    uri, _ = plain
    explog.record_outcome(
        plain[1]["manual"], ExperimentRecord(lesson="Loss still falls."), tracking_uri=uri
    )
    direct = _log_rows(uri, None)
    through_mlflow = _log_rows(uri, None, direct=False)
    assert direct == through_mlflow
    assert len(direct) == 6


def test_missing_keeps_only_the_runs_that_lack_the_field(
    plain: tuple[str, dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    uri, ids = plain
    explog.record_outcome(ids["manual"], ExperimentRecord(lesson="Train longer."), tracking_uri=uri)
    args = ["experiments", "report", "--tracking-uri", uri, "--missing", "lesson"]
    assert cli.main([*args, "--format", "json"]) == cli.EXIT_OK
    kept = {run["run"] for run in json.loads(capsys.readouterr().out)}
    assert kept == {"GridSearchCV", "depth 1", "depth 2", "depth 3", "crashed"}
    log = explog.lessons(uri, SEARCH)
    assert set(explog.runs_missing(log, ["lesson"])["run"]) == kept


def test_missing_names_an_unknown_field(
    plain: tuple[str, dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    uri, _ = plain
    with pytest.raises(SystemExit) as exit_:
        cli.main(["experiments", "report", "--tracking-uri", uri, "--missing", "lessons"])
    assert exit_.value.code == cli.EXIT_USAGE
    assert "invalid choice: 'lessons'" in capsys.readouterr().err
    with pytest.raises(InputError, match="unknown field 'lessons'"):
        explog.report(uri, missing=["lessons"])


def test_chosen_params_and_metrics_are_the_ones_shown(plain: tuple[str, dict[str, str]]) -> None:
    uri, _ = plain
    text = explog.report(uri, SEARCH, params=["criterion"], metrics=["std_test_score"])
    row = _lines_by_run(text)["depth 1"]
    assert "criterion=gini" in row
    assert "std_test_score=0.02" in row
    assert "max_depth" not in row
    assert "mean_test_score" not in row


def test_the_report_leaves_the_store_byte_for_byte_unchanged(
    plain: tuple[str, dict[str, str]],
) -> None:
    uri, _ = plain
    db = Path(uri.removeprefix("sqlite:///"))
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    assert cli.main(["experiments", "report", "--tracking-uri", uri]) == cli.EXIT_OK
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in db.parent.iterdir() if p.name.startswith("plain")) == ["plain.db"]


def test_the_report_on_sqlite_loads_neither_mlflow_nor_pandas_nor_sqlalchemy(
    plain: tuple[str, dict[str, str]],
) -> None:
    uri, _ = plain
    code = (
        "import sys\nfrom mlorg import cli\n"
        f"assert cli.main(['experiments', 'report', '--tracking-uri', {uri!r}]) == 0\n"
        "print(sorted({'mlflow', 'pandas', 'sqlalchemy'} & set(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "[]"


def test_the_cli_offers_the_fields_of_the_log() -> None:
    assert cli._CHECKED_FIELDS == explog.CHECKED_FIELDS


# -- the chapter's plan fields ------------------------------------------------------


def test_plan_fields_are_stored_as_tags_and_reported(plain: tuple[str, dict[str, str]]) -> None:
    uri, ids = plain
    plan = ExperimentRecord(
        hypothesis="A deeper tree raises mean CV accuracy by 5 points.",
        decision_rule="adopt if the gain is at least twice the fold spread",
        oec="sessions per user",
        guardrails=["p95 latency", "error rate"],
        minimum_effect="1% sessions per user",
    )
    explog.log_experiment(plan, run_id=ids["child 3"], tracking_uri=uri)
    log = explog.lessons(uri, SEARCH).set_index("run")
    assert log.loc["depth 3", "guardrails"] == ["p95 latency", "error rate"]
    assert log.loc["depth 3", "oec"] == "sessions per user"
    assert log.loc["depth 2", "decision_rule"] is None
    text = explog.render_lessons(log.reset_index())
    assert "| decision rule | oec | guardrails | minimum effect | flags |" in text
    assert "| p95 latency; error rate |" in _lines_by_run(text)["depth 3"]
    assert set(explog.runs_missing(log.reset_index(), ["decision_rule"])["run"]) == {
        "GridSearchCV",
        "depth 1",
        "depth 2",
        "crashed",
        "by hand",
    }


def test_guardrails_must_be_names() -> None:
    assert ExperimentRecord(guardrails="p95 latency").guardrails == ("p95 latency",)
    with pytest.raises(InputError, match="guardrails must be names"):
        ExperimentRecord(guardrails=[0.95])  # type: ignore[list-item]


# -- annotating MLflow's own runs ------------------------------------------------------


def _fluent(uri: str) -> object:
    _import_mlflow()
    import mlflow

    mlflow.set_tracking_uri(uri)
    mlflow.set_experiment(SEARCH)
    return mlflow


def test_inside_start_run_the_active_run_is_annotated_not_a_second_one(
    plain: tuple[str, dict[str, str]],
) -> None:
    uri, _ = plain
    import mlflow

    _fluent(uri)
    with mlflow.start_run(run_name="annotated") as run:
        mlflow.log_metric("accuracy", 0.91)
        returned = explog.log_experiment(
            ExperimentRecord(hypothesis="h", decision_rule="adopt if accuracy > 0.9"),
            params={"model": "tree"},
            seed=3,
        )
        explog.record_outcome(None, ExperimentRecord(result="0.91", decision="adopt"))
        assert mlflow.active_run() is not None  # still open: MLflow ends it
    assert returned == run.info.run_id
    log = explog.lessons(uri, SEARCH)
    assert len(log) == 7  # the six runs of the store and this one, not two
    mine = log.set_index("run").loc["annotated"]
    assert mine["status"] == "FINISHED"
    assert (mine["metrics.accuracy"], mine["params.model"], mine["seed"]) == (0.91, "tree", "3")
    assert (mine["hypothesis"], mine["decision"]) == ("h", "adopt")


def test_a_given_run_is_annotated(plain: tuple[str, dict[str, str]]) -> None:
    uri, ids = plain
    explog.log_experiment(
        ExperimentRecord(hypothesis="Depth 2 is enough."),
        run_id=ids["child 2"],
        experiment=SEARCH,
        tracking_uri=uri,
        metrics={"holdout_accuracy": 0.93},
    )
    row = explog.lessons(uri, SEARCH).set_index("run").loc["depth 2"]
    assert row["hypothesis"] == "Depth 2 is enough."
    assert row["metrics.holdout_accuracy"] == 0.93
    assert row["metrics.mean_test_score"] == pytest.approx(0.8)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"experiment": "other"}, "belongs to experiment 'tuning', not 'other'"),
        ({"params": {"max_depth": "7"}}, "already has the parameter max_depth='2'"),
    ],
)
def test_annotating_a_run_refuses_what_mlflow_would_get_wrong(
    plain: tuple[str, dict[str, str]], kwargs: dict[str, object], message: str
) -> None:
    uri, ids = plain
    db = Path(uri.removeprefix("sqlite:///"))
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    with pytest.raises(InputError, match=message):
        explog.log_experiment(
            ExperimentRecord(hypothesis="h"),
            run_id=ids["child 2"],
            tracking_uri=uri,
            **kwargs,  # type: ignore[arg-type]
        )
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


def test_without_a_run_or_an_experiment_there_is_nothing_to_annotate(
    plain: tuple[str, dict[str, str]],
) -> None:
    uri, _ = plain
    with pytest.raises(InputError, match="no run to annotate"):
        explog.record_outcome(None, ExperimentRecord(lesson="l"), tracking_uri=uri)
    with pytest.raises(InputError, match="no run to annotate"):
        explog.log_experiment(ExperimentRecord(hypothesis="h"), tracking_uri=uri)
