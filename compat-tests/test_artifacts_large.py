"""Large artifacts and model folders through the proxy, as a training script moves them.

A 1 GiB weights file goes up through the client's multipart path (MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD)
and comes back byte for byte, while the server's resident memory stays under 300 MB; a logged
model's folder downloads whole with mlflow.artifacts.download_artifacts.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from pathlib import Path

import mlflow
import pytest
from mlflow import MlflowClient
from mlflow.store.artifact.artifact_repository_registry import get_artifact_repository
from mlflow.store.artifact.http_artifact_repo import HttpArtifactRepository

from compat_helpers import unique

MiB = 1024 * 1024
# Not a multiple of the client's 10 MiB parts, so the last part is a short one.
BIG_SIZE = 1024 * MiB + 12_345
RSS_LIMIT = 300 * 1000 * 1000


def _write_random_file(path: Path, size: int) -> str:
    """Random bytes written a block at a time; returns their sha256."""
    digest = hashlib.sha256()
    left = size
    with open(path, "wb") as f:
        while left:
            block = os.urandom(min(4 * MiB, left))
            digest.update(block)
            f.write(block)
            left -= len(block)
    return digest.hexdigest()


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(4 * MiB):
            digest.update(block)
    return digest.hexdigest()


class MemoryWatch:
    """Samples a process's resident set while it works; VmHWM is the kernel's own peak."""

    def __init__(self, pid: int, every: float = 0.05):
        self.pid = pid
        self.every = every
        self.peak_rss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _status(self, field: str) -> int:
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
        raise AssertionError(f"no {field} in /proc/{self.pid}/status")

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_rss = max(self.peak_rss, self._status("VmRSS"))
            self._stop.wait(self.every)

    def __enter__(self) -> "MemoryWatch":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def high_water(self) -> int:
        return self._status("VmHWM")


@pytest.mark.deadline(600)
def test_one_gib_artifact_goes_up_in_parts_and_comes_back_identical(tracking, tmp_path, monkeypatch):
    monkeypatch.setenv("MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD", "true")
    calls = {"create": 0, "part": 0, "complete": 0, "abort": 0}

    def counted(name, fn):
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return fn(*args, **kwargs)
        return wrapper

    for name, attr in [("create", "create_multipart_upload"), ("complete", "complete_multipart_upload"),
                       ("abort", "abort_multipart_upload")]:
        monkeypatch.setattr(HttpArtifactRepository, attr, counted(name, getattr(HttpArtifactRepository, attr)))
    monkeypatch.setattr(HttpArtifactRepository, "_upload_part",
                        staticmethod(counted("part", HttpArtifactRepository._upload_part)))

    weights = tmp_path / "weights.bin"
    back = tmp_path / "download"
    staging = tracking.store.artifacts_root / ".trackbridge;multipart"
    try:
        expected = _write_random_file(weights, BIG_SIZE)
        mlflow.set_experiment(unique("large-artifacts"))
        with MemoryWatch(tracking.proc.pid) as watch:
            with mlflow.start_run() as run:
                started = time.monotonic()
                mlflow.log_artifact(str(weights), artifact_path="checkpoints")
                uploaded = time.monotonic() - started
            started = time.monotonic()
            local = mlflow.artifacts.download_artifacts(
                run_id=run.info.run_id, artifact_path="checkpoints/weights.bin", dst_path=str(back))
            downloaded = time.monotonic() - started
        peak, high_water = watch.peak_rss, watch.high_water
        print(f"\n1 GiB artifact ({tracking.backend}): upload {uploaded:.1f}s, download {downloaded:.1f}s, "
              f"server peak RSS sampled {peak / 1e6:.0f} MB, VmHWM {high_water / 1e6:.0f} MB")

        parts = -(-BIG_SIZE // (10 * MiB))
        assert calls == {"create": 1, "part": parts, "complete": 1, "abort": 0}
        assert os.path.getsize(local) == BIG_SIZE
        assert _sha256_of(Path(local)) == expected
        listed = MlflowClient().list_artifacts(run.info.run_id, "checkpoints")
        assert [(f.path, f.file_size) for f in listed] == [("checkpoints/weights.bin", BIG_SIZE)]
        assert list(staging.iterdir()) == [], "the staged parts are gone once the upload is complete"
        assert peak < RSS_LIMIT, f"server RSS reached {peak / 1e6:.0f} MB while streaming"
        assert high_water < RSS_LIMIT, f"server VmHWM reached {high_water / 1e6:.0f} MB"
    finally:
        # Gigabytes are not left behind in pytest's kept temp folders, on either side.
        weights.unlink(missing_ok=True)
        for f in back.rglob("*"):
            if f.is_file():
                f.unlink()
        if "run" in locals():
            get_artifact_repository(run.info.artifact_uri).delete_artifacts("checkpoints")


class Doubler(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input, params=None):
        return [2 * x for x in model_input]


def test_download_artifacts_of_a_logged_models_folder(tracking, tmp_path):
    mlflow.set_experiment(unique("model-folders"))
    extra = tmp_path / "vocab.txt"
    extra.write_text("alpha\nbeta\n")
    with mlflow.start_run():
        info = mlflow.pyfunc.log_model(name="doubler", python_model=Doubler(),
                                       artifacts={"vocab": str(extra)}, pip_requirements=[])
    whole = Path(mlflow.artifacts.download_artifacts(artifact_uri=info.model_uri, dst_path=str(tmp_path / "whole")))
    names = sorted(str(p.relative_to(whole)) for p in whole.rglob("*") if p.is_file())
    assert "MLmodel" in names and "python_model.pkl" in names
    assert "artifacts/vocab.txt" in names
    assert (whole / "artifacts" / "vocab.txt").read_text() == "alpha\nbeta\n"
    # The same files as the logged model's own listing, and a sub-folder on its own.
    model = MlflowClient().get_logged_model(info.model_id)
    sub = Path(mlflow.artifacts.download_artifacts(artifact_uri=f"{model.artifact_location}/artifacts",
                                                   dst_path=str(tmp_path / "sub")))
    assert sorted(p.name for p in sub.iterdir()) == ["vocab.txt"]
    loaded = mlflow.pyfunc.load_model(info.model_uri)
    assert list(loaded.predict([1, 2, 3])) == [2, 4, 6]


def test_a_client_forcing_presigned_downloads_falls_back_to_the_proxy(tracking, tmp_path, monkeypatch):
    monkeypatch.setenv("MLFLOW_ENABLE_PROXY_MULTIPART_DOWNLOAD", "true")
    asked = []
    original = HttpArtifactRepository._get_presigned_download_url

    def spied(self, remote_file_path):
        asked.append(remote_file_path)
        return original(self, remote_file_path)

    monkeypatch.setattr(HttpArtifactRepository, "_get_presigned_download_url", spied)
    mlflow.set_experiment(unique("presigned-fallback"))
    source = tmp_path / "report.txt"
    source.write_text("accuracy 0.93\n")
    with mlflow.start_run() as run:
        mlflow.log_artifact(str(source), artifact_path="reports")
    local = mlflow.artifacts.download_artifacts(run_id=run.info.run_id, artifact_path="reports/report.txt",
                                                dst_path=str(tmp_path / "back"))
    assert Path(local).read_text() == "accuracy 0.93\n"
    assert len(asked) == 1 and asked[0].endswith("report.txt"), "the client asked for a presigned URL first, got 501 and used the proxy"
