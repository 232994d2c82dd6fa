"""What a record version reads as, kept until the record changes.

A read of a list or of the whole record is keyed by the record's revision (the change-stream
sequence number of its last change, set by the registry under its lock), the view, the format
and what the caller may see. A write moves the revision before it returns, so a read that
starts after a write never finds the old text, whatever the order in which threads run; the
change stream then drops the record's old entries (``listener``), which only frees memory.
Bounded by the bytes it holds, least recently used record first.
"""
from __future__ import annotations

import threading
from collections import OrderedDict

DEFAULT_MAX_BYTES = 256 * 1024 * 1024


class ReadCache:
    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES):
        self.max_bytes = max_bytes
        self.bytes = 0
        self._records: OrderedDict[str, tuple[int, dict]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, orcid: str, revision: int, key):
        entry = self._records.get(orcid)
        if entry is None or entry[0] != revision:
            return None
        data = entry[1].get(key)
        if data is not None:
            with self._lock:
                if orcid in self._records:
                    self._records.move_to_end(orcid)
        return data

    def put(self, orcid: str, revision: int, key, data: bytes) -> None:
        with self._lock:
            entry = self._records.get(orcid)
            if entry is not None and entry[0] > revision:
                return                      # a newer version is cached already
            if entry is None or entry[0] != revision:
                if entry is not None:
                    self.bytes -= sum(len(d) for d in entry[1].values())
                entry = self._records[orcid] = (revision, {})
            old = entry[1].get(key)
            if old is not None:
                self.bytes -= len(old)
            entry[1][key] = data
            self.bytes += len(data)
            self._records.move_to_end(orcid)
            while self.bytes > self.max_bytes and len(self._records) > 1:
                _orcid, (_rev, views) = self._records.popitem(last=False)
                self.bytes -= sum(len(d) for d in views.values())

    def drop(self, orcid: str) -> None:
        with self._lock:
            entry = self._records.pop(orcid, None)
            if entry is not None:
                self.bytes -= sum(len(d) for d in entry[1].values())

    def clear(self) -> None:
        with self._lock:
            self._records.clear()
            self.bytes = 0

    def listener(self, batch) -> None:
        """Change-stream listener: a record that changed drops what its old version read as."""
        for change in batch:
            if change.what == "reset":
                self.clear()
            elif change.orcid is not None and change.modifies_record:
                self.drop(change.orcid)
