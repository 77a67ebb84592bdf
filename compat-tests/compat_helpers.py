"""Raw REST access to a trackbridge server, and assertions on MLflow's error shape.

The scenario tests drive the real mlflow client; these helpers are for what the
client cannot send (over-limit batches, malformed bodies) and for checking the
exact wire answer.
"""

from __future__ import annotations

import time
import uuid

import requests

API = "/api/2.0/mlflow"


class Api:
    def __init__(self, base_url: str):
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()

    def url(self, path: str) -> str:
        if path.startswith("/"):
            return self.base_url + path
        return f"{self.base_url}{API}/{path}"

    def post(self, path: str, body=None, *, data=None, headers=None, timeout=60):
        if data is not None:
            return self.session.post(self.url(path), data=data, headers=headers, timeout=timeout)
        return self.session.post(self.url(path), json=body if body is not None else {},
                                 headers=headers, timeout=timeout)

    def get(self, path: str, params=None, timeout=60):
        return self.session.get(self.url(path), params=params, timeout=timeout)

    # -- small conveniences, each one call -------------------------------------------

    def ok(self, resp: requests.Response) -> dict:
        assert resp.status_code == 200, (
            f"{resp.request.method} {resp.request.url} -> {resp.status_code}: {resp.text[:2000]}"
        )
        return resp.json() if resp.content.strip() else {}

    def create_experiment(self, name: str, tags: dict | None = None) -> str:
        body = {"name": name}
        if tags:
            body["tags"] = [{"key": k, "value": v} for k, v in tags.items()]
        return self.ok(self.post("experiments/create", body))["experiment_id"]

    def create_run(self, experiment_id: str, run_name: str | None = None,
                   start_time: int | None = None, tags: dict | None = None) -> str:
        body = {"experiment_id": experiment_id,
                "start_time": start_time if start_time is not None else now_ms()}
        if run_name is not None:
            body["run_name"] = run_name
        if tags:
            body["tags"] = [{"key": k, "value": v} for k, v in tags.items()]
        return self.ok(self.post("runs/create", body))["run"]["info"]["run_id"]

    def get_run(self, run_id: str) -> dict:
        return self.ok(self.get("runs/get", {"run_id": run_id}))["run"]

    def log_batch(self, run_id: str, metrics=(), params=(), tags=()) -> requests.Response:
        return self.post("runs/log-batch", {
            "run_id": run_id,
            "metrics": list(metrics),
            "params": list(params),
            "tags": list(tags),
        })


def now_ms() -> int:
    return int(time.time() * 1000)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def run_data(run: dict) -> tuple[dict, dict, dict]:
    """(params, latest metrics, tags) of a raw runs/get answer, as plain dicts."""
    data = run.get("data", {})
    params = {p["key"]: p.get("value", "") for p in data.get("params", [])}
    metrics = {m["key"]: m["value"] for m in data.get("metrics", [])}
    tags = {t["key"]: t.get("value", "") for t in data.get("tags", [])}
    return params, metrics, tags


def assert_mlflow_error(resp: requests.Response, status: int, error_code: str | None = None,
                        message_contains: str | None = None) -> dict:
    """The answer is MLflow's error JSON {"error_code", "message"} with this HTTP status."""
    where = f"{resp.request.method} {resp.request.url}"
    assert resp.status_code == status, (
        f"{where}: expected HTTP {status}, got {resp.status_code}: {resp.text[:2000]}"
    )
    try:
        body = resp.json()
    except ValueError:
        raise AssertionError(f"{where}: error body is not JSON: {resp.text[:2000]!r}") from None
    assert isinstance(body, dict), f"{where}: error body is not a JSON object: {body!r}"
    assert isinstance(body.get("error_code"), str), f"{where}: no string error_code in {body!r}"
    assert isinstance(body.get("message"), str) and body["message"], (
        f"{where}: no message in {body!r}"
    )
    if error_code is not None:
        assert body["error_code"] == error_code, f"{where}: {body!r}"
    if message_contains is not None:
        assert message_contains in body["message"], f"{where}: {body!r}"
    return body


def assert_client_error(resp: requests.Response, error_code: str = "INVALID_PARAMETER_VALUE",
                        message_contains: str | None = None) -> dict:
    """A 4xx MLflow error whose HTTP status matches its code (never a 5xx)."""
    status = {
        "INVALID_PARAMETER_VALUE": 400,
        "BAD_REQUEST": 400,
        "RESOURCE_ALREADY_EXISTS": 400,
        "RESOURCE_DOES_NOT_EXIST": 404,
    }[error_code]
    return assert_mlflow_error(resp, status, error_code, message_contains)

