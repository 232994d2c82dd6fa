"""ORCID's published API limits (facts §12), opt-in with ``--rate-limit``.

| class     | requests                                 | rate    | burst |
|-----------|------------------------------------------|---------|-------|
| public    | /pub/… (or a pub. host), per client or IP | 12 /s   | 40    |
| member    | /v3.0/…, /v2.x/…, /{orcid}/webhook/…      | 24 /s   | 40    |
| token     | POST /oauth/token, per client or IP       | 48 /s   | 75    |

A token bucket per (class, client id or remote address): it holds ``burst`` requests and
refills at ``rate`` per second on the mock's clock (so a frozen clock never refills, and
advancing it does). A request finding the bucket empty gets the front proxy's 503. ORCID's
proxy also slows requests inside the burst; the mock answers them at once, to keep suites fast.
The anonymous daily quota (429) is not emulated.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass

_VERSIONED = re.compile(r"^/v[123]\.\d(?:_rc\d)?(?:/|$)")
_WEBHOOK = re.compile(r"^/\d{4}-\d{4}-\d{4}-\d{3}[\dX]/webhook(?:/|$)")


@dataclass(frozen=True)
class Limit:
    name: str
    rate: float        # requests per second
    burst: int


LIMITS = {
    "public": Limit("public", 12, 40),
    "member": Limit("member", 24, 40),
    "token": Limit("token", 48, 75),
}
MAX_BUCKETS = 10_000       # distinct callers remembered; the oldest are forgotten


def limit_for(method: str, path: str, host: str) -> Limit | None:
    if path.startswith("/__admin"):
        return None
    if path == "/oauth/token" or path.startswith("/oauth/token/"):
        return LIMITS["token"] if method == "POST" else None
    if path.startswith("/pub/") or (host.lower().startswith("pub.")
                                    and _VERSIONED.match(path)):
        return LIMITS["public"]
    if _VERSIONED.match(path) or _WEBHOOK.match(path):
        return LIMITS["member"]
    return None


class RateLimiter:
    def __init__(self, clock, enabled: bool = False):
        self.clock = clock                    # the mock's clock (registry/clock.py)
        self.enabled = enabled
        self._lock = threading.Lock()
        self._buckets: dict[tuple, list] = {}   # key -> [tokens, last refill (s)]

    def admit(self, limit: Limit, who: str) -> bool:
        """Take one request from the caller's bucket; False when it is empty."""
        now = self.clock.now().timestamp()
        key = (limit.name, who)
        with self._lock:
            bucket = self._buckets.pop(key, None)
            if bucket is None:
                bucket = [float(limit.burst), now]
            else:
                elapsed = max(0.0, now - bucket[1])     # the clock may have been set back
                bucket[0] = min(float(limit.burst), bucket[0] + elapsed * limit.rate)
                bucket[1] = now if now > bucket[1] else bucket[1]
            admitted = bucket[0] >= 1.0
            if admitted:
                bucket[0] -= 1.0
            self._buckets[key] = bucket               # most recently used last
            if len(self._buckets) > MAX_BUCKETS:
                del self._buckets[next(iter(self._buckets))]
            return admitted

    def clear(self) -> None:
        with self._lock:
            self._buckets.clear()
