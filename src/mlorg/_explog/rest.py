"""Reading the experiment log from an MLflow tracking server over its REST API, without MLflow.

Private to :mod:`mlorg.explog`. ``mlorg experiments report`` against a
tracking server spent most of its time importing MLflow (1.4 s on an idle
2-core machine, several seconds under load: ``python -X importtime``), for
three requests: find the experiments, then search their runs a page at a
time. :func:`read_server` sends those same requests (MLflow's REST API 2.0:
``experiments/get-by-name``, ``experiments/search``, ``runs/search``) with
the standard library and turns the answer into :class:`~mlorg._explog.rows.RunData`,
as :func:`~mlorg._explog.rows.read_sqlite` does for a SQLite file.

It does what MLflow's client does with the same settings: credentials from
``MLFLOW_TRACKING_USERNAME`` and ``MLFLOW_TRACKING_PASSWORD``, else from the
URI (``http://user:password@host``); a bearer token from
``MLFLOW_TRACKING_TOKEN``; certificates checked against certifi's bundle,
as ``requests`` does; ``MLFLOW_HTTP_REQUEST_TIMEOUT``,
``MLFLOW_HTTP_REQUEST_MAX_RETRIES`` and ``MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR``
(MLflow's defaults: 120 s, 7 and 2), with retries on the same statuses; and
an error answer becomes the message MLflow would give. HTTPS is checked as
``requests`` checks it for MLflow (see :func:`_tls_context`). Where MLflow
would do more (an authentication plugin named by ``MLFLOW_TRACKING_AUTH``,
AWS request signing, a plugin adding request headers),
:func:`read_server` returns ``None`` and the caller asks MLflow's client
instead.
"""

from __future__ import annotations

import base64
import json
import math
import os
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from http.client import HTTPException
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlencode, urlsplit, urlunsplit

from mlorg._explog.records import _PAGE
from mlorg._explog.rows import ExperimentNotFound, RunData
from mlorg.errors import InputError, first_line

__all__ = ["needs_mlflow", "read_server"]

#: Settings with which MLflow's client does more than send a request: an
#: authentication plugin, AWS request signing. Then MLflow's client reads the log.
_MLFLOW_ONLY_SETTINGS = ("MLFLOW_TRACKING_AUTH", "MLFLOW_TRACKING_AWS_SIGV4")
#: Entry-point groups through which plugins change MLflow's requests.
_PLUGIN_GROUPS = ("mlflow.request_header_provider", "mlflow.request_auth_provider")
#: Statuses MLflow's client retries (``mlflow.utils.request_utils``).
_RETRIED = frozenset({429, 500, 502, 503, 504})


def needs_mlflow(uri: str) -> bool:
    """Whether MLflow's client must read this store (anything but a plain HTTP(S) server).

    >>> needs_mlflow("sqlite:///mlflow.db"), needs_mlflow("databricks")
    (True, True)
    """
    try:
        parts = urlsplit(uri)
        parts.port  # noqa: B018 (raises ValueError for a port that is not a number)
    except ValueError:
        return True  # malformed: MLflow's path reports it as it always has
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        return True
    if any(os.environ.get(name) for name in _MLFLOW_ONLY_SETTINGS):
        return True
    # here, not on import: importlib.metadata takes tenths of a second to load
    from importlib.metadata import entry_points

    return any(entry_points(group=group) for group in _PLUGIN_GROUPS)


def read_server(uri: str, experiment: str | None) -> tuple[dict[str, str], list[RunData]] | None:
    """Read the active runs of one experiment (or of every active one) from a tracking server.

    Returns the experiments (id -> name) and their runs, oldest first (ties
    by run id, the server's order), as MLflow's ``search_runs`` gives them;
    or ``None`` when :func:`needs_mlflow` says MLflow's client must do it.

    Raises:
        ExperimentNotFound: ``experiment`` is not an active experiment there.
        InputError: the server cannot be reached, or answers with an error;
            the message is one line (its credentials are not yet hidden).
    """
    if needs_mlflow(uri):
        return None
    server = _Server(uri)
    if experiment is None:
        names: dict[str, str] = {}
        token = None
        while True:
            search = {"max_results": _PAGE, "view_type": "ACTIVE_ONLY", "page_token": token}
            page = server.call("experiments/search", search)
            names.update({e["experiment_id"]: e["name"] for e in page.get("experiments", [])})
            token = page.get("next_page_token")
            if not token:
                break
    else:
        found = server.experiment(experiment)
        if found is None or found.get("lifecycle_stage") != "active":
            page = server.call(
                "experiments/search", {"max_results": 50, "view_type": "ACTIVE_ONLY"}
            )
            known = sorted(e["name"] for e in page.get("experiments", []))
            raise ExperimentNotFound("is deleted" if found else "not found", known)
        names = {found["experiment_id"]: found["name"]}
    runs: list[RunData] = []
    if not names:
        return names, runs
    token = None
    while True:
        search = {
            "experiment_ids": list(names),
            "max_results": _PAGE,
            "order_by": ["attributes.start_time ASC"],
            "run_view_type": "ACTIVE_ONLY",
            "page_token": token,
        }
        page = server.call("runs/search", search)
        runs += [_run_data(run) for run in page.get("runs", [])]
        token = page.get("next_page_token")
        if not token:
            return names, runs


def _run_data(run: Mapping[str, Any]) -> RunData:
    """A run of the REST API's JSON, as MLflow's ``Run.from_proto`` would read it."""
    info, data = run.get("info", {}), run.get("data", {})
    start = info.get("start_time")
    return RunData(
        run_id=str(info.get("run_id") or info["run_uuid"]),  # older servers: run_uuid only
        name=str(info.get("run_name", "")),  # a missing proto field reads as ""
        experiment_id=str(info["experiment_id"]),
        status=str(info.get("status", "RUNNING")),  # proto enum's default
        start_time=int(start) if start is not None else 0,
        params={p["key"]: p.get("value", "") for p in data.get("params", [])},
        metrics={m["key"]: _number(m.get("value", 0.0)) for m in data.get("metrics", [])},
        tags={t["key"]: t.get("value", "") for t in data.get("tags", [])},
    )


def _number(value: object) -> float:
    # protobuf's JSON writes NaN and infinities as the strings "NaN", "Infinity", "-Infinity"
    number = float(value)  # type: ignore[arg-type]
    return math.nan if math.isnan(number) else number


def _setting(name: str, default: float) -> float:
    text = os.environ.get(name)
    if text is None or not text.strip():
        return default
    try:
        return float(text)
    except ValueError:
        msg = f"{name}={text!r}: not a number"
        raise InputError(msg) from None


class _Server:
    """The REST API of one tracking server, with MLflow's client settings."""

    def __init__(self, uri: str) -> None:
        parts = urlsplit(uri)
        host = parts.hostname or ""
        if ":" in host:  # an IPv6 address
            host = f"[{host}]"
        netloc = host if parts.port is None else f"{host}:{parts.port}"
        self.base = urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))
        self.headers = {"Content-Type": "application/json", "User-Agent": "mlorg"}
        # MLflow's order: its two variables, else its token, else what the URI
        # carries (which requests, under MLflow's client, would send)
        user = os.environ.get("MLFLOW_TRACKING_USERNAME")
        password = os.environ.get("MLFLOW_TRACKING_PASSWORD")
        token = os.environ.get("MLFLOW_TRACKING_TOKEN")
        if not (user and password) and not token and parts.username is not None:
            user, password = unquote(parts.username), unquote(parts.password or "")
        if user and password is not None and (password or not token):
            pair = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
            self.headers["Authorization"] = f"Basic {pair}"
        elif token:
            self.headers["Authorization"] = f"Bearer {token}"
        self.timeout = _setting("MLFLOW_HTTP_REQUEST_TIMEOUT", 120)
        self.retries = int(_setting("MLFLOW_HTTP_REQUEST_MAX_RETRIES", 7))
        self.backoff = _setting("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", 2)
        self.context = _tls_context() if parts.scheme.lower() == "https" else None

    def experiment(self, name: str) -> dict[str, Any] | None:
        """The experiment of that name, deleted or not; ``None`` if there is none."""
        query = urlencode({"experiment_name": name})
        answer = self.call(f"experiments/get-by-name?{query}", None, missing_ok=True)
        return None if answer is None else dict(answer["experiment"])

    def call(self, endpoint: str, body: dict[str, Any] | None, *, missing_ok: bool = False) -> Any:
        """POST ``body`` (GET without one) to ``/api/2.0/mlflow/<endpoint>``; the answer's JSON."""
        path = f"/api/2.0/mlflow/{endpoint}"
        shown = path.split("?", maxsplit=1)[0]  # the endpoint, without its query
        payload = None
        if body is not None:
            payload = json.dumps({k: v for k, v in body.items() if v is not None}).encode()
        attempt = 0
        while True:
            request = urllib.request.Request(self.base + path, data=payload, headers=self.headers)
            try:
                with urllib.request.urlopen(
                    request, timeout=self.timeout, context=self.context
                ) as response:
                    text = response.read().decode("utf-8", errors="replace")
                break
            except urllib.error.HTTPError as error:
                status, text = error.code, error.read().decode("utf-8", errors="replace")
                if status in _RETRIED and attempt < self.retries:
                    attempt = self._wait(attempt)
                    continue
                answer = _json_object(text)
                code = answer.get("error_code") if answer else None
                if missing_ok and code == "RESOURCE_DOES_NOT_EXIST":
                    return None
                if answer is not None:  # what MLflow raises as a RestException
                    msg = f"{code}: {first_line(str(answer.get('message', '')))}"
                else:
                    msg = (
                        f"API request to endpoint {shown} failed with error code "
                        f"{status} != 200. Response body: '{first_line(text)}'"
                    )
                raise InputError(msg) from None
            except (OSError, HTTPException) as error:
                # refused, reset or timed out (URLError is an OSError); an
                # answer cut short (http.client.IncompleteRead)
                if attempt < self.retries:
                    attempt = self._wait(attempt)
                    continue
                reason = getattr(error, "reason", None) or error
                msg = (
                    f"API request to {self.base}{shown} failed with exception "
                    f"{first_line(str(reason))}"
                )
                raise InputError(msg) from None
        answer = _json_object(text)
        if answer is None:
            msg = (
                f"API request to {shown} answered with what is not JSON: {first_line(text)[:200]!r}"
            )
            raise InputError(msg)
        return answer

    def _wait(self, attempt: int) -> int:
        # urllib3's Retry, as MLflow configures it: no wait before the first
        # retry, then backoff * 2 ** (retry - 1) seconds, at most 120
        if attempt > 0:
            time.sleep(min(self.backoff * 2**attempt, 120))
        return attempt + 1


def _json_object(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _tls_context() -> ssl.SSLContext:
    """How MLflow's client (through ``requests``) checks an HTTPS server, from the same settings.

    ``MLFLOW_TRACKING_INSECURE_TLS=true``: not at all; else against the CA
    bundle in ``MLFLOW_TRACKING_SERVER_CERT_PATH``, ``REQUESTS_CA_BUNDLE`` or
    ``CURL_CA_BUNDLE`` (a file, or a folder of certificates), else against
    certifi's bundle where installed; ``MLFLOW_TRACKING_CLIENT_CERT_PATH``
    is the client's own certificate and key (one file).
    """
    if os.environ.get("MLFLOW_TRACKING_INSECURE_TLS", "").strip().lower() == "true":
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    else:
        bundle = (
            os.environ.get("MLFLOW_TRACKING_SERVER_CERT_PATH")
            or os.environ.get("REQUESTS_CA_BUNDLE")
            or os.environ.get("CURL_CA_BUNDLE")
        )
        if bundle and Path(bundle).is_dir():
            context = ssl.create_default_context(capath=bundle)
        elif bundle:
            context = ssl.create_default_context(cafile=bundle)
        else:
            try:
                import certifi
            except ImportError:
                context = ssl.create_default_context()
            else:
                context = ssl.create_default_context(cafile=certifi.where())
    client = os.environ.get("MLFLOW_TRACKING_CLIENT_CERT_PATH")
    if client:
        context.load_cert_chain(client)
    return context
