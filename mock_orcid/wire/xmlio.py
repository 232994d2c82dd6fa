"""Reading untrusted XML bodies safely, and writing ORCID-style XML.

Request bodies are parsed by defusedxml with DTDs forbidden: ORCID payloads never need a
DOCTYPE, and refusing it up front stops entity bombs and external entities before any
expansion. The parsed element (never the raw body) is what the validator sees, because
xmlschema treats a string that is not markup as a path or URL to open.

The parse is also bounded: depth, element count and attributes per element are checked as
each start tag arrives, so what reaches xmlschema is small enough for it. (xmlschema spends
time quadratic in the number of unknown attributes on one element; ORCID's widest element
declares four.)
"""
import re
from xml.etree import ElementTree as ET

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from ..registry import namespaces  # noqa: F401  (registers the canonical prefixes)
from . import xmlwrite

MAX_BODY_BYTES = 8 * 1024 * 1024
# ORCID's deepest document (a research resource inside a bulk) is about ten levels deep; a
# bulk of 100 works with thousands of contributors stays well under the element count.
MAX_DEPTH = 64
MAX_ELEMENTS = 250_000
MAX_ATTRIBUTES = 16

# What XML 1.0 cannot carry (defined where XML is written).
ILLEGAL_CHARS = xmlwrite.ILLEGAL_CHARS


class XmlSyntaxError(ValueError):
    """The body is not well-formed XML, uses a forbidden construct, or is past the bounds."""


class _BoundedBuilder:
    """A TreeBuilder that stops the parse as soon as the document leaves the bounds."""

    def __init__(self):
        self._builder = ET.TreeBuilder()
        self._depth = 0
        self._count = 0

    def start(self, tag, attrib):
        self._depth += 1
        self._count += 1
        if self._depth > MAX_DEPTH:
            raise XmlSyntaxError("the document is nested deeper than %d elements" % MAX_DEPTH)
        if self._count > MAX_ELEMENTS:
            raise XmlSyntaxError("the document has more than %d elements" % MAX_ELEMENTS)
        if len(attrib) > MAX_ATTRIBUTES:
            raise XmlSyntaxError("element %s has %d attributes; no ORCID element allows more "
                                 "than %d" % (tag, len(attrib), MAX_ATTRIBUTES))
        return self._builder.start(tag, attrib)

    def end(self, tag):
        self._depth -= 1
        return self._builder.end(tag)

    def data(self, data):
        self._builder.data(data)

    def close(self):
        return self._builder.close()


def parse(body: bytes) -> ET.Element:
    if len(body) > MAX_BODY_BYTES:
        raise XmlSyntaxError("request body larger than %d bytes" % MAX_BODY_BYTES)
    if not body.strip():
        raise XmlSyntaxError("empty request body")
    parser = SafeET.DefusedXMLParser(target=_BoundedBuilder(), forbid_dtd=True,
                                     forbid_entities=True, forbid_external=True)
    try:
        parser.feed(body)
        return parser.close()
    except XmlSyntaxError:
        raise
    except DefusedXmlException as exc:
        raise XmlSyntaxError("forbidden XML construct: %s" % type(exc).__name__) from None
    except ET.ParseError as exc:
        raise XmlSyntaxError("malformed XML: %s" % exc) from None
    except (LookupError, ValueError) as exc:
        # expat knows only UTF-8, UTF-16, ISO-8859-1 and US-ASCII (encoding="foo", "utf-7").
        raise XmlSyntaxError("unsupported encoding: %s" % exc) from None


def to_bytes(element: ET.Element) -> bytes:
    """ORCID-style XML: a header, canonical prefixes, every namespace declared on the root."""
    return xmlwrite.to_bytes(element)
