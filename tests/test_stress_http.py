"""Eight client threads at once: writes, bulk writes, updates, deletes, reads and resets.

The registry is shared by the server's threads; under load it must lose no write, hand out
no put-code twice, answer no 5xx, and keep every works list's groups consistent. The run
alternates *checked* rounds (no reset: afterwards every put-code a 201 or a bulk answered is
stored unless a 204 deleted it, none was handed out twice, groups agree with the works) and
*chaos* rounds, in which one thread resets the registry while the others keep going (only
"no 5xx, every error an ORCID or OAuth error body" can hold then).

About 30 s (MOCK_ORCID_STRESS_SECONDS to change it); marked slow.
"""
from __future__ import annotations

import collections
import json
import os
import random
import threading
import time

import pytest
import requests
from http_helpers import BULK_NS, JSON, XML
from robust_helpers import ORG, XMLNS, issn_with_check, orcid_error, peer_review_xml

SECONDS = float(os.environ.get("MOCK_ORCID_STRESS_SECONDS", "30"))
THREADS = 8
RESEARCHERS = 3
# few enough that works group and clients collide (409), many enough that most writes land
DOIS = ["10.5555/stress.%d" % n for n in range(150)] + ["10.5555/STRESS.%d" % n for n in range(5)]
RESET_EVERY = 1.5     # seconds, in chaos rounds
# peer reviews on these make ORCID create the issn: group ids, from several threads at once
ISSNS = ["issn:" + issn_with_check("%07d" % (1234500 + n)) for n in range(4)]
SCOPES = "/read-limited /activities/update /person/update"

pytestmark = pytest.mark.slow


class World:
    """Who exists and their tokens; rebuilt (same ORCID iDs and client ids) after a reset."""

    def __init__(self, mock_orcid):
        self.mock = mock_orcid
        self.lock = threading.Lock()
        self.build(first=True)

    def build(self, first=False):
        m = self.mock
        m.reset()
        if first:
            self.users = [m.create_user() for _ in range(RESEARCHERS)]
            self.clients = [m.create_client(name="Stress %d" % n) for n in range(2)]
        else:
            for user in self.users:
                m.create_user(orcid=user["orcid"])
            for client in self.clients:
                m.create_client(name=client["name"], client_id=client["client_id"],
                                client_secret=client["client_secret"])
        tokens = {(u["orcid"], c["client_id"]): m.token(c, u, SCOPES)["access_token"]
                  for u in self.users for c in self.clients}
        with self.lock:
            self.tokens = tokens

    def token(self, orcid, client_id):
        with self.lock:
            return self.tokens[(orcid, client_id)]


class Ledger:
    """What the clients were told: put-codes created (201, bulk) and deleted (204)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.created = collections.defaultdict(list)   # sequence -> put-codes
        self.alive = collections.defaultdict(set)      # (orcid, section) -> put-codes
        self.deleted = set()
        self.statuses = collections.Counter()

    def add(self, orcid, section, sequence, code):
        with self.lock:
            self.created[sequence].append(code)
            self.alive[(orcid, section)].add(code)

    def claim(self, orcid, section):
        """A put-code to delete; none other than this thread will delete it."""
        with self.lock:
            codes = self.alive[(orcid, section)]
            if not codes:
                return None
            code = random.choice(sorted(codes))
            codes.discard(code)
            return code

    def some(self, orcid, section):
        with self.lock:
            codes = self.alive[(orcid, section)]
            return random.choice(sorted(codes)) if codes else None

    def deleted_ok(self, code):
        with self.lock:
            self.deleted.add(code)

    def restore(self, orcid, section, code):
        with self.lock:
            self.alive[(orcid, section)].add(code)


def work_json(title, doi, rel="self"):
    return {"title": {"title": {"value": title}}, "type": "journal-article",
            "external-ids": {"external-id": [{"external-id-type": "doi", "external-id-value": doi,
                                              "external-id-relationship": rel}]}}


def work_xml(title, doi):
    return ('<work:work %s><work:title><common:title>%s</common:title></work:title>'
            '<work:type>journal-article</work:type><common:external-ids><common:external-id>'
            '<common:external-id-type>doi</common:external-id-type><common:external-id-value>%s'
            '</common:external-id-value><common:external-id-relationship>self'
            '</common:external-id-relationship></common:external-id></common:external-ids>'
            '</work:work>' % (XMLNS, title, doi))


def employment_xml(role):
    return ('<employment:employment xmlns:employment="http://www.orcid.org/ns/employment" %s>'
            '<common:role-title>%s</common:role-title><common:start-date><common:year>2020'
            '</common:year></common:start-date>%s</employment:employment>'
            % (XMLNS, role, ORG.format(p="common")))


class Worker(threading.Thread):
    def __init__(self, n, url, world, ledger, stop, chaos: bool, seed: int):
        super().__init__(daemon=True)
        self.n, self.url, self.world, self.ledger, self.stop = n, url, world, ledger, stop
        self.chaos = chaos              # a reset may happen at any moment in this round
        self.resets = chaos and n == 0  # and this thread is the one doing them
        self.rand = random.Random(seed)
        self.last_reset = time.monotonic()
        self.failures = []
        self.session = requests.Session()

    def run(self):
        try:
            while not self.stop.is_set():
                self.step()
        except Exception as exc:      # noqa: BLE001 - reported by the test
            self.failures.append(repr(exc))

    def _call(self, method, path, token, body=None, fmt=JSON, accept=JSON):
        headers = {"Authorization": "Bearer " + token, "Accept": accept}
        if body is not None:
            headers["Content-Type"] = fmt
        r = self.session.request(method, self.url + path, data=body, headers=headers, timeout=60)
        with self.ledger.lock:
            self.ledger.statuses[r.status_code] += 1
        if r.status_code >= 500:
            self.failures.append("%s %s -> %s %s" % (method, path, r.status_code, r.text[:300]))
        elif r.status_code >= 400:
            if r.status_code == 401 and r.headers.get("Content-Type", "").startswith(
                    "application/json") and "error" in r.json():
                return r      # a token a reset just wiped
            try:
                orcid_error(r)
            except AssertionError as exc:
                self.failures.append("%s %s: not an ORCID error: %s" % (method, path, exc))
        return r

    def step(self):
        rand = self.rand
        world, ledger = self.world, self.ledger
        user = rand.choice(world.users)
        client = rand.choice(world.clients)
        orcid = user["orcid"]
        token = world.token(orcid, client["client_id"])
        base = "/v3.0/" + orcid
        if self.resets and time.monotonic() - self.last_reset > RESET_EVERY:
            self.last_reset = time.monotonic()
            world.build()
            return
        op = rand.choices(["post", "post-xml", "bulk", "employment", "peer-review", "put",
                           "delete", "read"], weights=[6, 3, 2, 3, 2, 3, 3, 6])[0]
        if op in ("post", "post-xml"):
            doi = rand.choice(DOIS)
            title = "W%d-%d" % (self.n, rand.randrange(10 ** 6))
            body = json.dumps(work_json(title, doi)) if op == "post" else work_xml(title, doi)
            r = self._call("POST", base + "/work", token, body, JSON if op == "post" else XML)
            if r.status_code == 201:
                ledger.add(orcid, "work", "work", int(r.headers["Location"].rsplit("/", 1)[1]))
        elif op == "bulk":
            works = [work_json("B%d-%d" % (self.n, i), rand.choice(DOIS)) for i in range(3)]
            r = self._call("POST", base + "/works", token, json.dumps({"bulk": [
                {"work": w} for w in works]}))
            if r.status_code == 200:
                for entry in r.json()["bulk"]:
                    if "work" in entry:
                        ledger.add(orcid, "work", "work", entry["work"]["put-code"])
        elif op == "employment":
            r = self._call("POST", base + "/employment", token, employment_xml("R%d" % self.n),
                           XML, XML)
            if r.status_code == 201:
                ledger.add(orcid, "employment", "affiliation",
                           int(r.headers["Location"].rsplit("/", 1)[1]))
        elif op == "peer-review":
            body = peer_review_xml(rand.choice(ISSNS), "R-%d-%d" % (self.n, rand.randrange(10 ** 6)))
            r = self._call("POST", base + "/peer-review", token, body, XML, XML)
            if r.status_code == 201:
                ledger.add(orcid, "peer-review", "peer-review",
                           int(r.headers["Location"].rsplit("/", 1)[1]))
        elif op == "put":
            code = ledger.some(orcid, "work")
            if code is None:
                return
            body = work_json("Updated %d" % self.n, rand.choice(DOIS))
            body["put-code"] = code
            self._call("PUT", base + "/work/%d" % code, token, json.dumps(body))
        elif op == "delete":
            section = rand.choice(["work", "employment"])
            code = ledger.claim(orcid, section)
            if code is None:
                return
            r = self._call("DELETE", base + "/%s/%d" % (section, code), token)
            if r.status_code == 204:
                ledger.deleted_ok(code)
            else:     # another client's item (403) or gone with a reset: still there
                ledger.restore(orcid, section, code)
        elif op == "read":
            path = rand.choice(["/works", "/record", "/activities", "/employments"])
            r = self._call("GET", base + path, token, accept=rand.choice([JSON, XML]))
            if r.status_code != 200 and not self.chaos:
                self.failures.append("GET %s -> %s %s" % (path, r.status_code, r.text[:200]))


def check_round(mock_orcid, world, ledger):
    """After a checked round: nothing lost, nothing handed out twice, groups consistent."""
    failures = []
    for sequence, codes in ledger.created.items():
        dupes = [c for c, k in collections.Counter(codes).items() if k > 1]
        if dupes:
            failures.append("put-codes handed out twice in %s: %s" % (sequence, dupes[:10]))
    groups = mock_orcid.state.registry.group_ids
    with mock_orcid.state.registry.lock:
        gids = [g.body.findtext("{http://www.orcid.org/ns/group-id}group-id")
                for g in groups.records.values()]
    if sorted(gids) != sorted(set(gids)) or not set(gids) <= set(ISSNS):
        failures.append("issn: group ids created twice or wrongly: %s" % sorted(gids))
    for user in world.users:
        orcid = user["orcid"]
        token = world.token(orcid, world.clients[0]["client_id"])
        headers = {"Authorization": "Bearer " + token, "Accept": JSON}
        works = requests.get(mock_orcid.url + "/v3.0/%s/works" % orcid, headers=headers,
                             timeout=60).json()
        listed = [s["put-code"] for g in works["group"] for s in g["work-summary"]]
        expected = ledger.alive[(orcid, "work")]
        if sorted(listed) != sorted(expected):
            failures.append("works of %s: listed %d, told %d; lost %s, unexpected %s" % (
                orcid, len(listed), len(expected), sorted(set(expected) - set(listed))[:10],
                sorted(set(listed) - set(expected))[:10]))
        seen = {}
        for n, group in enumerate(works["group"]):
            keys = {(e["external-id-type"], (e["external-id-normalized"] or {}).get("value"))
                    for e in group["external-ids"]["external-id"]}
            member_keys = {(e["external-id-type"], (e["external-id-normalized"] or {}).get("value"))
                           for s in group["work-summary"] for e in s["external-ids"]["external-id"]
                           if e["external-id-relationship"] in ("self", "version-of")}
            if keys != member_keys:
                failures.append("group %d of %s: ids %s, its works' ids %s"
                                % (n, orcid, sorted(keys), sorted(member_keys)))
            for key in keys:
                if key in seen:
                    failures.append("%s is in two groups of %s" % (key, orcid))
                seen[key] = n
        employments = requests.get(mock_orcid.url + "/v3.0/%s/employments" % orcid,
                                   headers=headers, timeout=60).json()
        listed = [s["employment-summary"]["put-code"]
                  for g in employments["affiliation-group"] for s in g["summaries"]]
        if sorted(listed) != sorted(ledger.alive[(orcid, "employment")]):
            failures.append("employments of %s differ from what clients were told" % orcid)
        reviews = requests.get(mock_orcid.url + "/v3.0/%s/peer-reviews" % orcid,
                               headers=headers, timeout=60).json()
        listed = [s["put-code"] for g in reviews["group"] for pg in g["peer-review-group"]
                  for s in pg["peer-review-summary"]]
        if sorted(listed) != sorted(ledger.alive[(orcid, "peer-review")]):
            failures.append("peer reviews of %s differ from what clients were told" % orcid)
    return failures


def run_round(mock_orcid, world, seconds, resets, round_no):
    ledger = Ledger()
    stop = threading.Event()
    workers = [Worker(n, mock_orcid.url, world, ledger, stop, resets,
                      seed=round_no * 100 + n) for n in range(THREADS)]
    for w in workers:
        w.start()
    time.sleep(seconds)
    stop.set()
    for w in workers:
        w.join(timeout=120)
    failures = [f for w in workers for f in w.failures]
    return ledger, failures


def test_eight_threads_of_mixed_traffic_and_resets_lose_nothing_and_never_fail(mock_orcid):
    world = World(mock_orcid)
    rounds = max(2, int(SECONDS // 7.5))
    totals = collections.Counter()
    for n in range(rounds):
        chaos = n % 2 == 1
        if chaos:
            ledger, failures = run_round(mock_orcid, world, SECONDS / rounds, True, n)
            assert not failures, failures[:10]
            world.build()          # a clean start for the next checked round
        else:
            ledger, failures = run_round(mock_orcid, world, SECONDS / rounds, False, n)
            assert not failures, failures[:10]
            problems = check_round(mock_orcid, world, ledger)
            assert not problems, problems[:10]
            world.build()
        totals.update(ledger.statuses)
    print("\nstress: %d requests in %d rounds, statuses %s"
          % (sum(totals.values()), rounds, dict(totals)))
    assert sum(totals.values()) > 500
    assert not [s for s in totals if s >= 500]
