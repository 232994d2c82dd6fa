"""Member API (/v3.0) and public API (/pub/v3.0): routes driven by the section table.

Only translation lives here: which section a path names, the caller's token and scopes,
the body's format; the rules are in the registry, rules and visibility modules.
"""
from __future__ import annotations

from xml.etree import ElementTree as ET

from flask import Blueprint, Response, request

from ..registry import field_values, rules, sections
from ..registry.errors import OrcidError
from ..registry.store import MAX_WORKS, check_record_state
from ..registry.visibility import read_error, visible
from ..wire import jsonmap, schemas, xmlio
from ..wire.render_v2 import RendererV2
from ..wire.upgrade import kept_on_update, upgrade
from ..wire.fragment import Fragment
from ..wire.render import standalone_xml
from ..wire.render_record import RecordRenderer, record_summary
from . import bodies, negotiation, params
from .auth import Caller, authenticate
from .context import state
from .render_http import render_element

bp = Blueprint("api", __name__)

MAX_BULK = 100
# 3.0 handler -> its 2.x counterpart, filled in by web/api_v2.py.
VERSIONED: dict = {}
# Whole-record reads: path segment -> handler name (see _record_view).
RECORD_VIEWS = ("record", "person", "personal-details", "email", "biography", "activities")


def _public_api(prefix: str) -> bool:
    return prefix == "pub" or request.host.lower().startswith("pub.")


_V = '<any("2.0","2.1","3.0"):version>'
_METHODS = ["GET", "POST", "PUT", "DELETE"]


@bp.route("/v%s/<orcid>" % _V, defaults={"rest": "", "prefix": ""}, methods=_METHODS)
@bp.route("/v%s/<orcid>/<path:rest>" % _V, defaults={"prefix": ""}, methods=_METHODS)
@bp.route("/<prefix>/v%s/<orcid>" % _V, defaults={"rest": ""}, methods=_METHODS)
@bp.route("/<prefix>/v%s/<orcid>/<path:rest>" % _V, methods=_METHODS)
def dispatch(orcid: str, rest: str, prefix: str, version: str) -> Response:
    if prefix not in ("", "pub"):
        raise OrcidError(9001, "Not found: %s" % request.path, status=404)
    if orcid == "status" and not rest and version != "3.0":
        # 2.x's status (MemberV2/PublicV2 viewStatusText): plain text, no token, both APIs.
        if request.method not in ("GET", "HEAD"):
            raise OrcidError(9001, "Method %s is not allowed on %s" % (request.method,
                                                                      request.path), status=405)
        return Response("OK I am here", status=200, content_type="text/plain")
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
    handler, args = _route(parts, method, public, version)
    if version != "3.0":
        # API 2.x: the same routes, read and written in 2.x's words (web/api_v2.py).
        return VERSIONED[handler](version, caller, record, mimetype, *args)
    return handler(caller, record, mimetype, *args)


def _route(parts, method, public, version="3.0"):
    by_name, by_plural = sections.in_version(version)
    if not parts and method == "GET":
        return _record_view, ("record",)
    if len(parts) == 1 and parts[0] in RECORD_VIEWS and method == "GET":
        return _record_view, (parts[0],)
    if parts == ["summary"] and method == "GET" and not public and version == "3.0":
        return _record_view, ("summary",)
    if len(parts) == 1 and parts[0] in by_plural and by_plural[parts[0]].kind == "activity":
        section = by_plural[parts[0]]
        if method == "GET":
            return _list, (section,)
        if method == "POST" and section.name == "work":
            return _bulk_create, (section,)
    if len(parts) == 2 and parts[0] == "works" and method == "GET":
        return _bulk_read, (by_name["work"], parts[1])
    if parts and parts[0] in by_name:
        section = by_name[parts[0]]
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
    known = not parts or parts[0] in by_name or parts[0] in by_plural
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


def _location(record, section, put_code, version="3.0") -> str:
    return "%s/v%s/%s/%s/%s" % (state().base_url, version, record.orcid,
                                section.location_segment, put_code)


def _body(tag: str, version: str) -> ET.Element:
    """The request body in the registry's (3.0) words, checked against its version's schema."""
    if version == "3.0":
        return bodies.read(request, tag)
    return upgrade(bodies.read(request, tag, schemas.record_set(version)))


def _written(record, item, mimetype, version):
    """The answer to a PUT: the item as stored, in the caller's API version."""
    st = state()
    if version == "3.0":
        return render_element(st.renderer.view(record.orcid, item).full, mimetype)
    return render_element(RendererV2(st.renderer, version).item(record.orcid, item), mimetype,
                          set_name=schemas.record_set(version))


# -------------------------------------------------------------------- reads
# Reads take no lock for one item (items never change in place) and the registry lock only for
# a snapshot of the record otherwise; rendering happens outside it. What a record version reads
# as is kept in ``state().read_cache`` per view, format and what the caller may see.

# Scopes that change what a reader sees (visibility.read_error, render_record.field_visible).
_SEEING_SCOPES = frozenset({"/read-public", "/email/read-private", "/orcid-bio/read-limited"}
                           | {s.read_scope for s in sections.SECTIONS})


def _reader_key(caller: Caller):
    reader = caller.reader
    if reader.public_api:
        return ("public",)
    return (reader.client_id, reader.scopes & _SEEING_SCOPES)


def _encode(elem, kind: str) -> bytes:
    return jsonmap.to_json_text(elem).encode("utf-8") if kind == "json" else xmlio.to_bytes(elem)


def _send(data: bytes, mimetype: str) -> Response:
    return Response(data, status=200, content_type="%s;charset=UTF-8" % mimetype)


def _cached(caller: Caller, record, mimetype, view, build) -> Response:
    """The record's ``view`` for this caller: from the read cache if this revision was read
    before, else ``build(snapshot)`` outside the lock (and kept)."""
    st = state()
    kind = negotiation.kind(mimetype)
    key = (view, kind, _reader_key(caller))
    data = st.read_cache.get(record.orcid, record.revision, key)
    if data is None:
        snap = st.registry.snapshot(record.orcid)
        data = _encode(build(snap), kind)
        st.read_cache.put(snap.orcid, snap.revision, key, data)
    return _send(data, mimetype)


def _items(snap, section):
    return sorted(snap.section_items(section.name).values(), key=lambda i: i.put_code)


def _read(caller: Caller, record, mimetype, section, put_code, summary=False):
    st = state()
    item = st.registry.find_item(record, section, put_code)
    err = read_error(item, caller.reader, section.read_scope, item.section)
    if err:
        raise err
    view = st.renderer.view(record.orcid, item)
    node = view.summary if summary else view.full
    kind = negotiation.kind(mimetype)
    if kind == "json":
        data = (node.json if type(node) is Fragment else jsonmap.to_json_text(node)).encode("utf-8")
    elif summary:
        data = standalone_xml(node) if type(node) is Fragment else xmlio.to_bytes(node)
    else:
        data = view.document()
    return _send(data, mimetype)


def _list(caller: Caller, record, mimetype, section):
    st = state()
    reader = caller.reader

    def build(snap):
        items = visible(_items(snap, section), reader, section.read_scope)
        return st.renderer.section_list(snap, section, items, fast=True)
    return _cached(caller, record, mimetype, section.plural, build)


def _record_view(caller: Caller, record, mimetype, view):
    st = state()
    reader = caller.reader
    rr = RecordRenderer(st.renderer, fast=True)

    def build(snap):
        def visible_items(section):
            return visible(_items(snap, section), reader, section.read_scope)

        if view in ("record", "activities"):
            if caller.public_api:
                lists = [(s, visible_items(s), None) for s in sections.ACTIVITIES]
            else:
                # The member API groups first and hides after (facts §6.2).
                lists = [(s, _items(snap, s), _shown(reader, s)) for s in sections.ACTIVITIES]
            activities = st.renderer.activities_summary(snap, lists, fast=True)
        if view == "activities":
            return activities
        if view == "record":
            return rr.record(snap, reader, visible_items, activities)
        if view == "person":
            return rr.person(snap, reader, visible_items)
        if view == "personal-details":
            return rr.personal_details(snap, reader, visible_items)
        if view == "summary":
            return record_summary(rr, snap, visible_items)
        if view == "email":
            return rr.emails(snap, reader)
        return biography(rr, snap, caller)
    return _cached(caller, record, mimetype, view, build)


def biography(rr: RecordRenderer, snap, caller: Caller):
    """GET …/biography: the element, or ORCID's error when there is none or it is hidden."""
    elem = rr.biography(snap, caller.reader)
    if elem is None:
        if snap.biography:
            raise OrcidError(9039 if caller.public_api else 9038,
                             "The biography of %s is not visible to you" % snap.orcid)
        raise OrcidError(9041, "Record %s has no biography" % snap.orcid)
    return elem


def _shown(reader, section):
    return lambda item: read_error(item, reader, section.read_scope, item.section) is None


def _bulk_read(caller: Caller, record, mimetype, section, codes_text):
    st = state()
    results = bulk_results(caller, record, section, codes_text,
                           lambda item: st.renderer.view(record.orcid, item).full)
    return render_element(st.renderer.bulk(results), mimetype)


def bulk_results(caller: Caller, record, section, codes_text, render) -> list:
    """GET /works/{pc,pc,...}: per put-code, ``render(item)`` or the error ORCID puts in its
    place (9034 unknown, 9013/9038 not visible), in the order asked; at most MAX_BULK."""
    codes = codes_text.split(",")
    if len(codes) > MAX_BULK:
        raise OrcidError(9042, "%d put-codes were requested; the limit is %d" % (len(codes), MAX_BULK))
    registry = state().registry
    results = []
    for code in codes:
        code = code.strip()
        number = params.java_long(code)
        item = registry.lookup_item(record, section, number) if number is not None else None
        if item is None:
            results.append(OrcidError(9034, "'%s' is not a valid put code for a work on "
                                      "record %s" % (code[:100], record.orcid)))
            continue
        err = read_error(item, caller.reader, section.read_scope, "work")
        results.append(err or render(item))
    return results


# -------------------------------------------------------------------- writes
def _create(caller: Caller, record, mimetype, section, version="3.0"):
    caller.require(*section.create_scopes)
    body = _body(section.tag, version)
    rules.check(section, body, state().registry)
    st = state()
    item = st.registry.add_item(record.orcid, section, body, caller.source,
                                check=rules.duplicate_check(section, caller.source))
    return Response(status=201, headers={"Location": _location(record, section, item.put_code,
                                                               version)})


def _update(caller: Caller, record, mimetype, section, put_code, version="3.0"):
    caller.require(section.update_scope)
    body = _body(section.tag, version)
    st = state()
    if version != "3.0":
        stored = st.registry.lookup_item(record, section, put_code)
        if stored is not None:
            kept_on_update(body, stored.body)
    item, _changed = st.registry.update_item(
        record.orcid, section, put_code, body, caller.source,
        validate=lambda b: rules.check(section, b, st.registry),
        check=rules.duplicate_check(section, caller.source))
    return _written(record, item, mimetype, version)


def _delete(caller: Caller, record, mimetype, section, put_code):
    caller.require(section.update_scope)
    state().registry.delete_item(record.orcid, section, put_code, caller.source)
    return Response(status=204)


def _bulk_create(caller: Caller, record, mimetype, section, version="3.0"):
    from ..registry.namespaces import qn
    caller.require(*section.create_scopes)
    if version == "3.0":
        bulk = bodies.read(request, qn("bulk", "bulk"))
    else:
        bulk = bodies.read(request, qn("bulk", "bulk"), schemas.record_set(version))
    # ORCID counts every element of the bulk and answers in the same order: a work becomes the
    # created work or its error, anything else (an ``error`` sent back) stays where it was.
    elements = list(bulk)
    if len(elements) > MAX_BULK:
        raise OrcidError(9006, "The bulk request has %d elements; up to %d elements per request "
                         "are allowed" % (len(elements), MAX_BULK))
    st = state()
    # Each work is checked and made ready to store first, without the lock; then all are
    # stored in one hold of the lock (one batch of changes); then rendered, without it.
    results: list = []
    for element in elements:
        if element.tag != section.tag:
            results.append(element)
            continue
        work = element if version == "3.0" else upgrade(element)
        try:
            field_values.check(work)
            rules.check(section, work, st.registry)
            results.append(st.registry.prepare_item(section, work, caller.source))
        except OrcidError as err:
            results.append(err)
    check = rules.duplicate_check(section, caller.source)
    with st.registry.lock:
        if len(record.section_items(section.name)) + len(elements) > MAX_WORKS:
            raise OrcidError(9048, "Adding %d works would take the record past %d works"
                             % (len(elements), MAX_WORKS))
        for i, prepared in enumerate(results):
            if isinstance(prepared, (OrcidError, ET.Element)):
                continue
            try:
                results[i] = st.registry.add_item(record.orcid, section, prepared.body,
                                                  caller.source, check=check, prepared=prepared)
            except OrcidError as err:
                results[i] = err
    if version != "3.0":
        v2 = RendererV2(st.renderer, version)
        results = [r if isinstance(r, (OrcidError, ET.Element)) else v2.item(record.orcid, r)
                   for r in results]
        return render_element(st.renderer.bulk(results), mimetype,
                              set_name=schemas.record_set(version))
    results = [r if isinstance(r, (OrcidError, ET.Element)) else st.renderer.view(record.orcid, r).full
               for r in results]
    return render_element(st.renderer.bulk(results), mimetype)
