"""Checks ORCID makes in code beyond its XSD (facts §4.4), each with ORCID's error code."""
from __future__ import annotations

from xml.etree import ElementTree as ET

from . import grouping
from .errors import OrcidError
from .namespaces import NS, local_name

C = "{%s}" % NS["common"]
W = "{%s}" % NS["work"]

WORK_TYPES = frozenset("""
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


def self_ids(item: ET.Element) -> set[tuple[str, str]]:
    """The ids that make two items from one source duplicates (facts §6.4)."""
    keys = set()
    for ext in grouping.external_ids(item):
        id_type, value, rel = grouping.id_fields(ext)
        if rel in ("self", "") and value:
            keys.add((id_type, grouping.normalise(id_type, value) or value))
    return keys


def check_peer_review(review: ET.Element, registry) -> None:
    """The review-group-id must name a group-id-record; issn: ones ORCID creates itself."""
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
    "peer-review": check_peer_review,
}


def check(section_name: str, body: ET.Element, registry=None) -> None:
    checker = SECTION_CHECKS.get(section_name)
    if checker:
        checker(body, registry)


def duplicate_check(section, source, same_source):
    """A registry ``check`` hook: same source + an equal self id -> 409 9021 (facts §6.4)."""
    def run(record, body, updating):
        mine = self_ids(body)
        if not mine or section.kind != "activity":
            return
        for other in record.section_items(section.name).values():
            if other is updating or not same_source(other.source, source):
                continue
            if mine & self_ids(other.body):
                raise OrcidError(9021, "You have already added this %s (matched by external "
                                 "identifiers); see the item with put-code %s. To change it, "
                                 "PUT to that put-code instead of POSTing a new one"
                                 % (section.name, other.put_code))
    return run
