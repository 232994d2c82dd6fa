"""Webhook registrations (facts §9): a premium client asks to be called back when a record
changes. Registry state, like ORCID's ``webhook`` table, so a reset clears them and the change
stream (persistence, the dispatcher) sees every write.

One registration per (iD, callback URI as sent), owned by the client that first registered
it. Its delivery state (last sent, failures, last failed) lives here too: it decides when the
next call is due and must survive whatever persists the registry. Registrations are frozen;
a change stores a new one, so the dispatcher's snapshot never moves under it.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from . import events
from .callback_uri import uri_error
from .errors import OrcidError


@dataclass(frozen=True)
class Webhook:
    orcid: str
    uri: str                          # as registered (decoded from the path), never rewritten
    client_id: str
    created: datetime
    last_sent: datetime | None = None
    last_failed: datetime | None = None
    failures: int = 0                 # consecutive failed attempts; any 2xx resets it

    @property
    def key(self) -> tuple[str, str]:
        return self.orcid, self.uri


class Webhooks:
    """Lives on the Registry and shares its lock and clock."""

    def __init__(self, registry):
        self.registry = registry
        self._hooks: dict[tuple[str, str], Webhook] = {}

    # ------------------------------------------------------------------ reads
    def all(self) -> list[Webhook]:
        with self.registry.lock:
            return sorted(self._hooks.values(), key=lambda h: h.created)

    def get(self, orcid: str, uri: str) -> Webhook | None:
        return self._hooks.get((orcid, uri))

    # ------------------------------------------------------------------ the API's writes
    def register(self, orcid: str, uri: str, client_id: str) -> tuple[Webhook, bool]:
        """ORCID's order: the URI parses (400 9012), the iD exists (404 9011). Registering
        again answers the existing webhook (its owner unchanged), ``created`` False."""
        problem = uri_error(uri)
        if problem:
            raise OrcidError(9012, "The webhook URI is not valid: %s" % problem)
        with self.registry.lock:
            self._require_record(orcid)
            existing = self._hooks.get((orcid, uri))
            if existing is not None:
                return existing, False
            hook = Webhook(orcid, uri, client_id, self.registry.now())
            self._hooks[hook.key] = hook
            self.registry.publish(events.WEBHOOK, events.CREATE, orcid=orcid, subject=hook)
            return hook, True

    def unregister(self, orcid: str, uri: str, client_id: str) -> Webhook:
        with self.registry.lock:
            self._require_record(orcid)
            hook = self._hooks.get((orcid, uri))
            if hook is None:
                raise OrcidError(9028, "No webhook %s is registered on record %s" % (uri, orcid),
                                 status=404)
            if hook.client_id != client_id:
                raise OrcidError(9014, "The webhook %s on record %s was registered by another "
                                 "client, so you cannot unregister it" % (uri, orcid))
            del self._hooks[hook.key]
            self.registry.publish(events.WEBHOOK, events.DELETE, orcid=orcid, subject=hook)
            return hook

    def _require_record(self, orcid: str) -> None:
        # Any record that exists, whatever its state (ORCID's orcidExists).
        if orcid not in self.registry.records:
            raise OrcidError(9011, "ORCID iD %s not found" % orcid, status=404)

    # ------------------------------------------------------------------ the dispatcher's writes
    def mark_sent(self, hook: Webhook, when: datetime) -> Webhook | None:
        """A 2xx: sent at ``when``, failures back to 0."""
        return self._replace(hook, last_sent=when, failures=0)

    def mark_failed(self, hook: Webhook, when: datetime) -> Webhook | None:
        """Any other answer or a network error: one more failure, retried after back-off."""
        with self.registry.lock:
            current = self._current(hook)
            if current is None:
                return None
            return self._replace(current, last_failed=when, failures=current.failures + 1)

    def _current(self, hook: Webhook) -> Webhook | None:
        # The registration the call was made for: not one deleted meanwhile, nor a newer one
        # registered again under the same key (after an unregister or a reset).
        current = self._hooks.get(hook.key)
        return current if current is not None and current.created == hook.created else None

    def _replace(self, hook: Webhook, **changes) -> Webhook | None:
        with self.registry.lock:
            current = self._current(hook)
            if current is None:
                return None
            updated = dataclasses.replace(current, **changes)
            self._hooks[updated.key] = updated
            self.registry.publish(events.WEBHOOK, events.UPDATE, orcid=updated.orcid,
                                  subject=updated, fields=tuple(sorted(changes)))
            return updated
