"""One schema-driven converter between ORCID's JSON and our XML element model.

ORCID's JSON is Jackson's rendering of the same JAXB model as the XML, so the XSD content
model tells us almost everything: key = element local name, child order = sequence order,
repeated element = list under the singular name, attributes = sibling keys.  What the XSD
cannot tell (which fields Jackson wraps in ``{"value": ...}``, polymorphic lists, wrapper
elements JSON leaves out) lives in the small tables below.
"""
from __future__ import annotations

import json
import math
from datetime import datetime, timedelta, timezone
from xml.etree import ElementTree as ET

from ..registry.namespaces import NS, local_name
from . import json_keys, json_keys_v2, json_model, schemas
from .fragment import Fragment

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
#
# Output is written as text in one pass (and ``to_json`` parses that text back when a caller
# wants Python values), so that items rendered once can be embedded as ``Fragment`` text.
# Keys, their order and the nulls come from ORCID's read samples (json_keys.KEYS), then from
# its model classes (json_model.KEYS), else from the schema's order.

def to_json(elem: ET.Element, set_name: str | None = None):
    """ORCID JSON for an element (its content; the root name is implied by the endpoint)."""
    return json.loads(to_json_text(elem, set_name))


def to_json_text(elem: ET.Element, set_name: str | None = None,
                 parent_tag: str | None = None) -> str:
    """The same, as compact JSON text (what the API sends)."""
    out: list[str] = []
    _write(_plan(schemas.element_decl(elem.tag, set_name), parent_tag), elem, out)
    return "".join(out)


def child_json_text(elem: ET.Element, parent_tag: str, set_name: str | None = None) -> str:
    """JSON text of ``elem`` as a child of a ``parent_tag`` element: for an element the
    schema declares only inside its parent (a list's group)."""
    parent = _plan(schemas.element_decl(parent_tag, set_name), None)
    out: list[str] = []
    _write(_plan(parent.child_decls[elem.tag], parent_tag), elem, out)
    return "".join(out)


def json_view(elem: ET.Element, set_name: str | None = None) -> ET.Element:
    """A copy of ``elem`` without what ORCID's JSON leaves out (attributes and children its
    Java classes do not have): what a JSON reader can know. For tests and comparisons."""
    return _json_view(schemas.element_decl(elem.tag, set_name), elem, None)


def _json_view(decl, elem, parent_tag):
    plan = _plan(decl, parent_tag)
    clone = ET.Element(elem.tag)
    clone.text = elem.text
    if plan.text:
        clone.attrib.update((k, v) for k, v in elem.items() if k in plan.attr_names)
        return clone
    clone.attrib.update((k, v) for k, v in elem.items() if k in plan.attr_names)
    for child in elem:
        decl_c = plan.child_decls.get(child.tag)
        if decl_c is not None:
            clone.append(_json_view(decl_c, child, decl.name))
    return clone


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


def _scalar_value(text, simple_type, kind: str | None, name: str, constant: bool = False):
    """A scalar as ORCID writes it: the sample's JSON type where one is known, else the XSD's."""
    if text is None:
        text = ""
    value = text.strip() if name in TEXT_KEPT else _typed(text, simple_type)
    if (constant or name in CONSTANT_NAMED) and isinstance(value, str):
        value = value.strip().upper().replace("-", "_")
    if kind == "string" and not isinstance(value, str):
        return text.strip()
    if kind == "number" and isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            try:
                return float(value)
            except ValueError:
                return value
    if kind == "boolean" and isinstance(value, str):
        return value.strip() in ("true", "1")
    return value


_encode_string = json.encoder.encode_basestring    # the C encoder json.dumps uses


def _json_scalar(value) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return _encode_string(value)
    if isinstance(value, int):
        return int.__repr__(value)
    return json.dumps(value)


# Entry modes of a complex element's plan
_ONE, _LIST, _ATTR, _POLY, _UNWRAPPED, _NULL = range(6)


class _Plan:
    """How one element under one parent is written: worked out once per (declaration, parent)
    pair, since schema components live as long as the process."""
    __slots__ = ("text", "name", "content_type", "wrapped", "kind", "attrs", "entries",
                 "poly_key", "by_tag", "attr_names", "child_decls", "constant")


def _constant(v2: bool, name: str, simple_type) -> bool:
    """2.x writes every enumeration by its Java constant name (``"JOURNAL_ARTICLE"``)."""
    if not v2 or name in json_keys_v2.NOT_CONSTANT or simple_type is None:
        return False
    return bool(getattr(simple_type, "enumeration", None))


# The API version whose key tables the writer follows for 3.0 schemas; a 2.x schema's
# elements follow json_keys_v2 (a declaration knows its set: schemas.is_v2).
VERSION = "3.0"


def _table(tag: str, version: str = VERSION):
    if version != "3.0":
        keys = json_keys_v2.KEYS.get(tag)
        return None if keys is None else [
            (k[1:], False) if k.startswith("?") else (k, True) for k in keys]
    keys = json_keys.KEYS.get(version, {}).get(tag)
    if keys is None:
        keys = json_model.KEYS.get(version, {}).get(tag)
    if keys is None:
        return None
    return [(k[1:], False) if k.startswith("?") else (k, True) for k in keys]


def _kinds(tag: str, version: str = VERSION) -> dict:
    kinds = dict(json_model.SCALARS.get(version, {}).get(tag, {}))
    kinds.update(json_keys.SCALARS.get(version, {}).get(tag, {}))
    return kinds


_PLANS: dict[tuple[int, str | None], _Plan] = {}


def _plan(decl, parent_tag) -> _Plan:
    key = (id(decl), parent_tag)
    plan = _PLANS.get(key)
    if plan is not None:
        return plan
    plan = _Plan()
    xsd_type = decl.type
    attrs = _attributes(xsd_type)
    name = local_name(decl.name)
    v2 = schemas.is_v2(decl)
    table = _table(decl.name, "2.x" if v2 else VERSION)
    kinds = _kinds(decl.name)
    plan.name = name
    plan.text = _text_only(xsd_type)
    plan.constant = False
    if plan.text:
        plan.content_type = _content_type(xsd_type)
        plan.constant = _constant(v2, name, plan.content_type)
        plan.wrapped = _wrapped(decl, parent_tag)
        # a bare value's JSON type is recorded under its parent, a wrapped one under "value"
        plan.kind = kinds.get("value") if plan.wrapped else _kinds(parent_tag).get(name) \
            if parent_tag else None
        order = table or [("value", True)] + [(a, False) for a in attrs]
        plan.attrs = tuple((k, attrs[k].type if k in attrs else None, always, kinds.get(k),
                            _constant(v2, k, attrs[k].type if k in attrs else None))
                           for k, always in order if k != "value")
        plan.attr_names = frozenset(a[0] for a in plan.attrs if a[0] in attrs)
        _PLANS[key] = plan
        return plan
    poly_key = POLYMORPHIC.get(decl.name)
    poly = _poly_members(decl) if poly_key else set()
    plan.poly_key = poly_key
    plan.by_tag = {d.name: d for d in _child_decls(xsd_type) if local_name(d.name) in poly}
    children = {}
    for decl_c in _child_decls(xsd_type):
        c_name = local_name(decl_c.name)
        if c_name in poly:
            continue
        if decl_c.name in UNWRAPPED:
            for inner in _child_decls(decl_c.type):
                children[local_name(inner.name)] = (_UNWRAPPED, (decl_c, inner))
        else:
            children[c_name] = (_LIST if _repeats(decl_c) else _ONE, decl_c)
    entries = []
    if table is not None:
        for k, always in table:
            if k == poly_key:
                entries.append(('"%s":' % k, _POLY, None, always))
            elif k in children:
                mode, payload = children[k]
                entries.append(('"%s":' % k, mode, payload, always))
            elif k in attrs:
                entries.append(('"%s":' % k, _ATTR, (k, attrs[k].type, kinds.get(k),
                                                     _constant(v2, k, attrs[k].type)), always))
            else:   # a property ORCID's class has and its schema does not: always null
                entries.append(('"%s":' % k, _NULL, None, always))
    else:
        poly_done = False
        for decl_c in _child_decls(xsd_type):
            c_name = local_name(decl_c.name)
            if c_name in JSON_IGNORED or c_name in JSON_IGNORED_UNDER.get(decl.name, ()):
                continue
            if c_name in poly:
                if not poly_done:
                    entries.append(('"%s":' % poly_key, _POLY, None, True))
                    poly_done = True
                continue
            if decl_c.name in UNWRAPPED:
                for inner in _child_decls(decl_c.type):
                    entries.append(('"%s":' % local_name(inner.name), _UNWRAPPED,
                                    (decl_c, inner), True))
                continue
            always = c_name not in XSD_ONLY.get(decl.name, ())
            entries.append(('"%s":' % c_name, _LIST if _repeats(decl_c) else _ONE, decl_c,
                            always))
        for a_name, attr in attrs.items():
            entries.append(('"%s":' % a_name, _ATTR, (a_name, attr.type, kinds.get(a_name),
                                                      _constant(v2, a_name, attr.type)), False))
    plan.entries = tuple(entries)
    plan.attr_names = frozenset(e[2][0] for e in entries if e[1] == _ATTR)
    plan.child_decls = {}
    for _key, mode, payload, _always in entries:
        if mode in (_ONE, _LIST):
            plan.child_decls[payload.name] = payload
        elif mode == _UNWRAPPED:
            plan.child_decls[payload[0].name] = payload[0]
        elif mode == _POLY:
            plan.child_decls.update(plan.by_tag)
    _PLANS[key] = plan
    return plan


def _write(plan: _Plan, elem: ET.Element, out: list) -> None:
    if type(elem) is Fragment:
        out.append(elem.json)
        return
    if plan.text:
        value = _scalar_value(elem.text, plan.content_type, plan.kind, plan.name, plan.constant)
        if not plan.wrapped:
            out.append(_json_scalar(value))
            return
        out.append('{"value":')
        out.append(_json_scalar(value))
        attrib = elem.attrib
        for a_name, a_type, always, kind, constant in plan.attrs:
            if a_name in attrib:
                out.append(',"%s":' % a_name)
                out.append(_json_scalar(_scalar_value(attrib[a_name], a_type, kind, a_name,
                                                      constant)))
            elif always:
                out.append(',"%s":null' % a_name)
        out.append("}")
        return
    present: dict[str, list] = {}
    for child in elem:
        found = present.get(child.tag)
        if found is None:
            present[child.tag] = [child]
        else:
            found.append(child)
    attrib = elem.attrib
    tag = elem.tag
    first = True
    out.append("{")
    for key, mode, payload, always in plan.entries:
        if mode == _ONE:
            found = present.get(payload.name)
            if not found and not always:
                continue
            out.append(key if first else "," + key)
            if found:
                _write(_plan(payload, tag), found[0], out)
            else:
                out.append("null")
        elif mode == _LIST:
            found = present.get(payload.name)
            if not found and not always:
                continue
            out.append(key if first else "," + key)
            out.append("[")
            if found:
                child_plan = _plan(payload, tag)
                for i, child in enumerate(found):
                    if i:
                        out.append(",")
                    _write(child_plan, child, out)
            out.append("]")
        elif mode == _ATTR:
            a_name, a_type, kind, constant = payload
            if a_name not in attrib and not always:
                continue
            out.append(key if first else "," + key)
            value = attrib.get(a_name)
            out.append("null" if value is None else
                       _json_scalar(_scalar_value(value, a_type, kind, a_name, constant)))
        elif mode == _POLY:
            members = [c for c in elem if c.tag in plan.by_tag]
            if not members and not always:
                continue
            out.append(key if first else "," + key)
            out.append("[")
            for i, child in enumerate(members):
                out.append('{"%s":' % local_name(child.tag) if not i
                           else ',{"%s":' % local_name(child.tag))
                _write(_plan(plan.by_tag[child.tag], tag), child, out)
                out.append("}")
            out.append("]")
        elif mode == _UNWRAPPED:
            wrapper, inner = payload
            items = [g for c in present.get(wrapper.name, ()) for g in c if g.tag == inner.name]
            if not items and not always:
                continue
            out.append(key if first else "," + key)
            out.append("[")
            inner_plan = _plan(inner, wrapper.name)
            for i, item in enumerate(items):
                if i:
                    out.append(",")
                _write(inner_plan, item, out)
            out.append("]")
        else:
            if not always:
                continue
            out.append(key if first else "," + key)
            out.append("null")
        first = False
    out.append("}")
