"""Throughput and latency of mock-orcid over loopback, against a bare Flask app on the same stack.

    python benchmarks/bench_api.py [--scale 1.0] [--threads 4]

Measures, in well under a minute:
  * schema sets built cold (fresh process, empty cache dir) and warm (from the pickle cache);
  * fixture-style startup: RunningServer(...).start() until /__admin/health answers 200;
  * requests/s, median and p95 latency for a baseline GET (bare Flask on waitress), GET one work
    in XML and in JSON, POST a work in XML, and GET /works on a record with 100 works.

The servers run in this process; the load comes from a separate client process (its own GIL)
with a few threads, each with its own ``requests.Session`` (keep-alive).
"""
from __future__ import annotations

import argparse
import concurrent.futures as cf
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

ORCID = "0000-0002-1825-0097"
CLIENT_ID = "APP-MOCKMEMBER000001"
SCOPES = ("/read-limited", "/activities/update")

WORK_XML = """<?xml version="1.0" encoding="UTF-8"?>
<work:work xmlns:common="http://www.orcid.org/ns/common" xmlns:work="http://www.orcid.org/ns/work">
  <work:title><common:title>Benchmark work {n}</common:title></work:title>
  <work:type>journal-article</work:type>
  <common:external-ids><common:external-id>
    <common:external-id-type>doi</common:external-id-type>
    <common:external-id-value>10.5555/bench-{tag}-{n}</common:external-id-value>
    <common:external-id-relationship>self</common:external-id-relationship>
  </common:external-id></common:external-ids>
</work:work>
"""


# --------------------------------------------------------------------------- client process
def _load(spec: dict) -> dict:
    """Runs in the client process: ``spec['count']`` requests over ``spec['threads']`` threads."""
    import requests

    count, threads = spec["count"], spec["threads"]
    latencies: list[float] = []
    failures: list[str] = []
    counter = iter(range(count))
    lock = threading.Lock()

    def worker():
        s = requests.Session()
        for _ in range(spec["warmup"]):
            s.request(spec["method"], spec["url"], headers=spec["headers"],
                      data=_body(spec, "warm%d" % threading.get_ident()), timeout=30)
        barrier.wait()
        mine = []
        while True:
            with lock:
                n = next(counter, None)
            if n is None:
                break
            data = _body(spec, n)
            t0 = time.perf_counter()
            r = s.request(spec["method"], spec["url"], headers=spec["headers"], data=data, timeout=30)
            _ = r.content
            mine.append(time.perf_counter() - t0)
            if r.status_code != spec["expect"]:
                with lock:
                    failures.append("%s %s" % (r.status_code, r.text[:200]))
        with lock:
            latencies.extend(mine)

    barrier = threading.Barrier(threads + 1)
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in pool:
        t.join()
    wall = time.perf_counter() - t0
    return {"wall": wall, "latencies": latencies, "failures": failures[:3], "n_failures": len(failures)}


def _body(spec, n):
    template = spec.get("body")
    if template is None:
        return None
    return template.format(n=n, tag=spec["tag"]).encode()


# --------------------------------------------------------------------------- measurements
def _python(script: str, cache_dir: str, timeout: float) -> dict:
    import json
    env = dict(os.environ, MOCK_ORCID_CACHE_DIR=cache_dir)
    proc = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                          text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError("measurement subprocess exited %d:\n%s" % (proc.returncode, proc.stderr[-3000:]))
    return json.loads(proc.stdout.strip().splitlines()[-1])


def schema_build_times(cache_dir: str) -> tuple[dict, dict]:
    """Builds the four schema sets in a fresh interpreter, twice: empty cache, then warm."""
    script = textwrap.dedent("""
        import json, time
        t0 = time.perf_counter()
        from mock_orcid.wire import schemas
        t1 = time.perf_counter()
        for name in schemas.SET_NAMES:
            schemas.schema(name)
        t2 = time.perf_counter()
        print(json.dumps({"import": t1 - t0, "build": t2 - t1}))
    """)
    cold = _python(script, cache_dir, 120)
    warm = _python(script, cache_dir, 120)
    return cold, warm


def startup_time(cache_dir: str) -> dict:
    """Fixture-style startup in a fresh interpreter (warm schema cache)."""
    script = textwrap.dedent("""
        import json, os, time, urllib.request
        t0 = time.perf_counter()
        from mock_orcid.server import RunningServer
        from mock_orcid.settings import Settings
        t1 = time.perf_counter()
        server = RunningServer(Settings(host="127.0.0.1", port=0)).start()
        while True:
            try:
                with urllib.request.urlopen(server.url + "/__admin/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.002)
        t2 = time.perf_counter()
        print(json.dumps({"import": t1 - t0, "start_to_health": t2 - t1}), flush=True)
        os._exit(0)   # skip teardown: only the startup is measured
    """)
    runs = [_python(script, cache_dir, 60) for _ in range(3)]
    return {"import": statistics.median(r["import"] for r in runs),
            "start_to_health": statistics.median(r["start_to_health"] for r in runs)}


def start_baseline():
    from flask import Flask
    from waitress.server import create_server

    app = Flask("baseline")

    @app.get("/ping")
    def ping():
        return {"status": "ok"}

    server = create_server(app, host="127.0.0.1", port=0, threads=8, ident="baseline",
                           clear_untrusted_proxy_headers=True)
    threading.Thread(target=server.run, daemon=True).start()
    return server, "http://127.0.0.1:%d" % int(server.effective_port)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply request counts (default 1)")
    parser.add_argument("--threads", type=int, default=4, help="client threads (default 4)")
    args = parser.parse_args(argv)
    t_all = time.perf_counter()

    cache_dir = tempfile.mkdtemp(prefix="mock-orcid-bench-cache-")
    os.environ["MOCK_ORCID_CACHE_DIR"] = cache_dir   # this process, too, reads the warm cache

    print("mock-orcid benchmark  (python %s, %d client threads, scale %.2g)"
          % (sys.version.split()[0], args.threads, args.scale))
    print()
    cold, warm = schema_build_times(cache_dir)
    print("schema sets (4), fresh process:")
    print("  cold (empty cache, builds + pickles): %7.1f ms   (import mock_orcid.wire.schemas %5.1f ms)"
          % (cold["build"] * 1e3, cold["import"] * 1e3))
    print("  warm (from the pickle cache):         %7.1f ms   (import mock_orcid.wire.schemas %5.1f ms)"
          % (warm["build"] * 1e3, warm["import"] * 1e3))
    st = startup_time(cache_dir)
    print("fixture-style startup, fresh process (median of 3):")
    print("  import mock_orcid.server:             %7.1f ms" % (st["import"] * 1e3))
    print("  RunningServer(...).start() -> 200 health: %5.1f ms" % (st["start_to_health"] * 1e3))
    print()

    import requests
    from mock_orcid.server import RunningServer
    from mock_orcid.settings import Settings

    base_srv, base_url = start_baseline()
    server = RunningServer(Settings(host="127.0.0.1", port=0)).start()
    url = server.url
    reg = server.state.registry
    token = reg.issue_token(CLIENT_ID, ORCID, SCOPES).access_token
    auth = {"Authorization": "Bearer " + token}
    xml_post = dict(auth, **{"Content-Type": "application/vnd.orcid+xml"})

    http = requests.Session()
    r = http.post(url + "/v3.0/%s/work" % ORCID, headers=xml_post,
                  data=WORK_XML.format(n=0, tag="seed").encode())
    assert r.status_code == 201, (r.status_code, r.text[:300])
    work_url = r.headers["Location"]

    other = reg.create_user(given_names="Bench", family_name="Hundred")
    other_token = reg.issue_token(CLIENT_ID, other.orcid, SCOPES).access_token
    other_post = {"Authorization": "Bearer " + other_token, "Content-Type": "application/vnd.orcid+xml"}
    for n in range(100):
        r = http.post(url + "/v3.0/%s/work" % other.orcid, headers=other_post,
                      data=WORK_XML.format(n=n, tag="hundred").encode())
        assert r.status_code == 201, (r.status_code, r.text[:300])
    r = http.get(url + "/v3.0/%s/works" % other.orcid,
                 headers={"Authorization": "Bearer " + other_token, "Accept": "application/vnd.orcid+json"})
    assert r.status_code == 200 and len(r.json()["group"]) == 100, (r.status_code, r.text[:300])

    def n(count):
        return max(20, int(count * args.scale))

    scenarios = [
        ("baseline GET (bare Flask)", dict(method="GET", url=base_url + "/ping", headers={},
                                           expect=200, count=n(2000))),
        ("GET work, XML", dict(method="GET", url=work_url, expect=200, count=n(1000),
                               headers=dict(auth, Accept="application/vnd.orcid+xml"))),
        ("GET work, JSON", dict(method="GET", url=work_url, expect=200, count=n(1000),
                                headers=dict(auth, Accept="application/vnd.orcid+json"))),
        ("POST work, XML", dict(method="POST", url=url + "/v3.0/%s/work" % ORCID, expect=201,
                                count=n(500), headers=xml_post, body=WORK_XML, tag="post")),
        ("GET /works (100 works), XML", dict(method="GET", url=url + "/v3.0/%s/works" % other.orcid,
                                             expect=200, count=n(150),
                                             headers={"Authorization": "Bearer " + other_token,
                                                      "Accept": "application/vnd.orcid+xml"})),
        ("GET /works (100 works), JSON", dict(method="GET", url=url + "/v3.0/%s/works" % other.orcid,
                                              expect=200, count=n(150),
                                              headers={"Authorization": "Bearer " + other_token,
                                                       "Accept": "application/vnd.orcid+json"})),
    ]

    print("%-30s %7s %9s %9s %9s %8s" % ("scenario", "reqs", "req/s", "p50 ms", "p95 ms", "vs base"))
    ctx = multiprocessing.get_context("spawn")
    base_rps = None
    failed = False
    with cf.ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
        for name, spec in scenarios:
            spec.setdefault("tag", "x")
            spec.update(threads=args.threads, warmup=5 if spec["method"] == "GET" else 0)
            res = pool.submit(_load, spec).result(timeout=120)
            lat = sorted(res["latencies"])
            rps = len(lat) / res["wall"]
            base_rps = base_rps or rps
            p50 = statistics.median(lat) * 1e3
            p95 = lat[min(len(lat) - 1, int(round(0.95 * (len(lat) - 1))))] * 1e3
            print("%-30s %7d %9.0f %9.2f %9.2f %7.2fx" % (name, len(lat), rps, p50, p95, rps / base_rps))
            if res["n_failures"]:
                failed = True
                print("    %d unexpected answers, e.g. %s" % (res["n_failures"], res["failures"]))

    # No server.stop()/close(): both servers run on daemon threads and end with the process.
    print()
    print("'vs base' = requests/s relative to the bare Flask endpoint on the same waitress stack.")
    print("total benchmark time: %.1f s" % (time.perf_counter() - t_all))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
