"""Soft delete / restore of experiments and runs, renames, tags and resumed runs."""

import time

import mlflow
import pytest
from mlflow import MlflowClient
from mlflow.entities import Metric, Param, RunTag, ViewType
from mlflow.exceptions import MlflowException

from compat_helpers import (assert_client_error, assert_mlflow_error, now_ms, run_data,
                            unique)


def error_code_of(call) -> str:
    with pytest.raises(MlflowException) as err:
        call()
    return err.value.error_code


def test_delete_and_restore_experiment_cascades_to_runs(tracking):
    client = MlflowClient()
    name = unique("to-be-deleted")
    exp_id = mlflow.set_experiment(name).experiment_id
    run_ids = []
    for i in range(3):
        with mlflow.start_run(run_name=f"r{i}") as run:
            mlflow.log_metric("m", i)
        run_ids.append(run.info.run_id)
    mlflow.tracking.fluent._active_experiment_id = None

    client.delete_experiment(exp_id)

    assert client.get_experiment(exp_id).lifecycle_stage == "deleted"
    assert client.get_experiment_by_name(name).lifecycle_stage == "deleted"
    for run_id in run_ids:
        assert client.get_run(run_id).info.lifecycle_stage == "deleted"
    assert client.search_runs([exp_id]) == []
    deleted = client.search_runs([exp_id], run_view_type=ViewType.DELETED_ONLY)
    assert sorted(r.info.run_id for r in deleted) == sorted(run_ids)
    active_ids = [e.experiment_id for e in client.search_experiments()]
    assert exp_id not in active_ids
    deleted_ids = [e.experiment_id for e in client.search_experiments(
        view_type=ViewType.DELETED_ONLY)]
    assert exp_id in deleted_ids

    # The name stays reserved while the experiment is deleted.
    assert error_code_of(lambda: client.create_experiment(name)) == "RESOURCE_ALREADY_EXISTS"
    with pytest.raises(MlflowException):
        mlflow.set_experiment(name)
    # Deleting twice, or creating runs in it, is refused.
    assert error_code_of(lambda: client.delete_experiment(exp_id)) == "RESOURCE_DOES_NOT_EXIST"
    resp = tracking.api.post("runs/create", {"experiment_id": exp_id, "start_time": now_ms()})
    assert_client_error(resp, "INVALID_PARAMETER_VALUE")

    client.restore_experiment(exp_id)

    assert client.get_experiment(exp_id).lifecycle_stage == "active"
    for run_id in run_ids:
        assert client.get_run(run_id).info.lifecycle_stage == "active"
    assert sorted(r.info.run_id for r in client.search_runs([exp_id])) == sorted(run_ids)
    assert error_code_of(lambda: client.restore_experiment(exp_id)) == "RESOURCE_DOES_NOT_EXIST"
    # Usable again from a script.
    assert mlflow.set_experiment(name).experiment_id == exp_id
    client.log_metric(run_ids[0], "after_restore", 1.0)


def test_deleted_run_rejects_writes_but_stays_readable(tracking):
    client = MlflowClient()
    mlflow.set_experiment(unique("run-delete"))
    with mlflow.start_run() as run:
        mlflow.log_param("p", "1")
    run_id = run.info.run_id
    exp_id = run.info.experiment_id

    client.delete_run(run_id)
    client.delete_run(run_id)  # idempotent

    stored = client.get_run(run_id)
    assert stored.info.lifecycle_stage == "deleted"
    assert stored.data.params == {"p": "1"}
    assert client.search_runs([exp_id]) == []
    assert [r.info.run_id for r in client.search_runs(
        [exp_id], run_view_type=ViewType.DELETED_ONLY)] == [run_id]
    assert [r.info.run_id for r in client.search_runs([exp_id], run_view_type=ViewType.ALL)] == [
        run_id]

    writes = {
        "log_metric": lambda: client.log_metric(run_id, "m", 1.0),
        "log_param": lambda: client.log_param(run_id, "q", "2"),
        "set_tag": lambda: client.set_tag(run_id, "t", "v"),
        "log_batch": lambda: client.log_batch(run_id, metrics=[Metric("m", 1.0, now_ms(), 0)],
                                              params=[Param("q", "2")], tags=[RunTag("t", "v")]),
        "set_terminated": lambda: client.set_terminated(run_id, "KILLED"),
        "delete_tag": lambda: client.delete_tag(run_id, "mlflow.runName"),
    }
    for what, write in writes.items():
        assert error_code_of(write) == "INVALID_PARAMETER_VALUE", what
    stored = client.get_run(run_id)
    assert stored.data.metrics == {} and "t" not in stored.data.tags
    assert stored.info.status == "FINISHED"

    client.restore_run(run_id)
    client.restore_run(run_id)  # idempotent
    assert client.get_run(run_id).info.lifecycle_stage == "active"
    client.log_metric(run_id, "m", 2.0)
    assert client.get_run(run_id).data.metrics == {"m": 2.0}
    assert [r.info.run_id for r in client.search_runs([exp_id])] == [run_id]


def test_rename_experiment(tracking):
    client = MlflowClient()
    old, new, taken = unique("old-name"), unique("new-name"), unique("taken")
    exp_id = client.create_experiment(old)
    other_id = client.create_experiment(taken)

    before = client.get_experiment(exp_id).last_update_time
    time.sleep(0.01)
    client.rename_experiment(exp_id, new)

    assert client.get_experiment(exp_id).name == new
    assert client.get_experiment(exp_id).last_update_time > before
    assert client.get_experiment_by_name(new).experiment_id == exp_id
    assert client.get_experiment_by_name(old) is None
    assert client.create_experiment(old) not in (exp_id, other_id)  # old name is free again

    with pytest.raises(MlflowException) as err:
        client.rename_experiment(exp_id, taken)
    assert err.value.error_code in ("RESOURCE_ALREADY_EXISTS", "BAD_REQUEST",
                                    "INVALID_PARAMETER_VALUE")
    resp = tracking.api.post("experiments/update", {"experiment_id": exp_id, "new_name": taken})
    assert resp.status_code == 400, resp.text
    assert_mlflow_error(resp, 400)
    assert client.get_experiment(exp_id).name == new
    assert client.get_experiment(other_id).name == taken


def test_experiment_tags(tracking):
    client = MlflowClient()
    exp_id = client.create_experiment(unique("tagged"), tags={"team": "vision", "tier": "1"})
    assert client.get_experiment(exp_id).tags == {"team": "vision", "tier": "1"}

    mlflow.set_experiment(experiment_id=exp_id)
    mlflow.set_experiment_tag("owner", "alice")
    mlflow.set_experiment_tags({"tier": "2", "empty": ""})
    assert client.get_experiment(exp_id).tags == {
        "team": "vision", "tier": "2", "owner": "alice", "empty": ""}

    client.delete_experiment_tag(exp_id, "team")
    assert client.get_experiment(exp_id).tags == {"tier": "2", "owner": "alice", "empty": ""}
    assert error_code_of(lambda: client.delete_experiment_tag(exp_id, "team")) == \
        "RESOURCE_DOES_NOT_EXIST"
    [found] = client.search_experiments(filter_string="tags.owner = 'alice'")
    assert found.experiment_id == exp_id and found.tags == client.get_experiment(exp_id).tags

    # A deleted experiment's tags are frozen.
    client.delete_experiment(exp_id)
    assert error_code_of(lambda: client.set_experiment_tag(exp_id, "k", "v")) == \
        "INVALID_PARAMETER_VALUE"
    assert error_code_of(lambda: client.delete_experiment_tag(exp_id, "owner")) == \
        "INVALID_PARAMETER_VALUE"


def test_run_tag_delete(tracking):
    client = MlflowClient()
    mlflow.set_experiment(unique("run-tags"))
    with mlflow.start_run() as run:
        mlflow.set_tags({"keep": "1", "drop": "2"})
        mlflow.set_tag("keep", "3")  # upsert
    run_id = run.info.run_id

    client.delete_tag(run_id, "drop")
    tags = client.get_run(run_id).data.tags
    assert tags["keep"] == "3" and "drop" not in tags

    assert error_code_of(lambda: client.delete_tag(run_id, "drop")) == "RESOURCE_DOES_NOT_EXIST"
    assert error_code_of(lambda: client.delete_tag(run_id, "never")) == "RESOURCE_DOES_NOT_EXIST"


def test_update_run_name(tracking):
    client = MlflowClient()
    mlflow.set_experiment(unique("rename-run"))
    with mlflow.start_run(run_name="first") as run:
        run_id = run.info.run_id
        client.update_run(run_id, name="second")
        stored = client.get_run(run_id)
        assert stored.info.run_name == "second"
        assert stored.data.tags["mlflow.runName"] == "second"
        assert stored.info.status == "RUNNING"  # a rename does not touch the status

        mlflow.set_tag("mlflow.runName", "third")
        assert client.get_run(run_id).info.run_name == "third"
    stored = client.get_run(run_id)
    assert stored.info.run_name == "third" and stored.info.status == "FINISHED"
    found = client.search_runs([run.info.experiment_id], "attributes.run_name = 'third'")
    assert [r.info.run_id for r in found] == [run_id]


def test_resume_finished_run(tracking):
    client = MlflowClient()
    mlflow.set_experiment(unique("resume"))
    with mlflow.start_run() as run:
        mlflow.log_metric("loss", 1.0, step=0)
    run_id = run.info.run_id
    first = client.get_run(run_id)
    assert first.info.status == "FINISHED"

    with mlflow.start_run(run_id=run_id) as resumed:
        assert resumed.info.run_id == run_id
        during = client.get_run(run_id)
        assert during.info.status == "RUNNING"
        mlflow.log_metric("loss", 0.5, step=1)
    after = client.get_run(run_id)
    assert after.info.status == "FINISHED"
    assert after.info.end_time >= first.info.end_time
    assert after.info.start_time == first.info.start_time
    assert sorted((m.step, m.value) for m in client.get_metric_history(run_id, "loss")) == [
        (0, 1.0), (1, 0.5)]
    assert after.data.metrics == {"loss": 0.5}


def test_set_terminated_with_explicit_end_time(tracking):
    client = MlflowClient()
    exp_id = client.create_experiment(unique("terminate"))
    run = client.create_run(exp_id, start_time=1_700_000_000_000)
    assert run.info.status == "RUNNING" and run.info.start_time == 1_700_000_000_000
    client.set_terminated(run.info.run_id, status="FAILED", end_time=1_700_000_123_456)
    stored = client.get_run(run.info.run_id)
    assert stored.info.status == "FAILED"
    assert stored.info.end_time == 1_700_000_123_456
    # Logging to a finished (but active) run is allowed.
    client.log_metric(run.info.run_id, "late", 1.0)
    assert client.get_run(run.info.run_id).data.metrics == {"late": 1.0}


def test_raw_update_changes_only_what_is_sent(tracking):
    api = tracking.api
    exp_id = api.create_experiment(unique("partial-update"))
    run_id = api.create_run(exp_id, run_name="before", start_time=1_700_000_000_000)
    api.ok(api.post("runs/update", {"run_id": run_id, "status": "FINISHED",
                                    "end_time": 1_700_000_000_500}))
    info = api.ok(api.post("runs/update", {"run_id": run_id, "run_name": "after"}))["run_info"]
    assert info["run_id"] == run_id
    assert info["run_name"] == "after"
    assert info["status"] == "FINISHED"
    assert info["end_time"] == 1_700_000_000_500
    stored = api.get_run(run_id)
    assert stored["info"]["run_name"] == "after"
    assert {"key": "mlflow.runName", "value": "after"} in stored["data"]["tags"]
    info = api.ok(api.post("runs/update", {"run_uuid": run_id, "status": "RUNNING"}))["run_info"]
    assert info["status"] == "RUNNING" and info["end_time"] == 1_700_000_000_500


def test_unknown_request_fields_are_ignored(tracking):
    """Newer clients send fields this server does not know yet; they must not break a call."""
    api = tracking.api
    exp_id = api.ok(api.post("experiments/create", {"name": unique("future"),
                                                    "future_field": {"x": 1}}))["experiment_id"]
    run = api.ok(api.post("runs/create", {"experiment_id": exp_id, "start_time": now_ms(),
                                          "brand_new": [1, 2, 3]}))["run"]
    run_id = run["info"]["run_id"]
    api.ok(api.post("runs/log-batch", {
        "run_id": run_id, "also_new": True,
        "metrics": [{"key": "m", "value": 1.0, "timestamp": now_ms(), "step": 0,
                     "new_metric_field": "x"}],
        "params": [{"key": "p", "value": "v", "new_param_field": 2}],
    }))
    params, metrics, _ = run_data(api.get_run(run_id))
    assert params == {"p": "v"} and metrics == {"m": 1.0}
