"""Group-id records (facts §2.5): the journals, publishers and conferences peer reviews cite."""
from __future__ import annotations

import copy
import dataclasses
import re
from xml.etree import ElementTree as ET

from . import events
from .errors import OrcidError
from .model import Item, Source, same_source
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


# An ISSN as ORCID's IssnValidator reads it (four digits, a hyphen or en dash with optional
# spaces around it, three digits and a check character); the hyphen may also be left out, as
# ORCID's ISSN normaliser does. Nothing else may surround it: what is stored is its canonical
# form, so the group id can hold nothing a client slipped in.
_ISSN = re.compile(r"\s*([0-9]{4}) ?[-\u2013]? ?([0-9]{3}[0-9Xx])\s*")


def valid_issn(text: str) -> bool:
    """The pattern, and (standing in for the ISSN portal ORCID asks, which knows only real
    ISSNs) the ISO 3297 check character."""
    m = _ISSN.fullmatch(text)
    if m is None:
        return False
    digits = (m.group(1) + m.group(2)).upper()
    total = sum(int(d) * w for d, w in zip(digits[:7], range(8, 1, -1)))
    check = (11 - total % 11) % 11
    return digits[7] == ("X" if check == 10 else str(check))


def _key(group_id: str) -> str:
    return normalise(group_id.strip()).lower()


class GroupIds:
    """Lives on the Registry and shares its lock and put-code sequences."""

    def __init__(self, registry):
        self.registry = registry
        self.records: dict[int, Item] = {}
        # normalised, lower-cased group id -> put-code: one look-up, never a walk of records
        # that another thread may be adding to (peer reviews check group ids outside the lock).
        self._by_key: dict[str, int] = {}

    def find(self, put_code: int) -> Item:
        item = self.records.get(put_code)
        if item is None:
            raise OrcidError(9026, "No group-id-record with put-code %s" % put_code)
        return item

    def by_group_id(self, group_id: str) -> Item | None:
        with self.registry.lock:
            put_code = self._by_key.get(_key(group_id))
            return None if put_code is None else self.records.get(put_code)

    def by_name(self, name: str) -> Item | None:
        with self.registry.lock:
            return next((i for i in self.records.values()
                         if (i.body.findtext(G + "name") or "").strip() == name), None)

    def restore(self, item: Item) -> None:
        """Put back a record kept elsewhere (the state file), index included."""
        self._put(item)

    def _put(self, item: Item) -> None:
        old = self.records.get(item.put_code)
        if old is not None:
            self._by_key.pop(_key(group_id_of(old.body)), None)
        self.records[item.put_code] = item
        self._by_key[_key(group_id_of(item.body))] = item.put_code

    def _check_source(self, item: Item, source: Source, action: str) -> None:
        """ORCID's checkSourceAndThrow: only the client that created a group id record (not
        ORCID itself, for issn: ones) may change it (403 9010)."""
        if not same_source(item.source, source):
            raise OrcidError(9010, "You are not the source of group-id-record %s, so you cannot "
                             "%s it" % (item.put_code, action))

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
        self._put(item)
        self.registry.publish(events.GROUP_ID, events.CREATE, put_code=item.put_code,
                              source=source, item=item)
        return item

    def ensure_issn(self, group_id: str) -> Item:
        """The issn: group ORCID creates from the ISSN portal; an ISSN the portal cannot know
        is 400 9053 and creates nothing."""
        with self.registry.lock:
            existing = self.by_group_id(group_id)
            if existing is not None:
                return existing
            check_issn(group_id)
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
            self._check_source(item, source, "update")
            now = self.registry.now()
            item = dataclasses.replace(item, body=_group_body(body), last_modified=now)
            self._put(item)
            self.registry.publish(events.GROUP_ID, events.UPDATE, put_code=put_code,
                                  source=source, item=item)
            return item

    def delete(self, put_code: int, in_use, source: Source) -> None:
        with self.registry.lock:
            item = self.find(put_code)
            if in_use(group_id_of(item.body)):
                raise OrcidError(9040, "Group-id-record %s is used by peer reviews and cannot be "
                                 "deleted" % put_code)
            self._check_source(item, source, "delete")
            del self.records[put_code]
            self._by_key.pop(_key(group_id_of(item.body)), None)
            self.registry.publish(events.GROUP_ID, events.DELETE, put_code=put_code,
                                  source=source, item=item)

    def page(self, page: int, page_size: int) -> tuple[list[Item], int]:
        with self.registry.lock:
            items = sorted(self.records.values(), key=lambda i: i.put_code)
            start = (page - 1) * page_size
            return items[start:start + page_size], len(items)


def check_issn(group_id: str) -> None:
    """400 9053 unless an issn: group id names a valid ISSN (ORCID's InvalidIssnException)."""
    if not valid_issn(group_id[5:]):
        raise OrcidError(9053, "'%s' is not a valid ISSN group id: the ISSN must look like "
                         "NNNN-NNNC with a correct check character" % group_id[:200],
                         user_message="The ISSN is not valid.")


def _group_body(body: ET.Element) -> ET.Element:
    """What is stored of a sent group-id record: its own fields, no put-code."""
    body = copy.deepcopy(body)
    body.attrib.pop("put-code", None)
    for child in list(body):
        if not child.tag.startswith(G):
            body.remove(child)
    return body
