"""The workloads, each run identically against both servers through MLflow's REST API."""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import http.client
from urllib.parse import urlsplit

import requests

T0 = 1_700_000_000_000
JSON = {"Content-Type": "application/json"}


class Api:
    def __init__(self, url: str):
        self.base = url + "/api/2.0/mlflow/"
        self.s = requests.Session()

    def post(self, path: str, body) -> dict:
        data = body if isinstance(body, (bytes, str)) else json.dumps(body)
        r = self.s.post(self.base + path, data=data, headers=JSON, timeout=600)
        if r.status_code != 200:
            raise RuntimeError(f"{path}: {r.status_code} {r.text[:300]}")
        return r.json()

    def get(self, path: str, params) -> dict:
        r = self.s.get(self.base + path, params=params, timeout=600)
        if r.status_code != 200:
            raise RuntimeError(f"{path}: {r.status_code} {r.text[:300]}")
        return r.json()

    def experiment(self, name: str) -> str:
        return self.post("experiments/create", {"name": name})["experiment_id"]

    def run(self, exp: str, name: str = "") -> str:
        return self.post("runs/create", {"experiment_id": exp, "run_name": name, "start_time": T0})["run"]["info"]["run_id"]


class Wire:
    """One persistent HTTP/1.1 connection with nothing on top, for the throughput workloads.

    requests costs about 2 ms of client CPU per call on the 2-core machine (measured against a
    server that only parses the body: 2.3-2.7 ms per 1,000-point log-batch with requests, 1.1-1.2 ms
    with http.client), which would make those workloads measure the client, not the server.
    """

    def __init__(self, url: str):
        u = urlsplit(url)
        self.host, self.port = u.hostname, u.port
        self.base = "/api/2.0/mlflow/"
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=600)

    def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        try:
            self.conn.request("POST", self.base + path, body=body, headers=JSON)
            r = self.conn.getresponse()
            return r.status, r.read()
        except (http.client.HTTPException, OSError):
            self.conn.close()
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=600)
            raise


def metric_batches(run_id: str, metrics: int, steps: int, per_batch: int = 1000, key_prefix: str = "m") -> list[bytes]:
    """log-batch bodies of `per_batch` points, steps in order, encoded ahead of the timed section."""
    points = [(k, st) for st in range(steps) for k in range(metrics)]
    out = []
    for i in range(0, len(points), per_batch):
        ms = ",".join(
            f'{{"key":"{key_prefix}{k}","value":{(k * 31 + st) % 997 / 997.0},"timestamp":{T0 + st},"step":{st}}}'
            for k, st in points[i:i + per_batch])
        out.append(f'{{"run_id":"{run_id}","metrics":[{ms}]}}'.encode())
    return out


def ingest(url: str, runs: int, steps: int) -> dict:
    api = Api(url)
    exp = api.experiment("bench-ingest")
    plan = []
    for r in range(runs):
        rid = api.run(exp, f"ingest-{r}")
        head = {"run_id": rid, "params": [{"key": f"p{i}", "value": f"v{i}-{r}"} for i in range(20)],
                "tags": [{"key": f"t{i}", "value": f"x{i}"} for i in range(5)]}
        plan.append((json.dumps(head).encode(), metric_batches(rid, 10, steps)))
    points = runs * 10 * steps
    wire = Wire(url)
    t = time.perf_counter()
    for head, batches in plan:
        for b in [head, *batches]:
            status, text = wire.post("runs/log-batch", b)
            if status != 200:
                raise RuntimeError(f"log-batch: {status} {text[:300]!r}")
    dt = time.perf_counter() - t
    return {"points": points, "seconds": dt, "points_per_s": points / dt}


def per_step(url: str, requests_n: int) -> dict:
    api = Api(url)
    rid = api.run(api.experiment("bench-per-step"))
    bodies = [json.dumps({"run_id": rid, "key": "loss", "value": 1.0 / (i + 1), "timestamp": T0 + i, "step": i}) for i in range(requests_n)]
    t = time.perf_counter()
    for b in bodies:
        api.post("runs/log-metric", b)
    dt = time.perf_counter() - t
    return {"requests": requests_n, "seconds": dt, "requests_per_s": requests_n / dt}


def concurrent_writers(url: str, writers: int, batches: int) -> dict:
    setup = Api(url)
    exp = setup.experiment("bench-concurrent")
    work = []
    for w in range(writers):
        rid = setup.run(exp, f"writer-{w}")
        work.append(metric_batches(rid, 10, batches * 100))
    errors = []
    start = threading.Barrier(writers + 1)

    def writer(bodies):
        wire = Wire(url)
        start.wait()
        for b in bodies:
            try:
                status, text = wire.post("runs/log-batch", b)
                if status != 200:
                    errors.append(f"{status} {text[:200]!r}")
            except (http.client.HTTPException, OSError) as e:
                errors.append(repr(e))

    threads = [threading.Thread(target=writer, args=(w,)) for w in work]
    for th in threads:
        th.start()
    start.wait()
    t = time.perf_counter()
    for th in threads:
        th.join()
    dt = time.perf_counter() - t
    points = writers * batches * 1000
    return {"points": points, "seconds": dt, "points_per_s": points / dt, "errors": len(errors), "first_errors": errors[:3]}


def populate_search(url: str, runs: int) -> str:
    setup = Api(url)
    exp = setup.experiment("bench-search")

    def make(i: int, api_box={}):
        api = api_box.setdefault(threading.get_ident(), Api(url))
        rid = api.run(exp, f"run-{i}")
        api.post("runs/log-batch", {
            "run_id": rid,
            "params": [{"key": f"p{j}", "value": f"val-{(i * 7 + j) % 50}"} for j in range(20)],
            "metrics": [{"key": f"m{j}", "value": ((i * 13 + j * 7) % 1000) / 1000.0, "timestamp": T0 + i, "step": 0} for j in range(20)],
        })

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(make, range(runs)))
    return exp


def search(url: str, exp: str, repeats: int) -> dict:
    api = Api(url)
    body = {"experiment_ids": [exp], "filter": "metrics.m1 > 0.5 AND params.p2 LIKE 'val-1%'",
            "order_by": ["metrics.m3 DESC"], "max_results": 100, "run_view_type": "ACTIVE_ONLY"}
    api.post("runs/search", body)  # warm-up
    times, runs = [], []
    for _ in range(repeats):
        t = time.perf_counter()
        runs = api.post("runs/search", body).get("runs", [])
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    # The ordering metric of the page, row by row: both servers must agree on it (run ids differ).
    m3 = [next(m["value"] for m in r["data"]["metrics"] if m["key"] == "m3") for r in runs]
    return {"p50_ms": statistics.median(times), "p95_ms": times[min(len(times) - 1, int(len(times) * 0.95))], "rows": len(runs),
            "order_values": m3}


def history(url: str, points: int, repeats: int) -> dict:
    api = Api(url)
    rid = api.run(api.experiment("bench-history"))
    for b in metric_batches(rid, 1, points, key_prefix="h"):
        api.post("runs/log-batch", b)
    times, n = [], 0
    for _ in range(repeats):
        t = time.perf_counter()
        n, token = 0, None
        while True:
            params = {"run_id": rid, "run_uuid": rid, "metric_key": "h0", "max_results": 25000}
            if token:
                params["page_token"] = token
            page = api.get("metrics/get-history", params)
            n += len(page.get("metrics", []))
            token = page.get("next_page_token")
            if not token:
                break
        times.append((time.perf_counter() - t) * 1000)
    assert n == points, f"history returned {n} of {points} points"
    return {"points": n, "p50_ms": statistics.median(times)}


def bulk_interval(url: str, runs: int, steps: int, repeats: int) -> dict:
    api = Api(url)
    exp = api.experiment("bench-bulk")
    ids = []
    for r in range(runs):
        rid = api.run(exp, f"bulk-{r}")
        ids.append(rid)
        for b in metric_batches(rid, 1, steps, key_prefix="b"):
            api.post("runs/log-batch", b)
    params = {"run_ids": ids, "metric_key": "b0", "max_results": 320}
    times, per_run = [], {}
    for _ in range(repeats):
        t = time.perf_counter()
        got = api.get("metrics/get-history-bulk-interval", params).get("metrics", [])
        times.append((time.perf_counter() - t) * 1000)
        per_run = {}
        for m in got:
            per_run.setdefault(m["run_id"], []).append(m["step"])
    most = max((len(v) for v in per_run.values()), default=0)
    spans_range = all(min(v) == 0 and max(v) == steps - 1 for v in per_run.values())
    return {"p50_ms": statistics.median(times), "max_points_per_run": most, "covers_whole_range": spans_range}


TRAIN_LOOP = Path(__file__).with_name("train_loop.py")


def end_to_end(url: str, metrics: int, steps: int, asynchronous: bool) -> dict:
    env = {**os.environ, "MLFLOW_TRACKING_URI": url, "MLFLOW_ENABLE_ASYNC_LOGGING": "true" if asynchronous else "false",
           "MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true"}
    t = time.perf_counter()
    subprocess.run([sys.executable, str(TRAIN_LOOP), str(metrics), str(steps)], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return {"seconds": time.perf_counter() - t, "points": metrics * steps}
