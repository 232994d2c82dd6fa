"""ORCID iDs: ISO 7064 MOD 11-2 check digit, validation and generation."""
from __future__ import annotations

import random
import re

ORCID_RE = re.compile(r"^(\d{4}-){3}\d{3}[\dX]$")
# New iDs come from ORCID's current block, 0009-0000-0000-0000 ... 0009-0010-0000-0000.
BLOCK_START = int("000900000000000")
BLOCK_END = int("000900100000000")


def check_digit(base_digits: str) -> str:
    total = 0
    for ch in base_digits:
        total = (total + int(ch)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


def is_valid(orcid: str) -> bool:
    if not isinstance(orcid, str) or not ORCID_RE.match(orcid):
        return False
    digits = orcid.replace("-", "")
    return check_digit(digits[:15]) == digits[15]


def format_id(base15: int) -> str:
    digits = "%015d" % base15
    full = digits + check_digit(digits)
    return "-".join(full[i:i + 4] for i in range(0, 16, 4))


def generate(rng: random.Random, taken) -> str:
    while True:
        candidate = format_id(rng.randrange(BLOCK_START, BLOCK_END))
        if candidate not in taken:
            return candidate
