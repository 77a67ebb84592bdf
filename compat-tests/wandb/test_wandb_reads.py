"""Runs logged with the mlflow client, read through wandb.Api(): an MLflow experiment named X is
project X of the default entity; params are the config, the latest metrics the summary, the metric
points the history. MongoDB-style filters select them; one the server cannot translate is an error."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from mlflow.entities import Metric, Param, RunTag

from wb_compat import user_keys

T0_MS = 1_780_000_000_000  # start times, one minute apart, so createdAt filters have a known answer
OPTIMIZERS = ["adam", "sgd", "adam", "sgd"]
STATUSES = ["FINISHED", "FINISHED", "FINISHED", "FAILED"]
STEPS = 20


def loss(i: int, step: int) -> float:
    return (i + 1) / (step + 1)


@pytest.fixture(scope="module")
def mlflow_runs(wb):
    client = wb.mlflow()
    name = f"ml-{uuid.uuid4().hex[:8]}"
    exp = client.create_experiment(name)
    ids = []
    for i in range(4):
        run = client.create_run(exp, start_time=T0_MS + i * 60_000, run_name=f"ml-run-{i}",
                                tags={"team": "vision"})
        metrics = [Metric("loss", loss(i, s), T0_MS + i * 60_000 + s * 10, s) for s in range(STEPS)]
        client.log_batch(run.info.run_id, metrics=metrics,
                         params=[Param("optimizer", OPTIMIZERS[i]), Param("lr", str(0.01 * (i + 1)))],
                         tags=[RunTag("mlflow.note.content", f"notes {i}")])
        client.set_terminated(run.info.run_id, STATUSES[i], end_time=T0_MS + i * 60_000 + 30_000)
        ids.append(run.info.run_id)
    return {"project": name, "ids": ids, "entity": wb.api().default_entity}


def names(runs) -> list[str]:
    return [r.name for r in runs]


def runs(wb, mlflow_runs, filters=None):
    return list(wb.api().runs(f"{mlflow_runs['entity']}/{mlflow_runs['project']}", filters=filters, per_page=2))


@pytest.mark.core
def test_mlflow_runs_listed_through_wandb_api(wb, mlflow_runs):
    got = runs(wb, mlflow_runs)
    assert names(got) == [f"ml-run-{i}" for i in range(4)], "default order is by creation time, paged by 2"
    assert [r.id for r in got] == mlflow_runs["ids"]
    assert [r.state for r in got] == ["finished", "finished", "finished", "failed"]


@pytest.mark.core
def test_mlflow_run_config_summary_history_through_wandb_api(wb, mlflow_runs):
    run = wb.api().run(f"{mlflow_runs['entity']}/{mlflow_runs['project']}/{mlflow_runs['ids'][1]}")
    assert run.name == "ml-run-1"
    assert dict(run.config) == {"optimizer": "sgd", "lr": "0.02"}
    assert run.summary.get("loss") == loss(1, STEPS - 1)
    assert run.notes == "notes 1"
    rows = list(run.scan_history(use_cache=False))
    assert [(r["_step"], r["loss"]) for r in rows] == [(s, loss(1, s)) for s in range(STEPS)]
    sampled = run.history(samples=1000, pandas=False)
    assert [(r["_step"], user_keys(r)) for r in sampled] == [(s, {"loss": loss(1, s)}) for s in range(STEPS)]
    stamps = [r["_timestamp"] for r in rows]
    assert stamps == [(T0_MS + 60_000 + s * 10) / 1000 for s in range(STEPS)]


def created_at(ms: int) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


FILTERS = [
    ({"config.optimizer": "adam"}, [0, 2]),
    ({"summary_metrics.loss": {"$lt": 0.1}}, [0]),
    ({"summary_metrics.loss": {"$gt": 0.1}}, [2, 3]),
    ({"summary_metrics.loss": {"$not": {"$gt": 0.1}}}, [0, 1]),
    ({"$and": [{"config.optimizer": "sgd"}, {"state": "finished"}]}, [1]),
    ({"$or": [{"displayName": "ml-run-0"}, {"displayName": {"$regex": "3$"}}]}, [0, 3]),
    ({"state": {"$in": ["failed", "crashed"]}}, [3]),
    ({"createdAt": {"$gt": created_at(T0_MS + 90_000)}}, [2, 3]),
]


@pytest.mark.core
@pytest.mark.parametrize("filters,want", FILTERS, ids=[str(f) for f, _ in FILTERS])
def test_filters_over_mlflow_runs(wb, mlflow_runs, filters, want):
    assert names(runs(wb, mlflow_runs, filters)) == [f"ml-run-{i}" for i in want]


def test_untranslatable_filter_is_an_error(wb, mlflow_runs):
    with pytest.raises(Exception) as info:
        runs(wb, mlflow_runs, {"config.optimizer": {"$where": "this.x == 1"}})
    assert "$where" in str(info.value), str(info.value)
