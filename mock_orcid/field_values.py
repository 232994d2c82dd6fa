"""Values ORCID checks while it reads a body, before any section rule runs.

ORCID's XSDs leave these fields as plain strings; its model parses them into Java enums, and an
unknown value stops the request with 400 9051 (orcid-model's enum adapters). Contributor roles
are plain strings there and are checked when the item is stored: 400 9058.
"""
from __future__ import annotations

from xml.etree import ElementTree as ET

from . import vocabularies as v
from .errors import OrcidError
from .namespaces import local_name, prefix_of, qn

_ENUM = "org.orcid.jaxb.model.common."

# element (Clark name) -> (ORCID's enum class, accepted values)
ENUM_ELEMENTS = {
    qn("work", "type"): ("WorkType", v.WORK_TYPES),
    qn("common", "language-code"): ("LanguageCode", v.LANGUAGE_CODES),
    qn("common", "country"): ("Iso3166Country", v.COUNTRIES),
    qn("address", "country"): ("Iso3166Country", v.COUNTRIES),
    qn("work", "citation-type"): ("CitationType", v.CITATION_TYPES),
    qn("work", "contributor-sequence"): ("SequenceType", v.SEQUENCES),
    qn("common", "contributor-sequence"): ("SequenceType", v.SEQUENCES),
    qn("funding", "type"): ("FundingType", v.FUNDING_TYPES),
    qn("common", "external-id-relationship"): ("Relationship", v.RELATIONSHIPS),
    qn("peer-review", "reviewer-role"): ("Role", v.REVIEWER_ROLES),
    qn("peer-review", "review-type"): ("PeerReviewType", v.REVIEW_TYPES),
    qn("peer-review", "subject-type"): ("PeerReviewSubjectType", v.PEER_REVIEW_SUBJECT_TYPES),
    qn("research-resource", "resource-type"): ("ResourceType", v.RESOURCE_TYPES),
}

# (element, attribute) -> (enum class, accepted values)
ENUM_ATTRIBUTES = {
    (qn("common", "translated-title"), "language-code"): ("LanguageCode", v.LANGUAGE_CODES),
    (qn("funding", "amount"), "currency-code"): ("java.util.Currency", v.CURRENCIES),
}

# Elements whose old names ORCID reads and stores under the current one.
ALIASES = {
    qn("work", "type"): v.WORK_TYPE_ALIASES,
    qn("peer-review", "subject-type"): v.WORK_TYPE_ALIASES,
}

CONTRIBUTOR_ROLES = {
    qn("work", "contributor-role"): v.WORK_CONTRIBUTOR_ROLES,
    qn("funding", "contributor-role"): v.FUNDING_CONTRIBUTOR_ROLES,
}

_SETS = {}


def _accepts(values: tuple, value: str) -> bool:
    accepted = _SETS.get(id(values))
    if accepted is None:
        accepted = _SETS[id(values)] = frozenset(values)
    return value in accepted


def _where(elem: ET.Element, attribute: str | None = None) -> str:
    name = "%s:%s" % (prefix_of(elem.tag), local_name(elem.tag))
    return name + ("/@" + attribute if attribute else "")


def _illegal(value: str, enum: str, values: tuple, where: str) -> OrcidError:
    cls = enum if "." in enum else _ENUM + enum
    return OrcidError(9051, "invalid value '%s' for enum '%s' (field %s; valid values: %s)"
                      % (value, cls, where, ", ".join(values)),
                      user_message="Invalid value for type.")


def _role_ok(value: str, legacy: tuple) -> bool:
    if value in legacy or value in {r.upper().replace("-", "_") for r in legacy}:
        return True
    return value.lower() in v.CREDIT_ROLES


def check(body: ET.Element) -> None:
    """Raise ORCID's error for the first field whose value ORCID would not accept; rewrite old
    aliases (``dataset`` -> ``data-set``) as ORCID stores them."""
    for elem in body.iter():
        tag = elem.tag
        rule = ENUM_ELEMENTS.get(tag)
        if rule is not None:
            value = elem.text or ""
            aliases = ALIASES.get(tag)
            if aliases and value in aliases:
                elem.text = value = aliases[value]
            if not _accepts(rule[1], value):
                raise _illegal(value, rule[0], rule[1], _where(elem))
        if elem.attrib:
            for name, value in elem.attrib.items():
                rule = ENUM_ATTRIBUTES.get((tag, name))
                if rule is not None and not _accepts(rule[1], value):
                    raise _illegal(value, rule[0], rule[1], _where(elem, name))
        legacy = CONTRIBUTOR_ROLES.get(tag)
        if legacy is not None and not _role_ok(elem.text or "", legacy):
            raise OrcidError(9058, "Invalid contributor role: %s. Expected one of %s"
                             % (elem.text or "", ", ".join(legacy + v.CREDIT_ROLES)),
                             user_message="Invalid contributor role.")
