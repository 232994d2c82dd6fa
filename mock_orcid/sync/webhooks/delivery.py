"""One webhook call: HTTP POST, empty body, a timeout; the answer's status or what went wrong.

urllib3 rather than the standard library or requests: explicit connect and read timeouts,
redirects not followed (ORCID's Java HttpClient does not follow them, so a 3xx is a failure),
no retries of its own (the schedule decides retries), and no proxy taken from the environment
(urllib.request and requests both honour ``HTTP_PROXY``, which would send a call meant for a
sink on localhost to a proxy). It is already what requests is built on.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass

TIMEOUT = 5.0              # seconds, connect and each read; ORCID allows 20
USER_AGENT = "mock-orcid webhook dispatcher"


@dataclass(frozen=True)
class Attempt:
    url: str
    status: int | None         # None when no HTTP answer came back
    error: str | None          # a network error, a timeout, a URL that cannot be called
    duration_ms: float


class Poster:
    """Thread-safe; one per dispatcher."""

    def __init__(self, timeout: float = TIMEOUT):
        self.timeout = timeout
        self._made = None
        self._lock = threading.Lock()

    @property
    def _pool(self):
        # Made on the first call: urllib3 is imported only by a server that calls webhooks.
        with self._lock:
            if self._made is None:
                import urllib3
                self._made = urllib3.PoolManager(
                    num_pools=16, retries=False,
                    timeout=urllib3.Timeout(connect=self.timeout, read=self.timeout),
                    headers={"User-Agent": USER_AGENT})
            return self._made

    def post(self, url: str) -> Attempt:
        started = time.monotonic()
        status = error = None
        try:
            # Only the status line matters. The body is not read (a sink may stream forever),
            # so the connection is closed rather than returned to the pool.
            response = self._pool.request("POST", url, body=b"", redirect=False,
                                          preload_content=False)
            status = response.status
            response.close()
        except Exception as exc:      # any failure to call counts, as in ORCID's scheduler
            error = _describe(exc)
        return Attempt(url, status, error, round((time.monotonic() - started) * 1000, 1))

    def close(self) -> None:
        if self._made is not None:
            self._made.clear()


def _describe(exc: Exception) -> str:
    # A wrapper (MaxRetryError, ProtocolError) names its cause in ``reason`` or ``args``.
    reason = getattr(exc, "reason", None)
    cause = reason if isinstance(reason, Exception) else exc
    import urllib3
    # NewConnectionError subclasses ConnectTimeoutError in urllib3, so it is asked first.
    if isinstance(cause, urllib3.exceptions.NewConnectionError):
        return "connection failed: %s" % _short(cause)
    if isinstance(cause, urllib3.exceptions.TimeoutError):
        return "timed out"
    return "%s: %s" % (type(cause).__name__, _short(cause))


def _short(exc: Exception) -> str:
    text = str(exc)
    return text if len(text) <= 300 else text[:297] + "..."
