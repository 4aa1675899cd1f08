"""The REST reader of a tracking server (mlorg._explog.rest), against a stand-in server.

The real thing, an MLflow server in front of PostgreSQL, is in
test_explog_server.py (``-m server``), which checks that this reader gives
the rows MLflow's client gives. Here a small HTTP server on 127.0.0.1
answers with what MLflow's server sends, so that what a real server
rarely does on cue (a 503 before it answers, a token, NaN) is checked too.
"""

from __future__ import annotations

import http.server
import json
import math
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from mlorg._explog import rest
from mlorg._explog.rows import ExperimentNotFound
from mlorg.errors import InputError

RUN = {
    "info": {
        "run_id": "a" * 32,
        "run_name": "fit",
        "experiment_id": "1",
        "status": "FAILED",
        "start_time": "1796186033191",  # protobuf's JSON may write an int64 as text
    },
    "data": {
        "params": [{"key": "depth", "value": "3"}],
        "metrics": [
            {"key": "loss", "value": "NaN", "timestamp": 1, "step": 0},
            {"key": "accuracy", "value": 0.9, "timestamp": 1, "step": 0},
        ],
        "tags": [{"key": "mlorg.hypothesis", "value": "deeper helps"}],
    },
}


class _StandIn(http.server.BaseHTTPRequestHandler):
    answers: list[tuple[int, Any]]
    seen: list[tuple[str, dict[str, Any] | None, str | None]]

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        self.seen.append((self.path, body, self.headers.get("Authorization")))
        status, answer = self.answers.pop(0)
        data = answer.encode() if isinstance(answer, str) else json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _answer

    def log_message(self, *args: object) -> None:  # quiet
        pass


@pytest.fixture
def stand_in(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[_StandIn]]:
    for name in ("MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD", "MLFLOW_TRACKING_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", "0")
    handler = type("Handler", (_StandIn,), {"answers": [], "seen": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    handler.url = f"http://127.0.0.1:{server.server_address[1]}"  # type: ignore[attr-defined]
    yield handler
    server.shutdown()
    server.server_close()


def test_runs_are_read_page_by_page_after_a_retried_503(stand_in, monkeypatch) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", "t0ken")
    second = {**RUN, "info": {**RUN["info"], "run_id": "b" * 32}}
    stand_in.answers = [
        (200, {"experiment": {"experiment_id": "1", "name": "e", "lifecycle_stage": "active"}}),
        (503, "busy"),
        (200, {"runs": [RUN], "next_page_token": "page2"}),
        (200, {"runs": [second]}),
    ]
    found = rest.read_server(stand_in.url, "e")
    assert found is not None
    names, runs = found
    assert names == {"1": "e"}
    assert [run.run_id for run in runs] == ["a" * 32, "b" * 32]
    first = runs[0]
    assert (first.name, first.status, first.start_time) == ("fit", "FAILED", 1796186033191)
    assert first.params == {"depth": "3"}
    assert math.isnan(first.metrics["loss"])
    assert first.metrics["accuracy"] == 0.9
    assert first.tags == {"mlorg.hypothesis": "deeper helps"}
    paths = [path for path, _, _ in stand_in.seen]
    assert paths == [
        "/api/2.0/mlflow/experiments/get-by-name?experiment_name=e",
        *["/api/2.0/mlflow/runs/search"] * 3,
    ]
    assert stand_in.seen[-1][1]["page_token"] == "page2"
    assert stand_in.seen[-1][1]["order_by"] == ["attributes.start_time ASC"]
    assert {auth for _, _, auth in stand_in.seen} == {"Bearer t0ken"}


def test_credentials_in_the_uri_are_sent_as_basic_auth_not_in_the_url(stand_in) -> None:
    stand_in.answers = [(200, {"experiments": []})]
    uri = stand_in.url.replace("http://", "http://ml:s3%40cret@")
    assert rest.read_server(uri, None) == ({}, [])
    ((path, _, auth),) = stand_in.seen
    assert path == "/api/2.0/mlflow/experiments/search"
    assert auth == "Basic bWw6czNAY3JldA=="  # ml:s3@cret


def test_a_missing_experiment_names_the_active_ones(stand_in) -> None:
    stand_in.answers = [
        (404, {"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "no experiment"}),
        (200, {"experiments": [{"experiment_id": "0", "name": "Default"}]}),
    ]
    with pytest.raises(ExperimentNotFound) as raised:
        rest.read_server(stand_in.url, "typo")
    assert raised.value.args == ("not found", ["Default"])


@pytest.mark.parametrize(
    ("status", "answer", "message"),
    [
        (
            401,
            "You are not authenticated.",
            (
                "API request to endpoint /api/2.0/mlflow/experiments/search failed with error "
                "code 401 != 200. Response body: 'You are not authenticated.'"
            ),
        ),
        (
            400,
            {"error_code": "INVALID_PARAMETER_VALUE", "message": "bad\nsecond line"},
            "INVALID_PARAMETER_VALUE: bad",
        ),
        (200, "<html>a proxy's page</html>", "answered with what is not JSON"),
    ],
)
def test_an_error_answer_is_mlflows_message_in_one_line(stand_in, status, answer, message) -> None:
    stand_in.answers = [(status, answer)]
    with pytest.raises(InputError) as raised:
        rest.read_server(stand_in.url, None)
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize(
    ("uri", "setting"),
    [
        ("sqlite:///mlflow.db", None),
        ("databricks", None),
        ("http://host:port", None),
        ("http://host:5000", "MLFLOW_TRACKING_AUTH"),
        ("http://host:5000", "MLFLOW_TRACKING_AWS_SIGV4"),
    ],
)
def test_what_only_mlflows_client_can_do_is_left_to_it(uri, setting, monkeypatch) -> None:
    if setting is not None:
        monkeypatch.setenv(setting, "x")
    assert rest.needs_mlflow(uri)
    assert rest.read_server(uri, None) is None


def test_a_plain_server_is_read_directly(monkeypatch) -> None:
    for name in ("MLFLOW_TRACKING_AUTH", "MLFLOW_TRACKING_AWS_SIGV4"):
        monkeypatch.delenv(name, raising=False)
    assert not rest.needs_mlflow("https://mlflow.example.org")
