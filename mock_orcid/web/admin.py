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


@bp.route("/users/<orcid>", methods=["PATCH"])
def update_user(orcid):
    """The researcher's own settings and the registry's record states, for building test cases."""
    from ..model import VISIBILITIES
    from ..registry import RECORD_STATES
    st = state()
    data = _json_body()
    if data is None:
        return _error(400, "the body must be a JSON object")
    allowed = {"default_visibility", "name_visibility", "biography_visibility", "biography",
               "state", "primary_orcid", "created_by_client", "given_names", "family_name",
               "credit_name", "accepts_member_notifications"}
    unknown = set(data) - allowed
    if unknown:
        return _error(400, "unknown field(s): %s; allowed: %s" % (", ".join(sorted(unknown)),
                                                                 ", ".join(sorted(allowed))))
    with st.registry.lock:
        record = st.registry.records.get(orcid)
        if record is None:
            return _error(404, "no user with ORCID iD %s" % orcid)
        for key in ("default_visibility", "name_visibility", "biography_visibility"):
            if key in data and data[key] not in VISIBILITIES:
                return _error(400, "%s must be one of %s" % (key, ", ".join(VISIBILITIES)))
        if "state" in data and data["state"] not in RECORD_STATES:
            return _error(400, "state must be one of %s" % ", ".join(RECORD_STATES))
        if data.get("state") == "deprecated":
            primary = data.get("primary_orcid")
            if primary not in st.registry.records or primary == orcid:
                return _error(400, "a deprecated record needs primary_orcid naming another existing record")
        for key, value in data.items():
            setattr(record, key, value)
        record.last_modified = st.registry.now()
        return jsonify(user_json(record))


@bp.route("/users/<orcid>/<section_name>/<int:put_code>", methods=["PATCH"])
def update_item_visibility(orcid, section_name, put_code):
    """The researcher changes an item's visibility (ORCID's UI does this; the API cannot)."""
    from .. import sections
    from ..model import VISIBILITIES
    st = state()
    data = _json_body() or {}
    section = sections.BY_NAME.get(section_name) or sections.BY_PLURAL.get(section_name)
    if section is None:
        return _error(404, "no section %s" % section_name)
    if data.get("visibility") not in VISIBILITIES:
        return _error(400, "visibility must be one of %s" % ", ".join(VISIBILITIES))
    with st.registry.lock:
        record = st.registry.records.get(orcid)
        if record is None:
            return _error(404, "no user with ORCID iD %s" % orcid)
        item = st.registry.lookup_item(record, section, put_code)
        if item is None:
            return _error(404, "no %s %s on %s" % (section.name, put_code, orcid))
        item.visibility = data["visibility"]
        item.last_modified = st.registry.now()
        st.registry.touch(record, item.last_modified)
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
    from ..oauth import revoke_client_access
    count = revoke_client_access(st.registry, orcid, client_id)
    if from_page:
        return redirect("/__admin/users/%s/inbox" % orcid, code=303)
    return jsonify({"orcid": orcid, "client_id": client_id, "tokens_revoked": count})


@bp.get("/users/<orcid>/inbox")
def inbox_page(orcid):
    from flask import render_template_string
    record = state().registry.records.get(orcid)
    if record is None:
        return _error(404, "no user with ORCID iD %s" % orcid)
    registry = state().registry
    with registry.lock:
        trusted = sorted({t.client_id for t in registry.tokens.values()
                          if t.orcid == orcid and not t.revoked and not t.user_revoked})
        trusted = [registry.clients[c] for c in trusted if c in registry.clients]
    return render_template_string(INBOX_PAGE, record=record, trusted=trusted,
                                  notifications=list(reversed(record.notifications)))


INBOX_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Inbox of {{ record.display_name }} — mock-orcid</title>
<style>body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;color:#222}
.n{border:1px solid #ccc;border-radius:6px;padding:.8rem 1rem;margin:.8rem 0}
.meta{color:#666;font-size:.85rem}code{background:#f3f3f3;padding:0 .2rem}</style></head>
<body><h1>Inbox of {{ record.display_name }}</h1>
<p class="meta">ORCID iD <code>{{ record.orcid }}</code> — {{ notifications|length }} notification(s)</p>
<h2>Trusted organizations</h2>
{% for c in trusted %}<form method="post" action="/__admin/users/{{ record.orcid }}/revoke" class="n">
<strong>{{ c.name }}</strong> <code>{{ c.client_id }}</code>
<input type="hidden" name="client_id" value="{{ c.client_id }}">
<button type="submit">Revoke access</button></form>
{% else %}<p>No organization has access to this record.</p>{% endfor %}
<h2>Notifications</h2>
{% for n in notifications %}<div class="n">
<strong>{{ n["source"]["source-name"]["value"] }}</strong> updated your
<strong>{{ n["amended-section"]|lower|replace("_", " ") }}</strong> section
<ul>{% for i in n["items"]["item"] %}<li>{{ i["action-type"]|lower }}d {{ i["item-type"] }}
“{{ i["item-name"] or "untitled" }}” (put-code {{ i["put-code"] }})</li>{% endfor %}</ul>
<div class="meta">notification {{ n["put-code"] }}</div></div>
{% else %}<p>No notifications yet.</p>{% endfor %}
</body></html>"""


@bp.post("/users/<orcid>/emails")
def add_email(orcid):
    """The researcher adds an address; unverified ones are never served by the API."""
    from ..model import VISIBILITIES, Email
    data = _json_body() or {}
    st = state()
    with st.registry.lock:
        record = st.registry.records.get(orcid)
        if record is None:
            return _error(404, "no user with ORCID iD %s" % orcid)
        address = data.get("email")
        if not isinstance(address, str) or "@" not in address:
            return _error(400, "email must be an e-mail address")
        visibility = data.get("visibility", record.default_visibility)
        if visibility not in VISIBILITIES:
            return _error(400, "visibility must be one of %s" % ", ".join(VISIBILITIES))
        now = st.registry.now()
        record.emails.append(Email(address, primary=False, verified=bool(data.get("verified", True)),
                                   visibility=visibility, created=now, last_modified=now))
        record.last_modified = now
        return jsonify({"orcid": orcid, "emails": [
            {"email": e.email, "primary": e.primary, "verified": e.verified, "visibility": e.visibility}
            for e in record.emails]}), 201


@bp.post("/users/<orcid>/notification-permission/<int:put_code>/read")
def mark_notification_read(orcid, put_code):
    """The researcher opens a permission notification; after that it can no longer be archived."""
    st = state()
    with st.registry.lock:
        record = st.registry.records.get(orcid)
        item = record.permission_notifications.get(put_code) if record else None
        if item is None:
            return _error(404, "no permission notification %s on %s" % (put_code, orcid))
        item.read = item.read or st.registry.now()
        return jsonify({"put-code": put_code, "read": True})
