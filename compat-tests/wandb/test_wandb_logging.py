"""An unchanged W&B training script, then the same run read through the mlflow client and wandb.Api().

The 1,000-step run (nested config, several metric keys, NaN and ±Inf, tags, notes, group, job type,
summary updates) must read back identically through both; an uncaught exception gives FAILED; a
50,000-step run logged at full speed keeps every point.
"""

from __future__ import annotations

import json
import math
import uuid

import pytest

from wb_compat import first_diff, metric_series, same, user_keys
from wb_series import (FULL_CONFIG, FULL_GROUP, FULL_JOB_TYPE, FULL_NAME, FULL_NOTES, FULL_PARAMS, FULL_STEPS,
                       FULL_SUMMARY_UPDATES, FULL_TAGS, full_row, long_row)

LONG_STEPS = 50_000


def project(label: str) -> str:
    return f"{label}-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def full_run(wb):
    out, _ = wb.script("train_full.py", project("full"))
    assert out["id"] and out["project"], out
    return out


def expected_history() -> list[dict]:
    return [full_row(s) for s in range(FULL_STEPS)]


def expected_series(key: str) -> list[tuple[int, float]]:
    return [(s, row[key]) for s, row in enumerate(expected_history()) if key in row]


# ------------------------------------------------------------------ the 1,000-step run: mlflow side


@pytest.mark.core
def test_full_run_is_an_mlflow_run_in_the_project_experiment(wb, full_run):
    client = wb.mlflow()
    exp = client.get_experiment_by_name(full_run["project"])
    assert exp is not None, f"no MLflow experiment named {full_run['project']!r}"
    run = client.get_run(full_run["id"])
    assert run.info.run_id == full_run["id"]
    assert run.info.experiment_id == exp.experiment_id
    assert run.info.status == "FINISHED"
    assert run.info.end_time is not None and run.info.end_time >= run.info.start_time
    assert full_run["entity"] == wb.api().default_entity


@pytest.mark.core
def test_full_run_params_are_the_flattened_config(wb, full_run):
    params = wb.mlflow().get_run(full_run["id"]).data.params
    assert params == FULL_PARAMS


@pytest.mark.core
def test_full_run_tags_carry_name_notes_group_job_type_and_tags(wb, full_run):
    tags = wb.mlflow().get_run(full_run["id"]).data.tags
    assert tags.get("mlflow.runName") == FULL_NAME
    assert tags.get("mlflow.note.content") == FULL_NOTES
    assert tags.get("wandb.group") == FULL_GROUP
    assert tags.get("wandb.job_type") == FULL_JOB_TYPE
    # W&B's labels are one JSON array, in the order the run gave them.
    assert "wandb.tags" in tags, f"no wandb.tags among {sorted(tags)}"
    assert json.loads(tags["wandb.tags"]) == FULL_TAGS, tags["wandb.tags"]


@pytest.mark.core
@pytest.mark.parametrize("key", ["loss", "acc", "lr", "val/loss"])
def test_full_run_every_metric_point_with_its_step(wb, full_run, key):
    got = metric_series(wb.mlflow(), full_run["id"], key)
    want = expected_series(key)
    assert same(got, want), first_diff(got, want, f"metric {key}")


@pytest.mark.core
def test_full_run_keeps_nan_and_infinities(wb, full_run):
    got = dict(metric_series(wb.mlflow(), full_run["id"], "loss"))
    assert math.isnan(got[100])
    assert got[200] == math.inf
    assert got[300] == -math.inf


@pytest.mark.core
def test_full_run_latest_metrics_are_the_last_points(wb, full_run):
    metrics = wb.mlflow().get_run(full_run["id"]).data.metrics
    for key in ("loss", "acc", "lr", "val/loss"):
        assert same(metrics.get(key), expected_series(key)[-1][1]), f"{key}: {metrics.get(key)!r}"


# ------------------------------------------------------------------ the same run through wandb.Api()


@pytest.fixture
def api_run(wb, full_run):
    return wb.api().run(f"{full_run['entity']}/{full_run['project']}/{full_run['id']}")


@pytest.mark.core
def test_full_run_through_wandb_api(api_run, full_run):
    assert api_run.id == full_run["id"]
    assert api_run.name == FULL_NAME
    assert api_run.state == "finished"
    assert sorted(api_run.tags) == sorted(FULL_TAGS)
    assert api_run.notes == FULL_NOTES
    assert api_run.group == FULL_GROUP
    assert api_run.job_type == FULL_JOB_TYPE


@pytest.mark.core
def test_full_run_config_through_wandb_api(api_run):
    assert same(dict(api_run.config), FULL_CONFIG), api_run.config


@pytest.mark.core
def test_full_run_summary_through_wandb_api(api_run):
    summary = dict(api_run.summary)
    last = full_row(FULL_STEPS - 1)
    want = {"loss": last["loss"], "acc": last["acc"], "lr": last["lr"], "val/loss": full_row(990)["val/loss"],
            **FULL_SUMMARY_UPDATES}
    for key, value in want.items():
        assert same(summary.get(key), value), f"summary[{key!r}] = {summary.get(key)!r}, expected {value!r}"
    assert summary.get("_step") == FULL_STEPS - 1


@pytest.mark.core
def test_full_run_scan_history_is_every_row(api_run):
    rows = list(api_run.scan_history(page_size=300, use_cache=False))
    assert [r.get("_step") for r in rows] == list(range(FULL_STEPS))
    got = [user_keys(r) for r in rows]
    want = expected_history()
    assert same(got, want), first_diff(got, want, "scan_history")


@pytest.mark.core
def test_full_run_history_unsampled_and_by_key(api_run):
    rows = api_run.history(samples=FULL_STEPS * 2, pandas=False)
    assert [r.get("_step") for r in rows] == list(range(FULL_STEPS))
    got = [user_keys(r) for r in rows]
    assert same(got, expected_history()), first_diff(got, expected_history(), "history()")
    val = api_run.history(keys=["val/loss"], samples=1000, pandas=False)
    got = [(r["_step"], r["val/loss"]) for r in val]
    assert same(got, expected_series("val/loss")), first_diff(got, expected_series("val/loss"), "history(keys)")
    scanned = api_run.scan_history(keys=["val/loss"], page_size=30, use_cache=False)
    got = [(r["_step"], r["val/loss"]) for r in scanned]
    assert same(got, expected_series("val/loss")), first_diff(got, expected_series("val/loss"), "scan_history(keys)")


@pytest.mark.core
def test_full_run_timestamps_agree_between_the_apis(wb, api_run, full_run):
    rows = list(api_run.scan_history(page_size=1000, use_cache=False))
    wandb_ms = {r["_step"]: r["_timestamp"] * 1000 for r in rows}
    points = wb.mlflow().get_metric_history(full_run["id"], "acc")
    assert len(points) == FULL_STEPS
    off = [(p.step, p.timestamp, wandb_ms.get(p.step)) for p in points
           if wandb_ms.get(p.step) is None or abs(p.timestamp - wandb_ms[p.step]) > 1]
    assert not off, f"steps whose MLflow timestamp is not the W&B _timestamp in ms: {off[:5]}"


@pytest.mark.parametrize("filters,found", [
    ({"tags": {"$in": ["baseline"]}}, True),
    ({"$and": [{"config.model": "mlp"}, {"summary_metrics.acc": {"$gt": 0.9}}, {"state": "finished"}]}, True),
    ({"$or": [{"tags": {"$in": ["nope"]}}, {"config.model": "cnn"}]}, False),
])
def test_full_run_found_by_filters(wb, full_run, filters, found):
    runs = wb.api().runs(f"{full_run['entity']}/{full_run['project']}", filters=filters)
    assert [r.id for r in runs] == ([full_run["id"]] if found else [])


# ------------------------------------------------------------------ failure, and a long run


@pytest.mark.core
def test_uncaught_exception_is_a_failed_run(wb):
    out, d = wb.script("train_crash.py", project("crash"), expect_rc=1)
    assert out["id"], "the script did not print its run id"
    run = wb.mlflow().get_run(out["id"])
    assert run.info.status == "FAILED"
    assert metric_series(wb.mlflow(), out["id"], "loss") == [(s, 1.0 / (s + 1)) for s in range(5)]
    api_run = wb.api().run(f"{out['entity']}/{out['project']}/{out['id']}")
    assert api_run.state == "failed"


@pytest.mark.deadline(400)
def test_fifty_thousand_steps_at_full_speed(wb):
    out, _ = wb.script("train_long.py", project("long"), str(LONG_STEPS))
    client = wb.mlflow()
    for key in ("loss", "step_mod"):
        got = metric_series(client, out["id"], key)
        want = [(s, long_row(s)[key]) for s in range(LONG_STEPS)]
        assert got == want, first_diff(got, want, f"metric {key}")
    api_run = wb.api().run(f"{out['entity']}/{out['project']}/{out['id']}")
    rows = [(r["_step"], r.get("loss")) for r in api_run.scan_history(page_size=10_000, use_cache=False)]
    want = [(s, long_row(s)["loss"]) for s in range(LONG_STEPS)]
    assert rows == want, first_diff(rows, want, "scan_history")
    assert api_run.state == "finished"
