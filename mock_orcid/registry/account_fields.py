"""What a new account's own fields may hold, whoever creates it (fixtures, the admin API, the
register page, ``login_as=new``): text, and only characters XML 1.0 can carry, so no name or
address can make the record's XML unreadable later. Plain Python."""
from __future__ import annotations

import re

from .errors import InvalidValue

TEXT_FIELDS = ("given_names", "family_name", "credit_name", "email", "biography", "password")
# Characters outside XML 1.0's Char production (C0 controls but tab, CR, LF; surrogates;
# U+FFFE/U+FFFF).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# In a name or an address even tab, CR and LF are refused (one line, as ORCID's forms take).
_CONTROL = re.compile("[\x00-\x1f\x7f]")
ONE_LINE = ("given_names", "family_name", "credit_name", "email")


def check(**fields) -> None:
    """ValueError naming the first field that is not None-or-text or holds a character it
    cannot."""
    for name in TEXT_FIELDS:
        value = fields.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            raise InvalidValue("%s must be a string" % name, name)
        if (_CONTROL if name in ONE_LINE else _NOT_XML).search(value):
            raise InvalidValue("%s holds a control character" % name, name)


def has_control(value: str) -> bool:
    return bool(_CONTROL.search(value))
