"""Flask's signed-cookie session without its per-request cost on requests that carry no
session cookie (every API and token call).

Flask builds a new signer (and, through itsdangerous, test-serialises an empty dict) for every
request just to look for the cookie. Here the signer is built once per secret, and a request
without the cookie gets an empty session at once; one that is never touched writes nothing
back. The cookie itself (name, signing, flags, expiry) is Flask's, unchanged.
"""
from __future__ import annotations

from flask.sessions import SecureCookieSessionInterface


class CookieSessions(SecureCookieSessionInterface):
    def __init__(self):
        self._signer = None
        self._signer_keys = None

    def get_signing_serializer(self, app):
        # .get: Flask 3.0 has no SECRET_KEY_FALLBACKS (pyproject allows it)
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        if keys != self._signer_keys:
            # Two threads may both build it the first time: same result, no harm.
            self._signer = super().get_signing_serializer(app)
            self._signer_keys = keys
        return self._signer

    def open_session(self, app, request):
        if app.secret_key and (not request.environ.get("HTTP_COOKIE")
                               or self.get_cookie_name(app) not in request.cookies):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app, session, response) -> None:
        if not session and not session.modified and not session.accessed:
            return                          # what Flask would do, without the config reads
        super().save_session(app, session, response)
