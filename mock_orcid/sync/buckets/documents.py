"""The XML ORCID's message listener stores: the public record, one public activity, or the
public API's error for a record that cannot be read (orcid-sync-facts §1.5-§1.6).

Everything is rendered by the API's own renderer from a snapshot of the record, so a bucket
object says exactly what GET /pub/v3.0/{orcid}/record (or /{section}/{put-code}) says; only the
layout differs: ORCID's marshaller indents by four spaces and declares every prefix of its
record package on the root element.
"""
from __future__ import annotations

import copy
import re
from xml.etree import ElementTree as ET

from ...registry.errors import OrcidError
from ...registry.model import Item, Record
from ...registry.namespaces import BASE
from ...registry.visibility import visible
from ...wire.render import Renderer
from ...wire.render_record import PUBLIC_READER, RecordRenderer, public_record

DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
# The prefixes of ORCID's v3 record package (package-info.java), declared on every root.
RECORD_PREFIXES = (
    "activities", "address", "bulk", "common", "deprecated", "distinction", "education", "email",
    "employment", "error", "external-identifier", "funding", "history", "internal",
    "invited-position", "keyword", "membership", "other-name", "peer-review", "person",
    "personal-details", "preferences", "qualification", "record", "research-resource",
    "researcher-url", "service", "work",
)
_DECLARED = re.compile(r'\sxmlns:([\w.-]+)="')


def snapshot(record: Record) -> Record:
    """A copy that later writes do not move (call with the registry lock held): items are
    frozen, so copying the containers is enough."""
    snap = copy.copy(record)
    snap.items = {name: dict(entries) for name, entries in record.items.items()}
    snap.emails = list(record.emails)
    return snap


def public_items(snap: Record):
    """``items(section)``: the section's public items in put-code order, as the public API
    lists them."""
    def items(section):
        entries = sorted(snap.items.get(section.name, {}).values(), key=lambda i: i.put_code)
        return visible(entries, PUBLIC_READER, section.read_scope)
    return items


def summary_document(renderer: Renderer, snap: Record) -> bytes:
    return document(public_record(RecordRenderer(renderer), snap, public_items(snap)))


def activity_document(renderer: Renderer, snap: Record, item: Item) -> bytes:
    return document(renderer.item(snap, item))


def error_document(renderer: Renderer, err: OrcidError) -> bytes:
    return document(renderer.error(err), declare=("error",))


def document(elem: ET.Element, declare=RECORD_PREFIXES) -> bytes:
    tree = copy.deepcopy(elem)        # the renderer's element is never changed
    ET.indent(tree, space="    ")
    text = ET.tostring(tree, encoding="unicode", short_empty_elements=True)
    return (DECLARATION + _declare(text, declare)).encode("utf-8")


def _declare(text: str, prefixes) -> str:
    """Add the namespace declarations the root lacks, right after its name (attribute values
    are escaped, so the first '>' ends the start tag)."""
    start_tag = text[:text.index(">")]
    present = set(_DECLARED.findall(start_tag))
    missing = "".join(' xmlns:%s="%s%s"' % (p, BASE, p) for p in prefixes if p not in present)
    name_end = re.search(r"[\s/>]", text).start()
    return text[:name_end] + missing + text[name_end:]
