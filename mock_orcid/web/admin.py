"""Test-control API under /__admin (JSON). Its contract is fixed: other suites depend on it."""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from ..oauth.tokens import revoke_client_access
from ..registry import sections
from ..registry.model import VISIBILITIES, Client, Record
from ..registry.notifications import permission_mark_read
from ..registry.store import RECORD_FIELDS
from .admin_paging import PagingError, paged
from .context import state

bp = Blueprint("admin", __name__, url_prefix="/__admin")

USER_FIELDS = ("orcid", "given_names", "family_name", "credit_name", "email",
               "default_visibility", "biography")
CLIENT_FIELDS = ("name", "type", "redirect_uris", "client_id", "client_secret", "description")


def _error(status: int, message: str):
    from .admin_replies import admin_error     # {"error", "message", "field"}
    return admin_error(status, message)


@bp.errorhandler(PagingError)
def _paging(exc: PagingError):
    from .admin_replies import admin_error
    return admin_error(400, str(exc), exc.field)



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
    data = _json_body()
    if data is None:
        return _error(400, "the body must be a JSON object")
    unknown = set(data) - set(RECORD_FIELDS)
    if unknown:
        return _error(400, "unknown field(s): %s; allowed: %s" % (", ".join(sorted(unknown)),
                                                                 ", ".join(sorted(RECORD_FIELDS))))
    registry = state().registry
    if orcid not in registry.records:
        return _error(404, "no user with ORCID iD %s" % orcid)
    try:
        record = registry.update_record(orcid, **data)
    except ValueError as exc:
        return _error(400, str(exc))
    return jsonify(user_json(record))


@bp.route("/users/<orcid>/<section_name>/<int:put_code>", methods=["PATCH"])
def update_item_visibility(orcid, section_name, put_code):
    """The researcher changes an item's visibility (ORCID's UI does this; the API cannot)."""
    data = _json_body() or {}
    section = sections.BY_NAME.get(section_name) or sections.BY_PLURAL.get(section_name)
    if section is None:
        return _error(404, "no section %s" % section_name)
    if data.get("visibility") not in VISIBILITIES:
        return _error(400, "visibility must be one of %s" % ", ".join(VISIBILITIES))
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
    from_page = bool(request.form)   # the Revoke button on the inbox page posts a form
    data = request.form.to_dict() if from_page else (_json_body() or {})
    st = state()
    if orcid not in st.registry.records:
        return _error(404, "no user with ORCID iD %s" % orcid)
    client_id = data.get("client_id")
    if client_id not in st.registry.clients:
        return _error(400, "client_id must name a registered client")
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
    data = _json_body() or {}
    registry = state().registry
    if orcid not in registry.records:
        return _error(404, "no user with ORCID iD %s" % orcid)
    address = data.get("email")
    if not isinstance(address, str) or "@" not in address:
        return _error(400, "email must be an e-mail address")
    try:
        registry.add_email(orcid, address, verified=bool(data.get("verified", True)),
                           visibility=data.get("visibility"))
    except ValueError as exc:
        return _error(400, str(exc))
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
