"""The one table that knows ORCID's record sections.

Routes, scopes, put-code sequences, root elements, summaries, list containers, grouping,
amended-notification names and validation rules are all read from here; adding a section is
adding a row.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from . import rules
from .namespaces import qn


@dataclass(frozen=True)
class Section:
    name: str                 # URL segment of one item: /{orcid}/{name}/{put-code}
    plural: str               # URL segment of the list: /{orcid}/{plural}
    prefix: str               # XML namespace prefix of the item element
    sequence: str             # put-code sequence (ORCID's per-table database sequence)
    kind: str                 # "activity" or "person"
    read_scope: str
    create_scopes: tuple[str, ...]
    update_scope: str
    amended_section: str | None = None   # amended notification's section; None: no notification
    summary: str | None = None           # summary element local name (activities)
    list_tag: str = ""                   # Clark name of the list container element
    grouping: str | None = None          # "group", "affiliation-group", "peer-review" or None
    title_path: tuple[str, ...] = ()     # where the item's display name lives
    summary_renames: dict = field(default_factory=dict)  # summary child local name -> item child
    validate: Callable | None = None     # ORCID's code-level rules: validate(body, registry)
    unchanged_put_is_noop: bool = False  # a PUT of the stored content is answered, not stored
    on_store: Callable | None = None     # on_store(body, registry): effects once every check passed
    versions: tuple[str, ...] = ("3.0",)  # API versions that serve the section

    @property
    def tag(self) -> str:
        return qn(self.prefix, self.name if self.kind == "activity" else self.element)

    @property
    def element(self) -> str:
        return PERSON_ELEMENTS.get(self.name, self.name)

    @property
    def summary_tag(self) -> str | None:
        return qn(self.prefix, self.summary) if self.summary else None

    @property
    def location_segment(self) -> str:
        # ORCID's Location header uses the singular for activities, the collection for person items.
        return self.name

    @property
    def item_type(self) -> str:
        return self.name


PERSON_ELEMENTS = {
    "researcher-urls": "researcher-url", "other-names": "other-name", "keywords": "keyword",
    "address": "address", "external-identifiers": "external-identifier",
}

_WORKS = ("/orcid-works/read-limited", ("/orcid-works/create", "/orcid-works/update"), "/orcid-works/update")
_FUNDING = ("/funding/read-limited", ("/funding/create", "/funding/update"), "/funding/update")
_AFFIL = ("/affiliations/read-limited", ("/affiliations/create", "/affiliations/update"), "/affiliations/update")
_PEER = ("/peer-review/read-limited", ("/peer-review/create", "/peer-review/update"), "/peer-review/update")
_BIO = ("/orcid-bio/read-limited", ("/orcid-bio/update",), "/orcid-bio/update")
_EXTID = ("/orcid-bio/read-limited", ("/orcid-bio/external-identifiers/create",), "/orcid-bio/update")

AFFILIATIONS = ("distinction", "education", "employment", "invited-position", "membership",
                "qualification", "service")


# API versions: 2.0 and 2.1 have the same sections; 3.0 added the rest.
ALL_VERSIONS = ("2.0", "2.1", "3.0")
SECTIONS_2X = frozenset({"work", "funding", "education", "employment", "peer-review",
                         "researcher-urls", "other-names", "keywords", "address",
                         "external-identifiers"})


def _versions(name):
    return ALL_VERSIONS if name in SECTIONS_2X else ("3.0",)


def _activity(name, plural, scopes, sequence, grouping, title_path, validate, renames=None,
              unchanged_put_is_noop=False, on_store=None):
    return Section(
        name=name, plural=plural, prefix=name, sequence=sequence, kind="activity",
        read_scope=scopes[0], create_scopes=scopes[1], update_scope=scopes[2],
        amended_section=name.upper().replace("-", "_"), summary=name + "-summary",
        list_tag=qn("activities", plural), grouping=grouping, title_path=title_path,
        summary_renames=renames or {}, validate=validate,
        unchanged_put_is_noop=unchanged_put_is_noop, on_store=on_store, versions=_versions(name),
    )


def _person(name, scopes, title_path, validate=None):
    return Section(
        name=name, plural=name, prefix=PERSON_ELEMENTS[name], sequence=name, kind="person",
        read_scope=scopes[0], create_scopes=scopes[1], update_scope=scopes[2],
        list_tag=qn(PERSON_ELEMENTS[name], name if name != "address" else "addresses"),
        title_path=title_path, validate=validate, versions=_versions(name),
    )


_ORG_NAME = ("organization", "name")

SECTIONS: tuple[Section, ...] = (
    _activity("work", "works", _WORKS, "work", "group", ("title", "title"), rules.check_work,
              unchanged_put_is_noop=True),
    _activity("funding", "fundings", _FUNDING, "funding", "group", ("title", "title"),
              rules.check_funding),
    *(_activity(a, a + "s", _AFFIL, "affiliation", "affiliation-group", _ORG_NAME,
                rules.check_affiliation) for a in AFFILIATIONS),
    _activity("peer-review", "peer-reviews", _PEER, "peer-review", "peer-review",
              ("subject-name", "title"), rules.check_peer_review,
              {"external-ids": "review-identifiers", "completion-date": "review-completion-date"},
              on_store=rules.create_issn_group),
    _activity("research-resource", "research-resources", _AFFIL, "research-resource", "group",
              ("proposal", "title", "title"), rules.check_research_resource),
    _person("researcher-urls", _BIO, ("url-name",), rules.check_researcher_url),
    _person("other-names", _BIO, ("content",)),
    _person("keywords", _BIO, ("content",), rules.check_keyword),
    _person("address", _BIO, ("country",)),
    _person("external-identifiers", _EXTID, ("external-id-value",),
            rules.check_person_external_identifier),
)

BY_NAME = {s.name: s for s in SECTIONS}
BY_PLURAL = {s.plural: s for s in SECTIONS}
ACTIVITIES = tuple(s for s in SECTIONS if s.kind == "activity")
PERSON = tuple(s for s in SECTIONS if s.kind == "person")


def in_version(version: str) -> tuple[dict, dict]:
    """(by item name, by list name) of the sections API ``version`` serves."""
    found = _IN_VERSION.get(version)
    if found is None:
        served = [s for s in SECTIONS if version in s.versions]
        found = _IN_VERSION[version] = ({s.name: s for s in served}, {s.plural: s for s in served})
    return found


_IN_VERSION: dict[str, tuple[dict, dict]] = {}
