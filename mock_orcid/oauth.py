"""ORCID's OAuth 2.0 / OpenID Connect rules in plain Python (no Flask).

The web layer (``web/oauth_routes.py``) only parses HTTP and renders what these functions
return or raise. Every rule here follows facts §3: redirect_uri matching, scope checks at
/oauth/authorize and /oauth/token, the three token grants, revoke, the token JSON in
ORCID's key order, and the OpenID id_token / discovery / JWKS / userinfo documents.

Errors are ``OAuthError(error, description, status)``. At /oauth/authorize they are shown on
an HTML page (never redirected); at /oauth/token they are the JSON body.
"""
from __future__ import annotations

import base64
import hashlib
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote, unquote_plus, urlencode, urlsplit, urlunsplit

from . import scopes as S
from .errors import OAuthError
from .model import Client, Record, Token
from .registry import CLIENT_TOKEN_SECONDS, Registry

CODE_SECONDS = 1440 * 60          # authorization code life (ORCID default 1440 min)
WRITE_TOKEN_SECONDS = 3599        # non-persistent clients: 3600 s, shown as 3599
IMPLICIT_TOKEN_SECONDS = 599      # implicit: 600 s, shown as 599
ID_TOKEN_SECONDS = 24 * 3600
IMPLICIT_SCOPES = frozenset({"/authenticate", "openid"})
RESPONSE_TYPES = ("code", "token", "id_token token", "id_token")
USABLE_STATES = ("active",)
MEMBER_TYPES = ("member", "premium")
GRANT_TYPES = ("authorization_code", "client_credentials", "refresh_token")


# ============================================================== redirect_uri matching
def clean_path(path: str) -> str:
    """Spring's StringUtils.cleanPath: '\\' -> '/', drop '.' segments, resolve '..'."""
    path = (path or "").replace("\\", "/")
    if not path:
        return ""
    parts = path.split("/")
    out: list[str] = []
    for part in parts:
        if part == ".":
            continue
        if part == ".." and out and out[-1] not in ("", ".."):
            out.pop()
            continue
        out.append(part)
    return "/".join(out)


def redirect_matches(requested: str, registered: str) -> bool:
    """ORCID's OrcidOauthRedirectResolver: scheme, user-info and port identical, host identical
    (or a sub-domain of the registered host), and the requested path starts with the registered
    path. The query string is free. A missing port only matches a missing port."""
    try:
        req, reg = urlsplit(requested), urlsplit(registered.strip())
        req_port, reg_port = req.port, reg.port
    except ValueError:
        return False
    if not req.scheme or not req.netloc:
        return False
    user_req = req.netloc.rpartition("@")[0] if "@" in req.netloc else None
    user_reg = reg.netloc.rpartition("@")[0] if "@" in reg.netloc else None
    host_req, host_reg = req.hostname, reg.hostname
    host_ok = host_req == host_reg or (host_req is not None and host_reg is not None
                                       and host_req.endswith("." + host_reg))
    return (req.scheme == reg.scheme and user_req == user_reg and host_ok
            and req_port == reg_port
            and clean_path(req.path).startswith(clean_path(reg.path)))


def redirect_registered(client: Client, requested: str) -> bool:
    return any(redirect_matches(requested, uri) for uri in client.redirect_uris)


def add_query(uri: str, params: list[tuple[str, str]]) -> str:
    """Append parameters to the redirect URI's query (keeping what it has); '%20' for spaces."""
    parts = urlsplit(uri)
    extra = urlencode(params, quote_via=quote)
    query = "%s&%s" % (parts.query, extra) if parts.query else extra
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def add_fragment(uri: str, params: list[tuple[str, str]]) -> str:
    parts = urlsplit(uri)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query,
                       urlencode(params, quote_via=quote)))


# ============================================================== /oauth/authorize
@dataclass
class AuthorizeRequest:
    client: Client
    response_type: str
    scopes: tuple[str, ...]          # as requested, OIDC words dropped, order kept
    redirect_uri: str
    state: str | None = None
    nonce: str | None = None
    prompt: str | None = None

    @property
    def implicit(self) -> bool:
        return self.response_type != "code"

    @property
    def scope_string(self) -> str:
        return " ".join(self.scopes)

    def params(self) -> dict:
        """The request again, as query/form parameters (for the approval form)."""
        out = {"client_id": self.client.client_id, "response_type": self.response_type,
               "scope": self.scope_string, "redirect_uri": self.redirect_uri}
        for key in ("state", "nonce", "prompt"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        return out


def _normalize_response_type(value: str) -> str:
    return " ".join(sorted(value.split(), key=lambda w: (w != "id_token", w)))


def validate_authorize(registry: Registry, params) -> AuthorizeRequest:
    """Check an authorize request. Raises OAuthError (status 400) for the error page."""
    get = lambda k: (params.get(k) or "").strip() or None  # noqa: E731
    client_id = get("client_id")
    if client_id is None:
        raise OAuthError("invalid_request", "Missing client_id parameter")
    client = registry.clients.get(client_id)
    if client is None:
        raise OAuthError("invalid_client", "Client not found: %s" % client_id)
    redirect_uri = get("redirect_uri")
    if redirect_uri is None:
        raise OAuthError("invalid_request", "Missing redirect_uri parameter; it must match one "
                         "of the client's registered redirect URIs")
    if not client.redirect_uris:
        raise OAuthError("invalid_request", "At least one redirect_uri must be registered with "
                         "the client.")
    if not redirect_registered(client, redirect_uri):
        raise OAuthError("invalid_grant", "Redirect URI mismatch: %s does not match a registered "
                         "redirect URI of client %s (%s)" % (
                             redirect_uri, client_id, ", ".join(client.redirect_uris)))
    response_type = get("response_type")
    if response_type is None:
        raise OAuthError("invalid_request", "Missing response_type parameter (use 'code')")
    response_type = _normalize_response_type(response_type)
    if response_type not in RESPONSE_TYPES:
        raise OAuthError("unsupported_response_type",
                         "Unsupported response type: %s" % response_type)
    raw = get("scope")
    if raw is None:
        raise OAuthError("invalid_scope", "Missing scope parameter")
    requested = [s for s in S.parse(raw) if s not in S.IGNORED_OIDC]
    allowed = S.allowed_for(client.type)
    for scope in requested:
        if not S.is_known(scope) or scope in S.CLIENT_CREDENTIALS or scope not in allowed:
            raise OAuthError("invalid_scope", "Invalid scope: %s" % scope)
    if not requested:
        raise OAuthError("invalid_scope", "Invalid scope (none)")
    if response_type != "code":
        for scope in requested:
            if scope not in IMPLICIT_SCOPES:
                raise OAuthError("invalid_scope", "Invalid scope: %s (only /authenticate and "
                                 "openid may be granted through the implicit flow)" % scope)
        if "id_token" in response_type and "openid" not in requested:
            raise OAuthError("invalid_scope", "response_type %s needs the openid scope"
                             % response_type)
    return AuthorizeRequest(client=client, response_type=response_type,
                            scopes=tuple(requested), redirect_uri=redirect_uri,
                            state=params.get("state") or None, nonce=params.get("nonce") or None,
                            prompt=get("prompt"))


def user_for_authorize(registry: Registry, orcid: str) -> Record:
    record = registry.records.get((orcid or "").strip())
    if record is None:
        raise OAuthError("invalid_request", "No user with ORCID iD %s in the mock registry" % orcid)
    if record.state not in USABLE_STATES:
        raise OAuthError("access_denied", "The record %s is %s and cannot sign in"
                         % (record.orcid, record.state))
    return record


def _state_param(req: AuthorizeRequest) -> list[tuple[str, str]]:
    return [("state", req.state)] if req.state is not None else []


def approve(registry: Registry, req: AuthorizeRequest, orcid: str, base_url: str = "") -> str:
    """The researcher clicked Authorize: the URL to redirect the browser to."""
    with registry.lock:
        record = user_for_authorize(registry, orcid)
        if req.response_type == "code":
            code = registry.issue_code(req.client.client_id, record.orcid, req.scopes,
                                       req.redirect_uri, req.nonce)
            return add_query(req.redirect_uri, [("code", code.code)] + _state_param(req))
        # implicit
        token = registry.issue_token(req.client.client_id, record.orcid, req.scopes,
                                     expires_in=IMPLICIT_TOKEN_SECONDS)
        fragment: list[tuple[str, str]] = []
        if "token" in req.response_type.split():
            fragment += [("access_token", token.access_token), ("token_type", "bearer"),
                         ("expires_in", str(token.expires_in)), ("tokenVersion", "1"),
                         ("persistent", "false")]
        if "openid" in req.scopes:
            fragment.append(("id_token", id_token(registry, token, base_url, nonce=req.nonce,
                                                  auth_time=token.issued)))
        return add_fragment(req.redirect_uri, fragment + _state_param(req))


def deny(req: AuthorizeRequest) -> str:
    return add_query(req.redirect_uri, [("error", "access_denied"),
                                        ("error_description", "User denied")] + _state_param(req))


def prompt_none(registry: Registry, req: AuthorizeRequest, orcid: str | None,
                base_url: str = "") -> str:
    """prompt=none: no page may be shown. Without a signed-in user -> login_required; if the
    user has not yet granted these scopes to the client -> interaction_required."""
    if not orcid:
        return add_query(req.redirect_uri, [("error", "login_required")] + _state_param(req))
    if not has_live_grant(registry, orcid, req.client.client_id, req.scopes):
        return add_query(req.redirect_uri, [("error", "interaction_required")]
                         + _state_param(req))
    return approve(registry, req, orcid, base_url)


def has_live_grant(registry: Registry, orcid: str, client_id: str, scopes) -> bool:
    wanted = S.expand(scopes)
    with registry.lock:
        return any(t.orcid == orcid and t.client_id == client_id and is_active(registry, t)
                   and wanted <= S.expand(t.scopes) for t in registry.tokens.values())


# ============================================================== client authentication
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
    import hmac
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


# ============================================================== token state
def expires_at(token: Token) -> datetime:
    return token.issued + timedelta(seconds=token.expires_in)


def remaining_seconds(registry: Registry, token: Token) -> int:
    return max(0, int((expires_at(token) - registry.now()).total_seconds()))


def is_active(registry: Registry, token: Token) -> bool:
    return (not token.revoked and not token.user_revoked
            and expires_at(token) > registry.now())


def _revoke(token: Token) -> None:
    token.revoked = True


# ============================================================== /oauth/token
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
                _revoke(token)
        raise OAuthError("invalid_grant", "Reused authorization code: %s" % code_value)
    if registry.now() - code.created > timedelta(seconds=CODE_SECONDS):
        code.used = True
        raise OAuthError("invalid_grant", "Invalid authorization code: %s" % code_value)
    code.used = True
    if redirect_uri is not None and redirect_uri != code.redirect_uri:
        raise OAuthError("invalid_grant", "Redirect URI mismatch.")
    record = registry.records.get(code.orcid)
    if record is None or record.state not in USABLE_STATES:
        raise OAuthError("unauthorized_client", "The ORCID record %s is %s" % (
            code.orcid, record.state if record else "gone"))
    granted = list(code.scopes)
    if requested:
        allowed = S.expand(code.scopes)
        for scope in requested:
            if scope not in allowed:
                raise OAuthError("invalid_scope", "Invalid scope: %s (not granted with this "
                                 "authorization code)" % scope)
        granted = requested
    seconds = CLIENT_TOKEN_SECONDS if client.persistent_tokens else WRITE_TOKEN_SECONDS
    token = registry.issue_token(client.client_id, code.orcid, granted, expires_in=seconds,
                                 from_code=code.code)
    extra = None
    if "openid" in granted:
        extra = id_token(registry, token, base_url, nonce=code.nonce, auth_time=code.created)
    return token_json(registry, token, id_token_value=extra)


def grant_client_credentials(registry: Registry, client: Client,
                             requested: list[str] | None) -> dict:
    if not requested:
        raise OAuthError("invalid_scope", "Invalid scope (none)")
    allowed = S.allowed_for(client.type)
    for scope in requested:
        if scope not in allowed:
            raise OAuthError("invalid_scope", "Invalid scope: %s" % scope)
    token = registry.issue_token(client.client_id, None, requested,
                                 expires_in=CLIENT_TOKEN_SECONDS)
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
    granted = list(parent.scopes)
    if requested:
        allowed = S.expand(parent.scopes)
        for scope in requested:
            if scope not in allowed:
                raise OAuthError("invalid_scope", "The given scope '%s' is not allowed for the "
                                 "parent token" % scope)
        granted = requested
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
        _revoke(parent)
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
        _revoke(token)
        return True


def revoke_client_access(registry: Registry, orcid: str, client_id: str) -> int:
    """The researcher removes a client from their trusted organizations: every token that
    client holds for this record stops working. Returns how many were live."""
    count = 0
    with registry.lock:
        for token in registry.tokens.values():
            if token.orcid == orcid and token.client_id == client_id and not token.user_revoked:
                if is_active(registry, token):
                    count += 1
                token.user_revoked = True
    return count


# ============================================================== OpenID Connect
_KEY_LOCK = threading.Lock()
_KEY: dict = {}


def signing_key():
    """(private key, kid): one RSA key per process, made on first use."""
    with _KEY_LOCK:
        if not _KEY:
            from cryptography.hazmat.primitives.asymmetric import rsa
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            numbers = key.public_key().public_numbers()
            kid = "mock-orcid-" + hashlib.sha256(
                _b64int(numbers.n).encode("ascii")).hexdigest()[:16]
            _KEY.update(key=key, kid=kid)
        return _KEY["key"], _KEY["kid"]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64int(value: int) -> str:
    return _b64(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def jwks() -> dict:
    key, kid = signing_key()
    numbers = key.public_key().public_numbers()
    return {"keys": [{"kty": "RSA", "e": _b64int(numbers.e), "use": "sig", "kid": kid,
                      "alg": "RS256", "n": _b64int(numbers.n)}]}


def at_hash(access_token: str) -> str:
    digest = hashlib.sha256(access_token.encode("ascii")).digest()
    return _b64(digest[:len(digest) // 2])


def id_token(registry: Registry, token: Token, issuer: str, nonce: str | None = None,
             auth_time: datetime | None = None) -> str:
    import jwt
    record = registry.record(token.orcid)
    client = registry.clients.get(token.client_id)
    now = registry.now()
    iat = int(now.timestamp())
    claims = {"at_hash": at_hash(token.access_token), "aud": token.client_id,
              "sub": record.orcid, "auth_time": int((auth_time or now).timestamp()),
              "iss": issuer.rstrip("/"), "exp": iat + ID_TOKEN_SECONDS, "iat": iat,
              "jti": str(uuid.uuid4())}
    if nonce is not None:
        claims["nonce"] = nonce
    if client is not None and client.type in MEMBER_TYPES:
        claims["amr"] = "pwd"
    if record.name_visibility == "public":
        if record.credit_name:
            claims["name"] = record.credit_name
        if record.given_names:
            claims["given_name"] = record.given_names
        if record.family_name:
            claims["family_name"] = record.family_name
    key, kid = signing_key()
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def discovery(base_url: str) -> dict:
    base = base_url.rstrip("/")
    return {
        "issuer": base,
        "authorization_endpoint": base + "/oauth/authorize",
        "token_endpoint": base + "/oauth/token",
        "userinfo_endpoint": base + "/oauth/userinfo",
        "jwks_uri": base + "/oauth/jwks",
        "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "claims_supported": ["family_name", "given_name", "name", "auth_time", "iss", "sub"],
        "scopes_supported": ["openid"],
        "subject_types_supported": ["public"],
        "response_types_supported": ["code", "id_token", "id_token token"],
        "claims_parameter_supported": False,
        "token_endpoint_auth_methods_supported": ["client_secret_post"],
        "grant_types_supported": ["authorization_code", "implicit", "refresh_token"],
    }


class UserInfoError(Exception):
    """403 {"error":"access_denied","error-description":"access_token is invalid"} (hyphen!)."""
    status = 403

    def as_dict(self) -> dict:
        return {"error": "access_denied", "error-description": "access_token is invalid"}


def userinfo(registry: Registry, access_token: str | None, registry_url: str) -> dict:
    with registry.lock:
        token = registry.tokens.get(access_token or "")
        if (token is None or token.orcid is None or not is_active(registry, token)
                or "/authenticate" not in S.expand(token.scopes)):
            raise UserInfoError()
        record = registry.records.get(token.orcid)
        if record is None:
            raise UserInfoError()
        public = record.name_visibility == "public"
        return {"id": "%s/%s" % (registry_url.rstrip("/"), record.orcid), "sub": record.orcid,
                "name": record.credit_name if public else None,
                "family_name": record.family_name if public else None,
                "given_name": record.given_names if public else None}
