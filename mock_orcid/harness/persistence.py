"""``--state-file``: the registry survives a restart, even a ``kill -9``.

An append-only change log in SQLite (standard library, WAL mode, ``synchronous=FULL``). It is a
listener of the registry's change stream: the stream delivers each committed batch in the
writing thread when its outermost hold of the registry lock ends, before the route returns, so a
row is on disk before the HTTP answer leaves (see ``registry/events.py``).

Each row is the latest state of one thing a change touched (a record's own fields, an item, a
client, a token, a code, a notification, a group-id record, a webhook, the put-code sequences),
or its deletion. Replaying the rows in order and keeping the last one per thing rebuilds the
registry. A reset empties the log (the fixtures loaded after it are logged again), and every
start rewrites it to one row per live thing, so the file stays as small as the state.
"""
from __future__ import annotations

import copy
import logging
import sqlite3
import threading
from pathlib import Path

from ..registry import amended, events
from . import codec

log = logging.getLogger(__name__)

# Record fields not kept in the record's own row: items and notifications have rows of their
# own, and indexes derived from the items are rebuilt on restore.
_RECORD_OWN_ROWS = ("items", "notifications", "permission_notifications", "duplicates")
# Changes about a record's own fields (not an item, token, code or webhook).
_RECORD_KINDS = {events.USER, events.PERSON, events.NAME, events.VISIBILITY, events.RECORD_STATE}

SCHEMA = """
CREATE TABLE IF NOT EXISTS change_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    payload TEXT            -- JSON (harness.codec); NULL: the thing was deleted
);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT);
"""
FORMAT = "1"


class StateFileError(Exception):
    """The state file cannot be opened or read; the message says which and why."""


class StateLog:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        try:
            if self.path.parent and not self.path.parent.exists():
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(self.path), check_same_thread=False,
                                       isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            # FULL: a commit is on disk when execute returns (WAL + NORMAL may lose the last
            # commits on power loss); one fsync per write batch is cheap next to HTTP.
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(SCHEMA)
            row = self._db.execute("SELECT value FROM meta WHERE name='format'").fetchone()
            if row is None:
                self._db.execute("INSERT INTO meta VALUES ('format', ?)", (FORMAT,))
            elif row[0] != FORMAT:
                raise StateFileError("%s: state file format %s, this version reads %s"
                                     % (self.path, row[0], FORMAT))
        except sqlite3.Error as exc:
            raise StateFileError("%s: cannot open the state file: %s" % (self.path, exc)) from None
        self.registry = None

    # ------------------------------------------------------------------ start-up
    def has_state(self) -> bool:
        return self._db.execute("SELECT 1 FROM change_log LIMIT 1").fetchone() is not None

    def latest(self) -> dict[tuple[str, str], object]:
        """The last row per thing, in first-seen order; deletions dropped."""
        latest: dict[tuple[str, str], str | None] = {}
        for kind, key, payload in self._db.execute(
                "SELECT kind, key, payload FROM change_log ORDER BY seq"):
            latest[(kind, key)] = payload
        try:
            return {k: codec.loads(p) for k, p in latest.items() if p is not None}
        except (ValueError, KeyError, TypeError) as exc:
            raise StateFileError("%s: the state file is damaged: %s" % (self.path, exc)) from None

    def restore(self, registry) -> dict[str, int]:
        """Put the logged state into a cleared registry (no change is published: nothing
        happened, the registry only remembers), then compact the log."""
        state = self.latest()
        counts = {"users": 0, "items": 0, "clients": 0, "tokens": 0}
        with registry.lock:
            for (kind, key), value in state.items():
                if kind == "record":
                    for name in _RECORD_OWN_ROWS:
                        if hasattr(value, name):
                            setattr(value, name, [] if name == "notifications" else {})
                    registry.records[key] = value
                    counts["users"] += 1
            for (kind, key), value in state.items():
                if kind == "item":
                    orcid = key.split("/", 1)[0]
                    if orcid in registry.records:
                        record = registry.records[orcid]
                        record.section_items(value.section)[value.put_code] = value
                        _index(record, value)
                        counts["items"] += 1
                elif kind == "client":
                    registry.clients[key] = value
                    counts["clients"] += 1
                elif kind == "token":
                    registry.tokens[value.access_token] = value
                    registry.refresh_tokens[value.refresh_token] = value
                    counts["tokens"] += 1
                elif kind == "code":
                    registry.codes[key] = value
                elif kind == "sequences":
                    registry.sequences.update(value)
                elif kind == "group-id":
                    registry.group_ids.restore(value)
                elif kind == "webhook":
                    registry.webhooks._hooks[value.key] = value
                elif kind == "notification":
                    record = registry.records.get(key.split("/", 1)[0])
                    if record is None:
                        continue
                    if isinstance(value, dict):
                        record.notifications.append(amended.Restored(value))
                    else:
                        record.permission_notifications[value.put_code] = value
                elif kind == "clock":
                    registry._clock_last = value
        self.compact(state)
        return counts

    def compact(self, state: dict | None = None) -> None:
        """One row per live thing (or none at all)."""
        state = self.latest() if state is None else state
        with self._lock:
            rows = [(kind, key, codec.dumps(_own_fields(value) if kind == "record" else value))
                    for (kind, key), value in state.items()]
            self._append(rows, clear=True)
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def _append(self, rows, clear: bool) -> None:
        """One transaction: the log emptied first when ``clear``, then ``rows`` appended
        (call with ``self._lock`` held)."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            if clear:
                self._db.execute("DELETE FROM change_log")
            self._db.executemany(
                "INSERT INTO change_log (kind, key, payload) VALUES (?, ?, ?)", rows)
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    # ------------------------------------------------------------------ the listener
    def attach(self, registry) -> None:
        self.registry = registry
        registry.subscribe(self)

    def __call__(self, batch: list[events.Change]) -> None:
        things: list[tuple[str, str, object]] = []
        reset = False
        registry = self.registry
        # What to write is picked under the registry lock, so no half-done write is copied
        # (records are shallow-copied; items, tokens' values and the rest are taken as they
        # are now, at least as new as the change: the last row per thing wins on replay). The
        # JSON is written after the lock is released.
        with registry.lock:
            for change in batch:
                if change.what == events.RESET:
                    things.clear()
                    reset = True
                    continue
                things.extend(self._things(registry, change))
            things.append(("sequences", "", dict(registry.sequences)))
            if registry._clock_last is not None:
                things.append(("clock", "", registry._clock_last))
        rows = [(kind, key, None if value is None else codec.dumps(value))
                for kind, key, value in things]
        with self._lock:
            self._append(rows, clear=reset)

    def _things(self, registry, change: events.Change):
        what = change.what
        if change.orcid and what in _RECORD_KINDS:
            record = registry.records.get(change.orcid)
            yield ("record", change.orcid, _own_fields(record) if record else None)
        if change.item is not None and what in (events.ITEM, events.VISIBILITY) \
                and change.put_code is not None:
            key = "%s/%s/%s" % (change.orcid, change.item.section, change.put_code)
            yield ("item", key, None if change.action == events.DELETE else change.item)
        elif what in (events.CLIENT, events.TOKEN, events.CODE) and change.subject is not None:
            subject = copy.copy(change.subject)     # tokens and codes change in place
            key = {events.CLIENT: "client_id", events.TOKEN: "access_token",
                   events.CODE: "code"}[what]
            yield (what, getattr(subject, key), subject)
        elif what == events.GROUP_ID:
            deleted = change.action == events.DELETE or change.item is None
            yield ("group-id", str(change.put_code), None if deleted else change.item)
        elif what == events.WEBHOOK and change.subject is not None:
            hook = change.subject
            yield ("webhook", "%s %s" % hook.key, None if change.action == events.DELETE else hook)
        elif what == events.NOTIFICATION:
            # an amended notification is a read-only Mapping built from frozen parts: as JSON
            value = change.item if change.item is not None else dict(change.subject)
            kind = "permission" if change.item is not None else "amended"
            yield ("notification", "%s/%s/%s" % (change.orcid, kind, change.put_code), value)

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _own_fields(record):
    """The record without what has rows of its own (a shallow copy: the encoder only reads)."""
    own = copy.copy(record)
    for name in _RECORD_OWN_ROWS:
        if hasattr(own, name):
            setattr(own, name, {} if name != "notifications" else [])
    own.emails = [copy.copy(e) for e in record.emails]
    return own


def _index(record, item) -> None:
    """Rebuild what the registry derives from a stored item (its duplicate index, where the
    registry keeps one), as storing it through the API would have."""
    try:
        from ..registry import duplicates
    except ImportError:       # a registry without a duplicate index scans the items instead
        return
    duplicates.add(record, item.section, item)


def snapshot_rows(registry) -> dict[tuple[str, str], object]:
    """Every live thing in the registry, keyed as the log keys it (for a fresh state file)."""
    rows: dict[tuple[str, str], object] = {}
    with registry.lock:
        for orcid, record in registry.records.items():
            rows[("record", orcid)] = _own_fields(record)
        for orcid, record in registry.records.items():
            for items in record.items.values():
                for item in items.values():
                    rows[("item", "%s/%s/%s" % (orcid, item.section, item.put_code))] = item
            for note in record.notifications:
                rows[("notification", "%s/amended/%s" % (orcid, note.get("put-code")))] = dict(note)
            for item in record.permission_notifications.values():
                rows[("notification", "%s/permission/%s" % (orcid, item.put_code))] = item
        for client in registry.clients.values():
            rows[("client", client.client_id)] = client
        for token in registry.tokens.values():
            rows[("token", token.access_token)] = token
        for code in registry.codes.values():
            rows[("code", code.code)] = code
        for put_code, item in registry.group_ids.records.items():
            rows[("group-id", str(put_code))] = item
        for hook in registry.webhooks._hooks.values():
            rows[("webhook", "%s %s" % hook.key)] = hook
        rows[("sequences", "")] = dict(registry.sequences)
        if registry._clock_last is not None:
            rows[("clock", "")] = registry._clock_last
    return rows
