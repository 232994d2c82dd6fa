"""What the test-control API (/__admin) and the fixtures file accept, declared as JSON Schema.

Checked with ``jsonschema``, the reference implementation of JSON Schema: the contract is data
(the README can point at it, other tools can read it), types are strict (``"no"`` is not a
boolean, ``12`` is not a secret), and every refusal names the path of the bad value
(``redirect_uris[1]``, ``users[0].credit_name``). jsonschema is imported on first use, so a
server that is never sent an admin body or custom fixtures does not pay for it at start.

Strings end up in ORCID's XML and in HTML pages, so none may hold a character XML 1.0 cannot
carry (C0 controls but tab/newline/return, lone surrogates, U+FFFE/U+FFFF).
"""
from __future__ import annotations

from ..registry import orcid_id
from ..registry.errors import Conflict, InvalidValue
from ..registry.model import CLIENT_TYPES, VISIBILITIES
from ..registry.store import RECORD_FIELDS, RECORD_STATES

_XML_CHARS = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]*$"


def _text(max_length: int, nullable: bool = False, min_length: int = 0) -> dict:
    schema = {"type": ["string", "null"] if nullable else "string", "pattern": _XML_CHARS,
              "maxLength": max_length,
              "description": "%sa string of %s%d characters, without control characters"
                             % ("null or " if nullable else "",
                                "%d to " % min_length if min_length else "at most ", max_length)}
    if min_length:
        schema["minLength"] = min_length
    return schema


def _enum(values, nullable: bool = False) -> dict:
    values = list(values) + ([None] if nullable else [])
    return {"enum": values, "description": "one of " + ", ".join(
        "null" if v is None else v for v in values)}


ORCID_ID = {"type": "string", "pattern": r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$",
            "description": "an ORCID iD, NNNN-NNNN-NNNN-NNNC"}
# Client ids appear in URL paths and before the colon of HTTP Basic credentials.
CLIENT_ID = {"type": "string", "pattern": r"^[A-Za-z0-9._~-]{1,100}$",
             "description": "1 to 100 letters, digits or . _ ~ -"}
REDIRECT_URI = {"type": "string", "pattern": r"^[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20\x7f]*$",
                "maxLength": 2000,
                "description": "an absolute URI (scheme:...) of at most 2000 characters, "
                               "without spaces or control characters"}
BOOLEAN = {"type": "boolean", "description": "true or false"}
EMAIL = {"type": "string", "pattern": r"^[^@\s]+@[^@\s]+$", "maxLength": 254,
         "description": "an e-mail address (local@domain) of at most 254 characters"}
NAME = _text(100, nullable=True)


def _object(properties: dict, required=()) -> dict:
    return {"type": "object", "properties": properties, "required": list(required),
            "additionalProperties": False, "description": "a JSON object"}


USER = _object({
    "orcid": ORCID_ID,
    "given_names": _text(100, nullable=True, min_length=1),
    "family_name": NAME,
    "credit_name": NAME,
    "email": EMAIL,
    "default_visibility": _enum(("public", "limited", "private")),
    "biography": _text(5000, nullable=True),
    "password": _text(200, nullable=True),
})

CLIENT = _object({
    "client_id": CLIENT_ID,
    "client_secret": _text(200, min_length=1),
    "name": _text(255, min_length=1),
    "type": _enum(CLIENT_TYPES),
    "redirect_uris": {"type": "array", "items": REDIRECT_URI, "maxItems": 100,
                      "description": "a list of at most 100 URIs"},
    "description": _text(5000),
})

RECORD_UPDATE = _object({
    "default_visibility": _enum(VISIBILITIES),
    "name_visibility": _enum(VISIBILITIES),
    "biography_visibility": _enum(VISIBILITIES),
    "biography": _text(5000, nullable=True),
    "state": _enum(RECORD_STATES),
    "primary_orcid": {**ORCID_ID, "type": ["string", "null"],
                      "description": "null or an ORCID iD, NNNN-NNNN-NNNN-NNNC"},
    "created_by_client": {**CLIENT_ID, "type": ["string", "null"],
                          "description": "null or a client id"},
    "given_names": _text(100, min_length=1),
    "family_name": NAME,
    "credit_name": NAME,
    "accepts_member_notifications": BOOLEAN,
})
assert set(RECORD_UPDATE["properties"]) == set(RECORD_FIELDS), "RECORD_FIELDS changed: update me"

ITEM_VISIBILITY = _object({"visibility": _enum(VISIBILITIES)}, required=["visibility"])
REVOKE = _object({"client_id": CLIENT_ID}, required=["client_id"])
NEW_EMAIL = _object({"email": EMAIL, "verified": BOOLEAN, "visibility": _enum(VISIBILITIES)},
                    required=["email"])

FIXTURES = _object({
    "comment": {"type": "string", "description": "a string"},
    "users": {"type": "array", "items": USER, "description": "a list of users"},
    "clients": {"type": "array", "items": CLIENT, "description": "a list of clients"},
})


# ------------------------------------------------------------------------------- checking
class BodyError(InvalidValue):
    """An admin body or fixtures file that does not fit its schema."""


def path_text(path) -> str | None:
    """('users', 0, 'credit_name') -> 'users[0].credit_name'; () -> None (the whole body)."""
    text = ""
    for part in path:
        text += "[%d]" % part if isinstance(part, int) else ("." if text else "") + str(part)
    return text or None


_VALIDATORS: dict[int, object] = {}


def _validator(schema: dict):
    validator = _VALIDATORS.get(id(schema))
    if validator is None:
        from jsonschema import Draft202012Validator
        Draft202012Validator.check_schema(schema)
        validator = _VALIDATORS[id(schema)] = Draft202012Validator(schema)
    return validator


def check(schema: dict, data) -> None:
    """Raises BodyError naming one bad value (unknown fields first, then by path, the same one
    every time) and what it must be."""
    errors = list(_validator(schema).iter_errors(data))
    if not errors:
        return
    error = min(errors, key=lambda e: (list(map(str, e.absolute_path)), e.validator != "type"))
    path = list(error.absolute_path)
    instance = error.instance
    if error.validator == "required":
        missing = next(name for name in error.validator_value if name not in instance)
        raise BodyError("%s is required" % missing, path_text(path + [missing]))
    if error.validator == "additionalProperties":
        allowed = list(error.schema.get("properties", {}))
        extra = sorted(str(k) for k in instance if k not in allowed)
        raise BodyError("unknown field(s): %s; allowed: %s" % (", ".join(extra), ", ".join(allowed)),
                        path_text(path + [extra[0]]))
    field = path_text(path)
    what = error.schema.get("description") or "valid (%s)" % error.validator
    raise BodyError("%s must be %s" % (field or "the body", what), field)


def check_fixtures(data) -> None:
    """The schema, then what a schema cannot say: valid check digits, no duplicate ids."""
    check(FIXTURES, data)
    seen: dict[str, set] = {"orcid": set(), "client_id": set()}
    for kind, key in (("users", "orcid"), ("clients", "client_id")):
        for index, entry in enumerate(data.get(kind, [])):
            value = entry.get(key)
            if value is None:
                continue
            where = path_text([kind, index, key])
            if key == "orcid" and not orcid_id.is_valid(value):
                raise BodyError("%s is not a valid ORCID iD (bad check digit)" % value, where)
            if value in seen[key]:
                raise Conflict("%s %s appears twice" % (key, value), where)
            seen[key].add(value)
