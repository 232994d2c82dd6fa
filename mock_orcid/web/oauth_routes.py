"""OAuth 2.0 and OpenID Connect endpoints (facts §3): the sign-in/consent page, /oauth/token,
/oauth/revoke, /oauth/userinfo, /oauth/jwks and /.well-known/openid-configuration.

The rules live in ``mock_orcid.oauth``; the pages in ``templates/``; this module only speaks HTTP. JSON bodies are written
with ``json.dumps`` so ORCID's key order survives (Flask's jsonify would sort the keys).
"""
from __future__ import annotations

import json

from flask import Blueprint, Response, render_template, request

from ..oauth import authorize as flows
from ..oauth import openid, tokens
from ..registry.errors import OAuthError
from .context import state

bp = Blueprint("oauth", __name__)

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _state():
    return state()


def _json(body, status: int = 200, headers: dict | None = None) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json",
                    headers=headers or {})


def _redirect(location: str) -> Response:
    # Built by hand: the Location must be exactly what the client will parse.
    return Response("", status=302, headers={"Location": location, **NO_STORE})


# ====================================================================== /oauth/authorize
@bp.route("/oauth/authorize", methods=["GET"])
def authorize():
    st = _state()
    registry = st.registry
    try:
        with registry.lock:
            req = flows.validate_authorize(registry, request.args)
            login_as = (request.args.get("login_as") or "").strip() or None
            if req.prompt == "none":
                return _redirect(flows.prompt_none(registry, req, login_as, st.base_url))
            if login_as:
                return _redirect(flows.approve(registry, req, login_as, st.base_url))
            users = [r for r in registry.records.values() if r.state in tokens.USABLE_STATES]
    except OAuthError as err:
        return _error_page(err)
    return _consent_page(req, users, prefill=request.args)


@bp.route("/oauth/authorize", methods=["POST"])
def authorize_decision():
    st = _state()
    registry = st.registry
    form = request.form
    try:
        with registry.lock:
            req = flows.validate_authorize(registry, form)
            action = form.get("action", "")
            if action == "deny":
                return _redirect(flows.deny(req))
            if action == "create":
                given = (form.get("given_names") or "").strip()
                if not given:
                    raise OAuthError("invalid_request", "Given names are needed to create a "
                                     "test user")
                family = (form.get("family_name") or "").strip() or None
                email = (form.get("email") or "").strip() or None
                record = registry.create_user(given_names=given, family_name=family, email=email)
                return _redirect(flows.approve(registry, req, record.orcid, st.base_url))
            if action == "authorize":
                orcid = (form.get("orcid") or "").strip()
                if not orcid:
                    raise OAuthError("invalid_request", "Choose a user to sign in as")
                return _redirect(flows.approve(registry, req, orcid, st.base_url))
            raise OAuthError("invalid_request", "Unknown action %r" % action)
    except OAuthError as err:
        return _error_page(err)


def _error_page(err: OAuthError) -> Response:
    html = render_template("oauth_error.html", error=err.error, description=err.description)
    return Response(html, status=400, mimetype="text/html")


def _consent_page(req: flows.AuthorizeRequest, users, prefill) -> Response:
    chosen = (prefill.get("orcid") or "").strip()
    html = render_template(
        "consent.html", req=req, client=req.client, users=users, hidden=req.params(),
        chosen=chosen or (users[0].orcid if users else ""),
        given=prefill.get("given_names", ""), family=prefill.get("family_names", ""),
        email=prefill.get("email", ""), scope_text=SCOPE_TEXT)
    return Response(html, status=200, mimetype="text/html", headers=NO_STORE)


# ====================================================================== /oauth/token
# ORCID serves the token endpoint on the public API host too (python-orcid's PublicAPI and
# django-allauth post to /pub/oauth/token style URLs when configured with the pub base).
@bp.route("/oauth/token", methods=["POST"])
@bp.route("/pub/oauth/token", methods=["POST"])
def token():
    st = _state()
    registry = st.registry
    if request.mimetype == "application/json":
        # ORCID takes form bodies only; a JSON body is refused before any client check.
        return _json({"error": "unsupported_media_type",
                      "error_description": "Content-Type 'application/json' is not supported; "
                      "send application/x-www-form-urlencoded"}, 415, NO_STORE)
    try:
        cid, secret = tokens.client_credentials_from(request.form,
                                                    request.headers.get("Authorization"))
        client = tokens.authenticate_client(registry, cid, secret)
        body = tokens.token_request(registry, client, request.form, st.base_url)
    except OAuthError as err:
        return _json(err.as_dict(), err.status, NO_STORE)
    return _json(body, 200, NO_STORE)


@bp.route("/oauth/revoke", methods=["POST"])
def revoke():
    registry = _state().registry
    try:
        cid, secret = tokens.client_credentials_from(request.form,
                                                    request.headers.get("Authorization"))
        client = tokens.authenticate_client(registry, cid, secret)
        tokens.revoke(registry, client, request.form.get("token"))
    except OAuthError as err:
        return _json(err.as_dict(), err.status, NO_STORE)
    return Response("", status=200, headers=NO_STORE)


# ====================================================================== OpenID Connect
@bp.route("/.well-known/openid-configuration", methods=["GET"])
def openid_configuration():
    return _json(openid.discovery(_state().base_url))


@bp.route("/oauth/jwks", methods=["GET"])
def jwks():
    return _json(openid.jwks())


@bp.route("/oauth/userinfo", methods=["GET", "POST"])
def userinfo():
    st = _state()
    value = None
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        value = header[7:].strip()
    elif request.method == "POST":
        value = request.form.get("access_token")
    try:
        body = openid.userinfo(st.registry, value, st.settings.registry_url)
    except openid.UserInfoError as err:
        return _json(err.as_dict(), err.status)
    return _json(body)


# ====================================================================== templates
SCOPE_TEXT = {
    "/authenticate": "Get your ORCID iD",
    "openid": "Get your ORCID iD (OpenID Connect)",
    "/read-limited": "Read your information with visibility set to Trusted Organizations",
    "/activities/update": "Add/update your research activities (works, affiliations, etc)",
    "/person/update": "Add/update other information about you (country, keywords, etc.)",
    "/activities/read-limited": "Read your research activities with visibility set to "
                                "Trusted Organizations",
    "/person/read-limited": "Read your personal information with visibility set to Trusted "
                            "Organizations",
    "/email/read-private": "Read your private email addresses",
}
