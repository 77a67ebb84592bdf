"""Side-by-side benchmark of `mlflow server` and `trackbridge serve` (both with their defaults).

Every workload runs against both servers in one run, one server at a time; the table shows
each figure and the ratio (how many times better trackbridge is). Not a test: nothing asserts.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

import mlflow

import workloads as w
from servers import Server, dir_bytes


def sizes(scale: float) -> dict:
    s = lambda n, lo=1: max(lo, int(n * scale))  # noqa: E731
    return {
        "ingest_runs": s(20), "ingest_steps": s(500, 100),
        "per_step_requests": s(1000, 20),
        "writers": 8, "writer_batches": s(10),
        "search_runs": s(10000, 50), "search_repeats": s(30, 5),
        "history_points": s(100000, 1000), "history_repeats": s(5, 2),
        "bulk_runs": s(100, 5), "bulk_steps": s(1000, 400), "bulk_repeats": s(20, 3),
        "e2e_metrics": 10, "e2e_steps": s(5000, 20),
        "limit_rows": s(1000000, 10000),
    }


def store_limit(repo: Path, rows: int, workdir: Path) -> dict:
    # The compiled build, like the server: run through tsx, every closure pays for a name helper.
    out = subprocess.run(["node", str(repo / "dist/scripts/bench/store-baseline.js"), "--rows", str(rows), "--dir", str(workdir)],
                         cwd=repo, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repo", required=True)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--out", default=None, help="JSON results file (default scripts/bench/results/<date>.json)")
    ap.add_argument("--check", action="store_true",
                    help="exit non-zero when a result is wrong (errors, missing points, oversampling); never on timings")
    args = ap.parse_args()
    repo = Path(args.repo)
    n = sizes(args.scale)
    work = Path(tempfile.mkdtemp(prefix="trackbridge-bench-"))
    venv_bin = Path(sys.executable).parent

    servers = {
        "mlflow": Server("mlflow", [str(venv_bin / "mlflow"), "server", "--host", "127.0.0.1", "--port", "{port}"],
                         work / "mlflow", "/health", env={"MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true"}),
        "trackbridge": Server("trackbridge", ["node", str(repo / "bin/trackbridge.js"), "serve", "--port", "{port}"],
                              work / "trackbridge", "/health"),
    }
    results: dict[str, dict] = {name: {} for name in servers}
    try:
        for s in servers.values():
            s.start()
        plan = [
            ("ingest", lambda url: w.ingest(url, n["ingest_runs"], n["ingest_steps"])),
            ("per_step", lambda url: w.per_step(url, n["per_step_requests"])),
            ("concurrent", lambda url: w.concurrent_writers(url, n["writers"], n["writer_batches"])),
            ("search", lambda url: w.search(url, w.populate_search(url, n["search_runs"]), n["search_repeats"])),
            ("history", lambda url: w.history(url, n["history_points"], n["history_repeats"])),
            ("bulk_interval", lambda url: w.bulk_interval(url, n["bulk_runs"], n["bulk_steps"], n["bulk_repeats"])),
            ("e2e_sync", lambda url: w.end_to_end(url, n["e2e_metrics"], n["e2e_steps"], False)),
            ("e2e_async", lambda url: w.end_to_end(url, n["e2e_metrics"], n["e2e_steps"], True)),
        ]
        for name, fn in plan:
            for sname, server in servers.items():
                print(f"[bench] {name} on {sname} …", file=sys.stderr, flush=True)
                results[sname][name] = fn(server.url)
                print(f"[bench]   {json.dumps(results[sname][name])}", file=sys.stderr, flush=True)
    finally:
        for s in servers.values():
            s.stop()

    total_points = (n["ingest_runs"] * 10 * n["ingest_steps"] + n["per_step_requests"] + n["writers"] * n["writer_batches"] * 1000
                    + n["search_runs"] * 20 + n["history_points"] + n["bulk_runs"] * n["bulk_steps"] + 2 * n["e2e_metrics"] * n["e2e_steps"])
    for sname, server in servers.items():
        db_bytes = dir_bytes(server.workdir, (".db", ".sqlite", ".db-wal", ".sqlite-wal", ".db-shm", ".sqlite-shm"))
        results[sname]["memory"] = {"peak_rss_mb": server.peak_rss / 2**20}
        results[sname]["store"] = {"bytes": db_bytes, "bytes_per_million_points": db_bytes / total_points * 1e6}
    print("[bench] in-process store insert limit …", file=sys.stderr, flush=True)
    limit = store_limit(repo, n["limit_rows"], work / "limit")
    rows = table(results, limit)
    report = {"date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "scale": args.scale, "sizes": n,
              "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "mlflow": mlflow.__version__},
              "results": results, "store_limit": limit, "table": rows}
    out = Path(args.out) if args.out else repo / "scripts/bench/results" / f"{report['date'][:10]}-scale{args.scale}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    print_table(rows, report)
    print(f"\nresults: {out}")
    if args.check:
        failures = check(results, n)
        for f in failures:
            print(f"[bench] check failed: {f}", file=sys.stderr)
        if failures:
            sys.exit(1)
        print("[bench] checks passed: no writer errors, every point read back, bulk-interval within max_results over the whole range")


def check(results: dict, n: dict) -> list[str]:
    """What must hold whatever the speed: the benchmark doubles as a smoke test at tiny sizes."""
    failures = []
    for sname, r in results.items():
        if r["concurrent"]["errors"]:
            failures.append(f"{sname}: {r['concurrent']['errors']} errors reached the concurrent writers")
        if r["history"]["points"] != n["history_points"]:
            failures.append(f"{sname}: get-history returned {r['history']['points']} of {n['history_points']} points")
        bulk = r["bulk_interval"]
        if not 0 < bulk["max_points_per_run"] <= 320 or not bulk["covers_whole_range"]:
            failures.append(f"{sname}: bulk-interval gave up to {bulk['max_points_per_run']} points per run, whole range: {bulk['covers_whole_range']}")
        if r["search"]["rows"] <= 0:
            failures.append(f"{sname}: the benchmark search matched no runs")
    if results["mlflow"]["search"]["order_values"] != results["trackbridge"]["search"]["order_values"]:
        failures.append("the two servers answered the benchmark search with different pages")
    return failures


def table(r: dict, limit: dict) -> list[dict]:
    m, t = r["mlflow"], r["trackbridge"]

    def row(label, unit, a, b, higher_is_better=True):
        ratio = (b / a if higher_is_better else a / b) if a and b else None
        return {"workload": label, "unit": unit, "mlflow": a, "trackbridge": b, "ratio": ratio}

    return [
        row("ingest via log-batch", "points/s", m["ingest"]["points_per_s"], t["ingest"]["points_per_s"]),
        row("per-step log-metric", "requests/s", m["per_step"]["requests_per_s"], t["per_step"]["requests_per_s"]),
        row("8 concurrent writers", "points/s", m["concurrent"]["points_per_s"], t["concurrent"]["points_per_s"]),
        row("  errors seen by writers", "count", m["concurrent"]["errors"], t["concurrent"]["errors"], False),
        row("search_runs p50", "ms", m["search"]["p50_ms"], t["search"]["p50_ms"], False),
        row("search_runs p95", "ms", m["search"]["p95_ms"], t["search"]["p95_ms"], False),
        row("get-history (all points)", "ms", m["history"]["p50_ms"], t["history"]["p50_ms"], False),
        row("get-history-bulk-interval 320", "ms", m["bulk_interval"]["p50_ms"], t["bulk_interval"]["p50_ms"], False),
        row("  max points per run returned", "points", m["bulk_interval"]["max_points_per_run"], t["bulk_interval"]["max_points_per_run"], False),
        row("client training loop, sync", "s", m["e2e_sync"]["seconds"], t["e2e_sync"]["seconds"], False),
        row("client training loop, async", "s", m["e2e_async"]["seconds"], t["e2e_async"]["seconds"], False),
        row("peak RSS", "MB", m["memory"]["peak_rss_mb"], t["memory"]["peak_rss_mb"], False),
        row("store size per 1M points", "MB", m["store"]["bytes_per_million_points"] / 2**20, t["store"]["bytes_per_million_points"] / 2**20, False),
        {"workload": "in-process store insert (limit)", "unit": "rows/s", "mlflow": None, "trackbridge": limit["rows_per_s"],
         "ratio": t["ingest"]["points_per_s"] / limit["rows_per_s"]},
    ]


def fmt(v) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:,.1f}" if abs(v) >= 10 else f"{v:.2f}"
    return f"{v:,}"


def print_table(rows: list[dict], report: dict) -> None:
    print(f"\ntrackbridge vs mlflow server {report['machine']['mlflow']} — {report['date']}, {report['machine']['cpus']} cores, scale {report['scale']}")
    print(f"{'workload':36} {'unit':11} {'mlflow':>12} {'trackbridge':>12} {'ratio':>8}")
    for r in rows:
        ratio = "—" if r["ratio"] is None else (f"{r['ratio']:.0%}" if r["workload"].startswith("in-process") else f"{r['ratio']:.1f}×")
        print(f"{r['workload']:36} {r['unit']:11} {fmt(r['mlflow']):>12} {fmt(r['trackbridge']):>12} {ratio:>8}")
    print("ratio: how many times better trackbridge is (throughput ÷, latency ×); for the limit row, the API ingest rate as a share of it")


if __name__ == "__main__":
    main()
