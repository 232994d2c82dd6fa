"""Puts the harness middleware around the Flask app and lends it the one thing it cannot do
itself: render ORCID's error body in the negotiated format for an error fault."""
from __future__ import annotations

from flask import Flask

from ..harness.faults import Fault
from ..harness.middleware import HarnessMiddleware
from ..registry.errors import CODES, OrcidError
from ..state import MockState
from .errors import error_response


def install(app: Flask, state: MockState) -> None:
    def render_error(environ, start_response, fault: Fault):
        message = CODES.get(fault.error_code, (None, "There was a problem with your request."))[1]
        with app.request_context(environ):
            resp = error_response(OrcidError(fault.error_code, message, status=fault.status))
            resp.headers["X-Mock-Orcid-Fault"] = str(fault.id)
            return resp(environ, start_response)

    app.wsgi_app = HarnessMiddleware(app.wsgi_app, state.harness, state.registry, render_error)
