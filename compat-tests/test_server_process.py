"""The server process itself: /health, clean SIGTERM shutdown, and data that outlives a restart."""

import math
import threading
import time

import mlflow
import pytest
import requests
from mlflow import MlflowClient


def test_health_says_ok(server):
    resp = requests.get(f"{server.url}/health", timeout=5)
    assert resp.status_code == 200
    assert resp.text.strip() == "OK"


def test_sigterm_is_clean_and_data_survives_restart(store_factory, monkeypatch):
    make_store, make_server = store_factory
    store = make_store()
    first = make_server(store).start()

    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    monkeypatch.delenv("MLFLOW_EXPERIMENT_ID", raising=False)  # set_experiment exports it
    mlflow.set_tracking_uri(first.url)
    try:
        experiment = mlflow.set_experiment("survives-restart")
        with mlflow.start_run(run_name="before-restart") as run:
            mlflow.log_params({"lr": 0.1, "layers": 3})
            for step in range(5):
                mlflow.log_metric("loss", 1.0 / (step + 1), step=step)
            mlflow.log_metric("weird", math.inf)
            mlflow.set_tag("phase", "one")
        mlflow.tracking.fluent._active_experiment_id = None
    finally:
        mlflow.set_tracking_uri(None)

    code = first.stop()
    assert code == 0, f"SIGTERM exit code {code}\n{first.log_tail()}"

    second = make_server(store).start()
    mlflow.set_tracking_uri(second.url)
    try:
        client = MlflowClient()
        assert client.get_experiment_by_name("survives-restart").experiment_id == \
            experiment.experiment_id
        stored = client.get_run(run.info.run_id)
        assert stored.info.run_name == "before-restart"
        assert stored.info.status == "FINISHED"
        assert stored.data.params == {"lr": "0.1", "layers": "3"}
        assert stored.data.tags["phase"] == "one"
        assert stored.data.metrics["loss"] == 0.2
        assert math.isinf(stored.data.metrics["weird"])
        history = client.get_metric_history(run.info.run_id, "loss")
        assert sorted((m.step, m.value) for m in history) == [
            (s, 1.0 / (s + 1)) for s in range(5)]
        # The restarted server keeps numbering without collisions.
        new_id = client.create_experiment("after-restart")
        assert new_id not in ("0", experiment.experiment_id)
        with mlflow.start_run(experiment_id=new_id):
            mlflow.log_metric("x", 1.0)
    finally:
        mlflow.end_run()
        mlflow.set_tracking_uri(None)
    assert second.stop() == 0


@pytest.mark.client_retries
@pytest.mark.deadline(240)
def test_training_survives_a_server_restart(store_factory, monkeypatch):
    """With the client's own HTTP retries, a restart mid-training loses no point and
    duplicates none (a retried batch that had already landed is an exact duplicate)."""
    make_store, make_server = store_factory
    store = make_store()
    first = make_server(store).start()
    port = first.port

    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "8")
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", "1")
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_BACKOFF_JITTER", "0.1")
    monkeypatch.delenv("MLFLOW_EXPERIMENT_ID", raising=False)
    url = first.url
    mlflow.set_tracking_uri(url)
    restarted = threading.Event()
    failures = []

    def restart():
        try:
            assert first.stop() == 0
            time.sleep(0.5)
            make_server(store).start(port=port)
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)
        finally:
            restarted.set()

    try:
        mlflow.set_experiment("restart-midway")
        with mlflow.start_run() as run:
            for step in range(150):
                if step == 50:
                    threading.Thread(target=restart, daemon=True).start()
                mlflow.log_metrics({"loss": 1.0 / (step + 1), "acc": step / 150}, step=step)
                if step == 50:
                    time.sleep(0.2)  # let the SIGTERM land while we keep logging
        assert restarted.wait(60)
        assert not failures, failures
        client = MlflowClient()
        for key, value in (("loss", lambda s: 1.0 / (s + 1)), ("acc", lambda s: s / 150)):
            history = client.get_metric_history(run.info.run_id, key)
            assert sorted((m.step, m.value) for m in history) == [
                (s, value(s)) for s in range(150)], key
        assert client.get_run(run.info.run_id).info.status == "FINISHED"
    finally:
        mlflow.end_run()
        mlflow.set_tracking_uri(None)
