"""/oauth/token and /oauth/revoke: client authentication, the three grants, revocation, and
the token JSON in ORCID's key order. Errors are ``OAuthError`` (the JSON body)."""
from __future__ import annotations

import base64
import hmac
from datetime import timedelta
from urllib.parse import unquote_plus

from ..registry.errors import OAuthError
from ..registry.model import Client, Record, Token
from ..registry.store import Registry
from . import scopes as S
from .lifetimes import (
    CODE_SECONDS,
    PERSISTENT_TOKEN_SECONDS,
    WRITE_TOKEN_SECONDS,
    expires_at,
    is_active,
    remaining_seconds,
)
from .openid import id_token

USABLE_STATES = ("active",)
GRANT_TYPES = ("authorization_code", "client_credentials", "refresh_token")


def client_credentials_from(form, authorization: str | None) -> tuple[str | None, str | None]:
    """client_id/client_secret from HTTP Basic (preferred when present) or the form."""
    if authorization and authorization[:6].lower() == "basic ":
        try:
            decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            raise OAuthError("invalid_client", "Bad client credentials", 401)
        cid, sep, secret = decoded.partition(":")
        if not sep:
            raise OAuthError("invalid_client", "Bad client credentials", 401)
        return unquote_plus(cid), unquote_plus(secret)
    return form.get("client_id") or None, form.get("client_secret") or None


def authenticate_client(registry: Registry, client_id: str | None,
                        client_secret: str | None) -> Client:
    if not client_id:
        raise OAuthError("invalid_client", "Bad client credentials", 401)
    client = registry.clients.get(client_id)
    if client is None:
        raise OAuthError("invalid_client", "Client not found: %s" % client_id, 401)
    if not client_secret or not _equal(client_secret, client.client_secret):
        raise OAuthError("invalid_client", "Bad client credentials", 401)
    return client


def _equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))



def token_request(registry: Registry, client: Client, form, base_url: str = "") -> dict:
    """Run one /oauth/token request for an authenticated client; return the token JSON."""
    grant_type = (form.get("grant_type") or "").strip()
    if not grant_type:
        raise OAuthError("unsupported_grant_type", "grant_type is missing")
    if grant_type not in GRANT_TYPES:
        raise OAuthError("unsupported_grant_type", "Unsupported grant type: %s" % grant_type)
    requested = _token_scopes(form.get("scope"), grant_type)
    with registry.lock:
        if grant_type == "authorization_code":
            return grant_authorization_code(registry, client, form.get("code"),
                                            form.get("redirect_uri"), requested, base_url)
        if grant_type == "client_credentials":
            return grant_client_credentials(registry, client, requested)
        return grant_refresh_token(registry, client, form.get("refresh_token"), requested,
                                   form.get("revoke_old"), form.get("expires_in"))


def _token_scopes(scope_param: str | None, grant_type: str) -> list[str] | None:
    """ORCID's token endpoint: unknown scope -> 401 invalid_scope; client-credential scopes
    are dropped from user grants and user scopes from client_credentials; orcid-grants is
    renamed funding. None means 'no scope parameter'."""
    if scope_param is None or not scope_param.strip():
        return None
    kept: list[str] = []
    for scope in S.parse(scope_param):
        scope = scope.replace("orcid-grants", "funding")
        if not S.is_known(scope):
            raise OAuthError("invalid_scope", "Invalid scope: %s" % scope, 401)
        is_cc = scope in S.CLIENT_CREDENTIALS
        if (grant_type == "client_credentials") == is_cc:
            kept.append(scope)
    return list(dict.fromkeys(kept))


def grant_authorization_code(registry: Registry, client: Client, code_value: str | None,
                             redirect_uri: str | None, requested: list[str] | None,
                             base_url: str = "") -> dict:
    if not code_value:
        raise OAuthError("invalid_request", "An authorization code must be supplied.")
    code = registry.codes.get(code_value)
    if code is None:
        raise OAuthError("invalid_grant", "Invalid authorization code: %s" % code_value)
    if code.client_id != client.client_id:
        raise OAuthError("invalid_client", "Client ID mismatch", 401)
    if code.used:
        # Someone replayed the code: the tokens it produced can no longer be trusted.
        for token in list(registry.tokens.values()):
            if token.from_code == code.code:
                registry.revoke_token(token)
        raise OAuthError("invalid_grant", "Reused authorization code: %s" % code_value)
    if registry.now() - code.created > timedelta(seconds=CODE_SECONDS):
        registry.use_code(code)
        raise OAuthError("invalid_grant", "Invalid authorization code: %s" % code_value)
    registry.use_code(code)
    if redirect_uri is not None and redirect_uri != code.redirect_uri:
        raise OAuthError("invalid_grant", "Redirect URI mismatch.")
    record = registry.records.get(code.orcid)
    if record is None or record.state not in USABLE_STATES:
        raise OAuthError("unauthorized_client", "The ORCID record %s is %s" % (
            code.orcid, record.state if record else "gone"))
    granted = _narrowed(code.scopes, requested, "Invalid scope: %s (not granted with this "
                        "authorization code)")
    seconds = PERSISTENT_TOKEN_SECONDS if client.persistent_tokens else WRITE_TOKEN_SECONDS
    token = registry.issue_token(client.client_id, code.orcid, granted, expires_in=seconds,
                                 from_code=code.code)
    extra = None
    if "openid" in granted:
        extra = id_token(registry, token, base_url, nonce=code.nonce, auth_time=code.created)
    return token_json(registry, token, id_token_value=extra)


def _narrowed(held, requested: list[str] | None, refusal: str) -> list[str]:
    """The scopes a new token gets: those held, or the requested ones if each is held
    (or implied by one held); else invalid_scope with ``refusal`` naming the first that is not."""
    if not requested:
        return list(held)
    allowed = S.expand(held)
    for scope in requested:
        if scope not in allowed:
            raise OAuthError("invalid_scope", refusal % scope)
    return requested


def grant_client_credentials(registry: Registry, client: Client,
                             requested: list[str] | None) -> dict:
    if not requested:
        raise OAuthError("invalid_scope", "Invalid scope (none)")
    allowed = S.allowed_for(client.type)
    for scope in requested:
        if scope not in allowed:
            raise OAuthError("invalid_scope", "Invalid scope: %s" % scope)
    token = registry.issue_token(client.client_id, None, requested,
                                 expires_in=PERSISTENT_TOKEN_SECONDS)
    return token_json(registry, token)


def grant_refresh_token(registry: Registry, client: Client, refresh_value: str | None,
                        requested: list[str] | None, revoke_old: str | None = None,
                        expires_in: str | None = None) -> dict:
    if not refresh_value:
        raise OAuthError("invalid_request", "Missing refresh_token parameter")
    parent = registry.refresh_tokens.get(refresh_value)
    if parent is None:
        raise OAuthError("unauthorized_client", "Unable to find refresh token")
    if parent.client_id != client.client_id:
        raise OAuthError("invalid_request", "This token does not belong to the given client")
    if expires_at(parent) <= registry.now():
        raise OAuthError("unauthorized_client", "Access token expired: %s" % parent.access_token)
    if parent.revoked or parent.user_revoked:
        raise OAuthError("unauthorized_client", "Parent token is disabled")
    granted = _narrowed(parent.scopes, requested, "The given scope '%s' is not allowed for "
                        "the parent token")
    remaining = remaining_seconds(registry, parent)
    seconds = remaining
    if expires_in not in (None, ""):
        try:
            wanted = int(expires_in)
        except ValueError:
            raise OAuthError("invalid_request", "%s is not a number" % expires_in)
        if wanted < 0 or wanted > remaining:
            raise OAuthError("invalid_request", "Token expiration can't be after %s"
                             % expires_at(parent).isoformat())
        if wanted > 0:
            seconds = wanted
    revoke = True if revoke_old in (None, "") else revoke_old.strip().lower() == "true"
    if revoke:
        registry.revoke_token(parent)
    token = registry.issue_token(client.client_id, parent.orcid, granted, expires_in=seconds,
                                 from_code=parent.from_code, parent=parent.access_token)
    return token_json(registry, token)


def token_json(registry: Registry, token: Token, id_token_value: str | None = None) -> dict:
    """ORCID's /oauth/token body, keys in ORCID's order."""
    body = {"access_token": token.access_token, "token_type": "bearer",
            "refresh_token": token.refresh_token, "expires_in": token.expires_in,
            "scope": " ".join(token.scopes)}
    if token.orcid is not None:
        record = registry.records.get(token.orcid)
        body["name"] = public_display_name(record) if record else ""
    body["orcid"] = token.orcid
    if id_token_value is not None:
        body["id_token"] = id_token_value
    return body


def public_display_name(record: Record) -> str:
    if record.name_visibility != "public":
        return ""
    return record.display_name


# ============================================================== revoke
def revoke(registry: Registry, client: Client, token_value: str | None) -> bool:
    """POST /oauth/revoke: access or refresh token; revokes the pair. Unknown tokens and
    other clients' tokens are ignored. Returns whether something was revoked."""
    if not token_value:
        raise OAuthError("invalid_request", "Missing token parameter")
    with registry.lock:
        token = registry.tokens.get(token_value) or registry.refresh_tokens.get(token_value)
        if token is None or token.client_id != client.client_id or token.revoked:
            return False
        registry.revoke_token(token)
        return True


def revoke_client_access(registry: Registry, orcid: str, client_id: str) -> int:
    """The researcher removes a client from their trusted organizations: every token that
    client holds for this record stops working. Returns how many were live."""
    with registry.lock:
        live = [t for t in registry.tokens.values() if t.orcid == orcid
                and t.client_id == client_id and is_active(registry, t)]
        registry.revoke_client_access(orcid, client_id)
        return len(live)
