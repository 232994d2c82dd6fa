"""What a misbehaving client costs the server process, against a plain GET as the baseline.

    python benchmarks/bench_process.py [--upload-mb 200] [--idle 1200]

Starts ``mock-orcid serve --port 0`` as a subprocess (the same stack as the CLI and Docker) and
prints, in about ten seconds:
  * baseline: median latency of GET /__admin/health on a fresh connection;
  * a streamed upload of --upload-mb MiB to POST /v3.0/{orcid}/work: status, time to the answer
    (ratio to the baseline) and the server's RSS growth (VmHWM, the peak, before and after);
  * --idle idle keep-alive connections (more than the default connection limit of 1000), then
    a new client's GET /__admin/health: status and latency (ratio to the baseline);
  * SIGTERM with those connections open: exit code and time to exit.
Linux only (reads /proc/PID/status).
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time

import requests

ORCID = "0000-0002-1825-0097"


def _peak_rss_kib(pid: int) -> int:
    with open("/proc/%d/status" % pid) as f:
        return int(re.search(r"VmHWM:\s+(\d+)", f.read()).group(1))


def _health_latency(base: str, n: int = 20) -> float:
    times = []
    for _ in range(n):
        started = time.perf_counter()
        r = requests.get(base + "/__admin/health", timeout=30)   # a new connection each time
        times.append(time.perf_counter() - started)
        assert r.ok
    return statistics.median(times)


def _token(base: str) -> str:
    """A member token for the fixture researcher, from the real OAuth flow (so the upload is
    not refused for want of one before its body would be read)."""
    r = requests.get(base + "/oauth/authorize", allow_redirects=False, timeout=30, params={
        "client_id": "APP-MOCKMEMBER000001", "response_type": "code", "login_as": ORCID,
        "scope": "/read-limited /activities/update", "redirect_uri": "http://localhost/callback"})
    code = re.search(r"code=([^&]+)", r.headers["Location"]).group(1)
    r = requests.post(base + "/oauth/token", timeout=30, data={
        "client_id": "APP-MOCKMEMBER000001", "client_secret": "mock-member-secret",
        "grant_type": "authorization_code", "code": code,
        "redirect_uri": "http://localhost/callback"})
    return r.json()["access_token"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--upload-mb", type=int, default=200)
    parser.add_argument("--idle", type=int, default=1200)
    args = parser.parse_args()

    script = shutil.which("mock-orcid", path=os.path.dirname(sys.executable))
    cmd = [script] if script else [sys.executable, "-m", "mock_orcid"]
    proc = subprocess.Popen(cmd + ["serve", "--port", "0"], stdout=subprocess.PIPE, text=True)
    port = int(re.search(r":(\d+) ", proc.stdout.readline()).group(1))
    base = "http://127.0.0.1:%d" % port
    idle = []
    try:
        baseline = _health_latency(base)
        print("baseline GET /__admin/health (new connection): %.2f ms" % (baseline * 1e3))

        def chunks():
            for _ in range(args.upload_mb):
                yield b"x" * (1024 * 1024)
        token = _token(base)
        before = _peak_rss_kib(proc.pid)
        started = time.perf_counter()
        try:
            r = requests.post(base + "/v3.0/%s/work" % ORCID, data=chunks(), timeout=60,
                              headers={"Content-Type": "application/vnd.orcid+xml",
                                       "Authorization": "Bearer " + token})
            status = r.status_code
        except requests.RequestException as exc:
            status = type(exc).__name__
        took = time.perf_counter() - started
        grown = (_peak_rss_kib(proc.pid) - before) / 1024
        print("upload of %d MiB: %s in %.1f ms (%.0fx baseline), server peak RSS (VmHWM) %+.1f MiB"
              % (args.upload_mb, status, took * 1e3, took / baseline, grown))

        for _ in range(args.idle):
            sock = socket.create_connection(("127.0.0.1", port))
            idle.append(sock)
        started = time.perf_counter()
        r = requests.get(base + "/__admin/health", timeout=60)
        took = time.perf_counter() - started
        print("new client with %d idle connections open: %s in %.2f ms (%.1fx baseline)"
              % (args.idle, r.status_code, took * 1e3, took / baseline))

        started = time.perf_counter()
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=30)
        print("SIGTERM with those connections open: exit %d in %.0f ms"
              % (code, (time.perf_counter() - started) * 1e3))
    finally:
        for sock in idle:
            sock.close()
        if proc.poll() is None:
            proc.kill()
            proc.wait()


if __name__ == "__main__":
    main()
