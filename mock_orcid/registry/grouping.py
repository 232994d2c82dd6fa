"""ORCID's grouping of activities by shared external identifiers.

An item's group keys are its external ids whose relationship is not part-of / funded-by
(so self, version-of and relationship-less ids group), compared by type and normalised
value. Items sharing any key end up in one group, transitively (union-find).
"""
from __future__ import annotations

import re
from xml.etree import ElementTree as ET

from .namespaces import NS

C = "{%s}" % NS["common"]
NON_GROUPING = ("part-of", "funded-by")


# New-style ids (2101.01234v2) and old-style ones (hep-th/9901001, math.AG/0601001). An old-style
# id may only start where a run of letters starts: tried from every letter of a long run, the
# search was quadratic (a 12,000-letter value took seconds), and a match can never start
# inside a run when one starting at the run's first letter would not also match.
_ARXIV = re.compile(r"(\d{4}\.\d{4,5}(?:v\d+)?|(?<![a-z\-])[a-z\-]+(?:\.[A-Z]{2})?/\d{7})", re.I)


def normalise(id_type: str, value: str) -> str:
    """ORCID's PID normalisation for the common identifier types (facts §6.1)."""
    value = (value or "").strip()
    t = id_type.lower()
    if t == "doi":
        m = re.search(r"10\.\S+", value)
        return m.group(0).lower() if m else ""
    if t == "isbn":
        return re.sub(r"[^0-9X]", "", value.upper())
    if t == "issn":
        v = re.sub(r"[^0-9X]", "", value.upper())
        return v if len(v) == 8 else ""
    if t in ("pmid", "pmc"):
        m = re.search(r"(\d+)", value)
        return m.group(1) if m else ""
    if t == "arxiv":
        m = _ARXIV.search(value)
        return "arXiv:" + m.group(1) if m else ""
    if t == "uri" or t == "url":
        return value if re.match(r"^[a-z][a-z0-9+.\-]*:", value, re.I) else "http://" + value
    return value


def external_ids(element: ET.Element, container: str = "external-ids") -> list[ET.Element]:
    ids = element.find(C + container) if container == "external-ids" else None
    if ids is None:
        ids = next((c for c in element if c.tag.endswith("}" + container)), None)
    return [] if ids is None else list(ids.findall(C + "external-id"))


def id_fields(ext: ET.Element) -> tuple[str, str, str]:
    def text(name):
        node = ext.find(C + name)
        return (node.text or "").strip() if node is not None and node.text else ""
    return text("external-id-type"), text("external-id-value"), text("external-id-relationship")


def group_keys(element: ET.Element, container: str = "external-ids") -> list[tuple[tuple[str, str], ET.Element]]:
    keys = []
    for ext in external_ids(element, container):
        id_type, value, rel = id_fields(ext)
        if rel in NON_GROUPING or not value:
            continue
        norm = normalise(id_type, value) or value
        keys.append(((id_type, norm), ext))
    return keys


def group(entries, keys_of):
    """Partition ``entries`` (in order) into groups; returns lists of entries."""
    parent = list(range(len(entries)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict = {}
    for i, entry in enumerate(entries):
        for key, _ext in keys_of(entry):
            if key in owner:
                a, b = find(owner[key]), find(i)
                if a != b:
                    parent[max(a, b)] = min(a, b)
            else:
                owner[key] = i
    groups: dict[int, list] = {}
    for i, entry in enumerate(entries):
        groups.setdefault(find(i), []).append(entry)
    return list(groups.values())
