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

import artifact_transfer as at
import registry as reg
import wandb_workloads as wbw
import workloads as w
from servers import Server, dir_bytes

# The tracking workloads, whose points the store-size figure is taken over; then the registry and the large file.
POINT_WORKLOADS = ["ingest", "per_step", "concurrent", "search", "history", "bulk_interval", "e2e_sync", "e2e_async"]
# The W&B workloads run on trackbridge only: mlflow server has no W&B front-end.
WANDB_WORKLOADS = ["wandb_stream", "wandb_reads"]
WORKLOADS = [*POINT_WORKLOADS, "registry", "artifacts", *WANDB_WORKLOADS, "limit"]


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
        "registry_models": s(10000, 50), "registry_repeats": s(50, 20), "registry_page": 100 if scale >= 0.1 else 10,
        "transfer_bytes": s(2**30, 2**20),
        "wandb_rows": s(100000, 1000), "wandb_runs": s(1000, 20),
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
    ap.add_argument("--only", default=",".join(WORKLOADS),
                    help=f"comma-separated workloads to run, of {','.join(WORKLOADS)} (default: all)")
    ap.add_argument("--servers", default="mlflow,trackbridge", help="comma-separated servers to run them on (default: both)")
    args = ap.parse_args()
    only = [x.strip() for x in args.only.split(",") if x.strip()]
    if unknown := sorted(set(only) - set(WORKLOADS)):
        ap.error(f"unknown workloads {unknown}; known: {WORKLOADS}")
    chosen = [x.strip() for x in args.servers.split(",") if x.strip()]
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
    if unknown := sorted(set(chosen) - set(servers)):
        ap.error(f"unknown servers {unknown}; known: {sorted(servers)}")
    servers = {k: v for k, v in servers.items() if k in chosen}
    results: dict[str, dict] = {name: {} for name in servers}
    payload, payload_sha = work / "payload.bin", None
    if "artifacts" in only:
        print(f"[bench] writing a {n['transfer_bytes'] / 2**20:,.0f} MB payload …", file=sys.stderr, flush=True)
        payload_sha = at.make_payload(payload, n["transfer_bytes"])
    try:
        for s in servers.values():
            s.start()
        plan = [
            ("ingest", lambda s: w.ingest(s.url, n["ingest_runs"], n["ingest_steps"])),
            ("per_step", lambda s: w.per_step(s.url, n["per_step_requests"])),
            ("concurrent", lambda s: w.concurrent_writers(s.url, n["writers"], n["writer_batches"])),
            ("search", lambda s: w.search(s.url, w.populate_search(s.url, n["search_runs"]), n["search_repeats"])),
            ("history", lambda s: w.history(s.url, n["history_points"], n["history_repeats"])),
            ("bulk_interval", lambda s: w.bulk_interval(s.url, n["bulk_runs"], n["bulk_steps"], n["bulk_repeats"])),
            ("e2e_sync", lambda s: w.end_to_end(s.url, n["e2e_metrics"], n["e2e_steps"], False)),
            ("e2e_async", lambda s: w.end_to_end(s.url, n["e2e_metrics"], n["e2e_steps"], True)),
            ("registry", lambda s: reg.registry(s.url, n["registry_models"], n["registry_repeats"], n["registry_page"])),
            ("artifacts", lambda s: at.transfer(s, payload, payload_sha)),
            ("wandb_stream", lambda s: wbw.stream(s, wandb_key(s), n["wandb_rows"])),
            ("wandb_reads", lambda s: wbw.reads(s, wandb_key(s), n["wandb_runs"])),
        ]
        keys: dict[str, str] = {}

        def wandb_key(s) -> str:
            if s.name not in keys:  # the default database of `serve`, under the server's working directory
                keys[s.name] = wbw.make_key(repo, f"sqlite:///{s.workdir / 'trackbridge-data' / 'trackbridge.sqlite'}")
            return keys[s.name]
        for name, fn in plan:
            if name not in only:
                continue
            for sname, server in servers.items():
                if name in WANDB_WORKLOADS and sname != "trackbridge":
                    continue
                print(f"[bench] {name} on {sname} …", file=sys.stderr, flush=True)
                try:
                    results[sname][name] = fn(server)
                except Exception as e:  # one server lacking a route must not hide the other's figures
                    results[sname][name] = {"error": f"{type(e).__name__}: {e}"}
                print(f"[bench]   {json.dumps(figures(results[sname][name]))}", file=sys.stderr, flush=True)
            if name == POINT_WORKLOADS[-1] or (name in POINT_WORKLOADS and not any(x in only for x in POINT_WORKLOADS[POINT_WORKLOADS.index(name) + 1:])):
                snapshot_store(servers, results)
    finally:
        for s in servers.values():
            s.stop()
        payload.unlink(missing_ok=True)

    if all(x in only for x in POINT_WORKLOADS):
        total_points = (n["ingest_runs"] * 10 * n["ingest_steps"] + n["per_step_requests"] + n["writers"] * n["writer_batches"] * 1000
                        + n["search_runs"] * 20 + n["history_points"] + n["bulk_runs"] * n["bulk_steps"] + 2 * n["e2e_metrics"] * n["e2e_steps"])
        for r in results.values():
            r["store"]["bytes_per_million_points"] = r["store"]["bytes"] / total_points * 1e6
    limit = None
    if "limit" in only:
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
        print(f"[bench] checks passed ({', '.join(x for x in WORKLOADS if x in only and x != 'limit')}): no workload errors, "
              "no writer errors, every point read back, bulk-interval within max_results over the whole range, "
              "every registry answer as populated, the large file back byte for byte, every W&B point and run back "
              "with the server under 300 MB")


def figures(r):
    """A result without its long lists (the pages and ids kept for the checks), for the progress log."""
    if isinstance(r, dict):
        return {k: figures(v) for k, v in r.items() if not (isinstance(v, list) and len(v) > 5)}
    return r


def snapshot_store(servers: dict, results: dict) -> None:
    """The store's size and the servers' peak memory after the tracking workloads, before the registry and the
    large file add rows and buffers that are not points."""
    for sname, server in servers.items():
        db_bytes = dir_bytes(server.workdir, (".db", ".sqlite", ".db-wal", ".sqlite-wal", ".db-shm", ".sqlite-shm"))
        results[sname]["memory"] = {"peak_rss_mb": server.peak_rss / 2**20}
        results[sname]["store"] = {"bytes": db_bytes}


def check(results: dict, n: dict) -> list[str]:
    """What must hold whatever the speed: the benchmark doubles as a smoke test at tiny sizes."""
    failures = []
    for sname, r in results.items():
        for name, got in r.items():
            if isinstance(got, dict) and "error" in got:
                failures.append(f"{sname}: {name} failed: {got['error']}")
        failures += check_registry(sname, r.get("registry"), n) + check_artifacts(sname, r.get("artifacts"), n)
        failures += check_tracking(sname, r, n) + [f"{sname}: {f}" for f in wbw.check(r, n)]
    both = [r for r in results.values()]
    if len(both) == 2 and all("order_values" in r.get("search", {}) for r in both) \
            and both[0]["search"]["order_values"] != both[1]["search"]["order_values"]:
        failures.append("the two servers answered the benchmark search with different pages")
    return failures


def check_registry(sname: str, r: dict | None, n: dict) -> list[str]:
    if not r or "error" in r:
        return []
    out = []
    want = reg.expected_pages(n["registry_models"], n["registry_page"])
    for label in ("rm_search_name_like", "rm_search_tag"):
        if r[label]["names"] != want[label]:
            out.append(f"{sname}: {label} returned {len(r[label]['names'])} names, not the {len(want[label])} populated ones in order")
    if len(r["rm_search_newest"]["names"]) != want["rm_search_newest_rows"]:
        out.append(f"{sname}: rm_search_newest returned {len(r['rm_search_newest']['names'])} of {want['rm_search_newest_rows']} rows")
    for label in ("mv_search_name", "mv_search_run", "rm_get", "rm_latest"):
        if r[label]["wrong"]:
            out.append(f"{sname}: {label} answered wrongly for {r[label]['wrong'][:3]}")
    return out


def check_artifacts(sname: str, r: dict | None, n: dict) -> list[str]:
    if not r or "error" in r:
        return []
    out = []
    if r["downloaded_bytes"] != n["transfer_bytes"]:
        out.append(f"{sname}: downloaded {r['downloaded_bytes']} of {n['transfer_bytes']} bytes")
    if not r["checksum_matches"]:
        out.append(f"{sname}: the download's sha256 differs from the upload's")
    return out


def check_tracking(sname: str, r: dict, n: dict) -> list[str]:
    ok = lambda name: name in r and "error" not in r[name]  # noqa: E731
    failures = []
    if ok("concurrent") and r["concurrent"]["errors"]:
        failures.append(f"{sname}: {r['concurrent']['errors']} errors reached the concurrent writers")
    if ok("history") and r["history"]["points"] != n["history_points"]:
        failures.append(f"{sname}: get-history returned {r['history']['points']} of {n['history_points']} points")
    if ok("bulk_interval"):
        bulk = r["bulk_interval"]
        if not 0 < bulk["max_points_per_run"] <= 320 or not bulk["covers_whole_range"]:
            failures.append(f"{sname}: bulk-interval gave up to {bulk['max_points_per_run']} points per run, whole range: {bulk['covers_whole_range']}")
    if ok("search") and r["search"]["rows"] <= 0:
        failures.append(f"{sname}: the benchmark search matched no runs")
    return failures


def table(r: dict, limit: dict | None) -> list[dict]:
    m, t = r.get("mlflow", {}), r.get("trackbridge", {})

    def get(side: dict, path: str):
        """A figure by its path (workload.key), None when the workload did not run or failed."""
        v = side
        for k in path.split("."):
            if not isinstance(v, dict) or k not in v:
                return None
            v = v[k]
        return v

    def row(label, unit, path, higher_is_better=True, scale=1.0):
        a, b = get(m, path), get(t, path)
        a, b = (a * scale if isinstance(a, (int, float)) else a), (b * scale if isinstance(b, (int, float)) else b)
        ratio = (b / a if higher_is_better else a / b) if a and b else None
        return {"workload": label, "unit": unit, "mlflow": a, "trackbridge": b, "ratio": ratio}

    rows = [
        row("ingest via log-batch", "points/s", "ingest.points_per_s"),
        row("per-step log-metric", "requests/s", "per_step.requests_per_s"),
        row("8 concurrent writers", "points/s", "concurrent.points_per_s"),
        row("  errors seen by writers", "count", "concurrent.errors", False),
        row("search_runs p50", "ms", "search.p50_ms", False),
        row("search_runs p95", "ms", "search.p95_ms", False),
        row("get-history (all points)", "ms", "history.p50_ms", False),
        row("get-history-bulk-interval 320", "ms", "bulk_interval.p50_ms", False),
        row("  max points per run returned", "points", "bulk_interval.max_points_per_run", False),
        row("client training loop, sync", "s", "e2e_sync.seconds", False),
        row("client training loop, async", "s", "e2e_async.seconds", False),
        row("peak RSS", "MB", "memory.peak_rss_mb", False),
        row("store size per 1M points", "MB", "store.bytes_per_million_points", False, 1 / 2**20),
        row("registry: populate (models+versions)", "writes/s", "registry.populate_writes_per_s"),
        row("registered-models/search name p50", "ms", "registry.rm_search_name_like.p50_ms", False),
        row("registered-models/search name p95", "ms", "registry.rm_search_name_like.p95_ms", False),
        row("registered-models/search tag p50", "ms", "registry.rm_search_tag.p50_ms", False),
        row("registered-models/search tag p95", "ms", "registry.rm_search_tag.p95_ms", False),
        row("registered-models/search newest p50", "ms", "registry.rm_search_newest.p50_ms", False),
        row("registered-models/search newest p95", "ms", "registry.rm_search_newest.p95_ms", False),
        row("model-versions/search name p50", "ms", "registry.mv_search_name.p50_ms", False),
        row("model-versions/search name p95", "ms", "registry.mv_search_name.p95_ms", False),
        row("model-versions/search run_id p50", "ms", "registry.mv_search_run.p50_ms", False),
        row("model-versions/search run_id p95", "ms", "registry.mv_search_run.p95_ms", False),
        row("registered-models/get p50", "ms", "registry.rm_get.p50_ms", False),
        row("registered-models/get p95", "ms", "registry.rm_get.p95_ms", False),
        row("get-latest-versions p50", "ms", "registry.rm_latest.p50_ms", False),
        row("get-latest-versions p95", "ms", "registry.rm_latest.p95_ms", False),
        row("artifact upload (proxy PUT)", "MB/s", "artifacts.upload_mb_per_s"),
        row("artifact download (proxy GET)", "MB/s", "artifacts.download_mb_per_s"),
        row("  RSS before the transfer", "MB", "artifacts.rss_before_mb", False),
        row("  peak RSS during upload", "MB", "artifacts.peak_rss_upload_mb", False),
        row("  peak RSS during download", "MB", "artifacts.peak_rss_download_mb", False),
        row("  RSS growth over the transfer", "MB", "artifacts.rss_growth_mb", False),
        row("W&B file_stream history (10 keys)", "rows/s", "wandb_stream.rows_per_s"),
        row("  peak RSS during the stream", "MB", "wandb_stream.peak_rss_mb", False),
        row("W&B api.runs() listing", "runs/s", "wandb_reads.runs_listed_per_s"),
        row("W&B run.history() p50", "ms", "wandb_reads.history_p50_ms", False),
        row("W&B run.history() p95", "ms", "wandb_reads.history_p95_ms", False),
        row("  peak RSS during the reads", "MB", "wandb_reads.peak_rss_mb", False),
    ]
    if limit:
        ingest = get(t, "ingest.points_per_s")
        rows.append({"workload": "in-process store insert (limit)", "unit": "rows/s", "mlflow": None, "trackbridge": limit["rows_per_s"],
                     "ratio": ingest / limit["rows_per_s"] if ingest else None})
        if stream := get(t, "wandb_stream.points_per_s"):
            rows.append({"workload": "in-process limit: W&B stream share", "unit": "points/s", "mlflow": None,
                         "trackbridge": stream, "ratio": stream / limit["rows_per_s"]})
    return [x for x in rows if x["mlflow"] is not None or x["trackbridge"] is not None]


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
