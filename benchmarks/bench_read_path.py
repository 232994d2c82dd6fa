"""The read path against its ceiling: for each scenario, the same requests are sent to mock-orcid
and to a bare Flask endpoint on the same waitress stack that answers the *same bytes* (status,
Content-Type and body captured from mock-orcid just before), in alternating rounds.

    python benchmarks/bench_read_path.py [--seconds 2] [--rounds 3] [--threads 4]

Scenarios (issue 16): GET one work; GET /works of a record with 100 and with 1,000 works; GET
/record of a record with 100 items; the first GET /works after a write (100 works; each timed
read follows an untimed PUT that changes a work); POST /oauth/token (client credentials); POST
a work. Prints requests/s, p50 and p99 for both and the ratios (mock / ceiling): req/s ratio
(higher is better, 1.0 = as fast as sending the bytes) and p50 ratio (lower is better).

Targets from the issue: repeated reads of an unchanged record >= 0.70 of the ceiling's req/s
(100 and 1,000 works); first read after a write <= 5x the ceiling's p50 (100 works); token
>= 0.50 of the ceiling's req/s.

The load comes from a separate client process (its own GIL) with keep-alive ``http.client``
connections, one per thread; both servers run in this process, and only one is loaded at a
time. Numbers depend on the machine and its load: compare the ratios, not the absolutes.
"""
from __future__ import annotations

import argparse
import concurrent.futures as cf
import http.client
import json
import multiprocessing
import os
import statistics
import sys
import threading
import time
from urllib.parse import urlencode, urlsplit

CLIENT_ID, CLIENT_SECRET = "APP-MOCKMEMBER000001", "mock-member-secret"
SCOPES = ("/read-limited", "/activities/update", "/person/update")
XML, JSON = "application/vnd.orcid+xml", "application/vnd.orcid+json"

WORK_XML = """<?xml version="1.0" encoding="UTF-8"?>
<work:work xmlns:common="http://www.orcid.org/ns/common" xmlns:work="http://www.orcid.org/ns/work"%s>
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
    """Runs in the client process: ``spec['threads']`` threads for ``spec['seconds']``.

    Each step is an optional untimed ``before`` request, then the timed request."""
    host, port = spec["host"], spec["port"]
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    stop_at = [0.0]

    def call(conn, req, n):
        body = req.get("body")
        if body is not None:
            body = body.replace("{n}", str(n)).replace("{tag}", req.get("tag", "x")).encode()
        conn.request(req["method"], req["path"], body=body, headers=req["headers"])
        resp = conn.getresponse()
        resp.read()
        return resp.status

    def worker(k):
        try:
            run(k)
        except Exception as exc:                  # noqa: BLE001 - reported, never hangs
            barrier.abort()
            with lock:
                failures.append("%s: %s" % (type(exc).__name__, exc))

    def run(k):
        conn = http.client.HTTPConnection(host, port, timeout=30)
        for w in range(spec["warmup"]):
            if spec.get("before"):
                call(conn, spec["before"], "w%d.%d" % (k, w))
            call(conn, spec["request"], "w%d.%d" % (k, w))
        barrier.wait()
        mine, n = [], 0
        while time.perf_counter() < stop_at[0]:
            n += 1
            tag = "%d.%d.%d" % (spec["round"], k, n)
            if spec.get("before"):
                status = call(conn, spec["before"], tag)
                if status != spec["before"]["expect"]:
                    failures.append("before: %s" % status)
            t0 = time.perf_counter()
            status = call(conn, spec["request"], tag)
            mine.append(time.perf_counter() - t0)
            if status != spec["request"]["expect"]:
                with lock:
                    failures.append(str(status))
        with lock:
            latencies.extend(mine)

    def start_clock():
        stop_at[0] = time.perf_counter() + spec["seconds"]

    barrier = threading.Barrier(spec["threads"] + 1, action=start_clock)
    pool = [threading.Thread(target=worker, args=(k,)) for k in range(spec["threads"])]
    for t in pool:
        t.start()
    try:
        barrier.wait()
    except threading.BrokenBarrierError:
        pass
    t0 = time.perf_counter()
    for t in pool:
        t.join()
    wall = time.perf_counter() - t0
    if not latencies:
        latencies = [float("nan")]
    return {"wall": wall, "latencies": latencies, "failures": failures[:3],
            "n_failures": len(failures)}


# --------------------------------------------------------------------------- the ceiling
class Ceiling:
    """A bare Flask app on the same waitress stack; ``/c/<name>`` answers what was set."""

    def __init__(self, threads: int):
        from flask import Flask, Response, request
        from waitress.server import create_server

        self.answers: dict[str, tuple[int, dict, bytes]] = {}
        app = Flask("ceiling")

        @app.route("/c/<name>", methods=["GET", "POST", "PUT"])
        def answer(name):
            request.get_data()           # read the body, as the mock does
            status, headers, body = self.answers[name]
            return Response(body, status=status, headers=headers)

        self.server = create_server(app, host="127.0.0.1", port=0, threads=threads,
                                    ident="ceiling", clear_untrusted_proxy_headers=True)
        self.port = int(self.server.effective_port)
        threading.Thread(target=self.server.run, daemon=True).start()

    def mirror(self, name: str, resp) -> str:
        """Serve exactly ``resp``'s status, Content-Type, Location and body at /c/<n>."""
        name = str(len(self.answers))
        headers = {k: v for k, v in resp.headers.items()
                   if k.lower() in ("content-type", "location", "cache-control", "pragma")}
        self.answers[name] = (resp.status_code, headers, resp.content)
        return "/c/" + name


# --------------------------------------------------------------------------- set-up
def seed(url, reg):
    """Records for the scenarios; returns {name: (orcid, token)} and a work's put-code."""
    import requests

    http = requests.Session()
    out = {}

    def user(name, **kw):
        rec = reg.create_user(given_names="Bench", family_name=name, **kw)
        token = reg.issue_token(CLIENT_ID, rec.orcid, SCOPES).access_token
        out[name] = (rec.orcid, token)
        return rec.orcid, {"Authorization": "Bearer " + token}

    def bulk(orcid, auth, count, tag):
        for start in range(0, count, 100):
            works = "".join(WORK_XML.split("?>", 1)[1].replace("%s", "")
                            .format(n=n, tag=tag) for n in range(start, min(count, start + 100)))
            body = '<bulk:bulk xmlns:bulk="http://www.orcid.org/ns/bulk">%s</bulk:bulk>' % works
            r = http.post(url + "/v3.0/%s/works" % orcid, data=body.encode(),
                          headers=dict(auth, **{"Content-Type": XML, "Accept": XML}))
            assert r.status_code == 200 and "<error:error" not in r.text, r.text[:300]

    for name, count in (("hundred", 100), ("thousand", 1000)):
        orcid, auth = user(name)
        bulk(orcid, auth, count, name)
    orcid, auth = user("record")
    bulk(orcid, auth, 80, "record")
    for n in range(10):
        for section, body in (("keywords", {"content": "keyword %d" % n}),
                              ("other-names", {"content": "Other name %d" % n})):
            r = http.post(url + "/v3.0/%s/%s" % (orcid, section), json=body,
                          headers=dict(auth, **{"Content-Type": JSON}))
            assert r.status_code == 201, r.text[:300]
    orcid, auth = user("writes")
    return out


def scenarios(url, ceiling, reg, records):
    """(name, mock spec, ceiling spec, threads or None) for each measurement."""
    import requests

    def auth(name, **headers):
        return {"Authorization": "Bearer " + records[name][1], **headers}

    def member(name, path):
        return "/v3.0/%s%s" % (records[name][0], path)

    out = []

    def read(label, name, path, accept=JSON):
        headers = auth(name, Accept=accept)
        resp = requests.get(url + member(name, path), headers=headers)
        assert resp.status_code == 200, resp.text[:300]
        req = {"method": "GET", "path": member(name, path), "headers": headers, "expect": 200}
        ceil = dict(req, path=ceiling.mirror(label, resp))
        out.append((label, {"request": req}, {"request": ceil}, None))
        return resp

    works = read("GET /works (100 works) JSON", "hundred", "/works").json()
    put_code = works["group"][0]["work-summary"][0]["put-code"]
    read("GET one work JSON", "hundred", "/work/%d" % put_code)
    read("GET one work XML", "hundred", "/work/%d" % put_code, XML)
    read("GET /works (100 works) XML", "hundred", "/works", XML)
    read("GET /works (1,000 works) JSON", "thousand", "/works")
    read("GET /record (100 items) JSON", "record", "/record")
    read("GET /record (100 items) XML", "record", "/record", XML)

    # The first read after a write: an untimed PUT changing a work, then the timed GET.
    body = WORK_XML % (' put-code="%d"' % put_code)
    put = {"method": "PUT", "path": member("hundred", "/work/%d" % put_code), "expect": 200,
           "headers": auth("hundred", **{"Content-Type": XML, "Accept": XML}),
           "body": body.replace("Benchmark work", "Changed"), "tag": "changed"}
    resp = requests.put(url + put["path"], data=put["body"].encode(), headers=put["headers"])
    assert resp.status_code == 200, resp.text[:300]
    put_ceiling = dict(put, path=ceiling.mirror("put", resp))
    get = {"method": "GET", "path": member("hundred", "/works"), "expect": 200,
           "headers": auth("hundred", Accept=JSON)}
    resp = requests.get(url + get["path"], headers=get["headers"])
    out.append(("first GET /works after a write (100)", {"before": put, "request": get},
                {"before": put_ceiling, "request": dict(get, path=ceiling.mirror("after", resp))},
                1))

    form = urlencode({"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                      "grant_type": "client_credentials", "scope": "/read-public"})
    token = {"method": "POST", "path": "/oauth/token", "body": form, "expect": 200,
             "headers": {"Content-Type": "application/x-www-form-urlencoded",
                         "Accept": "application/json"}}
    resp = requests.post(url + "/oauth/token", data=form, headers=token["headers"])
    assert resp.status_code == 200, resp.text[:300]
    out.append(("POST /oauth/token", {"request": token},
                {"request": dict(token, path=ceiling.mirror("token", resp))}, None))

    post = {"method": "POST", "path": member("writes", "/work"), "body": WORK_XML % "",
            "tag": "post", "expect": 201,
            "headers": auth("writes", **{"Content-Type": XML, "Accept": XML})}
    resp = requests.post(url + post["path"], data=(WORK_XML % "").format(n="seed", tag="s"),
                         headers=post["headers"])
    assert resp.status_code == 201, resp.text[:300]
    out.append(("POST work XML", {"request": post},
                {"request": dict(post, path=ceiling.mirror("post", resp))}, None))
    return out


# --------------------------------------------------------------------------- startup
_START_MOCK = """
import urllib.request
from mock_orcid.server import RunningServer
from mock_orcid.settings import Settings
server = RunningServer(Settings(host="127.0.0.1", port=0)).start()
url = server.url + "/__admin/health"
"""
_START_BARE = """
import threading, urllib.request
from flask import Flask
from waitress.server import create_server
app = Flask("bare")
app.get("/health")(lambda: {"status": "ok"})
srv = create_server(app, host="127.0.0.1", port=0, threads=8)
threading.Thread(target=srv.run, daemon=True).start()
url = "http://127.0.0.1:%d/health" % int(srv.effective_port)
"""
_UNTIL_HEALTHY = """
import os, time
while True:
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            if r.status == 200:
                break
    except OSError:
        time.sleep(0.002)
print("healthy", flush=True)
os._exit(0)
"""


# After health: until the background warm-up (schema sets, search engine, signing key) is done too.
_THEN_LOADED = _UNTIL_HEALTHY.replace('print("healthy"', 'server.wait_until_loaded()\nprint("healthy"')


def _compile_package() -> bool:
    """Write mock_orcid's bytecode, as ``pip install .`` does at install time and as Flask's
    and waitress's already are: else, from an editable install under PYTHONDONTWRITEBYTECODE,
    every fresh interpreter compiles our hundred-odd modules from source (about 0.1 s) and
    the comparison with the bare app measures the compiler, not the start-up."""
    import compileall

    import mock_orcid
    return bool(compileall.compile_dir(os.path.dirname(mock_orcid.__file__), quiet=1))


def startup(code: str, until: str = _UNTIL_HEALTHY) -> float:
    """Seconds from spawning a fresh interpreter to its first healthy answer."""
    import subprocess
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code + until],
                            stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - t0
    proc.wait(timeout=60)
    assert line.strip() == "healthy", line
    return elapsed


def first_call_after_healthy(wait: bool) -> tuple[float, float]:
    """In a fresh server: the first and the second POST of a work after health answered,
    sent at once (the first may wait for the schema sets, loading in the background) or,
    with ``wait``, after they are loaded (as the pytest fixture does)."""
    import requests

    from mock_orcid.server import RunningServer
    from mock_orcid.settings import Settings
    server = RunningServer(Settings(host="127.0.0.1", port=0)).start()
    reg = server.state.registry
    rec = reg.create_user(given_names="First", family_name="Call")
    token = reg.issue_token(CLIENT_ID, rec.orcid, SCOPES).access_token
    headers = {"Authorization": "Bearer " + token, "Content-Type": XML}
    session = requests.Session()
    assert session.get(server.url + "/__admin/health").status_code == 200
    if wait:
        server.wait_until_loaded()
    times = []
    for n in range(2):
        t = time.perf_counter()
        r = session.post(server.url + "/v3.0/%s/work" % rec.orcid, headers=headers,
                         data=(WORK_XML % "").format(n=n, tag="first").encode())
        times.append(time.perf_counter() - t)
        assert r.status_code == 201, r.text[:300]
    server.stop()
    return times[0], times[1]


# --------------------------------------------------------------------------- main
def _stats(results):
    lat = sorted(x for r in results for x in r["latencies"])
    rps = statistics.median(len(r["latencies"]) / r["wall"] for r in results)
    p = lambda q: lat[min(len(lat) - 1, int(round(q * (len(lat) - 1))))] * 1e3  # noqa: E731
    return {"n": len(lat), "rps": rps, "p50": p(0.50), "p99": p(0.99),
            "failures": sum(r["n_failures"] for r in results),
            "examples": [f for r in results for f in r["failures"]][:3]}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="per round and side")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds")
    parser.add_argument("--threads", type=int, default=4, help="client threads")
    parser.add_argument("--only", default="", help="run the scenarios whose name has this")
    args = parser.parse_args(argv)
    t_all = time.perf_counter()

    if not args.only:
        compiled = _compile_package()
        print("bytecode of mock_orcid written beforehand (as `pip install` does): %s" % compiled)
        mock = statistics.median(startup(_START_MOCK) for _ in range(3))
        bare = statistics.median(startup(_START_BARE) for _ in range(3))
        loaded = statistics.median(startup(_START_MOCK, _THEN_LOADED) for _ in range(3))
        print("start to first healthy answer, fresh interpreter (median of 3): mock-orcid "
              "%.0f ms, bare Flask+waitress %.0f ms, ratio %.2f" % (mock * 1e3, bare * 1e3,
                                                                   mock / bare))
        print("start until the background warm-up is done too (schema sets, search engine, "
              "OpenID key; median of 3): %.0f ms, ratio %.2f" % (loaded * 1e3, loaded / bare))
        first, second = first_call_after_healthy(wait=False)
        print("first POST /work right after healthy %.1f ms, second %.1f ms (the first "
              "waits for the schema sets still loading)" % (first * 1e3, second * 1e3))
        first, second = first_call_after_healthy(wait=True)
        print("first POST /work once the warm-up is done %.1f ms, second %.1f ms"
              % (first * 1e3, second * 1e3))
        print()

    from mock_orcid.server import RunningServer
    from mock_orcid.settings import Settings

    settings = Settings(host="127.0.0.1", port=0)
    server = RunningServer(settings).start()
    ceiling = Ceiling(settings.threads)
    url = server.url
    reg = server.state.registry
    records = seed(url, reg)
    plan = [s for s in scenarios(url, ceiling, reg, records) if args.only in s[0]]

    print("mock-orcid read path vs a bare endpoint returning the same bytes "
          "(python %s, waitress %d threads, %d client threads, %d x %.1f s rounds)"
          % (sys.version.split()[0], settings.threads, args.threads, args.rounds, args.seconds))
    head = "%-38s %8s %8s %8s | %8s %8s %8s | %6s %6s"
    print(head % ("scenario", "req/s", "p50 ms", "p99 ms", "ceil r/s", "p50 ms", "p99 ms",
                  "r/s x", "p50 x"))
    ctx = multiprocessing.get_context("spawn")
    failed = False
    with cf.ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
        for name, mock_spec, ceil_spec, threads in plan:
            results = {"mock": [], "ceiling": []}
            for rnd in range(args.rounds):
                for side, spec, port in (("ceiling", ceil_spec, ceiling.port),
                                         ("mock", mock_spec, server.port)):
                    job = dict(spec, host="127.0.0.1", port=port, seconds=args.seconds,
                               threads=threads or args.threads, round=rnd,
                               warmup=3 if spec["request"]["method"] == "GET" else 0)
                    results[side].append(pool.submit(_load, job).result(timeout=300))
            m, c = _stats(results["mock"]), _stats(results["ceiling"])
            print("%-38s %8.0f %8.2f %8.2f | %8.0f %8.2f %8.2f | %6.2f %6.2f"
                  % (name, m["rps"], m["p50"], m["p99"], c["rps"], c["p50"], c["p99"],
                     m["rps"] / c["rps"], m["p50"] / c["p50"]))
            for side, s in (("mock", m), ("ceiling", c)):
                if s["failures"]:
                    failed = True
                    print("    %s: %d unexpected answers, e.g. %s" % (side, s["failures"],
                                                                      s["examples"]))
    print()
    print("r/s x = mock req/s / ceiling req/s (median of rounds); p50 x = mock p50 / ceiling p50.")
    print("total benchmark time: %.1f s" % (time.perf_counter() - t_all))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
