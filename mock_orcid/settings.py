"""Server settings: CLI flags, with MOCK_ORCID_* environment variables as defaults."""
from __future__ import annotations

import os
from dataclasses import dataclass

from .wire.resources import resource_dir
from .wire.xmlio import MAX_BODY_BYTES

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
    session_secret: str | None = None  # signs the browser session cookie; None: one per process
    # Extra host names that may reach /__admin (see web/admin_guard.py); "*" allows any.
    allowed_hosts: tuple[str, ...] = ()
    # The process (server.py): request bodies over this are refused with 413 unread (the XML
    # parser's own cap); open connections at most (at the limit the idlest keep-alive one is
    # closed for a newcomer); seconds an idle keep-alive connection is kept.
    max_body_bytes: int = MAX_BODY_BYTES
    connection_limit: int = 1000
    idle_timeout: int = 30
    journal_size: int = 1000           # requests the journal keeps (harness/journal.py)
    rate_limit: bool = False           # ORCID's published API limits (harness/rate_limit.py)
    log_level: str = "info"            # access log and startup summary on stderr
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
            session_secret=env.get("MOCK_ORCID_SESSION_SECRET") or None,
            allowed_hosts=_names(env.get("MOCK_ORCID_ALLOWED_HOSTS", "")),
            max_body_bytes=int(env.get("MOCK_ORCID_MAX_BODY_BYTES", cls.max_body_bytes)),
            connection_limit=int(env.get("MOCK_ORCID_CONNECTION_LIMIT", cls.connection_limit)),
            idle_timeout=int(env.get("MOCK_ORCID_IDLE_TIMEOUT", cls.idle_timeout)),
            journal_size=non_negative_int(env.get("MOCK_ORCID_JOURNAL_SIZE", cls.journal_size)),
            rate_limit=env.get("MOCK_ORCID_RATE_LIMIT", "").lower() in ("1", "true", "yes", "on"),
            log_level=log_level(env.get("MOCK_ORCID_LOG_LEVEL", cls.log_level)),
            state_file=env.get("MOCK_ORCID_STATE_FILE") or None,
        )
        values.update({k: v for k, v in overrides.items() if v is not None})
        if isinstance(values["allowed_hosts"], str):
            values["allowed_hosts"] = _names(values["allowed_hosts"])
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
def _names(text: str) -> tuple[str, ...]:
    return tuple(n.strip() for n in text.split(",") if n.strip())


LOG_LEVELS = ("debug", "info", "warning", "error")


def log_level(value) -> str:
    """One of debug, info, warning, error (``--log-level``, ``MOCK_ORCID_LOG_LEVEL``)."""
    text = str(value).strip().lower()
    if text not in LOG_LEVELS:
        raise ValueError("%r is not a log level; use one of %s" % (value, ", ".join(LOG_LEVELS)))
    return text


def non_negative_int(value) -> int:
    """A whole number, 0 or more (``--journal-size``, ``MOCK_ORCID_JOURNAL_SIZE``)."""
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValueError("%r is not a whole number" % (value,)) from None
    if number < 0:
        raise ValueError("%r must be 0 or more" % (value,))
    return number
