"""Starting, measuring and stopping the two servers under test."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import requests


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            tree.setdefault(int(fields[1]), []).append(int(entry))
        except OSError:
            continue
    return tree


def tree_status_bytes(pid: int, field: str = "VmRSS") -> int:
    """A /proc/<pid>/status memory field summed over a process and all its descendants (mlflow server forks workers).

    VmRSS is resident memory now; VmHWM is each process's own peak since it started.
    """
    tree = _children()
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo.extend(tree.get(p, []))
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith(field + ":"):
                        total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


def tree_rss_bytes(pid: int) -> int:
    return tree_status_bytes(pid, "VmRSS")


class RssPeak:
    """Samples a process tree's resident memory every 50 ms while a block runs: the peak of that block alone."""

    def __init__(self, pid: int):
        self.pid, self.peak, self._stop = pid, 0, threading.Event()

    def __enter__(self) -> "RssPeak":
        self.before = tree_rss_bytes(self.pid)
        self.peak = self.before
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, tree_rss_bytes(self.pid))

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, tree_rss_bytes(self.pid))


class Server:
    """One server process: started, health-checked, sampled for memory, stopped with SIGTERM."""

    def __init__(self, name: str, cmd: list[str], workdir: Path, health_path: str, env: dict | None = None):
        self.name, self.cmd, self.workdir, self.health_path = name, cmd, workdir, health_path
        self.port = free_port()
        self.cmd = [c.replace("{port}", str(self.port)) for c in cmd]
        self.env = {**os.environ, **(env or {})}
        self.peak_rss = 0
        self._stop_sampling = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "Server":
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.log = open(self.workdir / "server.log", "w")
        self.proc = subprocess.Popen(self.cmd, cwd=self.workdir, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.time() + 120
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited early; see {self.workdir / 'server.log'}")
            try:
                if requests.get(self.url + self.health_path, timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.3)
        else:
            raise RuntimeError(f"{self.name} did not become healthy")
        threading.Thread(target=self._sample, daemon=True).start()
        return self

    def _sample(self) -> None:
        while not self._stop_sampling.wait(0.2):
            self.peak_rss = max(self.peak_rss, tree_rss_bytes(self.proc.pid))

    def stop(self) -> None:
        self._stop_sampling.set()
        if not hasattr(self, "proc"):
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=60)
        except ProcessLookupError:  # it exited on its own (a failed start)
            self.proc.wait()
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.log.close()


def dir_bytes(path: Path, suffixes: tuple[str, ...]) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and p.name.endswith(suffixes))
