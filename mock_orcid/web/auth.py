"""Bearer tokens on the API: who is calling, with which scopes (facts §3.4, §4.1)."""
from __future__ import annotations

import json
from dataclasses import dataclass

from flask import Request, Response, abort

from ..oauth import scopes as scope_rules
from ..oauth.lifetimes import expires_at
from ..registry.errors import OrcidError
from ..registry.model import Client, Source, Token
from ..registry.visibility import Reader


@dataclass
class Caller:
    token: Token | None
    client: Client | None
    scopes: frozenset
    public_api: bool

    @property
    def source(self) -> Source:
        return Source(client_id=self.client.client_id, name=self.client.name)

    @property
    def reader(self) -> Reader:
        return Reader(self.client.client_id if self.client else None, self.scopes, self.public_api)

    def require(self, *any_of: str) -> None:
        if not any(s in self.scopes for s in any_of):
            raise OrcidError(9038, "This request needs the scope %s, which the access token "
                             "does not have" % " or ".join(any_of), status=403)


def _oauth_abort(status: int, error: str, description: str):
    abort(Response(json.dumps({"error": error, "error_description": description}),
                   status=status, mimetype="application/json"))


def bearer(request: Request) -> str | None:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.args.get("access_token") or None


def authenticate(request: Request, registry, public_api: bool, orcid: str | None) -> Caller:
    value = bearer(request)
    if value is None:
        if public_api:
            return Caller(None, None, frozenset({"/read-public"}), True)
        # ORCID's current member API answers a token-less call with 403 "forbidden".
        _oauth_abort(403, "forbidden", "Forbidden: access to %s requires an access token" % request.path)
    token = registry.token(value)
    # A token the researcher revoked still deletes what its client wrote (facts §4.3).
    usable = token is not None and not token.revoked and expires_at(token) > registry.now() \
        and not (token.user_revoked and request.method != "DELETE")
    if not usable:
        _oauth_abort(401, "invalid_token", "Invalid access token: %s" % value)
    client = registry.clients.get(token.client_id)
    if client is None:
        _oauth_abort(401, "invalid_token", "Invalid access token: %s" % value)
    if not public_api and client.type == "public":
        raise OrcidError(9017, "The client application %s is a public client and is forbidden "
                         "to use the member API" % client.client_id, status=401)
    if orcid is not None and token.orcid is not None and token.orcid != orcid:
        raise OrcidError(9017, "The access token was issued for %s and cannot be used on %s"
                         % (token.orcid, orcid), status=401)
    return Caller(token, client, scope_rules.expand(token.scopes), public_api)
