"""/oauth/authorize: checking an authorize request, and what the researcher's Authorize, Deny
or a silent prompt=none sign-in redirects the browser to (facts §3).

Plain Python (no Flask): ``web/oauth_routes.py`` only parses HTTP and renders what these
functions return or raise. Errors are ``OAuthError(error, description, status)``, shown on an
HTML page (never redirected).
"""
from __future__ import annotations

from dataclasses import dataclass

from ..registry.errors import OAuthError
from ..registry.model import Client, Record
from ..registry.store import Registry
from . import scopes as S
from .lifetimes import IMPLICIT_TOKEN_SECONDS, is_active
from .openid import id_token
from .redirects import add_fragment, add_query, redirect_registered
from .tokens import USABLE_STATES

IMPLICIT_SCOPES = frozenset({"/authenticate", "openid"})
RESPONSE_TYPES = ("code", "token", "id_token token", "id_token")


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
