"""Duplicate detection through an index kept per record (facts §6.4).

ORCID refuses a second work (funding, affiliation, peer review...) from the same source that
shares a self identifier with one already on the record (409 9021), and a second person item
with the same value from the same source (409 9030). Looking that up by scanning every stored
item made a POST cost linear in the size of the record; each record instead keeps, per section,
a map from "source + identifier" to the put-codes that carry it. The keys of an item are
computed once, when it is stored (``rules.duplicate_keys``), and kept on the item so it can
leave the index again.
"""
from __future__ import annotations

from .model import Item, Record, Source


def source_key(source: Source):
    # The same rule as model.same_source: a client by its id, the researcher by the iD.
    return source.client_id if source.client_id else ("orcid", source.orcid)


class _Index:
    """One section's index: key -> put-code (or a set of them), and how many items it holds,
    so that items stored some other way (a test, a restore) are noticed and indexed."""
    __slots__ = ("keys", "count")

    def __init__(self):
        self.keys: dict = {}
        self.count = 0

    def add(self, item: Item) -> None:
        keys = self.keys
        for key in item.keys:
            found = keys.get(key)
            if found is None:
                keys[key] = item.put_code
            elif isinstance(found, int):
                keys[key] = {found, item.put_code}
            else:
                found.add(item.put_code)
        self.count += 1

    def remove(self, item: Item) -> None:
        keys = self.keys
        for key in item.keys:
            found = keys.get(key)
            if found is None:
                continue
            if isinstance(found, int):
                if found == item.put_code:
                    del keys[key]
            else:
                found.discard(item.put_code)
                if len(found) == 1:
                    keys[key] = next(iter(found))
        self.count -= 1


def add(record: Record, section_name: str, item: Item) -> None:
    index = record.duplicates.get(section_name)
    if index is None:
        index = record.duplicates[section_name] = _Index()
    index.add(item)


def remove(record: Record, section_name: str, item: Item) -> None:
    index = record.duplicates.get(section_name)
    if index is not None:
        index.remove(item)


def find(record: Record, section_name: str, keys: tuple, updating: Item | None = None,
         keys_of=None):
    """The lowest put-code of another item in the section that shares one of ``keys``.
    ``keys_of(item)`` gives the keys of an item stored without them (index rebuild)."""
    items = record.section_items(section_name)
    index = record.duplicates.get(section_name)
    if index is None or index.count != len(items):
        index = record.duplicates[section_name] = _Index()
        for item in items.values():
            if not item.keys and keys_of is not None:
                item = _with_keys(item, keys_of(item))
            index.add(item)
    skip = updating.put_code if updating is not None else None
    best = None
    for key in keys:
        found = index.keys.get(key)
        if found is None:
            continue
        for put_code in ((found,) if isinstance(found, int) else found):
            if put_code == skip or (best is not None and put_code > best):
                continue
            other = items.get(put_code)   # an index entry outliving its item is ignored
            if other is not None and (not other.keys or key in other.keys):
                best = put_code
    return best


class _Keyed:
    """An item's put-code with keys worked out for a rebuild."""
    __slots__ = ("put_code", "keys")

    def __init__(self, put_code, keys):
        self.put_code = put_code
        self.keys = keys


def _with_keys(item: Item, keys: tuple):
    return _Keyed(item.put_code, keys)
