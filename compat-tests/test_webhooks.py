"""Webhooks with the real client: create, list, get, update, delete and test through
MlflowClient's webhook API, and registry events delivered to a receiver in this test with
signatures checked as MLflow documents them (and as MLflow's own signing code computes them).

The module's server allows private targets (the receiver listens on 127.0.0.1); the last test
restarts a store without that flag and shows that nothing is sent to a loopback receiver then.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from mlflow import MlflowClient
from mlflow.entities.webhook import WebhookEvent, WebhookStatus
from mlflow.exceptions import MlflowException
from mlflow.webhooks.constants import (
    WEBHOOK_DELIVERY_ID_HEADER,
    WEBHOOK_SIGNATURE_HEADER,
    WEBHOOK_TIMESTAMP_HEADER,
)
from mlflow.webhooks.delivery import _generate_hmac_signature

from compat_helpers import unique

SERVER_ARGS = ("--webhooks-allow-private",)
SECRET = "receiver-shared-secret"


class Receiver:
    """A local HTTP endpoint that records every POST and answers `status`."""

    def __init__(self):
        self.hits: list[dict] = []
        self.status = 200
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver.lock:
                    receiver.hits.append({"path": self.path, "headers": dict(self.headers), "body": body})
                self.send_response(receiver.status)
                self.end_headers()
                self.wfile.write(b"thanks")

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def at(self, path: str) -> list[dict]:
        with self.lock:
            return [h for h in self.hits if h["path"] == path]

    def wait_for(self, path: str, count: int, timeout: float = 15.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.at(path)
            if len(got) >= count:
                return got
            time.sleep(0.05)
        return self.at(path)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def receiver():
    r = Receiver()
    yield r
    r.close()


def verify(hit: dict, secret: str) -> dict:
    """Checks a delivery as a receiver following MLflow's docs would, and returns its JSON."""
    headers = {k.lower(): v for k, v in hit["headers"].items()}
    delivery_id = headers[WEBHOOK_DELIVERY_ID_HEADER.lower()]
    timestamp = headers[WEBHOOK_TIMESTAMP_HEADER.lower()]
    signature = headers[WEBHOOK_SIGNATURE_HEADER.lower()]
    assert abs(time.time() - int(timestamp)) < 300, "a fresh timestamp"
    payload = hit["body"].decode("utf-8")
    mac = hmac.new(secret.encode(), f"{delivery_id}.{timestamp}.{payload}".encode(), hashlib.sha256).digest()
    expected = "v1," + base64.b64encode(mac).decode()
    assert hmac.compare_digest(signature, expected)
    # The same value MLflow's own server would have signed the same delivery with.
    assert signature == _generate_hmac_signature(secret, delivery_id, timestamp, payload)
    assert headers["content-type"] == "application/json"
    return json.loads(payload)


def test_webhook_crud_through_the_client(tracking, receiver):
    crud_path = "/" + unique("crud")
    client = MlflowClient()
    name = unique("ci")
    hook = client.create_webhook(
        name=name,
        url=receiver.url(crud_path),
        events=["model_version.created", WebhookEvent("model_version_alias", "created")],
        description="notify CI",
        secret=SECRET,
    )
    assert hook.name == name
    assert hook.url == receiver.url(crud_path)
    assert hook.description == "notify CI"
    assert hook.status == WebhookStatus.ACTIVE
    assert [str(e) for e in hook.events] == ["model_version.created", "model_version_alias.created"]
    assert hook.creation_timestamp == hook.last_updated_timestamp > 0

    got = client.get_webhook(hook.webhook_id)
    assert (got.webhook_id, got.name, [str(e) for e in got.events]) == (hook.webhook_id, name, [str(e) for e in hook.events])
    # The secret is write-only: no answer carries it.
    raw = requests.get(f"{tracking.url}/api/2.0/mlflow/webhooks/{hook.webhook_id}", timeout=30)
    assert raw.status_code == 200 and SECRET not in raw.text

    updated = client.update_webhook(hook.webhook_id, status="DISABLED", description="paused",
                                    events=["prompt_version.created"])
    assert updated.status == WebhookStatus.DISABLED
    assert updated.description == "paused"
    assert [str(e) for e in updated.events] == ["prompt_version.created"]
    assert updated.name == name
    assert updated.last_updated_timestamp >= hook.last_updated_timestamp

    extra = [client.create_webhook(name=unique("page"), url=receiver.url(crud_path), events=["prompt.created"])
             for _ in range(3)]
    first = client.list_webhooks(max_results=2)
    assert len(first) == 2 and first.token
    rest = client.list_webhooks(max_results=100, page_token=first.token)
    listed = {w.webhook_id for w in first} | {w.webhook_id for w in rest}
    assert {hook.webhook_id, *(w.webhook_id for w in extra)} <= listed

    for w in [hook, *extra]:
        client.delete_webhook(w.webhook_id)
    with pytest.raises(MlflowException) as err:
        client.get_webhook(hook.webhook_id)
    assert err.value.error_code == "RESOURCE_DOES_NOT_EXIST"

    with pytest.raises(MlflowException) as err:
        client.create_webhook(name="-bad-", url=receiver.url(crud_path), events=["model_version.created"])
    assert err.value.error_code == "INVALID_PARAMETER_VALUE"
    with pytest.raises(MlflowException, match="scheme"):
        client.create_webhook(name="ok", url="ftp://example.com/x", events=["model_version.created"])


def test_test_webhook_sends_a_signed_example(tracking, receiver):
    probe_path = "/" + unique("probe")
    client = MlflowClient()
    hook = client.create_webhook(name=unique("probe"), url=receiver.url(probe_path),
                                 events=["model_version_tag.set", "registered_model.created"], secret=SECRET)
    result = client.test_webhook(hook.webhook_id)
    assert result.success is True
    assert result.response_status == 200
    assert result.response_body == "thanks"
    assert result.error_message is None
    [hit] = receiver.at(probe_path)
    body = verify(hit, SECRET)
    assert (body["entity"], body["action"]) == ("model_version_tag", "set")
    assert body["data"] == {"name": "example_model", "version": "1", "key": "example_key", "value": "example_value"}

    result = client.test_webhook(hook.webhook_id, event=WebhookEvent("prompt_alias", "created"))
    assert result.success
    body = verify(receiver.at(probe_path)[1], SECRET)
    assert body["data"] == {"name": "example_prompt", "alias": "example_alias", "version": "1"}

    receiver.status = 500
    try:
        failed = client.test_webhook(hook.webhook_id)
    finally:
        receiver.status = 200
    assert failed.success is False
    assert failed.response_status == 500
    client.delete_webhook(hook.webhook_id)


def test_registry_events_are_delivered_signed(tracking, receiver):
    events_path, plain_path, off_path = ("/" + unique(p) for p in ("events", "plain", "off"))
    client = MlflowClient()
    events = ["registered_model.created", "model_version.created", "model_version_tag.set",
              "model_version_tag.deleted", "model_version_alias.created", "model_version_alias.deleted"]
    hook = client.create_webhook(name=unique("events"), url=receiver.url(events_path), events=events, secret=SECRET)
    unsigned = client.create_webhook(name=unique("plain"), url=receiver.url(plain_path), events=["model_version_alias.created"])
    disabled = client.create_webhook(name=unique("off"), url=receiver.url(off_path), events=events, status="DISABLED")

    import mlflow

    model = unique("clf")
    with mlflow.start_run() as run:
        mlflow.log_text("weights", "model/weights.txt")
    client.create_registered_model(model, tags={"team": "ml"}, description="a classifier")
    version = client.create_model_version(model, f"runs:/{run.info.run_id}/model", run_id=run.info.run_id,
                                          tags={"stage": "dev"})
    client.set_model_version_tag(model, version.version, "validated", "yes")
    client.delete_model_version_tag(model, version.version, "validated")
    client.set_registered_model_alias(model, "champion", version.version)
    client.delete_registered_model_alias(model, "champion")

    hits = receiver.wait_for(events_path, 6)
    got = {(b["entity"], b["action"]): b for b in (verify(h, SECRET) for h in hits)}
    assert set(got) == {tuple(e.split(".")) for e in events}
    assert got[("registered_model", "created")]["data"] == {"name": model, "tags": {"team": "ml"}, "description": "a classifier"}
    created = got[("model_version", "created")]["data"]
    assert (created["name"], created["version"], created["run_id"], created["tags"]) == (model, version.version, run.info.run_id, {"stage": "dev"})
    assert got[("model_version_tag", "set")]["data"] == {"name": model, "version": version.version, "key": "validated", "value": "yes"}
    assert got[("model_version_tag", "deleted")]["data"] == {"name": model, "version": version.version, "key": "validated"}
    assert got[("model_version_alias", "created")]["data"] == {"name": model, "alias": "champion", "version": version.version}
    assert got[("model_version_alias", "deleted")]["data"] == {"name": model, "alias": "champion"}

    [plain] = receiver.wait_for(plain_path, 1)
    assert WEBHOOK_SIGNATURE_HEADER.lower() not in {k.lower() for k in plain["headers"]}
    time.sleep(0.5)
    assert receiver.at(off_path) == []
    for w in (hook, unsigned, disabled):
        client.delete_webhook(w.webhook_id)


def test_prompt_events_are_delivered_signed(tracking, receiver):
    import mlflow

    path = "/" + unique("prompts")
    client = MlflowClient()
    events = ["prompt.created", "prompt_version.created", "prompt_alias.created", "model_version.created"]
    hook = client.create_webhook(name=unique("prompts"), url=receiver.url(path), events=events, secret=SECRET)
    name = unique("greeting")
    prompt = mlflow.genai.register_prompt(name=name, template="Hello {{who}}!", commit_message="first",
                                          tags={"team": "nlp"})
    mlflow.genai.set_prompt_alias(name, alias="production", version=prompt.version)

    hits = receiver.wait_for(path, 3)
    got = {(b["entity"], b["action"]): b["data"] for b in (verify(h, SECRET) for h in hits)}
    assert set(got) == {("prompt", "created"), ("prompt_version", "created"), ("prompt_alias", "created")}, "prompts are not model versions"
    assert got[("prompt", "created")]["name"] == name
    version = got[("prompt_version", "created")]
    assert (version["name"], version["version"], version["template"]) == (name, str(prompt.version), "Hello {{who}}!")
    # The tags that make a registered model a prompt, and the text tag, are not the prompt's own.
    for data in (got[("prompt", "created")], version):
        assert not {"mlflow.prompt.is_prompt", "_mlflow_prompt_type", "mlflow.prompt.text"} & set(data["tags"])
    assert got[("prompt_alias", "created")] == {"name": name, "alias": "production", "version": str(prompt.version)}
    client.delete_webhook(hook.webhook_id)


def test_a_server_without_the_flag_sends_nothing_to_loopback(backend, store_factory, receiver, monkeypatch):
    inward_path = "/" + unique("inward")
    make_store, make_server = store_factory
    store = make_store()
    permissive = make_server(store, SERVER_ARGS).start()
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    hook = MlflowClient(tracking_uri=permissive.url).create_webhook(
        name=unique("inward"), url=receiver.url(inward_path), events=["model_version.created"], secret=SECRET)
    permissive.stop()

    strict = make_server(store).start()
    client = MlflowClient(tracking_uri=strict.url)
    with pytest.raises(MlflowException, match="non-public IP address") as err:
        client.create_webhook(name=unique("inward"), url=receiver.url(inward_path), events=["model_version.created"])
    assert err.value.error_code == "INVALID_PARAMETER_VALUE"
    result = client.test_webhook(hook.webhook_id)
    assert result.success is False
    assert result.response_status is None
    assert "not a public address" in result.error_message
    assert receiver.at(inward_path) == []
