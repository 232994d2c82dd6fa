"""Server settings: CLI flags, with MOCK_ORCID_* environment variables as defaults."""
from __future__ import annotations

import os
from dataclasses import dataclass

from .wire.resources import resource_dir

DEFAULT_FIXTURES = resource_dir("fixtures") / "default.json"


@dataclass
class Settings:
    host: str = "127.0.0.1"
    port: int = 8080
    base_url: str | None = None        # what Location headers and OAuth metadata say
    registry_url: str = "https://sandbox.orcid.org"   # identity URIs (iD, client) in bodies
    fixtures: str | None = None
    seed: int = 1
    threads: int = 8
    webhook_interval: float = 1.0      # seconds between webhook dispatch passes (ORCID: minutes)
    state_file: str | None = None      # SQLite change log; None keeps everything in memory

    @classmethod
    def from_env(cls, **overrides) -> "Settings":
        env = os.environ
        values = dict(
            host=env.get("MOCK_ORCID_HOST", cls.host),
            port=int(env.get("MOCK_ORCID_PORT", cls.port)),
            base_url=env.get("MOCK_ORCID_BASE_URL") or None,
            registry_url=env.get("MOCK_ORCID_REGISTRY_URL", cls.registry_url),
            fixtures=env.get("MOCK_ORCID_FIXTURES") or None,
            seed=int(env.get("MOCK_ORCID_SEED", cls.seed)),
            threads=int(env.get("MOCK_ORCID_THREADS", cls.threads)),
            webhook_interval=positive_seconds(env.get("MOCK_ORCID_WEBHOOK_INTERVAL",
                                                      cls.webhook_interval)),
            state_file=env.get("MOCK_ORCID_STATE_FILE") or None,
        )
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    @property
    def public_base_url(self) -> str:
        if self.base_url:
            return self.base_url.rstrip("/")
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        return "http://%s:%d" % (host, self.port)


def positive_seconds(value) -> float:
    """A number of seconds above zero (``--webhook-interval``, ``MOCK_ORCID_WEBHOOK_INTERVAL``)."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise ValueError("%r is not a number of seconds" % (value,)) from None
    if not 0 < seconds < float("inf"):
        raise ValueError("%r must be a number of seconds above zero" % (value,))
    return seconds
