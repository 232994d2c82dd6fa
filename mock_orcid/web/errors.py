"""Every failure becomes ORCID's error body in the negotiated format — never a stack trace."""
from __future__ import annotations

import json
import logging

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from ..registry.errors import OAuthError, OrcidError
from . import negotiation
from .render_http import render_element

log = logging.getLogger(__name__)


def error_response(err: OrcidError) -> Response:
    from .context import state
    try:
        mimetype = negotiation.response_type(request)
    except OrcidError:
        mimetype = None
    if mimetype is None:
        # Nothing the client accepts: ORCID still writes its error body, as JSON, and sends no
        # Content-Type at all.
        resp = render_element(state().renderer.error(err), "application/json", status=err.status)
        del resp.headers["Content-Type"]
    else:
        resp = render_element(state().renderer.error(err), mimetype, status=err.status)
    for key, value in err.headers.items():
        resp.headers[key] = value
    return resp


def oauth_response(err: OAuthError) -> Response:
    return Response(json.dumps(err.as_dict()), status=err.status, mimetype="application/json",
                    headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


def install(app: Flask) -> None:
    @app.errorhandler(OrcidError)
    def _orcid(err):
        return error_response(err)

    @app.errorhandler(OAuthError)
    def _oauth(err):
        return oauth_response(err)

    @app.errorhandler(HTTPException)
    def _http(exc):
        if exc.code == 404:
            from .s3_routes import s3_not_found    # S3 clients get S3's NoSuchBucket
            s3 = s3_not_found()
            if s3 is not None:
                return s3
        if request.path.startswith("/__admin"):
            from .admin_replies import admin_error
            return admin_error(exc.code, exc.description or exc.name)
        if request.path.startswith("/oauth"):
            return Response(json.dumps({"error": exc.name.lower().replace(" ", "_"),
                                        "error_description": exc.description}),
                            status=exc.code, mimetype="application/json")
        return error_response(OrcidError(9001, exc.description or exc.name, status=exc.code))

    @app.errorhandler(Exception)
    def _unexpected(exc):
        log.exception("unexpected error")
        return error_response(OrcidError(9008, "Unexpected error: %s" % type(exc).__name__,
                                         status=500))
