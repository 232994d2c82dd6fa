"""Checks ORCID makes in code beyond its XSD (facts §4.4), each with ORCID's error code."""
from __future__ import annotations

import datetime
import re
import sys
from xml.etree import ElementTree as ET

from . import duplicates, group_ids, grouping, vocabularies
from .errors import OrcidError
from .namespaces import NS, local_name

C = "{%s}" % NS["common"]
W = "{%s}" % NS["work"]
RR = "{%s}" % NS["research-resource"]
PR = "{%s}" % NS["peer-review"]

KNOWN_ID_TYPES = frozenset(vocabularies.EXTERNAL_ID_TYPES)
CREDIT_ROLES = frozenset(vocabularies.CREDIT_ROLES)
# What Java's Double.parseDouble reads (ORCID's amount check): NaN and Infinity included.
# Digits, then an optional fraction: one way to read each string, so a long failing amount is
# refused in linear time (``\d+\.?\d*`` split a digit run every possible way first).
JAVA_DOUBLE = re.compile(r"^[+-]?(NaN|Infinity|(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?[fFdD]?)$")
FUZZY_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def _text(node: ET.Element | None) -> str:
    return (node.text or "").strip() if node is not None and node.text else ""


def invalid(message: str) -> OrcidError:
    """ORCID's OrcidValidationException: 400 9020 "Invalid incoming message"."""
    return OrcidError(9020, message, user_message="Invalid incoming message.")


def check_work(work: ET.Element, registry=None) -> None:
    """ActivityValidator.validateWork, in ORCID's order. (Its contributor checks are left out:
    ORCID's XSD already refuses empty credit names and malformed contributor iDs.)"""
    title = work.find(W + "title/" + C + "title")
    if not _text(title):
        raise OrcidError(9022, "The work has no title: work/title/title is required and must "
                         "not be empty")
    check_translated_title(work.find(W + "title"), "work")
    check_fuzzy_date(work.find(C + "publication-date"), "publication-date")
    citation = work.find(W + "citation")
    if citation is not None and not _text(citation.find(W + "citation-value")):
        raise invalid("Please specify a citation or remove the parent tag "
                      "(work:citation/work:citation-value is empty)")
    check_external_ids(work, "work", need_self=True, required=True)
    check_contributor_roles(work, W + "contributor-role", vocabularies.WORK_CONTRIBUTOR_ROLES)


def check_contributor_roles(item: ET.Element, tag: str, legacy: tuple) -> None:
    """ORCID's role converter, when the item is stored: one of its own role values (or their
    enum names), or a CRediT role URI compared ignoring case; anything else is 400 9058."""
    names = {r.upper().replace("-", "_") for r in legacy}
    for node in item.iter(tag):
        role = node.text or ""
        if role in legacy or role in names or role.lower() in CREDIT_ROLES:
            continue
        raise OrcidError(9058, "Invalid contributor role: '%s'. Expected one of %s"
                         % (role, ", ".join(legacy + vocabularies.CREDIT_ROLES)),
                         user_message="Invalid contributor role.")


def check_translated_title(title: ET.Element | None, what: str) -> None:
    translated = title.find(C + "translated-title") if title is not None else None
    if translated is not None and not _text(translated) and translated.get("language-code"):
        raise invalid("Please specify a translated title or remove the language code (%s "
                      "common:translated-title is empty)" % what)


def check_external_ids(item: ET.Element, what: str, need_self: bool = False,
                       version_of_needs_self: bool = False, required: bool = False,
                       container: str = "external-ids") -> None:
    """ExternalIDValidator: each id has a known type, a value and a relationship; a work needs
    a self id; a version-of id needs a self id beside it. Every problem is named (9023)."""
    ids = grouping.external_ids(item, container)
    if required and not ids:
        raise OrcidError(9023, "Invalid activity, an external identifier is required: the %s "
                         "has no external-id" % what)
    problems = _id_problems(ids)
    rels = {grouping.id_fields(ext)[2] for ext in ids}
    if need_self and "self" not in rels:
        problems.append("at least one identifier with 'self' relationship is required")
    if version_of_needs_self and "version-of" in rels and "self" not in rels:
        problems.append("version-of requires at least one self identifier")
    _raise_id_problems(problems, "the " + what)


def check_one_id(ext: ET.Element, what: str) -> None:
    """validateWorkOrPeerReview: one identifier, held to the same rules (9023)."""
    _raise_id_problems(_id_problems([ext]), what)


def _id_problems(ids: list[ET.Element]) -> list[str]:
    problems = []
    for ext in ids:
        id_type, value, rel = grouping.id_fields(ext)
        if id_type not in KNOWN_ID_TYPES:
            problems.append("unknown external-id-type '%s'" % id_type)
        if not value:
            problems.append("empty external-id-value for type '%s'" % id_type)
        if not rel:
            problems.append("missing external-id-relationship for type '%s'" % id_type)
    return problems


def _raise_id_problems(problems: list[str], what: str) -> None:
    if problems:
        unknown = any(p.startswith("unknown") for p in problems)
        raise OrcidError(9023, "Invalid external-id on %s: %s%s" % (
            what, "; ".join(problems),
            " (known types: %s)" % ", ".join(sorted(KNOWN_ID_TYPES)) if unknown else ""))


def check_fuzzy_date(date: ET.Element | None, where: str) -> None:
    """ORCID parses year, year-month or year-month-day strictly (so 2021-02-30 is refused)."""
    if date is None:
        return
    parts = {local_name(c.tag): _text(c) for c in date}
    text = "-".join(p for p in (parts.get("year"), parts.get("month"), parts.get("day")) if p)
    if parts.get("day") and not parts.get("month"):
        text = "%s-null-%s" % (parts.get("year"), parts.get("day"))
    ok = bool(FUZZY_DATE.match(text))
    if ok:
        try:
            y, m, d = (int(x) for x in (text.split("-") + ["1", "1"])[:3])
            datetime.date(y, m, d)
        except ValueError:
            ok = False
    if not ok:
        raise OrcidError(9049, "invalid date: %s (common:%s)" % (text, where),
                         user_message="Invalid date")


def self_ids(item: ET.Element, normalised: bool = True) -> set[tuple[str, str]]:
    """The ids that make two items from one source duplicates (facts §6.4)."""
    keys = set()
    for ext in grouping.external_ids(item):
        id_type, value, rel = grouping.id_fields(ext)
        if rel in ("self", "") and value:
            keys.add((id_type, (grouping.normalise(id_type, value) or value) if normalised else value))
    return keys


ORG_SOURCES = ("RINGGOLD", "FUNDREF", "ROR", "GRID", "LEI")


def _child(elem: ET.Element, local: str) -> ET.Element | None:
    return next((c for c in elem if local_name(c.tag) == local), None)


def _date_tuple(date: ET.Element | None):
    if date is None:
        return None
    return tuple(int(_text(date.find(C + p)) or 0) for p in ("year", "month", "day"))


def check_org(org: ET.Element | None, what: str) -> None:
    """validateDisambiguatedOrg: an organisation (9046) with a disambiguated id (9045)."""
    if org is None:
        raise OrcidError(9046, "The %s needs an organization" % what)
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
    check_fuzzy_date(end, "end-date")
    if end is not None and start is None:
        raise OrcidError(9050, "The %s has an end-date but no start-date" % what)
    check_fuzzy_date(start, "start-date")
    if start is not None and end is not None:
        a, b = _date_tuple(start), _date_tuple(end)
        # compare only the parts both dates give
        n = min(sum(1 for v in a if v), sum(1 for v in b if v))
        if a[:n] > b[:n]:
            raise OrcidError(9055, "The %s's start-date is after its end-date" % what)


# Professional activities may leave city and country out (ORCID's own read sample does).
CITY_COUNTRY_REQUIRED = ("education", "employment")


def check_affiliation(item: ET.Element, registry=None) -> None:
    """validateAffiliation: organisation and dates; ORCID does not check affiliation ids."""
    what = local_name(item.tag)
    org = _child(item, "organization")
    if what in CITY_COUNTRY_REQUIRED and org is not None:
        address = org.find(C + "address")
        if address is None or not _text(address.find(C + "city")) \
                or not _text(address.find(C + "country")):
            raise OrcidError(9060, "The %s's organization needs both a city and a country" % what)
    check_org(org, what)
    check_dates(item, what)


def check_funding(item: ET.Element, registry=None) -> None:
    """validateFunding, in ORCID's order."""
    title = _child(item, "title")
    if not _text(title.find(C + "title") if title is not None else None):
        raise OrcidError(9022, "The funding has no title: funding/title/title is required and "
                         "must not be empty")
    check_external_ids(item, "funding", required=True)
    amount = _child(item, "amount")
    if amount is not None:
        if not _text(amount):
            raise invalid("Please specify an amount or remove the amount tag (funding:amount)")
        if not JAVA_DOUBLE.match(_text(amount)):
            raise OrcidError(9054, "invalid amount '%s' (funding:amount)" % _text(amount),
                             user_message="This does not appear to be a valid funding amount")
    check_org(_child(item, "organization"), "funding")
    check_dates(item, "funding")
    check_contributor_roles(item, "{%s}contributor-role" % NS["funding"],
                            vocabularies.FUNDING_CONTRIBUTOR_ROLES)


def check_research_resource(item: ET.Element, registry=None) -> None:
    """validateResearchResource: ids on the proposal and on every resource item, hosts."""
    proposal = _child(item, "proposal")
    check_external_ids(proposal, "research-resource proposal", version_of_needs_self=True,
                       required=True)
    check_hosts(proposal, "research-resource proposal")
    check_dates(item, "research-resource", proposal)
    for resource in item.iter(RR + "resource-item"):
        check_external_ids(resource, "research-resource item", version_of_needs_self=True,
                           required=True)
        check_hosts(resource, "research-resource item")


def check_hosts(elem: ET.Element, what: str) -> None:
    hosts = elem.find(RR + "hosts")
    orgs = hosts.findall(C + "organization") if hosts is not None else []
    if not orgs:
        check_org(None, what)
    for org in orgs:
        check_org(org, what)


def check_peer_review(review: ET.Element, registry) -> None:
    """validatePeerReview, then the group id: it must name a group-id-record, except issn: ones
    ORCID creates itself."""
    check_external_ids(review, "peer-review", version_of_needs_self=True, required=True,
                       container="review-identifiers")
    subject = review.find(PR + "subject-external-identifier")
    if subject is not None:
        check_one_id(subject, "the peer-review subject")
    check_org(_child(review, "convening-organization"), "peer-review")
    check_fuzzy_date(review.find(PR + "completion-date"), "completion-date")
    gid = _text(review.find(PR + "review-group-id"))
    if registry is None or registry.group_ids.by_group_id(gid) is not None:
        return
    if gid.lower().startswith("issn:"):
        group_ids.check_issn(gid)     # ORCID creates it on store, if the ISSN is real
        return
    raise OrcidError(9020, "The review-group-id '%s' does not exist; create it first with "
                     "POST /v3.0/group-id-record" % gid)


def create_issn_group(review: ET.Element, registry) -> None:
    """ORCID creates an issn: group it does not know yet, once the peer review is stored (a
    refused review leaves no group behind)."""
    gid = _text(review.find(PR + "review-group-id"))
    if gid.lower().startswith("issn:") and registry.group_ids.by_group_id(gid) is None:
        registry.group_ids.ensure_issn(gid)


def check_keyword(item: ET.Element, registry=None) -> None:
    if not _text(_child(item, "content")):
        raise invalid("Keyword cannot be null (keyword:content is empty)")


def check_researcher_url(item: ET.Element, registry=None) -> None:
    url = _text(_child(item, "url"))
    if not url:
        raise invalid("Url field must not be empty (researcher-url:url)")
    if len(url) > URL_MAX_LENGTH:
        raise invalid("Url field must not be longer than %d characters" % URL_MAX_LENGTH)
    name = _text(_child(item, "url-name"))
    if len(name) > URL_MAX_LENGTH:
        raise invalid("Url name must not be longer than %d characters" % URL_MAX_LENGTH)


def check_person_external_identifier(item: ET.Element, registry=None) -> None:
    """PersonValidator: a person's identifier names a type and value (each <= 255), a URL, and
    is always the person's own (relationship self)."""
    for name, label in (("external-id-type", "Common name"), ("external-id-value", "Reference")):
        text = _text(item.find(C + name))
        if not text:
            raise invalid("%s field must not be empty (common:%s)" % (label, name))
        if len(text) > 255:
            raise invalid("%s field must not be longer than 255 characters (common:%s)"
                          % (label, name))
    if _text(item.find(C + "external-id-relationship")) != "self":
        raise invalid("Relationship field should be self for person identifiers "
                      "(common:external-id-relationship)")
    url = _text(item.find(C + "external-id-url"))
    if not url:
        raise invalid("Url field must not be empty (common:external-id-url)")
    if len(url) > URL_MAX_LENGTH:
        raise invalid("Url must not be longer than %d characters" % URL_MAX_LENGTH)


URL_MAX_LENGTH = 2000


def check_notification_items(notification: ET.Element) -> None:
    """validateNotificationItems: an item's external id, when typed, must be a known type with a
    value (9023)."""
    for ext in notification.iter(C + "external-id"):
        if grouping.id_fields(ext)[0]:
            check_one_id(ext, "a notification item")



def check(section, body: ET.Element, registry=None) -> None:
    """The section's own rules (its row in the section table); the values ORCID checks while
    reading a body (field_values, 9051) have run already."""
    if section.validate:
        section.validate(body, registry)


def person_value(body: ET.Element) -> tuple:
    """What makes two person items from one source the same (facts §6.4)."""
    return tuple(_text(c) for c in body if local_name(c.tag) not in
                 ("created-date", "last-modified-date", "source", "url-name",
                  "external-id-relationship"))


def duplicate_keys(section, body: ET.Element, source) -> tuple:
    """The duplicate-index keys (registry.duplicates) of an item with this body and source."""
    who = duplicates.source_key(source)
    if section.kind == "person":
        return ((who, person_value(body)),)
    # ORCID compares funding ids as sent, everything else normalised.
    ids = self_ids(body, normalised=section.name != "funding")
    return tuple(sorted((who, sys.intern(id_type), value) for id_type, value in ids))


def duplicate_check(section, source):
    """A registry ``check`` hook: same source + an equal self id -> 409 9021; the same person
    element twice from one source -> 409 9030 (facts §6.4). Looked up in the record's index,
    so its cost does not grow with the record."""
    def run(record, body, updating):
        other = duplicates.find(record, section.name, duplicate_keys(section, body, source),
                                updating, lambda item: duplicate_keys(section, item.body,
                                                                      item.source))
        if other is None:
            return
        if section.kind == "person":
            mine = person_value(body)
            raise OrcidError(9030, "The element '%s' of type '%s' is duplicated: it is "
                             "already on the record with put-code %s"
                             % (" ".join(v for v in mine if v), section.element, other))
        raise OrcidError(9021, "You have already added this %s (matched by external "
                         "identifiers); see the item with put-code %s. To change it, "
                         "PUT to that put-code instead of POSTing a new one"
                         % (section.name, other))
    return run
