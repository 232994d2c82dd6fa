"""Request size: a body over the cap is refused with 413 before anything reads it.

The server (waitress, see server.py) stops reading such a body itself and hands the app the
request with an empty body and the REFUSED_TOO_LARGE marker; Flask's MAX_CONTENT_LENGTH and the
declared Content-Length are checked here too, so the cap holds on any serving stack. The 413
is rendered by web/errors.py: ORCID's error in the negotiated format on API routes, JSON on
/oauth and /__admin.
"""
from __future__ import annotations

from flask import Flask, request
from werkzeug.exceptions import RequestEntityTooLarge

REFUSED_TOO_LARGE = "mock_orcid.body_too_large"


def install(app: Flask, max_bytes: int) -> None:
    app.config["MAX_CONTENT_LENGTH"] = max_bytes

    @app.before_request
    def _refuse_large_bodies():
        environ = request.environ
        # No declared length (a GET, or chunked, which waitress caps as it reads): nothing to check.
        if environ.get(REFUSED_TOO_LARGE) or (environ.get("CONTENT_LENGTH")
                                              and (request.content_length or 0) > max_bytes):
            raise RequestEntityTooLarge("The request body is larger than the limit of %d bytes"
                                        % max_bytes)
