"""The registry's change stream: one ``Change`` per committed write, delivered to listeners
after the write and outside the registry lock.

Why this shape: notifications, the search index, webhooks, the sync buckets, the Lambda file
and persistence all react to writes. If each were called from the web layer, every route
would have to remember all of them; instead the registry says what changed, once, and each
feature listens. Listeners run outside the lock so a slow one never stalls other requests,
and they see commits in the order the registry made them.

A write publishes while it holds the lock; the changes wait in a per-thread list until the
thread's outermost ``with registry.lock`` ends. Everything one hold of the lock committed
(a bulk POST of 100 works, say) reaches listeners as one batch, so a listener can tell
"one API call" from "many", as ORCID's amended notifications need.
"""
from __future__ import annotations

import collections
import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

from .model import Item, Source

log = logging.getLogger(__name__)

# What a change is about. The first group moves a record's last-modified date (and so is what
# search, webhooks and the sync files follow); the second is registry bookkeeping.
ITEM = "item"                  # an activity or person-section item
PERSON = "person"              # biography, e-mails and other person-level fields
NAME = "name"                  # given names, family name, credit name
VISIBILITY = "visibility"      # an item's or a field's visibility, or the default visibility
RECORD_STATE = "record-state"  # active, deprecated, locked, deactivated, unclaimed
USER = "user"                  # a record was created
RECORD_CHANGES = frozenset({ITEM, PERSON, NAME, VISIBILITY, RECORD_STATE, USER})

CLIENT = "client"
TOKEN = "token"                # issued, revoked, or access revoked by the researcher
CODE = "code"                  # an authorization code issued or used
GROUP_ID = "group-id"          # a group-id record
NOTIFICATION = "notification"  # an amended or permission notification
WEBHOOK = "webhook"            # a webhook registered, unregistered, or its delivery state moved
RESET = "reset"                # everything was cleared (fixtures are then loaded again)

CREATE, UPDATE, DELETE = "create", "update", "delete"


@dataclass(frozen=True)
class Change:
    seq: int                          # commit order, from 1 after each registry start
    time: datetime
    what: str                         # one of the kinds above
    action: str                       # create | update | delete
    orcid: str | None = None
    section: str | None = None        # section table name ("work", "keywords"...), if any
    put_code: int | None = None
    source: Source | None = None      # who made the change; None for the registry itself
    item: Item | None = None          # the item as committed (as it was, for a delete)
    fields: tuple[str, ...] = ()      # record fields changed (name, state, visibility...)
    subject: object = None            # the client, token, code or notification concerned
    batch: int = 0                    # changes from one hold of the lock share it

    @property
    def modifies_record(self) -> bool:
        """Whether the change moves the record's last-modified date."""
        return self.orcid is not None and self.what in RECORD_CHANGES


Listener = Callable[[list[Change]], None]


class CommitLock:
    """The registry's re-entrant lock, which also holds back published changes until the
    thread's outermost hold ends, then hands them to the stream."""

    def __init__(self, stream: "ChangeStream"):
        self._lock = threading.RLock()
        self._local = threading.local()
        self._stream = stream

    def __enter__(self):
        self._lock.acquire()
        self._local.depth = getattr(self._local, "depth", 0) + 1
        return self

    def __exit__(self, *exc):
        self._local.depth -= 1
        outermost = self._local.depth == 0
        if outermost:
            pending = getattr(self._local, "pending", None)
            self._local.pending = []
            if pending:
                self._stream._enqueue(pending)    # still under the lock: commit order kept
        self._lock.release()
        if outermost:
            self._stream._drain()
        return False

    def held(self) -> bool:
        return getattr(self._local, "depth", 0) > 0

    def _hold_back(self, change: Change) -> None:
        if not self.held():
            raise RuntimeError("a change is published only while the registry lock is held")
        pending = getattr(self._local, "pending", None)
        if pending is None:
            pending = self._local.pending = []
        pending.append(change)


@dataclass
class ChangeStream:
    """Listeners, and the queue of committed batches not yet delivered."""
    listeners: list[Listener] = field(default_factory=list)

    def __post_init__(self):
        self.lock = CommitLock(self)
        self._queue: collections.deque = collections.deque()
        self._deliver = threading.RLock()
        self._delivering = threading.local()
        self._seq = 0
        self._batch = 0

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self.listeners.append(listener)
        return lambda: self.listeners.remove(listener) if listener in self.listeners else None

    def publish(self, what: str, action: str, time: datetime, **details) -> Change:
        """Called by the registry under its lock, once the write is done."""
        self._seq += 1
        batch = getattr(self.lock._local, "batch", None)
        if not getattr(self.lock._local, "pending", None):
            self._batch += 1
            batch = self.lock._local.batch = self._batch
        change = Change(seq=self._seq, time=time, what=what, action=action, batch=batch, **details)
        self.lock._hold_back(change)
        return change

    def _enqueue(self, changes: list[Change]) -> None:
        self._queue.append(changes)

    def _drain(self) -> None:
        # One thread delivers at a time and in commit order. A listener that writes (the
        # amended notification) adds a batch that this same loop delivers next, after every
        # listener has seen the batch that caused it.
        if getattr(self._delivering, "active", False):
            return
        with self._deliver:
            self._delivering.active = True
            try:
                while self._queue:
                    batch = self._queue.popleft()
                    for listener in list(self.listeners):
                        try:
                            listener(batch)
                        except Exception:    # a broken listener must not undo a committed write
                            log.exception("change listener %r failed", listener)
            finally:
                self._delivering.active = False
