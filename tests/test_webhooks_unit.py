"""Webhook rules without the web layer: which callbacks are URIs, the schedule (back-off, 25
attempts), registrations as registry state, and the dispatcher against a real local sink with
a clock the test moves (so back-off is shown without waiting for it)."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
from webhook_sink import Sink

from mock_orcid import cli
from mock_orcid.registry import events
from mock_orcid.registry.callback_uri import uri_error
from mock_orcid.registry.errors import OrcidError
from mock_orcid.registry.store import Registry
from mock_orcid.registry.webhooks import Webhook
from mock_orcid.server import RunningServer
from mock_orcid.settings import Settings, positive_seconds
from mock_orcid.sync.webhooks import schedule
from mock_orcid.sync.webhooks.dispatcher import WebhookDispatcher

ORCID = "0000-0002-1825-0097"
T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)


# ------------------------------------------------------------------ which callbacks are URIs
@pytest.mark.parametrize("callback", [
    "http://localhost:8080/cb", "https://nowhere2.com/0000-0002-7465-2162/updated",
    "localhost:8080/cb",              # scheme "localhost": Java accepts it
    "nowhere.com/x", "//host/p", "http://[::1]:80/x", "http://x/a%20b", "http://x/p?q=[1]#f",
    "http://x/ü", "mailto:a@b", "http://h_o.st:abc/", "http:///x",
])
def test_java_accepts_these_callbacks(callback):
    assert uri_error(callback) is None


@pytest.mark.parametrize("callback, reason", [
    ("not a uri", "Illegal character in path at index 3"),
    ("127.0.0.1:8080/cb", "Illegal character in scheme name at index 0"),
    (":x", "Expected scheme name at index 0"),
    ("http:", "Expected scheme-specific part"),
    ("http://", "Expected authority"),
    ("http://x/{a}", "Illegal character in path"),
    ("http://x/a[1]", "Illegal character in path"),
    ("http://x/a%2", "Malformed escape pair"),
    ("http://x/a%zz", "Malformed escape pair"),
    ("http://x/p#a#b", "Illegal character in fragment"),
    ("http://[zz]/", "Malformed IPv6 address"),
    ("http://x/a\tb", "Illegal character in path"),
])
def test_java_refuses_these_callbacks(callback, reason):
    assert uri_error(callback).startswith(reason)


def test_the_uri_check_is_linear():
    assert uri_error("http://x/" + "a" * 200_000) is None
    assert uri_error("http://x/" + "%" * 200_000).startswith("Malformed escape pair")


# ------------------------------------------------------------------ the schedule
def hook(**fields) -> Webhook:
    return Webhook(**{"orcid": ORCID, "uri": "http://x/cb", "client_id": "APP-1",
                      "created": T0, **fields})


def test_due_only_after_a_change_since_it_was_last_sent():
    s = timedelta(seconds=1)
    assert not schedule.is_due(hook(), None, T0 + 9 * s, 1)
    assert not schedule.is_due(hook(), T0 - s, T0 + 9 * s, 1)        # before registering
    assert schedule.is_due(hook(), T0 + s, T0 + 9 * s, 1)
    sent = hook(last_sent=T0 + 5 * s)
    assert not schedule.is_due(sent, T0 + 4 * s, T0 + 9 * s, 1)
    assert schedule.is_due(sent, T0 + 6 * s, T0 + 9 * s, 1)


def test_back_off_is_failures_times_the_interval():
    s = timedelta(seconds=1)
    failing = hook(failures=3, last_failed=T0 + 10 * s)
    assert schedule.retry_at(failing, 2) == T0 + 16 * s
    assert not schedule.is_due(failing, T0 + 11 * s, T0 + 16 * s, 2)
    assert schedule.is_due(failing, T0 + 11 * s, T0 + 16 * s + timedelta(milliseconds=1), 2)


def test_at_most_25_attempts():
    s = timedelta(seconds=1)
    assert schedule.is_due(hook(failures=24, last_failed=T0), T0 + s, T0 + 999 * s, 1)
    spent = hook(failures=25, last_failed=T0)
    assert not schedule.is_due(spent, T0 + s, T0 + 10**6 * s, 1)
    assert schedule.retry_at(spent, 1) is None


@pytest.mark.parametrize("uri, url", [
    ("http://x/cb", "http://x/cb"), ("HTTPS://x/cb", "HTTPS://x/cb"),
    ("localhost:8080/cb", "http://localhost:8080/cb"), ("nowhere.com/x", "http://nowhere.com/x"),
])
def test_the_url_called_is_the_uri_with_http_in_front_when_it_lacks_it(uri, url):
    assert schedule.callback_url(uri) == url


@pytest.mark.parametrize("status, outcome", [
    (200, "sent"), (202, "sent"), (204, "sent"), (299, "sent"), (301, "failed"), (404, "failed"),
    (429, "throttled"), (500, "failed"), (None, "failed")])
def test_any_2xx_is_sent_429_throttled_the_rest_failed(status, outcome):
    assert schedule.outcome(status) == outcome


# ------------------------------------------------------------------ registrations in the registry
@pytest.fixture
def registry():
    reg = Registry()
    reg.create_user(orcid=ORCID, given_names="Josiah")
    reg.create_client(client_id="APP-1", type="premium")
    reg.create_client(client_id="APP-2", type="premium")
    return reg


def test_registrations_publish_webhook_changes_that_do_not_touch_the_record(registry):
    heard = []
    registry.subscribe(heard.extend)
    hook, created = registry.webhooks.register(ORCID, "http://x/cb", "APP-1")
    assert created and registry.webhooks.register(ORCID, "http://x/cb", "APP-2") == (hook, False)
    registry.webhooks.unregister(ORCID, "http://x/cb", "APP-1")
    assert [(c.what, c.action, c.orcid) for c in heard] == [
        (events.WEBHOOK, events.CREATE, ORCID), (events.WEBHOOK, events.DELETE, ORCID)]
    assert not any(c.modifies_record for c in heard)


def test_refused_registrations_change_nothing(registry):
    for args, code in (((ORCID, "not a uri", "APP-1"), 9012),
                       (("0000-0001-5000-0007", "http://x/cb", "APP-1"), 9011)):
        with pytest.raises(OrcidError) as err:
            registry.webhooks.register(*args)
        assert err.value.code == code
    registry.webhooks.register(ORCID, "http://x/cb", "APP-1")
    for args, code in (((ORCID, "http://x/other", "APP-1"), 9028),
                       ((ORCID, "http://x/cb", "APP-2"), 9014)):
        with pytest.raises(OrcidError) as err:
            registry.webhooks.unregister(*args)
        assert err.value.code == code
    assert [h.client_id for h in registry.webhooks.all()] == ["APP-1"]


def test_a_result_for_a_registration_since_removed_is_dropped(registry):
    old, _ = registry.webhooks.register(ORCID, "http://x/cb", "APP-1")
    registry.webhooks.unregister(ORCID, "http://x/cb", "APP-1")
    assert registry.webhooks.mark_failed(old, registry.now()) is None
    new, _ = registry.webhooks.register(ORCID, "http://x/cb", "APP-1")
    assert registry.webhooks.mark_sent(old, registry.now()) is None     # not the same one
    assert registry.webhooks.get(ORCID, "http://x/cb") == new


def test_a_registry_reset_forgets_registrations(registry):
    registry.webhooks.register(ORCID, "http://x/cb", "APP-1")
    registry.clear()
    assert registry.webhooks.all() == []


# ------------------------------------------------------------------ the dispatcher
class Clock:
    """The registry's clock, moved forward by the test."""

    def __init__(self, registry):
        self.registry = registry
        self.ahead = timedelta(0)

    def __call__(self):
        return self.registry.now() + self.ahead

    def move(self, seconds: float):
        self.ahead += timedelta(seconds=seconds)


@pytest.fixture
def sink():
    sink = Sink()
    yield sink
    sink.close()


@pytest.fixture
def dispatcher(registry):
    clock = Clock(registry)
    dispatcher = WebhookDispatcher(registry, interval=10, timeout=0.5, clock=clock)
    registry.subscribe(dispatcher)
    yield dispatcher
    dispatcher.stop()


def touch(registry, text="changed"):
    registry.update_record(ORCID, biography=text)


def test_a_failing_callback_is_retried_after_1_then_2_intervals_and_a_2xx_resets(registry, dispatcher, sink):
    sink.statuses["/cb"] = 500
    registry.webhooks.register(ORCID, sink.url(), "APP-1")
    touch(registry)
    assert [d.failures for d in dispatcher.run_pass().delivered] == [1]
    dispatcher.clock.move(9)
    assert dispatcher.run_pass().delivered == []                      # 9 s < 1 × 10 s
    dispatcher.clock.move(1.01)
    assert [d.failures for d in dispatcher.run_pass().delivered] == [2]
    dispatcher.clock.move(19)
    assert dispatcher.run_pass().delivered == []                      # 19 s < 2 × 10 s
    sink.statuses["/cb"] = 200
    dispatcher.clock.move(1.01)
    [sent] = dispatcher.run_pass().delivered
    assert (sent.outcome, sent.status, sent.failures) == ("sent", 200, 0)
    assert registry.webhooks.all()[0].failures == 0
    assert len(sink.calls) == 3


def test_after_25_failed_attempts_it_gives_up(registry, dispatcher, sink):
    sink.statuses["/cb"] = 503
    registry.webhooks.register(ORCID, sink.url(), "APP-1")
    touch(registry)
    for attempt in range(1, 31):
        dispatcher.run_pass()
        dispatcher.clock.move(attempt * 10 + 1)
        touch(registry, "change %d" % attempt)
    assert len(sink.calls) == 25
    [row] = dispatcher.registrations()
    assert row["failures"] == 25 and row["given_up"] and row["retry_at"] is None


def test_a_call_that_takes_too_long_is_a_timed_out_failure(registry, dispatcher, sink):
    sink.delay = 1.5
    registry.webhooks.register(ORCID, sink.url(), "APP-1")
    touch(registry)
    [delivery] = dispatcher.run_pass().delivered
    assert delivery.status is None and delivery.error == "timed out" and delivery.failures == 1
    assert delivery.duration_ms < 1400


def test_the_delivery_log_is_bounded_newest_last(registry, sink):
    dispatcher = WebhookDispatcher(registry, interval=10, log_size=3)
    registry.subscribe(dispatcher)
    for n in range(5):
        registry.webhooks.register(ORCID, sink.url("/%d" % n), "APP-1")
    touch(registry)
    assert len(dispatcher.run_pass().delivered) == 5
    assert [d.callback for d in dispatcher.deliveries()] == [sink.url("/%d" % n) for n in (2, 3, 4)]


def test_a_reset_empties_the_log_and_forgets_changes(registry, dispatcher, sink):
    registry.webhooks.register(ORCID, sink.url(), "APP-1")
    touch(registry)
    dispatcher.run_pass()
    assert len(dispatcher.deliveries()) == 1
    registry.clear()
    assert dispatcher.deliveries() == [] and dispatcher.registrations() == []


def test_calls_run_on_the_dispatchers_thread_never_the_callers(registry, dispatcher, sink):
    threads = []
    post = dispatcher.poster.post
    dispatcher.poster.post = lambda url: threads.append(threading.current_thread().name) or post(url)
    registry.webhooks.register(ORCID, sink.url(), "APP-1")
    touch(registry)
    dispatcher.start()
    assert len(dispatcher.dispatch_now().delivered) == 1
    assert threads == ["mock-orcid-webhooks"]
    dispatcher.stop()
    assert not dispatcher.running


def test_the_dispatcher_thread_starts_and_stops_with_the_server():
    server = RunningServer(Settings(host="127.0.0.1", port=0, webhook_interval=0.05)).start()
    try:
        assert server.state.webhooks.running and server.state.webhooks.interval == 0.05
    finally:
        server.stop()
    assert not server.state.webhooks.running


# ------------------------------------------------------------------ settings
def test_the_interval_comes_from_the_environment_or_the_flag(monkeypatch):
    assert Settings().webhook_interval == 1.0
    monkeypatch.setenv("MOCK_ORCID_WEBHOOK_INTERVAL", "2.5")
    assert Settings.from_env().webhook_interval == 2.5
    assert Settings.from_env(webhook_interval=0.2).webhook_interval == 0.2


@pytest.mark.parametrize("value", ["0", "-1", "soon", "nan", "inf"])
def test_an_interval_must_be_a_positive_number_of_seconds(value, capsys):
    with pytest.raises(ValueError):
        positive_seconds(value)
    with pytest.raises(SystemExit) as exit_:
        cli.main(["serve", "--webhook-interval", value])
    assert exit_.value.code == 2
    assert "--webhook-interval" in capsys.readouterr().err
    with pytest.raises(ValueError):
        WebhookDispatcher(Registry(), interval=float(value) if value != "soon" else 0)
