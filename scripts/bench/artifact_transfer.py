"""The artifact workload: one large file up and down through the mlflow-artifacts proxy, timed, checksummed,
with the server's resident memory sampled while the bytes pass through it."""
from __future__ import annotations

import hashlib
import http.client
import os
import time
from pathlib import Path
from urllib.parse import urlsplit

from servers import RssPeak, tree_status_bytes

CHUNK = 1 << 20
PROXY = "/api/2.0/mlflow-artifacts/artifacts/"


def make_payload(path: Path, size: int) -> str:
    """Random bytes (nothing a store could compress or deduplicate), written in chunks; their sha256."""
    h = hashlib.sha256()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        left = size
        while left:
            b = os.urandom(min(CHUNK, left))
            h.update(b)
            f.write(b)
            left -= len(b)
    return h.hexdigest()


def _conn(url: str) -> http.client.HTTPConnection:
    u = urlsplit(url)
    # 1 MiB blocks: http.client's default of 8 KiB makes the client, not the server, the limit.
    return http.client.HTTPConnection(u.hostname, u.port, timeout=600, blocksize=CHUNK)


def upload(url: str, target: str, payload: Path) -> float:
    size = payload.stat().st_size
    conn = _conn(url)
    with open(payload, "rb") as f:
        t = time.perf_counter()
        conn.request("PUT", PROXY + target, body=f,
                     headers={"Content-Length": str(size), "Content-Type": "application/octet-stream"})
        r = conn.getresponse()
        text = r.read()
        dt = time.perf_counter() - t
    conn.close()
    if r.status != 200:
        raise RuntimeError(f"PUT {PROXY}{target}: {r.status} {text[:300]!r}")
    return dt


def download(url: str, target: str) -> tuple[float, int, str]:
    conn = _conn(url)
    h, n = hashlib.sha256(), 0
    t = time.perf_counter()
    conn.request("GET", PROXY + target)
    r = conn.getresponse()
    if r.status != 200:
        raise RuntimeError(f"GET {PROXY}{target}: {r.status} {r.read()[:300]!r}")
    while b := r.read(CHUNK):
        h.update(b)
        n += len(b)
    dt = time.perf_counter() - t
    conn.close()
    return dt, n, h.hexdigest()


def transfer(server, payload: Path, sha256: str) -> dict:
    size = payload.stat().st_size
    mib = size / 2**20
    target = "bench-transfer/payload.bin"
    with RssPeak(server.proc.pid) as up_mem:
        up_s = upload(server.url, target, payload)
    with RssPeak(server.proc.pid) as down_mem:
        down_s, got, digest = download(server.url, target)
    hwm = tree_status_bytes(server.proc.pid, "VmHWM")
    # Both servers keep the file in their own artifact folder; a second copy per server is not worth the disk.
    conn = _conn(server.url)
    conn.request("DELETE", PROXY + target)
    conn.getresponse().read()
    conn.close()
    return {"bytes": size, "upload_s": up_s, "upload_mb_per_s": mib / up_s, "download_s": down_s, "download_mb_per_s": mib / down_s,
            "downloaded_bytes": got, "checksum_matches": digest == sha256,
            "rss_before_mb": up_mem.before / 2**20, "peak_rss_upload_mb": up_mem.peak / 2**20,
            "peak_rss_download_mb": down_mem.peak / 2**20,
            "rss_growth_mb": (max(up_mem.peak, down_mem.peak) - up_mem.before) / 2**20, "hwm_after_mb": hwm / 2**20}
