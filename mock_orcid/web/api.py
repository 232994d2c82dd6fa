"""Member API (/v3.0) and public API (/pub/v3.0): routes driven by the section table.

Only translation lives here: which section a path names, the caller's token and scopes,
the body's format; the rules are in the registry, rules and visibility modules.
"""
from __future__ import annotations

from flask import Blueprint, Response, request

from ..registry import field_values, rules, sections
from ..registry.errors import OrcidError
from ..registry.store import MAX_WORKS, check_record_state
from ..registry.visibility import read_error, visible
from ..wire.render_record import RecordRenderer, record_summary
from . import bodies, negotiation, params
from .auth import Caller, authenticate
from .context import state
from .render_http import render_element

bp = Blueprint("api", __name__)

MAX_BULK = 100
# Whole-record reads: path segment -> handler name (see _record_view).
RECORD_VIEWS = ("record", "person", "personal-details", "email", "biography", "activities")


def _public_api(prefix: str) -> bool:
    return prefix == "pub" or request.host.lower().startswith("pub.")


@bp.route("/v3.0/<orcid>", defaults={"rest": "", "prefix": ""}, methods=["GET", "POST", "PUT", "DELETE"])
@bp.route("/v3.0/<orcid>/<path:rest>", defaults={"prefix": ""}, methods=["GET", "POST", "PUT", "DELETE"])
@bp.route("/<prefix>/v3.0/<orcid>", defaults={"rest": ""}, methods=["GET", "POST", "PUT", "DELETE"])
@bp.route("/<prefix>/v3.0/<orcid>/<path:rest>", methods=["GET", "POST", "PUT", "DELETE"])
def dispatch(orcid: str, rest: str, prefix: str) -> Response:
    if prefix not in ("", "pub"):
        raise OrcidError(9001, "Not found: %s" % request.path, status=404)
    public = _public_api(prefix)
    mimetype = negotiation.response_type(request)
    st = state()
    caller = authenticate(request, st.registry, public, orcid)
    record = st.registry.record(orcid)
    try:
        check_record_state(record, caller.client.client_id if caller.client else None,
                           request.method, st.registry.now())
    except OrcidError as err:
        if err.status == 301:
            err.headers["Location"] = st.base_url + request.full_path.rstrip("?").replace(
                orcid, record.primary_orcid or orcid, 1)
        raise
    parts = [p for p in rest.split("/") if p != ""]
    # HEAD is a GET whose body Werkzeug leaves out (same status, headers and length).
    method = "GET" if request.method == "HEAD" else request.method
    if public and method != "GET":
        raise OrcidError(9001, "The public API is read-only", status=405)
    handler, args = _route(parts, method, public)
    return handler(caller, record, mimetype, *args)


def _route(parts, method, public):
    if not parts and method == "GET":
        return _record_view, ("record",)
    if len(parts) == 1 and parts[0] in RECORD_VIEWS and method == "GET":
        return _record_view, (parts[0],)
    if parts == ["summary"] and method == "GET" and not public:
        return _record_view, ("summary",)
    if len(parts) == 1 and parts[0] in sections.BY_PLURAL and sections.BY_PLURAL[parts[0]].kind == "activity":
        section = sections.BY_PLURAL[parts[0]]
        if method == "GET":
            return _list, (section,)
        if method == "POST" and section.name == "work":
            return _bulk_create, (section,)
    if len(parts) == 2 and parts[0] == "works" and method == "GET":
        return _bulk_read, (sections.BY_NAME["work"], parts[1])
    if parts and parts[0] in sections.BY_NAME:
        section = sections.BY_NAME[parts[0]]
        if len(parts) == 1:
            if method == "POST":
                return _create, (section,)
            if method == "GET" and section.kind == "person":
                return _list, (section,)
        if len(parts) == 2 and method in ("GET", "PUT", "DELETE"):
            put_code = _put_code(parts[1], public)
            return {"GET": _read, "PUT": _update, "DELETE": _delete}[method], (section, put_code)
        if len(parts) == 3 and parts[1] == "summary" and section.summary and method == "GET":
            return _read, (section, _put_code(parts[2], public), True)
    known = not parts or parts[0] in sections.BY_NAME or parts[0] in sections.BY_PLURAL
    if known:
        raise OrcidError(9001, "Method %s is not allowed on %s" % (method, request.path), status=405)
    raise OrcidError(9001, "Not found: %s" % request.path, status=404)


def _put_code(text: str, public: bool) -> int:
    number = params.java_long(text)
    if number is None:
        if public:
            raise OrcidError(9001, "Not found: %s" % request.path, status=404)
        raise OrcidError(9034, "'%s' is not a valid put-code" % text[:100])
    return number


def _location(record, section, put_code) -> str:
    return "%s/v3.0/%s/%s/%s" % (state().base_url, record.orcid, section.location_segment, put_code)


# -------------------------------------------------------------------- reads
def _read(caller: Caller, record, mimetype, section, put_code, summary=False):
    st = state()
    with st.registry.lock:
        item = st.registry.find_item(record, section, put_code)
        err = read_error(item, caller.reader, section.read_scope, item.section)
        if err:
            raise err
        elem = (st.renderer.summary if summary else st.renderer.item)(record, item)
    return render_element(elem, mimetype)


def _list(caller: Caller, record, mimetype, section):
    st = state()
    with st.registry.lock:
        items = visible(st.registry.items(record, section), caller.reader, section.read_scope)
        elem = st.renderer.section_list(record, section, items)
    return render_element(elem, mimetype)


def _record_view(caller: Caller, record, mimetype, view):
    st = state()
    reader = caller.reader
    rr = RecordRenderer(st.renderer)

    def visible_items(section):
        return visible(st.registry.items(record, section), reader, section.read_scope)

    with st.registry.lock:
        if view in ("record", "activities"):
            if caller.public_api:
                lists = [(s, visible_items(s), None) for s in sections.ACTIVITIES]
            else:
                # The member API groups first and hides after (facts §6.2).
                lists = [(s, st.registry.items(record, s), _shown(reader, s)) for s in sections.ACTIVITIES]
            activities = st.renderer.activities_summary(record, lists)
        if view == "activities":
            elem = activities
        elif view == "record":
            elem = rr.record(record, reader, visible_items, activities)
        elif view == "person":
            elem = rr.person(record, reader, visible_items)
        elif view == "personal-details":
            elem = rr.personal_details(record, reader, visible_items)
        elif view == "summary":
            elem = record_summary(rr, record, visible_items)
        elif view == "email":
            elem = rr.emails(record, reader)
        else:
            elem = rr.biography(record, reader)
            if elem is None:
                if record.biography:
                    raise OrcidError(9039 if caller.public_api else 9038,
                                     "The biography of %s is not visible to you" % record.orcid)
                raise OrcidError(9041, "Record %s has no biography" % record.orcid)
    return render_element(elem, mimetype)


def _shown(reader, section):
    return lambda item: read_error(item, reader, section.read_scope, item.section) is None


def _bulk_read(caller: Caller, record, mimetype, section, codes_text):
    codes = [c for c in codes_text.split(",")]
    if len(codes) > MAX_BULK:
        raise OrcidError(9042, "%d put-codes were requested; the limit is %d" % (len(codes), MAX_BULK))
    st = state()
    results = []
    with st.registry.lock:
        for code in codes:
            code = code.strip()
            number = params.java_long(code)
            item = st.registry.lookup_item(record, section, number) if number is not None else None
            if item is None:
                results.append(OrcidError(9034, "'%s' is not a valid put code for a work on "
                                          "record %s" % (code[:100], record.orcid)))
                continue
            err = read_error(item, caller.reader, section.read_scope, "work")
            results.append(err or st.renderer.item(record, item))
        elem = st.renderer.bulk(results)
    return render_element(elem, mimetype)


# -------------------------------------------------------------------- writes
def _create(caller: Caller, record, mimetype, section):
    caller.require(*section.create_scopes)
    body = bodies.read(request, section.tag)
    rules.check(section, body, state().registry)
    st = state()
    item = st.registry.add_item(record.orcid, section, body, caller.source,
                                check=rules.duplicate_check(section, caller.source))
    return Response(status=201, headers={"Location": _location(record, section, item.put_code)})


def _update(caller: Caller, record, mimetype, section, put_code):
    caller.require(section.update_scope)
    body = bodies.read(request, section.tag)
    st = state()
    with st.registry.lock:
        item, _changed = st.registry.update_item(
            record.orcid, section, put_code, body, caller.source,
            validate=lambda b: rules.check(section, b, st.registry),
            check=rules.duplicate_check(section, caller.source))
        elem = st.renderer.item(record, item)
    return render_element(elem, mimetype)


def _delete(caller: Caller, record, mimetype, section, put_code):
    caller.require(section.update_scope)
    state().registry.delete_item(record.orcid, section, put_code, caller.source)
    return Response(status=204)


def _bulk_create(caller: Caller, record, mimetype, section):
    from ..registry.namespaces import qn
    caller.require(*section.create_scopes)
    bulk = bodies.read(request, qn("bulk", "bulk"))
    # ORCID counts every element of the bulk and answers in the same order: a work becomes the
    # created work or its error, anything else (an ``error`` sent back) stays where it was.
    elements = list(bulk)
    if len(elements) > MAX_BULK:
        raise OrcidError(9006, "The bulk request has %d elements; up to %d elements per request "
                         "are allowed" % (len(elements), MAX_BULK))
    st = state()
    results = []
    with st.registry.lock:
        if len(record.section_items(section.name)) + len(elements) > MAX_WORKS:
            raise OrcidError(9048, "Adding %d works would take the record past %d works"
                             % (len(elements), MAX_WORKS))
        for work in elements:
            if work.tag != section.tag:
                results.append(work)
                continue
            try:
                field_values.check(work)
                rules.check(section, work, st.registry)
                item = st.registry.add_item(record.orcid, section, work, caller.source,
                                            check=rules.duplicate_check(section, caller.source))
                results.append(st.renderer.item(record, item))
            except OrcidError as err:
                results.append(err)
        elem = st.renderer.bulk(results)
    return render_element(elem, mimetype)
