"""Test-control API under /__admin (JSON). Its contract is fixed: other suites depend on it."""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from ..model import Client, Record
from .app import state

bp = Blueprint("admin", __name__, url_prefix="/__admin")

USER_FIELDS = ("orcid", "given_names", "family_name", "credit_name", "email",
               "default_visibility", "biography")
CLIENT_FIELDS = ("name", "type", "redirect_uris", "client_id", "client_secret", "description")


def _error(status: int, message: str):
    return jsonify({"error": "bad_request" if status == 400 else "not_found",
                    "message": message}), status


def _json_body() -> dict:
    data = request.get_json(silent=True, force=True) if request.get_data() else {}
    return data if isinstance(data, dict) else None


def user_json(record: Record) -> dict:
    return {
        "orcid": record.orcid,
        "uri": "%s/%s" % (state().settings.registry_url, record.orcid),
        "given_names": record.given_names,
        "family_name": record.family_name,
        "credit_name": record.credit_name,
        "email": record.emails[0].email if record.emails else None,
        "default_visibility": record.default_visibility,
        "biography": record.biography,
        "state": record.state,
        "created": record.created.isoformat(),
        "last_modified": record.last_modified.isoformat(),
    }


def client_json(client: Client) -> dict:
    return {"client_id": client.client_id, "client_secret": client.client_secret,
            "name": client.name, "type": client.type, "redirect_uris": client.redirect_uris,
            "description": client.description}


@bp.get("/health")
def health():
    return jsonify({"status": "ok"})


@bp.post("/reset")
def reset():
    state().reset()
    return jsonify({"status": "reset"})


@bp.post("/users")
def create_user():
    data = _json_body()
    if data is None:
        return _error(400, "the body must be a JSON object")
    unknown = set(data) - set(USER_FIELDS)
    if unknown:
        return _error(400, "unknown field(s): %s; allowed: %s" % (", ".join(sorted(unknown)),
                                                                 ", ".join(USER_FIELDS)))
    try:
        record = state().registry.create_user(**data)
    except (ValueError, TypeError) as exc:
        return _error(400, str(exc))
    return jsonify(user_json(record)), 201


@bp.get("/users")
def list_users():
    with state().registry.lock:
        return jsonify([user_json(r) for r in state().registry.records.values()])


@bp.get("/users/<orcid>")
def get_user(orcid):
    record = state().registry.records.get(orcid)
    if record is None:
        return _error(404, "no user with ORCID iD %s" % orcid)
    return jsonify(user_json(record))


@bp.get("/users/<orcid>/notifications")
def notifications(orcid):
    record = state().registry.records.get(orcid)
    if record is None:
        return _error(404, "no user with ORCID iD %s" % orcid)
    with state().registry.lock:
        return jsonify(list(record.notifications))


@bp.post("/clients")
def create_client():
    data = _json_body()
    if data is None:
        return _error(400, "the body must be a JSON object")
    unknown = set(data) - set(CLIENT_FIELDS)
    if unknown:
        return _error(400, "unknown field(s): %s; allowed: %s" % (", ".join(sorted(unknown)),
                                                                 ", ".join(CLIENT_FIELDS)))
    try:
        client = state().registry.create_client(**data)
    except (ValueError, TypeError) as exc:
        return _error(400, str(exc))
    return jsonify(client_json(client)), 201


@bp.get("/clients")
def list_clients():
    with state().registry.lock:
        return jsonify([client_json(c) for c in state().registry.clients.values()])


@bp.get("/clients/<client_id>")
def get_client(client_id):
    client = state().registry.clients.get(client_id)
    if client is None:
        return _error(404, "no client %s" % client_id)
    return jsonify(client_json(client))
