"""The researcher's browser session: /signin, /register, /signout, /my-orcid.

Like ORCID's own pages (its orcid-angular source): ``/oauth/authorize`` sends a signed-out
browser to ``/signin?oauth&<the authorize parameters>``, and signing in (or registering)
sends it back. The session is Flask's signed cookie, named apart from an integrator's own
``session`` cookie (cookies ignore ports, so an app on localhost:5000 would share it).
"""
from __future__ import annotations

import secrets
from urllib.parse import urlencode

from flask import (Blueprint, Response, abort, redirect, render_template, request, session,
                   url_for)

from ..oauth import authorize as flows
from ..oauth import signin as rules
from ..registry import account_fields
from ..registry.errors import OAuthError
from ..registry.model import Record
from .context import state
from .session_cookie import CookieSessions

bp = Blueprint("signin", __name__)

COOKIE = "mock_orcid_session"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
VISIBILITY_WORDS = {"public": "Everyone", "limited": "Trusted parties", "private": "Only me",
                    "registered-only": "Registered users (legacy)"}
TEST_USERS_SHOWN = 50


@bp.record_once
def _configure(setup) -> None:
    app = setup.app
    settings = app.extensions["mock_orcid"].settings
    # A fixed secret keeps sessions across restarts when asked; otherwise one per process.
    app.secret_key = getattr(settings, "session_secret", None) or secrets.token_hex(32)
    app.config.update(SESSION_COOKIE_NAME=COOKIE, SESSION_COOKIE_HTTPONLY=True,
                      SESSION_COOKIE_SAMESITE="Lax")
    app.session_interface = CookieSessions()


# ====================================================================== the session
def current_record() -> Record | None:
    """The signed-in researcher, if the session names one that may still sign in."""
    orcid = session.get("orcid")
    if not orcid:
        return None
    return rules.usable(state().registry, orcid, session.get("created"))


def sign_in(record: Record) -> None:
    session.clear()
    session["orcid"] = record.orcid
    session["created"] = int(record.created.timestamp() * 1000)
    session["csrf"] = secrets.token_urlsafe(24)


def sign_out() -> None:
    session.clear()


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    return session["csrf"]


def check_csrf() -> None:
    """Forms that act for the signed-in researcher carry the session's token."""
    sent = request.form.get("csrf_token", "")
    if not sent or not secrets.compare_digest(sent, session.get("csrf", "")):
        abort(Response(render_template("message.html", title="Form expired",
                                       message="This form has expired or did not come from "
                                               "this page. Go back, reload and try again."),
                        status=400, mimetype="text/html"))


@bp.app_context_processor
def _page_globals():
    return {"signed_in": current_record(), "csrf_token": csrf_token,
            "visibility_words": VISIBILITY_WORDS}


# ====================================================================== the OAuth round trip
def oauth_args() -> list[tuple[str, str]] | None:
    """The authorize parameters a /signin?oauth&... or /register?oauth&... page carries."""
    if "oauth" not in request.args:
        return None
    return [(k, v) for k, v in request.args.items(multi=True) if k != "oauth"]


def signin_url(query: str, register: bool = False) -> str:
    """Where /oauth/authorize sends a signed-out browser: ORCID's /signin?oauth&... shape."""
    return "/%s?oauth%s" % ("register" if register else "signin", "&" + query if query else "")


def _back_to_authorize(args: list[tuple[str, str]]) -> Response:
    return redirect("/oauth/authorize?" + urlencode(args), code=302)


def _oauth_client(args):
    """The client asking, to name it on the page; None if the request is not valid."""
    if args is None:
        return None
    try:
        with state().registry.lock:
            return flows.validate_authorize(state().registry, dict(args)).client
    except OAuthError:
        return None


def _after_sign_in(args) -> Response:
    if args is not None:
        if dict(args).get("prompt") == "login":
            # prompt=login asks for a fresh sign-in: this one counts, once.
            session["fresh_login"] = True
        return _back_to_authorize(args)
    return redirect(url_for("signin.my_orcid"), code=303)


# ====================================================================== pages
@bp.get("/signin")
def signin_page():
    args = oauth_args()
    prefill = request.args.get("orcid") or request.args.get("email") or ""
    return _signin(args, username=prefill)


@bp.post("/signin")
def signin_submit():
    args = oauth_args()
    username = request.form.get("username", "")
    try:
        record = rules.authenticate(state().registry, username, request.form.get("password", ""))
    except rules.SignInError as err:
        return _signin(args, username=username, error=err.message, status=200)
    sign_in(record)
    return _after_sign_in(args)


def _signin(args, username="", error=None, status=200) -> Response:
    registry = state().registry
    with registry.lock:
        users = [r for r in registry.records.values() if r.state == "active"][:TEST_USERS_SHOWN]
    html = render_template("signin.html", args=args, client=_oauth_client(args),
                           username=username, error=error, users=users,
                           force=(dict(args or ()).get("prompt") == "login"),
                           register_url=signin_url(urlencode(args), True) if args is not None
                           else url_for("signin.register_page"))
    return Response(html, status=status, mimetype="text/html", headers=NO_STORE)


@bp.get("/register")
def register_page():
    args = oauth_args()
    get = request.args.get
    return _register(args, {"given_names": get("given_names", ""),
                            "family_name": get("family_names", get("family_name", "")),
                            "email": get("email", ""), "default_visibility": "public"})


@bp.post("/register")
def register_submit():
    args = oauth_args()
    form = {k: (request.form.get(k) or "").strip() for k in
            ("given_names", "family_name", "email", "default_visibility")}
    password = request.form.get("password") or None
    email = form["email"]
    errors = rules.new_account_errors(state().registry, form["given_names"],
                                      form["family_name"], email)
    try:
        account_fields.check(password=password)
    except ValueError:
        errors["password"] = "Passwords cannot hold control characters"
    if form["default_visibility"] not in ("public", "limited", "private"):
        errors["default_visibility"] = "Please choose a default visibility setting"
    if errors:
        return _register(args, form, errors, status=200)
    record = state().registry.create_user(
        given_names=form["given_names"], family_name=form["family_name"] or None,
        email=email, default_visibility=form["default_visibility"], password=password)
    sign_in(record)
    return _after_sign_in(args)


def _register(args, form, errors=None, status=200) -> Response:
    html = render_template("register.html", args=args, client=_oauth_client(args), form=form,
                           errors=errors or {},
                           signin_url=signin_url(urlencode(args)) if args is not None
                           else url_for("signin.signin_page"))
    return Response(html, status=status, mimetype="text/html", headers=NO_STORE)


@bp.route("/signout", methods=["GET", "POST"])
def signout():
    sign_out()
    args = oauth_args()
    if args is not None:
        return redirect(signin_url(urlencode(args)), code=302)
    return redirect(url_for("signin.signin_page"), code=302)


@bp.get("/my-orcid")
def my_orcid():
    record = current_record()
    if record is None:
        return redirect(url_for("signin.signin_page"), code=302)
    return redirect("/" + record.orcid, code=302)
