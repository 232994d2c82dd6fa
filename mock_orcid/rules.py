"""Checks ORCID makes in code beyond its XSD (facts §4.4), each with ORCID's error code."""
from __future__ import annotations

from xml.etree import ElementTree as ET

from . import grouping
from .errors import OrcidError
from .namespaces import NS, local_name

C = "{%s}" % NS["common"]
W = "{%s}" % NS["work"]

# In ORCID's WorkType enum order, which is also its sort order for work types.
WORK_TYPE_ORDER = tuple("""
annotation artistic-performance blog-post book-chapter book-review book cartographic-material
clinical-study conference-abstract conference-output conference-paper conference-poster
conference-presentation conference-proceedings data-management-plan data-set design
dictionary-entry disclosure dissertation-thesis edited-book encyclopedia-entry image invention
journal-article journal-issue learning-object lecture-speech license magazine-article manual
moving-image musical-composition newsletter-article newspaper-article online-resource other patent
physical-object preprint public-speech registered-copyright report research-technique
research-tool review software sound spin-off-company standards-and-policy
supervised-student-publication technical-standard test trademark transcription translation
website working-paper undefined
""".split())
WORK_TYPES = frozenset(WORK_TYPE_ORDER)
RELATIONSHIPS = ("self", "part-of", "version-of", "funded-by")


def _text(node: ET.Element | None) -> str:
    return (node.text or "").strip() if node is not None and node.text else ""


def check_work(work: ET.Element) -> None:
    title = work.find(W + "title/" + C + "title")
    if not _text(title):
        raise OrcidError(9022, "The work has no title: work/title/title is required and must "
                         "not be empty")
    work_type = _text(work.find(W + "type"))
    if work_type not in WORK_TYPES:
        raise OrcidError(9037, "Invalid value '%s' for work/type; valid values are: %s"
                         % (work_type, ", ".join(sorted(WORK_TYPES))))
    citation = work.find(W + "citation")
    if citation is not None:
        _enum(citation, "citation-type", CITATION_TYPES, "work/citation")
    check_external_ids(work, "work")
    check_fuzzy_date(work.find(C + "publication-date"), "publication-date")


def check_external_ids(item: ET.Element, what: str, need_self: bool = True) -> None:
    ids = grouping.external_ids(item)
    has_self = False
    for ext in ids:
        id_type, value, rel = grouping.id_fields(ext)
        if not id_type or not value:
            raise OrcidError(9023, "Every external-id of the %s needs an external-id-type and a "
                             "non-empty external-id-value" % what)
        if rel not in RELATIONSHIPS:
            raise OrcidError(9023, "external-id-relationship '%s' is not one of %s"
                             % (rel, ", ".join(RELATIONSHIPS)))
        has_self = has_self or rel == "self"
    if need_self and not has_self:
        raise OrcidError(9023, "The %s needs at least one external-id with relationship 'self'"
                         % what)


def check_fuzzy_date(date: ET.Element | None, where: str) -> None:
    if date is None:
        return
    parts = {local_name(c.tag): _text(c) for c in date}
    if parts.get("day") and not parts.get("month"):
        raise OrcidError(9049, "%s has a day but no month" % where)


def self_ids(item: ET.Element, normalised: bool = True) -> set[tuple[str, str]]:
    """The ids that make two items from one source duplicates (facts §6.4)."""
    keys = set()
    for ext in grouping.external_ids(item):
        id_type, value, rel = grouping.id_fields(ext)
        if rel in ("self", "") and value:
            keys.add((id_type, (grouping.normalise(id_type, value) or value) if normalised else value))
    return keys


ORG_SOURCES = ("RINGGOLD", "FUNDREF", "ROR", "GRID", "LEI")
FUNDING_TYPES = ("grant", "contract", "award", "salary-award")
CITATION_TYPES = ("formatted-unspecified", "bibtex", "formatted-apa", "formatted-harvard",
                  "formatted-ieee", "formatted-mla", "formatted-vancouver", "formatted-chicago", "ris")
REVIEWER_ROLES = ("reviewer", "editor", "member", "chair", "organizer")
REVIEW_TYPES = ("review", "evaluation")


def _child(elem: ET.Element, local: str) -> ET.Element | None:
    return next((c for c in elem if local_name(c.tag) == local), None)


def _enum(elem: ET.Element, local: str, allowed, where: str) -> None:
    node = _child(elem, local)
    if node is not None and _text(node) not in allowed:
        raise OrcidError(9037, "Invalid value '%s' for %s/%s; valid values are: %s"
                         % (_text(node), where, local, ", ".join(allowed)))


def _date_tuple(date: ET.Element | None):
    if date is None:
        return None
    return tuple(int(_text(date.find(C + p)) or 0) for p in ("year", "month", "day"))


def check_org(item: ET.Element, what: str, container: str = "organization") -> None:
    org = _child(item, container)
    if org is None:
        return
    dis = org.find(C + "disambiguated-organization")
    if dis is None:
        raise OrcidError(9045, "The %s's organization needs a disambiguated-organization "
                         "(a RINGGOLD, FUNDREF, ROR or GRID identifier)" % what)
    source = _text(dis.find(C + "disambiguation-source"))
    if source.upper() not in ORG_SOURCES or not _text(dis.find(C + "disambiguated-organization-identifier")):
        raise OrcidError(9045, "The %s's disambiguation-source '%s' is not one of %s"
                         % (what, source, ", ".join(ORG_SOURCES)))


def check_dates(item: ET.Element, what: str, container: ET.Element | None = None) -> None:
    scope = container if container is not None else item
    start, end = scope.find(C + "start-date"), scope.find(C + "end-date")
    check_fuzzy_date(start, "start-date")
    check_fuzzy_date(end, "end-date")
    if end is not None and start is None:
        raise OrcidError(9050, "The %s has an end-date but no start-date" % what)
    if start is not None and end is not None:
        a, b = _date_tuple(start), _date_tuple(end)
        # compare only the parts both dates give
        n = min(sum(1 for v in a if v), sum(1 for v in b if v))
        if a[:n] > b[:n]:
            raise OrcidError(9055, "The %s's start-date is after its end-date" % what)


# Professional activities may leave city and country out (ORCID's own read sample does).
CITY_COUNTRY_REQUIRED = ("education", "employment")


def check_affiliation(item: ET.Element, registry=None) -> None:
    what = local_name(item.tag)
    org = _child(item, "organization")
    if what in CITY_COUNTRY_REQUIRED and org is not None:
        address = org.find(C + "address")
        if address is None or not _text(address.find(C + "city")) \
                or not _text(address.find(C + "country")):
            raise OrcidError(9060, "The %s's organization needs both a city and a country" % what)
    check_org(item, what)
    check_dates(item, what)
    check_external_ids(item, what, need_self=False)


def check_funding(item: ET.Element, registry=None) -> None:
    _enum(item, "type", FUNDING_TYPES, "funding")
    check_org(item, "funding")
    check_dates(item, "funding")
    check_external_ids(item, "funding", need_self=False)


def check_research_resource(item: ET.Element, registry=None) -> None:
    proposal = _child(item, "proposal")
    if proposal is not None:
        check_dates(item, "research-resource", proposal)
    check_external_ids(proposal if proposal is not None else item, "research-resource proposal",
                       need_self=False)


def check_peer_review(review: ET.Element, registry) -> None:
    """The review-group-id must name a group-id-record; issn: ones ORCID creates itself."""
    _enum(review, "reviewer-role", REVIEWER_ROLES, "peer-review")
    _enum(review, "review-type", REVIEW_TYPES, "peer-review")
    check_org(review, "peer-review", "convening-organization")
    gid = _text(review.find("{%s}review-group-id" % NS["peer-review"]))
    if registry is None or registry.group_ids.by_group_id(gid) is not None:
        return
    if gid.lower().startswith("issn:"):
        registry.group_ids.ensure_issn(gid)
        return
    raise OrcidError(9020, "The review-group-id '%s' does not exist; create it first with "
                     "POST /v3.0/group-id-record" % gid)


SECTION_CHECKS = {
    "work": lambda body, registry: check_work(body),
    "funding": check_funding,
    "peer-review": check_peer_review,
    "research-resource": check_research_resource,
    **{name: check_affiliation for name in ("distinction", "education", "employment",
                                            "invited-position", "membership", "qualification",
                                            "service")},
}


def check(section_name: str, body: ET.Element, registry=None) -> None:
    checker = SECTION_CHECKS.get(section_name)
    if checker:
        checker(body, registry)


def person_value(body: ET.Element) -> tuple:
    """What makes two person items from one source the same (facts §6.4)."""
    return tuple(_text(c) for c in body if local_name(c.tag) not in
                 ("created-date", "last-modified-date", "source", "url-name",
                  "external-id-relationship"))


def duplicate_check(section, source, same_source=None):
    """A registry ``check`` hook: same source + an equal self id -> 409 9021; the same person
    element twice from one source -> 409 9030 (facts §6.4)."""
    if same_source is None:
        from .registry import same_source
    def run(record, body, updating):
        if section.kind == "person":
            mine = person_value(body)
            for other in record.section_items(section.name).values():
                if other is not updating and same_source(other.source, source) \
                        and person_value(other.body) == mine:
                    raise OrcidError(9030, "The element '%s' of type '%s' is duplicated: it is "
                                     "already on the record with put-code %s"
                                     % (" ".join(v for v in mine if v), section.element, other.put_code))
            return
        # ORCID compares funding ids as sent, everything else normalised.
        normalised = section.name != "funding"
        mine = self_ids(body, normalised)
        if not mine:
            return
        for other in record.section_items(section.name).values():
            if other is updating or not same_source(other.source, source):
                continue
            if mine & self_ids(other.body, normalised):
                raise OrcidError(9021, "You have already added this %s (matched by external "
                                 "identifiers); see the item with put-code %s. To change it, "
                                 "PUT to that put-code instead of POSTing a new one"
                                 % (section.name, other.put_code))
    return run
