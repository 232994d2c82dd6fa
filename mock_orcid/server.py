"""Runs the app on waitress, a production-grade threaded WSGI server (pure Python, no
compiler, well kept), in the foreground (CLI) or in a background thread (pytest)."""
from __future__ import annotations

import threading

from waitress import wasyncore
from waitress.server import create_server

from .settings import Settings
from .state import MockState
from .web.app import create_app


class RunningServer:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.state = MockState(settings)
        self.app = create_app(state=self.state)
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

    def serve_forever(self) -> None:
        self.state.webhooks.start()
        try:
            self._server.run()
        finally:
            self.state.webhooks.stop()

    def start(self) -> "RunningServer":
        self.state.webhooks.start()
        self._thread = threading.Thread(target=self._server.run, name="mock-orcid", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.state.webhooks.stop()
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
