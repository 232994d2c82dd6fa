"""What the S3 sync buckets cost, against baselines measured in the same run.

    python benchmarks/bench_sync_buckets.py [--records 2000] [--requests 300]

Prints, each with its ratio to its baseline:
  * catching up: the first read after N records were written renders N summaries (what ORCID's
    listener does per record), against N GET /pub/v3.0/{orcid}/record on the same server (what
    the listener would fetch from ORCID's public API);
  * ListObjectsV2, a page of 1000 keys, against a bare endpoint on the same waitress + Flask stack
    returning the same bytes;
  * GetObject of one summary, against a bare endpoint returning the same bytes;
  * a Lambda file rebuild for N records (the CSV, the tar, the gzip), once per read after writes.

The server runs in this process; the HTTP load comes from one separate client process with a
keep-alive requests session. Numbers depend on the machine and its load: compare ratios.
"""
from __future__ import annotations

import argparse
import multiprocessing
import statistics
import time

from flask import Response

from mock_orcid.server import RunningServer
from mock_orcid.settings import Settings


def _load(url: str, count: int) -> tuple[float, float, float]:
    """In the client process: (requests/s, median ms, p95 ms) of ``count`` GETs of ``url``."""
    import requests
    session = requests.Session()
    for _ in range(10):
        session.get(url).raise_for_status()
    times = []
    start = time.perf_counter()
    for _ in range(count):
        t0 = time.perf_counter()
        response = session.get(url)
        times.append(time.perf_counter() - t0)
        if response.status_code != 200:
            raise RuntimeError("%s answered %d" % (url, response.status_code))
    elapsed = time.perf_counter() - start
    times.sort()
    return count / elapsed, 1000 * statistics.median(times), 1000 * times[int(len(times) * 0.95)]


def _public_records(base: str, orcids: list[str]) -> float:
    import requests
    session = requests.Session()
    start = time.perf_counter()
    for orcid in orcids:
        session.get("%s/pub/v3.0/%s/record" % (base, orcid),
                    headers={"Accept": "application/vnd.orcid+xml"}).raise_for_status()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()

    server = RunningServer(Settings(host="127.0.0.1", port=0))
    bare = {}
    server.app.add_url_rule("/__bench/bare/<name>", "bench_bare", lambda name: Response(
        bare[name], content_type="application/xml"))
    server.start()
    state, base = server.state, server.url
    pool = multiprocessing.get_context("spawn").Pool(1)
    try:
        orcids = [state.registry.create_user(given_names="Reader%d" % n).orcid
                  for n in range(args.records)]
        buckets = state.sync_buckets

        t0 = time.perf_counter()
        buckets.catch_up()
        catch_up = time.perf_counter() - t0
        public = pool.apply(_public_records, (base, orcids))
        print("catch-up after %d new records: %.1f ms/record; GET /pub/v3.0/{orcid}/record "
              "(baseline): %.1f ms/record; ratio %.2f"
              % (len(orcids), 1000 * catch_up / len(orcids), 1000 * public / len(orcids),
                 catch_up / public))

        import requests
        listing = requests.get(base + "/v3.0-summaries?list-type=2&encoding-type=url").content
        key = "%s/%s.xml" % (orcids[0][16:], orcids[0])
        summary = requests.get("%s/v3.0-summaries/%s" % (base, key)).content
        bare.update(listing=listing, summary=summary)
        for label, url, baseline in [
                ("ListObjectsV2, 1000 keys (%d bytes)" % len(listing),
                 base + "/v3.0-summaries?list-type=2&encoding-type=url", base + "/__bench/bare/listing"),
                ("GetObject, one summary (%d bytes)" % len(summary),
                 "%s/v3.0-summaries/%s" % (base, key), base + "/__bench/bare/summary")]:
            rate, median, p95 = pool.apply(_load, (url, args.requests))
            b_rate, b_median, b_p95 = pool.apply(_load, (baseline, args.requests))
            print("%s: %.0f req/s, median %.2f ms, p95 %.2f ms | bare endpoint, same bytes: "
                  "%.0f req/s, median %.2f ms, p95 %.2f ms | throughput ratio %.2f"
                  % (label, rate, median, p95, b_rate, b_median, b_p95, rate / b_rate))

        state.registry.update_record(orcids[-1], biography="changed")
        buckets.catch_up()                    # the record itself, then time the file alone
        with buckets.store.lock:
            buckets._rows_changed = state.registry.now()
            t0 = time.perf_counter()
            buckets._write_lambda_file()
            rebuild = time.perf_counter() - t0
        size = buckets.store.writable("orcid-lambda-file").get("last_modified.csv.tar").size
        print("Lambda file rebuild, %d rows: %.1f ms (%d bytes gzip)"
              % (len(buckets._rows), 1000 * rebuild, size))
    finally:
        pool.close()
        pool.join()
        server.stop()


if __name__ == "__main__":
    main()
