"""Test-control API under /__admin (JSON). Its contract is fixed: other suites depend on it."""
from __future__ import annotations

import json

from flask import Blueprint, jsonify, request

from ..oauth.tokens import revoke_client_access
from ..registry import sections
from ..registry.errors import Conflict, InvalidValue
from ..registry.model import Client, Record
from ..registry.notifications import permission_mark_read
from ..registry.store import RECORD_FIELDS  # noqa: F401
from . import admin_guard, admin_schema
from .admin_paging import PagingError, paged
from .admin_replies import admin_error
from .context import state

bp = Blueprint("admin", __name__, url_prefix="/__admin")

# Admin errors are {"error", "message", "field"} (admin_replies): field is the path of the bad
# value, or null.


@bp.errorhandler(PagingError)
def _paging(exc: PagingError):
    return admin_error(400, str(exc), exc.field)


_error = admin_error


def _body(schema: dict) -> dict:
    """The JSON object sent, checked against its schema; an empty body is an empty object."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        data = {}
    else:
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):   # not JSON, not UTF-8, nested too deep
            raise admin_schema.BodyError("the body must be a JSON object") from None
    if not isinstance(data, dict):
        raise admin_schema.BodyError("the body must be a JSON object")
    admin_schema.check(schema, data)
    return data


def own_callers_only():
    """Every /__admin route (this blueprint's and the harness's): only the server's own
    callers, never a web page's (installed on the app in web/app.py)."""
    if not request.path.startswith("/__admin"):
        return None
    refused = admin_guard.refusal(state().settings, request.headers.get("Host"),
                                  request.headers.get("Origin"))
    if refused:
        return admin_error(403, refused[1], refused[0])
    return None


@bp.errorhandler(Conflict)
def _conflict(exc: Conflict):
    return admin_error(409, str(exc), exc.field)


@bp.errorhandler(InvalidValue)
def _invalid(exc: InvalidValue):
    return admin_error(400, str(exc), exc.field)


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
    """Alive as soon as the server listens. With ``?ready``, also ready: 503 "starting" until
    the background warm-up (schema sets, search engine, signing key) is done, so a caller that
    waits for it gets a first API call as fast as its second (Docker's HEALTHCHECK does)."""
    if "ready" in request.args and not state().ready.is_set():
        return jsonify({"status": "starting"}), 503
    return jsonify({"status": "ok"})


@bp.post("/reset")
def reset():
    try:
        state().reset()
    except InvalidValue as exc:   # the fixtures file went bad on disk: nothing was changed
        return admin_error(409, str(exc), exc.field)
    return jsonify({"status": "reset"})


@bp.post("/users")
def create_user():
    record = state().registry.create_user(**_body(admin_schema.USER))
    return jsonify(user_json(record)), 201


@bp.get("/users")
def list_users():
    """Paged: ?limit (default 100, at most 1000) and ?offset; Link rel="next" while more remain."""
    registry = state().registry
    return paged(registry.lock, registry.records.values, user_json)


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
        return jsonify([dict(n) for n in record.notifications])   # stored as Mappings


@bp.post("/clients")
def create_client():
    client = state().registry.create_client(**_body(admin_schema.CLIENT))
    return jsonify(client_json(client)), 201


@bp.get("/clients")
def list_clients():
    """Paged like /users."""
    registry = state().registry
    return paged(registry.lock, registry.clients.values, client_json)


@bp.get("/clients/<client_id>")
def get_client(client_id):
    client = state().registry.clients.get(client_id)
    if client is None:
        return _error(404, "no client %s" % client_id)
    return jsonify(client_json(client))


@bp.route("/users/<orcid>", methods=["PATCH"])
def update_user(orcid):
    """The researcher's own settings and the registry's record states, for building test cases."""
    data = _body(admin_schema.RECORD_UPDATE)
    registry = state().registry
    if orcid not in registry.records:
        return _error(404, "no user with ORCID iD %s" % orcid)
    record = registry.update_record(orcid, **data)
    return jsonify(user_json(record))


@bp.route("/users/<orcid>/<section_name>/<int:put_code>", methods=["PATCH"])
def update_item_visibility(orcid, section_name, put_code):
    """The researcher changes an item's visibility (ORCID's UI does this; the API cannot)."""
    section = sections.BY_NAME.get(section_name) or sections.BY_PLURAL.get(section_name)
    if section is None:
        return _error(404, "no section %s" % section_name)
    data = _body(admin_schema.ITEM_VISIBILITY)
    registry = state().registry
    with registry.lock:
        record = registry.records.get(orcid)
        if record is None:
            return _error(404, "no user with ORCID iD %s" % orcid)
        if registry.lookup_item(record, section, put_code) is None:
            return _error(404, "no %s %s on %s" % (section.name, put_code, orcid))
        item = registry.set_item_visibility(orcid, section, put_code, data["visibility"])
        return jsonify({"put-code": item.put_code, "section": item.section,
                        "visibility": item.visibility})


@bp.post("/users/<orcid>/revoke")
def revoke_access(orcid):
    from flask import redirect
    from_page = request.mimetype == "application/x-www-form-urlencoded"  # the inbox page's button
    if from_page:
        data = request.form.to_dict()
        admin_schema.check(admin_schema.REVOKE, data)
    else:
        data = _body(admin_schema.REVOKE)
    st = state()
    if orcid not in st.registry.records:
        return _error(404, "no user with ORCID iD %s" % orcid)
    client_id = data["client_id"]
    if client_id not in st.registry.clients:
        return _error(400, "client_id must name a registered client", "client_id")
    count = revoke_client_access(st.registry, orcid, client_id)
    if from_page:
        return redirect("/__admin/users/%s/inbox" % orcid, code=303)
    return jsonify({"orcid": orcid, "client_id": client_id, "tokens_revoked": count})


@bp.get("/users/<orcid>/inbox")
def inbox_page(orcid):
    from flask import render_template
    record = state().registry.records.get(orcid)
    if record is None:
        return _error(404, "no user with ORCID iD %s" % orcid)
    registry = state().registry
    with registry.lock:
        trusted = sorted({t.client_id for t in registry.tokens.values()
                          if t.orcid == orcid and not t.revoked and not t.user_revoked})
        trusted = [registry.clients[c] for c in trusted if c in registry.clients]
    return render_template("inbox.html", record=record, trusted=trusted,
                                  notifications=list(reversed(record.notifications)))


@bp.post("/users/<orcid>/emails")
def add_email(orcid):
    """The researcher adds an address; unverified ones are never served by the API."""
    data = _body(admin_schema.NEW_EMAIL)
    registry = state().registry
    if orcid not in registry.records:
        return _error(404, "no user with ORCID iD %s" % orcid)
    registry.add_email(orcid, data["email"], verified=data.get("verified", True),
                       visibility=data.get("visibility"))
    record = registry.records[orcid]
    return jsonify({"orcid": orcid, "emails": [
        {"email": e.email, "primary": e.primary, "verified": e.verified, "visibility": e.visibility}
        for e in record.emails]}), 201


@bp.post("/users/<orcid>/notification-permission/<int:put_code>/read")
def mark_notification_read(orcid, put_code):
    """The researcher opens a permission notification; after that it can no longer be archived."""
    registry = state().registry
    record = registry.records.get(orcid)
    item = permission_mark_read(registry, record, put_code) if record else None
    if item is None:
        return _error(404, "no permission notification %s on %s" % (put_code, orcid))
    return jsonify({"put-code": put_code, "read": True})
