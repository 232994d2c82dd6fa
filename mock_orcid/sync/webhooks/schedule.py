"""ORCID's webhook schedule (facts §9; WebhookDaoImpl's query, WebhookManagerImpl) as pure
functions of a registration, the record's last change and the clock.

A registration is due when
- its record changed after it was last sent (never sent: after it was registered),
- it has failed fewer than ``MAX_ATTEMPTS`` times in a row, and
- after failures, ``last_failed + failures × interval`` has passed (linear back-off; ORCID's
  interval is ten minutes, ours is the dispatcher's).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from ...registry.webhooks import Webhook

MAX_ATTEMPTS = 25


def is_due(hook: Webhook, changed_at: datetime | None, now: datetime, interval: float) -> bool:
    return is_pending(hook, changed_at) and hook.failures < MAX_ATTEMPTS \
        and (hook.failures == 0 or retry_at(hook, interval) < now)


def is_pending(hook: Webhook, changed_at: datetime | None) -> bool:
    """The record changed since the callback last heard of it."""
    return changed_at is not None and changed_at > (hook.last_sent or hook.created)


def retry_at(hook: Webhook, interval: float) -> datetime | None:
    """When a failing registration may be tried again; None when it is not failing or has
    used up its attempts."""
    if hook.failures == 0 or hook.failures >= MAX_ATTEMPTS or hook.last_failed is None:
        return None
    return hook.last_failed + timedelta(seconds=hook.failures * interval)


def callback_url(uri: str) -> str:
    """The URI as stored, with ``http://`` in front unless it already starts with "http"
    (ORCID's test, case-insensitive: ``https://`` is kept, ``localhost:8080/cb`` is prefixed)."""
    return uri if uri.lower().startswith("http") else "http://" + uri


def outcome(status: int | None) -> str:
    """sent (any 2xx), throttled (429: skip the client for the rest of the pass), failed."""
    if status is not None and 200 <= status < 300:
        return "sent"
    return "throttled" if status == 429 else "failed"
