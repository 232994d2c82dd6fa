"""Builds ORCID's read elements (items, summaries, grouped lists, errors) from the registry.

Only element trees here; the web layer turns them into XML or JSON.
"""
from __future__ import annotations

import copy
from datetime import datetime
from urllib.parse import urlparse
from xml.etree import ElementTree as ET

from ..registry import grouping, sections
from ..registry.errors import OrcidError
from ..registry.model import Item, Record, Source
from ..registry.namespaces import NS, local_name, qn
from ..registry.vocabularies import WORK_TYPES
from . import schemas, xmlio

C = "{%s}" % NS["common"]
_META = ("created-date", "last-modified-date", "source")


def iso(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (dt.microsecond // 1000)


def _sub(parent: ET.Element, tag: str, text=None, **attrs) -> ET.Element:
    node = ET.SubElement(parent, tag, {k.replace("_", "-"): str(v) for k, v in attrs.items()})
    if text is not None:
        node.text = str(text)
    return node


class Renderer:
    """``registry_url`` names identities (iD and client URIs): ORCID's schema only allows
    ``https://…orcid.org/…`` there, just as the real API at api.sandbox.orcid.org names
    people https://sandbox.orcid.org/{iD}."""

    def __init__(self, registry_url: str = "https://sandbox.orcid.org"):
        self.base_url = registry_url.rstrip("/")
        self.host = urlparse(self.base_url).hostname or "localhost"

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
        section = sections.BY_NAME[item.section]
        elem = ET.Element(section.tag)
        self._item_attrs(elem, record, section, item)
        elem.extend(self._meta(item))
        elem.extend(copy.deepcopy(list(item.body)))
        self._add_normalised(elem)
        return elem

    def _item_attrs(self, elem, record, section, item):
        elem.set("put-code", str(item.put_code))
        elem.set("path", self.item_path(record, section, item.put_code))
        elem.set("visibility", item.visibility)
        elem.set("display-index", str(item.display_index))

    def summary(self, record: Record, item: Item) -> ET.Element:
        section = sections.BY_NAME[item.section]
        full = self.item(record, item)
        elem = ET.Element(section.summary_tag)
        self._item_attrs(elem, record, section, item)
        by_local = {}
        for child in full:
            by_local.setdefault(local_name(child.tag), []).append(child)
        for tag, source_name in _summary_children(section):
            for found in by_local.get(source_name, ()):
                if found.tag != tag:
                    found = _retag(found, tag)
                elem.append(found)
        return elem

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
                     shown=None) -> ET.Element:
        """``items`` are grouped; with ``shown`` (a predicate) the groups are built from every
        item first and the hidden ones removed after, as ORCID's /activities and /record do on
        the member API (facts §6.2): a hidden item can still join two visible ones."""
        container = ET.Element(section.list_tag, {"path": "/%s/%s" % (record.orcid, section.plural)})
        if shown is not None and section.kind == "activity":
            groups = [[m for m in g if shown(m[0])] for g in
                      _ordered_groups([(i, self.summary(record, i)) for i in items])]
            return self._grouped(container, section, [g for g in groups if g])
        if shown is not None:
            items = [i for i in items if shown(i)]
        if section.kind == "person":
            if items:
                _sub(container, C + "last-modified-date", iso(max(i.last_modified for i in items)))
            for item in items:
                container.append(self.item(record, item))
            return container
        summaries = [(item, self.summary(record, item)) for item in items]
        return self._grouped(container, section, _ordered_groups(summaries))

    def _grouped(self, container, section, groups) -> ET.Element:
        members_all = [m for g in groups for m in g]
        if members_all:
            _sub(container, C + "last-modified-date", iso(max(i.last_modified for i, _ in members_all)))
        if section.grouping == "peer-review":
            self._peer_review_groups(container, members_all)
            return container
        group_tag = qn("activities", "affiliation-group" if section.grouping == "affiliation-group" else "group")
        for members in groups:
            grp = _sub(container, group_tag)
            _sub(grp, C + "last-modified-date", iso(max(i.last_modified for i, _ in members)))
            grp.append(_group_external_ids(members))
            for _item, summ in members:
                grp.append(summ)
        return container

    def _peer_review_groups(self, container, summaries):
        by_group: dict[str, list] = {}
        for item, summ in summaries:
            gid = summ.findtext("{%s}review-group-id" % NS["peer-review"]) or ""
            by_group.setdefault(gid.strip(), []).append((item, summ))
        for gid, members in by_group.items():
            outer = _sub(container, qn("activities", "group"))
            _sub(outer, C + "last-modified-date", iso(max(i.last_modified for i, _ in members)))
            ids = _sub(outer, C + "external-ids")
            ext = _sub(ids, C + "external-id")
            _sub(ext, C + "external-id-type", "peer-review")
            _sub(ext, C + "external-id-value", gid)
            for inner_members in _ordered_groups(members):
                inner = _sub(outer, qn("activities", "peer-review-group"))
                _sub(inner, C + "last-modified-date", iso(max(i.last_modified for i, _ in inner_members)))
                inner.append(_group_external_ids(inner_members))
                for _item, summ in inner_members:
                    inner.append(summ)

    def activities_summary(self, record: Record, lists) -> ET.Element:
        """``lists``: (section, items, shown-predicate or None); laid out in the schema's order."""
        elem = ET.Element(qn("activities", "activities-summary"),
                          {"path": "/%s/activities" % record.orcid})
        by_tag = {entry[0].list_tag: entry for entry in lists}
        children = []
        for decl in schemas.element_decl(elem.tag).type.content.iter_elements():
            if decl.name in by_tag:
                children.append(self.section_list(record, *by_tag[decl.name]))
        dates = [c.findtext(C + "last-modified-date") for c in children]
        dates = [d for d in dates if d]
        if dates:
            _sub(elem, C + "last-modified-date", max(dates))
        elem.extend(children)
        return elem

    def group_id_record(self, item: Item) -> ET.Element:
        elem = ET.Element(qn("group-id", "group-id-record"), {"put-code": str(item.put_code)})
        # group-id-record carries its source fields directly, not in a common:source
        elem.extend(list(self.source(item.source)))
        elem.extend(copy.deepcopy(list(item.body)))
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
        children = {c.tag: c for c in copy.deepcopy(list(item.body))}
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


def _retag(elem, tag):
    clone = copy.deepcopy(elem)
    clone.tag = tag
    return clone


def _group_external_ids(members) -> ET.Element:
    """A group's external-ids: the first id of each distinct key its members carry."""
    ids = ET.Element(C + "external-ids")
    seen = set()
    for _item, summ in members:
        for key, ext in grouping.group_keys(summ):
            if key not in seen:
                seen.add(key)
                ids.append(_group_id(ext))
    return ids


def _group_id(ext: ET.Element) -> ET.Element:
    clone = ET.Element(C + "external-id")
    for child in ext:
        if local_name(child.tag) in ("external-id-type", "external-id-value",
                                     "external-id-normalized", "external-id-url",
                                     "external-id-relationship"):
            clone.append(copy.deepcopy(child))
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


def _ordered_groups(summaries):
    groups = grouping.group(summaries, lambda entry: grouping.group_keys(entry[1]))
    for members in groups:
        # preferred item first: highest display-index, then oldest
        members.sort(key=lambda e: (-e[0].display_index, e[0].created))
    # newest publication first, then title, then work type (ORCID's enum order), then oldest
    def title(members):
        t = members[0][1].find(".//" + C + "title")
        return (t.text or "") if t is not None else ""
    groups.sort(key=lambda m: (title(m), _work_type_rank(m[0][1]), m[0][0].created))
    groups.sort(key=lambda m: _pub_date_key(m[0][1]), reverse=True)
    return groups
