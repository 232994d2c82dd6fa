"""The harness's rules without a server: the clock, the registry's time over it, the token
buckets, redaction, and who a request comes from."""
from __future__ import annotations

import base64
from datetime import datetime, timedelta, timezone

from mock_orcid.harness.identify import identify
from mock_orcid.harness.journal import Body, Entry, Filters, Journal, redact, redact_body, redact_query
from mock_orcid.harness.rate_limit import LIMITS, RateLimiter, limit_for
from mock_orcid.registry.clock import Clock
from mock_orcid.registry.store import Registry

T0 = datetime(2030, 1, 1, tzinfo=timezone.utc)


class FakeSource:
    def __init__(self):
        self.now = T0

    def __call__(self):
        return self.now


def test_the_clock_runs_with_its_offset_and_stands_still_when_frozen():
    source = FakeSource()
    clock = Clock(source)
    assert clock.now() == T0 and clock.is_real
    clock.advance(60)
    source.now += timedelta(seconds=1)
    assert clock.now() == T0 + timedelta(seconds=61) and not clock.is_real
    clock.set(T0 + timedelta(days=1), frozen=True)
    source.now += timedelta(hours=5)
    assert clock.now() == T0 + timedelta(days=1)
    clock.advance(-30)
    assert clock.now() == T0 + timedelta(days=1, seconds=-30) and clock.is_frozen
    clock.real()
    assert clock.now() == source.now and clock.is_real


def test_registry_time_is_strictly_increasing_but_follows_a_clock_set_back():
    clock = Clock(FakeSource())
    registry = Registry(clock=clock)
    clock.set(T0, frozen=True)
    first, second = registry.now(), registry.now()
    assert first == T0 and second == T0 + timedelta(milliseconds=1)
    clock.set(T0 - timedelta(days=1), frozen=True)
    assert registry.now() == T0 - timedelta(days=1)


def test_a_bucket_holds_the_burst_and_refills_at_the_rate_on_the_clock():
    clock = Clock(FakeSource())
    limiter = RateLimiter(clock, enabled=True)
    member = LIMITS["member"]
    assert all(limiter.admit(member, "APP-1") for _ in range(40))
    assert not limiter.admit(member, "APP-1")
    assert limiter.admit(member, "APP-2")           # each caller has its own bucket
    clock.advance(0.5)                               # 24/s: twelve more
    assert [limiter.admit(member, "APP-1") for _ in range(13)] == [True] * 12 + [False]
    clock.advance(-100)                              # time set back refills nothing
    assert not limiter.admit(member, "APP-1")


def test_which_limit_a_request_falls_under():
    assert limit_for("GET", "/pub/v3.0/0000-0002-1825-0097/works", "h").name == "public"
    assert limit_for("GET", "/v3.0/0000-0002-1825-0097/works", "pub.example").name == "public"
    assert limit_for("POST", "/v3.0/0000-0002-1825-0097/work", "h").name == "member"
    assert limit_for("PUT", "/0000-0002-1825-0097/webhook/x", "h").name == "member"
    assert limit_for("POST", "/oauth/token", "h").name == "token"
    assert limit_for("GET", "/oauth/authorize", "h") is None
    assert limit_for("GET", "/__admin/users", "h") is None


def test_secrets_keep_their_last_four_characters():
    assert redact("Bearer 0123456789abcdef") == "Bearer ****cdef"
    assert redact("abc") == "****"
    assert redact_query("client_id=APP-1&client_secret=s3cr3t-value") == \
        "client_id=APP-1&client_secret=%2A%2A%2A%2Aalue"
    assert redact_body('{"access_token": "tok-123456", "x": 1}', "application/json") == \
        '{"access_token": "****3456", "x": 1}'


def test_the_caller_is_known_from_token_basic_form_or_path():
    registry = Registry()
    client = registry.create_client(name="c", type="member", redirect_uris=["http://x"])
    user = registry.create_user()
    token = registry.issue_token(client.client_id, user.orcid, ["/read-limited"])
    path = "/v3.0/%s/works" % user.orcid
    assert identify(registry, path, "", {}, b"", "").orcid == user.orcid
    form = b"client_id=" + client.client_id.encode() + b"&client_secret=x"
    caller = identify(registry, "/oauth/token", "", {}, form, "application/x-www-form-urlencoded")
    assert caller.client_id == client.client_id
    basic = "Basic " + base64.b64encode(b"APP-BASIC:secret").decode()
    assert identify(registry, "/oauth/token", "", {"authorization": basic}, b"", "").client_id \
        == "APP-BASIC"
    assert identify(registry, "/x", "", {"authorization": "Basic %%%"}, b"", "").client_id is None
    bearer = {"authorization": "Bearer " + token.access_token}
    caller = identify(registry, "/v3.0/x", "", bearer, b"", "")
    assert caller.client_id == client.client_id and caller.orcid == user.orcid


def test_the_journal_is_bounded_and_limit_keeps_the_newest():
    journal = Journal(size=2)
    for n in range(3):
        journal.add(Entry(id=n, time="", method="GET", path="/p%d" % n, query="",
                          request_headers={}, request_body=Body("", 0, False), status=200,
                          response_headers={}, response_body=Body("", 0, False), duration_ms=0,
                          client_id=None, orcid=None, arrived=T0))
    assert [e.id for e in journal.entries()] == [1, 2]
    assert [e.id for e in journal.entries(Filters(limit=1))] == [2]
    assert journal.entries(Filters(limit=0)) == []
    assert journal.clear() == 2 and len(journal) == 0
