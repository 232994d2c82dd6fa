"""Record-level reads: name, biography, emails, person, personal-details, history, record.

These are built from the Record's own fields plus the visible person-section items, and laid
out in the schema's element order so one helper serves every container.
"""
from __future__ import annotations

from xml.etree import ElementTree as ET

from ..registry import sections
from ..registry.model import Record
from ..registry.namespaces import NS, qn
from ..registry.visibility import Reader
from . import schemas
from .render import C, Renderer, _ordered_views, _sub, iso, materialize

BIO_READ = "/orcid-bio/read-limited"


def field_visible(visibility: str, reader: Reader, read_scope: str = BIO_READ) -> bool:
    """Name, biography and emails have no client source: only the researcher writes them."""
    if reader.public_api:
        return visibility == "public"
    if visibility == "public" and "/read-public" in reader.scopes:
        return True
    return visibility in ("limited", "registered-only") and read_scope in reader.scopes


def _ordered(tag: str, attrs: dict, children: list[ET.Element]) -> ET.Element:
    elem = ET.Element(tag, attrs)
    by_tag = {c.tag: c for c in children}
    for decl in schemas.element_decl(tag).type.content.iter_elements():
        if decl.name in by_tag:
            elem.append(by_tag[decl.name])
    return elem


def _latest(children: list[ET.Element]):
    dates = [c.findtext(C + "last-modified-date") for c in children]
    dates = [d for d in dates if d]
    if dates:
        node = ET.Element(C + "last-modified-date")
        node.text = max(dates)
        return node
    return None


class RecordRenderer:
    """``fast``: keep rendered items as Fragments (for the web layer's writers); otherwise
    every method returns a plain tree."""

    def __init__(self, renderer: Renderer, fast: bool = False):
        self.r = renderer
        self.fast = fast

    def _done(self, elem: ET.Element) -> ET.Element:
        return elem if self.fast else materialize(elem)

    def name(self, record: Record, reader: Reader, tag: str | None = None) -> ET.Element | None:
        if not field_visible(record.name_visibility, reader):
            return None
        tag = tag or qn("personal-details", "name")
        # ORCID's name path is the bare iD (record-full-3.0.json), not a URL path.
        elem = ET.Element(tag, {"visibility": record.name_visibility, "path": record.orcid})
        _sub(elem, C + "created-date", iso(record.created))
        _sub(elem, C + "last-modified-date", iso(record.created))
        for local, value in (("given-names", record.given_names), ("family-name", record.family_name),
                             ("credit-name", record.credit_name)):
            if value:
                _sub(elem, qn("personal-details", local), value)
        return elem

    def biography(self, record: Record, reader: Reader, tag: str | None = None) -> ET.Element | None:
        if not record.biography or not field_visible(record.biography_visibility, reader):
            return None
        elem = ET.Element(tag or qn("personal-details", "biography"),
                          {"visibility": record.biography_visibility,
                           "path": "/%s/biography" % record.orcid})
        _sub(elem, C + "created-date", iso(record.created))
        _sub(elem, C + "last-modified-date", iso(record.created))
        _sub(elem, qn("personal-details", "content"), record.biography)
        return elem

    def emails(self, record: Record, reader: Reader) -> ET.Element:
        private_ok = "/email/read-private" in reader.scopes and not reader.public_api
        elem = ET.Element(qn("email", "emails"), {"path": "/%s/email" % record.orcid})
        shown = [e for e in record.emails if e.verified and (
            private_ok or field_visible(e.visibility, reader))]
        if shown:
            _sub(elem, C + "last-modified-date", iso(max(e.last_modified for e in shown)))
        for e in shown:
            node = _sub(elem, qn("email", "email"), visibility=e.visibility,
                        primary=str(e.primary).lower(), verified=str(e.verified).lower())
            _sub(node, C + "created-date", iso(e.created))
            _sub(node, C + "last-modified-date", iso(e.last_modified))
            src = _sub(node, C + "source")
            self.r.orcid_identifier(src, C + "source-orcid", record.orcid)
            # ORCID names a researcher source only by a public name (SourceNameCacheManager's
            # fetchDisplayablePublicName); a limited or private name is left out everywhere.
            if record.name_visibility == "public" and record.display_name:
                _sub(src, C + "source-name", record.display_name)
            _sub(node, qn("email", "email"), e.email)
        return elem

    def person_lists(self, record: Record, visible_items) -> dict[str, ET.Element]:
        """Person-section lists keyed by section name; ``visible_items(section)`` filters."""
        return {s.name: self._done(self.r.section_list(record, s, visible_items(s), fast=True))
                for s in sections.PERSON}

    def personal_details(self, record: Record, reader: Reader, visible_items) -> ET.Element:
        children = [c for c in (
            self.name(record, reader),
            self.r.section_list(record, sections.BY_NAME["other-names"],
                                visible_items(sections.BY_NAME["other-names"]), fast=True),
            self.biography(record, reader)) if c is not None]
        latest = _latest(children)
        return self._done(_ordered(qn("personal-details", "personal-details"),
                                   {"path": "/%s/personal-details" % record.orcid},
                                   ([latest] if latest is not None else []) + children))

    def person(self, record: Record, reader: Reader, visible_items) -> ET.Element:
        return self._done(self._person(record, reader, visible_items))

    def _person(self, record: Record, reader: Reader, visible_items) -> ET.Element:
        lists = {s.name: self.r.section_list(record, s, visible_items(s), fast=True)
                 for s in sections.PERSON}
        children = [c for c in (self.name(record, reader, qn("person", "name")),
                                self.biography(record, reader, qn("person", "biography")),
                                self.emails(record, reader)) if c is not None]
        children += lists.values()
        latest = _latest(children)
        return _ordered(qn("person", "person"), {"path": "/%s/person" % record.orcid},
                        ([latest] if latest is not None else []) + children)

    def history(self, record: Record) -> ET.Element:
        elem = ET.Element(qn("history", "history"), {"visibility": "private"})
        _sub(elem, qn("history", "creation-method"), "API" if record.created_by_client else "Direct")
        _sub(elem, qn("history", "submission-date"), iso(record.created))
        _sub(elem, C + "last-modified-date", iso(record.last_modified))
        _sub(elem, qn("history", "claimed"), "false" if record.state == "unclaimed" else "true")
        _sub(elem, qn("history", "verified-email"), "true")
        _sub(elem, qn("history", "verified-primary-email"), "true")
        return elem

    def record(self, record: Record, reader: Reader, visible_items, activities: ET.Element) -> ET.Element:
        ident = self.r.orcid_identifier(None, C + "orcid-identifier", record.orcid)
        prefs = ET.Element(qn("preferences", "preferences"))
        _sub(prefs, qn("preferences", "locale"), "en")
        person = self._person(record, reader, visible_items)
        return self._done(_ordered(qn("record", "record"), {"path": "/%s" % record.orcid},
                                   [ident, prefs, self.history(record), person, activities]))


S = "{%s}" % NS["summary"]
AFFILIATION_GROUPS = (
    ("employments", "employment", ("employment",)),
    ("professional-activities", "professional-activity",
     ("distinction", "invited-position", "membership", "service")),
    ("education-qualifications", "education-qualification", ("education", "qualification")),
)
# ORCID's summary schema spells this one "invited-postition".
SUMMARY_TYPE_NAMES = {"invited-position": "invited-postition"}


def record_summary(rr: RecordRenderer, record: Record, visible_items) -> ET.Element:
    """GET /{orcid}/summary: counts and short affiliation lines (member API only)."""
    from ..registry import grouping
    elem = ET.Element(S + "record-summary")
    _sub(elem, C + "created-date", iso(record.created))
    _sub(elem, C + "last-modified-date", iso(record.last_modified))
    if record.credit_name and record.name_visibility == "public":
        _sub(elem, S + "credit-name", record.credit_name)
    rr.r.orcid_identifier(elem, C + "orcid-identifier", record.orcid)
    ext_ids = visible_items(sections.BY_NAME["external-identifiers"])
    if ext_ids:
        box = _sub(elem, S + "external-identifiers")
        for item in ext_ids:
            node = _sub(box, S + "external-identifier")
            _sub(node, S + "put-code", item.put_code)
            body = item.body
            id_type, value, _rel = grouping.id_fields(body)
            _sub(node, S + "external-id-type", id_type)
            if value:
                _sub(node, S + "external-id-value", value)
            url = body.findtext(C + "external-id-url")
            if url:
                _sub(node, S + "external-id-url", url.strip())
            _sub(node, S + "validated", "true" if item.source.client_id else "false")
    for box_name, entry_name, names in AFFILIATION_GROUPS:
        items = [i for n in names for i in visible_items(sections.BY_NAME[n])]
        if not items:
            continue
        box = _sub(elem, S + box_name)
        _sub(box, S + "count", len(items))
        for item in items:
            node = _sub(box, S + entry_name)
            _sub(node, S + "put-code", item.put_code)
            _sub(node, S + "type", SUMMARY_TYPE_NAMES.get(item.section, item.section))
            body = item.body
            org = body.findtext(C + "organization/" + C + "name") or "unknown"
            _sub(node, S + "organization-name", org.strip())
            _sub(node, S + "role", (body.findtext(C + "role-title") or org).strip())
            url = body.findtext(C + "url")
            if url:
                _sub(node, S + "url", url.strip())
            for tag in ("start-date", "end-date"):
                date = body.find(C + tag)
                if date is not None:
                    node.append(date)
            _sub(node, S + "validated", "false")

    def counts(box_name, section_name):
        items = visible_items(sections.BY_NAME[section_name])
        groups = _ordered_views([rr.r.view(record.orcid, i) for i in items])
        validated = sum(1 for g in groups if any(v.item.source.client_id for v in g))
        box = _sub(elem, S + box_name)
        _sub(box, S + "self-asserted-count", len(groups) - validated)
        _sub(box, S + "validated-count", validated)

    counts("fundings", "funding")
    counts("works", "work")
    reviews = visible_items(sections.BY_NAME["peer-review"])
    box = _sub(elem, S + "peer-reviews")
    _sub(box, S + "peer-review-publication-grants",
         len({rr.r.view(record.orcid, i).review_group for i in reviews}))
    _sub(box, S + "total", len(reviews))
    counts("research-resources", "research-resource")
    domains = sorted({e.email.split("@", 1)[1] for e in record.emails
                      if e.verified and e.visibility == "public" and "@" in e.email})
    if domains:
        box = _sub(elem, S + "email-domains")
        _sub(box, S + "count", len(domains))
        for domain in domains:
            _sub(_sub(box, S + "email-domain"), S + "value", domain)
    return _ordered(elem.tag, {}, list(elem))


# What an anonymous caller of the public API is: the listener that fills ORCID's sync buckets
# reads with a /read-public token, which sees exactly this.
PUBLIC_READER = Reader(client_id=None, scopes=frozenset({"/read-public"}), public_api=True)


def public_record(rr: RecordRenderer, record: Record, public_items) -> ET.Element:
    """GET /pub/v3.0/{orcid}/record: ``public_items(section)`` gives a section's public items
    in put-code order. The public API groups only what it shows."""
    activities = rr.r.activities_summary(record, [(s, public_items(s), None)
                                                  for s in sections.ACTIVITIES])
    return rr.record(record, PUBLIC_READER, public_items, activities)
