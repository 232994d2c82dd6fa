"""Runs the app on waitress, a production-grade threaded WSGI server (pure Python, no
compiler, well kept), in the foreground (CLI) or in a background thread (pytest).

Every process setting lives here and in ``settings.py`` (limits, timeouts, signals), so a
different serving stack has one place to carry them over from. What is added to waitress:

- bodies over ``Settings.max_body_bytes`` are refused from the headers (declared length) or as
  soon as a chunked body passes the cap, never buffered; the app still writes the 413, in
  ORCID's format for the route, and the connection drains what the client still sends for a
  moment before closing, so the client reads the 413 rather than a reset;
- ``Expect: 100-continue`` on a request without a body (or one already refused) is answered
  at once: waitress would send "100 Continue" and then wait forever for a body;
- at the connection limit the idlest keep-alive connections are closed to admit new clients,
  so idle sockets can never lock clients out; idle connections are closed after
  ``Settings.idle_timeout`` seconds anyway; waiting connections are accepted in batches, not
  one per turn of the loop (each turn polls every connection);
- SIGTERM and SIGINT stop the server cleanly: the CLI exits 0 (``docker stop`` is immediate).
"""
from __future__ import annotations

import gc
import heapq
import logging
import signal
import socket
import threading
import time
from io import BytesIO

from waitress import wasyncore
from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import TcpWSGIServer
from waitress.task import ErrorTask, ThreadedTaskDispatcher, WSGITask
from waitress.utilities import RequestEntityTooLarge

from .settings import Settings
from .state import MockState
from .web.app import create_app
from .web.limits import REFUSED_TOO_LARGE

log = logging.getLogger(__name__)

LINGER_SECONDS = 2.0            # how long a refused upload may keep sending before we close
LINGER_BYTES = 64 * 1024 * 1024  # ... and how much of it we read and drop
ACCEPT_BATCH = 64               # connections accepted per turn of the loop at most
EVICT_BATCH = 16                # idle connections closed per turn when at the connection limit
DRAIN_SECONDS = 5.0             # on stop, how long requests in progress may take to finish


class _RefusedUpload(WSGITask):
    """A request whose body waitress refused as too large is answered by the app (with an
    empty body and a marker), so the 413 is ORCID's error in the route's format."""

    def execute(self):
        self.set_close_on_finish()      # the rest of the body is still on the wire
        self.channel.linger = True
        return super().execute()

    def get_environment(self):
        environ = super().get_environment()
        environ["wsgi.input"] = BytesIO()
        environ[REFUSED_TOO_LARGE] = True
        return environ


def _error_task(channel, request):
    """Requests waitress could not parse: uploads over the cap go to the app; anything else
    (a bad request line, headers too large, bad chunking) keeps waitress's own 400."""
    if isinstance(request.error, RequestEntityTooLarge):
        return _RefusedUpload(channel, request)
    return ErrorTask(channel, request)


class _Channel(HTTPChannel):
    error_task_class = staticmethod(_error_task)
    linger = False                    # drain the client's input before closing
    _linger_until = None
    _lingered = 0

    def send_continue(self):
        # A request with no body to wait for (or already refused) is complete: answer it.
        if self.request.completed or self.request.error is not None:
            self.request.expect_continue = False
            return
        super().send_continue()

    def handle_close(self):
        if self.linger and self._linger_until is None and self.connected:
            try:
                self.socket.shutdown(socket.SHUT_WR)   # our answer is complete: FIN, not RST
            except OSError:
                return super().handle_close()
            self._linger_until = time.monotonic() + LINGER_SECONDS
            self.will_close = self.close_when_flushed = False
            self.requests = []
            return None
        return super().handle_close()

    def readable(self):
        if self._linger_until is not None:
            if time.monotonic() >= self._linger_until or self._lingered >= LINGER_BYTES:
                self.linger = False
                self.handle_close()
                return False
            return True
        return super().readable()

    def writable(self):
        return False if self._linger_until is not None else super().writable()

    def handle_read(self):
        if self._linger_until is None:
            return super().handle_read()
        try:
            data = self.recv(self.adj.recv_bytes)
        except OSError:
            data = b""
        self._lingered += len(data)
        if not data:                      # the client read our answer and closed
            self.linger = False
            self.handle_close()
        return None


class _Listener(TcpWSGIServer):
    channel_class = _Channel

    def readable(self):
        now = time.time()
        if now >= self.next_channel_cleanup:          # closes connections idle too long
            self.next_channel_cleanup = now + self.adj.cleanup_interval
            self.maintenance(now)
        if not self.accepting:
            return False
        if len(self._map) < self.adj.connection_limit:
            return True
        # At the limit: waitress would stop accepting, so idle sockets could lock everyone
        # out. Close the idlest instead; the newcomer is accepted once it is gone.
        self._close_idlest()
        return False

    def handle_accept(self):
        # waitress accepts one connection per turn of the loop, and every turn polls every
        # connection: a burst of N connections would cost N turns of N. Take what is waiting
        # (a batch at most), while there is room.
        for _ in range(ACCEPT_BATCH):
            if len(self._map) >= self.adj.connection_limit:
                return
            count = len(self._map)
            super().handle_accept()
            if len(self._map) == count:       # nothing more waiting
                return

    def _close_idlest(self) -> None:
        """Make room for new clients: close the keep-alive connections idle the longest (not
        being served, nothing left to send), a few at a time so that a burst of newcomers is
        not admitted one turn of the loop each. HTTP lets a server close an idle persistent
        connection at any time; clients reconnect."""
        idle = [c for c in self.active_channels.values()
                if not c.requests and not c.total_outbufs_len and not c.will_close
                and not c.close_when_flushed and c._linger_until is None]
        for channel in heapq.nsmallest(EVICT_BATCH, idle, key=lambda c: c.last_activity):
            channel.will_close = True


def _connection_limit(wanted: int) -> int:
    """At most ``wanted``, and never more than the process may open files (with room for the
    listening sockets, the schema files and the app's own)."""
    try:
        import resource
        soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    except (ImportError, ValueError, OSError):
        return wanted
    if soft == resource.RLIM_INFINITY:
        return wanted
    return max(16, min(wanted, soft - 64))
from .wire import schemas


class RunningServer:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.state = MockState(settings)
        self.app = create_app(state=self.state)
        self._adj = Adjustments(
            host=settings.host, port=settings.port, threads=settings.threads,
            ident="mock-orcid", clear_untrusted_proxy_headers=True,
            # waitress refuses a body when it reaches max_request_body_size: cap + 1 admits
            # exactly the cap.
            max_request_body_size=settings.max_body_bytes + 1,
            connection_limit=_connection_limit(settings.connection_limit),
            channel_timeout=settings.idle_timeout,
            cleanup_interval=max(1, min(5, settings.idle_timeout)),
            asyncore_use_poll=True,       # select() cannot watch descriptors past 1024
        )
        self._map: dict = {}
        self._dispatcher = ThreadedTaskDispatcher()
        self._dispatcher.set_thread_count(self._adj.threads)
        # One listener per address the host resolves to (localhost: IPv4 and IPv6).
        self._listeners = [_Listener(self.app, self._map, dispatcher=self._dispatcher,
                                     adj=self._adj, sockinfo=info) for info in self._adj.listen]
        # With --port 0 the OS picks the port; the base URL must name the real one.
        self.port = int(self._listeners[0].effective_port)
        if not settings.base_url:
            settings.port = self.port
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._stopped = False
        self._drain_deadline: float | None = None
        # Warm-up in the background while the server starts and answers: the schema sets
        # (xmlschema's import and the cached sets: about 0.15 s), then what only some calls
        # need (the search engine, the OpenID signing key). Health answers at once; a request
        # that needs a set not loaded yet waits for it (schemas.schema's lock), so only an API
        # call within that moment pays the rest of the load. /__admin/health?ready waits.
        self.state.ready.clear()
        threading.Thread(target=self._warm_up, name="mock-orcid-warm-up", daemon=True).start()

    def _warm_up(self) -> None:
        try:
            for name in schemas.SET_NAMES:
                schemas.schema(name)
            from .oauth import openid
            from .sync.search import results  # noqa: F401  (luqum, rapidfuzz)
            import jwt  # noqa: F401  (and cryptography)
            openid.signing_key()
        except Exception:     # a request that needs it loads it (and reports) itself
            log.exception("warming up")
        finally:
            # Everything alive so far (modules, schemas, fixtures) leaves the collector's
            # sight: a full collection walks only what requests created since, not the
            # schemas' large object graph.
            gc.freeze()
            self.state.ready.set()

    def wait_until_loaded(self, timeout: float | None = 60) -> bool:
        """Wait for the warm-up (the pytest fixture does, so a suite's first API call costs
        what the second does)."""
        return self.state.ready.wait(timeout)

    @property
    def url(self) -> str:
        return self.settings.public_base_url

    def summary(self) -> list[str]:
        """What is running, for the start-up log: version, URLs, what the fixtures loaded."""
        from . import __version__
        registry = self.state.registry
        with registry.lock:
            users, clients = len(registry.records), len(registry.clients)
            items = sum(len(s) for r in registry.records.values() for s in r.items.values())
        return ["mock-orcid %s" % __version__,
                "base URL   %s" % self.url,
                "fixtures   %s: %d user(s), %d client(s), %d item(s)"
                % (self.state.fixtures_path, users, clients, items),
                "admin      %s/__admin (OpenAPI: %s/__admin/openapi.json)" % (self.url, self.url),
                "journal    %d request(s); rate limit %s" % (
                    self.settings.journal_size, "on" if self.settings.rate_limit else "off")]

    def serve_forever(self, handle_signals: bool = True) -> None:
        """Serve until stopped; with ``handle_signals`` (the main thread), SIGTERM and SIGINT
        stop it cleanly and this returns."""
        if handle_signals:
            self.install_signal_handlers()
        self.state.webhooks.start()
        try:
            self._run()
        finally:
            self.state.webhooks.stop()

    def install_signal_handlers(self) -> None:
        """SIGTERM (docker stop) and SIGINT (Ctrl-C) stop the server cleanly (main thread)."""
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._on_signal)

    def start(self) -> "RunningServer":
        self.state.webhooks.start()
        self._thread = threading.Thread(target=self._run, name="mock-orcid", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop as on SIGTERM and wait for the serving loop to end."""
        self.state.webhooks.stop()
        if self._thread and self._thread.is_alive():
            self.request_stop()
            self._thread.join(timeout=DRAIN_SECONDS + 5)
        elif not self._stopped:
            self._close_everything()

    def request_stop(self) -> None:
        """Ask the serving loop to shut down. Safe from a signal handler or another thread:
        it sets a flag and writes one byte to the loop's wake-up pipe (no lock taken)."""
        self._stopping = True
        try:
            self._listeners[0].trigger.pull_trigger()
        except OSError:         # already stopped: the pipe is closed
            pass

    def _on_signal(self, signum, _frame) -> None:
        if self._stopping:          # a second signal while draining: stop now
            raise SystemExit(0)
        log.info("mock-orcid: %s, stopping", signal.Signals(signum).name)
        self.request_stop()

    # -- the serving loop ---------------------------------------------------------------
    def _run(self) -> None:
        timeout = self._adj.asyncore_loop_timeout
        try:
            while self._map:
                wasyncore.loop(timeout=timeout, map=self._map, use_poll=True, count=1)
                if self._stopping:
                    self._drain()
                    timeout = 0.1
        except (SystemExit, KeyboardInterrupt):
            pass
        finally:
            self._close_everything()

    def _drain(self) -> None:
        """One step of a clean stop: no new connections (the listening sockets close, so
        clients are refused at once rather than left waiting); connections with nothing in
        progress close; a request being received or served may finish and its answer be
        sent, for up to DRAIN_SECONDS; then everything closes and the loop ends."""
        now = time.monotonic()
        if self._drain_deadline is None:
            self._drain_deadline = now + DRAIN_SECONDS
            for listener in self._listeners:
                # The socket only: waitress's close() would also close the wake-up pipe
                # that threads finishing a request still pull.
                wasyncore.dispatcher.close(listener)
        # A task thread still running may touch the channel and the wake-up pipe.
        busy = bool(self._dispatcher.active_count or self._dispatcher.queue)
        for obj in list(self._map.values()):
            if not isinstance(obj, HTTPChannel):
                continue
            if obj.requests or obj.total_outbufs_len or obj.request is not None \
                    or obj._linger_until is not None:
                busy = True
            elif not obj.will_close:
                obj.will_close = True      # idle keep-alive connection: closed by the loop
                busy = True
        if not busy or now >= self._drain_deadline:
            wasyncore.close_all(self._map)

    def _close_everything(self) -> None:
        self._stopped = True
        wasyncore.close_all(self._map)
        for listener in self._listeners:     # closed above unless already out of the map
            listener.trigger.close()
            if listener.socket is not None:
                wasyncore.dispatcher.close(listener)
        # Threads left are idle (or stuck past the deadline): they are daemons.
        self._dispatcher.shutdown(timeout=1)
