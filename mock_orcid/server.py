"""Runs the app on waitress, a production-grade threaded WSGI server (pure Python, no
compiler, well kept), in the foreground (CLI) or in a background thread (pytest)."""
from __future__ import annotations

import gc
import threading

from waitress import wasyncore
from waitress.server import create_server

from .settings import Settings
from .state import MockState
from .web.app import create_app
from .wire import schemas


class RunningServer:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.state = MockState(settings)
        self.app = create_app(state=self.state)
        # The schemas are loaded before the server answers anything, so the first API call
        # costs what the second does. Then everything alive so far (modules, schemas,
        # fixtures) leaves the collector's sight: a full collection walks only what requests
        # created since, not the schemas' large object graph.
        for name in schemas.SET_NAMES:
            schemas.schema(name)
        gc.freeze()
        self._server = create_server(self.app, host=settings.host, port=settings.port,
                                     threads=settings.threads, ident="mock-orcid",
                                     clear_untrusted_proxy_headers=True)
        # With --port 0 the OS picks the port; the base URL must name the real one.
        self.port = int(self._server.effective_port)
        if not settings.base_url:
            settings.port = self.port
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return self.settings.public_base_url

    def serve_forever(self) -> None:
        self._server.run()

    def start(self) -> "RunningServer":
        self._thread = threading.Thread(target=self._server.run, name="mock-orcid", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        # Close from the server's own loop: closing from here races its select().
        if self._thread and self._thread.is_alive():
            self._server.trigger.pull_trigger(self._shutdown)
            self._thread.join(timeout=10)
        else:
            self._shutdown()

    def _shutdown(self) -> None:
        # Ends every channel too (keep-alive clients), so the loop's map empties and run() returns.
        self._server.task_dispatcher.shutdown()
        wasyncore.close_all(self._server._map)
