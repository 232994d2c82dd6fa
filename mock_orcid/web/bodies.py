"""Request bodies: hardened parse, JSON mapping, validation against our schemas."""
from __future__ import annotations

import json
from xml.etree import ElementTree as ET

from flask import Request

from ..registry import field_values
from ..registry.errors import OrcidError
from ..registry.namespaces import local_name
from ..wire import jsonmap, schemas, xmlio
from . import negotiation


def read(request: Request, expected_tag: str, set_name: str | None = None) -> ET.Element:
    """The body as a valid element, with ORCID's read-time value checks done (9051), as its
    model does while unmarshalling: before any put-code, record or rule check."""
    elem = _read_valid(request, expected_tag, set_name)
    if local_name(expected_tag) != "bulk":      # a bulk answers bad works one by one
        field_values.check(elem)
    return elem


def _read_valid(request: Request, expected_tag: str, set_name: str | None) -> ET.Element:
    kind = negotiation.body_kind(request)
    raw = request.get_data(cache=True)
    if kind == "xml":
        try:
            elem = xmlio.parse(raw)
        except xmlio.XmlSyntaxError as exc:
            raise OrcidError(9001, "Invalid incoming message: %s" % exc)
        if elem.tag != expected_tag:
            raise OrcidError(9001, "Invalid incoming message: expected root element %s, got %s"
                             % (_pretty(expected_tag), _pretty(elem.tag)))
        problems = schemas.errors(elem, set_name)
        if problems:
            raise OrcidError(9001, "Invalid incoming message. Full validation error: %s"
                             % "; ".join(problems[:3]))
        return elem
    if len(raw) > xmlio.MAX_BODY_BYTES:
        raise OrcidError(9047, "request body larger than %d bytes" % xmlio.MAX_BODY_BYTES)
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise OrcidError(9047, "Invalid JSON: %s" % exc)
    except RecursionError:
        raise OrcidError(9047, "Invalid JSON: nested too deeply")
    _check_json_text(data)
    try:
        elem = jsonmap.to_element(data, expected_tag, set_name)
    except jsonmap.JsonShapeError as exc:
        raise OrcidError(9047, "Invalid JSON for %s: %s" % (local_name(expected_tag), exc))
    problems = schemas.errors(elem, set_name)
    if problems:
        raise OrcidError(9047, "Invalid JSON. Full validation error: %s" % "; ".join(problems[:3]))
    return elem


def _check_json_text(data) -> None:
    """Refuse what XML 1.0 cannot carry (lone surrogates, U+0000-U+001F but tab/LF/CR,
    U+FFFE/U+FFFF) anywhere in the JSON, as ORCID's parser does: such a string stored would make
    every later read of the record fail. Iterative, so any depth json.loads allowed is fine."""
    pending = [data]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                _check_string(key)
                pending.append(item)
        elif isinstance(value, list):
            pending.extend(value)
        elif isinstance(value, str):
            _check_string(value)


def _check_string(text: str) -> None:
    bad = xmlio.ILLEGAL_CHARS.search(text)
    if bad:
        raise OrcidError(9047, "Invalid JSON: the string %s contains the character U+%04X, which "
                         "is not allowed" % (json.dumps(text[:80]), ord(bad.group())))


def _pretty(tag: str) -> str:
    from ..registry.namespaces import prefix_of
    prefix = prefix_of(tag)
    return "%s:%s" % (prefix, local_name(tag)) if prefix else local_name(tag)
