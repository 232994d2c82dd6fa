"""OAuth 2.0 and OpenID Connect endpoints (facts §3): the sign-in/consent page, /oauth/token,
/oauth/revoke, /oauth/userinfo, /oauth/jwks and /.well-known/openid-configuration.

The rules live in ``mock_orcid.oauth``; this module only speaks HTTP. JSON bodies are written
with ``json.dumps`` so ORCID's key order survives (Flask's jsonify would sort the keys).
"""
from __future__ import annotations

import json

from flask import Blueprint, Response, render_template_string, request

from .. import oauth
from ..errors import OAuthError

bp = Blueprint("oauth", __name__)

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _state():
    from .app import state
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
            req = oauth.validate_authorize(registry, request.args)
            login_as = (request.args.get("login_as") or "").strip() or None
            if req.prompt == "none":
                return _redirect(oauth.prompt_none(registry, req, login_as, st.base_url))
            if login_as:
                return _redirect(oauth.approve(registry, req, login_as, st.base_url))
            users = [r for r in registry.records.values() if r.state in oauth.USABLE_STATES]
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
            req = oauth.validate_authorize(registry, form)
            action = form.get("action", "")
            if action == "deny":
                return _redirect(oauth.deny(req))
            if action == "create":
                given = (form.get("given_names") or "").strip()
                if not given:
                    raise OAuthError("invalid_request", "Given names are needed to create a "
                                     "test user")
                family = (form.get("family_name") or "").strip() or None
                email = (form.get("email") or "").strip() or None
                record = registry.create_user(given_names=given, family_name=family, email=email)
                return _redirect(oauth.approve(registry, req, record.orcid, st.base_url))
            if action == "authorize":
                orcid = (form.get("orcid") or "").strip()
                if not orcid:
                    raise OAuthError("invalid_request", "Choose a user to sign in as")
                return _redirect(oauth.approve(registry, req, orcid, st.base_url))
            raise OAuthError("invalid_request", "Unknown action %r" % action)
    except OAuthError as err:
        return _error_page(err)


def _error_page(err: OAuthError) -> Response:
    html = render_template_string(ERROR_PAGE, error=err.error, description=err.description)
    return Response(html, status=400, mimetype="text/html")


def _consent_page(req: oauth.AuthorizeRequest, users, prefill) -> Response:
    chosen = (prefill.get("orcid") or "").strip()
    html = render_template_string(
        CONSENT_PAGE, req=req, client=req.client, users=users, hidden=req.params(),
        chosen=chosen or (users[0].orcid if users else ""),
        given=prefill.get("given_names", ""), family=prefill.get("family_names", ""),
        email=prefill.get("email", ""), scope_text=SCOPE_TEXT)
    return Response(html, status=200, mimetype="text/html", headers=NO_STORE)


# ====================================================================== /oauth/token
@bp.route("/oauth/token", methods=["POST"])
def token():
    st = _state()
    registry = st.registry
    try:
        cid, secret = oauth.client_credentials_from(request.form,
                                                    request.headers.get("Authorization"))
        client = oauth.authenticate_client(registry, cid, secret)
        body = oauth.token_request(registry, client, request.form, st.base_url)
    except OAuthError as err:
        return _json(err.as_dict(), err.status, NO_STORE)
    return _json(body, 200, NO_STORE)


@bp.route("/oauth/revoke", methods=["POST"])
def revoke():
    registry = _state().registry
    try:
        cid, secret = oauth.client_credentials_from(request.form,
                                                    request.headers.get("Authorization"))
        client = oauth.authenticate_client(registry, cid, secret)
        oauth.revoke(registry, client, request.form.get("token"))
    except OAuthError as err:
        return _json(err.as_dict(), err.status, NO_STORE)
    return Response("", status=200, headers=NO_STORE)


# ====================================================================== OpenID Connect
@bp.route("/.well-known/openid-configuration", methods=["GET"])
def openid_configuration():
    return _json(oauth.discovery(_state().base_url))


@bp.route("/oauth/jwks", methods=["GET"])
def jwks():
    return _json(oauth.jwks())


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
        body = oauth.userinfo(st.registry, value, st.settings.registry_url)
    except oauth.UserInfoError as err:
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

_STYLE = """
<style>
  body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; background: #f4f6f4;
         color: #2e2e2e; margin: 0; }
  header { background: #fff; border-bottom: 3px solid #a6ce39; padding: 12px 24px; }
  header b { color: #a6ce39; font-size: 1.3em; letter-spacing: .5px; }
  header span { color: #777; margin-left: 8px; font-size: .9em; }
  main { max-width: 560px; margin: 32px auto; background: #fff; border-radius: 6px;
         box-shadow: 0 1px 4px rgba(0,0,0,.12); padding: 24px 28px; }
  h1 { font-size: 1.25em; margin-top: 0; }
  ul.scopes { padding-left: 20px; } ul.scopes code { color: #777; font-size: .85em; }
  fieldset { border: 1px solid #ddd; border-radius: 4px; margin: 16px 0; padding: 8px 14px; }
  legend { font-weight: 600; padding: 0 6px; }
  label.user { display: block; padding: 6px 0; cursor: pointer; }
  label.user small { color: #777; font-family: monospace; }
  input[type=text], input[type=email] { width: 100%; box-sizing: border-box; padding: 6px;
         margin: 4px 0 8px; border: 1px solid #ccc; border-radius: 3px; }
  button { border: 0; border-radius: 3px; padding: 9px 18px; font-size: 1em; cursor: pointer; }
  button.ok { background: #a6ce39; color: #fff; } button.no { background: #e0e0e0; }
  .actions { display: flex; gap: 10px; }
  .error { border-left: 4px solid #d9534f; padding: 8px 12px; background: #fdf3f3; }
  footer { text-align: center; color: #999; font-size: .8em; margin-bottom: 24px; }
</style>
"""

CONSENT_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Authorize access - mock ORCID</title>
""" + _STYLE + """</head><body>
<header><b>iD</b><span>mock ORCID &mdash; sign in / authorize</span></header>
<main>
  <h1>{{ client.name }} has asked for the following access to your ORCID record</h1>
  <ul class="scopes">
  {% for s in req.scopes %}<li>{{ scope_text.get(s, s) }} <code>{{ s }}</code></li>{% endfor %}
  </ul>
  <form method="post" action="">
    {% for k, v in hidden.items() %}<input type="hidden" name="{{ k }}" value="{{ v }}">
    {% endfor %}
    <fieldset><legend>Sign in as</legend>
    {% for u in users %}
      <label class="user"><input type="radio" name="orcid" value="{{ u.orcid }}"
        {% if u.orcid == chosen %}checked{% endif %}> {{ u.display_name }}
        <small>{{ u.orcid }}</small></label>
    {% else %}<p>No users yet: create one below.</p>{% endfor %}
    </fieldset>
    <div class="actions">
      <button class="ok" type="submit" name="action" value="authorize">Authorize access</button>
      <button class="no" type="submit" name="action" value="deny">Deny access</button>
    </div>
  </form>
  <form method="post" action="">
    {% for k, v in hidden.items() %}<input type="hidden" name="{{ k }}" value="{{ v }}">
    {% endfor %}
    <fieldset><legend>Or register a new test user and authorize</legend>
      <label>Given names <input type="text" name="given_names" value="{{ given }}" required></label>
      <label>Family name <input type="text" name="family_name" value="{{ family }}"></label>
      <label>Email (optional) <input type="email" name="email" value="{{ email }}"></label>
      <button class="ok" type="submit" name="action" value="create">Register and authorize</button>
    </fieldset>
  </form>
  <p><small>Redirects to <code>{{ req.redirect_uri }}</code>.
    Skip this page with <code>&amp;login_as=&lt;ORCID iD&gt;</code>.</small></p>
</main>
<footer>mock-orcid: a local test double, not ORCID</footer>
</body></html>
"""

ERROR_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Oauth Error - mock ORCID</title>
""" + _STYLE + """</head><body>
<header><b>iD</b><span>mock ORCID</span></header>
<main>
  <h1>Oops, something went wrong</h1>
  <div class="error"><p><b>error=</b><code id="error">{{ error }}</code></p>
  <p><b>error_description=</b><span id="error_description">{{ description }}</span></p></div>
</main>
<footer>mock-orcid: a local test double, not ORCID</footer>
</body></html>
"""
