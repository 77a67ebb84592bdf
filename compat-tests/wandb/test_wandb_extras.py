"""What the README lists beside the basics, with the real client: config.update, histograms, console
output, run.save files, finish(exit_code=N), artifact.save(), api.artifacts() and Run.update()."""

from __future__ import annotations

import uuid

import pytest


@pytest.fixture(scope="module")
def extras(wb):
    project = f"extras-{uuid.uuid4().hex[:8]}"
    out, d = wb.script("train_extras.py", project, label="extras")
    return out, d


@pytest.mark.core
def test_config_update_histogram_console_saved_file_and_exit_code(wb, extras):
    out, d = extras
    client = wb.mlflow()
    run = client.get_run(out["id"])
    assert run.data.params.get("epochs") == "5", run.data.params
    assert run.data.params.get("lr") == "0.1"
    assert run.info.status == "FAILED", "finish(exit_code=3) is a failed run"
    paths = {a.path for a in client.list_artifacts(out["id"])}
    assert {"notes.txt", "output.log"} <= paths, paths
    log = open(client.download_artifacts(out["id"], "output.log", str(d))).read()
    assert "hello from the console" in log
    api_run = wb.api().run(f"{out['entity']}/{out['project']}/{out['id']}")
    assert api_run.config.get("epochs") == 5
    rows = list(api_run.scan_history(use_cache=False))
    assert len(rows) == 5 and all(r["hist"]["_type"] == "histogram" for r in rows), rows[:1]
    # The console as the client streamed it, line by line: from the start and as a tail.
    lines = [ln.content for ln in api_run.console_logs()]
    assert any("hello from the console" in c for c in lines), lines
    assert any("hello from the console" in ln.content for ln in api_run.console_logs(last=50))
    names = {f.name for f in api_run.files()}
    assert "notes.txt" in names, names


@pytest.mark.core
def test_artifact_save_and_project_artifacts_and_run_update(wb, extras):
    out, _ = extras
    api = wb.api()
    art = api.artifact(f"{out['entity']}/{out['project']}/extras-data:latest")
    art.description = "edited after the run"
    art.aliases.append("golden")
    art.save()
    again = wb.api().artifact(f"{out['entity']}/{out['project']}/extras-data:golden")
    assert again.description == "edited after the run"
    listed = [a.name for a in wb.api().artifacts("dataset", f"{out['entity']}/{out['project']}/extras-data")]
    assert listed == ["extras-data:v0"], listed

    run = wb.api().run(f"{out['entity']}/{out['project']}/{out['id']}")
    run.tags.append("reviewed")
    run.notes = "checked"
    run.update()
    tags = wb.mlflow().get_run(out["id"]).data.tags
    assert "reviewed" in tags.get("wandb.tags", ""), tags
    assert tags.get("mlflow.note.content") == "checked"
