"""Reading untrusted XML bodies safely, and writing ORCID-style XML.

Request bodies are parsed by defusedxml with DTDs forbidden: ORCID payloads never need a
DOCTYPE, and refusing it up front stops entity bombs and external entities before any
expansion. The parsed element (never the raw body) is what the validator sees, because
xmlschema treats a string that is not markup as a path or URL to open.
"""
from xml.etree import ElementTree as ET

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from ..registry import namespaces  # noqa: F401  (registers the canonical prefixes)
from . import xmlwrite

MAX_BODY_BYTES = 8 * 1024 * 1024


class XmlSyntaxError(ValueError):
    """The body is not well-formed XML, or uses a forbidden construct."""


def parse(body: bytes) -> ET.Element:
    if len(body) > MAX_BODY_BYTES:
        raise XmlSyntaxError("request body larger than %d bytes" % MAX_BODY_BYTES)
    if not body.strip():
        raise XmlSyntaxError("empty request body")
    try:
        return SafeET.fromstring(body, forbid_dtd=True, forbid_entities=True,
                                 forbid_external=True)
    except DefusedXmlException as exc:
        raise XmlSyntaxError("forbidden XML construct: %s" % type(exc).__name__) from None
    except ET.ParseError as exc:
        raise XmlSyntaxError("malformed XML: %s" % exc) from None


def to_bytes(element: ET.Element) -> bytes:
    """ORCID-style XML: a header, canonical prefixes, every namespace declared on the root."""
    return xmlwrite.to_bytes(element)
