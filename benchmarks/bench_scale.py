"""Memory, garbage-collection pauses and write cost as the registry grows.

    python benchmarks/bench_scale.py [--users 10000 100000] [--works 10] [--posts 40]

For each user count, in a fresh process: start the server, load USERS x WORKS copies of ORCID's
full work sample (``work-full-3.0.xml``, read from ../shared/orcid-model at run time, each copy
with its own DOI) through the registry's own write path (prepare + add, as a POST stores them,
without HTTP), and print:

- RSS per stored work (RSS after loading minus RSS before, over the works loaded);
- the longest garbage-collection pause seen while loading (started once the server has loaded
  its schema sets, as the pytest fixture waits), and a full collection afterwards,
  before and after ``gc.freeze()`` (what a fixture loader does once its data is in);
- POST /work latency over HTTP (p50 of --posts, alternating) on a record with 10 works and on one
  with 9,000 works, and their ratio (the duplicate index makes it independent of the count).

The issue's targets: 1M works in <= 4 GiB (4.3 KB per work), no full-collection pause over
100 ms at 1M works, POST on 9,000 works <= 2x POST on 10 works. 100,000 users (1M works) take
about 4 minutes and 1.3 GB; run --users 10000 for a quick look.
"""
from __future__ import annotations

import argparse
import copy
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO.parent / "shared" / "orcid-model" / "record_3.0" / "samples" / "read_samples" / \
    "work-full-3.0.xml"
CLIENT_ID = "APP-MOCKMEMBER000001"


def rss_bytes() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class GcTimer:
    """Times every collection the interpreter runs (gc.callbacks)."""

    def __init__(self):
        self.longest = {0: 0.0, 1: 0.0, 2: 0.0}
        self.count = {0: 0, 1: 0, 2: 0}
        self._t0 = None
        gc.callbacks.append(self)

    def __call__(self, phase, info):
        if phase == "start":
            self._t0 = time.perf_counter()
        elif self._t0 is not None:
            gen = info["generation"]
            self.longest[gen] = max(self.longest[gen], time.perf_counter() - self._t0)
            self.count[gen] += 1


def _bodies(template, tag, count):
    """``count`` copies of the sample, each with its own DOI (they would be duplicates else)."""
    from mock_orcid.registry.namespaces import qn
    value_tag, type_tag = qn("common", "external-id-value"), qn("common", "external-id-type")
    for n in range(count):
        body = copy.deepcopy(template)
        for ext in body.iter(qn("common", "external-id")):
            if ext.findtext(type_tag) == "doi":
                ext.find(value_tag).text = "10.5555/scale-%s-%d" % (tag, n)
                break
        yield body


def one_run(users: int, works: int, posts: int) -> dict:
    import requests

    from mock_orcid.registry import sections
    from mock_orcid.registry.model import Source
    from mock_orcid.server import RunningServer
    from mock_orcid.settings import Settings
    from mock_orcid.wire import xmlio

    server = RunningServer(Settings(host="127.0.0.1", port=0)).start()
    # As the pytest fixture does: the schema sets finish loading (and are frozen out of the
    # collector's sight) first, so the pauses measured are the stored works', not start-up's.
    server.wait_until_loaded()
    reg = server.state.registry
    section = sections.BY_NAME["work"]
    template = xmlio.parse(SAMPLE.read_bytes())
    template.attrib.pop("put-code", None)
    source = Source(client_id=CLIENT_ID, name="Scale loader")
    gc.collect()
    timer = GcTimer()
    rss0 = rss_bytes()
    t0 = time.perf_counter()
    for u in range(users):
        orcid = reg.create_user(given_names="Scale", family_name="User %d" % u).orcid
        for body in _bodies(template, "u%d" % u, works):
            reg.add_item(orcid, section, body, source)
    load_s = time.perf_counter() - t0
    gc.collect()
    rss1 = rss_bytes()
    loaded = users * works
    during = dict(timer.longest)

    t = time.perf_counter()
    gc.collect()
    full_before_freeze = time.perf_counter() - t
    gc.freeze()
    t = time.perf_counter()
    gc.collect()
    full_after_freeze = time.perf_counter() - t
    gc.unfreeze()

    # POST latency: 10 works vs 9,000 works on one record each, same client, alternating.
    small = reg.create_user(given_names="Small", family_name="Record").orcid
    large = reg.create_user(given_names="Large", family_name="Record").orcid
    for orcid, count in ((small, 10), (large, 9000)):
        for body in _bodies(template, orcid, count):
            reg.add_item(orcid, section, body, source)
    http = requests.Session()
    headers = {}
    for orcid in (small, large):
        token = reg.issue_token(CLIENT_ID, orcid, ("/activities/update",)).access_token
        headers[orcid] = {"Authorization": "Bearer " + token,
                          "Content-Type": "application/vnd.orcid+xml"}
    raw = {orcid: [xmlio.to_bytes(b) for b in _bodies(template, "post-" + orcid, posts + 3)]
           for orcid in (small, large)}
    lat = {small: [], large: []}
    for n in range(posts + 3):
        for orcid in ((small, large) if n % 2 else (large, small)):
            t = time.perf_counter()
            r = http.post(server.url + "/v3.0/%s/work" % orcid, data=raw[orcid][n],
                          headers=headers[orcid])
            elapsed = time.perf_counter() - t
            assert r.status_code == 201, r.text[:300]
            if n >= 3:
                lat[orcid].append(elapsed)
    p50 = {k: statistics.median(v) * 1e3 for k, v in lat.items()}
    return {"users": users, "works": loaded, "load_s": load_s,
            "rss_per_work": (rss1 - rss0) / loaded, "rss_total": rss1,
            "gc_longest_during_load": during, "gc_count": dict(timer.count),
            "full_gc_before_freeze": full_before_freeze,
            "full_gc_after_freeze": full_after_freeze,
            "post_p50_10": p50[small], "post_p50_9000": p50[large]}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, nargs="+", default=[10000, 100000])
    parser.add_argument("--works", type=int, default=10, help="works per user")
    parser.add_argument("--posts", type=int, default=40, help="timed POSTs per record")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not SAMPLE.is_file():
        print("needs ORCID's samples at %s" % SAMPLE)
        return 1
    if args.child:
        print(json.dumps(one_run(args.users[0], args.works, args.posts)), flush=True)
        os._exit(0)
    print("mock-orcid at scale: %s users x %d full-sample works (python %s)"
          % (" and ".join(str(u) for u in args.users), args.works, sys.version.split()[0]))
    for users in args.users:
        proc = subprocess.run([sys.executable, __file__, "--child", "--users", str(users),
                               "--works", str(args.works), "--posts", str(args.posts)],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            print(proc.stderr[-3000:])
            return 1
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        g = r["gc_longest_during_load"]
        print()
        print("%d users, %d works (loaded in %.1f s, %.0f works/s)"
              % (r["users"], r["works"], r["load_s"], r["works"] / r["load_s"]))
        print("  RSS per work:                      %8.0f bytes   (process RSS %.2f GiB)"
              % (r["rss_per_work"], r["rss_total"] / 2 ** 30))
        print("  longest GC pause while loading:    %8.1f ms   (gen0 %.1f, gen1 %.1f ms; "
              "%d full collections)" % (max(g.values()) * 1e3, g["0"] * 1e3, g["1"] * 1e3,
                                        r["gc_count"]["2"]))
        print("  full collection after loading:     %8.1f ms   (after gc.freeze(): %.1f ms)"
              % (r["full_gc_before_freeze"] * 1e3, r["full_gc_after_freeze"] * 1e3))
        print("  POST /work p50, 10 works:          %8.2f ms" % r["post_p50_10"])
        print("  POST /work p50, 9,000 works:       %8.2f ms   ratio %.2f"
              % (r["post_p50_9000"], r["post_p50_9000"] / r["post_p50_10"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
