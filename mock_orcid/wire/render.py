"""Builds ORCID's read elements (items, summaries, grouped lists, errors) from the registry.

Only element trees here; the web layer turns them into XML or JSON.

An item is rendered once per stored version (``ItemView``: its full element and its summary as
``Fragment`` text in both formats, its group keys and sort keys) and reused by every list,
group and record that shows it, until the item changes (a change stores a new ``Item``, which
is a new cache key). Lists and records are built fresh around those fragments. The public
methods (``item``, ``summary``, ``section_list``, ``activities_summary``...) return plain trees
(``materialize``); ``fast=True`` keeps the fragments for a writer in ``xmlio``/``jsonmap``.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime
from urllib.parse import urlparse
from xml.etree import ElementTree as ET

from ..registry import grouping, sections
from ..registry.errors import OrcidError
from ..registry.model import Item, Record, Source
from ..registry.namespaces import NS, local_name, qn
from ..registry.vocabularies import WORK_TYPES
from . import jsonmap, schemas, xmlio, xmlwrite
from .fragment import Fragment

C = "{%s}" % NS["common"]
_META = ("created-date", "last-modified-date", "source")
# ORCID's Work, Funding and PeerReview classes have no display-index (their summaries do).
NO_DISPLAY_INDEX = frozenset({"work", "funding", "peer-review"})
# How much rendered item text the renderer keeps (least recently used goes first).
DEFAULT_CACHE_BYTES = 256 * 1024 * 1024


def iso(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (dt.microsecond // 1000)


def _sub(parent: ET.Element, tag: str, text=None, **attrs) -> ET.Element:
    node = ET.SubElement(parent, tag, {k.replace("_", "-"): str(v) for k, v in attrs.items()})
    if text is not None:
        node.text = str(text)
    return node


# ------------------------------------------------------------------ fragments

def fragment(elem: ET.Element, parent_tag: str | None = None, set_name: str | None = None):
    """``elem`` as a Fragment (its XML and JSON text), or ``elem`` itself when it uses a
    namespace without a registered prefix (its XML then needs its own declarations)."""
    xml, namespaces = xmlwrite.to_text(elem, declare=False)
    if not all(xmlwrite.registered(uri) for uri in namespaces):
        return elem
    return Fragment(elem.tag, xml, jsonmap.to_json_text(elem, set_name, parent_tag), namespaces)


def _group_fragment(grp: ET.Element, list_tag: str):
    """A group (not a global element of the schema: its JSON is written as the child of its
    list) as a Fragment; the group itself if its XML would need its own declarations."""
    xml, namespaces = xmlwrite.to_text(grp, declare=False)
    if not all(xmlwrite.registered(uri) for uri in namespaces):
        return grp
    return Fragment(grp.tag, xml, jsonmap.child_json_text(grp, list_tag), namespaces)


def standalone_xml(frag: Fragment) -> bytes:
    """A fragment as a document: the header, and its namespaces declared on its root."""
    return xmlwrite.to_bytes(frag)


def parse_fragment(frag: Fragment) -> ET.Element:
    wrapper = "<w%s>%s</w>" % (xmlwrite.declarations(frag.namespaces), frag.xml)
    return ET.fromstring(wrapper)[0]    # our own text: no untrusted input here


def materialize(elem: ET.Element) -> ET.Element:
    """The same tree with every Fragment replaced by the elements it stands for."""
    if type(elem) is Fragment:
        return parse_fragment(elem)
    parents = [p for p in elem.iter() if any(type(c) is Fragment for c in p)]
    for parent in parents:
        for i, child in enumerate(list(parent)):
            if type(child) is Fragment:
                parent[i] = parse_fragment(child)
    return elem


class ItemView:
    """What reads need of one stored item version, worked out once."""
    __slots__ = ("item", "orcid", "full", "summary", "group_keys", "pub_date", "title",
                 "type_rank", "review_group", "size", "_doc")

    def __init__(self, item: Item, orcid: str):
        self.item = item
        self.orcid = orcid
        self._doc = None

    def document(self) -> bytes:
        """The full item as an XML document (GET of one item)."""
        if self._doc is None:
            self._doc = standalone_xml(self.full) if type(self.full) is Fragment \
                else xmlwrite.to_bytes(self.full)
        return self._doc


class _BytesLru:
    """Key -> value, least recently used first out, bounded by the text the values hold
    (``size_of``). Serves both what reads keep per item version (Item -> ItemView) and the
    groups of a list, keyed by their members' stored versions: a change to a member is a new
    Item, so a new key, and a group whose members did not change is written once, not per
    read."""

    def __init__(self, max_bytes: int, size_of):
        self.max_bytes = max_bytes
        self.bytes = 0
        self._size_of = size_of
        self._values: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        value = self._values.get(key)
        if value is not None:
            with self._lock:
                if key in self._values:
                    self._values.move_to_end(key)
        return value

    def put(self, key, value) -> None:
        size = self._size_of(value)
        with self._lock:
            old = self._values.pop(key, None)
            if old is not None:
                self.bytes -= self._size_of(old)
            self._values[key] = value
            self.bytes += size
            while self.bytes > self.max_bytes and len(self._values) > 1:
                _key, dropped = self._values.popitem(last=False)
                self.bytes -= self._size_of(dropped)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
            self.bytes = 0


def _view_size(view: ItemView) -> int:
    return view.size


def _size(node) -> int:
    return len(node.xml) + len(node.json) if type(node) is Fragment else 4096


class Renderer:
    """``registry_url`` names identities (iD and client URIs): ORCID's schema only allows
    ``https://…orcid.org/…`` there, just as the real API at api.sandbox.orcid.org names
    people https://sandbox.orcid.org/{iD}."""

    def __init__(self, registry_url: str = "https://sandbox.orcid.org",
                 cache_bytes: int = DEFAULT_CACHE_BYTES):
        self.base_url = registry_url.rstrip("/")
        self.host = urlparse(self.base_url).hostname or "localhost"
        self._views = _BytesLru(cache_bytes, _view_size)
        self._groups = _BytesLru(cache_bytes // 4, _size)

    # -- common pieces ----------------------------------------------------
    def orcid_identifier(self, parent, tag, orcid):
        """uri/path/host of an iD, appended to ``parent`` (or standalone when it is None)."""
        node = ET.Element(tag) if parent is None else _sub(parent, tag)
        _sub(node, C + "uri", "%s/%s" % (self.base_url, orcid))
        _sub(node, C + "path", orcid)
        _sub(node, C + "host", self.host)
        return node

    def source(self, src: Source) -> ET.Element:
        node = ET.Element(C + "source")
        if src.client_id:
            client = _sub(node, C + "source-client-id")
            _sub(client, C + "uri", "%s/client/%s" % (self.base_url, src.client_id))
            _sub(client, C + "path", src.client_id)
            _sub(client, C + "host", self.host)
        elif src.orcid:
            self.orcid_identifier(node, C + "source-orcid", src.orcid)
        _sub(node, C + "source-name", src.name)
        return node

    def _meta(self, item: Item) -> list[ET.Element]:
        created = ET.Element(C + "created-date")
        created.text = iso(item.created)
        modified = ET.Element(C + "last-modified-date")
        modified.text = iso(item.last_modified)
        return [created, modified, self.source(item.source)]

    def item_path(self, record: Record, section: sections.Section, put_code: int) -> str:
        return "/%s/%s/%s" % (record.orcid, section.location_segment, put_code)

    # -- items -------------------------------------------------------------
    def item(self, record: Record, item: Item) -> ET.Element:
        """The full item, a fresh tree (built from the stored body: nothing is copied)."""
        return self._full(record.orcid, item)

    def _full(self, orcid: str, item: Item) -> ET.Element:
        section = sections.BY_NAME[item.section]
        elem = ET.Element(section.tag)
        self._item_attrs(elem, orcid, section, item, summary=False)
        elem.extend(self._meta(item))
        elem.extend(list(item.body))
        self._add_normalised(elem)
        return elem

    def _item_attrs(self, elem, orcid, section, item, summary=True):
        elem.set("put-code", str(item.put_code))
        elem.set("path", "/%s/%s/%s" % (orcid, section.location_segment, item.put_code))
        elem.set("visibility", item.visibility)
        if summary or section.name not in NO_DISPLAY_INDEX:
            elem.set("display-index", str(item.display_index))

    def summary(self, record: Record, item: Item) -> ET.Element:
        return self._summary(record.orcid, item, self._full(record.orcid, item))

    def _summary(self, orcid: str, item: Item, full: ET.Element) -> ET.Element:
        """The summary of ``item``, built from (and taking the children of) its full tree."""
        section = sections.BY_NAME[item.section]
        elem = ET.Element(section.summary_tag)
        self._item_attrs(elem, orcid, section, item)
        by_local = {}
        for child in full:
            by_local.setdefault(local_name(child.tag), []).append(child)
        for tag, source_name in _summary_children(section):
            for found in by_local.get(source_name, ()):
                found.tag = tag
                elem.append(found)
        return elem

    def view(self, orcid: str, item: Item) -> ItemView:
        """The rendered item (cached per stored version)."""
        view = self._views.get(item)
        if view is not None and view.orcid == orcid:
            return view
        view = ItemView(item, orcid)
        section = sections.BY_NAME[item.section]
        full = self._full(orcid, item)
        view.full = fragment(full)
        view.size = _size(view.full)
        view.summary = None
        view.group_keys = ()
        if section.summary:
            summ = self._summary(orcid, item, full)
            _sort_keys(view, summ)
            view.group_keys = tuple((key, fragment(ext, C + "external-ids"))
                                    for key, ext in view.group_keys)
            view.summary = fragment(summ)
            view.size += _size(view.summary) + sum(_size(f) for _k, f in view.group_keys)
        self._views.put(item, view)
        return view

    def _add_normalised(self, elem: ET.Element) -> None:
        # ORCID adds the transient normalised value to work/peer-review ids on read.
        if local_name(elem.tag) not in ("work", "peer-review", "research-resource"):
            return
        for ext in elem.iter(C + "external-id"):
            if ext.find(C + "external-id-normalized") is not None:
                continue
            id_type, value, _rel = grouping.id_fields(ext)
            norm = grouping.normalise(id_type, value)
            if norm:
                node = ET.Element(C + "external-id-normalized", {"transient": "true"})
                node.text = norm
            else:
                node = ET.Element(C + "external-id-normalized-error", {"transient": "true"})
                _sub(node, C + "error-code", "8001")
                _sub(node, C + "error-message", "Cannot normalize identifier value %s" % value)
            anchor = ext.find(C + "external-id-value")
            ext.insert(list(ext).index(anchor) + 1 if anchor is not None else len(ext), node)

    # -- lists -------------------------------------------------------------
    def section_list(self, record: Record, section: sections.Section, items: list[Item],
                     shown=None, fast: bool = False) -> ET.Element:
        """``items`` are grouped; with ``shown`` (a predicate) the groups are built from every
        item first and the hidden ones removed after, as ORCID's /activities and /record do on
        the member API (facts §6.2): a hidden item can still join two visible ones."""
        container = ET.Element(section.list_tag, {"path": "/%s/%s" % (record.orcid, section.plural)})
        views = [self.view(record.orcid, i) for i in items]
        if shown is not None and section.kind == "activity":
            groups = [[v for v in g if shown(v.item)] for g in _ordered_views(views)]
            result = self._grouped(container, section, [g for g in groups if g], fast)
        else:
            if shown is not None:
                views = [v for v in views if shown(v.item)]
            if section.kind == "person":
                if views:
                    _sub(container, C + "last-modified-date",
                         iso(max(v.item.last_modified for v in views)))
                container.extend(v.full for v in views)
                result = container
            else:
                result = self._grouped(container, section, _ordered_views(views), fast)
        return result if fast else materialize(result)

    def _grouped(self, container, section, groups, fast: bool = False) -> ET.Element:
        members_all = [v for g in groups for v in g]
        if members_all:
            _sub(container, C + "last-modified-date",
                 iso(max(v.item.last_modified for v in members_all)))
        if section.grouping == "peer-review":
            self._peer_review_groups(container, members_all)
            return container
        group_tag = qn("activities", "affiliation-group" if section.grouping == "affiliation-group" else "group")
        for members in groups:
            if fast:
                # For the writers: the group as text, made once per version of its members.
                key = (members[0].orcid, group_tag) + tuple(v.item for v in members)
                node = self._groups.get(key)
                if node is None:
                    node = _group_fragment(self._group(group_tag, members), container.tag)
                    self._groups.put(key, node)
                container.append(node)
            else:
                container.append(self._group(group_tag, members))
        return container

    @staticmethod
    def _group(group_tag, members) -> ET.Element:
        grp = ET.Element(group_tag)
        _sub(grp, C + "last-modified-date", iso(max(v.item.last_modified for v in members)))
        grp.append(_group_external_ids(members))
        grp.extend(v.summary for v in members)
        return grp

    def _peer_review_groups(self, container, views):
        for gid, members in review_groups(views):
            outer = review_group(container, gid, members)
            for inner_members in _ordered_views(members):
                inner = _sub(outer, qn("activities", "peer-review-group"))
                _sub(inner, C + "last-modified-date",
                     iso(max(v.item.last_modified for v in inner_members)))
                inner.append(_group_external_ids(inner_members))
                inner.extend(v.summary for v in inner_members)

    def activities_summary(self, record: Record, lists, fast: bool = False) -> ET.Element:
        """``lists``: (section, items, shown-predicate or None); laid out in the schema's order."""
        elem = ET.Element(qn("activities", "activities-summary"),
                          {"path": "/%s/activities" % record.orcid})
        by_tag = {entry[0].list_tag: entry for entry in lists}
        children = []
        for decl in schemas.element_decl(elem.tag).type.content.iter_elements():
            if decl.name in by_tag:
                children.append(self.section_list(record, *by_tag[decl.name], fast=True))
        dates = [c.findtext(C + "last-modified-date") for c in children]
        dates = [d for d in dates if d]
        if dates:
            _sub(elem, C + "last-modified-date", max(dates))
        elem.extend(children)
        return elem if fast else materialize(elem)

    def group_id_record(self, item: Item) -> ET.Element:
        elem = ET.Element(qn("group-id", "group-id-record"), {"put-code": str(item.put_code)})
        # group-id-record carries its source fields directly, not in a common:source
        elem.extend(list(self.source(item.source)))
        elem.extend(list(item.body))
        return elem

    def group_id_records(self, items: list[Item], total: int, page: int, page_size: int) -> ET.Element:
        elem = ET.Element(qn("group-id", "group-id-records"))
        if items:
            _sub(elem, C + "last-modified-date", iso(max(i.last_modified for i in items)))
        _sub(elem, qn("group-id", "total"), total)
        _sub(elem, qn("group-id", "page"), page)
        _sub(elem, qn("group-id", "page-size"), page_size)
        for item in items:
            elem.append(self.group_id_record(item))
        return elem

    def permission_notification(self, item: Item) -> ET.Element:
        tag = qn("notification", "notification")
        children = {c.tag: c for c in item.body}
        for local, when in (("created-date", item.created), ("sent-date", item.created),
                            ("read-date", item.read), ("archived-date", item.archived)):
            if when is not None:
                node = ET.Element(C + local)
                node.text = iso(when)
                children[node.tag] = node
        children[C + "source"] = self.source(item.source)
        elem = ET.Element(tag, {"put-code": str(item.put_code)})
        decl = schemas.element_decl(tag, "notification-permission")
        for child_decl in decl.type.content.iter_elements():
            if child_decl.name in children:
                elem.append(children.pop(child_decl.name))
        return elem

    def permission_notifications(self, items: list[Item]) -> ET.Element:
        elem = ET.Element(qn("notification", "notifications"))
        elem.extend(self.permission_notification(i) for i in items)
        return elem

    # -- bulk and errors ----------------------------------------------------
    def bulk(self, results: list) -> ET.Element:
        container = ET.Element(qn("bulk", "bulk"))
        for entry in results:
            container.append(self.error(entry) if isinstance(entry, OrcidError) else entry)
        return container

    def error(self, err: OrcidError) -> ET.Element:
        elem = ET.Element(qn("error", "error"))
        body = err.as_dict()
        for key in ("response-code", "developer-message", "user-message", "error-code", "more-info"):
            # A message may quote the request (a path, a header, a query value): what XML
            # cannot carry is shown as U+FFFD, so the error itself stays well-formed.
            _sub(elem, qn("error", key), xmlio.ILLEGAL_CHARS.sub("\ufffd", str(body[key])))
        return elem


def review_groups(entries) -> list[tuple[str, list]]:
    """Peer reviews (views or entries with ``review_group``) by review group, in first-seen
    order."""
    by_group: dict[str, list] = {}
    for entry in entries:
        by_group.setdefault(entry.review_group, []).append(entry)
    return list(by_group.items())


def review_group(container, gid: str, members) -> ET.Element:
    """A peer-review group appended to ``container``: its last-modified date and the one
    ``peer-review`` external id that names review group ``gid`` (every API version)."""
    outer = _sub(container, qn("activities", "group"))
    _sub(outer, C + "last-modified-date", iso(max(m.item.last_modified for m in members)))
    ext = _sub(_sub(outer, C + "external-ids"), C + "external-id")
    _sub(ext, C + "external-id-type", "peer-review")
    _sub(ext, C + "external-id-value", gid)
    return outer


def _group_external_ids(members, copy: bool = False) -> ET.Element:
    """A group's external-ids: the first id of each distinct key its members carry (copied
    when the id is also part of a member's summary, as 2.x's are)."""
    ids = ET.Element(C + "external-ids")
    seen = set()
    for view in members:
        for key, ext in view.group_keys:
            if key not in seen:
                seen.add(key)
                ids.append(_copy(ext) if copy else ext)
    return ids


def _group_id(ext: ET.Element) -> ET.Element:
    clone = ET.Element(C + "external-id")
    for child in ext:
        if local_name(child.tag) in ("external-id-type", "external-id-value",
                                     "external-id-normalized", "external-id-url",
                                     "external-id-relationship"):
            clone.append(_copy(child))
    return clone


def _copy(elem: ET.Element) -> ET.Element:
    clone = ET.Element(elem.tag, elem.attrib)
    clone.text = elem.text
    clone.extend(_copy(c) for c in elem)
    return clone


def _pub_date_key(summ: ET.Element):
    date = summ.find(C + "publication-date")
    if date is None:
        return ""
    return "-".join((date.findtext(C + p) or "").strip().zfill(2) for p in ("year", "month", "day"))


_SUMMARY_CHILDREN: dict[str, tuple[tuple[str, str], ...]] = {}


def _summary_children(section: sections.Section) -> tuple[tuple[str, str], ...]:
    """A summary's children in schema order, each with the item child it is copied from
    (worked out once per section: walking the content model per summary was slow)."""
    found = _SUMMARY_CHILDREN.get(section.name)
    if found is None:
        decl = schemas.element_decl(section.summary_tag)
        found = _SUMMARY_CHILDREN[section.name] = tuple(
            (d.name, section.summary_renames.get(local_name(d.name), local_name(d.name)))
            for d in decl.type.content.iter_elements())
    return found


# ORCID sorts work types in its enum's order; unknown ones last.
_WORK_TYPE_RANK = {work_type: rank for rank, work_type in enumerate(WORK_TYPES)}


def _work_type_rank(summ: ET.Element) -> int:
    work_type = (summ.findtext("{%s}type" % NS["work"]) or "").strip()
    return _WORK_TYPE_RANK.get(work_type, len(WORK_TYPES))


def _sort_keys(view, summ: ET.Element) -> None:
    """What grouping and ordering need of a summary, set on ``view`` (group keys with the
    group's copy of each id, publication date, title, work-type rank, review group)."""
    view.group_keys = tuple((key, _group_id(ext)) for key, ext in grouping.group_keys(summ))
    view.pub_date = _pub_date_key(summ)
    node = summ.find(".//" + C + "title")
    view.title = (node.text or "") if node is not None else ""
    view.type_rank = _work_type_rank(summ)
    view.review_group = (summ.findtext("{%s}review-group-id" % NS["peer-review"]) or "").strip()


class _Entry:
    __slots__ = ("item", "elem", "group_keys", "pub_date", "title", "type_rank", "review_group")


def _ordered_groups(summaries):
    """(item, summary element) pairs, grouped and ordered as ``_ordered_views`` does."""
    entries = []
    for item, summ in summaries:
        entry = _Entry()
        entry.item, entry.elem = item, summ
        _sort_keys(entry, summ)
        entries.append(entry)
    return [[(e.item, e.elem) for e in group] for group in _ordered_views(entries)]


def _ordered_views(views):
    """Item views grouped (shared external ids, union-find) in ORCID's order."""
    groups = grouping.group(views, lambda view: view.group_keys)
    for members in groups:
        # preferred item first: highest display-index, then oldest
        members.sort(key=lambda v: (-v.item.display_index, v.item.created))
    # newest publication first, then title, then work type (ORCID's enum order), then oldest
    groups.sort(key=lambda m: (m[0].title, m[0].type_rank, m[0].item.created))
    groups.sort(key=lambda m: m[0].pub_date, reverse=True)
    return groups
