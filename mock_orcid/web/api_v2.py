"""API 2.0 and 2.1 on the member and public API: the routes of ``api`` (which picks the
section from the version's part of the section table), answered in 2.x's words.

Writes are 3.0's handlers with the version passed on (the body is checked against the 2.x
schema and mapped to the stored model); reads build 2.x's shapes from the same rendered items
(``wire.render_v2``). 2.x reads are not kept in the read cache: 3.0 is the hot path.
"""
from __future__ import annotations

from ..registry import sections
from ..registry.errors import OrcidError
from ..registry.visibility import read_error, visible
from ..wire import schemas
from ..wire.render_record import RecordRenderer
from ..wire.render_v2 import RendererV2
from . import api
from .context import state
from .render_http import render_element


def _send(elem, mimetype, version):
    return render_element(elem, mimetype, set_name=schemas.record_set(version))


def _served(item, version) -> bool:
    return version in sections.BY_NAME[item.section].versions


def read(version, caller, record, mimetype, section, put_code, summary=False):
    st = state()
    item = st.registry.find_item(record, section, put_code)
    if not _served(item, version):
        # A 3.0-only affiliation shares the put-code sequence; 2.x cannot show it.
        raise OrcidError(9016, "No %s found with put-code %s on record %s"
                         % (section.name, put_code, record.orcid), status=404)
    err = read_error(item, caller.reader, section.read_scope, item.section)
    if err:
        raise err
    v2 = RendererV2(st.renderer, version)
    # Like 3.0 here, an affiliation read by put-code under another kind shows as its own kind.
    elem = v2.summary(record.orcid, item) if summary else v2.item(record.orcid, item)
    return _send(elem, mimetype, version)


def list_(version, caller, record, mimetype, section):
    st = state()
    snap = st.registry.snapshot(record.orcid)
    items = visible(api._items(snap, section), caller.reader, section.read_scope)
    return _send(RendererV2(st.renderer, version).section_list(snap, section, items), mimetype,
                 version)


def record_view(version, caller, record, mimetype, view):
    st = state()
    reader = caller.reader
    snap = st.registry.snapshot(record.orcid)
    v2 = RendererV2(st.renderer, version)
    rr = RecordRenderer(st.renderer)

    def visible_items(section):
        if version not in section.versions:
            return []
        return visible(api._items(snap, section), reader, section.read_scope)

    if view == "activities":
        return _send(v2.activities_summary(snap, visible_items), mimetype, version)
    if view == "record":
        elem = rr.record(snap, reader, visible_items, v2.activities_summary(snap, visible_items))
    elif view == "person":
        elem = rr.person(snap, reader, visible_items)
    elif view == "personal-details":
        elem = rr.personal_details(snap, reader, visible_items)
    elif view == "email":
        elem = rr.emails(snap, reader)
    else:
        elem = api.biography(rr, snap, caller)
    return _send(v2.record_tree(elem), mimetype, version)


def bulk_read(version, caller, record, mimetype, section, codes_text):
    st = state()
    v2 = RendererV2(st.renderer, version)
    results = api.bulk_results(caller, record, section, codes_text,
                               lambda item: v2.item(record.orcid, item))
    return _send(st.renderer.bulk(results), mimetype, version)


def _versioned(handler):
    return lambda version, *args: handler(*args, version=version)


api.VERSIONED.update({
    api._read: read,
    api._list: list_,
    api._record_view: record_view,
    api._bulk_read: bulk_read,
    api._create: _versioned(api._create),
    api._update: _versioned(api._update),
    api._bulk_create: _versioned(api._bulk_create),
    api._delete: lambda version, *args: api._delete(*args),
})
