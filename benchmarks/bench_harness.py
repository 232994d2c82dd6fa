"""What the harness (journal, identification, fault and rate-limit checks, access log) costs per
request, against a bare endpoint on the same stack returning the same bytes.

    python benchmarks/bench_harness.py [--count 2000]

Three servers on waitress in this process, loaded one after the other by a client process
(its own GIL) over keep-alive: a bare Flask app answering the bytes of
GET /pub/v3.0/{orcid}/works; mock-orcid with its harness unwrapped; mock-orcid as shipped
(journal of 1000, rate limit on). Prints requests/s, median and p95 latency, and each ratio
to the bare endpoint.
"""
from __future__ import annotations

import argparse
import logging
import multiprocessing
import statistics
import time

ORCID = "0000-0002-1825-0097"
PATH = "/pub/v3.0/%s/works" % ORCID
HEADERS = {"Accept": "application/vnd.orcid+json"}


def _client(url: str, count: int, queue) -> None:
    import requests
    session = requests.Session()
    for _ in range(100):
        session.get(url, headers=HEADERS)
    latencies = []
    started = time.perf_counter()
    for _ in range(count):
        t0 = time.perf_counter()
        resp = session.get(url, headers=HEADERS)
        latencies.append(time.perf_counter() - t0)
        assert resp.status_code == 200, resp.status_code
    queue.put((count / (time.perf_counter() - started), latencies))


def _measure(url: str, count: int):
    queue = multiprocessing.Queue()
    proc = multiprocessing.Process(target=_client, args=(url, count, queue))
    proc.start()
    result = queue.get(timeout=600)
    proc.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=2000)
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)

    from flask import Flask, Response
    from waitress.server import create_server

    from mock_orcid.server import RunningServer
    from mock_orcid.settings import Settings

    shipped = RunningServer(Settings(host="127.0.0.1", port=0, rate_limit=True)).start()
    import requests
    body = requests.get(shipped.url + PATH, headers=HEADERS)
    payload, mimetype = body.content, body.headers["Content-Type"]

    bare = Flask("bare")
    bare.add_url_rule(PATH, "works", lambda: Response(payload, mimetype=mimetype))
    bare_server = create_server(bare, host="127.0.0.1", port=0, threads=8)
    import threading
    threading.Thread(target=bare_server.run, daemon=True).start()
    bare_url = "http://127.0.0.1:%d" % int(bare_server.effective_port)

    unwrapped = RunningServer(Settings(host="127.0.0.1", port=0))
    unwrapped.app.wsgi_app = unwrapped.app.wsgi_app.app     # the harness middleware removed
    unwrapped.start()

    # the rate limit would refuse a benchmark: give it a bucket it never empties
    from mock_orcid.harness import rate_limit
    rate_limit.LIMITS["public"] = rate_limit.Limit("public", 1e9, 10**9)

    rows = []
    for name, url in (("bare endpoint, same bytes", bare_url + PATH),
                      ("mock-orcid, harness removed", unwrapped.url + PATH),
                      ("mock-orcid as shipped (journal, rate limit)", shipped.url + PATH)):
        rate, latencies = _measure(url, args.count)
        latencies.sort()
        rows.append((name, rate, statistics.median(latencies) * 1000,
                     latencies[int(len(latencies) * 0.95)] * 1000))
    base = rows[0][1]
    print("%-46s %10s %9s %9s %7s" % ("GET " + PATH, "req/s", "p50 ms", "p95 ms", "ratio"))
    for name, rate, p50, p95 in rows:
        print("%-46s %10.0f %9.2f %9.2f %7.2f" % (name, rate, p50, p95, rate / base))
    print("journal entries kept: %d" % len(shipped.state.harness.journal))
    shipped.stop()
    unwrapped.stop()


if __name__ == "__main__":
    main()
