"""ORCID's JSON keys for API 2.0/2.1, per element, in Jackson's order for ORCID's v2 model
classes (``org.orcid.jaxb.model.record_v2``): the class's propOrder, then its unnamed fields, then
its named ones (the rule ``json_model.py`` describes for 3.0). Every key is written, null when
absent, as ORCID's 2.x responses show (``"path": null``, ``"media-type": null``); a key marked
"?" only when present. The scalar JSON types are 3.0's (the same Java fields).
"""
from __future__ import annotations

from ..registry.namespaces import qn

_META = ("created-date", "last-modified-date", "source")
_PERSON_TAIL = ("visibility", "path", "put-code", "display-index")
_SUMMARY_TAIL = ("visibility", "put-code", "path", "display-index")
_AFFILIATION = ("department-name", "role-title", "start-date", "end-date", "organization")

KEYS = {
    qn("record", "record"): ("orcid-identifier", "preferences", "history", "person",
                             "activities-summary", "path"),
    qn("history", "history"): ("creation-method", "completion-date", "submission-date",
                               "last-modified-date", "claimed", "source", "deactivation-date",
                               "verified-email", "verified-primary-email"),
    qn("person", "person"): ("last-modified-date", "name", "other-names", "biography",
                             "researcher-urls", "emails", "addresses", "keywords",
                             "external-identifiers", "path"),
    qn("personal-details", "personal-details"): ("last-modified-date", "name", "other-names",
                                                 "biography", "path"),
    qn("personal-details", "name"): ("created-date", "last-modified-date", "given-names",
                                     "family-name", "credit-name", "source", "visibility", "path"),
    qn("personal-details", "biography"): ("created-date", "last-modified-date", "content",
                                          "visibility", "path"),
    qn("other-name", "other-name"): _META + ("content",) + _PERSON_TAIL,
    qn("keyword", "keyword"): _META + ("content",) + _PERSON_TAIL,
    qn("researcher-url", "researcher-url"): _META + ("url-name", "url") + _PERSON_TAIL,
    qn("address", "address"): _META + ("country",) + _PERSON_TAIL,
    qn("external-identifier", "external-identifier"): _META + (
        "external-id-type", "external-id-value", "external-id-url",
        "external-id-relationship") + _PERSON_TAIL,
    qn("email", "email"): _META + ("email", "path", "visibility", "verified", "primary",
                                   "put-code"),
    qn("activities", "activities-summary"): ("last-modified-date", "educations", "employments",
                                             "fundings", "peer-reviews", "works", "path"),
    qn("activities", "educations"): ("last-modified-date", "education-summary", "path"),
    qn("activities", "employments"): ("last-modified-date", "employment-summary", "path"),
    qn("activities", "fundings"): ("last-modified-date", "group", "path"),
    qn("activities", "works"): ("last-modified-date", "group", "path"),
    qn("activities", "peer-reviews"): ("last-modified-date", "group", "path"),
    qn("activities", "group"): ("last-modified-date", "external-ids", "?work-summary",
                                "?funding-summary", "?peer-review-summary"),
    qn("education", "education-summary"): _META + _AFFILIATION + ("visibility", "put-code", "path"),
    qn("employment", "employment-summary"): _META + _AFFILIATION + ("visibility", "put-code",
                                                                    "path"),
    qn("education", "education"): _META + ("put-code", "path") + _AFFILIATION + ("visibility",),
    qn("employment", "employment"): _META + ("put-code", "path") + _AFFILIATION + ("visibility",),
    qn("funding", "funding-summary"): _META + ("title", "external-ids", "type", "start-date",
                                               "end-date", "organization") + _SUMMARY_TAIL,
    qn("work", "work-summary"): ("put-code",) + _META + (
        "title", "external-ids", "type", "publication-date", "visibility", "path",
        "display-index"),
    qn("peer-review", "peer-review-summary"): _META + (
        "external-ids", "completion-date", "review-group-id", "convening-organization"
    ) + _SUMMARY_TAIL,
    qn("work", "work"): _META + (
        "put-code", "path", "title", "journal-title", "short-description", "citation", "type",
        "publication-date", "external-ids", "url", "contributors", "language-code", "country",
        "visibility"),
    qn("funding", "funding"): _META + (
        "put-code", "path", "type", "organization-defined-type", "title", "short-description",
        "amount", "url", "start-date", "end-date", "external-ids", "contributors",
        "organization", "visibility"),
    qn("peer-review", "peer-review"): _META + (
        "reviewer-role", "review-identifiers", "review-url", "review-type",
        "review-completion-date", "review-group-id", "subject-external-identifier",
        "subject-container-name", "subject-type", "subject-name", "subject-url",
        "convening-organization", "visibility", "put-code", "path"),
    qn("common", "external-id"): ("external-id-type", "external-id-value", "external-id-url",
                                  "external-id-relationship"),
    qn("common", "source"): ("source-orcid", "source-client-id", "source-name"),
    qn("common", "publication-date"): ("year", "month", "day", "media-type"),
    # OrcidIdBase: uri, path, host (the schema's choice names path twice).
    **{qn("common", name): ("uri", "path", "host") for name in (
        "orcid-identifier", "source-orcid", "source-client-id", "contributor-orcid")},
}

# Enumerations Jackson writes by Java constant name in 2.x ("JOURNAL_ARTICLE", "PUBLIC"), except
# these, which the v2 classes hold as plain strings.
NOT_CONSTANT = frozenset({"language-code", "country", "currency-code",
                          "disambiguation-source", "external-id-type"})
