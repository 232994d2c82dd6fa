"""/v3.0/group-id-record (and /v2.0, /v2.1): client-credentials reads and writes of group-id
records. The vocabulary is the same in every version; 2.0 names the source client with an
http:// URI (wire.downgrade.identity_scheme)."""
from __future__ import annotations

from flask import Blueprint, Response, request

from ..registry import sections
from ..registry.errors import OrcidError
from ..registry.namespaces import qn
from ..wire.downgrade import identity_scheme
from . import bodies, negotiation, params
from .auth import authenticate
from .context import state
from .render_http import render_element

bp = Blueprint("group_ids", __name__)
TAG = qn("group-id", "group-id-record")
_V = '<any("2.0","2.1","3.0"):version>'


def _caller(write: bool):
    if request.host.lower().startswith("pub."):
        raise OrcidError(9001, "Not found: %s" % request.path, status=404)
    caller = authenticate(request, state().registry, False, None)
    caller.require("/group-id-record/update" if write else "/group-id-record/read")
    return caller


def _int_arg(name: str, default: int) -> int:
    value = request.args.get(name, str(default))
    number = params.java_int(value)
    if number is None or number < 1:
        raise OrcidError(9006, "'%s' must be a positive integer, not '%s'" % (name, value[:100]))
    return number


def _send(elem, mimetype, version):
    identity_scheme(elem, version)
    return render_element(elem, mimetype)


@bp.route("/v%s/group-id-record" % _V, methods=["GET", "POST"])
def collection(version: str):
    mimetype = negotiation.response_type(request)
    st = state()
    groups = st.registry.group_ids
    if request.method == "POST":
        caller = _caller(write=True)
        body = bodies.read(request, TAG)
        item = groups.create(body, caller.source)
        return Response(status=201, headers={
            "Location": "%s/v%s/group-id-record/%s" % (st.base_url, version, item.put_code)})
    _caller(write=False)
    name, group_id = request.args.get("name"), request.args.get("group-id")
    if name is not None or group_id is not None:
        with st.registry.lock:
            if group_id is not None and group_id.lower().startswith("issn:"):
                item = groups.ensure_issn(group_id)
            else:
                item = groups.by_name(name) if name is not None else groups.by_group_id(group_id)
            # ORCID answers an empty record, not a 404, when nothing matches.
            elem = st.renderer.group_id_record(item) if item else _empty()
        return _send(elem, mimetype, version)
    page, size = _int_arg("page", 1), _int_arg("page-size", 100)
    with st.registry.lock:
        items, total = groups.page(page, size)
        elem = st.renderer.group_id_records(items, total, page, size)
    return _send(elem, mimetype, version)


def _empty():
    from xml.etree import ElementTree as ET
    return ET.Element(TAG)


@bp.route("/v%s/group-id-record/<put_code>" % _V, methods=["GET", "PUT", "DELETE"])
def one(version: str, put_code: str):
    mimetype = negotiation.response_type(request)
    number = params.java_long(put_code)
    if number is None:
        raise OrcidError(9034, "'%s' is not a valid put-code" % put_code[:100])
    st = state()
    groups = st.registry.group_ids
    # HEAD is a GET without the body (Werkzeug drops it).
    reading = request.method in ("GET", "HEAD")
    caller = _caller(write=not reading)
    if reading:
        with st.registry.lock:
            return _send(st.renderer.group_id_record(groups.find(number)), mimetype, version)
    if request.method == "DELETE":
        groups.delete(number, _in_use, caller.source)
        return Response(status=204)
    body = bodies.read(request, TAG)
    with st.registry.lock:
        item = groups.update(number, body, caller.source)
        elem = st.renderer.group_id_record(item)
    return _send(elem, mimetype, version)


def _in_use(group_id: str) -> bool:
    tag = "{http://www.orcid.org/ns/peer-review}review-group-id"
    section = sections.BY_NAME["peer-review"]
    for record in state().registry.records.values():
        for item in record.section_items(section.name).values():
            if (item.body.findtext(tag) or "").strip().lower() == group_id.lower():
                return True
    return False
