"""Async logging: the client queues every call and sends many concurrent,
possibly out-of-order log-batch requests. Every point must still arrive exactly once."""

import mlflow
import pytest
from mlflow import MlflowClient

from compat_helpers import unique

KEYS = ("loss", "accuracy", "learning_rate", "grad_norm", "throughput")
STEPS = 1000


def value(key: str, step: int) -> float:
    # Distinct, non-round doubles so that any precision loss in storage shows up.
    return (KEYS.index(key) + 1) * 1.0 / (step + 3) + step * 1e-7


def assert_full_history(run_id: str):
    client = MlflowClient()
    for key in KEYS:
        history = client.get_metric_history(run_id, key)
        assert len(history) == STEPS, key
        assert sorted((m.step, m.value) for m in history) == [
            (step, value(key, step)) for step in range(STEPS)
        ], key
        assert all(m.key == key for m in history)
    latest = client.get_run(run_id).data.metrics
    assert latest == {key: value(key, STEPS - 1) for key in KEYS}


@pytest.mark.deadline(300)
def test_async_training_loop_via_env(tracking, monkeypatch):
    monkeypatch.setenv("MLFLOW_ENABLE_ASYNC_LOGGING", "true")
    mlflow.set_experiment(unique("async-env"))
    with mlflow.start_run() as run:
        mlflow.log_params({"optimizer": "sgd", "momentum": 0.9})
        for step in range(STEPS):
            mlflow.log_metrics({key: value(key, step) for key in KEYS}, step=step)
        mlflow.set_tag("phase", "done")
        mlflow.flush_async_logging()
    assert_full_history(run.info.run_id)
    data = MlflowClient().get_run(run.info.run_id).data
    assert data.params == {"optimizer": "sgd", "momentum": "0.9"}
    assert data.tags["phase"] == "done"


@pytest.mark.deadline(300)
def test_async_single_metric_calls_via_config(tracking):
    mlflow.config.enable_async_logging(True)
    mlflow.set_experiment(unique("async-config"))
    with mlflow.start_run() as run:
        for step in range(STEPS):
            for key in KEYS:
                mlflow.log_metric(key, value(key, step), step=step)
    # Leaving the run flushes the queue.
    assert_full_history(run.info.run_id)
    assert MlflowClient().get_run(run.info.run_id).info.status == "FINISHED"


def test_client_futures_complete(tracking):
    client = MlflowClient()
    exp_id = mlflow.set_experiment(unique("async-futures")).experiment_id
    run_id = client.create_run(exp_id).info.run_id
    operations = [client.log_metric(run_id, "loss", 1.0 / (s + 1), step=s, synchronous=False)
                  for s in range(200)]
    operations.append(client.log_param(run_id, "seed", 7, synchronous=False))
    for op in operations:
        op.wait()
    history = client.get_metric_history(run_id, "loss")
    assert sorted((m.step, m.value) for m in history) == [(s, 1.0 / (s + 1)) for s in range(200)]
    assert client.get_run(run_id).data.params == {"seed": "7"}
