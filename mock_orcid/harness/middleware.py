"""The harness as WSGI middleware around the app: it sees every request before the app and
every answer after it, so ORCID's own code paths stay as they are.

Per request (``/__admin`` is only logged: never journaled, faulted or rate-limited):
1. peek at the first bytes of the body (the app still reads all of it),
2. identify the caller (client id, iD),
3. the rate limit (when on) may answer ORCID's front-proxy 503,
4. else the first matching fault may delay, drop the connection, or answer an error,
5. journal the exchange and write one access-log line.
"""
from __future__ import annotations

import io
import logging
import time
from importlib import resources

from .control import Harness
from .faults import FRONT_PROXY, Fault
from .identify import Caller, identify
from .journal import Recorded, raw_headers, redact_query, wsgi_text
from .rate_limit import limit_for

try:   # waitress closes the connection, answering nothing, when the app raises this
    from waitress.channel import ClientDisconnected as DropConnection
except ImportError:        # pragma: no cover - another server: the exception still ends it
    class DropConnection(Exception):
        pass

access_log = logging.getLogger("mock_orcid.access")
FRONT_PROXY_PAGE = resources.files(__package__).joinpath("front_proxy_503.html").read_bytes()


class HarnessMiddleware:
    def __init__(self, app, harness: Harness, registry, render_error):
        """``render_error(environ, start_response, fault)`` answers ORCID's error body for a
        fault in the negotiated format (the web layer knows how)."""
        self.app = app
        self.harness = harness
        self.registry = registry
        self.render_error = render_error

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        method = environ.get("REQUEST_METHOD", "GET").upper()
        path = wsgi_text(environ.get("PATH_INFO", ""))
        if path.startswith("/__admin"):
            exchange = _Exchange(self, environ, method, path, None, b"", started)
            return exchange.run(self.app, start_response)
        head = _peek_body(environ, self.harness.journal.body_limit)
        authorization = environ.get("HTTP_AUTHORIZATION")
        caller = identify(self.registry, path, environ.get("QUERY_STRING", ""),
                          {"authorization": wsgi_text(authorization)} if authorization else {},
                          head, environ.get("CONTENT_TYPE", ""))
        exchange = _Exchange(self, environ, method, path, caller, head, started,
                             raw_headers(environ) if self.harness.journal.size else None)
        limiter = self.harness.rate_limiter
        if limiter.enabled:
            limit = limit_for(method, path, environ.get("HTTP_HOST", ""))
            who = caller.client_id or environ.get("REMOTE_ADDR") or "-"
            if limit is not None and not limiter.admit(limit, who):
                exchange.rate_limited = limit.name
                return exchange.run(_front_proxy_503, start_response)
        fault = self.harness.faults.take(method, path, caller.client_id, caller.orcid)
        if fault is None:
            return exchange.run(self.app, start_response)
        exchange.fault = fault
        if fault.delay_ms:
            time.sleep(fault.delay_ms / 1000.0)
        if fault.drop_connection:
            exchange.finish(None)
            raise DropConnection("fault %d drops the connection" % fault.id)
        if fault.action == FRONT_PROXY:
            return exchange.run(_front_proxy_503, start_response)
        if fault.action == "orcid-error":
            return exchange.run(lambda env, sr: self.render_error(env, sr, fault), start_response)
        return exchange.run(self.app, start_response)


def _front_proxy_503(environ, start_response):
    start_response("503 Service Temporarily Unavailable",
                   [("Content-Type", "text/html"), ("Content-Length", str(len(FRONT_PROXY_PAGE)))])
    return [FRONT_PROXY_PAGE]


class _Exchange:
    """One request on its way through: captures the answer for the journal and the log."""

    def __init__(self, middleware, environ, method, path, caller: Caller | None, head: bytes,
                 started: float, headers=None):
        self.mw = middleware
        self.environ = environ
        self.method = method
        self.path = path
        self.caller = caller
        self.head = head
        self.started = started
        self.headers = headers
        self.arrived = middleware.harness.clock.now()
        self.fault: Fault | None = None
        self.rate_limited: str | None = None
        self.status: int | None = None
        self.response_headers: list = []
        self.out = bytearray()
        self.out_size = 0
        self.done = False

    def run(self, app, start_response):
        def capture(status, headers, exc_info=None):
            self.status = int(status.split(" ", 1)[0])
            self.response_headers = list(headers)
            write = start_response(status, headers, exc_info)

            def tee(data):
                self._seen(data)
                return write(data)
            return tee
        # The whole answer is produced and journaled before the server sends any of it, so a
        # client that has its answer always finds it in the journal (Flask's bodies are built
        # in memory anyway).
        try:
            result = app(self.environ, capture)
            try:
                chunks = []
                for chunk in result:
                    self._seen(chunk)
                    chunks.append(chunk)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
        except BaseException:
            self.finish(self.status or 500)
            raise
        self.finish(self.status)
        return chunks

    def _seen(self, data: bytes) -> None:
        self.out_size += len(data)
        room = self.mw.harness.journal.body_limit - len(self.out)
        if room > 0:
            self.out += data[:room]

    def finish(self, status: int | None) -> None:
        if self.done:
            return
        self.done = True
        duration = round((time.perf_counter() - self.started) * 1000, 1)
        caller = self.caller
        query = self.environ.get("QUERY_STRING", "")
        if access_log.isEnabledFor(logging.INFO):
            self._log(status, query, duration)
        journal = self.mw.harness.journal
        if caller is None or not journal.size:          # /__admin: not journaled
            return
        # The raw pieces only: redacted and decoded when the journal is read (journal.py).
        journal.add(Recorded(
            self.method, self.path, query, self.headers or [], self.head,
            _content_length(self.environ), self.environ.get("CONTENT_TYPE", ""), status,
            self.response_headers, self.out, self.out_size, duration, caller.client_id,
            caller.orcid,
            {"id": self.fault.id, "action": self.fault.action} if self.fault else None,
            self.rate_limited, self.arrived, journal.body_limit))

    def _log(self, status, query, duration) -> None:
        caller = self.caller
        line = '%s "%s %s%s %s" %s %d %.1fms' % (
            self.environ.get("REMOTE_ADDR", "-"), self.method, self.path,
            "?" + redact_query(query) if query else "", self.environ.get("SERVER_PROTOCOL", ""),
            status if status is not None else "-", self.out_size, duration)
        if caller is not None and caller.client_id:
            line += " client=%s" % caller.client_id
        if caller is not None and caller.orcid:
            line += " orcid=%s" % caller.orcid
        if self.fault is not None:
            line += " fault=%d(%s)" % (self.fault.id, self.fault.action)
        if self.rate_limited:
            line += " rate-limited=%s" % self.rate_limited
        access_log.info("%s", line)


class _Chained(io.RawIOBase):
    """The bytes already read, then the rest of the original stream."""

    def __init__(self, head: bytes, rest):
        self.head = memoryview(head)
        self.rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.head.nbytes:
            n = min(len(buffer), self.head.nbytes)
            buffer[:n] = self.head[:n]
            self.head = self.head[n:]
            return n
        data = self.rest.read(len(buffer))
        if not data:
            return 0
        buffer[:len(data)] = data
        return len(data)


def _content_length(environ) -> int:
    try:
        return max(0, int(environ.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


def _peek_body(environ, limit: int) -> bytes:
    length = _content_length(environ)
    stream = environ.get("wsgi.input")
    if not length or stream is None:
        return b""
    head = stream.read(min(limit, length))
    if len(head) == length:         # all of it (a token form, a work): no need to chain
        environ["wsgi.input"] = io.BytesIO(head)
    else:
        environ["wsgi.input"] = io.BufferedReader(_Chained(head, stream))
    return head
