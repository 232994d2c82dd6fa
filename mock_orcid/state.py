"""What one running mock holds: settings, the registry loaded from fixtures, the renderer, and
the listeners of the registry's change stream. The one place that wires them together."""
from __future__ import annotations

import json
from pathlib import Path

from .registry.errors import InvalidValue
from .harness.control import Harness
from .registry.clock import Clock
from .registry.notifications import AmendedNotifications
from .registry.store import Registry
from .settings import DEFAULT_FIXTURES, Settings
from .sync.webhooks.dispatcher import WebhookDispatcher
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
        # Listeners of the change stream, in the order they hear each commit.
        self.registry.subscribe(AmendedNotifications(self.registry, settings.registry_url))
        # Its thread runs while the server does (server.py); dispatch_now works without it.
        self.webhooks = WebhookDispatcher(self.registry, interval=settings.webhook_interval)
        self.registry.subscribe(self.webhooks)
        self.reset()

    @property
    def base_url(self) -> str:
        return self.settings.public_base_url

    def reset(self) -> None:
        """Back to the loaded fixtures: same users, clients, secrets; sequences restart.
        The file is read and checked first: a bad one changes nothing (FixturesError).
        The harness too: empty journal, no faults, real time."""
        data = load_fixtures(self.fixtures_path)
        self.harness.reset()
        with self.registry.lock:
            self.registry.clear()
            for user in data.get("users", []):
                self.registry.create_user(**user)
            for client in data.get("clients", []):
                self.registry.create_client(**client)


class FixturesError(InvalidValue):
    """The fixtures file cannot be loaded; says which file and the path of the bad value."""


def load_fixtures(path: Path) -> dict:
    """The fixtures file, checked with the admin API's own schemas (web.admin_schema)."""
    from .web import admin_schema
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as exc:
        raise FixturesError("fixtures file %s cannot be read as JSON: %s" % (path, exc)) from None
    if not isinstance(data, dict):
        raise FixturesError("fixtures file %s must hold a JSON object" % path)
    try:
        admin_schema.check_fixtures(data)
    except InvalidValue as exc:
        raise FixturesError("fixtures file %s: %s" % (path, exc), exc.field) from None
    return data
