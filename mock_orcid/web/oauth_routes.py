"""OAuth 2.0 and OpenID Connect endpoints (facts §3): the sign-in/consent page, /oauth/token,
/oauth/revoke, /oauth/userinfo, /oauth/jwks and /.well-known/openid-configuration.

The rules live in ``mock_orcid.oauth``; the pages in ``templates/``; this module only speaks HTTP. JSON bodies are written
with ``json.dumps`` so ORCID's key order survives (Flask's jsonify would sort the keys).
"""
from __future__ import annotations

import json
from urllib.parse import urlencode

from flask import Blueprint, Response, render_template, request, session

from ..oauth import authorize as flows
from ..oauth import openid, tokens
from ..oauth import signin as signin_rules
from ..registry.errors import OAuthError
from . import signin
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
TRUE_WORDS = ("true", "1", "yes", "on")


@bp.route("/oauth/authorize", methods=["GET"])
def authorize():
    """ORCID's order: a bad request is an error page; ``login_as`` (the headless shortcut)
    signs in at once; prompt=none never shows a page; a signed-out browser goes to /signin
    and comes back; a signed-in researcher who already granted these scopes is not asked
    again; everyone else sees the consent page."""
    st = _state()
    registry = st.registry
    args = request.args
    try:
        with registry.lock:
            req = flows.validate_authorize(registry, args)
            login_as = (args.get("login_as") or "").strip() or None
            if login_as:
                record = _login_as(registry, login_as, args)
                signin.sign_in(record)
                if req.prompt == "none":
                    return _redirect(flows.prompt_none(registry, req, record.orcid, st.base_url))
                if (args.get("deny") or "").strip().lower() in TRUE_WORDS:
                    return _redirect(flows.deny(req))
                return _redirect(flows.approve(registry, req, record.orcid, st.base_url))
            record = signin.current_record()
            if req.prompt == "none":
                return _redirect(flows.prompt_none(registry, req, record and record.orcid,
                                                   st.base_url))
            query = request.query_string.decode("latin-1")
            if req.prompt == "login" and not session.pop("fresh_login", False):
                return _redirect(signin.signin_url(query))
            if record is None:
                register = (args.get("show_login") or "").strip().lower() == "false"
                return _redirect(signin.signin_url(query, register=register))
            if flows.has_live_grant(registry, record.orcid, req.client.client_id, req.scopes):
                return _redirect(flows.approve(registry, req, record.orcid, st.base_url))
    except OAuthError as err:
        return _error_page(err)
    return _consent_page(req, record, query)


def _login_as(registry, login_as: str, args):
    """``login_as={orcid}``, or ``login_as=new`` for a new Faker user (issue #15's names)."""
    if login_as.lower() == "new":
        get = lambda k: (args.get(k) or "").strip()  # noqa: E731
        given, family, email = (get("given_names"), get("family_name") or get("family_names"),
                                get("email"))
        return _new_user(registry, given, family, email, required=False)
    return flows.user_for_authorize(registry, login_as)


def _new_user(registry, given: str, family: str, email: str, required: bool):
    """A new test user from the register rules (the first refusal is the request's error);
    Faker fills what is left empty."""
    errors = signin_rules.new_account_errors(registry, given, family, email, required=required)
    if errors:
        raise OAuthError("invalid_request", next(iter(errors.values())))
    return registry.create_user(given_names=given or None, family_name=family or None,
                                email=email or None)


@bp.route("/oauth/authorize", methods=["POST"])
def authorize_decision():
    """The consent page's Authorize / Deny. Also still takes the older headless form posts
    (``orcid`` with action=authorize, or action=create with names) for scripts that use them."""
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
                get = lambda k: (form.get(k) or "").strip()  # noqa: E731
                if not get("given_names"):
                    raise OAuthError("invalid_request", "Given names are needed to create a "
                                     "test user")
                record = _new_user(registry, get("given_names"), get("family_name"),
                                   get("email"), required=False)
                signin.sign_in(record)
                return _redirect(flows.approve(registry, req, record.orcid, st.base_url))
            if action == "authorize":
                orcid = (form.get("orcid") or "").strip()
                if not orcid:
                    record = signin.current_record()
                    if record is None:
                        return _redirect(signin.signin_url(urlencode(req.params())))
                    signin.check_csrf()
                    orcid = record.orcid
                return _redirect(flows.approve(registry, req, orcid, st.base_url))
            raise OAuthError("invalid_request", "Unknown action %r" % action)
    except OAuthError as err:
        return _error_page(err)


def _error_page(err: OAuthError) -> Response:
    html = render_template("oauth_error.html", error=err.error, description=err.description)
    return Response(html, status=400, mimetype="text/html", headers=NO_STORE)


def _consent_page(req: flows.AuthorizeRequest, record, query: str) -> Response:
    html = render_template(
        "consent.html", req=req, client=req.client, record=record, hidden=req.params(),
        orcid_url="%s/%s" % (_state().settings.registry_url, record.orcid),
        scopes=consent_scopes(req.scopes), signout_url="/signout?oauth&" + query)
    return Response(html, status=200, mimetype="text/html", headers=NO_STORE)


def consent_scopes(scopes) -> list[dict]:
    """What the consent page lists: ORCID's words, /authenticate and openid said once."""
    out, seen_identity = [], False
    for scope in scopes:
        if scope in ("/authenticate", "openid"):
            if seen_identity:
                continue
            seen_identity = True
        text, long_text, icon = SCOPE_TEXT.get(scope, (scope, "", "view"))
        out.append({"value": scope, "text": text, "long": long_text, "icon": icon})
    return out


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


# ====================================================================== ORCID's words
# scope -> (what the consent page says, the longer explanation, icon kind); ORCID's
# orcid-angular consent component words the first five, its registry the rest.
SCOPE_TEXT = {
    "/authenticate": ("Get your ORCID iD",
                      "Allow this organization or application to get your 16-character ORCID "
                      "iD and read information on your ORCID record you have marked as public.",
                      "orcid"),
    "openid": ("Get your ORCID iD",
               "Allow this organization or application to get your 16-character ORCID iD and "
               "read information on your ORCID record you have marked as public.", "orcid"),
    "/read-limited": ("Read your information with visibility set to Trusted parties",
                      "Allow this organization or application to read any information from "
                      "your record you have marked as limited access. They cannot read "
                      "information you have marked as private.", "view"),
    "/activities/update": ("Add/update your research activities (works, affiliations, etc.)",
                           "Allow this organization or application to add information about "
                           "your research activities (for example, works, affiliations) to "
                           "your ORCID record, and to update what they added; not what you or "
                           "other trusted organizations added.", "update"),
    "/person/update": ("Add/update information about you (country, keywords, etc.)",
                       "Allow this organization or application to add information about you "
                       "(for example, your country, keywords, other identifiers - but not your "
                       "biography) to your ORCID record, and to update what they added.",
                       "update"),
    "/activities/read-limited": ("Read your research activities with visibility set to "
                                 "Trusted parties", "", "view"),
    "/person/read-limited": ("Read your personal information with visibility set to Trusted "
                             "parties", "", "view"),
    "/orcid-works/read-limited": ("Read your works with visibility set to Trusted parties",
                                  "", "view"),
    "/orcid-works/create": ("Add works to your record", "", "update"),
    "/orcid-works/update": ("Update works on your record", "", "update"),
    "/funding/read-limited": ("Read your funding with visibility set to Trusted parties", "",
                              "view"),
    "/funding/create": ("Add funding to your record", "", "update"),
    "/funding/update": ("Update funding on your record", "", "update"),
    "/affiliations/read-limited": ("Read your affiliations with visibility set to Trusted "
                                   "parties", "", "view"),
    "/affiliations/create": ("Add affiliations to your record", "", "update"),
    "/affiliations/update": ("Update affiliations on your record", "", "update"),
    "/peer-review/read-limited": ("Read your peer reviews with visibility set to Trusted "
                                  "parties", "", "view"),
    "/peer-review/create": ("Add peer reviews to your record", "", "update"),
    "/peer-review/update": ("Update peer reviews on your record", "", "update"),
    "/orcid-bio/read-limited": ("Read your personal information with visibility set to "
                                "Trusted parties", "", "view"),
    "/orcid-bio/update": ("Update your personal information", "", "update"),
    "/orcid-bio/external-identifiers/create": ("Add other identifiers to your record", "",
                                               "update"),
    "/email/read-private": ("Read your email addresses, even those set to Only me", "",
                            "view"),
}
