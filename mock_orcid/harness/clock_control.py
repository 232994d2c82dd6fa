"""``/__admin/clock``: what a test may ask of the mock's clock (registry/clock.py).

``{"advance_seconds": n}`` moves it by n seconds (negative: back); ``{"now": ISO 8601}`` sets it
(a time without a zone is UTC); either may carry ``"frozen": true`` to stop time there (or
``false`` to let it run again); ``{"frozen": bool}`` alone stops or restarts it where it is.
"""
from __future__ import annotations

import math
from datetime import datetime

from ..registry.clock import Clock

SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "advance_seconds": {"type": "number"},
        "now": {"type": "string", "maxLength": 64, "description": "ISO 8601 date-time"},
        "frozen": {"type": "boolean"},
    },
    "anyOf": [{"required": ["advance_seconds"]}, {"required": ["now"]}, {"required": ["frozen"]}],
    "not": {"required": ["advance_seconds", "now"]},
}
MAX_SECONDS = 100 * 365 * 86400      # a century either way is plenty for a test


class ClockError(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def describe(clock: Clock) -> dict:
    return {"now": clock.now().isoformat(), "real": clock.is_real, "frozen": clock.is_frozen,
            "offset_seconds": round(clock.offset_seconds(), 3)}


def apply(clock: Clock, data) -> dict:
    if not isinstance(data, dict):
        raise ClockError("the body must be a JSON object")
    unknown = sorted(set(data) - set(SCHEMA["properties"]))
    if unknown:
        raise ClockError("unknown field(s): %s; allowed: advance_seconds, now, frozen"
                         % ", ".join(unknown), unknown[0])
    if "advance_seconds" in data and "now" in data:
        raise ClockError("send advance_seconds or now, not both", "now")
    frozen = data.get("frozen")
    if frozen is not None and not isinstance(frozen, bool):
        raise ClockError("frozen must be true or false", "frozen")
    if "advance_seconds" in data:
        seconds = data["advance_seconds"]
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) \
                or not math.isfinite(seconds) or abs(seconds) > MAX_SECONDS:
            raise ClockError("advance_seconds must be a number of seconds (at most a century "
                             "either way)", "advance_seconds")
        clock.advance(seconds)
        if frozen is not None and frozen != clock.is_frozen:
            clock.freeze(frozen)
    elif "now" in data:
        text = data["now"]
        try:
            instant = datetime.fromisoformat(text) if isinstance(text, str) and len(text) <= 64 \
                else None
        except ValueError:
            instant = None
        if instant is None or not 1900 <= instant.year <= 9000:
            raise ClockError("now must be an ISO 8601 date-time, e.g. 2030-01-31T12:00:00Z",
                             "now")
        clock.set(instant, frozen=bool(frozen))
    elif frozen is not None:
        clock.freeze(frozen)
    else:
        raise ClockError("send advance_seconds, now or frozen")
    return describe(clock)
