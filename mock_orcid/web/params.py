"""Numbers in paths and query strings, read as ORCID's Java code reads them.

A put-code is a Java ``long`` and a page number an ``int``: only ASCII digits, and nothing past
the type's range (``"²".isdigit()`` is true in Python and 5,000 digits overflow ``int()``).
"""
from __future__ import annotations

import re

_DIGITS = re.compile(r"[0-9]{1,19}")
JAVA_LONG_MAX = 2 ** 63 - 1
JAVA_INT_MAX = 2 ** 31 - 1


def java_long(text: str) -> int | None:
    """The value of a put-code path segment, or None when ORCID's Long.valueOf would fail."""
    if not _DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if value <= JAVA_LONG_MAX else None


def java_int(text: str) -> int | None:
    if len(text) > 10 or not _DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if value <= JAVA_INT_MAX else None
