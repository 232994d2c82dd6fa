"""ORCID's JSON keys for the elements its JSON read samples do not show (``json_keys.py`` has
the ones they do, and wins where both speak).

ORCID writes JSON with Jackson from its Java model classes (``org.orcid.jaxb.model.v3.release``)
with every property written, null or not. Jackson orders a class's properties like this: first
the class's ``@XmlType(propOrder)``; then the remaining fields in declaration order, except that
a field whose annotation names it (``@XmlAttribute(name = "put-code")``) is moved behind the
ones that do not. The read samples confirm the rule on every class they show (an other-name's
``visibility, path, put-code, display-index``; a work summary's ``put-code`` first, because
WorkSummary's propOrder names it). The orders below apply it to the classes the samples do not
show; an element in neither table is written in schema order.
"""
from __future__ import annotations

from ..registry.namespaces import qn

_AFFILIATION = ("created-date", "last-modified-date", "source", "put-code", "path",
                "department-name", "role-title", "start-date", "end-date", "organization", "url",
                "external-ids", "display-index", "visibility")

# API version -> element -> keys, like json_keys.KEYS.
KEYS = {"3.0": {
    # Work: propOrder ends with country; visibility is the one field left.
    qn("work", "work"): (
        "created-date", "last-modified-date", "source", "put-code", "path", "title",
        "journal-title", "short-description", "citation", "type", "publication-date",
        "external-ids", "url", "contributors", "language-code", "country", "visibility"),
    qn("funding", "funding"): (
        "created-date", "last-modified-date", "source", "put-code", "path", "type",
        "organization-defined-type", "title", "short-description", "amount", "url",
        "start-date", "end-date", "external-ids", "contributors", "organization", "visibility"),
    # PeerReview: put-code and path are named fields, so they follow visibility.
    qn("peer-review", "peer-review"): (
        "created-date", "last-modified-date", "source", "reviewer-role", "review-identifiers",
        "review-url", "review-type", "review-completion-date", "review-group-id",
        "subject-external-identifier", "subject-container-name", "subject-type",
        "subject-name", "subject-url", "convening-organization", "visibility", "put-code",
        "path"),
    # Email: propOrder is the four elements; path, visibility, verified, primary keep their
    # order; put-code (a named field) comes last. Emails have no put-code or path in 3.0.
    qn("email", "email"): (
        "created-date", "last-modified-date", "source", "email", "path", "visibility",
        "verified", "primary", "put-code"),
    **{qn(name, name): _AFFILIATION for name in (
        "distinction", "education", "employment", "invited-position", "membership",
        "qualification", "service")},
}}

# Affiliation.displayIndex is a String field, the other classes' are numbers.
SCALARS = {"3.0": {
    **{qn(name, name): {"display-index": "string"} for name in (
        "distinction", "education", "employment", "invited-position", "membership",
        "qualification", "service")},
}}
