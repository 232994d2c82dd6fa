"""Helpers for the conformance suite (tests/test_conformance.py).

The suite compares *our* verdict (``mock_orcid.schemas``, built from ``xsd/``) with the
*official* verdict (ORCID's own XSDs in ``../shared/orcid-model``) for:

- every official sample document,
- a deterministic, seeded set of mutations of those samples (XML and JSON).

Nothing here depends on the project's XSDs: the official sets are built from the
reference folder with absolute paths, exactly as ``shared/docs/xsd-notes.md`` §3.3
describes (four sets, all ``XMLSchema11``).
"""
from __future__ import annotations

import copy
import json
import random
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Callable, Iterator
from xml.etree import ElementTree as ET

import xmlschema

from mock_orcid.registry.namespaces import NS, qn
from mock_orcid.wire import jsonmap, schemas, xmlio

OFFICIAL_MODEL = Path(__file__).resolve().parents[1].parent / "shared" / "orcid-model"

NOTIFICATION_NS = NS["notification"]
SEED = "mock-orcid conformance v1"  # changing it changes which mutations are drawn

# ------------------------------------------------------------------ official schema sets

# Official read samples that ORCID's own schemas reject; the defect is in the sample.
KNOWN_FAULTY_SAMPLES = {
    "record_3.0/samples/read_samples/peer-reviews-3.0.xml":
        "stale 2.x nesting: activities:group -> peer-review:summary, where 3.0 needs "
        "group/peer-review-group/peer-review-summary",
    "record_3.0/samples/read_samples/work-3.0.xml":
        "empty <work:journal-title/> fails common:string-1000's non-empty pattern",
}
# The element each faulty sample's first official error points at.
KNOWN_FAULTY_ERROR_AT = {
    "record_3.0/samples/read_samples/peer-reviews-3.0.xml": "summary",
    "record_3.0/samples/read_samples/work-3.0.xml": "journal-title",
}


def official_set_files(model: Path = OFFICIAL_MODEL) -> dict[str, list[Path]]:
    """The four official schema sets (xsd-notes §3.3), as absolute paths."""
    model = model.resolve()
    return {
        "record": sorted(model.glob("record_3.0/*.xsd"))
        + [model / "summary_3.0" / "summary-3.0.xsd", model / "common_3.0" / "common-3.0.xsd"],
        "group-id": [model / "client_3.0" / "client-3.0.xsd",
                     model / "group-id-3.0" / "group-id-3.0.xsd"],
        "notification-permission": [model / "notification_3.0" / "notification-permission-3.0.xsd"],
        "notification-custom": [model / "notification_3.0" / "notification-custom-3.0.xsd"],
    }


@cache
def _official_schemas(model: str) -> dict[str, xmlschema.XMLSchema11]:
    # allow="local": every schemaLocation resolves inside the folder; no remote loads.
    return {name: xmlschema.XMLSchema11([str(p) for p in files], allow="local")
            for name, files in official_set_files(Path(model)).items()}


def official_schemas(model: Path = OFFICIAL_MODEL) -> dict[str, xmlschema.XMLSchema11]:
    return _official_schemas(str(model.resolve()))


def pick_set(element: ET.Element) -> str:
    """Which set judges a document: by root namespace, notifications by notification-type.

    The same choice is used for the official and our schemas, so a disagreement is always
    about the schemas, never about the choice.
    """
    ns = element.tag[1:].split("}", 1)[0] if element.tag.startswith("{") else ""
    if ns == NOTIFICATION_NS:
        kind = element.find("{%s}notification-type" % NOTIFICATION_NS)
        text = (kind.text or "").strip() if kind is not None else ""
        return "notification-custom" if text == "custom" else "notification-permission"
    if ns in (NS["group-id"], NS["client"]):
        return "group-id"
    return "record"


def official_errors(element: ET.Element, set_name: str, model: Path = OFFICIAL_MODEL) -> list[str]:
    out = []
    for err in official_schemas(model)[set_name].iter_errors(element):
        out.append("%s: %s" % (err.path or "", err.reason or err.message))
        break
    return out


def official_ok(element: ET.Element, set_name: str, model: Path = OFFICIAL_MODEL) -> bool:
    return official_schemas(model)[set_name].is_valid(element)


def our_errors(element: ET.Element, set_name: str) -> list[str]:
    """Our verdict, through the same call the server uses (``schemas.errors``)."""
    return schemas.errors(element, set_name)


def our_ok(element: ET.Element, set_name: str) -> bool:
    return not our_errors(element, set_name)


# ------------------------------------------------------------------ official samples

# The API version these schema sets describe: the official folders of other versions (2.0,
# 2.1) have their own samples, checked against their own schema sets.
VERSION_FOLDERS = ("record_3.0", "common_3.0", "summary_3.0", "client_3.0", "group-id-3.0",
                   "notification_3.0")


def _samples(model: Path, suffix: str) -> list[str]:
    return sorted(str(p.relative_to(model)) for folder in VERSION_FOLDERS
                  for p in (model / folder).glob("samples/**/*" + suffix))


def xml_samples(model: Path = OFFICIAL_MODEL) -> list[str]:
    """Relative paths of every official 3.0 XML sample (81 in the pinned commit)."""
    return _samples(model, ".xml")


def load_xml(relpath: str, model: Path = OFFICIAL_MODEL) -> ET.Element:
    return xmlio.parse((model / relpath).read_bytes())


# JSON samples -> (root element, schema set).  The root comes from the endpoint the JSON
# would be posted to; file names mislead (keywords-3.0.json is ONE keyword).
_W = "record_3.0/samples/write_samples/"
JSON_SAMPLES: dict[str, tuple[str, str]] = {
    _W + "address-3.0.json": (qn("address", "address"), "record"),
    _W + "bulk-work-3.0.json": (qn("bulk", "bulk"), "record"),
    _W + "bulk-works-100-works-3.0.json": (qn("bulk", "bulk"), "record"),
    _W + "bulk-works-3-works-3.0.json": (qn("bulk", "bulk"), "record"),
    _W + "distinction-3.0.json": (qn("distinction", "distinction"), "record"),
    _W + "education-3.0.json": (qn("education", "education"), "record"),
    _W + "employment-3.0.json": (qn("employment", "employment"), "record"),
    _W + "external-identifier-3.0.json":
        (qn("external-identifier", "external-identifier"), "record"),
    _W + "funding-3.0-simple.json": (qn("funding", "funding"), "record"),
    _W + "funding-3.0-with-NISO-roles.json": (qn("funding", "funding"), "record"),
    _W + "invited-position-3.0.json": (qn("invited-position", "invited-position"), "record"),
    _W + "keywords-3.0.json": (qn("keyword", "keyword"), "record"),
    _W + "membership-3.0.json": (qn("membership", "membership"), "record"),
    _W + "other-names-3.0.json": (qn("other-name", "other-name"), "record"),
    _W + "peer-review-full-3.0-award-subject-type.json":
        (qn("peer-review", "peer-review"), "record"),
    _W + "peer-review-full-3.0-research-resource.json":
        (qn("peer-review", "peer-review"), "record"),
    _W + "peer-review-full-3.0.json": (qn("peer-review", "peer-review"), "record"),
    _W + "peer-review-group-id.json": (qn("group-id", "group-id-record"), "group-id"),
    _W + "peer-review-simple-3.0.json": (qn("peer-review", "peer-review"), "record"),
    _W + "qualification-3.0.json": (qn("qualification", "qualification"), "record"),
    _W + "research-resource-3.0.json":
        (qn("research-resource", "research-resource"), "record"),
    _W + "researcher-url-3.0.json": (qn("researcher-url", "researcher-url"), "record"),
    _W + "researcher-url-no-name-3.0.json":
        (qn("researcher-url", "researcher-url"), "record"),
    _W + "service-3.0.json": (qn("service", "service"), "record"),
    _W + "work-51-contributors-3.0.json": (qn("work", "work"), "record"),
    _W + "work-full-3.0.json": (qn("work", "work"), "record"),
    _W + "work-with-NISO-roles-51-contributors-3.0.json": (qn("work", "work"), "record"),
    "record_3.0/samples/read_samples/record-full-3.0.json": (qn("record", "record"), "record"),
}


def json_sample_files(model: Path = OFFICIAL_MODEL) -> list[str]:
    return _samples(model, ".json")


def load_json(relpath: str, model: Path = OFFICIAL_MODEL) -> Any:
    return json.loads((model / relpath).read_text(encoding="utf-8"))


def canonical(element: ET.Element) -> str:
    """C14N text: attribute order and prefix choice do not matter, content does."""
    return ET.canonicalize(ET.tostring(element, encoding="unicode"))


# ------------------------------------------------------------------ XML mutations

@dataclass
class Mutation:
    base: str          # the sample it was derived from
    kind: str          # category, e.g. "delete", "enum"
    where: str         # readable path of the mutated node
    detail: str        # what was done
    element: ET.Element

    @property
    def label(self) -> str:
        return "%s | %s %s | %s" % (self.base, self.kind, self.where, self.detail)


# Elements and attributes whose text is an enumeration in ORCID (in the XSD or only in
# ORCID's Java code; for the latter both schema sets must agree that any string passes).
ENUM_ELEMENTS = frozenset({
    "type", "relationship", "external-id-type", "external-id-relationship", "citation-type",
    "notification-type", "contributor-sequence", "contributor-role", "role", "subject-type",
    "reviewer-role", "review-type", "disambiguation-source", "country", "language-code",
    "creation-method", "locale", "visibility", "subject-external-identifier",
    "verification-status", "host", "status", "subject-container-name", "grant-type",
    "workflow-type", "proposition-type", "action-type", "scope", "authorization-path",
    "redirect-uri-type", "funding-type", "title-type", "resource-type",
})
ENUM_ATTRIBUTES = frozenset({
    "visibility", "language-code", "currency-code", "type", "transient", "scope",
})
# Over-long texts: at and one past every maxLength a schema declares for the leaf, plus
# these when no limit is known (every maxLength in the official XSDs, and one past each).
LENGTHS = (150, 151, 200, 201, 255, 256, 350, 351, 500, 501, 1000, 1001, 2084, 2085,
           4000, 4001, 5000, 5001)
LONGEST = 10001
DATETIME_RE = re.compile(r"^\s*\d{4}-\d\d-\d\dT")
DATE_RE = re.compile(r"^\s*\d{4}-\d\d-\d\d\s*$")
BAD_FUZZY = {
    "year": ("99999", "0000", "20", "-2020", "2020.0"),
    "month": ("13", "00", "1", "012"),
    "day": ("32", "00", "1", "31x"),
}
BAD_DATETIMES = ("2020-13-01T00:00:00", "2020-02-30T00:00:00", "2020-01-32T00:00:00Z",
                 "99999-01-01T00:00:00", "2020-01-01", "2020-01-01T24:00:01",
                 "2020-01-01T00:00:00+25:00", "1540896558250", " 2020-01-01T00:00:00.000Z\n\t")
BAD_DATES = ("2020-13-01", "2020-01-32", "99999-01-01", "2020-1-1", " 2020-01-01 ")
BAD_ATTRIBUTE_VALUES = ("junk value", "", "-1", "0", "1.5", " 7 ", "99999999999999999999",
                        "PUBLIC")
FOREIGN_NS = "http://example.org/not-orcid"

# How many mutations of each kind are drawn per base document (the pools are larger).
KIND_CAP = {
    "delete": 6, "duplicate": 5, "swap": 4, "text": 6, "long": 3, "length-limit": 6,
    "enum": 6, "date": 5, "attr-drop": 3, "attr-alter": 4, "attr-unknown": 1, "unknown-element": 3, "root-ns": 2,
}


def _lengths(limits) -> tuple[int, ...]:
    if not limits:
        return LENGTHS + (LONGEST,)
    return tuple(sorted({n for lim in limits for n in (lim, lim + 1)}))


def _simple_type(xsd_type):
    if xsd_type.is_simple():
        return xsd_type
    return xsd_type.content if xsd_type.has_simple_content() else None


def length_limits(root: ET.Element, *schema_sets) -> dict[tuple[int, ...], set[int]]:
    """For each leaf of ``root`` (by child-index path): the maxLength of its declared type
    in each given schema (official and ours), following the element declarations."""
    out: dict[tuple[int, ...], set[int]] = {}
    for sch in schema_sets:
        try:
            decl = sch.maps.elements[root.tag]
        except KeyError:
            continue
        stack = [((), root, decl)]
        while stack:
            path, el, decl = stack.pop()
            simple = _simple_type(decl.type)
            if simple is not None:
                limit = getattr(simple, "max_length", None)
                if limit is not None:
                    out.setdefault(path, set()).add(limit)
                continue
            children = {}
            for child_decl in decl.type.content.iter_elements():
                if hasattr(child_decl, "name") and child_decl.name:
                    children.setdefault(child_decl.name, child_decl)
            for i, child in enumerate(el):
                if child.tag in children:
                    stack.append((path + (i,), child, children[child.tag]))
    return out


def _qname(tag: str) -> str:
    if tag.startswith("{"):
        ns, local = tag[1:].split("}", 1)
        prefix = ns.rsplit("/", 1)[-1] if ns.startswith("http://www.orcid.org/ns/") else "?"
        return "%s:%s" % (prefix, local)
    return tag


def _walk(root: ET.Element) -> Iterator[tuple[tuple[int, ...], ET.Element]]:
    stack = [((), root)]
    while stack:
        path, el = stack.pop()
        yield path, el
        for i in range(len(el) - 1, -1, -1):
            stack.append((path + (i,), el[i]))


def _node(root: ET.Element, path: tuple[int, ...]) -> ET.Element:
    el = root
    for i in path:
        el = el[i]
    return el


def _readable(root: ET.Element, path: tuple[int, ...]) -> str:
    parts, el = [_qname(root.tag)], root
    for i in path:
        el = el[i]
        parts.append("%s[%d]" % (_qname(el.tag), i))
    return "/" + "/".join(parts)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _ns(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def _enum_breaks(value: str) -> list[tuple[str, str]]:
    v = value.strip()
    out = [("bogus", "no-such-value"), ("upper", v.upper()),
           ("constant", v.upper().replace("-", "_")), ("title", v.title()),
           ("padded", " %s " % v), ("spaced", v.replace("-", " "))]
    return [(name, new) for name, new in out if new != value]


Op = Callable[[ET.Element], None]  # edits a deep copy of the root in place


def _candidates(root: ET.Element, limits: dict | None = None
                ) -> Iterator[tuple[str, tuple[int, ...], str, Op]]:
    """Every mutation of ``root``, as (kind, path, detail, op); op edits a deep copy.

    ``limits`` maps a leaf's path to the maxLength values the schemas declare for it (see
    ``length_limits``); over-long texts then hit exactly those boundaries.
    """
    limits = limits or {}
    for path, el in _walk(root):
        local = _local(el.tag)
        is_leaf = len(el) == 0
        text = el.text or ""
        if path:
            parent_path, idx = path[:-1], path[-1]

            def delete(r, p=parent_path, i=idx):
                parent = _node(r, p)
                parent.remove(parent[i])
            yield "delete", path, "delete element", delete

            def duplicate(r, p=parent_path, i=idx):
                parent = _node(r, p)
                parent.insert(i + 1, copy.deepcopy(parent[i]))
            yield "duplicate", path, "duplicate element", duplicate

        for i in range(len(el) - 1):
            if el[i].tag != el[i + 1].tag:
                def swap(r, pp=path, i=i):
                    parent = _node(r, pp)
                    a, b = parent[i], parent[i + 1]
                    parent.remove(a)
                    parent.insert(i + 1, a)
                yield "swap", path + (i,), "swap with next sibling %s" % _qname(el[i + 1].tag), swap

        if is_leaf:
            for name, new in (("junk", "§ junk ✗ <&>"), ("empty", ""), ("blank", "   \n\t "),
                              ("padded", "  %s \n\t" % text), ("inner-space", text + " x")):
                def set_text(r, pp=path, new=new):
                    _node(r, pp).text = new
                yield "text", path, "text -> %s %r" % (name, new[:30]), set_text
            kind = "length-limit" if limits.get(path) else "long"
            for length in _lengths(limits.get(path)):
                new = (text + "x" * length)[:length]

                def set_long(r, pp=path, new=new):
                    _node(r, pp).text = new
                yield kind, path, "text -> %d chars" % length, set_long
            if local in ENUM_ELEMENTS and text.strip():
                for name, new in _enum_breaks(text):
                    def set_enum(r, pp=path, new=new):
                        _node(r, pp).text = new
                    yield "enum", path, "enum %s -> %r" % (name, new), set_enum
            dates: tuple[str, ...] = ()
            if local in BAD_FUZZY:
                dates = BAD_FUZZY[local]
            elif DATETIME_RE.match(text):
                dates = BAD_DATETIMES
            elif DATE_RE.match(text):
                dates = BAD_DATES
            for new in dates:
                def set_date(r, pp=path, new=new):
                    _node(r, pp).text = new
                yield "date", path, "date -> %r" % new, set_date

        for attr in sorted(el.attrib):
            def drop(r, pp=path, attr=attr):
                del _node(r, pp).attrib[attr]
            yield "attr-drop", path, "drop @%s" % attr, drop
            values = list(BAD_ATTRIBUTE_VALUES)
            if _local(attr) in ENUM_ATTRIBUTES:
                values += [new for _, new in _enum_breaks(el.get(attr))]
            for new in values:
                def alter(r, pp=path, attr=attr, new=new):
                    _node(r, pp).set(attr, new)
                yield "attr-alter", path, "@%s -> %r" % (attr, new), alter

        def add_attr(r, pp=path):
            _node(r, pp).set("no-such-attribute", "x")
        yield "attr-unknown", path, "add @no-such-attribute", add_attr

        for ns, where in ((_ns(el.tag), "last"), (FOREIGN_NS, "first")):
            def insert(r, pp=path, ns=ns, where=where):
                node = _node(r, pp)
                extra = ET.Element("{%s}no-such-element" % ns if ns else "no-such-element")
                extra.text = "x"
                if where == "last":
                    node.append(extra)
                else:
                    node.insert(0, extra)
            yield "unknown-element", path, "insert unknown element (%s ns) as %s child" % (
                "foreign" if ns == FOREIGN_NS else "same", where), insert

    root_ns = _ns(root.tag)
    other = NS["work"] if root_ns != NS["work"] else NS["funding"]
    for new_ns in ("http://www.orcid.org/ns/no-such-namespace", "", other, FOREIGN_NS,
                   root_ns.replace("http://", "https://")):
        def rename(r, new_ns=new_ns):
            r.tag = ("{%s}%s" % (new_ns, _local(r.tag))) if new_ns else _local(r.tag)
        yield "root-ns", (), "root namespace -> %r" % new_ns, rename


def xml_mutations(bases: dict[str, ET.Element], seed: str = SEED,
                  caps: dict[str, int] = KIND_CAP, schema_sets=None) -> list[Mutation]:
    """Seeded, stable selection of mutations of each base document.

    ``schema_sets(root)`` may return the schemas whose maxLength boundaries the over-long
    texts should probe.  For each (base, kind) the candidate pool is built in document order, then
    ``caps[kind]`` candidates are drawn with a generator seeded by (seed, base, kind), so the
    selection and the total do not depend on dict order or on other bases.
    """
    out: list[Mutation] = []
    for base in sorted(bases):
        root = bases[base]
        pools: dict[str, list] = {}
        sets = schema_sets(root) if schema_sets else ()
        for cand in _candidates(root, length_limits(root, *sets)):
            pools.setdefault(cand[0], []).append(cand)
        for kind in sorted(pools):
            pool = pools[kind]
            rng = random.Random("%s|%s|%s" % (seed, base, kind))
            chosen = sorted(rng.sample(range(len(pool)), min(caps.get(kind, 0), len(pool))))
            for i in chosen:
                _, path, detail, op = pool[i]
                mutated = copy.deepcopy(root)
                where = _readable(root, path)
                op(mutated)
                out.append(Mutation(base, kind, where, detail, mutated))
    return out


# ------------------------------------------------------------------ JSON mutations

@dataclass
class JsonMutation:
    base: str
    kind: str
    where: str
    detail: str
    data: Any

    @property
    def label(self) -> str:
        return "%s | %s %s | %s" % (self.base, self.kind, self.where, self.detail)


JSON_ENUM_KEYS = ENUM_ELEMENTS | ENUM_ATTRIBUTES
# Odd but representable epoch-millisecond values, and strings where millis are expected.
IN_RANGE_BAD_TIMESTAMPS = (-1, 0, 253402300799999, -62135596800000, 1.5,
                           "2020-13-01T00:00:00", "not-a-date", "")
# Millisecond values no xs:dateTime year 1..9999 can hold (and NaN/Infinity, which
# Python's json.loads accepts).  The converter must reject them, not crash.
OUT_OF_RANGE_TIMESTAMPS = (253402300800000, -62135596800001, 10 ** 17, 10 ** 20,
                           float("nan"), float("inf"))
JSON_KIND_CAP = {"drop-key": 8, "unknown-key": 3, "wrong-type": 8, "enum": 8, "date": 4,
                 "null": 3}


def _json_walk(data, path=()):
    yield path, data
    if isinstance(data, dict):
        for key in data:
            yield from _json_walk(data[key], path + (key,))
    elif isinstance(data, list):
        for i, item in enumerate(data):
            yield from _json_walk(item, path + (i,))


def _json_get(data, path):
    for p in path:
        data = data[p]
    return data


def _json_where(path) -> str:
    return "".join("[%d]" % p if isinstance(p, int) else "." + p for p in path) or "."


def _wrong_types(value) -> list[tuple[str, Any]]:
    if isinstance(value, bool):
        return [("bool->string", "maybe"), ("bool->object", {"value": True})]
    if isinstance(value, (int, float)):
        return [("number->string", "not-a-number"), ("number->object", {"n": value}),
                ("number->negative", -abs(value) - 1), ("number->fraction", value + 0.5),
                ("number->large", 2 ** 31)]
    if isinstance(value, str):
        return [("string->number", 12345), ("string->bool", True),
                ("string->object", {"unexpected": value}), ("string->list", [value, value])]
    if isinstance(value, dict):
        return [("object->string", "a string"), ("object->number", 7),
                ("object->list", [value, value]), ("object->empty", {})]
    if isinstance(value, list):
        return [("list->string", "a string"), ("list->empty", [])]
    return []


def _json_candidates(data) -> Iterator[tuple[str, tuple, str, Any]]:
    """(kind, path, detail, new value or _DROP) for every JSON mutation of ``data``."""
    for path, value in _json_walk(data):
        if isinstance(value, dict):
            for key in value:
                yield "drop-key", path + (key,), "drop key %r" % key, _DROP
            yield "unknown-key", path + ("no-such-field",), "add unknown key", "x"
        if path:
            key = next((p for p in reversed(path) if isinstance(p, str)), "")
            if value is not None:
                for name, new in _wrong_types(value):
                    yield "wrong-type", path, name, new
                yield "null", path, "set to null", None
            text = value.get("value") if isinstance(value, dict) else value
            target = path + ("value",) if isinstance(value, dict) and "value" in value else path
            if key in JSON_ENUM_KEYS and isinstance(text, str) and text:
                for name, new in _enum_breaks(text):
                    yield "enum", target, "enum %s -> %r" % (name, new), new
            if key in BAD_FUZZY and isinstance(text, str):
                for new in BAD_FUZZY[key]:
                    yield "date", target, "fuzzy date -> %r" % new, new
            if key.endswith("-date") and isinstance(text, int) and not isinstance(text, bool):
                for new in IN_RANGE_BAD_TIMESTAMPS:
                    yield "date", target, "timestamp -> %r" % (new,), new


class _Drop:
    def __repr__(self):
        return "<drop>"


_DROP = _Drop()


def _json_apply(data, path, new):
    out = copy.deepcopy(data)
    parent = _json_get(out, path[:-1])
    if new is _DROP:
        del parent[path[-1]]
    else:
        parent[path[-1]] = new
    return out


def json_mutations(bases: dict[str, Any], seed: str = SEED,
                   caps: dict[str, int] = JSON_KIND_CAP) -> list[JsonMutation]:
    out: list[JsonMutation] = []
    for base in sorted(bases):
        data = bases[base]
        pools: dict[str, list] = {}
        for cand in _json_candidates(data):
            pools.setdefault(cand[0], []).append(cand)
        for kind in sorted(pools):
            pool = pools[kind]
            rng = random.Random("%s|json|%s|%s" % (seed, base, kind))
            for i in sorted(rng.sample(range(len(pool)), min(caps.get(kind, 0), len(pool)))):
                _, path, detail, new = pool[i]
                out.append(JsonMutation(base, kind, _json_where(path), detail,
                                        _json_apply(data, path, new)))
    return out


def json_verdicts(data, tag: str, set_name: str,
                  model: Path = OFFICIAL_MODEL) -> tuple[bool, bool, str]:
    """(ours ok, official ok, note) for a JSON body posted where ``tag`` is expected.

    Both pipelines share ``jsonmap.to_element``; a JsonShapeError is a rejection by both.
    Any other exception propagates: the converter must never crash on a client's JSON.
    """
    try:
        element = jsonmap.to_element(data, tag, set_name)
    except jsonmap.JsonShapeError as exc:
        return False, False, "JsonShapeError: %s" % exc
    ours = our_errors(element, set_name)
    official = official_errors(element, set_name, model)
    return not ours, not official, (ours or official or [""])[0]


def boundary_schemas(model: Path = OFFICIAL_MODEL):
    """``schema_sets`` for ``xml_mutations``: probe both the official and our maxLengths."""
    def sets(root: ET.Element):
        name = pick_set(root)
        return official_schemas(model)[name], schemas.schema(name)
    return sets
