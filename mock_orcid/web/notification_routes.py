"""/v3.0/{orcid}/notification-permission: premium clients' permission notifications."""
from __future__ import annotations

from flask import Blueprint, Response, request

from ..registry import notifications, rules
from ..registry.errors import OrcidError
from ..registry.namespaces import qn
from ..registry.store import check_record_state
from . import bodies, negotiation, params
from .auth import authenticate
from .context import state
from .render_http import render_element

bp = Blueprint("notifications", __name__)
TAG = qn("notification", "notification")
LIST_LIMIT = 1000


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


@bp.route("/v3.0/<orcid>/notification-permission", methods=["GET", "POST"])
def collection(orcid):
    st, caller, record, mimetype = _context(orcid)
    if request.method == "POST":
        body = bodies.read(request, TAG, "notification-permission")
        rules.check_notification_items(body)
        item = notifications.permission_create(st.registry, record, body, caller.source)
        location = "%s%s/%s" % (st.base_url, request.path.rstrip("/"), item.put_code)
        return Response(status=201, headers={"Location": location})
    with st.registry.lock:
        mine = [i for i in record.permission_notifications.values()
                if i.source.client_id == caller.client.client_id][:LIST_LIMIT]
        elem = st.renderer.permission_notifications(mine)
    return render_element(elem, mimetype)


@bp.route("/v3.0/<orcid>/notification-permission/<put_code>", methods=["GET", "DELETE"])
def one(orcid, put_code):
    st, caller, record, mimetype = _context(orcid)
    number = params.java_long(put_code)
    if number is None:
        raise OrcidError(9034, "'%s' is not a valid put-code" % put_code[:100])
    with st.registry.lock:
        if request.method == "DELETE":
            item = notifications.permission_archive(st.registry, record, number,
                                                    caller.client.client_id)
        else:
            item = notifications.permission_find(record, number, caller.client.client_id)
        return render_element(st.renderer.permission_notification(item), mimetype)
