"""Search over 10,000 records x 10 works: query latency and the cost a write pays to keep the
index current, each beside a plain ``GET /v3.0/{orcid}/works`` and a bare endpoint measured in
the same run.

    python benchmarks/bench_search.py [--records 10000] [--works 10] [--requests 300]

Prints (median and p95 latency over loopback, one client process, keep-alive):
  * bare Flask endpoints on the same waitress stack returning the same bytes as the search
    answer and as the works answer (the baselines), ``GET /v3.0/{orcid}/works`` (10 works), and
    ``GET /v3.0/search/?q=family-name:…`` (single field, ~10 hits), with ratios;
  * a few other query shapes (bare term, phrase, fuzzy, date range, edismax) for information;
  * the same queries in-process (``run_search``), i.e. without HTTP;
  * ``POST /v3.0/{orcid}/work`` with the index listening and with it unsubscribed, and the
    difference: what re-indexing one record adds to a write; plus ``SearchIndex.reindex``
    of one record timed directly.
Targets (issue #10): single-field query median <= 20 ms; re-index <= 2 ms extra per write.
"""
from __future__ import annotations

import argparse
import concurrent.futures as cf
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import threading
import time

CLIENT_ID = "APP-MOCKMEMBER000001"
SCOPES = ("/read-limited", "/activities/update", "/read-public")
WORK_XML = ('<work:work xmlns:common="http://www.orcid.org/ns/common" '
            'xmlns:work="http://www.orcid.org/ns/work"><work:title><common:title>{title}'
            '</common:title></work:title><work:type>journal-article</work:type>'
            '<common:external-ids><common:external-id><common:external-id-type>doi'
            '</common:external-id-type><common:external-id-value>{doi}</common:external-id-value>'
            '<common:external-id-relationship>self</common:external-id-relationship>'
            '</common:external-id></common:external-ids></work:work>')
SYLLABLES = ("ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "ba", "do", "fu", "gi", "ha",
             "je", "pu", "qua", "ri", "so", "tu", "wy", "xe", "yo", "zu")


def _word(rng, parts=3):
    return "".join(rng.choice(SYLLABLES) for _ in range(parts))


# --------------------------------------------------------------------------- client process
def _latencies(spec: dict) -> dict:
    """Runs in the client process: each request once, in order, on one keep-alive session."""
    import requests

    s = requests.Session()
    for req in spec["requests"][:spec["warmup"]]:
        s.request(req["method"], req["url"], headers=req["headers"], data=req.get("body"), timeout=60)
    out, failures = [], []
    for req in spec["requests"][spec["warmup"]:]:
        t0 = time.perf_counter()
        r = s.request(req["method"], req["url"], headers=req["headers"], data=req.get("body"),
                      timeout=60)
        _ = r.content
        out.append(time.perf_counter() - t0)
        if r.status_code != req["expect"]:
            failures.append("%s %s" % (r.status_code, r.text[:200]))
    return {"latencies": out, "failures": failures[:3], "n_failures": len(failures)}


def _stats(latencies):
    lat = sorted(latencies)
    return statistics.median(lat) * 1e3, lat[min(len(lat) - 1, int(round(0.95 * (len(lat) - 1))))] * 1e3


# --------------------------------------------------------------------------- servers
def start_baseline(bodies: dict[str, tuple[bytes, str]]):
    """A bare Flask app on waitress that returns fixed bytes: the same stack, no work."""
    from flask import Flask, Response
    from waitress.server import create_server

    app = Flask("baseline")

    @app.get("/bytes/<name>")
    def fixed(name):
        data, ctype = bodies[name]
        return Response(data, content_type=ctype)

    server = create_server(app, host="127.0.0.1", port=0, threads=8, ident="baseline",
                           clear_untrusted_proxy_headers=True)
    threading.Thread(target=server.run, daemon=True).start()
    return "http://127.0.0.1:%d" % int(server.effective_port)


def populate(reg, records: int, works: int, seed: int = 7):
    """records x works public works, written through the registry (one batch per record, so
    each record is indexed once by the change stream, as a bulk POST would be)."""
    from mock_orcid.registry import sections
    from mock_orcid.registry.model import Source
    from mock_orcid.wire import xmlio

    rng = random.Random(seed)
    vocabulary = [_word(rng) for _ in range(5000)]
    families = [_word(rng, 4).capitalize() for _ in range(records // 10 or 1)]
    section = sections.BY_NAME["work"]
    source = Source(client_id=CLIENT_ID, name="Mock Member Repository")
    orcids = []
    for n in range(records):
        with reg.lock:
            rec = reg.create_user(given_names=_word(rng, 2).capitalize(),
                                  family_name=families[n % len(families)],
                                  email="user%d@example.org" % n)
            for w in range(works):
                title = " ".join(rng.choice(vocabulary) for _ in range(6))
                body = xmlio.parse(WORK_XML.format(title=title, doi="10.5555/b.%d.%d" % (n, w)).encode())
                reg.add_item(rec.orcid, section, body, source)
        orcids.append(rec.orcid)
    return orcids, families, vocabulary


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=10000)
    parser.add_argument("--works", type=int, default=10)
    parser.add_argument("--requests", type=int, default=300, help="timed requests per scenario")
    args = parser.parse_args(argv)
    t_all = time.perf_counter()
    os.environ.setdefault("MOCK_ORCID_CACHE_DIR", tempfile.mkdtemp(prefix="mock-orcid-bench-cache-"))

    import requests
    from mock_orcid.server import RunningServer
    from mock_orcid.settings import Settings
    from mock_orcid.sync.search.results import SearchRequest, run_search

    server = RunningServer(Settings(host="127.0.0.1", port=0)).start()
    url = server.url
    reg = server.state.registry
    index = server.state.search_index
    t0 = time.perf_counter()
    orcids, families, vocabulary = populate(reg, args.records, args.works)
    build_s = time.perf_counter() - t0
    print("mock-orcid search benchmark  (python %s)" % sys.version.split()[0])
    print("indexed %d records x %d works (%d documents) in %.1f s, written through the registry"
          % (args.records, args.works, len(index), build_s))
    print()

    token = reg.issue_token(CLIENT_ID, None, ("/read-public",)).access_token
    auth = {"Authorization": "Bearer " + token, "Accept": "application/vnd.orcid+xml"}
    rng = random.Random(11)
    n = args.requests

    def search_url(q, **extra):
        return requests.Request("GET", url + "/v3.0/search/", params=dict(q=q, **extra)).prepare().url

    single = [search_url("family-name:%s" % rng.choice(families)) for _ in range(n + 20)]
    sample = requests.get(single[0], headers=auth)
    assert sample.status_code == 200 and "<search:search" in sample.text, sample.text[:300]
    works_user = rng.choice(orcids)
    works_resp = requests.get(url + "/v3.0/%s/works" % works_user, headers=auth)
    assert works_resp.status_code == 200 and works_resp.text.count("<work:work-summary") == args.works
    base_url = start_baseline({"search": (sample.content, sample.headers["Content-Type"]),
                               "works": (works_resp.content, works_resp.headers["Content-Type"])})

    def gets(urls):
        return [{"method": "GET", "url": u, "headers": auth, "expect": 200} for u in urls]

    other = {
        "bare term (text:<word>)": [search_url(rng.choice(vocabulary)) for _ in range(n + 20)],
        "phrase in work-titles": [search_url('work-titles:"%s %s"' % (rng.choice(vocabulary),
                                                                        rng.choice(vocabulary)))
                                  for _ in range(n + 20)],
        "fuzzy work-titles:<word>~1": [search_url("work-titles:%s~1" % rng.choice(vocabulary), rows="10")
                                       for _ in range(n + 20)],
        "date range, all hits, rows=10": [search_url("profile-last-modified-date:[NOW-1DAY TO *]",
                                                     rows="10")] * (n + 20),
        "edismax qf=names, 2 words": [search_url("%s %s" % (rng.choice(families), rng.choice(vocabulary)),
                                                 defType="edismax",
                                                 qf="family-name^2 given-names work-titles", rows="10")
                                      for _ in range(n + 20)],
    }
    # (name, requests, the baseline it is compared with: same bytes from a bare endpoint)
    scenarios = [
        ("baseline: bare endpoint, search's bytes", gets([base_url + "/bytes/search"] * (n + 20)), None),
        ("baseline: bare endpoint, works' bytes", gets([base_url + "/bytes/works"] * (n + 20)), None),
        ("GET /v3.0/{orcid}/works (10 works)", gets([url + "/v3.0/%s/works" % rng.choice(orcids)
                                                    for _ in range(n + 20)]), "works"),
        ("GET /v3.0/search family-name:X", gets(single), "search"),
    ] + [("GET /v3.0/search " + k, gets(v), "search") for k, v in other.items()]
    baseline_of = {"search": scenarios[0][0], "works": scenarios[1][0]}
    works_name = scenarios[2][0]

    ctx = multiprocessing.get_context("spawn")
    medians = {}
    print("%-48s %9s %9s %9s %9s" % ("over HTTP (one client, keep-alive)", "p50 ms", "p95 ms",
                                      "vs base", "vs works"))
    failed = False
    with cf.ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
        for name, reqs, against in scenarios:
            res = pool.submit(_latencies, {"requests": reqs, "warmup": 20}).result(timeout=600)
            p50, p95 = _stats(res["latencies"])
            medians[name] = p50
            base = medians[baseline_of[against]] if against else p50
            works = medians.get(works_name)
            print("%-48s %9.2f %9.2f %8.2fx %9s" % (name, p50, p95, p50 / base,
                                                    "%.2fx" % (p50 / works) if works else "-"))
            if res["n_failures"]:
                failed = True
                print("    %d unexpected answers, e.g. %s" % (res["n_failures"], res["failures"]))

        # in-process: the engine without HTTP
        print()
        print("%-48s %9s %9s" % ("in process (run_search, no HTTP)", "p50 ms", "p95 ms"))
        for label, q, extra in [("family-name:X", None, {}),
                                ("bare term", "word", {}),
                                ("date range, all hits, rows=10", "profile-last-modified-date:[NOW-1DAY TO *]",
                                 {"rows": "10"})]:
            times = []
            for _ in range(n):
                query = q or "family-name:%s" % rng.choice(families)
                if q == "word":
                    query = rng.choice(vocabulary)
                t0 = time.perf_counter()
                run_search(index, SearchRequest(dict(q=query, **extra)), reg.now())
                times.append(time.perf_counter() - t0)
            p50, p95 = _stats(times)
            print("%-48s %9.2f %9.2f" % (label, p50, p95))

        # writes: POST a work with the index listening, then with it unsubscribed
        writers = rng.sample(orcids, min(len(orcids), n + 20))
        tokens = {o: reg.issue_token(CLIENT_ID, o, SCOPES).access_token for o in writers}

        def posts(tag):
            return [{"method": "POST", "url": url + "/v3.0/%s/work" % o, "expect": 201,
                     "headers": {"Authorization": "Bearer " + tokens[o],
                                 "Content-Type": "application/vnd.orcid+xml"},
                     "body": WORK_XML.format(title="Posted %s %d" % (tag, i),
                                             doi="10.5555/post.%s.%d" % (tag, i)).encode()}
                    for i, o in enumerate(writers)]

        print()
        print("%-48s %9s %9s %9s" % ("writes (each re-indexes one record)", "p50 ms", "p95 ms",
                                     "vs works"))
        with_index = pool.submit(_latencies, {"requests": posts("on"), "warmup": 20}).result(timeout=600)
        reg.changes.listeners.remove(index)
        without = pool.submit(_latencies, {"requests": posts("off"), "warmup": 20}).result(timeout=600)
        reg.subscribe(index)
        on50, on95 = _stats(with_index["latencies"])
        off50, off95 = _stats(without["latencies"])
        works50 = medians[works_name]
        print("%-48s %9.2f %9.2f %8.2fx" % ("POST /v3.0/{orcid}/work, index listening", on50, on95,
                                            on50 / works50))
        print("%-48s %9.2f %9.2f %8.2fx" % ("POST /v3.0/{orcid}/work, index unsubscribed", off50,
                                            off95, off50 / works50))
        print("%-48s %9.2f %9s %8.2fx" % ("  extra per write (difference of medians)", on50 - off50,
                                          "", (on50 - off50) / works50))
        for res in (with_index, without):
            if res["n_failures"]:
                failed = True
                print("    %d unexpected answers, e.g. %s" % (res["n_failures"], res["failures"]))
        times = []
        for orcid in rng.sample(orcids, min(len(orcids), n)):
            t0 = time.perf_counter()
            index.reindex(orcid)
            times.append(time.perf_counter() - t0)
        p50, p95 = _stats(times)
        print("%-48s %9.2f %9.2f" % ("SearchIndex.reindex(one record), direct", p50, p95))

    print()
    target_q = medians["GET /v3.0/search family-name:X"]
    print("single-field query median %.2f ms (target <= 20 ms): %s"
          % (target_q, "ok" if target_q <= 20 else "OVER"))
    print("re-index cost per write %.2f ms (target <= 2 ms): %s"
          % (on50 - off50, "ok" if on50 - off50 <= 2 else "OVER"))
    print("'vs base' = median latency relative to a bare endpoint on the same Flask/waitress stack"
          " returning the same bytes (search's for the searches, works' for /works);"
          " 'vs works' = relative to GET /v3.0/{orcid}/works.")
    print("total benchmark time: %.1f s" % (time.perf_counter() - t_all))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
