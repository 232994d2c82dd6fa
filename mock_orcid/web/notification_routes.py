"""/v3.0/{orcid}/notification-permission (and /v2.0, /v2.1): premium clients' permission
notifications. 2.x writes are held to 2.x's five item types; 2.x reads leave out what 2.x cannot
model (wire.downgrade.notification_shown) and 2.0 names the source client with http://."""
from __future__ import annotations

from flask import Blueprint, Response, request

from ..registry import notifications, rules
from ..registry.errors import OrcidError
from ..registry.namespaces import qn
from ..registry.store import check_record_state
from ..wire import schemas
from ..wire.downgrade import identity_scheme, notification_shown
from . import bodies, negotiation, params
from .auth import authenticate
from .context import state
from .render_http import render_element

bp = Blueprint("notifications", __name__)
TAG = qn("notification", "notification")
LIST_LIMIT = 1000
_V = '<any("2.0","2.1","3.0"):version>'


def _context(orcid):
    if request.host.lower().startswith("pub."):
        raise OrcidError(9001, "Not found: %s" % request.path, status=404)
    mimetype = negotiation.response_type(request)
    st = state()
    caller = authenticate(request, st.registry, False, orcid)
    caller.require("/premium-notification")
    record = st.registry.record(orcid)
    check_record_state(record, caller.client.client_id, request.method, st.registry.now())
    return st, caller, record, mimetype


def _send(elem, mimetype, version):
    identity_scheme(elem, version)
    return render_element(elem, mimetype, set_name=schemas.notification_permission_set(version))


@bp.route("/v%s/<orcid>/notification-permission" % _V, methods=["GET", "POST"])
def collection(version, orcid):
    st, caller, record, mimetype = _context(orcid)
    if request.method == "POST":
        body = bodies.read(request, TAG, schemas.notification_permission_set(version))
        rules.check_notification_items(body)
        item = notifications.permission_create(st.registry, record, body, caller.source)
        location = "%s%s/%s" % (st.base_url, request.path.rstrip("/"), item.put_code)
        return Response(status=201, headers={"Location": location})
    with st.registry.lock:
        mine = [i for i in record.permission_notifications.values()
                if i.source.client_id == caller.client.client_id
                and notification_shown(i.body, version)][:LIST_LIMIT]
        elem = st.renderer.permission_notifications(mine)
    return _send(elem, mimetype, version)


@bp.route("/v%s/<orcid>/notification-permission/<put_code>" % _V, methods=["GET", "DELETE"])
def one(version, orcid, put_code):
    st, caller, record, mimetype = _context(orcid)
    number = params.java_long(put_code)
    if number is None:
        raise OrcidError(9034, "'%s' is not a valid put-code" % put_code[:100])
    with st.registry.lock:
        found = notifications.permission_find(record, number, caller.client.client_id)
        if not notification_shown(found.body, version):
            raise OrcidError(9029, "No notification with put-code %s on record %s"
                             % (number, record.orcid))
        if request.method == "DELETE":
            item = notifications.permission_archive(st.registry, record, number,
                                                    caller.client.client_id)
        else:
            item = found
        elem = st.renderer.permission_notification(item)
    return _send(elem, mimetype, version)
