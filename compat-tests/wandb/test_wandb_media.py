"""wandb.Image, wandb.Table, a confusion-matrix plot and log_artifact / use_artifact: stored, and
downloadable byte for byte through wandb.Api(), the client's use_artifact and the mlflow client."""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections import Counter
from pathlib import Path

import pytest

from wb_compat import metric_series

Y_TRUE = [0, 1, 1, 2, 2, 2]
PREDS = [0, 1, 2, 2, 2, 1]
CLASSES = ["a", "b", "c"]


@pytest.fixture(scope="module")
def media_run(wb):
    payload = wb.new_dir("payload") / "payload.bin"
    payload.write_bytes(os.urandom(300_000) + b"\0end")
    out, d = wb.script("train_media.py", f"media-{uuid.uuid4().hex[:8]}", str(payload))
    out["payload"] = payload.read_bytes()
    return out


@pytest.fixture
def api_run(wb, media_run):
    return wb.api().run(f"{media_run['entity']}/{media_run['project']}/{media_run['id']}")


def history_by_step(api_run) -> dict[int, dict]:
    return {r["_step"]: r for r in api_run.scan_history(use_cache=False)}


def downloaded(file, tmp_path: Path) -> bytes:
    target = tmp_path / "dl" / uuid.uuid4().hex
    file.download(root=str(target), replace=True)
    return (target / file.name).read_bytes()


def local_file(media_run, name: str) -> bytes:
    return (Path(media_run["run_dir"]) / name).read_bytes()


@pytest.mark.core
def test_media_run_finishes_with_its_metric(wb, media_run):
    assert wb.mlflow().get_run(media_run["id"]).info.status == "FINISHED"
    assert metric_series(wb.mlflow(), media_run["id"], "loss") == [(0, 0.5), (1, 0.25), (2, 0.125)]


@pytest.mark.core
def test_image_is_in_history_and_downloadable(wb, media_run, api_run, tmp_path):
    value = history_by_step(api_run)[0].get("sample")
    assert isinstance(value, dict) and value.get("_type") == "image-file", f"history sample: {value!r}"
    files = {f.name: f for f in api_run.files()}
    assert value["path"] in files, f"{value['path']} not among the run's files {sorted(files)}"
    body = downloaded(files[value["path"]], tmp_path)
    assert body == local_file(media_run, value["path"]), "the image came back changed"
    assert hashlib.sha256(body).hexdigest() == value["sha256"]
    assert body[:8] == b"\x89PNG\r\n\x1a\n"
    assert value.get("caption") == "a gradient"
    # The same file is an artifact of the MLflow run.
    mlflow_copy = wb.mlflow().download_artifacts(media_run["id"], value["path"], str(tmp_path / "ml"))
    assert Path(mlflow_copy).read_bytes() == body


@pytest.mark.core
def test_table_is_in_history_and_downloadable(media_run, api_run, tmp_path):
    value = history_by_step(api_run)[1].get("predictions")
    assert isinstance(value, dict) and value.get("_type") == "table-file", f"history predictions: {value!r}"
    files = {f.name: f for f in api_run.files()}
    assert value["path"] in files, f"{value['path']} not among the run's files {sorted(files)}"
    body = downloaded(files[value["path"]], tmp_path)
    assert body == local_file(media_run, value["path"])
    table = json.loads(body)
    assert table["columns"] == ["id", "label", "score"]
    assert table["data"] == [[1, "cat", 0.9], [2, "dog", 0.75], [3, "cat", 0.2]]
    assert value.get("nrows") == 3 and value.get("ncols") == 3


def test_confusion_matrix_is_a_table_with_the_counts(media_run, api_run, tmp_path):
    value = history_by_step(api_run)[2].get("conf_mat_table")
    assert isinstance(value, dict) and value.get("_type") == "table-file", f"history conf_mat_table: {value!r}"
    files = {f.name: f for f in api_run.files()}
    body = downloaded(files[value["path"]], tmp_path)
    assert body == local_file(media_run, value["path"])
    table = json.loads(body)
    assert table["columns"] == ["Actual", "Predicted", "nPredictions"]
    counts = Counter((CLASSES[t], CLASSES[p]) for t, p in zip(Y_TRUE, PREDS))
    got = {(a, p): n for a, p, n in table["data"] if n}
    assert got == dict(counts)


@pytest.mark.core
def test_log_artifact_then_download_through_the_public_api(wb, media_run, tmp_path):
    api = wb.api()
    for alias in ("v0", "latest"):
        art = api.artifact(f"{media_run['entity']}/{media_run['project']}/dataset:{alias}")
        assert art.type == "dataset"
        assert art.metadata == {"rows": 3}
        assert art.description == "the training data"
        root = art.download(root=str(tmp_path / alias))
        assert (Path(root) / "data" / "payload.bin").read_bytes() == media_run["payload"]
    names = [a.name for a in api.run(f"{media_run['entity']}/{media_run['project']}/{media_run['id']}").logged_artifacts()]
    assert "dataset:v0" in names, names


@pytest.mark.core
def test_use_artifact_in_another_run(wb, media_run, tmp_path):
    out, _ = wb.script("use_artifact.py", media_run["project"], "dataset:latest", str(tmp_path / "used"))
    assert out["version"] == "v0"
    assert (Path(out["path"]) / "data" / "payload.bin").read_bytes() == media_run["payload"]
    used = wb.api().run(f"{media_run['entity']}/{media_run['project']}/{out['id']}").used_artifacts()
    assert [a.name for a in used] == ["dataset:v0"]
