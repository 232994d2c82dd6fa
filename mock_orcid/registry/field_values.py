"""Values ORCID checks while it reads a body, before any put-code, record or section rule.

ORCID's XSDs leave these fields as plain strings; its model parses them into Java enums, and an
unknown value stops the request with 400 9051 (orcid-model's enum adapters).
"""
from __future__ import annotations

from xml.etree import ElementTree as ET

from . import vocabularies as v
from .errors import OrcidError
from .namespaces import local_name, prefix_of, qn

_ENUM = "org.orcid.jaxb.model.common."


def _enum(name: str, values: tuple) -> tuple[str, tuple, frozenset]:
    return (name if "." in name else _ENUM + name), values, frozenset(values)


# element (Clark name) -> (ORCID's enum class, accepted values in its order, the same as a set).
# (A work's contributor-sequence is a closed list in the XSD itself: 9001/9047 come first.)
ENUM_ELEMENTS = {
    qn("work", "type"): _enum("WorkType", v.WORK_TYPES),
    qn("common", "language-code"): _enum("LanguageCode", v.LANGUAGE_CODES),
    qn("common", "country"): _enum("Iso3166Country", v.COUNTRIES),
    qn("address", "country"): _enum("Iso3166Country", v.COUNTRIES),
    qn("work", "citation-type"): _enum("CitationType", v.CITATION_TYPES),
    qn("funding", "type"): _enum("FundingType", v.FUNDING_TYPES),
    qn("common", "external-id-relationship"): _enum("Relationship", v.RELATIONSHIPS),
    qn("peer-review", "reviewer-role"): _enum("Role", v.REVIEWER_ROLES),
    qn("peer-review", "review-type"): _enum("PeerReviewType", v.REVIEW_TYPES),
    qn("peer-review", "subject-type"): _enum("PeerReviewSubjectType", v.PEER_REVIEW_SUBJECT_TYPES),
    qn("research-resource", "resource-type"): _enum("ResourceType", v.RESOURCE_TYPES),
}

# (element, attribute) -> the same
ENUM_ATTRIBUTES = {
    (qn("common", "translated-title"), "language-code"): _enum("LanguageCode", v.LANGUAGE_CODES),
    (qn("funding", "amount"), "currency-code"): _enum("java.util.Currency", v.CURRENCIES),
}

# Elements whose old names ORCID reads and stores under the current one.
ALIASES = {
    qn("work", "type"): v.WORK_TYPE_ALIASES,
    qn("peer-review", "subject-type"): v.WORK_TYPE_ALIASES,
}


def _where(elem: ET.Element, attribute: str | None = None) -> str:
    name = "%s:%s" % (prefix_of(elem.tag), local_name(elem.tag))
    return name + ("/@" + attribute if attribute else "")


def _illegal(value: str, rule: tuple, where: str) -> OrcidError:
    enum, values, _accepted = rule
    return OrcidError(9051, "invalid value '%s' for enum '%s' (field %s; valid values: %s)"
                      % (value, enum, where, ", ".join(values)),
                      user_message="Invalid value for type.")


def check(body: ET.Element) -> None:
    """Raise 400 9051 for the first field whose value ORCID's model would not parse; rewrite
    old aliases (``dataset`` -> ``data-set``) as ORCID stores them."""
    for elem in body.iter():
        tag = elem.tag
        rule = ENUM_ELEMENTS.get(tag)
        if rule is not None:
            value = elem.text or ""
            aliases = ALIASES.get(tag)
            if aliases and value in aliases:
                elem.text = value = aliases[value]
            if value not in rule[2]:
                raise _illegal(value, rule, _where(elem))
        if elem.attrib:
            for name, value in elem.attrib.items():
                rule = ENUM_ATTRIBUTES.get((tag, name))
                if rule is not None and value not in rule[2]:
                    raise _illegal(value, rule, _where(elem, name))
