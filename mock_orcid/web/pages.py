"""The researcher's pages: the record page ``/{orcid}``, the inbox, account settings with the
trusted organizations, and the admin dashboard.

Every change a researcher makes here is a registry method (``set_item_visibility``,
``researcher_delete_item``, ``update_record``, ``revoke_client_access``, the inbox's read and
archive), so it publishes on the change stream and the API follows at once. Controls act
only for the signed-in owner and carry the session's form token.
"""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, Response, abort, redirect, render_template, request
from werkzeug.routing import BaseConverter

from ..oauth import scopes as S
from ..oauth import tokens as token_rules
from ..oauth.lifetimes import is_active
from ..registry import notifications as inbox
from ..registry import sections
from ..registry.errors import OrcidError
from ..registry.model import VISIBILITIES, Record
from . import record_view
from .context import state
from .signin import check_csrf, current_record

bp = Blueprint("pages", __name__)

DASHBOARD_ROWS = 100
AMENDED_SECTION_WORDS = {
    "WORK": "Works", "FUNDING": "Funding", "EMPLOYMENT": "Employment", "EDUCATION": "Education",
    "QUALIFICATION": "Qualifications", "DISTINCTION": "Distinctions",
    "INVITED_POSITION": "Invited positions", "MEMBERSHIP": "Membership", "SERVICE": "Service",
    "PEER_REVIEW": "Peer review", "RESEARCH_RESOURCE": "Research resources",
    "AFFILIATION": "Affiliations", "BIO": "Biography",
    "EXTERNAL_IDENTIFIERS": "Other IDs", "PREFERENCES": "Preferences", "UNKNOWN": "Record",
}


class OrcidIdConverter(BaseConverter):
    """Only a path that looks like an iD is a record page; everything else keeps its route."""
    regex = r"\d{4}-\d{4}-\d{4}-\d{3}[\dX]"


@bp.record_once
def _add_converter(setup) -> None:
    # Runs before this blueprint's rules are added: they need the converter.
    setup.app.url_map.converters["orcid_id"] = OrcidIdConverter


def _html(template: str, status: int = 200, **context) -> Response:
    return Response(render_template(template, **context), status=status, mimetype="text/html",
                    headers={"Cache-Control": "no-store"})


def _message(title: str, message: str, status: int, link=None) -> Response:
    return _html("message.html", status=status, title=title, message=message, link=link)


def _owner(orcid: str) -> Record:
    """The signed-in researcher, who must own ``orcid``; anyone else is refused."""
    record = current_record()
    if record is None or record.orcid != orcid:
        abort(_message("Not your record", "Only the signed-in owner of %s can change it. "
                       "Sign in as them first." % orcid, 403, ("/signin", "Sign in")))
    check_csrf()
    return record


def _signed_in_owner() -> Record:
    """For a form about the signed-in researcher's own account: not signed in goes to the
    sign-in page; otherwise the owner's checks (``_owner``) apply."""
    record = current_record()
    if record is None:
        abort(redirect("/signin", code=302))
    return _owner(record.orcid)


def _back(default: str) -> Response:
    """Back to where the form was (a local path only), or ``default``."""
    target = request.form.get("next", "")
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        target = default
    return redirect(target, code=303)


@bp.app_template_global()
def utc_date(dt: datetime | None) -> str:
    return record_view.utc(dt)


# ====================================================================== the record page
@bp.get("/<orcid_id:orcid>")
def record_page(orcid):
    registry = state().registry
    with registry.lock:
        record = registry.records.get(orcid)
        if record is None:
            return _message("Page not found", "There is no ORCID record with the iD %s in "
                            "this mock registry." % orcid, 404)
        if record.state == "deprecated":
            return _message("Deprecated record", "This ORCID record is deprecated. Its primary "
                            "record is %s." % record.primary_orcid, 200,
                            ("/%s" % record.primary_orcid, "Go to the primary record"))
        if record.state in ("deactivated", "locked"):
            return _message("%s record" % record.state.capitalize(),
                            "This ORCID record is %s." % record.state, 200)
        signed = current_record()
        preview = request.args.get("public") in ("1", "true", "yes")
        owner = signed is not None and signed.orcid == orcid and not preview
        view = record_view.build(registry, record, owner)
    return _html("record.html", view=view, registry_url=state().settings.registry_url,
                 utc=record_view.utc, public_preview=preview and signed is not None
                 and signed.orcid == orcid)


def _section(name: str) -> sections.Section:
    section = sections.BY_NAME.get(name) or sections.BY_PLURAL.get(name)
    if section is None:
        abort(_message("Not found", "No section %s" % name, 404))
    return section


@bp.post("/<orcid_id:orcid>/<section_name>/<int:put_code>/visibility")
def change_visibility(orcid, section_name, put_code):
    _owner(orcid)
    section = _section(section_name)
    visibility = request.form.get("visibility", "")
    if visibility not in VISIBILITIES:
        return _message("Bad visibility", "Visibility must be one of %s"
                        % ", ".join(VISIBILITIES), 400)
    try:
        state().registry.set_item_visibility(orcid, section, put_code, visibility)
    except OrcidError:
        return _message("Item not found", "No %s %s on this record." % (section.name, put_code),
                        404)
    return _back("/%s#%s-%s" % (orcid, section.name, put_code))


@bp.post("/<orcid_id:orcid>/<section_name>/<int:put_code>/delete")
def delete_item(orcid, section_name, put_code):
    _owner(orcid)
    section = _section(section_name)
    try:
        state().registry.researcher_delete_item(orcid, section, put_code)
    except OrcidError:
        return _message("Item not found", "No %s %s on this record." % (section.name, put_code),
                        404)
    return _back("/%s" % orcid)


# ====================================================================== account settings
@bp.get("/account")
def account():
    record = current_record()
    if record is None:
        return redirect("/signin", code=302)
    return _html("account.html", record=record, trusted=trusted_organizations(record),
                 utc=record_view.utc)


@bp.get("/trusted-parties")
def trusted_parties():
    return redirect("/account#manage-permissions", code=302)


@bp.post("/account/default-visibility")
def default_visibility():
    record = _signed_in_owner()
    value = request.form.get("default_visibility", "")
    if value not in ("public", "limited", "private"):
        return _message("Bad visibility", "Default visibility must be public, limited or "
                        "private", 400)
    state().registry.update_record(record.orcid, default_visibility=value)
    return _back("/account#visibility-preferences")


@bp.post("/account/revoke")
def revoke():
    record = _signed_in_owner()
    client_id = request.form.get("client_id", "")
    if client_id not in state().registry.clients:
        return _message("Unknown organization", "No client %s" % client_id, 400)
    token_rules.revoke_client_access(state().registry, record.orcid, client_id)
    return _back("/account#manage-permissions")


def trusted_organizations(record: Record) -> list[dict]:
    """Clients holding a live token for the record: name, what they may do, since when."""
    registry = state().registry
    with registry.lock:
        by_client: dict[str, dict] = {}
        for token in registry.tokens.values():
            if token.orcid != record.orcid or not is_active(registry, token):
                continue
            client = registry.clients.get(token.client_id)
            if client is None:
                continue
            entry = by_client.setdefault(client.client_id, {
                "client_id": client.client_id, "name": client.name, "scopes": [],
                "approved": token.issued, "description": client.description})
            entry["approved"] = min(entry["approved"], token.issued)
            entry["scopes"].extend(s for s in token.scopes if s not in entry["scopes"])
    for entry in by_client.values():
        entry["access"] = [_scope_words(s) for s in entry["scopes"]]
    return sorted(by_client.values(), key=lambda e: (e["name"].casefold(), e["client_id"]))


def _scope_words(scope: str) -> str:
    from .oauth_routes import SCOPE_TEXT
    return SCOPE_TEXT.get(scope, (scope,))[0] if S.is_known(scope) else scope


# ====================================================================== the inbox
@bp.get("/inbox")
def inbox_page():
    record = current_record()
    if record is None:
        return redirect("/signin", code=302)
    return _html("inbox.html", record=record)


@bp.post("/inbox/<int:put_code>/<action>")
def inbox_action(put_code, action):
    record = _signed_in_owner()
    act = {"read": inbox.researcher_mark_read, "archive": inbox.researcher_archive}.get(action)
    if act is None or not act(state().registry, record, put_code):
        return _message("Notification not found", "No notification %s in your inbox."
                        % put_code, 404)
    return _back("/inbox")


@bp.app_template_global()
def inbox_view(record: Record) -> dict:
    """The inbox of ``record``, newest first, for ``inbox.html`` (also rendered by the admin
    API's /__admin/users/{orcid}/inbox). ``?archived=1`` shows archived ones too."""
    show_archived = request.args.get("archived") in ("1", "true", "yes")
    registry = state().registry
    with registry.lock:
        amended = list(record.notifications)
        permissions = list(record.permission_notifications.values())
    entries = [_amended_entry(n) for n in amended] + [_permission_entry(i) for i in permissions]
    entries.sort(key=lambda e: (e["created"], e["put_code"]), reverse=True)
    archived = sum(1 for e in entries if e["archived"])
    if not show_archived:
        entries = [e for e in entries if not e["archived"]]
    return {"entries": entries, "archived_count": archived, "show_archived": show_archived,
            "unread": sum(1 for e in entries if not e["read"]),
            "trusted": trusted_organizations(record),
            "admin": request.path.startswith("/__admin/")}


def _from_millis(value) -> datetime | None:
    if not value or not isinstance(value, dict) or value.get("value") is None:
        return None
    return datetime.fromtimestamp(value["value"] / 1000, tz=timezone.utc)


def _amended_entry(n: dict) -> dict:
    section = n.get("amended-section") or "UNKNOWN"
    items = []
    for item in (n.get("items") or {}).get("item", []):
        ids = ((item.get("additional-info") or {}).get("external_identifiers") or {}).get(
            "external-id", [])
        items.append({"type": item.get("item-type", ""), "name": item.get("item-name") or "",
                      "action": (item.get("action-type") or "").lower(),
                      "put_code": item.get("put-code"),
                      "ids": [(i.get("external-id-type"), i.get("external-id-value"))
                              for i in ids]})
    return {"kind": "amended", "label": "Your record", "put_code": n["put-code"],
            "title": "Your ORCID record was updated",
            "source": n["source"]["source-name"]["value"] or n["source"]["source-client-id"]["path"],
            "section": AMENDED_SECTION_WORDS.get(section, section.title()),
            "created": _from_millis(n.get("created-date")),
            "read": n.get("read-date") is not None, "archived": n.get("archived-date") is not None,
            "items": items}


def _permission_entry(item) -> dict:
    body = item.body
    text = lambda name: record_view._text(body, name)  # noqa: E731
    auth = record_view._child(body, "authorization-url")
    link = record_view._text(auth, "path") or record_view._text(auth, "uri")
    items = []
    box = record_view._child(body, "items")
    for entry in (box if box is not None else []):
        ext = record_view._child(entry, "external-id")
        items.append({"type": record_view._text(entry, "item-type"),
                      "name": record_view._text(entry, "item-name"), "action": "",
                      "put_code": None,
                      "ids": [(record_view._text(ext, "external-id-type"),
                               record_view._text(ext, "external-id-value"))] if ext is not None
                      else []})
    source = item.source.name or item.source.client_id or ""
    return {"kind": "permission", "label": "Permission", "put_code": item.put_code,
            "title": text("notification-subject") or "%s would like to connect with your "
                                                    "ORCID record" % source,
            "intro": text("notification-intro"), "source": source, "section": "",
            "created": item.created, "read": item.read is not None,
            "archived": item.archived is not None, "items": items, "link": link}


# ====================================================================== admin dashboard
@bp.get("/__admin/dashboard")
def dashboard():
    st = state()
    registry = st.registry
    with registry.lock:
        records = list(registry.records.values())
        users = [{"record": r, "items": sum(len(r.section_items(s.name)) for s in sections.SECTIONS),
                  "notifications": len(r.notifications) + len(r.permission_notifications)}
                 for r in records[:DASHBOARD_ROWS]]
        clients = list(registry.clients.values())[:DASHBOARD_ROWS]
        live = {}
        for token in registry.tokens.values():
            if is_active(registry, token):
                live[token.client_id] = live.get(token.client_id, 0) + 1
        totals = {"users": len(records), "clients": len(registry.clients),
                  "tokens": sum(live.values())}
    journal = getattr(st, "journal", None)
    webhooks = getattr(st, "webhooks", None)
    # The webhook dispatcher (a change-stream listener) keeps its deliveries, newest last.
    deliveries = None
    if webhooks is not None and callable(getattr(webhooks, "deliveries", None)):
        deliveries = list(reversed(webhooks.deliveries()[-DASHBOARD_ROWS:]))
    return _html("dashboard.html", users=users, clients=clients, live=live, totals=totals,
                 journal=journal, webhooks=webhooks, deliveries=deliveries,
                 base_url=st.base_url, rows=DASHBOARD_ROWS)
