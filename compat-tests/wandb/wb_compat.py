"""What the W&B scenarios share: running a scenario script with a user's environment, the two read
clients, `trackbridge keys create`, and comparisons where NaN equals NaN."""

from __future__ import annotations

import json
import math
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import wandb
from mlflow.tracking import MlflowClient

HERE = Path(__file__).resolve().parent
SCRIPTS = HERE / "scripts"
REPO = HERE.parent.parent
WANDB_VERSION = wandb.__version__
# A key the client's own check accepts (after an optional prefix, 40 or more word characters).
KEY_SHAPE = re.compile(r"^([A-Za-z0-9_]+-)?[A-Za-z0-9_]{40,}$")
SCRIPT_TIMEOUT_S = 150

if str(SCRIPTS) not in sys.path:
    sys.path.insert(0, str(SCRIPTS))


def make_key(server, user: str) -> str:
    """`trackbridge keys create --user USER --db URL`, whose stdout is exactly the key."""
    launcher = shlex.split(os.environ["TRACKBRIDGE_CMD"]) if os.environ.get("TRACKBRIDGE_CMD") \
        else ["node", str(REPO / "bin" / "trackbridge.js")]
    cmd = [*launcher, "keys", "create", "--user", user, "--db", server.store.db_url]
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        pytest.fail(f"`{' '.join(cmd)}` exited {done.returncode}:\n{done.stderr}{done.stdout}",
                    pytrace=False)
    key = done.stdout.strip()
    if not KEY_SHAPE.match(key) or done.stdout != key + "\n":
        pytest.fail(f"`keys create` printed {done.stdout!r}: not exactly one key of 40+ word "
                    "characters on one line", pytrace=False)
    return key


class Wandb:
    """One server with a user's key: runs scenario scripts and gives both read clients."""

    def __init__(self, server, key: str, workdir: Path):
        self.server = server
        self.key = key
        self.workdir = workdir
        self._count = 0

    @property
    def url(self) -> str:
        return self.server.url

    def env(self, wandb_dir: Path, key: str | None = None, **extra: str) -> dict[str, str]:
        """What a user sets, plus private config, cache and netrc places so nothing leaks between tests."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("WANDB_", "MLFLOW_"))}
        env.update({
            "WANDB_BASE_URL": self.url,
            "WANDB_API_KEY": key if key is not None else self.key,
            "WANDB_DIR": str(wandb_dir),
            "WANDB_ERROR_REPORTING": "false",
            "WANDB_SILENT": "true",
            "WANDB_CONFIG_DIR": str(wandb_dir / "config"),
            "WANDB_CACHE_DIR": str(wandb_dir / "cache"),
            "WANDB_DATA_DIR": str(wandb_dir / "data"),
            "WANDB_ARTIFACT_DIR": str(wandb_dir / "artifacts"),
            "NETRC": str(wandb_dir / "netrc"),
            "PYTHONUNBUFFERED": "1",
        })
        env.update(extra)
        return env

    def new_dir(self, label: str) -> Path:
        self._count += 1
        d = self.workdir / f"{self._count:03d}-{label}"
        d.mkdir(parents=True)
        return d

    def run(self, argv: list[str], wandb_dir: Path, expect_rc: int | None = 0, key: str | None = None,
            timeout: float = SCRIPT_TIMEOUT_S, **extra_env: str) -> subprocess.CompletedProcess:
        """Runs a command (a script of scripts/ when argv[0] ends in .py) and checks its exit code."""
        if argv[0].endswith(".py"):
            argv = [sys.executable, str(SCRIPTS / argv[0]), *argv[1:]]
        try:
            done = subprocess.run(argv, cwd=wandb_dir, env=self.env(wandb_dir, key, **extra_env),
                                  capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as exc:
            pytest.fail(f"{' '.join(argv)} did not end within {timeout:.0f}s\n"
                        f"{self.diagnostics(wandb_dir, exc.stdout, exc.stderr)}", pytrace=False)
        if expect_rc is not None and done.returncode != expect_rc:
            pytest.fail(f"{' '.join(argv)} exited {done.returncode}, expected {expect_rc}\n"
                        f"{self.diagnostics(wandb_dir, done.stdout, done.stderr)}", pytrace=False)
        return done

    def diagnostics(self, wandb_dir: Path, stdout, stderr) -> str:
        def text(x):
            return x.decode(errors="replace") if isinstance(x, bytes) else (x or "")
        logs = sorted(wandb_dir.glob("wandb/**/debug-internal.log")) + sorted(wandb_dir.glob("wandb/**/debug-core.log"))
        internal = "\n".join(f"--- {p} ---\n{p.read_text(errors='replace')[-4000:]}" for p in logs[-2:])
        return (f"--- stdout ---\n{text(stdout)[-3000:]}\n--- stderr ---\n{text(stderr)[-5000:]}\n"
                f"{internal}\n--- server log ---\n{self.server.log_tail(5000)}")

    def script(self, name: str, *args: str, label: str | None = None, expect_rc: int | None = 0,
               **extra_env: str) -> tuple[dict, Path]:
        """Runs scripts/<name> in a fresh WANDB_DIR; returns what it printed last (a JSON line) and the dir."""
        d = self.new_dir(label or name.removesuffix(".py"))
        done = self.run([name, *args], d, expect_rc=expect_rc, **extra_env)
        lines = [ln for ln in done.stdout.splitlines() if ln.startswith("{")]
        return (json.loads(lines[-1]) if lines else {}), d

    def api(self) -> wandb.Api:
        return wandb.Api(overrides={"base_url": self.url}, api_key=self.key, timeout=60)

    def mlflow(self) -> MlflowClient:
        return MlflowClient(tracking_uri=self.url)


# --------------------------------------------------------------------------- comparisons


def same(a, b) -> bool:
    """Equality where NaN equals NaN (recursively through lists and dicts)."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    return a == b


def user_keys(row: dict) -> dict:
    """A history row without the client's own keys, and without keys a reader filled with None."""
    return {k: v for k, v in row.items() if not k.startswith("_") and v is not None}


def metric_series(client: MlflowClient, run_id: str, key: str) -> list[tuple[int, float]]:
    return sorted((m.step, m.value) for m in client.get_metric_history(run_id, key))


def first_diff(got, want, label: str) -> str:
    """A short message naming the first element where two lists of points or rows differ."""
    for i, (g, w) in enumerate(zip(got, want)):
        if not same(g, w):
            return f"{label}: first difference at index {i}: got {g!r}, expected {w!r}"
    return f"{label}: {len(got)} items, expected {len(want)}"
