"""An offline run (mode="offline"), then `wandb sync` of its directory: the run arrives whole."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

import pytest

from wb_compat import first_diff, metric_series, user_keys


@pytest.mark.core
def test_offline_run_then_wandb_sync(wb):
    project = f"offline-{uuid.uuid4().hex[:8]}"
    out, d = wb.script("train_offline.py", project)
    run_dir = Path(out["dir"]).parent  # …/wandb/offline-run-<time>-<id>/files → the run's directory
    assert run_dir.name.startswith("offline-run-"), run_dir
    client = wb.mlflow()
    assert client.get_experiment_by_name(project) is None, "an offline run reached the server before sync"

    wandb_cli = str(Path(sys.executable).with_name("wandb"))
    wb.run([wandb_cli, "sync", "--project", project, str(run_dir)], d)

    want = [(s, 1.0 / (s + 1)) for s in range(100)]
    got = metric_series(client, out["id"], "loss")
    assert got == want, first_diff(got, want, "synced loss")
    run = client.get_run(out["id"])
    assert run.info.status == "FINISHED"
    assert run.data.params.get("batch") == "32"
    assert run.data.params.get("data.name") == "mnist"
    assert run.data.tags.get("mlflow.runName") == "offline-run"
    assert run.info.experiment_id == client.get_experiment_by_name(project).experiment_id

    api_run = wb.api().run(f"{wb.api().default_entity}/{project}/{out['id']}")
    rows = [user_keys(r) for r in api_run.scan_history(use_cache=False)]
    want_rows = [{"loss": 1.0 / (s + 1), "acc": s / 100} for s in range(100)]
    assert rows == want_rows, first_diff(rows, want_rows, "synced history")
    assert api_run.summary.get("best") == 0.99
    assert api_run.config == {"batch": 32, "data": {"name": "mnist"}}
    assert api_run.tags == ["offline"]
    assert api_run.state == "finished"
