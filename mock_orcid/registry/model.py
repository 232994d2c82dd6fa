"""Plain data of the registry: records, items, clients, tokens. No HTTP here."""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime
from xml.etree import ElementTree as ET

from . import compact

VISIBILITIES = ("public", "limited", "registered-only", "private")
CLIENT_TYPES = ("public", "member", "premium")


@dataclass
class Source:
    """Who wrote an item: a member client or the researcher."""
    client_id: str | None = None
    orcid: str | None = None
    name: str = ""


def same_source(a: Source, b: Source) -> bool:
    """ORCID's source check: a client is identified by its id, the researcher by the iD."""
    if a.client_id or b.client_id:
        return a.client_id == b.client_id
    return a.orcid == b.orcid


@dataclass(frozen=True, eq=False, init=False, slots=True, weakref_slot=True)
class Item:
    """One stored item. Frozen: a change stores a new Item, so a snapshot never moves.

    The body is kept as compact bytes (``compact.pack``) and ``body`` parses a fresh element
    tree on each access; ``Item(section, put_code, body, ...)`` takes the tree as before.
    Items compare by identity (two stored items are never "equal"), which also makes them
    usable as cache keys."""
    section: str
    put_code: int
    stored: bytes             # the client's content, without read-only metadata, packed
    source: Source
    visibility: str
    created: datetime
    last_modified: datetime
    display_index: int = 1    # ORCID gives API-created items 1
    archived: datetime | None = None     # permission notifications only
    read: datetime | None = None
    keys: tuple = ()          # duplicate-index keys (registry.duplicates), for works and the like

    def __init__(self, section: str, put_code: int, body: ET.Element | None = None,
                 source: Source | None = None, visibility: str = "public",
                 created: datetime | None = None, last_modified: datetime | None = None,
                 display_index: int = 1, archived: datetime | None = None,
                 read: datetime | None = None, keys: tuple = (), *, stored: bytes | None = None):
        if body is not None:
            stored = compact.pack(copy.deepcopy(body))
        elif stored is None:
            raise TypeError("Item needs a body or its stored bytes")
        for name, value in (("section", section), ("put_code", put_code), ("stored", stored),
                            ("source", source), ("visibility", visibility),
                            ("created", created), ("last_modified", last_modified),
                            ("display_index", display_index), ("archived", archived),
                            ("read", read), ("keys", keys)):
            object.__setattr__(self, name, value)

    @property
    def body(self) -> ET.Element:
        return compact.unpack(self.stored)


@dataclass
class Email:
    email: str
    primary: bool = True
    verified: bool = True
    visibility: str = "public"
    created: datetime | None = None
    last_modified: datetime | None = None


@dataclass
class Record:
    orcid: str
    given_names: str
    family_name: str | None
    credit_name: str | None
    emails: list[Email]
    biography: str | None
    default_visibility: str
    created: datetime
    last_modified: datetime
    items: dict[str, dict[int, Item]] = field(default_factory=dict)
    notifications: list = field(default_factory=list)     # amended (registry/amended.py)
    permission_notifications: dict[int, "Item"] = field(default_factory=dict)
    accepts_member_notifications: bool = True
    name_visibility: str = "public"
    biography_visibility: str = "public"
    state: str = "active"           # active | deprecated | locked | deactivated | unclaimed
    primary_orcid: str | None = None
    created_by_client: str | None = None
    password: str | None = None     # set in fixtures: sign-in needs it; None: any password works
    # The change-stream sequence number of the last change to this record: what a read cache
    # keys on (a new record, even after a reset, never repeats an earlier number).
    revision: int = 0
    # Duplicate detection (registry.duplicates): section -> key -> put-code(s)
    duplicates: dict = field(default_factory=dict, repr=False)

    def section_items(self, section: str) -> dict[int, Item]:
        return self.items.setdefault(section, {})

    @property
    def display_name(self) -> str:
        if self.credit_name:
            return self.credit_name
        return " ".join(p for p in (self.given_names, self.family_name) if p)


@dataclass
class Client:
    client_id: str
    client_secret: str
    name: str
    type: str                        # public | member | premium
    redirect_uris: list[str]
    description: str = ""
    persistent_tokens: bool = True


@dataclass
class AuthorizationCode:
    code: str
    client_id: str
    orcid: str
    scopes: tuple[str, ...]
    redirect_uri: str | None
    created: datetime
    nonce: str | None = None
    used: bool = False


@dataclass
class Token:
    access_token: str
    refresh_token: str
    client_id: str
    orcid: str | None                # None for client-credentials tokens
    scopes: tuple[str, ...]          # as granted (not expanded)
    issued: datetime
    expires_in: int
    from_code: str | None = None
    revoked: bool = False            # revoked by the client, an admin, or a reused code
    user_revoked: bool = False       # the researcher revoked this client's access
    parent: str | None = None

    @property
    def is_user_token(self) -> bool:
        return self.orcid is not None
