"""An amended notification as the registry keeps it: what it was made from, read as ORCID's JSON.

Every member write leaves one amended notification. Kept as the JSON the inbox shows (nested
dicts and lists, the item's title and identifiers parsed out of its body at write time) it cost
some 2 KB and a dozen collector-tracked objects per write: half the memory of a registry of full
works. It is kept instead as its put-code, its dates and the committed items it is about (items
are frozen snapshots, usually the very objects the record stores, so holding them costs a
pointer), and it reads as a read-only ``Mapping`` with ORCID's keys whose values are built on
each access from those frozen parts. Nothing is parsed at write time; inbox reads are rare.

A notification never changes in place: marking it read or archived stores a new one
(``with_date``), so a listener holding the old one keeps a consistent snapshot.
"""
from __future__ import annotations

import copy
import json
import zlib
from collections.abc import Mapping
from urllib.parse import urlparse

from . import grouping
from .model import Item, Source
from .sections import Section
from .store import section_item_title

KEYS = ("put-code", "notification-type", "amended-section", "items", "source", "created-date",
        "sent-date", "read-date", "actioned-date", "archived-date")
# the dates the researcher sets, by key, and the slot that keeps each (milliseconds or None)
DATES = {"created-date": "created", "read-date": "read", "archived-date": "archived"}
_ID_FIELDS = ("external-id-type", "external-id-value", "external-id-relationship")


class AmendedNotification(Mapping):
    """What every stored amended notification has; the rest (``_part``) is the subclass's."""
    __slots__ = ("put_code", "created", "read", "archived")

    def __getitem__(self, key):
        if key == "put-code":
            return self.put_code
        if key == "notification-type":
            return "amended"
        if key in DATES:
            millis = getattr(self, DATES[key])
            return None if millis is None else {"value": millis}
        if key in ("sent-date", "actioned-date"):
            return None
        if key in ("amended-section", "items", "source"):
            return self._part(key)
        raise KeyError(key)

    def __iter__(self):
        return iter(KEYS)

    def __len__(self):
        return len(KEYS)

    def __repr__(self):
        return "<%s %s>" % (type(self).__name__, self.put_code)

    def _part(self, key):
        raise NotImplementedError

    def with_date(self, key: str, millis: int) -> "AmendedNotification":
        """A copy with ``key`` ("read-date" or "archived-date") set."""
        changed = copy.copy(self)         # every slot, of whichever kind this is
        setattr(changed, DATES[key], millis)
        return changed


class Written(AmendedNotification):
    """One that a member's API call left on this run: its items are the committed ``Item``s."""
    # changes: item, action, item, action... flat (one tuple, not one pair per item); section,
    # source and registry_url are shared objects.
    __slots__ = ("section", "source", "registry_url", "changes")

    def __init__(self, put_code: int, created: int, section: Section, source: Source,
                 registry_url: str, changes: list[tuple[Item, str]]):
        self.put_code, self.created, self.read, self.archived = put_code, created, None, None
        self.section, self.source, self.registry_url = section, source, registry_url
        self.changes = tuple(value for item, action in changes
                             for value in (_kept(section, item), action))

    def _part(self, key):
        if key == "amended-section":
            return self.section.amended_section
        if key == "source":
            url = self.registry_url
            return {
                "source-orcid": None,
                "source-client-id": {"uri": "%s/client/%s" % (url.rstrip("/"),
                                                              self.source.client_id),
                                     "path": self.source.client_id, "host": urlparse(url).hostname},
                "source-name": {"value": self.source.name},
            }
        changes = self.changes
        return {"item": [_item(self.section, changes[i], changes[i + 1])
                         for i in range(0, len(changes), 2)]}


# Items whose stored bytes are larger are kept as their gist, not by reference: a version that a
# later write replaces stays reachable only through its notifications, so pinning a large one
# (a client may PUT bodies of megabytes, again and again) would hold it for the life of the run.
# A typical work packs into a few hundred bytes.
PIN_LIMIT = 2048


class _Gist(tuple):
    """(put-code, title, identifier triples): what a notification shows of a large item."""
    __slots__ = ()


def _kept(section: Section, item: Item):
    if len(item.stored) <= PIN_LIMIT:
        return item
    put_code, name, ids = _parts(section, item)
    return _Gist((put_code, name, tuple(tuple(i.values()) for i in ids)))


def _parts(section: Section, item) -> tuple[int, str | None, list[dict]]:
    if isinstance(item, _Gist):
        put_code, name, ids = item
        return put_code, name, [dict(zip(_ID_FIELDS, triple)) for triple in ids]
    body = item.body
    ids = [dict(zip(_ID_FIELDS, grouping.id_fields(e))) for e in grouping.external_ids(body)]
    return item.put_code, section_item_title(section, body), ids


def _item(section: Section, item, action: str) -> dict:
    put_code, name, ids = _parts(section, item)
    return {
        "put-code": str(put_code),
        "item-type": section.item_type,
        "item-name": name,
        "external-id": ids[0] if ids else None,
        "action-type": action,
        "additional-info": {"external_identifiers": {"external-id": ids}},
    }


class Restored(AmendedNotification):
    """One read back from the state file: its JSON parts kept deflated (the items it named may
    be gone, so they cannot be rebuilt)."""
    __slots__ = ("packed",)

    def __init__(self, value: dict):
        self.put_code = value["put-code"]
        self.created, self.read, self.archived = (
            (value.get(key) or {}).get("value") for key in ("created-date", "read-date",
                                                            "archived-date"))
        parts = {key: value.get(key) for key in ("amended-section", "items", "source")}
        self.packed = zlib.compress(json.dumps(parts).encode("utf-8"))

    def _part(self, key):
        return json.loads(zlib.decompress(self.packed))[key]
