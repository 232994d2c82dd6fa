"""A 2.0/2.1 write body as the registry stores it (the 3.0 model), the way ORCID's v2 mappers
write v2 objects onto the same database rows.

Only names differ on the way in: the fields 2.x keeps in the item's own namespace move to
``common``, and the work type ``dissertation`` is stored as ``dissertation-thesis``. A 2.x body
cannot carry 3.0-only data (its schema refuses it), so a 2.x PUT replaces what it names; for
affiliations ORCID keeps the 3.0-only link and ids the 2.x client never saw (``kept_on_update``).
"""
from __future__ import annotations

from xml.etree import ElementTree as ET

from ..registry.namespaces import NS, local_name, namespace_of, qn

C = "{%s}" % NS["common"]

_TO_COMMON = {
    qn("work", "work"): {"url"},
    qn("funding", "funding"): {"url", "organization"},
    qn("education", "education"): {"department-name", "role-title", "organization"},
    qn("employment", "employment"): {"department-name", "role-title", "organization"},
}
# What a 2.x update leaves as it was, by item element: children 2.x has no word for.
_KEPT = {
    qn("education", "education"): (C + "url", C + "external-ids"),
    qn("employment", "employment"): (C + "url", C + "external-ids"),
}


def upgrade(elem: ET.Element) -> ET.Element:
    """``elem`` (a valid 2.x item, changed in place) in the 3.0 vocabulary."""
    moved = _TO_COMMON.get(elem.tag, ())
    own = "{%s}" % namespace_of(elem.tag)
    for child in elem:
        name = local_name(child.tag)
        if name in moved and child.tag.startswith(own):
            child.tag = C + name
    for node in elem.iter():
        if node.tag in (qn("work", "type"), qn("peer-review", "subject-type")) and \
                (node.text or "").strip() == "dissertation":
            node.text = "dissertation-thesis"
        elif node.tag == C + "contributor-orcid":
            # 2.0 names people http://…; the registry keeps ORCID's canonical https:// form.
            uri = node.find(C + "uri")
            if uri is not None and (uri.text or "").startswith("http://"):
                uri.text = "https://" + uri.text[len("http://"):]
    return elem


def kept_on_update(elem: ET.Element, stored_body: ET.Element) -> ET.Element:
    """Put back into an upgraded 2.x update the stored children 2.x cannot express."""
    for tag in _KEPT.get(elem.tag, ()):
        for child in stored_body.findall(tag):
            elem.append(child)
    return elem
