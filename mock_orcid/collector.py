"""Keeps the garbage collector's pauses short as the registry grows.

CPython's full collection walks every container object alive, with every thread stopped. A
registry of a million works holds millions of them (items, index entries, the amended
notifications each write leaves), so an automatic full collection would stall the server for
seconds. The registry's data is freed by reference counting when it goes (it holds no cycles),
so the collector has nothing to find in it: after every ``every`` committed record changes, the
young generations are collected and everything alive is moved out of the collector's sight
(``gc.freeze``). A full collection then walks only what was created since the last freeze.
"""
from __future__ import annotations

import gc

# 2,000: with the search index listening, 10,000 let a full collection walk enough new
# objects to pause 177 ms at 100k works; 2,000 kept it to 55 ms (benchmarks/README.md).
FREEZE_EVERY = 2_000


class FreezeAfterWrites:
    """Change-stream listener: ``gc.freeze()`` after every ``every`` record changes."""

    def __init__(self, every: int = FREEZE_EVERY):
        self.every = every
        self.pending = 0

    def __call__(self, batch) -> None:
        self.pending += sum(1 for change in batch if change.modifies_record)
        if self.pending >= self.every:
            self.pending = 0
            gc.collect(1)       # young cyclic garbage goes first, so none is frozen
            gc.freeze()
