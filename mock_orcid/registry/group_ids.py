"""Group-id records (facts §2.5): the journals, publishers and conferences peer reviews cite."""
from __future__ import annotations

import copy
import dataclasses
import re
from xml.etree import ElementTree as ET

from . import events
from .errors import OrcidError
from .model import Item, Source
from .namespaces import NS

G = "{%s}" % NS["group-id"]
GROUP_ID_RE = re.compile(r"^(ringgold:|issn:|orcid-generated:|fundref:|publons:)"
                         r"[0-9a-zA-Z\^._~:/?#\[\]@!$&'()*+,;=-]{2,}$")
SEQUENCE = "group-id-record"


def group_id_of(body: ET.Element) -> str:
    return (body.findtext(G + "group-id") or "").strip()


def normalise(group_id: str) -> str:
    # ORCID stores issn: group ids in their canonical NNNN-NNNN form.
    if group_id.lower().startswith("issn:"):
        digits = re.sub(r"[^0-9Xx]", "", group_id[5:]).upper()
        if len(digits) == 8:
            return "issn:%s-%s" % (digits[:4], digits[4:])
    return group_id


class GroupIds:
    """Lives on the Registry and shares its lock and put-code sequences."""

    def __init__(self, registry):
        self.registry = registry
        self.records: dict[int, Item] = {}

    def find(self, put_code: int) -> Item:
        item = self.records.get(put_code)
        if item is None:
            raise OrcidError(9026, "No group-id-record with put-code %s" % put_code)
        return item

    def by_group_id(self, group_id: str) -> Item | None:
        wanted = normalise(group_id).lower()
        return next((i for i in self.records.values() if group_id_of(i.body).lower() == wanted), None)

    def by_name(self, name: str) -> Item | None:
        return next((i for i in self.records.values()
                     if (i.body.findtext(G + "name") or "").strip() == name), None)

    def _check(self, body: ET.Element) -> None:
        gid = group_id_of(body)
        if not GROUP_ID_RE.match(gid):
            raise OrcidError(9020, "Invalid group-id '%s': it must start with ringgold:, issn:, "
                             "orcid-generated:, fundref: or publons:" % gid)

    def create(self, body: ET.Element, source: Source) -> Item:
        with self.registry.lock:
            if body.get("put-code") is not None:
                raise OrcidError(9024, "A new group-id-record must not carry a put-code")
            self._check(body)
            gid = group_id_of(body)
            if self.by_group_id(gid) is not None:
                raise OrcidError(9025, "A group-id-record with group-id %s already exists" % gid)
            if gid.lower().startswith("issn:"):
                # ORCID creates issn: groups itself (from the ISSN portal) and still says 409.
                self.ensure_issn(gid)
                raise OrcidError(9025, "The group-id-record %s was created by ORCID from the "
                                 "ISSN portal" % normalise(gid))
            return self._store(body, source)

    def _store(self, body, source) -> Item:
        now = self.registry.now()
        body = _group_body(body)
        item = Item(SEQUENCE, self.registry.next_put_code(SEQUENCE), body, source, "public", now, now)
        self.records[item.put_code] = item
        self.registry.publish(events.GROUP_ID, events.CREATE, put_code=item.put_code,
                              source=source, item=item)
        return item

    def ensure_issn(self, group_id: str) -> Item:
        with self.registry.lock:
            existing = self.by_group_id(group_id)
            if existing is not None:
                return existing
            gid = normalise(group_id)
            body = ET.Element(G + "group-id-record")
            for tag, text in (("name", "Journal %s" % gid[5:]), ("group-id", gid),
                              ("description", "Journal %s (from the ISSN portal)" % gid[5:]),
                              ("type", "journal")):
                ET.SubElement(body, G + tag).text = text
            return self._store(body, Source(name="ORCID"))

    def update(self, put_code: int, body: ET.Element, source: Source) -> Item:
        with self.registry.lock:
            item = self.find(put_code)
            body_code = (body.get("put-code") or "").strip()
            if body_code != str(put_code):
                raise OrcidError(9019, "The put-code in the URL (%s) does not match the put-code "
                                 "in the body (%s)" % (put_code, body_code or "null"))
            self._check(body)
            other = self.by_group_id(group_id_of(body))
            if other is not None and other is not item:
                raise OrcidError(9025, "A group-id-record with group-id %s already exists"
                                 % group_id_of(body))
            now = self.registry.now()
            item = dataclasses.replace(item, body=_group_body(body), last_modified=now)
            self.records[put_code] = item
            self.registry.publish(events.GROUP_ID, events.UPDATE, put_code=put_code,
                                  source=source, item=item)
            return item

    def delete(self, put_code: int, in_use) -> None:
        with self.registry.lock:
            item = self.find(put_code)
            if in_use(group_id_of(item.body)):
                raise OrcidError(9040, "Group-id-record %s is used by peer reviews and cannot be "
                                 "deleted" % put_code)
            del self.records[put_code]
            self.registry.publish(events.GROUP_ID, events.DELETE, put_code=put_code, item=item)

    def page(self, page: int, page_size: int) -> tuple[list[Item], int]:
        with self.registry.lock:
            items = sorted(self.records.values(), key=lambda i: i.put_code)
            start = (page - 1) * page_size
            return items[start:start + page_size], len(items)


def _group_body(body: ET.Element) -> ET.Element:
    """What is stored of a sent group-id record: its own fields, no put-code."""
    body = copy.deepcopy(body)
    body.attrib.pop("put-code", None)
    for child in list(body):
        if not child.tag.startswith(G):
            body.remove(child)
    return body
