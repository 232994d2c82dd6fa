"""Who may read an item (facts §4.2): ORCID's checkAndFilter, in plain Python."""
from __future__ import annotations

from dataclasses import dataclass

from .errors import OrcidError
from .model import Item


@dataclass(frozen=True)
class Reader:
    client_id: str | None          # None: anonymous public API
    scopes: frozenset              # expanded scopes of the token (empty when anonymous)
    public_api: bool


def read_error(item: Item, reader: Reader, read_scope: str, what: str) -> OrcidError | None:
    if reader.public_api:
        if item.visibility == "public":
            return None
        return OrcidError(9039, "The %s with put-code %s is not public" % (what, item.put_code))
    if item.visibility == "public" and "/read-public" in reader.scopes:
        return None
    if reader.client_id and item.source.client_id == reader.client_id:
        return None
    if read_scope not in reader.scopes:
        return OrcidError(9038, "You do not have the scope %s needed to read the %s %s "
                          "(visibility %s)" % (read_scope, what, item.put_code, item.visibility))
    if item.visibility == "private":
        return OrcidError(9013, "The %s with put-code %s is private" % (what, item.put_code))
    return None


def visible(items, reader: Reader, read_scope: str):
    return [i for i in items if read_error(i, reader, read_scope, i.section) is None]
