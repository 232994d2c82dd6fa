"""Objects in buckets, listed the way S3 lists them: by key in UTF-8 binary order (which is
Python's code-point order), from a marker, under a prefix, rolled up at a delimiter.

Keys are kept in a sorted list beside the dict, so a page of a listing costs a binary search
plus the page, however large the bucket.
"""
from __future__ import annotations

import bisect
import hashlib
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

MAX_KEYS = 1000                 # S3 returns at most this many entries per page
_AFTER_EVERY_KEY = "\U0010ffff"  # sorts after any key that shares the text before it


@dataclass(frozen=True)
class S3Object:
    key: str
    body: bytes
    etag: str                   # quoted MD5 of the body, as S3 gives for a single-part upload
    last_modified: datetime     # when it was (re)written: S3 stamps its own upload time
    content_type: str = "application/xml"
    # Its <Contents> entries in listings, by (encoding-type, fetch-owner), made on first use: an
    # object never changes, so a page of 1000 keys is joined, not re-escaped, on every call.
    listing: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def size(self) -> int:
        return len(self.body)


def make_object(key: str, body: bytes, when: datetime,
                content_type: str = "application/xml") -> S3Object:
    return S3Object(key, body, '"%s"' % hashlib.md5(body).hexdigest(), when, content_type)


@dataclass
class Page:
    contents: list[S3Object]
    common_prefixes: list[str]
    truncated: bool
    last: str | None            # marker to continue after (a key, or a rolled-up prefix)


@dataclass
class Bucket:
    name: str
    _objects: dict[str, S3Object] = field(default_factory=dict)
    _keys: list[str] = field(default_factory=list)

    def put(self, obj: S3Object) -> None:
        if obj.key not in self._objects:
            bisect.insort(self._keys, obj.key)
        self._objects[obj.key] = obj

    def delete(self, key: str) -> bool:
        if self._objects.pop(key, None) is None:
            return False
        del self._keys[bisect.bisect_left(self._keys, key)]
        return True

    def get(self, key: str) -> S3Object | None:
        return self._objects.get(key)

    def keys_under(self, prefix: str) -> list[str]:
        start = bisect.bisect_left(self._keys, prefix)
        end = bisect.bisect_left(self._keys, prefix + _AFTER_EVERY_KEY)
        return self._keys[start:end]

    def clear(self) -> None:
        self._objects.clear()
        self._keys.clear()

    def __len__(self) -> int:
        return len(self._keys)

    def list(self, prefix: str = "", after: str = "", max_keys: int = MAX_KEYS,
             delimiter: str = "") -> Page:
        """One page: keys under ``prefix`` that sort after ``after``; with a delimiter, keys
        holding it past the prefix are rolled up into one common prefix each."""
        max_keys = max(0, min(max_keys, MAX_KEYS))
        contents: list[S3Object] = []
        prefixes: list[str] = []
        if after and after >= prefix:
            index = bisect.bisect_right(self._keys, after)
        else:
            index = bisect.bisect_left(self._keys, prefix)
        last = None
        while index < len(self._keys):
            key = self._keys[index]
            if not key.startswith(prefix):
                break
            if len(contents) + len(prefixes) >= max_keys:
                return Page(contents, prefixes, True, last)
            cut = key.find(delimiter, len(prefix)) if delimiter else -1
            if cut >= 0:
                rolled = key[:cut + len(delimiter)]
                prefixes.append(rolled)
                last = rolled + _AFTER_EVERY_KEY
                index = bisect.bisect_left(self._keys, last, index)
            else:
                contents.append(self._objects[key])
                last = key
                index += 1
        return Page(contents, prefixes, False, last)


class ObjectStore:
    """The buckets, behind one lock. ``before_read(bucket name)`` (set by the view) brings them
    up to date before anything is read, so a reader always sees every committed write."""

    def __init__(self, names: tuple[str, ...]):
        self.lock = threading.RLock()
        self._buckets = {name: Bucket(name) for name in names}
        self.before_read: Callable[[str], None] = lambda name: None

    def names(self) -> tuple[str, ...]:
        return tuple(self._buckets)

    def bucket(self, name: str) -> Bucket | None:
        """The bucket for reading (up to date), or None if there is no such bucket."""
        if name not in self._buckets:
            return None
        self.before_read(name)
        return self._buckets[name]

    def writable(self, name: str) -> Bucket:
        """For the view only: no catching up first."""
        return self._buckets[name]

    def clear(self) -> None:
        with self.lock:
            for bucket in self._buckets.values():
                bucket.clear()
