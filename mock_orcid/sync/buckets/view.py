"""``SyncBuckets``: the change-stream listener that keeps the sync buckets and the Lambda file,
doing what ORCID's message listener does for each record a change names
(S3MessageProcessorAPIV3, orcid-sync-facts §1.4-§1.6):

- the record reads as the public API would read it: a locked, deactivated, deprecated (or
  young unclaimed) record answers with an error, which overwrites the summary, and every
  activity object of the record is deleted;
- an unclaimed record that the public API does show is skipped, nothing deleted;
- otherwise the summary is rewritten; each public activity is written if it is new or was
  modified after its object was; objects of activities no longer public are deleted.

Listening only notes which records changed. They are brought up to date, a snapshot taken
under the registry lock and rendered outside it, just before the buckets are next read: a
write costs nothing until someone looks, and a reader always sees every write committed before
it asked (a write's changes reach the listener before its HTTP answer is sent).
"""
from __future__ import annotations

import logging
import threading
from datetime import datetime

from ...registry import events, sections
from ...registry.errors import OrcidError
from ...registry.store import Registry, check_record_state
from ...wire.render import Renderer
from . import keys, lambda_file
from .documents import (activity_document, error_document, public_items, snapshot,
                        summary_document)
from .store import ObjectStore, make_object

log = logging.getLogger(__name__)


class SyncBuckets:
    def __init__(self, registry: Registry, renderer: Renderer, registry_url: str | None = None):
        self.registry = registry
        self.renderer = renderer
        self.registry_url = (registry_url or renderer.base_url).rstrip("/")
        self.store = ObjectStore(keys.BUCKETS)
        self.store.before_read = self.catch_up
        self._pending: dict[str, None] = {}        # records changed since the last catch-up
        self._pending_lock = threading.Lock()
        self._catch_up_lock = threading.Lock()     # one catch-up at a time
        self._generation = 0                       # a reset makes older renderings stale
        self._rows: dict[str, tuple[datetime, datetime]] = {}   # the Lambda file's rows
        self._rows_changed = registry.now()
        self._rows_built: datetime | None = None
        self.created = self._rows_changed          # when the buckets were made (ListBuckets)

    # ------------------------------------------------------------------ listening
    def __call__(self, batch: list[events.Change]) -> None:
        with self._pending_lock:
            for change in batch:
                if change.what == events.RESET:
                    self._reset(change.time)
                elif change.modifies_record:
                    self._pending[change.orcid] = None

    def rebuild(self) -> None:
        """Every record is rendered again on the next read (after a restore from the state
        file, which publishes no changes)."""
        with self.registry.lock:
            orcids = list(self.registry.records)
        with self._pending_lock:
            self._pending.update(dict.fromkeys(orcids))

    def _reset(self, when: datetime) -> None:
        with self.store.lock:
            self._pending.clear()
            self._generation += 1
            self.store.clear()
            self._rows.clear()
            self._rows_changed, self._rows_built = when, None

    # ------------------------------------------------------------------ catching up
    def catch_up(self, bucket: str | None = None) -> None:
        """Bring every record changed so far up to date, then the Lambda file if ``bucket`` is
        its bucket (or None): rebuilding it costs a sort of every row, so only its readers pay."""
        with self._catch_up_lock:
            with self._pending_lock:
                orcids = list(self._pending)
                self._pending.clear()
                generation = self._generation
            for orcid in orcids:
                try:
                    self._refresh(orcid, generation)
                except Exception:     # one record that fails to render must not hide the rest
                    log.exception("sync buckets: could not refresh %s", orcid)
            if bucket in (None, keys.LAMBDA_BUCKET):
                with self.store.lock:
                    self._write_lambda_file()

    def _refresh(self, orcid: str, generation: int) -> None:
        with self.registry.lock:
            record = self.registry.records.get(orcid)
            if record is None:
                return
            snap = snapshot(record)
        now = self.registry.now()
        try:
            check_record_state(snap, None, "GET", now)
        except OrcidError as err:
            self._write_error(snap, error_document(self.renderer, err), now, generation)
            return
        if snap.state == "unclaimed":
            return      # history/claimed is false: ORCID indexes nothing and deletes nothing
        summary = summary_document(self.renderer, snap)
        bucket = self.store.writable(keys.activities_bucket(orcid))
        with self.store.lock:
            stored = {key: bucket.get(key).last_modified
                      for key in bucket.keys_under(keys.activities_prefix(orcid))}
        wanted = {}
        items_of = public_items(snap)
        for section in sections.ACTIVITIES:
            for item in items_of(section):
                wanted[keys.activity_key(orcid, section.name, item.put_code)] = item
        uploads = {key: activity_document(self.renderer, snap, item)
                   for key, item in wanted.items()
                   if key not in stored or item.last_modified > stored[key]}
        with self.store.lock:
            if generation != self._generation:
                return
            for key in stored:
                if key not in wanted:
                    bucket.delete(key)
            for key, body in uploads.items():
                bucket.put(make_object(key, body, now))
            self._write_summary(snap, summary, now)

    def _write_error(self, snap, body: bytes, now: datetime, generation: int) -> None:
        bucket = self.store.writable(keys.activities_bucket(snap.orcid))
        with self.store.lock:
            if generation != self._generation:
                return
            for key in bucket.keys_under(keys.activities_prefix(snap.orcid)):
                bucket.delete(key)
            self._write_summary(snap, body, now)

    def _write_summary(self, snap, body: bytes, now: datetime) -> None:
        self.store.writable(keys.SUMMARIES_BUCKET).put(
            make_object(keys.summary_key(snap.orcid), body, now))
        self._rows[snap.orcid] = (snap.created, snap.last_modified)
        self._rows_changed = now

    def _write_lambda_file(self) -> None:
        if self._rows_built == self._rows_changed:
            return
        when = self._rows_changed
        body = lambda_file.archive(lambda_file.csv_text(self._rows, self.registry_url), when)
        self.store.writable(keys.LAMBDA_BUCKET).put(
            make_object(keys.LAMBDA_KEY, body, when, lambda_file.CONTENT_TYPE))
        self._rows_built = when
