"""Fuzzing over real HTTP: whatever a client sends, mock-orcid answers ORCID's way.

One hypothesis test draws a few thousand requests across every route family (record writes
and updates from mutated official XML and JSON samples, bulk works, person sections, group-id
records, notification permissions, reads and deletes on fuzzed paths with odd Accept headers,
both APIs, and OAuth), and holds the server to four promises throughout:

- no answer is a 5xx;
- every API error is ORCID's error body, in the format the request asked for;
- a refused write stores nothing (the whole registry is compared before and after), and an
  accepted one leaves the record readable in XML and JSON;
- ``/__admin/health`` answers within a second all along (nothing freezes the server).

It is bounded and deterministic (``derandomize``): the same requests on every run.
"""
from __future__ import annotations

import collections
import os
import time
import urllib.parse

import pytest
import requests
from fuzz_bodies import NASTY_TEXT, load_samples, mutated_body, texts
from http_helpers import JSON, XML, auth
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from robust_helpers import HealthWatch, orcid_error, registry_snapshot

SAMPLES = load_samples()
# one to seven requests each; MOCK_ORCID_FUZZ_EXAMPLES=20000 for a longer hunt
EXAMPLES = int(os.environ.get("MOCK_ORCID_FUZZ_EXAMPLES", "2500"))
# CI sends the same requests every run; MOCK_ORCID_FUZZ_RANDOM=1 draws new ones
DERANDOMIZE = os.environ.get("MOCK_ORCID_FUZZ_RANDOM", "") in ("", "0")
RESET_EVERY = 300           # keeps the registry (and each before/after comparison) small
TIMEOUT = 30

MEMBER_SCOPES = ("/read-limited /activities/update /person/update "
                 "/orcid-bio/external-identifiers/create")
ACCEPTS = [XML, JSON, "application/orcid+xml", "application/orcid+json", "application/xml",
           "application/json", "*/*", "text/html", "application/vnd.orcid+json; q=0",
           "", "application/vnd.orcid+xml;charset=utf-8", "\u00e9/\u00e9"]
SECTIONS = ["work", "works", "funding", "fundings", "employment", "employments", "education",
            "educations", "distinction", "invited-position", "membership", "qualification",
            "service", "services", "peer-review", "peer-reviews", "research-resource",
            "research-resources", "researcher-urls", "other-names", "keywords", "address",
            "external-identifiers", "record", "person", "activities", "email", "biography",
            "personal-details", "summary", "notification-permission", "bogus", ""]
FAMILIES = ["write", "write", "write", "update", "read", "group-id", "oauth"]

pytestmark = pytest.mark.skipif(not SAMPLES, reason="ORCID's official samples are not beside "
                                "the project (../shared/orcid-model)")


class Fuzzer:
    def __init__(self, mock_orcid):
        self.mock = mock_orcid
        self.url = mock_orcid.url
        self.session = requests.Session()
        self.requests = collections.Counter()
        self.slow = []     # (started, seconds, method, path, body bytes) of requests over 0.3 s
        self.examples = 0
        self.fresh()

    # -- a clean registry with one researcher, two clients and an item per section ----------
    def fresh(self):
        m = self.mock
        m.reset()
        self.user = m.create_user()
        self.other_user = m.create_user()
        self.client = m.create_client(name="Fuzz client")
        self.orcid = self.user["orcid"]
        self.token = m.token(self.client, self.user, MEMBER_SCOPES)["access_token"]
        self.group_token = m.token(self.client, None, "/group-id-record/read "
                                   "/group-id-record/update")["access_token"]
        premium = m.create_client(name="Fuzz premium client", type="premium")
        self.premium_token = m.token(premium, None, "/premium-notification")["access_token"]
        self.public_token = m.token(self.client, None, "/read-public")["access_token"]
        self.put_codes = {}
        for sample in SAMPLES:
            if sample.route.startswith("/") and sample.route != "/works":
                r = self._send("POST", self._target(sample.route), sample.text.encode("utf-8"),
                               sample.fmt, XML, family="seed")
                if r.status_code == 201:
                    code = r.headers["Location"].rsplit("/", 1)[1]
                    self.put_codes.setdefault(sample.route, []).append(code)

    def tick(self):
        self.examples += 1
        if self.examples % RESET_EVERY == 0:
            self.fresh()

    def _target(self, route, other=False):
        orcid = self.other_user["orcid"] if other else self.orcid
        if route == "group-id-record":
            return "/v3.0/group-id-record"
        return "/v3.0/%s%s" % (orcid, "/notification-permission" if
                               route == "notification-permission" else route)

    def _token_for(self, route):
        return {"group-id-record": self.group_token,
                "notification-permission": self.premium_token}.get(route, self.token)

    def _send(self, method, path, data, fmt, accept, family, token=None, route=""):
        headers = {"Accept": accept} if accept else {}
        if data is not None:
            headers["Content-Type"] = "application/vnd.orcid+%s" % fmt
        tok = token if token is not None else self._token_for(route)
        if tok:
            headers["Authorization"] = "Bearer " + tok
        self.requests[family] += 1
        started = time.monotonic()
        resp = self.session.request(method, self.url + path, data=data, headers=headers,
                                    timeout=TIMEOUT, allow_redirects=False)
        took = time.monotonic() - started
        if took > 0.3:
            self.slow.append((started, took, method, path[:120], len(data or b"")))
        return resp

    def slow_near(self, moment: float) -> list:
        """The slow requests under way around ``moment`` (to explain a slow health poll)."""
        return [s for s in self.slow if s[0] - 1.5 <= moment <= s[0] + s[1] + 0.5]

    # -- what every answer must be --------------------------------------------------------
    def check(self, resp, accept, note, head=False):
        assert resp.status_code < 500, (note, resp.status_code, resp.text[:800])
        if head:
            assert resp.content == b""
            return None
        if resp.status_code >= 400:
            if resp.status_code in (401, 403) and _bearer_error(resp):
                return None     # a missing or bad token: ORCID's OAuth JSON, whatever the Accept
            fields = orcid_error(resp)
            ctype = resp.headers.get("Content-Type", "").split(";")[0]   # none on a 406
            wanted = accept.split(";")[0].strip() if accept else ""
            if "q=0" not in accept and wanted in (XML, JSON, "application/orcid+xml", "application/orcid+json",
                          "application/xml", "application/json") and resp.status_code != 406:
                assert ctype.endswith(wanted.rsplit("+", 1)[-1].rsplit("/", 1)[-1]), \
                    (note, accept, ctype)
            return fields
        return None

    def still_readable(self, location, note):
        """An accepted write never poisons: the item and the whole record read in both
        formats."""
        paths = ["/v3.0/%s/record" % self.orcid, "/pub/v3.0/%s/record" % self.orcid]
        if location:
            paths.append(urllib.parse.urlparse(location).path)
        for path in paths:
            for accept in (XML, JSON):
                tok = self.group_token if "group-id-record" in path else self.token
                r = self._send("GET", path, None, "xml", accept, "verify", token=tok)
                assert r.status_code == 200, (note, path, accept, r.status_code, r.text[:800])


@pytest.fixture(scope="module")
def fuzzer(mock_orcid):
    return Fuzzer(mock_orcid)


def _bearer_error(resp) -> bool:
    if not resp.headers.get("Content-Type", "").startswith("application/json"):
        return False
    body = resp.json()
    return sorted(body) == ["error", "error_description"] and body["error"] in (
        "invalid_token", "forbidden", "insufficient_scope", "access_denied")


def _header_safe(text: str) -> str:
    return "".join(c for c in text if " " <= c <= "~")


def _quote(text: str) -> str:
    return urllib.parse.quote(text.encode("utf-8", "surrogatepass"), safe="")


# ------------------------------------------------------------------ families
def write(f: Fuzzer, data, update: bool):
    sample = data.draw(st.sampled_from(SAMPLES), label="sample")
    body, notes = data.draw(mutated_body(sample), label="body")
    accept = data.draw(st.sampled_from([XML, JSON, "application/json", "*/*"]), label="accept")
    fmt = data.draw(st.sampled_from([sample.fmt] * 5 + ["xml" if sample.fmt == "json" else "json"]))
    other = data.draw(st.sampled_from([False] * 9 + [True]), label="another record")
    path, method = f._target(sample.route, other), "POST"
    if update and sample.route != "/works":
        codes = f.put_codes.get(sample.route) or ["1"]
        code = data.draw(st.sampled_from(codes + ["9" * 19, "0", "1"]), label="put-code")
        path, method = path + "/" + code, "PUT"
    note = "%s %s %s %s" % (method, sample.name, fmt, notes)
    before = registry_snapshot(f.mock)
    r = f._send(method, path, body, fmt, accept, "update" if update else "write",
                route=sample.route)
    f.check(r, accept, note)
    if r.status_code >= 400:
        assert registry_snapshot(f.mock) == before, ("a refused write changed the registry",
                                                     note, r.text[:300])
    elif sample.route != "notification-permission":
        location = r.headers.get("Location") if r.status_code == 201 else (
            f.url + path if method == "PUT" else None)
        f.still_readable(location, note)


def read(f: Fuzzer, data):
    api = data.draw(st.sampled_from(["/v3.0", "/pub/v3.0", "/v2.1", "/v3.0_rc1"]), label="api")
    orcid = data.draw(st.sampled_from([f.orcid, f.other_user["orcid"], "0000-0002-1825-0097",
                                       "0000-0000-0000-000X"]) | texts, label="orcid")
    section = data.draw(st.sampled_from(SECTIONS) | texts, label="section")
    codes = [c for cs in f.put_codes.values() for c in cs]
    tail = data.draw(st.lists(st.sampled_from(codes + ["summary", "1,2,3", ",,", "-1"])
                              | texts, max_size=2), label="tail")
    query = data.draw(st.sampled_from(["", "?page=1", "?q=%s" % _quote(NASTY_TEXT[3])])
                      | texts.map(lambda t: "?" + _quote(t) + "=" + _quote(t)), label="query")
    method = data.draw(st.sampled_from(["GET"] * 6 + ["HEAD", "DELETE", "PUT", "POST"]))
    accept = data.draw(st.sampled_from(ACCEPTS), label="accept")
    token = data.draw(st.sampled_from([f.token, f.public_token, "", "junk", f.group_token]))
    path = "/".join([api, _quote(orcid), _quote(section)] + [_quote(t) for t in tail]) + query
    before = registry_snapshot(f.mock) if method != "GET" and method != "HEAD" else None
    r = f._send(method, path, b"" if method in ("PUT", "POST") else None, "xml", accept, "read",
                token=token)
    f.check(r, accept, "%s %s" % (method, path), head=method == "HEAD")
    if before is not None and r.status_code >= 400:
        assert registry_snapshot(f.mock) == before, (method, path)
    if method == "HEAD":
        assert r.content == b""


def group_id(f: Fuzzer, data):
    key = data.draw(st.sampled_from(["group-id", "name", "page", "page-size"]), label="param")
    value = data.draw(st.sampled_from(["issn:0953-1513", "issn:1741-4857", "issn:1234-5678",
                                       "ringgold:355321", "issn:", "1", "0"]) | texts,
                      label="value")
    accept = data.draw(st.sampled_from([XML, JSON, "*/*"]), label="accept")
    method = data.draw(st.sampled_from(["GET", "GET", "HEAD", "DELETE"]))
    if method == "DELETE":
        path = "/v3.0/group-id-record/" + _quote(value)
    else:
        path = "/v3.0/group-id-record?%s=%s" % (key, _quote(value))
    before = registry_snapshot(f.mock)
    r = f._send(method, path, None, "xml", accept, "group-id", token=f.group_token)
    f.check(r, accept, path, head=method == "HEAD")
    if r.status_code >= 400:
        assert registry_snapshot(f.mock) == before, path
    listing = f._send("GET", "/v3.0/group-id-record?page-size=1000", None, "xml", XML,
                      "verify", token=f.group_token)
    assert listing.status_code == 200, listing.text[:500]


OAUTH_FIELDS = ["grant_type", "client_id", "client_secret", "code", "redirect_uri", "scope",
                "refresh_token", "token", "revoke_old"]


def oauth(f: Fuzzer, data):
    kind = data.draw(st.sampled_from(["token", "token", "revoke", "userinfo", "authorize"]))
    fields = {}
    for name in data.draw(st.lists(st.sampled_from(OAUTH_FIELDS), max_size=6, unique=True)):
        good = {"grant_type": "client_credentials", "client_id": f.client["client_id"],
                "client_secret": f.client["client_secret"], "scope": "/read-public",
                "redirect_uri": f.client["redirect_uris"][0]}.get(name, "x")
        fields[name] = data.draw(st.sampled_from([good, good, "authorization_code",
                                                  "refresh_token"]) | texts, label=name)
    safe = {k: v.encode("utf-8", "surrogatepass") for k, v in fields.items()}
    if kind == "token" or kind == "revoke":
        r = f.session.post(f.url + "/oauth/" + kind, data=safe, timeout=TIMEOUT,
                           headers={"Accept": "application/json"})
    elif kind == "userinfo":
        # only what HTTP lets a header carry: anything else the HTTP layer refuses first
        bearer = data.draw(st.sampled_from([f.token, "junk", ""]) | texts.map(_header_safe))
        r = f.session.get(f.url + "/oauth/userinfo", timeout=TIMEOUT,
                          headers={"Authorization": "Bearer " + bearer})
    else:
        query = urllib.parse.urlencode(safe)
        r = f.session.get(f.url + "/oauth/authorize?" + query, timeout=TIMEOUT,
                          allow_redirects=False)
    f.requests["oauth"] += 1
    assert r.status_code < 500, (kind, fields, r.status_code, r.text[:500])
    if r.status_code >= 400 and kind != "authorize":
        body = r.json()
        assert "error" in body, body


# ------------------------------------------------------------------ the test
@settings(max_examples=EXAMPLES, deadline=None, derandomize=DERANDOMIZE, database=None,
          suppress_health_check=list(HealthCheck), print_blob=False)
@given(data=st.data())
def _fuzz(fuzzer, data):
    fuzzer.tick()
    family = data.draw(st.sampled_from(FAMILIES), label="family")
    if family in ("write", "update"):
        write(fuzzer, data, family == "update")
    elif family == "read":
        read(fuzzer, data)
    elif family == "group-id":
        group_id(fuzzer, data)
    else:
        oauth(fuzzer, data)


def test_no_request_across_the_api_earns_a_5xx_a_foreign_error_body_or_a_stored_refusal(
        mock_orcid, fuzzer):
    with HealthWatch(mock_orcid.url, every=0.1) as health:
        _fuzz(fuzzer)
    counts = dict(fuzzer.requests)
    print("\nfuzz: %d requests %s; /__admin/health polled %d times, slowest %.3f s; "
          "requests over 0.3 s: %d, slowest %s" % (
              sum(counts.values()), counts, health.polls, health.slowest, len(fuzzer.slow),
              max(fuzzer.slow, key=lambda s: s[1], default=None)))
    assert sum(counts.values()) >= EXAMPLES
    for family in ("write", "update", "read", "group-id", "oauth"):
        assert counts.get(family, 0) >= EXAMPLES // 40, counts
    assert health.polls > 10 and health.slowest < 1.0, (health.slowest,
                                                        fuzzer.slow_near(health.slowest_at))
