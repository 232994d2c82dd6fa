"""What a 3.0 read looks like through API 2.0 or 2.1.

ORCID keeps one database and maps it into each version's model on the way out; a 2.x client
"will not receive data that cannot be modelled in its version". This module does that mapping on
element trees: it takes what the 3.0 renderer built and returns the 2.x element, dropping what
2.x cannot say (assertion origins, normalised ids, version-of ids, affiliation links and ids,
3.0-only work types and CRediT roles) and moving what 2.x names differently (``work:url``,
``funding:organization``, ``education:role-title``...). 2.0 names people and clients with
``http://`` URIs, 2.1 with ``https://``.

Where ORCID itself emits something its own 2.x schema refuses (a ``funded-by`` relationship, the
type ``review`` in a work summary, ``undefined``), we emit the nearest valid form instead and say
so here: the relationship is left out, the type becomes ``other``.
"""
from __future__ import annotations

from xml.etree import ElementTree as ET

from ..registry.namespaces import NS, local_name, namespace_of, prefix_of, qn

C = "{%s}" % NS["common"]

# 3.0 work types 2.x cannot name (ORCID's WorkMapperV2.resolveWorkType), and the renames.
WORK_TYPES_2X = frozenset("""
artistic-performance book-chapter book-review book conference-abstract conference-paper
conference-poster data-set dictionary-entry disclosure dissertation edited-book encyclopedia-entry
invention journal-article journal-issue lecture-speech license magazine-article manual
newsletter-article newspaper-article online-resource other patent registered-copyright report
research-technique research-tool spin-off-company standards-and-policy
supervised-student-publication technical-standard test translation trademark website working-paper
""".split())
WORK_TYPE_RENAMES = {"dissertation-thesis": "dissertation"}

# CRediT roles 2.x can still name (WorkContributorRoleConverter.toLegacyRoleName); the others go.
_CREDIT = "http://credit.niso.org/contributor-roles/%s/"
WORK_ROLE_FROM_CREDIT = {
    _CREDIT % "writing-original-draft": "author", _CREDIT % "writing-review-editing": "editor",
    _CREDIT % "investigation": "co-investigator", _CREDIT % "supervision": "principal-investigator",
}
WORK_ROLES_2X = frozenset("""author assignee editor chair-or-translator co-investigator
co-inventor graduate-student other-inventor principal-investigator postdoctoral-researcher
support-staff""".split())
FUNDING_ROLE_FROM_CREDIT = {_CREDIT % "supervision": "lead"}
FUNDING_ROLES_2X = frozenset({"lead", "co-lead", "supported-by", "other-contribution"})
RELATIONSHIPS_2X = frozenset({"self", "part-of"})

# Sections (by item element) that exist in 2.x.
ACTIVITY_SECTIONS_2X = ("education", "employment", "funding", "peer-review", "work")
AFFILIATIONS_2X = ("education", "employment")
# Item elements that carry no display-index in 2.x (ORCID's v2 classes have none).
_NO_DISPLAY_INDEX = frozenset(
    {qn(a, a) for a in AFFILIATIONS_2X} | {qn(a, a + "-summary") for a in AFFILIATIONS_2X}
    | {qn("work", "work"), qn("funding", "funding"), qn("peer-review", "peer-review")})
# Children a 2.x item does not have, by item element.
_DROPPED = {
    qn("work", "work-summary"): {C + "url", qn("work", "journal-title")},
    qn("funding", "funding-summary"): {C + "url"},
    qn("peer-review", "peer-review-summary"): {qn("peer-review", n) for n in (
        "reviewer-role", "review-url", "review-type")},
    **{qn(a, a + s): {C + "url", C + "external-ids"} for a in AFFILIATIONS_2X
       for s in ("", "-summary")},
}
# Children that move from the common namespace into the item's own (2.x element names).
_MOVED = {
    qn("work", "work"): {"url"},
    qn("funding", "funding"): {"url", "organization"},
    qn("funding", "funding-summary"): {"organization"},
    **{qn(a, a + s): {"department-name", "role-title", "organization"}
       for a in AFFILIATIONS_2X for s in ("", "-summary")},
}
# Elements whose common:uri names a person or a client.
_IDENTITIES = frozenset(C + n for n in (
    "orcid-identifier", "source-orcid", "source-client-id", "contributor-orcid"))


def scheme(version: str) -> str:
    return "http" if version == "2.0" else "https"


def downgrade(elem: ET.Element, version: str) -> ET.Element:
    """``elem`` (a 3.0 read tree, which this changes in place) as API ``version`` shows it."""
    _walk(elem, version)
    return elem


def _walk(elem: ET.Element, version: str) -> None:
    tag = elem.tag
    if tag in _IDENTITIES and version == "2.0":
        uri = elem.find(C + "uri")
        if uri is not None and uri.text and uri.text.startswith("https://"):
            uri.text = "http://" + uri.text[len("https://"):]
    if tag == C + "source":
        for child in list(elem):
            if local_name(child.tag).startswith("assertion-origin"):
                elem.remove(child)
            else:
                _walk(child, version)
        return
    if tag == C + "external-ids" or tag == qn("peer-review", "review-identifiers"):
        for ext in list(elem):
            if not _external_id(ext):
                elem.remove(ext)
        return
    if tag in (C + "external-id", qn("peer-review", "subject-external-identifier")):
        _external_id(elem)
        return
    if tag == qn("external-identifier", "external-identifier"):
        _external_id(elem)
    if tag in _NO_DISPLAY_INDEX:
        elem.attrib.pop("display-index", None)
    dropped = _DROPPED.get(tag)
    if dropped:
        for child in list(elem):
            if child.tag in dropped:
                elem.remove(child)
    moved = _MOVED.get(tag)
    if moved:
        own = namespace_of(tag)
        for child in elem:
            if child.tag.startswith(C) and local_name(child.tag) in moved:
                child.tag = "{%s}%s" % (own, local_name(child.tag))
    if tag in (qn("work", "type"), qn("peer-review", "subject-type")):
        elem.text = work_type(elem.text)
    elif tag == qn("researcher-url", "researcher-url") and elem.find(
            qn("researcher-url", "url-name")) is None:
        # 2.x requires a non-empty name; the link itself is the closest to "none given".
        name = ET.Element(qn("researcher-url", "url-name"))
        name.text = (elem.findtext(qn("researcher-url", "url")) or "").strip() or "-"
        url_at = [i for i, c in enumerate(elem) if c.tag == qn("researcher-url", "url")]
        elem.insert(url_at[0] if url_at else len(elem), name)
    elif tag in (qn("work", "contributor"), qn("funding", "contributor")):
        _contributor(elem)
    for child in elem:
        _walk(child, version)


def work_type(text: str | None) -> str:
    value = (text or "").strip()
    value = WORK_TYPE_RENAMES.get(value, value)
    return value if value in WORK_TYPES_2X else "other"


def _external_id(ext: ET.Element) -> bool:
    """Shape one external id for 2.x; False when 2.x does not show it at all (version-of)."""
    rel = None
    for child in list(ext):
        name = local_name(child.tag)
        if name.startswith("external-id-normalized"):
            ext.remove(child)
        elif name == "external-id-relationship":
            rel = child
    if rel is not None:
        value = (rel.text or "").strip()
        if value == "version-of":
            return False
        if value not in RELATIONSHIPS_2X:
            ext.remove(rel)     # funded-by: not in 2.x's schema (see the module's note)
    id_type = ext.find(C + "external-id-type")
    if id_type is not None and not (id_type.text or "").strip():
        id_type.text = "other-id"
    return True


def _contributor(contributor: ET.Element) -> None:
    ns = namespace_of(contributor.tag)
    attrs = contributor.find("{%s}contributor-attributes" % ns)
    is_work = prefix_of(contributor.tag) == "work"
    orcid = contributor.find(C + "contributor-orcid")
    if orcid is not None and orcid.find(C + "uri") is None and orcid.find(C + "path") is None:
        contributor.remove(orcid)
    if attrs is None:
        return
    role = attrs.find("{%s}contributor-role" % ns)
    if role is not None:
        value = (role.text or "").strip()
        if is_work:
            value = WORK_ROLE_FROM_CREDIT.get(value, value)
            keep = value in WORK_ROLES_2X
        else:
            value = FUNDING_ROLE_FROM_CREDIT.get(value, value)
            keep = value in FUNDING_ROLES_2X
        if keep:
            role.text = value
        else:
            attrs.remove(role)
    if not len(attrs):
        contributor.remove(attrs)


def identity_scheme(elem: ET.Element, version: str) -> None:
    """Only the iD and client URIs (search results, the record's own iD)."""
    if version != "2.0":
        return
    for node in elem.iter():
        if node.tag in _IDENTITIES:
            uri = node.find(C + "uri")
            if uri is not None and uri.text and uri.text.startswith("https://"):
                uri.text = "http://" + uri.text[len("https://"):]


def notification_shown(body: ET.Element, version: str) -> bool:
    """Whether API ``version`` can show a permission notification with this body. 2.x's item
    types are its five activity kinds; a notification written through 3.0 about, say, a
    qualification cannot be modelled in 2.x, so 2.x does not show it at all (rather than a
    notification with part of its items, or one its own schema refuses)."""
    if version == "3.0":
        return True
    return all((t.text or "").strip() in ACTIVITY_SECTIONS_2X
               for t in body.iter(qn("notification", "item-type")))
