"""The W&B workloads, trackbridge only (no W&B server can run here, so the ratio is to our own limit):

- wandb_stream: history rows of 10 keys through file_stream as wandb-core sends them when a script logs at full
  speed: the first row at once, then bodies of up to 10 MiB of lines, each with the summary; rows/s, and the points
  it stores per second as a share of the in-process store insert rate (the `limit` workload);
- wandb_reads: `api.runs()` over a project of many runs, then `run.history()` of each, through the real wandb.Api().

(Not named wandb.py: the script's folder comes first on sys.path, so that name would shadow the client.)
"""
from __future__ import annotations

import json
import statistics
import subprocess
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from servers import RssPeak

KEYS = 10
# wandb-core caps a file_stream body at about 10 MiB of lines and merges everything logged in between.
MAX_BODY = 10 * 2**20
READ_ROWS, READ_KEYS = 100, 3
UPSERT = """mutation UpsertBucket ($id: String, $name: String, $project: String, $entity: String, $config: JSONString, $displayName: String) {
  upsertBucket(input: {id:$id,name:$name,modelName:$project,entityName:$entity,config:$config,displayName:$displayName}) {
    bucket { id name historyLineCount project { id name entity { id name } } }
    inserted
  }
}"""


def make_key(repo: Path, db_url: str, user: str = "bench") -> str:
    out = subprocess.run(["node", str(repo / "bin/trackbridge.js"), "keys", "create", "--user", user, "--db", db_url],
                         cwd=repo, check=True, capture_output=True, text=True)
    return out.stdout.strip()


class Wandb:
    """The W&B wire as wandb-core speaks it: Basic api:<key>, GraphQL by operationName, file_stream."""

    def __init__(self, url: str, key: str):
        self.url, self.key = url, key
        self.s = requests.Session()
        self.s.auth = ("api", key)
        self.s.headers.update({"User-Agent": "wandb-core", "Content-Type": "application/json"})

    def run(self, project: str, name: str, display: str | None = None, config: dict | None = None) -> str:
        """Creates a run; returns its file_stream URL."""
        r = self.s.post(self.url + "/graphql", timeout=600, data=json.dumps({
            "query": UPSERT, "operationName": "UpsertBucket",
            "variables": {"name": name, "project": project, "entity": None, "displayName": display,
                          "config": json.dumps({k: {"value": v} for k, v in (config or {}).items()})}}))
        if r.status_code != 200 or r.json().get("errors"):
            raise RuntimeError(f"UpsertBucket: {r.status_code} {r.text[:300]}")
        b = r.json()["data"]["upsertBucket"]["bucket"]
        return f"{self.url}/files/{b['project']['entity']['name']}/{b['project']['name']}/{b['name']}/file_stream"

    def stream(self, fs_url: str, body: bytes) -> None:
        r = self.s.post(fs_url, data=body, timeout=600)
        if r.status_code != 200:
            raise RuntimeError(f"file_stream: {r.status_code} {r.text[:300]}")
        if r.content.strip() and r.json().get("stopped"):
            raise RuntimeError("file_stream answered stopped: the client would kill the run")


def row_line(step: int, keys: int, t0: float) -> str:
    values = ",".join(f'"m{k}":{((k * 31 + step) % 997) / 997.0}' for k in range(keys))
    return f'{{"_step":{step},"_runtime":{step * 0.001},"_timestamp":{t0 + step * 0.001},{values}}}'


def client_bodies(rows: int, keys: int, t0: float) -> list[bytes]:
    """The file_stream bodies wandb-core sends for `rows` logged back to back: one row first, then bodies filled up
    to MAX_BODY, each carrying the summary as it then stands. Encoded ahead of the timed section."""
    lines = [row_line(s, keys, t0) for s in range(rows)]
    bodies, start = [], 0
    while start < rows:
        end, size = start + 1, len(lines[start]) + 2
        if start > 0:
            while end < rows and size + len(json.dumps(lines[end])) + 2 < MAX_BODY - 4096:
                size += len(json.dumps(lines[end])) + 2
                end += 1
        summary = lines[end - 1]
        bodies.append(json.dumps({"files": {
            "wandb-history.jsonl": {"offset": start, "content": lines[start:end]},
            "wandb-summary.json": {"offset": 0, "content": [summary]}}}).encode())
        start = end
    bodies.append(json.dumps({"complete": True, "exitcode": 0}).encode())
    return bodies


def stream(server, key: str, rows: int) -> dict:
    wb = Wandb(server.url, key)
    project, rid = "bench-wandb-stream", uuid.uuid4().hex[:8]
    fs_url = wb.run(project, rid)
    bodies = client_bodies(rows, KEYS, time.time())
    with RssPeak(server.proc.pid) as rss:
        t = time.perf_counter()
        for body in bodies:
            wb.stream(fs_url, body)
        dt = time.perf_counter() - t
    points = {f"m{k}": history_points(server.url, rid, f"m{k}") for k in (0, KEYS - 1)}
    return {"rows": rows, "keys": KEYS, "requests": len(bodies), "seconds": dt, "rows_per_s": rows / dt,
            "points_per_s": rows * KEYS / dt, "points_read_back": points, "peak_rss_mb": rss.peak / 2**20}


def history_points(url: str, run_id: str, key: str) -> int:
    """How many points of `key` the MLflow API gives back, every page read."""
    count, token = 0, None
    while True:
        r = requests.get(url + "/api/2.0/mlflow/metrics/get-history", timeout=600,
                         params={"run_id": run_id, "metric_key": key, **({"page_token": token} if token else {})})
        if r.status_code != 200:
            raise RuntimeError(f"get-history {key}: {r.status_code} {r.text[:300]}")
        body = r.json()
        count += len(body.get("metrics", []))
        token = body.get("next_page_token")
        if not token:
            return count


def populate_reads(server, key: str, runs: int, threads: int = 8) -> str:
    project = "bench-wandb-reads"
    local = threading.local()

    def one(i: int) -> None:
        if not hasattr(local, "wb"):
            local.wb = Wandb(server.url, key)
        fs_url = local.wb.run(project, f"r{i:07d}", display=f"run-{i}", config={"i": i, "lr": 0.001 * (i % 7)})
        lines = [row_line(s, READ_KEYS, 1_700_000_000.0 + i) for s in range(READ_ROWS)]
        local.wb.stream(fs_url, json.dumps({"files": {
            "wandb-history.jsonl": {"offset": 0, "content": lines},
            "wandb-summary.json": {"offset": 0, "content": [lines[-1]]}}, "complete": True, "exitcode": 0}).encode())

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, range(runs)))
    return project


def reads(server, key: str, runs: int) -> dict:
    import wandb  # the real public client; imported here so that the other workloads run without it

    t = time.perf_counter()
    project = populate_reads(server, key, runs)
    populate_s = time.perf_counter() - t
    api = wandb.Api(overrides={"base_url": server.url}, api_key=key, timeout=600)
    entity = api.default_entity
    with RssPeak(server.proc.pid) as rss:
        t = time.perf_counter()
        listed = list(api.runs(f"{entity}/{project}", per_page=50))
        list_s = time.perf_counter() - t
        times, wrong = [], []
        for run in listed:
            t = time.perf_counter()
            rows = run.history(samples=500, pandas=False)
            times.append((time.perf_counter() - t) * 1000)
            if [r.get("_step") for r in rows] != list(range(READ_ROWS)):
                wrong.append(run.id)
    times.sort()
    return {"runs": runs, "populate_seconds": populate_s, "runs_listed": len(listed), "list_seconds": list_s,
            "runs_listed_per_s": len(listed) / list_s if list_s else None,
            "history_p50_ms": statistics.median(times) if times else None,
            "history_p95_ms": times[min(len(times) - 1, int(len(times) * 0.95))] if times else None,
            "history_total_seconds": sum(times) / 1000, "wrong_histories": wrong[:5], "wrong_count": len(wrong),
            "peak_rss_mb": rss.peak / 2**20}


def check(r: dict, n: dict) -> list[str]:
    """What must hold at any size (never a timing): every point and run back, and the server's memory bound."""
    out = []
    s = r.get("wandb_stream")
    if s and "error" not in s:
        for key, got in s["points_read_back"].items():
            if got != n["wandb_rows"]:
                out.append(f"wandb_stream: {key} read back {got} of {n['wandb_rows']} points")
        if s["peak_rss_mb"] > 300:
            out.append(f"wandb_stream: server peak RSS {s['peak_rss_mb']:.0f} MB, over 300 MB")
    rd = r.get("wandb_reads")
    if rd and "error" not in rd:
        if rd["runs_listed"] != n["wandb_runs"]:
            out.append(f"wandb_reads: api.runs() listed {rd['runs_listed']} of {n['wandb_runs']} runs")
        if rd["wrong_count"]:
            out.append(f"wandb_reads: run.history() incomplete for {rd['wrong_count']} runs, e.g. {rd['wrong_histories']}")
        if rd["peak_rss_mb"] > 300:
            out.append(f"wandb_reads: server peak RSS {rd['peak_rss_mb']:.0f} MB, over 300 MB")
    return out
