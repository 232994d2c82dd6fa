"""The webhook dispatcher: ORCID's scheduler, every ``interval`` seconds in a background thread.

It listens to the registry's change stream: a change that moves a record's last-modified date
remembers when that record last changed; a reset forgets everything and empties the delivery
log (registrations themselves are registry state, cleared by the reset). Each pass calls every
registration that is due (see ``schedule``) once, in the order its record changed, one at a
time: several changes inside one interval give one call. A 2xx marks it sent; anything else
counts a failure; a 429 also skips that client for the rest of the pass.

HTTP calls run only on the dispatcher's thread, never on a request thread: ``dispatch_now``
(the test-control endpoint) asks the thread for a pass and waits for what it delivered.
"""
from __future__ import annotations

import collections
import concurrent.futures
import logging
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime

from ...registry import events
from ...registry.webhooks import Webhook
from . import schedule
from .delivery import TIMEOUT, Poster

log = logging.getLogger(__name__)

LOG_SIZE = 1000            # deliveries kept for GET /__admin/webhooks, newest last
BATCH = 5000               # calls per pass at most (ORCID's batch size)
DISPATCH_WAIT = 120.0      # how long dispatch_now waits for its pass


@dataclass(frozen=True)
class Delivery:
    time: str                  # when the call started (registry clock, ISO 8601)
    orcid: str
    callback: str              # the URI as registered
    url: str                   # what was called
    client_id: str
    status: int | None
    error: str | None
    duration_ms: float
    outcome: str               # sent | failed | throttled
    failures: int              # the registration's count after this call


@dataclass
class PassResult:
    delivered: list[Delivery] = field(default_factory=list)
    # registrations that were due but not called: their client answered 429 earlier this pass
    skipped: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"delivered": [asdict(d) for d in self.delivered], "skipped": list(self.skipped)}


class WebhookDispatcher:
    def __init__(self, registry, interval: float = 1.0, timeout: float = TIMEOUT,
                 log_size: int = LOG_SIZE, clock=None):
        if not 0 < interval < float("inf"):
            raise ValueError("the webhook interval must be a positive number of seconds")
        self.registry = registry
        self.interval = float(interval)
        self.clock = clock or registry.now
        self.poster = Poster(timeout)
        self._state = threading.Lock()          # guards the fields below
        self._changed: dict[str, datetime] = {}  # iD -> time of its last record change
        self._log: collections.deque[Delivery] = collections.deque(maxlen=log_size)
        self._generation = 0                     # moves on every reset
        self._pass = threading.Lock()            # one pass at a time
        self._wake = threading.Condition()
        self._waiting: list[concurrent.futures.Future] = []
        self._stopping = False
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ the change stream
    def __call__(self, batch: list[events.Change]) -> None:
        with self._state:
            for change in batch:
                if change.what == events.RESET:
                    self._changed.clear()
                    self._log.clear()
                    self._generation += 1
                elif change.modifies_record:
                    last = self._changed.get(change.orcid)
                    if last is None or change.time > last:
                        self._changed[change.orcid] = change.time

    # ------------------------------------------------------------------ inspection
    def deliveries(self) -> list[Delivery]:
        with self._state:
            return list(self._log)

    def registrations(self) -> list[dict]:
        hooks = self.registry.webhooks.all()
        with self._state:
            changed = dict(self._changed)
        rows = []
        for hook in hooks:
            retry = schedule.retry_at(hook, self.interval)
            rows.append({
                "orcid": hook.orcid, "callback": hook.uri, "url": schedule.callback_url(hook.uri),
                "client_id": hook.client_id, "created": _iso(hook.created),
                "last_sent": _iso(hook.last_sent), "last_failed": _iso(hook.last_failed),
                "failures": hook.failures,
                "pending": schedule.is_pending(hook, changed.get(hook.orcid)),
                "retry_at": _iso(retry),
                "given_up": hook.failures >= schedule.MAX_ATTEMPTS,
            })
        return rows

    # ------------------------------------------------------------------ passes
    def run_pass(self) -> PassResult:
        """One pass of the scheduler, on the calling thread (the dispatcher's own, or a unit
        test's). Passes never overlap."""
        with self._pass:
            with self.registry.lock:
                now = self.clock()
                hooks = self.registry.webhooks.all()
                clients = set(self.registry.clients)
            with self._state:
                generation = self._generation
                changed = self._forget_unwatched({h.orcid for h in hooks}, now)
            due = [h for h in hooks if h.client_id in clients
                   and schedule.is_due(h, changed.get(h.orcid), now, self.interval)]
            due.sort(key=lambda h: (changed[h.orcid], h.created))
            result = PassResult()
            throttled: set[str] = set()
            for hook in due[:BATCH]:
                if hook.client_id in throttled:
                    result.skipped.append({"orcid": hook.orcid, "callback": hook.uri,
                                           "client_id": hook.client_id,
                                           "reason": "the client answered 429 earlier in this pass"})
                    continue
                delivery = self._deliver(hook)
                if delivery.outcome == "throttled":
                    throttled.add(hook.client_id)
                with self._state:
                    if self._generation == generation:   # no reset since the pass began
                        self._log.append(delivery)
                result.delivered.append(delivery)
            return result

    def _deliver(self, hook: Webhook) -> Delivery:
        started = self.clock()
        attempt = self.poster.post(schedule.callback_url(hook.uri))
        outcome = schedule.outcome(attempt.status)
        if outcome == "sent":
            # Sent as of the moment the call began: a change made while it ran is called again.
            updated = self.registry.webhooks.mark_sent(hook, started)
        else:
            updated = self.registry.webhooks.mark_failed(hook, self.clock())
        if updated is not None:
            failures = updated.failures
        else:                    # unregistered (or reset) while the call ran
            failures = 0 if outcome == "sent" else hook.failures + 1
        return Delivery(time=_iso(started), orcid=hook.orcid, callback=hook.uri, url=attempt.url,
                        client_id=hook.client_id, status=attempt.status, error=attempt.error,
                        duration_ms=attempt.duration_ms, outcome=outcome, failures=failures)

    def _forget_unwatched(self, watched: set[str], now: datetime) -> dict[str, datetime]:
        # A record nobody watches needs no memory of its past changes: a webhook registered
        # from now on only cares about later ones. Keeps the map as small as the watch list.
        for orcid in [o for o, t in self._changed.items() if o not in watched and t < now]:
            del self._changed[orcid]
        return dict(self._changed)

    # ------------------------------------------------------------------ the thread
    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> "WebhookDispatcher":
        if not self.running:
            self._stopping = False
            self._thread = threading.Thread(target=self._loop, name="mock-orcid-webhooks",
                                            daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        with self._wake:
            self._stopping = True
            self._wake.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=self.poster.timeout * 2 + 1)
            self._thread = None
        self._fail_waiting(RuntimeError("the webhook dispatcher has stopped"))
        self.poster.close()

    def dispatch_now(self, wait: float = DISPATCH_WAIT) -> PassResult:
        """Run one pass now and return what it delivered. The pass starts after this call,
        so every change committed before it is seen."""
        if not self.running:
            return self.run_pass()
        future: concurrent.futures.Future = concurrent.futures.Future()
        with self._wake:
            self._waiting.append(future)
            self._wake.notify_all()
        return future.result(timeout=wait)

    def _loop(self) -> None:
        next_tick = time.monotonic() + self.interval
        while True:
            with self._wake:
                while not self._stopping and not self._waiting and time.monotonic() < next_tick:
                    self._wake.wait(max(0.0, next_tick - time.monotonic()))
                if self._stopping:
                    return
                waiting, self._waiting = self._waiting, []
            try:
                result = self.run_pass()
            except Exception as exc:     # a broken pass must not end the thread
                log.exception("webhook dispatch pass failed")
                for future in waiting:
                    future.set_exception(exc)
            else:
                for future in waiting:
                    future.set_result(result)
            # A fixed rhythm, as ORCID's cron: passes asked for in between do not shift it.
            now = time.monotonic()
            if next_tick <= now:
                next_tick += ((now - next_tick) // self.interval + 1) * self.interval

    def _fail_waiting(self, exc: Exception) -> None:
        with self._wake:
            waiting, self._waiting = self._waiting, []
        for future in waiting:
            if not future.done():
                future.set_exception(exc)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
