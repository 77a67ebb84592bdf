"""A plain training script logs params, metrics and tags; the server keeps all of it."""

import getpass
import math

import mlflow
import pytest
from mlflow import MlflowClient
from mlflow.entities import RunStatus

from compat_helpers import now_ms, unique


def test_training_script_round_trip(tracking):
    experiment_name = unique("iris-classifier")
    started = now_ms()

    experiment = mlflow.set_experiment(experiment_name)
    with mlflow.start_run(run_name="baseline") as run:
        mlflow.log_param("learning_rate", 0.01)
        mlflow.log_params({"epochs": 3, "optimizer": "adam", "layers": [64, 32]})
        for epoch in range(3):
            mlflow.log_metric("loss", 1.0 / (epoch + 1), step=epoch)
            mlflow.log_metrics({"acc": 0.5 + 0.1 * epoch, "val_acc": 0.4 + 0.1 * epoch}, step=epoch)
        mlflow.set_tag("stage", "dev")
        mlflow.set_tags({"team": "vision", "dataset": "iris"})
        run_id = run.info.run_id
    finished = now_ms()

    stored = MlflowClient().get_run(run_id)
    info, data = stored.info, stored.data

    assert info.run_id == run_id
    assert info.experiment_id == experiment.experiment_id
    assert info.run_name == "baseline"
    assert info.user_id == getpass.getuser()
    assert info.status == "FINISHED"
    assert info.lifecycle_stage == "active"
    assert started - 1000 <= info.start_time <= finished
    assert info.end_time is not None and info.start_time <= info.end_time <= finished + 1000
    assert info.artifact_uri.endswith(f"{run_id}/artifacts")
    assert info.artifact_uri.startswith(experiment.artifact_location.rstrip("/"))

    assert data.params == {
        "learning_rate": "0.01",
        "epochs": "3",
        "optimizer": "adam",
        "layers": "[64, 32]",
    }
    # run.data.metrics holds the latest value per key: the one at the highest step.
    assert data.metrics == pytest.approx({"loss": 1.0 / 3, "acc": 0.7, "val_acc": 0.6})
    assert data.tags["stage"] == "dev"
    assert data.tags["team"] == "vision"
    assert data.tags["dataset"] == "iris"
    assert data.tags["mlflow.runName"] == "baseline"
    assert data.tags["mlflow.user"] == getpass.getuser()
    assert data.tags["mlflow.source.type"] == "LOCAL"
    assert "mlflow.source.name" in data.tags

    history = MlflowClient().get_metric_history(run_id, "loss")
    assert [(m.step, m.value) for m in sorted(history, key=lambda m: m.step)] == [
        (0, 1.0), (1, 0.5), (2, pytest.approx(1.0 / 3))
    ]


def test_experiment_is_found_by_name_and_reused(tracking):
    name = unique("reused-experiment")
    first = mlflow.set_experiment(name)
    assert first.name == name
    assert first.lifecycle_stage == "active"
    assert first.experiment_id != "0"
    assert first.creation_time and first.creation_time > 0

    # A second script run picks up the same experiment instead of creating one.
    mlflow.tracking.fluent._active_experiment_id = None
    second = mlflow.set_experiment(name)
    assert second.experiment_id == first.experiment_id

    client = MlflowClient()
    by_name = client.get_experiment_by_name(name)
    assert by_name.experiment_id == first.experiment_id
    assert client.get_experiment(first.experiment_id).name == name
    same_name = [e for e in client.search_experiments(filter_string=f"name = '{name}'")]
    assert [e.experiment_id for e in same_name] == [first.experiment_id]

    # set_experiment by id works as well.
    assert mlflow.set_experiment(experiment_id=first.experiment_id).name == name


def test_default_experiment_exists_and_takes_unassigned_runs(tracking):
    client = MlflowClient()
    default = client.get_experiment("0")
    assert default.name == "Default"
    assert default.lifecycle_stage == "active"
    assert client.get_experiment_by_name("Default").experiment_id == "0"

    with mlflow.start_run() as run:
        mlflow.log_metric("x", 1.0)
    stored = client.get_run(run.info.run_id)
    assert stored.info.experiment_id == "0"
    # Without a name the run gets a generated one, mirrored in the mlflow.runName tag.
    assert stored.info.run_name
    assert stored.data.tags["mlflow.runName"] == stored.info.run_name


def test_exception_inside_run_marks_it_failed(tracking):
    mlflow.set_experiment(unique("crashing-training"))
    with pytest.raises(RuntimeError, match="loss diverged"):
        with mlflow.start_run() as run:
            mlflow.log_metric("loss", 10.0, step=0)
            mlflow.log_metric("loss", math.inf, step=1)
            raise RuntimeError("loss diverged")

    stored = MlflowClient().get_run(run.info.run_id)
    assert stored.info.status == "FAILED"
    assert stored.info.end_time is not None and stored.info.end_time >= stored.info.start_time
    assert mlflow.active_run() is None


def test_explicit_end_run_status(tracking):
    mlflow.set_experiment(unique("killed-training"))
    run = mlflow.start_run()
    mlflow.log_param("p", "1")
    mlflow.end_run(status=RunStatus.to_string(RunStatus.KILLED))
    assert MlflowClient().get_run(run.info.run_id).info.status == "KILLED"


def test_run_wire_format(tracking):
    """runs/get as the client receives it: run_id and run_uuid, int64 as JSON numbers."""
    mlflow.set_experiment(unique("wire-format"))
    with mlflow.start_run(run_name="wire") as run:
        mlflow.log_metric("m", 0.25, step=7)
        mlflow.log_param("p", "v")
    api = tracking.api
    raw = api.ok(api.get("runs/get", {"run_id": run.info.run_id, "run_uuid": run.info.run_id}))
    info = raw["run"]["info"]
    assert info["run_id"] == run.info.run_id
    assert info["run_uuid"] == run.info.run_id
    assert info["status"] == "FINISHED"
    assert info["lifecycle_stage"] == "active"
    assert isinstance(info["start_time"], int) and isinstance(info["end_time"], int)
    [metric] = raw["run"]["data"]["metrics"]
    assert metric["key"] == "m" and metric["value"] == 0.25 and metric["step"] == 7
    assert isinstance(metric["timestamp"], int)
    assert raw["run"]["data"]["params"] == [{"key": "p", "value": "v"}]


def test_empty_and_unicode_values(tracking):
    experiment = mlflow.set_experiment(unique("実験-ünïcode"))
    note = "naïve – 日本語 🚀 \"quoted\" 'single' \\ back\nslash"
    with mlflow.start_run(run_name="ラン-1") as run:
        mlflow.log_param("empty", "")
        mlflow.set_tag("empty", "")
        mlflow.log_param("note", note)
        mlflow.set_tag("note", note)
        # Python's \w (and so MLflow's key rule) accepts letters of every script.
        mlflow.log_param("größe", "groß")
        mlflow.log_metric("损失", 0.125)
        mlflow.set_tag("ключ", "значение")
    client = MlflowClient()
    stored = client.get_run(run.info.run_id)
    assert stored.info.run_name == "ラン-1"
    assert stored.data.params == {"empty": "", "note": note, "größe": "groß"}
    assert stored.data.metrics == {"损失": 0.125}
    assert stored.data.tags["empty"] == ""
    assert stored.data.tags["note"] == note
    assert stored.data.tags["ключ"] == "значение"
    assert client.get_experiment_by_name(experiment.name).experiment_id == experiment.experiment_id

    exp = [experiment.experiment_id]
    assert [r.info.run_id for r in client.search_runs(exp, "params.`größe` = 'groß'")] == [
        run.info.run_id]
    assert [r.info.run_id for r in client.search_runs(exp, "attributes.run_name = 'ラン-1'")] == [
        run.info.run_id]
    assert [r.info.run_id for r in client.search_runs(exp, "metrics.`损失` < 1")] == [
        run.info.run_id]


def test_raw_json_encodings_other_clients_send(tracking):
    """Proto JSON allows int64 as strings and non-finite doubles as strings; step defaults to 0."""
    api = tracking.api
    exp_id = api.create_experiment(unique("encodings"))
    run_id = api.create_run(exp_id)
    api.ok(api.post("runs/log-metric", {"run_id": run_id, "key": "a", "value": "1.5",
                                        "timestamp": "1700000000000"}))
    api.ok(api.post("runs/log-metric", {"run_id": run_id, "key": "b", "value": "NaN",
                                        "timestamp": 1700000000001, "step": "3"}))
    api.ok(api.post("runs/log-metric", {"run_uuid": run_id, "key": "c", "value": "-Infinity",
                                        "timestamp": 1700000000002}))
    api.ok(api.post("runs/log-parameter", {"run_uuid": run_id, "key": "no-value"}))
    history = {k: MlflowClient().get_metric_history(run_id, k) for k in "abc"}
    assert [(m.timestamp, m.step, m.value) for m in history["a"]] == [(1700000000000, 0, 1.5)]
    [b] = history["b"]
    assert b.step == 3 and math.isnan(b.value)
    [c] = history["c"]
    assert c.step == 0 and c.value == -math.inf
    # Old clients send run_uuid only.
    run = api.ok(api.get("runs/get", {"run_uuid": run_id}))["run"]
    assert run["info"]["run_id"] == run_id
    assert {"key": "no-value", "value": ""} in run["data"]["params"] or \
        {"key": "no-value"} in run["data"]["params"]


def test_ajax_api_prefix_and_get_search(tracking):
    """The UI calls the same API under /ajax-api; experiments/search also answers GET."""
    api = tracking.api
    name = unique("ajax")
    exp_id = api.ok(api.post("/ajax-api/2.0/mlflow/experiments/create", {"name": name}))[
        "experiment_id"]
    run_id = api.ok(api.post("/ajax-api/2.0/mlflow/runs/create",
                             {"experiment_id": exp_id, "start_time": now_ms()}))["run"]["info"][
        "run_id"]
    found = api.ok(api.post("/ajax-api/2.0/mlflow/runs/search", {"experiment_ids": [exp_id]}))
    assert [r["info"]["run_id"] for r in found["runs"]] == [run_id]
    listed = api.ok(api.get("experiments/search", [("max_results", 10),
                                                   ("filter", f"name = '{name}'")]))
    assert [e["experiment_id"] for e in listed["experiments"]] == [exp_id]


def test_keys_and_names_are_exact(tracking):
    """Keys differing only in case or a trailing space are different keys; names likewise."""
    client = MlflowClient()
    base = unique("Case")
    upper_id = client.create_experiment(base.upper())
    lower_id = client.create_experiment(base.lower())
    assert upper_id != lower_id
    assert client.get_experiment_by_name(base.upper()).experiment_id == upper_id
    assert client.get_experiment_by_name(base.lower()).experiment_id == lower_id
    assert client.get_experiment_by_name(base.lower() + " ") is None

    with mlflow.start_run(experiment_id=lower_id, run_name="twin") as first:
        mlflow.log_params({"lr": "0.1", "LR": "0.2", "lr ": "0.3"})
        mlflow.log_metrics({"loss": 1.0, "Loss": 2.0})
        mlflow.set_tags({"team": "a", "Team": "b"})
    with mlflow.start_run(experiment_id=lower_id, run_name="twin") as second:
        mlflow.log_param("lr", "0.5")  # same key in another run: independent
    data = client.get_run(first.info.run_id).data
    assert data.params == {"lr": "0.1", "LR": "0.2", "lr ": "0.3"}
    assert data.metrics == {"loss": 1.0, "Loss": 2.0}
    assert data.tags["team"] == "a" and data.tags["Team"] == "b"
    assert client.get_run(second.info.run_id).data.params == {"lr": "0.5"}
    # Two runs may share a name.
    found = client.search_runs([lower_id], "attributes.run_name = 'twin'")
    assert sorted(r.info.run_id for r in found) == sorted([first.info.run_id,
                                                           second.info.run_id])
    assert [r.info.run_id for r in client.search_runs([lower_id], "params.LR = '0.2'")] == [
        first.info.run_id]
    assert client.search_runs([lower_id], "params.lr = '0.2'") == []


def test_custom_artifact_location(tracking):
    client = MlflowClient()
    exp_id = client.create_experiment(unique("s3-backed"), artifact_location="s3://bucket/team/x")
    assert client.get_experiment(exp_id).artifact_location == "s3://bucket/team/x"
    with mlflow.start_run(experiment_id=exp_id) as run:
        mlflow.log_param("p", 1)
    assert client.get_run(run.info.run_id).info.artifact_uri == \
        f"s3://bucket/team/x/{run.info.run_id}/artifacts"
