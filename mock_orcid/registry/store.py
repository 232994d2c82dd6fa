"""The registry: records and their items, clients, tokens, put-code sequences.

Plain Python, shared by the server's threads. Every read and write takes one re-entrant
lock, so put-codes are never handed out twice and no write is lost. Items are stored as
the client sent them (minus read-only metadata); what ORCID adds on read (put-code,
source, dates, path, visibility) lives on the Item and is rendered by ``wire.render``.

Every committed write publishes one ``events.Change``; listeners (notifications, and later
search, webhooks, sync files, persistence) get them after the write, outside the lock.
Items are never changed in place: an update stores a new ``Item``, so a change (or a
reader) holding the old one sees a consistent snapshot.
"""
from __future__ import annotations

import copy
import dataclasses
import random
import string
import threading
import uuid
from datetime import datetime, timedelta
from xml.etree import ElementTree as ET


from . import account_fields, compact, duplicates, events, orcid_id, rules, sections
from .clock import Clock, system_now
from .errors import Conflict, InvalidValue, OrcidError
from .events import CREATE, DELETE, UPDATE
from .group_ids import GroupIds
from .model import (
    CLIENT_TYPES,
    VISIBILITIES,
    AuthorizationCode,
    Client,
    Email,
    Item,
    Record,
    Source,
    Token,
    same_source,
)
from .namespaces import NS, local_name
from .secret_values import random_text, uuid4_text
from .webhooks import Webhooks

# Put-code sequences start high enough to look like ORCID's and to never collide with
# the "1" that clients sometimes hard-code by mistake.
SEQUENCE_START = 1000
CLIENT_TOKEN_SECONDS = 631138518
MAX_WORKS = 10000

# read-only metadata a client may send but ORCID ignores (clearSource)
_READ_ONLY = {"{%s}%s" % (NS["common"], n) for n in ("created-date", "last-modified-date", "source")}
# values ORCID computes on every read and never stores
_TRANSIENT = {"{%s}%s" % (NS["common"], n) for n in ("external-id-normalized",
                                                     "external-id-normalized-error")}


_ITEM_ATTRIBUTES = ("put-code", "visibility", "path", "display-index")
_ID_TYPE = "{%s}external-id-type" % NS["common"]

utcnow = system_now   # the system's time; the registry's own time is ``Registry.now``


class Registry:
    def __init__(self, seed: int = 1, clock: Clock | None = None):
        self.changes = events.ChangeStream()
        self.lock = self.changes.lock
        self.seed = seed
        # The one time source (the harness moves it); see registry/clock.py.
        self.clock = clock or Clock()
        self._clock_last = None
        self._clock_epoch = self.clock.epoch
        # The clock has its own small lock: reads ask for the time too, and must not wait
        # behind a writer that holds the registry lock.
        self._clock_lock = threading.Lock()
        self._sources: dict[tuple, Source] = {}
        self.clear()

    def subscribe(self, listener) -> callable:
        """``listener(changes)`` gets each committed batch of changes; returns an unsubscribe."""
        return self.changes.subscribe(listener)

    def publish(self, what: str, action: str, **details) -> events.Change:
        """Say what was just committed (call with the lock held, after the write)."""
        change = self.changes.publish(what, action, self._clock_last or self.clock.now(), **details)
        if change.modifies_record:
            record = self.records.get(change.orcid)
            if record is not None:
                record.revision = change.seq
        return change

    # ------------------------------------------------------------------ state
    @property
    def faker(self):
        """Made on first use, seeded as ever: Faker is a twentieth of a second of imports
        and set-up that a start with named fixtures does not need."""
        if self._faker is None:
            from faker import Faker
            faker = Faker()
            faker.seed_instance(self.seed)
            self._faker = faker
        return self._faker

    def clear(self) -> None:
        with self.lock:
            first = not hasattr(self, "records")
            self.records: dict[str, Record] = {}
            self.clients: dict[str, Client] = {}
            self.tokens: dict[str, Token] = {}
            self.refresh_tokens: dict[str, Token] = {}
            self.codes: dict[str, AuthorizationCode] = {}
            self.sequences: dict[str, int] = {}
            self.rng = random.Random(self.seed)
            self._faker = None      # made (and seeded) when first asked: see ``faker``
            self.group_ids = GroupIds(self)
            self.webhooks = Webhooks(self)
            if not first:
                self.publish(events.RESET, DELETE)

    def now(self) -> datetime:
        # Strictly increasing, so "last modified" always moves with a change.
        with self._clock_lock:
            now = self.clock.now()
            if self._clock_epoch != self.clock.epoch:   # moved by a test: may go back
                self._clock_epoch = self.clock.epoch
                self._clock_last = None
            if self._clock_last is not None and now <= self._clock_last:
                now = self._clock_last + timedelta(milliseconds=1)
            self._clock_last = now
            return now

    def next_put_code(self, sequence: str) -> int:
        with self.lock:
            value = self.sequences.get(sequence, SEQUENCE_START)
            self.sequences[sequence] = value + 1
            return value

    # ------------------------------------------------------------------ records
    def create_user(self, orcid: str | None = None, given_names: str | None = None,
                    family_name: str | None = None, credit_name: str | None = None,
                    email: str | None = None, default_visibility: str = "public",
                    biography: str | None = None, password: str | None = None,
                    **_ignored) -> Record:
        with self.lock:
            if orcid is not None:
                if not orcid_id.is_valid(orcid):
                    raise InvalidValue("'%s' is not a valid ORCID iD (format NNNN-NNNN-NNNN-NNNC "
                                       "with an ISO 7064 MOD 11-2 check digit)" % orcid, "orcid")
                if orcid in self.records:
                    raise Conflict("ORCID iD %s already exists" % orcid, "orcid")
            else:
                orcid = orcid_id.generate(self.rng, self.records)
            account_fields.check(given_names=given_names, family_name=family_name,
                                 credit_name=credit_name, email=email, biography=biography,
                                 password=password)
            if default_visibility not in ("public", "limited", "private"):
                raise InvalidValue("default_visibility must be public, limited or private",
                                   "default_visibility")
            given = given_names or self.faker.first_name()
            family = family_name if family_name is not None else self.faker.last_name()
            now = self.now()
            address = email or "%s.%s@%s" % (given.lower().replace(" ", ""),
                                              (family or "x").lower().replace(" ", ""),
                                              self.faker.free_email_domain())
            record = Record(
                orcid=orcid, given_names=given, family_name=family, credit_name=credit_name,
                emails=[Email(address, primary=True, verified=True, visibility=default_visibility,
                              created=now, last_modified=now)],
                biography=biography, default_visibility=default_visibility,
                created=now, last_modified=now, password=password,
            )
            self.records[orcid] = record
            self.publish(events.USER, CREATE, orcid=orcid)
            return record

    def record(self, orcid: str) -> Record:
        rec = self.records.get(orcid)
        if rec is None:
            raise OrcidError(9016, "ORCID iD %s not found" % orcid, status=404)
        return rec

    def touch(self, record: Record, when: datetime) -> None:
        record.last_modified = max(record.last_modified, when)

    # ------------------------------------------------------------------ clients
    def create_client(self, name: str | None = None, type: str = "member",
                      redirect_uris=None, client_id: str | None = None,
                      client_secret: str | None = None, description: str = "",
                      **_ignored) -> Client:
        with self.lock:
            if type not in CLIENT_TYPES:
                raise InvalidValue("type must be one of %s" % ", ".join(CLIENT_TYPES), "type")
            if isinstance(redirect_uris, str):
                redirect_uris = [redirect_uris]
            if client_id in self.clients:
                # Never replace a client silently: tests holding its secret would break.
                raise Conflict("client %s already exists" % client_id, "client_id")
            while not client_id or client_id in self.clients:
                client_id = "APP-" + "".join(
                    self.rng.choice(string.ascii_uppercase + string.digits) for _ in range(16))
            client = Client(
                client_id=client_id,
                client_secret=client_secret or str(uuid.UUID(int=self.rng.getrandbits(128), version=4)),
                name=name or "%s %s" % (self.faker.company(), "Integration"),
                type=type, redirect_uris=list(redirect_uris or []), description=description,
            )
            self.clients[client.client_id] = client
            self.publish(events.CLIENT, CREATE, subject=client)
            return client

    # ------------------------------------------------------------------ tokens
    def issue_code(self, client_id, orcid, scopes, redirect_uri, nonce=None) -> AuthorizationCode:
        with self.lock:
            alphabet = string.ascii_letters + string.digits
            while True:
                code = random_text(alphabet, 6)
                if code not in self.codes:
                    break
            auth = AuthorizationCode(code, client_id, orcid, tuple(scopes), redirect_uri,
                                     self.now(), nonce)
            self.codes[code] = auth
            self.publish(events.CODE, CREATE, orcid=orcid, subject=auth)
            return auth

    def issue_token(self, client_id, orcid, scopes, expires_in=CLIENT_TOKEN_SECONDS,
                    from_code=None, parent=None) -> Token:
        with self.lock:
            token = Token(uuid4_text(), uuid4_text(), client_id, orcid,
                          tuple(scopes), self.now(), expires_in, from_code=from_code,
                          parent=parent)
            self.tokens[token.access_token] = token
            self.refresh_tokens[token.refresh_token] = token
            self.publish(events.TOKEN, CREATE, orcid=orcid, subject=token)
            return token

    def use_code(self, code: AuthorizationCode) -> None:
        with self.lock:
            if not code.used:
                code.used = True
                self.publish(events.CODE, UPDATE, orcid=code.orcid, subject=code)

    def revoke_token(self, token: Token) -> None:
        """The client (or a replayed code) ends this token."""
        with self.lock:
            if not token.revoked:
                token.revoked = True
                self.publish(events.TOKEN, UPDATE, orcid=token.orcid, subject=token)

    def revoke_client_access(self, orcid: str, client_id: str) -> list[Token]:
        """The researcher removes a client from their trusted organizations: every token that
        client holds for the record stops working. Returns the tokens newly revoked."""
        with self.lock:
            revoked = [t for t in self.tokens.values() if t.orcid == orcid
                       and t.client_id == client_id and not t.user_revoked]
            for token in revoked:
                token.user_revoked = True
                self.publish(events.TOKEN, UPDATE, orcid=orcid, subject=token)
            return revoked

    def token(self, access_token: str) -> Token | None:
        return self.tokens.get(access_token)

    # ------------------------------------------------------------------ items
    def find_item(self, record: Record, section: sections.Section, put_code: int) -> Item:
        item = self.lookup_item(record, section, put_code)
        if item is None:
            raise OrcidError(9016, "No %s found with put-code %s on record %s"
                             % (section.name, put_code, record.orcid), status=404)
        return item

    def lookup_item(self, record, section, put_code):
        # Affiliations share one put-code sequence and one handler, as in ORCID.
        if section.sequence == "affiliation":
            for s in sections.ACTIVITIES:
                if s.sequence == "affiliation" and put_code in record.section_items(s.name):
                    return record.section_items(s.name)[put_code]
            return None
        return record.section_items(section.name).get(put_code)

    def shared_source(self, source: Source) -> Source:
        """One shared Source object per writer: a million items need not carry a million."""
        key = (source.client_id, source.orcid, source.name)
        found = self._sources.get(key)
        if found is None:
            found = self._sources.setdefault(key, Source(*key))
        return found

    def prepare_item(self, section: sections.Section, body: ET.Element,
                     source: Source) -> "Prepared":
        """What storing ``body`` needs, worked out without the lock: the cleaned body, its
        packed bytes and its duplicate keys. A body that carries a put-code is refused (9024)."""
        if body.get("put-code") is not None:
            raise OrcidError(9024, "Put-code %s was given in the request body; a new %s must "
                             "not carry one" % (body.get("put-code"), section.name))
        source = self.shared_source(source)
        cleaned = clean_body(body)
        keys = rules.duplicate_keys(section, cleaned, source)
        return Prepared(body, cleaned, compact.pack(cleaned), keys, source)

    def add_item(self, orcid: str, section: sections.Section, body: ET.Element,
                 source: Source, check=None, prepared: "Prepared | None" = None) -> Item:
        """Create an item; ``check(record, body)`` runs under the lock before anything changes.

        The body is cleaned and packed, and its duplicate keys worked out, before the lock is
        taken (or by ``prepare_item`` earlier): under the lock only lookups and the store
        itself happen."""
        if prepared is None:
            prepared = self.prepare_item(section, body, source)
        source, cleaned, keys, stored = prepared.source, prepared.cleaned, prepared.keys, \
            prepared.stored
        with self.lock:
            record = self.record(orcid)
            if section.name == "work" and len(record.section_items("work")) >= MAX_WORKS:
                raise OrcidError(9048, "The record already has %d works" % MAX_WORKS)
            if check:
                check(record, cleaned, None)
            if section.on_store:
                section.on_store(body, self)
            # Claimed records: the user's default wins. Unclaimed (created by a member): the
            # sent visibility is kept, missing -> private (setIncomingWorkPrivacy, facts §4.3).
            visibility = record.default_visibility
            if record.state == "unclaimed":
                sent = body.get("visibility")
                visibility = sent if sent in VISIBILITIES else "private"
            now = self.now()
            item = Item(section.name, self.next_put_code(section.sequence), None, source,
                        visibility, now, now, keys=keys, stored=stored)
            record.section_items(section.name)[item.put_code] = item
            duplicates.add(record, section.name, item)
            self.touch(record, now)
            self.publish(events.ITEM, CREATE, orcid=orcid, section=section.name,
                         put_code=item.put_code, source=source, item=item)
            return item

    def update_item(self, orcid: str, section: sections.Section, put_code: int,
                    body: ET.Element, source: Source, validate=None, check=None) -> tuple[Item, bool]:
        """Update an item in ORCID's order of checks: put-codes agree (9019), the item exists
        (9016), the body is valid (``validate(body)``), the visibility is unchanged (9035), no
        duplicate (``check(record, body, item)``), and only then the caller is the source (9010).

        Returns the item and whether it changed: for sections whose row says so (works), ORCID
        answers a PUT of the unchanged item without storing it (and refuses a non-source: 9014).

        The slow parts (packing, comparing with the stored body, ``validate``) run outside the
        lock against the item as it was; the write then happens under the lock if that item is
        still the stored one, and starts again otherwise."""
        source = self.shared_source(source)
        cleaned = clean_body(body)
        keys = rules.duplicate_keys(section, cleaned, source)
        stored = compact.pack(cleaned)
        validated = False
        while True:
            with self.lock:
                record = self.record(orcid)
                body_code = body.get("put-code")
                if body_code is None or body_code.strip() != str(put_code):
                    raise OrcidError(9019, "The put-code in the URL (%s) does not match the "
                                     "put-code in the body (%s)"
                                     % (put_code, body_code and body_code.strip() or "null"))
                seen = self.find_item(record, section, put_code)
            unchanged = section.unchanged_put_is_noop and _same_content(seen.stored, stored) \
                and body.get("visibility") in (None, seen.visibility)
            if not unchanged and validate and not validated:
                validate(body)
                validated = True
            with self.lock:
                record = self.record(orcid)
                item = self.lookup_item(record, section, put_code)
                if item is not seen:
                    if item is None:
                        self.find_item(record, section, put_code)   # raises 9016
                    continue        # changed meanwhile: check again against what is stored
                if unchanged:
                    if not same_source(item.source, source):
                        raise OrcidError(9014, "You are not the source of the %s, so you are "
                                         "not allowed to update it" % section.name)
                    return item, False
                visibility = body.get("visibility")
                if visibility is not None and visibility != item.visibility:
                    raise OrcidError(9035, "The visibility of %s %s is '%s' and cannot be changed "
                                     "to '%s' through the API"
                                     % (section.name, put_code, item.visibility, visibility))
                if check:
                    check(record, cleaned, item)
                if not same_source(item.source, source):
                    raise OrcidError(9010, "You are not the source of this %s (put-code %s), so "
                                     "you cannot update it" % (section.name, put_code))
                if section.on_store:
                    section.on_store(body, self)
                now = self.now()
                old = item
                item = dataclasses.replace(item, stored=stored, keys=keys, last_modified=now)
                record.section_items(item.section)[put_code] = item
                duplicates.remove(record, item.section, old)
                duplicates.add(record, item.section, item)
                self.touch(record, now)
                self.publish(events.ITEM, UPDATE, orcid=orcid, section=item.section,
                             put_code=put_code, source=source, item=item)
                return item, True

    def delete_item(self, orcid: str, section: sections.Section, put_code: int,
                    source: Source) -> Item:
        with self.lock:
            record = self.record(orcid)
            item = self.find_item(record, section, put_code)
            if not same_source(item.source, source):
                raise OrcidError(9010, "You are not the source of this %s (put-code %s), so you "
                                 "cannot delete it" % (item.section, put_code))
            del record.section_items(item.section)[put_code]
            duplicates.remove(record, item.section, item)
            self.touch(record, self.now())
            self.publish(events.ITEM, DELETE, orcid=orcid, section=item.section,
                         put_code=put_code, source=source, item=item)
            return item

    def set_item_visibility(self, orcid: str, section: sections.Section, put_code: int,
                            visibility: str) -> Item:
        """The researcher changes an item's visibility (ORCID's UI can, the API cannot)."""
        if visibility not in VISIBILITIES:
            raise ValueError("visibility must be one of %s" % ", ".join(VISIBILITIES))
        with self.lock:
            record = self.record(orcid)
            item = self.find_item(record, section, put_code)
            now = self.now()
            old = item
            item = dataclasses.replace(item, visibility=visibility, last_modified=now)
            record.section_items(item.section)[put_code] = item
            duplicates.remove(record, item.section, old)
            duplicates.add(record, item.section, item)
            self.touch(record, now)
            self.publish(events.VISIBILITY, UPDATE, orcid=orcid, section=item.section,
                         put_code=put_code, source=Source(orcid=orcid), item=item,
                         fields=("visibility",))
            return item

    def researcher_delete_item(self, orcid: str, section: sections.Section, put_code: int) -> Item:
        """The researcher deletes any item on their record, whoever its source (ORCID's UI)."""
        with self.lock:
            record = self.record(orcid)
            item = self.find_item(record, section, put_code)
            del record.section_items(item.section)[put_code]
            duplicates.remove(record, item.section, item)
            self.touch(record, self.now())
            self.publish(events.ITEM, DELETE, orcid=orcid, section=item.section,
                         put_code=put_code, source=Source(orcid=orcid), item=item)
            return item

    def snapshot(self, orcid: str) -> Record:
        """A copy of the record to read outside the lock: its fields, e-mails and the items of
        every section as they are now (items never change in place, so they are shared)."""
        with self.lock:
            record = self.record(orcid)
            snap = copy.copy(record)
            snap.items = {name: dict(items) for name, items in record.items.items()}
            snap.emails = [copy.copy(e) for e in record.emails]
            snap.notifications = []
            snap.permission_notifications = {}
            snap.duplicates = {}
            return snap

    # ------------------------------------------------------------------ the record itself
    def update_record(self, orcid: str, **fields) -> Record:
        """The researcher's own settings (names, biography, visibilities) and the registry's
        record states. Checked here, stored together, published as one change."""
        unknown = set(fields) - set(RECORD_FIELDS)
        if unknown:
            raise InvalidValue("unknown field(s): %s" % ", ".join(sorted(unknown)),
                               sorted(unknown)[0])
        with self.lock:
            record = self.record(orcid)
            for key in ("default_visibility", "name_visibility", "biography_visibility"):
                if key in fields and fields[key] not in VISIBILITIES:
                    raise InvalidValue("%s must be one of %s" % (key, ", ".join(VISIBILITIES)), key)
            if "state" in fields and fields["state"] not in RECORD_STATES:
                raise InvalidValue("state must be one of %s" % ", ".join(RECORD_STATES), "state")
            fields = dict(fields)
            if fields.get("state", record.state) == "deprecated":
                if fields.get("state") == "deprecated" or "primary_orcid" in fields:
                    self._check_deprecation(record, fields.get("primary_orcid",
                                                               record.primary_orcid))
            elif fields.get("primary_orcid") is not None:
                raise InvalidValue("primary_orcid names the primary record of a deprecated "
                                   "record: send it with state deprecated", "primary_orcid")
            elif record.primary_orcid is not None:
                fields["primary_orcid"] = None     # no longer deprecated: no primary either
            for key, value in fields.items():
                setattr(record, key, value)
            record.last_modified = self.now()
            self.publish(_record_change_kind(fields), UPDATE, orcid=orcid,
                         source=Source(orcid=orcid), fields=tuple(sorted(fields)))
            return record

    def _check_deprecation(self, record: Record, primary: str | None) -> None:
        """ORCID's deprecation rules (AdminController.deprecateProfile): the primary is another
        existing record that is neither deprecated nor deactivated. And no record whose primary
        this one is may be left pointing at a deprecated record: redirects never chain or loop."""
        if primary is None or primary not in self.records or primary == record.orcid:
            raise InvalidValue("a deprecated record needs primary_orcid naming another existing "
                               "record", "primary_orcid")
        target = self.records[primary]
        if target.state == "deprecated":
            raise Conflict("the primary record %s is itself deprecated (primary %s); deprecate to "
                           "%s instead" % (primary, target.primary_orcid, target.primary_orcid),
                           "primary_orcid")
        if target.state == "deactivated":
            raise Conflict("the primary record %s is deactivated" % primary, "primary_orcid")
        pointing = sorted(r.orcid for r in self.records.values()
                          if r.state == "deprecated" and r.primary_orcid == record.orcid)
        if pointing:
            raise Conflict("%s is the primary record of deprecated %s; deprecating it would "
                           "chain deprecations" % (record.orcid, ", ".join(pointing)), "state")

    def add_email(self, orcid: str, address: str, verified: bool = True,
                  visibility: str | None = None) -> Email:
        with self.lock:
            record = self.record(orcid)
            visibility = visibility or record.default_visibility
            if visibility not in VISIBILITIES:
                raise InvalidValue("visibility must be one of %s" % ", ".join(VISIBILITIES),
                                   "visibility")
            now = self.now()
            email = Email(address, primary=False, verified=verified, visibility=visibility,
                          created=now, last_modified=now)
            record.emails.append(email)
            record.last_modified = now
            self.publish(events.PERSON, CREATE, orcid=orcid, section="email",
                         source=Source(orcid=orcid), fields=("emails",))
            return email

    def items(self, record: Record, section: sections.Section) -> list[Item]:
        with self.lock:
            return sorted(record.section_items(section.name).values(), key=lambda i: i.put_code)


@dataclasses.dataclass(frozen=True)
class Prepared:
    """A body made ready to store (Registry.prepare_item)."""
    body: ET.Element
    cleaned: ET.Element
    stored: bytes
    keys: tuple
    source: Source


def _same_content(stored: bytes, sent: bytes) -> bool:
    """The sent body says what is stored (read-only parts and layout whitespace aside): both are
    packed the same way from cleaned bodies, so equal content gives equal text."""
    if stored == sent:
        return True
    def canonical(data):
        return ET.canonicalize(ET.tostring(compact.unpack(data)), strip_text=True)
    return canonical(stored) == canonical(sent)


def clean_body(body: ET.Element) -> ET.Element:
    body = copy.deepcopy(body)
    for name in _ITEM_ATTRIBUTES:
        body.attrib.pop(name, None)
    for child in list(body):
        if child.tag in _READ_ONLY:
            body.remove(child)
    # ORCID recomputes the transient normalised ids on every read; what a client echoes is
    # dropped, wherever an identifier sits (external-id, subject id, a person's identifier).
    # An identifier inside an item is ORCID's ExternalID, which has no put-code, visibility,
    # dates or source: the XSD lets a client send them, ORCID's model drops them.
    for parent in body.iter():
        nested_id = parent is not body and parent.find(_ID_TYPE) is not None
        if nested_id:
            for name in _ITEM_ATTRIBUTES:
                parent.attrib.pop(name, None)
        for node in list(parent):
            if node.tag in _TRANSIENT or (nested_id and node.tag in _READ_ONLY):
                parent.remove(node)
    return body


def section_item_title(section: sections.Section, body: ET.Element) -> str | None:
    node = body
    for part in section.title_path:
        node = next((c for c in node if local_name(c.tag) == part), None)
        if node is None:
            return None
    return (node.text or "").strip() or None


RECORD_STATES = ("active", "deprecated", "locked", "deactivated", "unclaimed")
# What the researcher (or a test, through the admin API) may change on a record.
RECORD_FIELDS = ("default_visibility", "name_visibility", "biography_visibility", "biography",
                 "state", "primary_orcid", "created_by_client", "given_names", "family_name",
                 "credit_name", "accepts_member_notifications")


def _record_change_kind(fields) -> str:
    if "state" in fields or "primary_orcid" in fields:
        return events.RECORD_STATE
    if {"given_names", "family_name", "credit_name"} & set(fields):
        return events.NAME
    if any(key.endswith("visibility") for key in fields):
        return events.VISIBILITY
    return events.PERSON
UNCLAIMED_GRACE = timedelta(days=10)


def check_record_state(record: Record, client_id: str | None, method: str, now: datetime) -> None:
    """ORCID's checkProfile: what a record's state does to every /{orcid}/... call (facts §4.3)."""
    if record.state == "deprecated":
        # GET answers 301 to the primary record (the web layer adds Location), writes 409.
        raise OrcidError(9007, "The record %s is deprecated; the primary record is %s"
                         % (record.orcid, record.primary_orcid),
                         status=301 if method in ("GET", "HEAD") else 409)
    if record.state == "locked":
        raise OrcidError(9018, "The record %s is locked" % record.orcid)
    if record.state == "deactivated":
        raise OrcidError(9044, "The record %s is deactivated" % record.orcid)
    if record.state == "unclaimed" and now - record.created < UNCLAIMED_GRACE \
            and client_id != record.created_by_client:
        raise OrcidError(9036, "The record %s has not been claimed yet" % record.orcid)
