"""Signing a researcher in on the browser pages: which record an "email or ORCID iD" names,
and whether the password fits (facts §3.1: the sign-in form takes either).

A test double, so the rule is lenient on purpose: a user whose fixture sets a ``password``
must give it; every other user signs in with any password. Plain Python, no Flask.
"""
from __future__ import annotations

import hmac
import re

from ..registry import account_fields
from ..registry.model import Record
from ..registry.store import Registry
from .tokens import USABLE_STATES

# An iD typed bare, as a URI (https://orcid.org/..., sandbox too) or with spaces round it.
_ID_IN_TEXT = re.compile(r"(\d{4}-\d{4}-\d{4}-\d{3}[\dXx])\s*/?\s*$")

# What the sign-in page says for each record state that cannot sign in.
STATE_MESSAGES = {
    "deactivated": "This ORCID record is deactivated and cannot be signed in to.",
    "deprecated": "This ORCID record is deprecated: sign in with its primary record {primary}.",
    "locked": "This ORCID record is locked. Contact ORCID support.",
    "unclaimed": "This ORCID record has not been claimed yet. Claim it from the email ORCID "
                 "sent before signing in.",
}
BAD_CREDENTIALS = ("We couldn't sign you in: the email, ORCID iD or password you entered is "
                   "not correct.")


class SignInError(Exception):
    def __init__(self, message: str, record: Record | None = None):
        super().__init__(message)
        self.message = message
        self.record = record


def find_account(registry: Registry, username: str) -> Record | None:
    """The record an email address (any of its addresses, any case) or an iD names. The
    registry does not force addresses to be unique; the newest record using one wins."""
    text = (username or "").strip()
    if not text or len(text) > 320:
        return None
    with registry.lock:
        found = _ID_IN_TEXT.search(text)
        if found:
            return registry.records.get(found.group(1).upper())
        wanted = text.casefold()
        for record in reversed(registry.records.values()):
            if any(e.email.casefold() == wanted for e in record.emails):
                return record
    return None


def authenticate(registry: Registry, username: str, password: str) -> Record:
    """The record to sign in as, or SignInError with what the page should say."""
    record = find_account(registry, username)
    if record is None:
        raise SignInError(BAD_CREDENTIALS)
    if record.password is not None and not hmac.compare_digest(
            (password or "").encode("utf-8"), record.password.encode("utf-8")):
        raise SignInError(BAD_CREDENTIALS)
    if record.state not in USABLE_STATES:
        message = STATE_MESSAGES.get(record.state, BAD_CREDENTIALS)
        raise SignInError(message.format(primary=record.primary_orcid or ""), record)
    return record


def usable(registry: Registry, orcid: str | None, created_ms: int | None) -> Record | None:
    """The signed-in record a session names, if it still exists and may sign in. The creation
    time guards against a reset that handed the same iD to somebody else."""
    record = registry.records.get(orcid or "")
    if record is None or record.state not in USABLE_STATES:
        return None
    if created_ms is not None and int(record.created.timestamp() * 1000) != created_ms:
        return None
    return record


NAME_LIMIT = 100     # ORCID's register form: "must be less than 100 characters"
EMAIL_LIMIT = 254


def new_account_errors(registry: Registry, given_names: str, family_name: str, email: str,
                       required: bool = True) -> dict[str, str]:
    """What the register form says about a new account, field by field (empty: fine).
    ``required=False`` is ``login_as=new``, where Faker fills whatever is left out."""
    errors: dict[str, str] = {}
    # The form shows one message for both names, beside the given names.
    if not given_names and required:
        errors["given_names"] = "Please enter your first/given name"
    elif len(given_names) > NAME_LIMIT or len(family_name) > NAME_LIMIT:
        errors["given_names"] = "Names must be less than %d characters" % NAME_LIMIT
    elif account_fields.has_control(given_names + family_name):
        errors["given_names"] = "Names cannot hold control characters"
    if not email:
        if required:
            errors["email"] = "An email is required"
    elif (len(email) > EMAIL_LIMIT or email.count("@") != 1 or email.startswith("@")
          or email.endswith("@") or any(c.isspace() for c in email)
          or account_fields.has_control(email)):
        errors["email"] = "Invalid email format"
    elif find_account(registry, email) is not None:
        errors["email"] = "This email is already in use by another ORCID record"
    return errors
