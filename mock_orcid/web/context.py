"""The running mock's state, as seen from a request: kept apart from ``app.py`` so that the
blueprints need not import the module that imports them."""
from __future__ import annotations

from flask import current_app

from ..state import MockState


def state() -> MockState:
    return current_app.extensions["mock_orcid"]
