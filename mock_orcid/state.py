"""What one running mock holds: settings, the registry loaded from fixtures, the renderer, and
the listeners of the registry's change stream. The one place that wires them together."""
from __future__ import annotations

import json
from pathlib import Path

from .registry.notifications import AmendedNotifications
from .registry.store import Registry
from .settings import DEFAULT_FIXTURES, Settings
from .sync.webhooks.dispatcher import WebhookDispatcher
from .sync.buckets.view import SyncBuckets
from .wire.render import Renderer


class MockState:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.registry = Registry(seed=settings.seed)
        self.renderer = Renderer(settings.registry_url)
        self.fixtures_path = Path(settings.fixtures) if settings.fixtures else DEFAULT_FIXTURES
        # Listeners of the change stream, in the order they hear each commit.
        self.registry.subscribe(AmendedNotifications(self.registry, settings.registry_url))
        # Its thread runs while the server does (server.py); dispatch_now works without it.
        self.webhooks = WebhookDispatcher(self.registry, interval=settings.webhook_interval)
        self.registry.subscribe(self.webhooks)
        self.sync_buckets = SyncBuckets(self.registry, self.renderer, settings.registry_url)
        self.registry.subscribe(self.sync_buckets)
        self.reset()

    @property
    def base_url(self) -> str:
        return self.settings.public_base_url

    def reset(self) -> None:
        """Back to the loaded fixtures: same users, clients, secrets; sequences restart."""
        with self.registry.lock:
            self.registry.clear()
            data = json.loads(self.fixtures_path.read_text(encoding="utf-8"))
            for user in data.get("users", []):
                self.registry.create_user(**user)
            for client in data.get("clients", []):
                self.registry.create_client(**client)
