"""The one clock of a running mock. Everything time-based reads it (through ``Registry.now``):
code and token expiry, created/last-modified dates, notification dates, webhook schedules.

It is the system's UTC time unless a test moved it (the harness's ``/__admin/clock``): moved
by an offset (time keeps running from the new point) or frozen at an instant (time stands
still until moved again). ``epoch`` changes whenever it is moved, so the registry knows that
an earlier reading no longer bounds the next one (time may have gone back on purpose).
"""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone


def system_now() -> datetime:
    now = datetime.now(timezone.utc)
    # ORCID's dates carry milliseconds.
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


class Clock:
    def __init__(self, source=system_now):
        self._source = source
        self._lock = threading.Lock()
        self._offset = timedelta(0)
        self._frozen: datetime | None = None
        self.epoch = 0

    def now(self) -> datetime:
        with self._lock:
            if self._frozen is not None:
                return self._frozen
            return self._source() + self._offset

    @property
    def is_real(self) -> bool:
        return self._frozen is None and not self._offset

    @property
    def is_frozen(self) -> bool:
        return self._frozen is not None

    def offset_seconds(self) -> float:
        with self._lock:
            if self._frozen is not None:
                return (self._frozen - self._source()).total_seconds()
            return self._offset.total_seconds()

    def advance(self, seconds: float) -> datetime:
        """Move by ``seconds`` (negative goes back); a frozen clock stays frozen."""
        with self._lock:
            step = timedelta(seconds=seconds)
            if self._frozen is not None:
                self._frozen = _ms(self._frozen + step)
            else:
                self._offset += step
            self.epoch += 1
        return self.now()

    def set(self, instant: datetime, frozen: bool = False) -> datetime:
        """Make it ``instant`` now; frozen: it stays there until moved again."""
        if instant.tzinfo is None:
            instant = instant.replace(tzinfo=timezone.utc)
        instant = _ms(instant.astimezone(timezone.utc))
        with self._lock:
            if frozen:
                self._frozen = instant
            else:
                self._frozen = None
                self._offset = instant - self._source()
            self.epoch += 1
        return self.now()

    def freeze(self, frozen: bool = True) -> datetime:
        """Stop (or restart) time where it is now."""
        return self.set(self.now(), frozen=frozen)

    def real(self) -> datetime:
        """Back to the system's time."""
        with self._lock:
            self._frozen = None
            self._offset = timedelta(0)
            self.epoch += 1
        return self.now()


def _ms(value: datetime) -> datetime:
    return value.replace(microsecond=value.microsecond // 1000 * 1000)
