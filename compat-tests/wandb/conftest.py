"""The real wandb client against a live `trackbridge serve` process.

Each scenario is a plain training script in scripts/, run as a subprocess with this venv's python
(so with the wandb version installed here: compat-tests/.venv-wandb-0.31.0 or -0.30.0) and only the
environment a user sets: WANDB_BASE_URL, WANDB_API_KEY, WANDB_DIR. What it stored is then read back
through the mlflow client and through wandb.Api(), in this process.

The server comes from the parent conftest's ``server`` fixture (one per module and backend, over
TRACKBRIDGE_COMPAT_BACKENDS); ``wb`` adds an API key made with `trackbridge keys create`.

No __init__.py here on purpose: a package named `wandb` on sys.path would shadow the client.
"""

from __future__ import annotations

import os

import mlflow
import pytest
import wandb

from wb_compat import WANDB_VERSION, Wandb, make_key


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "core: the quick subset of the scenarios (`-m core`); CI runs them all")


def pytest_report_header(config):
    return f"wandb client {WANDB_VERSION} ({wandb.__file__})"


@pytest.fixture(scope="module")
def wb(server, tmp_path_factory) -> Wandb:
    """The module's server (one per backend) and a key of user alice for it."""
    return Wandb(server, make_key(server, "alice"), tmp_path_factory.mktemp(f"wandb-{server.backend}"))


@pytest.fixture(autouse=True)
def _wandb_env(wb, tmp_path, monkeypatch):
    """wandb.Api() in this process talks to the module's server only, and writes under tmp_path."""
    for var in [v for v in os.environ if v.startswith("WANDB_")]:
        monkeypatch.delenv(var)
    monkeypatch.setenv("WANDB_BASE_URL", wb.url)
    monkeypatch.setenv("WANDB_API_KEY", wb.key)
    for name, sub in (("WANDB_DIR", "dir"), ("WANDB_CONFIG_DIR", "config"), ("WANDB_CACHE_DIR", "cache"),
                      ("WANDB_DATA_DIR", "data"), ("WANDB_ARTIFACT_DIR", "artifacts")):
        (tmp_path / "api" / sub).mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(name, str(tmp_path / "api" / sub))
    monkeypatch.setenv("NETRC", str(tmp_path / "api" / "netrc"))
    monkeypatch.setenv("WANDB_ERROR_REPORTING", "false")
    monkeypatch.setenv("WANDB_SILENT", "true")
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "60")
    mlflow.set_tracking_uri(wb.url)
    yield
    mlflow.set_tracking_uri(None)
