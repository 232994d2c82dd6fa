"""A tiny threaded HTTP server that plays an integrator's webhook callback: it records every
request and answers with the status scripted for its path (204 unless told otherwise)."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Call:
    at: float              # time.monotonic() when it arrived
    method: str
    path: str              # with the query string
    headers: dict
    body: bytes


class Sink:
    def __init__(self):
        self.calls: list[Call] = []
        self.statuses: dict[str, int] = {}     # path (no query) -> status to answer
        self.delay = 0.0                       # seconds to wait before answering
        self._arrived = threading.Condition()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def _record(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                call = Call(time.monotonic(), self.command, self.path, dict(self.headers), body)
                with sink._arrived:
                    # The answer is decided as the call arrives, before a waiting test moves on.
                    status = sink.statuses.get(self.path.split("?")[0], 204)
                    sink.calls.append(call)
                    sink._arrived.notify_all()
                if sink.delay:
                    time.sleep(sink.delay)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_POST = do_GET = do_PUT = _record

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        daemon=True)
        self._thread.start()

    def url(self, path: str = "/cb") -> str:
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def paths(self) -> list[str]:
        with self._arrived:
            return [c.path for c in self.calls]

    def wait_for(self, count: int, timeout: float) -> bool:
        """Wait until ``count`` calls have arrived (True), or ``timeout`` seconds (False)."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.calls) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._arrived.wait(left)
            return True

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
