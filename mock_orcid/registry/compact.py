"""Stored item bodies as compressed XML bytes, parsed again when read.

An element tree costs about 14 KB of Python objects for a full work (and gives the garbage
collector some 60 objects to walk); its XML, deflated with a dictionary of ORCID's vocabulary,
is a few hundred bytes in one object the collector never looks at. Bodies are stored once per
change and parsed only when something needs the tree (a render, which is cached, or a rule), so
a registry of a million works fits in memory and a full collection stays short.

The bytes are ElementTree's serialisation of the cleaned body with whitespace-only layout text
removed; parsing them gives a fresh tree, so a caller may change what it gets.
"""
from __future__ import annotations

import zlib
from xml.etree import ElementTree as ET

from .namespaces import NS

# Deflate looks for repeats in this text too, so each body needs to spell out only what is its
# own. Written for this purpose (the most frequent strings last, where deflate finds them
# cheapest); changing it makes stored bytes unreadable, which only matters within one process.
_VOCABULARY = " ".join((
    "https:// http:// www. .org .com /10. urn:isbn: ISSN ISBN en fr de es",
    "<common:external-id-normalized transient=\"true\"> ror ringgold fundref grid",
    "<funding:funding xmlns:funding=\"%s\"><funding:type>grant</funding:type>" % NS["funding"],
    "<funding:title><common:title></common:title></funding:title><funding:amount currency-code="
    "\"USD\"></funding:amount><funding:contributors><funding:contributor>",
    "<peer-review:peer-review xmlns:peer-review=\"%s\"><peer-review:reviewer-role>reviewer"
    "</peer-review:reviewer-role><peer-review:review-identifiers><peer-review:review-url>"
    "<peer-review:review-type>review</peer-review:review-type><peer-review:review-group-id>"
    "issn:</peer-review:review-group-id><peer-review:subject-external-identifier>"
    "<peer-review:subject-type>journal-article</peer-review:subject-type>"
    "<peer-review:convening-organization>" % NS["peer-review"],
    "<common:department-name></common:department-name><common:role-title></common:role-title>"
    "<common:organization><common:name></common:name><common:address><common:city>"
    "</common:city><common:region></common:region><common:country></common:country>"
    "</common:address><common:disambiguated-organization>"
    "<common:disambiguated-organization-identifier>https://ror.org/"
    "</common:disambiguated-organization-identifier><common:disambiguation-source>ROR"
    "</common:disambiguation-source></common:disambiguated-organization></common:organization>",
    "<work:contributors><work:contributor><common:contributor-orcid><common:uri>https://orcid.org/"
    "</common:uri><common:path></common:path><common:host>orcid.org</common:host>"
    "</common:contributor-orcid><work:credit-name></work:credit-name><work:contributor-email>"
    "</work:contributor-email><work:contributor-attributes><work:contributor-sequence>first"
    "</work:contributor-sequence><work:contributor-role>author</work:contributor-role>"
    "</work:contributor-attributes></work:contributor></work:contributors>",
    "<work:short-description></work:short-description><work:citation><work:citation-type>bibtex"
    "</work:citation-type><work:citation-value></work:citation-value></work:citation>"
    "<common:language-code>en</common:language-code><common:country>US</common:country>",
    "<work:journal-title></work:journal-title><common:publication-date><common:year>"
    "</common:year><common:month></common:month><common:day></common:day>"
    "</common:publication-date><common:start-date><common:end-date><common:url></common:url>",
    "<common:external-ids><common:external-id><common:external-id-type>doi"
    "</common:external-id-type><common:external-id-value>10.</common:external-id-value>"
    "<common:external-id-url>https://doi.org/</common:external-id-url>"
    "<common:external-id-relationship>self</common:external-id-relationship>"
    "</common:external-id></common:external-ids>",
    "<work:work xmlns:common=\"%s\" xmlns:work=\"%s\"><work:title><common:title></common:title>"
    "<common:subtitle></common:subtitle><common:translated-title language-code=\"en\">"
    "</common:translated-title></work:title><work:type>journal-article</work:type>"
    % (NS["common"], NS["work"]),
)).encode("utf-8")

_LEVEL = 6


def pack(body: ET.Element) -> bytes:
    """The body as stored: layout whitespace dropped, serialised, deflated."""
    _strip_layout(body)
    body.tail = None
    raw = ET.tostring(body, encoding="utf-8", xml_declaration=False)
    packer = zlib.compressobj(_LEVEL, zlib.DEFLATED, -15, 9, zlib.Z_DEFAULT_STRATEGY, _VOCABULARY)
    return packer.compress(raw) + packer.flush()


def unpack(data: bytes) -> ET.Element:
    """A fresh tree of a stored body (our own bytes: no untrusted input reaches this parser)."""
    unpacker = zlib.decompressobj(-15, _VOCABULARY)
    return ET.fromstring(unpacker.decompress(data) + unpacker.flush())


def _strip_layout(elem: ET.Element) -> None:
    # Whitespace between elements is the sender's indentation, not content (ORCID's content
    # model has no mixed content with child elements).
    for node in elem.iter():
        if len(node):
            if node.text is not None and not node.text.strip():
                node.text = None
            for child in node:
                if child.tail is not None and not child.tail.strip():
                    child.tail = None
        elif node.tail is not None and not node.tail.strip():
            node.tail = None
