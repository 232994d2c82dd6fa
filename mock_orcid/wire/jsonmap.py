"""One schema-driven converter between ORCID's JSON and our XML element model.

ORCID's JSON is Jackson's rendering of the same JAXB model as the XML, so the XSD content
model tells us almost everything: key = element local name, child order = sequence order,
repeated element = list under the singular name, attributes = sibling keys.  What the XSD
cannot tell (which fields Jackson wraps in ``{"value": ...}``, polymorphic lists, wrapper
elements JSON leaves out) lives in the small tables below.
"""
from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from xml.etree import ElementTree as ET

from ..registry.namespaces import NS, local_name
from . import schemas

# Simple-content fields whose Java class has @XmlValue, so Jackson writes {"value": ...}.
# Anything with XML attributes and every xs:dateTime is wrapped too (see _wrapped).
VALUE_WRAPPED = frozenset({
    "title", "subtitle", "translated-title", "journal-title", "url", "external-id-url",
    "review-url", "credit-name", "contributor-email", "country", "year", "month", "day",
    "source-name", "assertion-origin-name", "given-names", "family-name", "amount",
    "organization-defined-type", "external-id-normalized", "uri-value", "deprecated-date",
    "verification-date", "deactivation-date", "completion-date", "submission-date",
    "created-date", "last-modified-date", "sent-date", "read-date", "archived-date",
    "actioned-date", "source-reference",
})
# ...except where the Java field is a plain String: the organisation's address.
BARE_UNDER = {
    "{%s}address" % NS["common"]: frozenset({"city", "region", "country"}),
}
# JAXB @XmlElements lists: JSON key -> the parent element it belongs to.
POLYMORPHIC = {
    "{%s}bulk" % NS["bulk"]: "bulk",
    "{%s}affiliation-group" % NS["activities"]: "summaries",
}
# JAXB @XmlElementWrapper: JSON omits these wrapper elements.
UNWRAPPED = frozenset({"{%s}resource-items" % NS["research-resource"]})
# Fields Jackson never writes (@JsonIgnore on ORCID's classes).
JSON_IGNORED = frozenset({"normalized-url"})
# Children the XSD allows but ORCID's Java class does not have: no "null" for them.
XSD_ONLY = {
    "{%s}external-id" % NS["common"]: frozenset({"created-date", "last-modified-date", "source"}),
}
# Children Jackson never writes for one parent (@JsonIgnore), even when the XML has them.
JSON_IGNORED_UNDER = {
    "{%s}group-id-record" % NS["group-id"]: frozenset({"source-orcid", "source-client-id",
                                                      "source-name"}),
}
# Enums Jackson writes by Java constant name rather than by XML literal.
CONSTANT_NAMED = frozenset({"creation-method"})
# Fuzzy-date parts are numbers in the XSD but zero-padded strings in ORCID's JSON ("05").
TEXT_KEPT = frozenset({"year", "month", "day"})


class JsonShapeError(ValueError):
    """The JSON does not fit the element's content model."""


def _primitive(simple_type) -> str:
    if simple_type is None:
        return "string"
    try:
        return simple_type.primitive_type.local_name
    except AttributeError:
        return "string"


def _content_type(xsd_type):
    if xsd_type.is_simple():
        return xsd_type
    return xsd_type.content if xsd_type.has_simple_content() else None


def _attributes(xsd_type):
    return {} if xsd_type.is_simple() else xsd_type.attributes


def _text_only(xsd_type) -> bool:
    """Simple content, or mixed content with no child elements (``common:source-name``)."""
    if xsd_type.is_simple() or xsd_type.has_simple_content():
        return True
    return bool(getattr(xsd_type, "mixed", False)) and not list(xsd_type.content.iter_elements())


_CHILDREN: dict[int, list] = {}


def _child_decls(xsd_type):
    # Schema components live as long as the process, so their id() is a stable key;
    # walking the content model for every element made JSON rendering slow.
    key = id(xsd_type)
    found = _CHILDREN.get(key)
    if found is None:
        found = [] if _text_only(xsd_type) else list(xsd_type.content.iter_elements())
        _CHILDREN[key] = found
    return found


def _repeats(decl) -> bool:
    return decl.max_occurs is None or decl.max_occurs > 1


# ---------------------------------------------------------------- JSON -> XML

def to_element(data, tag: str, set_name: str | None = None) -> ET.Element:
    """Build the XML element ``tag`` from ORCID JSON (the element's content)."""
    decl = schemas.element_decl(tag, set_name)
    if not isinstance(data, dict):
        raise JsonShapeError("expected a JSON object for '%s'" % local_name(tag))
    return _build(decl, data, local_name(tag))


def _enum_literal(value: str, simple_type) -> str:
    """Jackson writes some enums by Java constant name ("MEMBER_REFERRED"); map such a value
    to the XSD literal it names ("Member-referred"), leaving anything else for validation."""
    try:
        literals = simple_type.enumeration or []
    except AttributeError:
        return value
    if not literals or value in literals:
        return value
    folded = value.replace("_", "-").lower()
    return next((lit for lit in literals if str(lit).lower() == folded), value)


def _scalar_text(value, simple_type, where: str) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        raise JsonShapeError("'%s' must be a finite number" % where)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        if _primitive(simple_type) == "dateTime":
            return _millis_to_iso(value)
        if isinstance(value, int):
            return str(value)     # exact, however long (float() overflows past 1e308)
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, str):
        return _enum_literal(value, simple_type)
    raise JsonShapeError("'%s' must be a string, number or boolean" % where)


def _build(decl, value, where: str) -> ET.Element:
    elem = ET.Element(decl.name)
    xsd_type = decl.type
    attrs = _attributes(xsd_type)
    if _text_only(xsd_type):
        if isinstance(value, dict):
            for key, val in value.items():
                if key == "value" or val is None:
                    continue
                if key not in attrs:
                    raise JsonShapeError("unknown field '%s' in '%s'" % (key, where))
                elem.set(key, _scalar_text(val, attrs[key].type, key))
            value = value.get("value")
        if value is not None:
            elem.text = _scalar_text(value, _content_type(xsd_type), where)
        return elem
    if not isinstance(value, dict):
        raise JsonShapeError("'%s' must be a JSON object" % where)
    children = {local_name(d.name): d for d in _child_decls(xsd_type)}
    built: dict[str, list[ET.Element]] = {}
    for key, val in value.items():
        if val is None or key in JSON_IGNORED:
            continue
        if key in attrs:
            elem.set(key, _scalar_text(val, attrs[key].type, key))
        elif key in children:
            decl_c = children[key]
            items = val if isinstance(val, list) else [val]
            if not _repeats(decl_c) and len(items) > 1:
                raise JsonShapeError("'%s' takes one value, not a list" % key)
            built.setdefault(key, []).extend(
                _build(decl_c, item, key) for item in items if item is not None)
        elif POLYMORPHIC.get(decl.name) == key:
            for item in (val if isinstance(val, list) else [val]):
                if not isinstance(item, dict) or len(item) != 1:
                    raise JsonShapeError("each '%s' item must be an object with one key" % key)
                (name, content), = item.items()
                if name not in children:
                    raise JsonShapeError("'%s' is not allowed in '%s'" % (name, key))
                built.setdefault(name, []).append(_build(children[name], content, name))
        else:
            wrapper = _wrapper_for(children, key)
            if wrapper is None:
                raise JsonShapeError("unknown field '%s' in '%s'" % (key, where))
            built.setdefault(local_name(wrapper.name), []).append(
                _build(wrapper, {key: val}, local_name(wrapper.name)))
    # XSD sequence order, whatever the JSON key order was; a polymorphic list keeps its
    # own order (bulk results must line up with the request's items).
    poly = _poly_members(decl) if POLYMORPHIC.get(decl.name) in value else set()
    poly_done = False
    for name in children:
        if name in poly:
            if not poly_done:
                elem.extend(_poly_order(value[POLYMORPHIC[decl.name]], built))
                poly_done = True
            continue
        elem.extend(built.get(name, []))
    return elem


def _poly_members(decl) -> set[str]:
    """Local names of the children that sit inside an xs:choice (JAXB @XmlElements)."""
    found: set[str] = set()

    def walk(group, in_choice):
        for part in group:
            if hasattr(part, "model"):
                walk(part, in_choice or part.model == "choice")
            elif in_choice:
                found.add(local_name(part.name))
    walk(decl.type.content, False)
    return found


def _poly_order(items, built):
    cursor: dict[str, int] = {}
    if isinstance(items, dict):   # Jackson's ACCEPT_SINGLE_VALUE_AS_ARRAY
        items = [items]
    for item in items or []:
        name = next(iter(item))
        idx = cursor.get(name, 0)
        cursor[name] = idx + 1
        yield built[name][idx]


def _wrapper_for(children, key):
    for decl in children.values():
        if decl.name in UNWRAPPED and key in {local_name(d.name) for d in _child_decls(decl.type)}:
            return decl
    return None


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _millis_to_iso(millis) -> str:
    # Integer arithmetic: float division loses a millisecond near year 9999.
    try:
        dt = _EPOCH + timedelta(milliseconds=int(millis))
    except (ValueError, OverflowError, OSError):
        raise JsonShapeError("timestamp %r is outside years 1-9999" % (millis,)) from None
    return "%04d-%s.%03dZ" % (dt.year, dt.strftime("%m-%dT%H:%M:%S"), dt.microsecond // 1000)


# ---------------------------------------------------------------- XML -> JSON

def to_json(elem: ET.Element, set_name: str | None = None):
    """ORCID JSON for an element (its content; the root name is implied by the endpoint)."""
    return _render(schemas.element_decl(elem.tag, set_name), elem, None)


def _iso_to_millis(text: str) -> int:
    dt = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return int(round(dt.timestamp() * 1000))


def _typed(text, simple_type):
    if text is None:
        return None
    prim = _primitive(simple_type)
    if prim == "dateTime":
        return _iso_to_millis(text)
    if prim == "decimal":
        try:
            return int(text)
        except ValueError:
            return float(text)
    if prim == "boolean":
        return text.strip() in ("true", "1")
    return text


def _wrapped(decl, parent_tag) -> bool:
    name = local_name(decl.name)
    if name in BARE_UNDER.get(parent_tag, ()):
        return False
    if _attributes(decl.type):
        return True
    return name in VALUE_WRAPPED or _primitive(_content_type(decl.type)) == "dateTime"


_PLANS: dict[tuple[int, str | None], tuple] = {}


def _plan(decl, parent_tag):
    """What rendering ``decl`` under ``parent_tag`` needs, worked out once per pair (schema
    components live as long as the process): the content-model walk was the cost of JSON."""
    key = (id(decl), parent_tag)
    plan = _PLANS.get(key)
    if plan is not None:
        return plan
    xsd_type = decl.type
    attrs = tuple((name, attr.type) for name, attr in _attributes(xsd_type).items())
    name = local_name(decl.name)
    if _text_only(xsd_type):
        plan = ("text", name, _content_type(xsd_type), _wrapped(decl, parent_tag), attrs)
    else:
        poly_key = POLYMORPHIC.get(decl.name)
        poly = _poly_members(decl) if poly_key else set()
        children = []
        for decl_c in _child_decls(xsd_type):
            c_name = local_name(decl_c.name)
            if c_name in JSON_IGNORED or c_name in JSON_IGNORED_UNDER.get(decl.name, ()):
                continue
            if c_name in poly:
                mode = "poly"
            elif decl_c.name in UNWRAPPED:
                mode = "unwrapped"
            elif _repeats(decl_c):
                mode = "list"
            else:
                mode = "one"
            children.append((decl_c, c_name, mode, c_name in XSD_ONLY.get(decl.name, ())))
        by_tag = {d.name: d for d in _child_decls(xsd_type) if local_name(d.name) in poly}
        plan = ("complex", name, poly_key, by_tag, tuple(children), attrs)
    _PLANS[key] = plan
    return plan


def _render(decl, elem: ET.Element, parent_tag):
    plan = _plan(decl, parent_tag)
    if plan[0] == "text":
        _kind, name, content_type, wrapped, attrs = plan
        text = elem.text if elem.text is not None else ""
        value = text.strip() if name in TEXT_KEPT else _typed(text, content_type)
        if name in CONSTANT_NAMED and isinstance(value, str):
            value = value.strip().upper().replace("-", "_")
        if not wrapped:
            return value
        out = {"value": value}
        for attr_name, attr_type in attrs:
            if attr_name in elem.attrib:
                out[attr_name] = _typed(elem.get(attr_name), attr_type)
        return out
    _kind, name, poly_key, by_tag, children, attrs = plan
    present: dict[str, list] = {}
    for c in elem:
        present.setdefault(c.tag, []).append(c)
    out = {}
    for decl_c, c_name, mode, xsd_only in children:
        found = present.get(decl_c.name, ())
        if not found and xsd_only:
            continue
        if mode == "poly":
            if poly_key not in out:
                out[poly_key] = [{local_name(c.tag): _render(by_tag[c.tag], c, decl.name)}
                                 for c in elem if c.tag in by_tag]
        elif mode == "unwrapped":
            for inner in _child_decls(decl_c.type):
                sub = [g for c in found for g in c if g.tag == inner.name]
                out[local_name(inner.name)] = [_render(inner, g, decl_c.name) for g in sub]
        elif mode == "list":
            out[c_name] = [_render(decl_c, c, decl.name) for c in found]
        else:
            out[c_name] = _render(decl_c, found[0], decl.name) if found else None
    for attr_name, attr_type in attrs:
        if attr_name in elem.attrib:
            out[attr_name] = _typed(elem.get(attr_name), attr_type)
    return out
