"""How long codes and tokens live, and whether a token still works (facts §3)."""
from __future__ import annotations

from datetime import datetime, timedelta

from ..registry.model import Token
from ..registry.store import CLIENT_TOKEN_SECONDS, Registry

CODE_SECONDS = 1440 * 60          # authorization code life (ORCID default 1440 min)
WRITE_TOKEN_SECONDS = 3599        # non-persistent clients: 3600 s, shown as 3599
IMPLICIT_TOKEN_SECONDS = 599      # implicit: 600 s, shown as 599
ID_TOKEN_SECONDS = 24 * 3600
PERSISTENT_TOKEN_SECONDS = CLIENT_TOKEN_SECONDS


def expires_at(token: Token) -> datetime:
    return token.issued + timedelta(seconds=token.expires_in)


def remaining_seconds(registry: Registry, token: Token) -> int:
    return max(0, int((expires_at(token) - registry.now()).total_seconds()))


def is_active(registry: Registry, token: Token) -> bool:
    return (not token.revoked and not token.user_revoked
            and expires_at(token) > registry.now())
