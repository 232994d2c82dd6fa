"""Webhooks over HTTP (facts §2.7, §9): registration codes, and real calls to a local sink.

Most tests run on their own server whose dispatch interval is an hour, so its thread never
fires on its own during a test: each pass is asked for with POST /__admin/webhooks/dispatch,
and nothing sleeps. Only the test of the schedule itself (a change is called back within two
intervals) waits, on the plugin's server at its default interval.
"""
from __future__ import annotations

import time
from urllib.parse import quote

import pytest
import requests
from http_helpers import JSON, XML, auth, json_error, work_xml, xml_error
from webhook_sink import Sink

from mock_orcid.pytest_plugin import MockOrcid
from mock_orcid.server import RunningServer
from mock_orcid.settings import Settings

HOUR = 3600.0


@pytest.fixture(scope="module")
def mock():
    """A mock whose dispatcher thread runs but never reaches its next tick in a test."""
    server = RunningServer(Settings(host="127.0.0.1", port=0, webhook_interval=HOUR)).start()
    yield MockOrcid(server)
    server.stop()


@pytest.fixture
def sink():
    sink = Sink()
    yield sink
    sink.close()


class World:
    """A researcher, a premium client with a /webhook token, a member client that writes."""

    def __init__(self, mock: MockOrcid):
        mock.reset()
        self.mock = mock
        self.url = mock.url
        self.user = mock.create_user()
        self.orcid = self.user["orcid"]
        self.premium = mock.create_client(name="Premium CRIS", type="premium")
        self.token = mock.token(self.premium, None, "/webhook")["access_token"]
        self.writer = mock.create_client(name="Writer", type="member")
        self.writer_token = mock.token(self.writer, self.user)["access_token"]

    def hook_url(self, callback: str, orcid: str | None = None) -> str:
        return "%s/%s/webhook/%s" % (self.url, orcid or self.orcid, quote(callback, safe=""))

    def register(self, callback: str, token: str | None = None, orcid: str | None = None,
                 **headers):
        return requests.put(self.hook_url(callback, orcid),
                            headers=auth(token or self.token, **headers))

    def unregister(self, callback: str, token: str | None = None, orcid: str | None = None,
                   **headers):
        return requests.delete(self.hook_url(callback, orcid),
                               headers=auth(token or self.token, **headers))

    def add_work(self, n: int = 1, orcid: str | None = None, token: str | None = None) -> str:
        r = requests.post("%s/v3.0/%s/work" % (self.url, orcid or self.orcid),
                          data=work_xml(title="Work %d" % n, doi="10.5555/hook.%d" % n),
                          headers=auth(token or self.writer_token, **{"Content-Type": XML}))
        assert r.status_code == 201, r.text
        return r.headers["Location"]

    def premium_token(self, scopes: str, client: dict | None = None) -> str:
        return self.mock.token(client or self.premium, None, scopes)["access_token"]


@pytest.fixture
def world(mock):
    return World(mock)


# ------------------------------------------------------------------ registration
def test_registering_answers_201_with_the_request_url_then_204_when_already_there(world, sink):
    r = world.register(sink.url("/orcid/updated"))
    assert r.status_code == 201, r.text
    assert r.headers["Location"] == world.hook_url(sink.url("/orcid/updated"))
    assert "%2F%2F127.0.0.1" in r.headers["Location"]          # the callback stays encoded
    assert r.content == b""
    again = world.register(sink.url("/orcid/updated"))
    assert again.status_code == 204 and again.content == b""
    [row] = world.mock.webhooks()["registrations"]
    assert row["orcid"] == world.orcid
    assert row["callback"] == sink.url("/orcid/updated")
    assert row["client_id"] == world.premium["client_id"]
    assert row["created"] and row["last_sent"] is None and row["failures"] == 0


def test_the_same_callback_on_another_record_is_another_registration(world, sink):
    other = world.mock.create_user()["orcid"]
    assert world.register(sink.url()).status_code == 201
    assert world.register(sink.url(), orcid=other).status_code == 201
    assert {r["orcid"] for r in world.mock.webhooks()["registrations"]} == {world.orcid, other}


def test_registering_on_an_unknown_id_is_404_9011(world, sink):
    unknown = "0000-0001-5000-0007"
    xml_error(world.register(sink.url(), orcid=unknown), 404, 9011)
    json_error(requests.put(world.hook_url(sink.url(), unknown), headers=auth(world.token, Accept=JSON)),
               404, 9011)
    assert world.mock.webhooks()["registrations"] == []


@pytest.mark.parametrize("callback", ["not a uri", "http://example.org/{id}", "127.0.0.1:8080/cb",
                                      "http://example.org/a%zz", ":no-scheme"])
def test_a_callback_that_is_not_a_uri_is_400_9012(world, callback):
    body = xml_error(world.register(callback), 400, 9012)
    assert callback in body["developer-message"]
    assert world.mock.webhooks()["registrations"] == []


def test_callbacks_java_accepts_are_registered_as_sent(world, sink):
    for callback in ("localhost:%d/cb?x=1" % sink.port, "https://example.org/orcid/0000-0002-1825-0097",
                     "example.org/hook#frag", "http://example.org/café"):
        assert world.register(callback).status_code == 201, callback
    stored = [r["callback"] for r in world.mock.webhooks()["registrations"]]
    assert "localhost:%d/cb?x=1" % sink.port in stored and "http://example.org/café" in stored


def test_an_unencoded_callback_is_not_a_webhook_path_404(world, sink):
    r = requests.put("%s/%s/webhook/%s" % (world.url, world.orcid, sink.url("/cb")),
                     headers=auth(world.token))
    assert r.status_code == 404
    assert world.mock.webhooks()["registrations"] == []


def test_webhook_paths_are_unversioned_as_in_orcid(world, sink):
    r = requests.put("%s/v3.0/%s/webhook/%s" % (world.url, world.orcid, quote(sink.url(), safe="")),
                     headers=auth(world.token))
    assert r.status_code == 404
    assert world.mock.webhooks()["registrations"] == []


def test_no_token_is_403_and_an_unknown_token_401(world, sink):
    r = requests.put(world.hook_url(sink.url()))
    assert r.status_code == 403 and r.json()["error"] == "forbidden"
    r = requests.put(world.hook_url(sink.url()), headers=auth("not-a-token"))
    assert r.status_code == 401 and r.json()["error"] == "invalid_token"
    assert world.mock.webhooks()["registrations"] == []


def test_a_token_without_the_webhook_scope_is_403(world, sink):
    read_public = world.premium_token("/read-public")
    xml_error(world.register(sink.url(), token=read_public), 403, 9038)
    xml_error(world.register(sink.url(), token=world.writer_token), 403, 9038)   # a user's token
    json_error(requests.delete(world.hook_url(sink.url()), headers=auth(read_public, Accept=JSON)),
               403, 9038)
    assert world.mock.webhooks()["registrations"] == []


def test_a_basic_member_client_cannot_obtain_the_webhook_scope(world):
    r = requests.post(world.url + "/oauth/token", data={
        "client_id": world.writer["client_id"], "client_secret": world.writer["client_secret"],
        "grant_type": "client_credentials", "scope": "/webhook"})
    assert r.status_code in (400, 401)
    assert r.json()["error"] == "invalid_scope"


def test_a_public_clients_token_is_refused_401_9017(world, sink):
    public = world.mock.create_client(name="Public", type="public")
    token = world.mock.token(public, None, "/read-public")["access_token"]
    xml_error(world.register(sink.url(), token=token), 401, 9017)


def test_negotiation_406_and_415_as_for_every_member_call(world, sink):
    r = world.register(sink.url(), Accept="text/html")
    assert r.status_code == 406
    r = requests.put(world.hook_url(sink.url()), data="x",
                     headers=auth(world.token, **{"Content-Type": "text/plain"}))
    assert r.status_code == 415
    r = requests.put(world.hook_url(sink.url()), headers=auth(world.token, Accept=JSON,
                                                              **{"Content-Type": JSON}))
    assert r.status_code == 201
    assert world.mock.webhooks()["registrations"][0]["callback"] == sink.url()


def test_unregistering_answers_204_then_404_9028(world, sink):
    world.register(sink.url())
    r = world.unregister(sink.url())
    assert r.status_code == 204 and r.content == b""
    xml_error(world.unregister(sink.url()), 404, 9028)
    xml_error(world.unregister(sink.url(), orcid="0000-0001-5000-0007"), 404, 9011)
    assert world.mock.webhooks()["registrations"] == []


def test_another_clients_delete_is_403_9014_and_its_put_changes_nothing(world, sink):
    world.register(sink.url())
    rival = world.mock.create_client(name="Rival", type="premium")
    rival_token = world.premium_token("/webhook", rival)
    xml_error(world.unregister(sink.url(), token=rival_token), 403, 9014)
    assert world.register(sink.url(), token=rival_token).status_code == 204   # exists: 204
    [row] = world.mock.webhooks()["registrations"]
    assert row["client_id"] == world.premium["client_id"]
    # and it still calls back
    world.add_work()
    assert [d["outcome"] for d in world.mock.dispatch_webhooks()["delivered"]] == ["sent"]
    assert sink.paths() == ["/cb"]


# ------------------------------------------------------------------ calls
def test_a_work_added_is_one_post_with_an_empty_body_to_the_callback(world, sink):
    world.register(sink.url("/orcid/updated?who=%s" % world.orcid))
    assert world.mock.dispatch_webhooks()["delivered"] == []   # registering alone calls nothing
    world.add_work()
    result = world.mock.dispatch_webhooks()
    [delivery] = result["delivered"]
    assert delivery["status"] == 204 and delivery["outcome"] == "sent" and delivery["error"] is None
    assert delivery["orcid"] == world.orcid and delivery["duration_ms"] >= 0
    [call] = sink.calls
    assert call.method == "POST" and call.path == "/orcid/updated?who=%s" % world.orcid
    assert call.body == b"" and call.headers.get("Content-Length") == "0"
    assert world.mock.dispatch_webhooks()["delivered"] == []   # nothing new: no second call
    [row] = world.mock.webhooks()["registrations"]
    assert row["last_sent"] == delivery["time"] and row["failures"] == 0 and not row["pending"]


def test_three_changes_in_one_interval_give_one_post(world, sink):
    world.register(sink.url())
    location = world.add_work(1)
    world.add_work(2)
    r = requests.delete(location, headers=auth(world.writer_token))
    assert r.status_code == 204
    assert len(world.mock.dispatch_webhooks()["delivered"]) == 1
    assert sink.paths() == ["/cb"]


def _keyword(world):
    body = ('<keyword:keyword xmlns:keyword="http://www.orcid.org/ns/keyword" '
            'xmlns:common="http://www.orcid.org/ns/common"><keyword:content>Pots</keyword:content>'
            '</keyword:keyword>')
    token = world.mock.token(world.writer, world.user, "/person/update")["access_token"]
    r = requests.post("%s/v3.0/%s/keywords" % (world.url, world.orcid), data=body,
                      headers=auth(token, **{"Content-Type": XML}))
    assert r.status_code == 201, r.text


def _patch(world, path="", **fields):
    r = requests.patch("%s/__admin/users/%s%s" % (world.url, world.orcid, path), json=fields)
    assert r.status_code == 200, r.text


CHANGES = {
    "an activity": lambda w: w.add_work(),
    "a person section": _keyword,
    "the names": lambda w: _patch(w, given_names="Renamed"),
    "the biography": lambda w: _patch(w, biography="New words"),
    "a default visibility": lambda w: _patch(w, default_visibility="private"),
    "an item's visibility": lambda w: _patch(
        w, "/work/%s" % w.put_code, visibility="private"),
    "an e-mail": lambda w: requests.post("%s/__admin/users/%s/emails" % (w.url, w.orcid),
                                         json={"email": "second@example.org"}),
    "the record state": lambda w: _patch(w, state="locked"),
}


@pytest.mark.parametrize("what", list(CHANGES))
def test_every_change_to_the_record_calls_back(world, sink, what):
    world.put_code = int(world.add_work(99).rsplit("/", 1)[1])   # before registering: no call
    world.register(sink.url())
    CHANGES[what](world)
    assert [d["outcome"] for d in world.mock.dispatch_webhooks()["delivered"]] == ["sent"], what
    assert sink.paths() == ["/cb"]


def test_changes_elsewhere_call_nothing(world, sink):
    world.register(sink.url())
    other = world.mock.create_user()
    world.add_work(orcid=other["orcid"], token=world.mock.token(world.writer, other)["access_token"])
    world.premium_token("/read-public")                       # registry bookkeeping only
    requests.put(world.hook_url(sink.url("/second")), headers=auth(world.token))
    assert world.mock.dispatch_webhooks()["delivered"] == []
    assert sink.calls == []


def test_every_callback_on_the_record_is_called_once(world, sink):
    world.register(sink.url("/a"))
    world.register(sink.url("/b"))
    world.add_work()
    assert len(world.mock.dispatch_webhooks()["delivered"]) == 2
    assert sorted(sink.paths()) == ["/a", "/b"]


def test_a_callback_without_a_scheme_is_called_with_http_in_front(world, sink):
    world.register("localhost:%d/plain?x=1" % sink.port)
    world.add_work()
    [delivery] = world.mock.dispatch_webhooks()["delivered"]
    assert delivery["callback"] == "localhost:%d/plain?x=1" % sink.port
    assert delivery["url"] == "http://localhost:%d/plain?x=1" % sink.port
    assert delivery["outcome"] == "sent"
    assert sink.paths() == ["/plain?x=1"]


def test_a_failing_sink_is_retried_with_back_off_and_counted(world, sink):
    sink.statuses["/broken"] = 500
    world.register(sink.url("/broken"))
    world.add_work()
    [first] = world.mock.dispatch_webhooks()["delivered"]
    assert first["status"] == 500 and first["outcome"] == "failed" and first["failures"] == 1
    # Back-off: not before last_failed + failures × interval (an hour on this server).
    assert world.mock.dispatch_webhooks()["delivered"] == []
    assert sink.paths() == ["/broken"]
    [row] = world.mock.webhooks()["registrations"]
    assert row["failures"] == 1 and row["pending"] and row["last_sent"] is None
    from datetime import datetime, timedelta
    assert datetime.fromisoformat(row["retry_at"]) - datetime.fromisoformat(row["last_failed"]) \
        == timedelta(seconds=HOUR)
    [logged] = world.mock.webhooks()["deliveries"]
    assert logged["status"] == 500 and logged["error"] is None and logged["failures"] == 1


def test_a_sink_that_is_gone_counts_a_failure_with_the_error(world):
    gone = Sink()
    url = gone.url("/gone")
    gone.close()
    world.register(url)
    world.add_work()
    [delivery] = world.mock.dispatch_webhooks()["delivered"]
    assert delivery["status"] is None and delivery["outcome"] == "failed"
    assert "connection failed" in delivery["error"] and delivery["failures"] == 1


def test_a_429_skips_that_client_for_the_rest_of_the_pass(world, sink):
    sink.statuses["/busy"] = 429
    rival = world.mock.create_client(name="Rival", type="premium")
    rival_token = world.premium_token("/webhook", rival)
    world.register(sink.url("/busy"))              # first in the pass: answers 429
    world.register(sink.url("/later"))             # same client: skipped in this pass
    world.register(sink.url("/rival"), token=rival_token)   # another client: still called
    world.add_work()
    result = world.mock.dispatch_webhooks()
    assert [(d["callback"], d["outcome"], d["failures"]) for d in result["delivered"]] == [
        (sink.url("/busy"), "throttled", 1), (sink.url("/rival"), "sent", 0)]
    assert [s["callback"] for s in result["skipped"]] == [sink.url("/later")]
    assert sink.paths() == ["/busy", "/rival"]
    # Only for that pass: the next one calls the skipped callback (the 429 one waits its back-off).
    result = world.mock.dispatch_webhooks()
    assert [d["callback"] for d in result["delivered"]] == [sink.url("/later")]
    assert result["skipped"] == []
    assert sink.paths() == ["/busy", "/rival", "/later"]


def test_after_delete_no_more_calls(world, sink):
    world.register(sink.url())
    world.add_work(1)
    assert len(world.mock.dispatch_webhooks()["delivered"]) == 1
    assert world.unregister(sink.url()).status_code == 204
    world.add_work(2)
    assert world.mock.dispatch_webhooks()["delivered"] == []
    assert sink.paths() == ["/cb"]


def test_reset_clears_registrations_and_the_delivery_log(world, sink):
    world.register(sink.url())
    world.add_work()
    world.mock.dispatch_webhooks()
    listing = world.mock.webhooks()
    assert len(listing["registrations"]) == 1 and len(listing["deliveries"]) == 1
    world.mock.reset()
    listing = world.mock.webhooks()
    assert listing["registrations"] == [] and listing["deliveries"] == []
    assert world.mock.dispatch_webhooks() == {"delivered": [], "skipped": []}


def test_the_delivery_log_says_when_where_what_and_how_long(world, sink):
    sink.statuses["/fails"] = 503
    world.register(sink.url("/ok"))
    world.register(sink.url("/fails"))
    world.add_work()
    world.mock.dispatch_webhooks()
    deliveries = world.mock.webhooks()["deliveries"]
    assert sorted((d["callback"], d["status"]) for d in deliveries) == [
        (sink.url("/fails"), 503), (sink.url("/ok"), 204)]
    for d in deliveries:
        assert {"time", "callback", "status", "error", "duration_ms", "orcid", "client_id"} <= set(d)


# ------------------------------------------------------------------ the schedule, in real time
def test_on_the_wire_retries_wait_failures_times_the_interval():
    """The back-off as a sink sees it, on a server with a fifth-of-a-second interval: the
    second call comes at least one interval after the first, the third two after the second."""
    interval = 0.2
    server = RunningServer(Settings(host="127.0.0.1", port=0, webhook_interval=interval)).start()
    sink = Sink()
    try:
        world = World(MockOrcid(server))
        sink.statuses["/flaky"] = 500
        world.register(sink.url("/flaky"))
        world.add_work()
        assert sink.wait_for(3, timeout=30 * interval)
        sink.statuses["/flaky"] = 204
        first, second, third = sink.calls[:3]
        assert second.at - first.at > 1 * interval
        assert third.at - second.at > 2 * interval
        assert sink.wait_for(4, timeout=30 * interval)     # answered 2xx: counted as sent
        deadline = time.monotonic() + 30 * interval
        while world.mock.webhooks()["registrations"][0]["failures"] and time.monotonic() < deadline:
            time.sleep(interval / 4)
        [row] = world.mock.webhooks()["registrations"]
        assert row["failures"] == 0 and row["last_sent"] is not None
        assert [d["status"] for d in world.mock.webhooks()["deliveries"]][:4] == [500, 500, 500, 204]
    finally:
        sink.close()
        server.stop()


def test_a_change_is_called_back_within_two_intervals_on_its_own(mock_orcid, sink):
    """The dispatcher's own thread, at the plugin server's default interval: no dispatch call."""
    world = World(mock_orcid)
    interval = mock_orcid.webhooks()["interval"]
    world.register(sink.url("/auto"))
    world.add_work()
    written = time.monotonic()
    assert sink.wait_for(1, timeout=2 * interval), "no call within 2 × %s s" % interval
    [call] = sink.calls
    assert call.method == "POST" and call.path == "/auto"
    assert call.at - written <= 2 * interval
    # Exactly one: a pass asked for now (after the one that called) finds nothing due.
    assert mock_orcid.dispatch_webhooks()["delivered"] == []
    assert len(sink.calls) == 1
    mock_orcid.reset()
