"""The fields of ORCID's Solr ``profile`` core (solr-config/cores/profile/conf/schema.xml and
SolrConstants), by the few properties search needs: how the field is analysed, whether it
repeats, whether it is stored (only stored fields can be returned or sorted on)."""
from __future__ import annotations

from dataclasses import dataclass

TEXT = "text"        # text_general: tokenized, lower-cased
FOLDED = "folded"    # diacritic_removed_text: like text_general, accents folded to ASCII
STRING = "string"    # StrField: the whole value, exact and case-sensitive
DATE = "date"        # pdate: an instant, millisecond precision


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    multi: bool = True
    stored: bool = False

    @property
    def tokenized(self) -> bool:
        return self.type in (TEXT, FOLDED)


# External-identifier types ORCID's indexer still files under their own field ("the old way").
OLD_WAY_ID_TYPES = (
    "agr", "arxiv", "asin", "asin-tld", "bibcode", "cba", "cit", "ctx", "eid", "ethos", "handle",
    "hir", "isbn", "issn", "jfm", "jstor", "lccn", "mr", "oclc", "ol", "osti", "pat", "pmc", "pmid",
    "rfc", "source-work-id", "ssrn", "uri", "urn", "wosuid", "zbl",
)

_STATIC = [
    Field("orcid", STRING, multi=False, stored=True),
    Field("given-names", TEXT, multi=False, stored=True),
    Field("family-name", TEXT, multi=False, stored=True),
    Field("credit-name", TEXT, multi=False, stored=True),
    Field("given-and-family-names", FOLDED, multi=False),
    Field("other-names", TEXT, stored=True),
    Field("email", STRING, stored=True),
    Field("biography", TEXT, multi=False),
    Field("keyword", TEXT),
    Field("external-id-reference", TEXT),
    Field("external-id-type-and-value", STRING),
    Field("external-id-source", TEXT),
    Field("external-id-source-and-reference", STRING),
    Field("work-titles", TEXT),
    Field("digital-object-ids", TEXT),
    *(Field(name, TEXT) for name in OLD_WAY_ID_TYPES),
    Field("other-identifier-type", TEXT),
    Field("funding-titles", TEXT),
    Field("grant-numbers", TEXT),
    Field("current-institution-affiliation-name", TEXT, stored=True),
    Field("past-institution-affiliation-name", TEXT, stored=True),
    Field("peer-review-type", TEXT),
    Field("peer-review-role", TEXT),
    Field("peer-review-group-id", TEXT),
    Field("research-resource-proposal-title", TEXT),
    Field("research-resource-item-name", TEXT),
    Field("profile-submission-date", DATE, multi=False),
    Field("profile-last-modified-date", DATE, multi=False, stored=True),
    Field("primary-record", STRING, multi=False, stored=True),
    # The whole public record as XML: neither indexed nor stored (it only feeds ``text``).
    Field("public-profile-message", TEXT, multi=False),
    Field("text", TEXT),
]
STATIC = {f.name: f for f in _STATIC}

# Dynamic fields: any name with one of these endings is defined.
DYNAMIC = (("-self", STRING), ("-part-of", STRING), ("-version-of", STRING),
           ("-org-id", STRING), ("-org-name", TEXT))

DEFAULT_FIELD = "text"
# Copied into ``text`` (copyField source="*"): everything but the dates.
NOT_COPIED = frozenset({"profile-submission-date", "profile-last-modified-date", "text"})


def lookup(name: str) -> Field | None:
    """The field a name denotes, or None when Solr would answer "undefined field"."""
    found = STATIC.get(name)
    if found is not None:
        return found
    for suffix, type_ in DYNAMIC:
        if name.endswith(suffix):
            return Field(name, type_)
    return None


# The columns csv-search and expanded-search may return (SolrConstants.ALLOWED_FIELDS), in
# ORCID's default order.
ALLOWED_FL = ("orcid", "email", "given-names", "family-name", "given-and-family-names",
              "current-institution-affiliation-name", "past-institution-affiliation-name",
              "credit-name", "other-names")
