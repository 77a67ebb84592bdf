"""The server process itself: /health, clean SIGTERM shutdown, and data that outlives a restart."""

import math

import mlflow
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
