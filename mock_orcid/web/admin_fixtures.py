"""``GET /__admin/fixtures``: the current state as a fixtures document (items inline), what
``mock-orcid fixtures export`` writes to a folder; ``GET /__admin/fixtures/schema``: its JSON Schema."""
from __future__ import annotations

from flask import Blueprint, jsonify

from ..harness.fixtures.export import snapshot
from ..harness.fixtures.schema import SCHEMA
from .context import state

bp = Blueprint("admin_fixtures", __name__, url_prefix="/__admin")


@bp.get("/fixtures")
def export_fixtures():
    return jsonify(snapshot(state().registry))


@bp.get("/fixtures/schema")
def fixtures_schema():
    return jsonify(SCHEMA)
