"""The harness of one running mock: journal, faults, rate limiter, and the clock they share
with the registry. ``reset`` puts all of them back (with the registry's own reset)."""
from __future__ import annotations

from ..registry.clock import Clock
from .faults import Faults
from .journal import DEFAULT_SIZE, Journal
from .rate_limit import RateLimiter


class Harness:
    def __init__(self, clock: Clock, journal_size: int = DEFAULT_SIZE, rate_limit: bool = False):
        self.clock = clock
        self.journal = Journal(journal_size)
        self.faults = Faults()
        self.rate_limit_default = rate_limit        # as configured (--rate-limit)
        self.rate_limiter = RateLimiter(clock, enabled=rate_limit)

    def reset(self) -> None:
        """Empty journal, no faults, the rate limit as configured with full buckets, real time."""
        self.journal.clear()
        self.faults.clear()
        self.rate_limiter.clear()
        self.rate_limiter.enabled = self.rate_limit_default
        self.clock.real()
