"""What one record puts in the index: ORCID's indexer (the message listener's
OrcidRecordToSolrDocument) reads the record from the *public* API, so only public items and
public record fields reach the index. A document is a mapping field -> list of values.

Each item's contribution is worked out on its own (``item_values``), so the index can keep it
while the item stays the same frozen object and re-index a record without re-reading every
work's XML.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from xml.etree import ElementTree as ET

from ...registry import sections
from ...registry.model import Item, Record
from ...registry.namespaces import local_name
from .fields import OLD_WAY_ID_TYPES

AFFILIATIONS = frozenset(sections.AFFILIATIONS)
_OLD_WAY = frozenset(OLD_WAY_ID_TYPES)
# Which disambiguation sources fill which *-org-id field (FUNDREF is handled per section).
_ORG_ID_FIELD = {"RINGGOLD": "ringgold-org-id", "GRID": "grid-org-id", "ROR": "ror-org-id",
                 "FUNDREF": "fundref-org-id"}

Values = list[tuple[str, str]]   # (field, value) pairs, in record order


@dataclass(frozen=True)
class RecordView:
    """What the index needs of a record, copied under the registry lock (items are frozen,
    so holding them is enough), so that the document is built outside it."""
    orcid: str
    state: str
    given_names: str | None
    family_name: str | None
    credit_name: str | None
    name_public: bool
    biography: str | None
    emails: tuple[str, ...]                 # public, verified addresses
    created: datetime
    last_modified: datetime
    items: tuple[Item, ...]                 # public items, in section-table then put-code order
    record: Record = field(compare=False, repr=False)   # for ORCID's record-state check


def view(record: Record) -> RecordView:
    """Call with the registry lock held."""
    items = []
    for section in sections.SECTIONS:
        entries = record.items.get(section.name)
        if entries:
            items.extend(i for _pc, i in sorted(entries.items()) if i.visibility == "public")
    return RecordView(
        orcid=record.orcid, state=record.state,
        given_names=record.given_names, family_name=record.family_name,
        credit_name=record.credit_name, name_public=record.name_visibility == "public",
        biography=record.biography if record.biography_visibility == "public" else None,
        emails=tuple(e.email for e in record.emails if e.visibility == "public" and e.verified),
        created=record.created, last_modified=record.last_modified, items=tuple(items),
        record=record)


def record_values(v: RecordView) -> Values:
    """The record-level fields: iD, name, biography, e-mails (dates are kept apart)."""
    out: Values = [("orcid", v.orcid)]
    if v.name_public:
        given = (v.given_names or "").strip()
        family = (v.family_name or "").strip()
        if given:
            out.append(("given-names", given))
        if family:
            out.append(("family-name", family))
        if (v.credit_name or "").strip():
            out.append(("credit-name", v.credit_name.strip()))
        both = " ".join(p for p in (given, family) if p)
        if both:
            out.append(("given-and-family-names", both))
    if v.biography and v.biography.strip():
        out.append(("biography", v.biography.strip()))
    out.extend(("email", e) for e in v.emails)
    return out


def item_values(item: Item, today: tuple[int, int, int]) -> Values:
    """One public item's contribution. ``today`` (year, month, day) splits affiliations into
    current and past, as ORCID does when it indexes."""
    body = item.body
    name = item.section
    out: Values = []
    if name == "work":
        _titles(body, "title", "work-titles", out)
        for id_type, value, rel in _ext_ids(_child(body, "external-ids")):
            _work_like_id(id_type, value, rel, out, version_of=False, old_way=True)
    elif name == "funding":
        _titles(body, "title", "funding-titles", out)
        for id_type, value, _rel in _ext_ids(_child(body, "external-ids")):
            if id_type == "grant_number":
                out.append(("grant-numbers", value))
        org = _child(body, "organization")
        if org is not None:
            _text(org, "name", "funding-org-name", out)
            _source, org_id = _org_id(org)
            if org_id:   # every funding organisation's id, whatever its source
                out.append(("fundref-org-id", org_id))
    elif name in AFFILIATIONS:
        org = _child(body, "organization")
        if org is not None:
            org_name = _clean(_child_text(org, "name"))
            if org_name:
                out.append(("affiliation-org-name", org_name))
                out.append(("current-institution-affiliation-name" if _current(body, today)
                            else "past-institution-affiliation-name", org_name))
            source, org_id = _org_id(org)
            if org_id and source in ("RINGGOLD", "GRID", "ROR"):
                out.append((_ORG_ID_FIELD[source], org_id))
    elif name == "peer-review":
        _text(body, "review-type", "peer-review-type", out)
        _text(body, "reviewer-role", "peer-review-role", out)
        _text(body, "review-group-id", "peer-review-group-id", out)
        for id_type, value, rel in _ext_ids(_child(body, "review-identifiers")):
            _work_like_id(id_type, value, rel, out, version_of=True, old_way=False)
        org = _child(body, "convening-organization")
        if org is not None:
            _text(org, "name", "peer-review-org-name", out)
            _org_ids(org, out)
    elif name == "research-resource":
        proposal = _child(body, "proposal")
        if proposal is not None:
            _titles(proposal, "title", "research-resource-proposal-title", out)
            _hosts(proposal, "research-resource-proposal-org-name", out)
            for id_type, value, rel in _ext_ids(_child(proposal, "external-ids")):
                _work_like_id(id_type, value, rel, out, version_of=True, old_way=False)
        items = _child(body, "resource-items")
        for resource in (items if items is not None else ()):
            _text(resource, "resource-name", "research-resource-item-name", out)
            _hosts(resource, "research-resource-item-org-name", out)
            for id_type, value, rel in _ext_ids(_child(resource, "external-ids")):
                _work_like_id(id_type, value, rel, out, version_of=True, old_way=False)
    elif name == "other-names":
        _text(body, "content", "other-names", out)
    elif name == "keywords":
        _text(body, "content", "keyword", out)
    elif name == "external-identifiers":
        id_type = _clean(_child_text(body, "external-id-type"))
        value = _clean(_child_text(body, "external-id-value"))
        source = item.source.client_id or item.source.orcid or ""
        if value:
            out.append(("external-id-reference", value))
            out.append(("external-id-type-and-value", "%s=%s" % (id_type, value)))
            if source:
                out.append(("external-id-source-and-reference", "%s=%s" % (source, value)))
        if source:
            out.append(("external-id-source", source))
    return out


# ------------------------------------------------------------------ helpers
def _child(elem: ET.Element | None, local: str) -> ET.Element | None:
    if elem is None:
        return None
    for c in elem:
        if local_name(c.tag) == local:
            return c
    return None


def _child_text(elem: ET.Element | None, local: str) -> str:
    node = _child(elem, local)
    return node.text if node is not None and node.text else ""


def _clean(text: str) -> str:
    return text.strip()


def _text(elem, local, field_name, out: Values) -> None:
    value = _clean(_child_text(elem, local))
    if value:
        out.append((field_name, value))


def _titles(elem, container: str, field_name: str, out: Values) -> None:
    """title, subtitle and translated title (a set: no repeats within the item)."""
    box = _child(elem, container)
    seen = set()
    for local in ("title", "subtitle", "translated-title"):
        value = _clean(_child_text(box, local))
        if value and value not in seen:
            seen.add(value)
            out.append((field_name, value))


def _ext_ids(box: ET.Element | None):
    if box is None:
        return
    for ext in box:
        if local_name(ext.tag) != "external-id":
            continue
        id_type = _clean(_child_text(ext, "external-id-type"))
        value = _clean(_child_text(ext, "external-id-value"))
        if id_type and value:
            yield id_type, value, _clean(_child_text(ext, "external-id-relationship"))


def _work_like_id(id_type, value, rel, out: Values, version_of: bool, old_way: bool) -> None:
    if id_type == "doi":
        out.append(("digital-object-ids", value))
    if old_way:
        out.append((id_type if id_type in _OLD_WAY else "other-identifier-type", value))
    if rel == "self":
        out.append((id_type + "-self", value))
    elif rel == "part-of":
        out.append((id_type + "-part-of", value))
    elif rel == "version-of" and version_of:
        out.append((id_type + "-version-of", value))


def _org_id(org: ET.Element) -> tuple[str, str]:
    dis = _child(org, "disambiguated-organization")
    if dis is None:
        return "", ""
    return (_clean(_child_text(dis, "disambiguation-source")).upper(),
            _clean(_child_text(dis, "disambiguated-organization-identifier")))


def _org_ids(org: ET.Element, out: Values) -> None:
    source, org_id = _org_id(org)
    if org_id and source in _ORG_ID_FIELD:
        out.append((_ORG_ID_FIELD[source], org_id))


def _hosts(elem: ET.Element, name_field: str, out: Values) -> None:
    hosts = _child(elem, "hosts")
    for org in (hosts if hosts is not None else ()):
        _text(org, "name", name_field, out)
        _org_ids(org, out)


def _current(body: ET.Element, today: tuple[int, int, int]) -> bool:
    """ORCID's rule: current unless the end date is wholly in the past."""
    end = _child(body, "end-date")
    if end is None:
        return True
    try:
        year = _clean(_child_text(end, "year"))
        if not year:
            return True
        year = int(year)
        if year != today[0]:
            return year > today[0]
        month = _clean(_child_text(end, "month"))
        if not month or int(month) > today[1]:
            return True
        if int(month) < today[1]:
            return False
        day = _clean(_child_text(end, "day"))
        return not day or int(day) > today[2]
    except ValueError:
        return True   # an end date that cannot be read counts as current
