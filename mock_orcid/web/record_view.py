"""What the record page shows, read from the registry: plain dicts for ``record.html``.

Laid out as ORCID's record page (orcid-angular ``my-orcid``): names, other names and the
biography on top; e-mails, websites, other iDs, keywords and countries beside; then the
activities: affiliations (employment; education and qualifications; professional activities),
funding, research resources, works, peer review. Activities are grouped by shared external
identifiers, as the API groups them. The owner sees every item with its visibility and
source; anyone else sees what is public, as on orcid.org.
"""
from __future__ import annotations

from datetime import datetime
from xml.etree import ElementTree as ET

from ..registry import grouping, sections
from ..registry.model import Item, Record
from ..registry.namespaces import local_name
from ..registry.store import section_item_title

# (heading, html id, sections) in the order ORCID's record page shows them.
ACTIVITY_PANELS = (
    ("Employment", "employment", ("employment",)),
    ("Education and qualifications", "education", ("education", "qualification")),
    ("Professional activities", "professional-activities",
     ("distinction", "invited-position", "membership", "service")),
    ("Funding", "funding", ("funding",)),
    ("Research resources", "research-resources", ("research-resource",)),
    ("Works", "works", ("work",)),
    ("Peer review", "peer-reviews", ("peer-review",)),
)
PERSON_PANELS = (
    ("Websites & social links", "websites", "researcher-urls"),
    ("Other IDs", "other-ids", "external-identifiers"),
    ("Keywords", "keywords", "keywords"),
    ("Countries", "countries", "address"),
)
SECTION_WORDS = {"invited-position": "Invited position", "peer-review": "Peer review",
                 "research-resource": "Research resource"}


def _child(elem: ET.Element | None, name: str) -> ET.Element | None:
    if elem is None:
        return None
    return next((c for c in elem if local_name(c.tag) == name), None)


def _text(elem: ET.Element | None, *path: str) -> str:
    for name in path:
        elem = _child(elem, name)
    return (elem.text or "").strip() if elem is not None and elem.text else ""


def _date(elem: ET.Element | None) -> str:
    """A fuzzy date as ORCID writes it: 2019, 2019-05 or 2019-05-17."""
    if elem is None:
        return ""
    parts = [_text(elem, p) for p in ("year", "month", "day")]
    return "-".join(p for p in parts if p)


def _external_ids(body: ET.Element, container: str = "external-ids") -> list[dict]:
    out = []
    for ext in grouping.external_ids(body, container):
        id_type, value, relationship = grouping.id_fields(ext)
        out.append({"type": id_type, "value": value, "relationship": relationship,
                    "url": _text(ext, "external-id-url")})
    return out


def _words(value: str) -> str:
    return value.replace("-", " ").replace("_", " ").capitalize() if value else ""


def _org(org: ET.Element | None) -> str:
    if org is None:
        return ""
    place = ", ".join(p for p in (_text(org, "address", "city"), _text(org, "address", "region"),
                                  _text(org, "address", "country")) if p)
    name = _text(org, "name")
    return "%s: %s" % (name, place) if name and place else name or place


def source_name(item: Item, record: Record) -> str:
    if item.source.client_id:
        return item.source.name or item.source.client_id
    if item.source.orcid == record.orcid:
        return record.display_name
    return item.source.name or item.source.orcid or "ORCID"


def _activity(item: Item, record: Record) -> dict:
    section = sections.BY_NAME[item.section]
    body = item.body
    name = item.section
    title = section_item_title(section, body) or ""
    details: list[str] = []
    start = end = when = ""
    ids_container = "external-ids"
    if name == "work":
        details = [_words(_text(body, "type")), _text(body, "journal-title")]
        when = _date(_child(body, "publication-date"))
        subtitle = _text(body, "title", "subtitle")
        if subtitle:
            title = "%s: %s" % (title, subtitle) if title else subtitle
    elif name == "funding":
        details = [_words(_text(body, "type")), _org(_child(body, "organization"))]
        start, end = _date(_child(body, "start-date")), _date(_child(body, "end-date"))
    elif section.grouping == "affiliation-group":
        details = [_text(body, "role-title"), _text(body, "department-name"),
                   _org(_child(body, "organization"))]
        start, end = _date(_child(body, "start-date")), _date(_child(body, "end-date"))
    elif name == "peer-review":
        details = [_words(_text(body, "reviewer-role")), _words(_text(body, "review-type")),
                   _org(_child(body, "convening-organization"))]
        when = _date(_child(body, "review-completion-date"))
        ids_container = "review-identifiers"
        title = title or _text(body, "review-group-id")
    elif name == "research-resource":
        proposal = _child(body, "proposal")
        hosts = _child(proposal, "hosts")
        details = [_org(org) for org in (hosts if hosts is not None else [])]
        start = _date(_child(proposal, "start-date"))
        end = _date(_child(proposal, "end-date"))
        body = proposal if proposal is not None else body
    return _entry(item, record, title, details, start, end, when,
                  _external_ids(body, ids_container))


def _entry(item, record, title, details, start, end, when, ids) -> dict:
    if start or end:
        when = "%s to %s" % (start or "?", end or "present")
    return {"section": item.section, "section_words": SECTION_WORDS.get(
                item.section, _words(item.section)),
            "put_code": item.put_code, "title": title or "(untitled)",
            "details": [d for d in details if d], "date": when, "external_ids": ids,
            "source": source_name(item, record), "source_client": item.source.client_id,
            "visibility": item.visibility, "created": item.created,
            "last_modified": item.last_modified, "sort_date": start or when or ""}


def _groups(items: list[Item], record: Record, peer_review: bool) -> list[list[dict]]:
    if peer_review:
        # ORCID groups peer reviews by their review group (the journal, the funder...) first.
        def keys(item):
            return [(("review-group-id", _text(item.body, "review-group-id")), None)]
    else:
        def keys(item):
            return grouping.group_keys(item.body)
    groups = grouping.group(items, keys)
    out = []
    for members in groups:
        members.sort(key=lambda i: (-i.display_index, i.created))
        out.append([_activity(i, record) for i in members])
    # newest first, then title (ORCID's default sort on the record page)
    out.sort(key=lambda g: g[0]["title"].casefold())
    out.sort(key=lambda g: g[0]["sort_date"], reverse=True)
    return out


def _person_item(item: Item, record: Record) -> dict:
    body = item.body
    name = item.section
    url = ""
    if name == "researcher-urls":
        url = _text(body, "url")
        text = _text(body, "url-name") or url
    elif name == "external-identifiers":
        text = "%s: %s" % (_text(body, "external-id-type"), _text(body, "external-id-value"))
        url = _text(body, "external-id-url")
    elif name == "address":
        text = _text(body, "country")
    else:
        text = _text(body, "content")
    return {"section": name, "put_code": item.put_code, "text": text or "(empty)", "url": url,
            "source": source_name(item, record), "visibility": item.visibility,
            "section_words": _words(name)}


def build(registry, record: Record, owner: bool) -> dict:
    """The page's content. Call with the registry lock held: it reads the record's items."""
    def shown(items):
        items = sorted(items, key=lambda i: i.put_code)
        return items if owner else [i for i in items if i.visibility == "public"]

    name_shown = owner or record.name_visibility == "public"
    bio_shown = owner or record.biography_visibility == "public"
    other_names = [_person_item(i, record)
                   for i in shown(record.section_items("other-names").values())]
    emails = [e for e in record.emails if owner or (e.visibility == "public" and e.verified)]
    person = []
    for heading, html_id, section_name in PERSON_PANELS:
        entries = [_person_item(i, record)
                   for i in shown(record.section_items(section_name).values())]
        person.append({"heading": heading, "id": html_id, "entries": entries})
    activities = []
    for heading, html_id, names in ACTIVITY_PANELS:
        items = [i for n in names for i in shown(record.section_items(n).values())]
        groups = _groups(items, record, peer_review=(names == ("peer-review",)))
        activities.append({"heading": heading, "id": html_id, "groups": groups,
                           "count": len(groups)})
    has_public = any(p["entries"] for p in person) or any(a["groups"] for a in activities) \
        or bool(other_names) or (bio_shown and record.biography) or bool(emails)
    return {
        "orcid": record.orcid, "owner": owner,
        "name": record.display_name if name_shown else None,
        "given_names": record.given_names if name_shown else None,
        "family_name": record.family_name if name_shown else None,
        "credit_name": record.credit_name if name_shown else None,
        "name_visibility": record.name_visibility,
        "biography": record.biography if bio_shown else None,
        "biography_visibility": record.biography_visibility,
        "other_names": other_names, "emails": emails, "person": person,
        "activities": activities, "has_content": has_public,
        "default_visibility": record.default_visibility,
        "last_modified": record.last_modified, "state": record.state,
    }


def utc(dt: datetime | None) -> str:
    return dt.strftime("%Y-%m-%d %H:%M UTC") if dt else ""
