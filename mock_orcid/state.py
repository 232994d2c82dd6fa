"""What one running mock holds: settings, the registry loaded from fixtures, the renderer, and
the listeners of the registry's change stream. The one place that wires them together."""
from __future__ import annotations

import threading
from pathlib import Path

from .collector import FreezeAfterWrites
from .harness import fixtures
from .harness.control import Harness
from .registry.clock import Clock
from .registry.notifications import AmendedNotifications
from .registry.store import Registry
from .settings import DEFAULT_FIXTURES, Settings
from .sync.webhooks.dispatcher import WebhookDispatcher
from .sync.buckets.view import SyncBuckets
from .sync.search.index import SearchIndex
from .wire.read_cache import ReadCache
from .wire.render import Renderer


class MockState:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.clock = Clock()      # the one time source; the harness moves it
        self.registry = Registry(seed=settings.seed, clock=self.clock)
        self.harness = Harness(self.clock, journal_size=settings.journal_size,
                               rate_limit=settings.rate_limit)
        self.renderer = Renderer(settings.registry_url)
        self.fixtures_path = Path(settings.fixtures) if settings.fixtures else DEFAULT_FIXTURES
        self.loaded: dict[str, int] = {}
        # Set once what API calls need is loaded (server.RunningServer clears it while its
        # background warm-up runs); /__admin/health?ready answers 503 until then.
        self.ready = threading.Event()
        self.ready.set()
        # --state-file: the first listener, so a write is on disk before anything reacts to it.
        self.state_log = None
        if settings.state_file:
            from .harness.persistence import StateLog
            self.state_log = StateLog(settings.state_file)
        # Listeners of the change stream, in the order they hear each commit.
        self.registry.subscribe(AmendedNotifications(self.registry, settings.registry_url))
        self.read_cache = ReadCache()
        self.registry.subscribe(self.read_cache.listener)
        self.registry.subscribe(FreezeAfterWrites())
        # Its thread runs while the server does (server.py); dispatch_now works without it.
        self.webhooks = WebhookDispatcher(self.registry, interval=settings.webhook_interval)
        self.registry.subscribe(self.webhooks)
        self.search_index = SearchIndex(self.registry)
        self.registry.subscribe(self.search_index)
        self.sync_buckets = SyncBuckets(self.registry, self.renderer, settings.registry_url)
        self.registry.subscribe(self.sync_buckets)
        if self.state_log is not None and self.state_log.has_state():
            self.loaded = self.state_log.restore(self.registry)    # the state file wins
            self.search_index.rebuild()     # a restore publishes no changes
            self.sync_buckets.rebuild()
            self.state_log.attach(self.registry)
        else:
            self.reset()
            if self.state_log is not None:
                self.state_log.attach(self.registry)
                self.state_log.compact(self._logged_now())

    @property
    def base_url(self) -> str:
        return self.settings.public_base_url

    def reset(self) -> None:
        """Back to the loaded fixtures: same users, clients, secrets; sequences restart.
        The file is read and checked first: a badly shaped one changes nothing (FixtureError).
        The harness too: empty journal, no faults, real time."""
        fixtures.read_documents(self.fixtures_path)    # the file's shape, before anything changes
        self.harness.reset()
        with self.registry.lock:
            self.registry.clear()
            # Users with items, record states, clients, tokens: through the registry's rules;
            # a bad fixture raises harness.fixtures.FixtureError naming the file and the value.
            self.loaded = fixtures.load(self.registry, self.fixtures_path)

    def _logged_now(self) -> dict:
        """What the state file must hold right after a fresh start: everything just loaded."""
        from .harness.persistence import snapshot_rows
        return snapshot_rows(self.registry)
