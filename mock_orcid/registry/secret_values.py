"""Unguessable values (access and refresh tokens, authorization codes) from the operating
system's random source, drawn a few kilobytes at a time.

Why not ``uuid.uuid4()`` or ``secrets`` per value: each call is a system call, and CPython lets
other threads take the interpreter while it runs. Values are made while the registry lock is
held, so under load a thread often lost the interpreter for milliseconds while every other
writer waited on the lock (POST /oauth/token: 77 us per ``os.urandom`` and 1.3 s of lock waits
in 3 s of load). One system call now serves 256 tokens. The values are the same kind: random
version-4 UUIDs, codes of letters and digits.
"""
from __future__ import annotations

import os
import threading

POOL_BYTES = 4096


class _Pool:
    def __init__(self):
        self._lock = threading.Lock()
        self._buf = b""
        self._pos = 0

    def take(self, n: int) -> bytes:
        with self._lock:
            if self._pos + n > len(self._buf):
                self._buf = os.urandom(max(POOL_BYTES, n))
                self._pos = 0
            out = self._buf[self._pos:self._pos + n]
            self._pos += n
            return out

    def forget(self) -> None:
        # A forked child must never hand out the bytes its parent will also use.
        self._lock = threading.Lock()
        self._buf = b""
        self._pos = 0


_pool = _Pool()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_pool.forget)


def uuid4_text() -> str:
    """What ``str(uuid.uuid4())`` gives: 122 random bits as a version-4 UUID (RFC 4122
    variant), lower-case hex in 8-4-4-4-12 groups."""
    raw = bytearray(_pool.take(16))
    raw[6] = (raw[6] & 0x0F) | 0x40          # version 4
    raw[8] = (raw[8] & 0x3F) | 0x80          # RFC 4122 variant
    h = raw.hex()
    return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])


def random_text(alphabet: str, length: int) -> str:
    """``length`` characters drawn uniformly from ``alphabet`` (at most 256 characters)."""
    size = len(alphabet)
    if not 0 < size <= 256:
        raise ValueError("the alphabet must have 1 to 256 characters")
    limit = 256 - 256 % size        # bytes at or over it would favour the first characters
    out: list[str] = []
    while len(out) < length:
        for byte in _pool.take(length - len(out) + 4):
            if byte < limit and len(out) < length:
                out.append(alphabet[byte % size])
    return "".join(out)
