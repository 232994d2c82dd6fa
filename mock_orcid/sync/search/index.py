"""The search index: one document per indexable public record, kept up to date by listening
to the registry's change stream.

A batch of changes names the records it touched (``Change.orcid`` where
``Change.modifies_record``); the index only notes them, so a write costs the writer nothing
however large its record is. The next search first re-indexes each noted record once
(``catch_up``), from a copy of the record taken under the registry lock and worked on outside
it. ``reset`` empties the index. Nothing ever
re-indexes every record except ``rebuild`` (used once, when the index is created).

Records ORCID's indexer removes (it reads the public API and drops a record on 301/409:
deprecated, locked, deactivated, unclaimed within the claim wait) have no document. A record
whose data is all private keeps a document with only its iD and dates.

Per field the index keeps an inverted list term -> {orcid: term frequency}, the documents'
field lengths (for BM25 scoring), and for tokenized fields each value's token list (for
phrase queries). Queries read under the index's own lock; they never touch the registry.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime

from ...registry import events
from ...registry.store import UNCLAIMED_GRACE
from . import analysis, documents
from .fields import DATE, NOT_COPIED, STATIC, STRING, TEXT, lookup

STORED = frozenset(name for name, f in STATIC.items() if f.stored)


@dataclass
class Doc:
    orcid: str
    seq: int                                    # index order: ties in score keep it
    stored: dict[str, list[str]]                # stored fields' values (returned, sorted on)
    dates: dict[str, datetime]
    terms: dict[str, dict[str, int]]            # field -> term -> frequency
    lengths: dict[str, int]                     # field -> number of terms (BM25's dl)
    tokens: dict[str, list[list[str]]] = field(default_factory=dict)   # per value, for phrases


class SearchIndex:
    """Callable as a change-stream listener: ``registry.subscribe(index)``."""

    def __init__(self, registry):
        self.registry = registry
        self.lock = threading.RLock()
        self._items: dict[str, dict[tuple, tuple]] = {}   # orcid -> item key -> (item, today, values)
        self._pending: dict[str, None] = {}        # records changed since the last catch-up
        self._pending_lock = threading.Lock()
        self._catch_up_lock = threading.Lock()     # one catch-up at a time, in order
        self.rebuild()

    # ------------------------------------------------------------------ listening
    def __call__(self, batch: list[events.Change]) -> None:
        with self._pending_lock:
            for change in batch:
                if change.what == events.RESET:
                    self._pending.clear()
                    self.clear()
                elif change.modifies_record:
                    self._pending[change.orcid] = None

    def catch_up(self) -> None:
        """Re-index the records changed since the last call (call before reading, outside
        ``self.lock``: a query must see one state of the index from start to end)."""
        with self._catch_up_lock:
            with self._pending_lock:
                orcids = list(self._pending)
                self._pending.clear()
            for orcid in orcids:
                self.reindex(orcid)

    def clear(self) -> None:
        with self.lock:
            self.docs: dict[str, Doc] = {}
            self.postings: dict[str, dict[str, dict[str, int]]] = {}
            self.dates: dict[str, dict[str, datetime]] = {}
            self.stats: dict[str, list[int]] = {}     # field -> [documents with it, total length]
            self._seq = 0
            self._items = {}

    def rebuild(self) -> None:
        """Index every record (once, when the index joins a registry that already holds some)."""
        with self.registry.lock:
            orcids = list(self.registry.records)
        self.clear()
        for orcid in orcids:
            self.reindex(orcid)

    def reindex(self, orcid: str) -> None:
        registry = self.registry
        with registry.lock:
            record = registry.records.get(orcid)
            view = documents.view(record) if record is not None else None
        now = registry.now()
        if view is None or not indexable(view, now):
            with self.lock:
                self._remove(orcid)
                self._items.pop(orcid, None)
            return
        entries = analyse(documents.record_values(view)) + self._item_entries(view, now)
        doc = build(orcid, entries, view.created, view.last_modified)
        with self.lock:
            self._remove(orcid)
            self._seq += 1
            doc.seq = self._seq
            self._add(doc)

    def _item_entries(self, view: documents.RecordView, now: datetime) -> list[Entry]:
        """Each public item's analysed values, reusing what was worked out while the item is
        unchanged (items are frozen: an update stores a new object)."""
        today = (now.year, now.month, now.day)
        old = self._items.get(view.orcid, {})
        fresh: dict[tuple, tuple] = {}
        out: list[Entry] = []
        for item in view.items:
            key = (item.section, item.put_code)
            cached = old.get(key)
            if cached is not None and cached[0] is item and cached[1] == today:
                values = cached[2]
            else:
                values = analyse(documents.item_values(item, today))
            fresh[key] = (item, today, values)
            out.extend(values)
        self._items[view.orcid] = fresh
        return out

    # ------------------------------------------------------------------ postings
    def _add(self, doc: Doc) -> None:
        self.docs[doc.orcid] = doc
        for name, terms in doc.terms.items():
            postings = self.postings.setdefault(name, {})
            for term, freq in terms.items():
                postings.setdefault(term, {})[doc.orcid] = freq
            stat = self.stats.setdefault(name, [0, 0])
            stat[0] += 1
            stat[1] += doc.lengths[name]
        for name, when in doc.dates.items():
            self.dates.setdefault(name, {})[doc.orcid] = when

    def _remove(self, orcid: str) -> None:
        doc = self.docs.pop(orcid, None)
        if doc is None:
            return
        for name, terms in doc.terms.items():
            postings = self.postings[name]
            for term in terms:
                entry = postings.get(term)
                if entry is not None:
                    entry.pop(orcid, None)
                    if not entry:
                        del postings[term]
            stat = self.stats[name]
            stat[0] -= 1
            stat[1] -= doc.lengths[name]
        for name in doc.dates:
            self.dates.get(name, {}).pop(orcid, None)

    # ------------------------------------------------------------------ reading (hold self.lock)
    def field_stats(self, name: str) -> tuple[int, float]:
        """(documents having the field, average field length)."""
        count, total = self.stats.get(name, (0, 0))
        return count, (total / count if count else 1.0)

    def __len__(self) -> int:
        self.catch_up()
        return len(self.docs)


def indexable(view: documents.RecordView, now: datetime) -> bool:
    """Whether the public API would serve the record (ORCID's indexer drops it otherwise)."""
    if view.state == "active":
        return True
    if view.state == "unclaimed":
        return now - view.created >= UNCLAIMED_GRACE
    return False


Entry = tuple  # (field, value, its terms or None for a string field, its terms in ``text`` or None)


def analyse(values: documents.Values) -> list[Entry]:
    """Each value with its terms, worked out once (kept with the item while it is unchanged)."""
    out = []
    for name, value in values:
        fld = lookup(name)
        if fld is None or fld.type == DATE:
            continue
        toks = None if fld.type == STRING else analysis.tokens(value, fld.type)
        text = None if name in NOT_COPIED else (
            toks if toks is not None and fld.type == TEXT else analysis.tokens(value))
        out.append((name, value, toks, text))
    return out


def build(orcid: str, entries: list[Entry], created: datetime, modified: datetime) -> Doc:
    """A document from analysed values: every value also goes to ``text`` (copyField *)."""
    stored: dict[str, list[str]] = {}
    terms: dict[str, dict[str, int]] = {}
    lengths: dict[str, int] = {}
    tokens: dict[str, list[list[str]]] = {}
    text_terms: dict[str, int] = {}
    text_tokens: list[list[str]] = []

    for name, value, toks, text in entries:
        if name in STORED:
            stored.setdefault(name, []).append(value)
        counts = terms.get(name)
        if counts is None:
            counts = terms[name] = {}
        if toks is None:
            counts[value] = counts.get(value, 0) + 1
            lengths[name] = lengths.get(name, 0) + 1
        else:
            tokens.setdefault(name, []).append(toks)
            for t in toks:
                counts[t] = counts.get(t, 0) + 1
            lengths[name] = lengths.get(name, 0) + len(toks)
        if text is not None:
            text_tokens.append(text)
            for t in text:
                text_terms[t] = text_terms.get(t, 0) + 1
    if text_tokens:
        terms["text"] = text_terms
        tokens["text"] = text_tokens
        lengths["text"] = sum(len(t) for t in text_tokens)
    # A value that analyses to nothing (punctuation only) leaves no terms behind.
    for name in [n for n, c in terms.items() if not c]:
        del terms[name]
        lengths.pop(name, None)
    return Doc(orcid=orcid, seq=0, stored=stored,
               dates={"profile-submission-date": created, "profile-last-modified-date": modified},
               terms=terms, lengths=lengths, tokens=tokens)
