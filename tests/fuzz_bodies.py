"""Hypothesis strategies for the fuzz test: ORCID's official write samples (read from
../shared/orcid-model), mutated the way a buggy or hostile client would, as XML and JSON.

Each strategy draws a ``Sample`` (which endpoint it belongs to, its format and text) and
a list of mutations; the result is the bytes to send. Mutations are structural (drop,
duplicate, retag, re-type a value, add attributes) and textual (odd characters, huge numbers,
impossible dates, truncation, stray bytes), so both the parser and the rules get exercised.
"""
from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

from hypothesis import strategies as st

MODEL = Path(__file__).resolve().parents[1].parent / "shared" / "orcid-model"
WRITE_SAMPLES = MODEL / "record_3.0" / "samples" / "write_samples"

# file name prefix -> the path under /v3.0/{orcid} (None: not a member-API record write)
_ENDPOINTS = [
    ("bulk-", "/works"), ("work-", "/work"), ("funding-", "/funding"),
    ("peer-review-group-id", None), ("peer-review-", "/peer-review"),
    ("research-resource-", "/research-resource"), ("researcher-url", "/researcher-urls"),
    ("other-name", "/other-names"), ("keyword", "/keywords"), ("address-", "/address"),
    ("external-identifier-", "/external-identifiers"), ("distinction-", "/distinction"),
    ("education-", "/education"), ("employment-", "/employment"),
    ("invited-position-", "/invited-position"), ("membership-", "/membership"),
    ("qualification-", "/qualification"), ("service-", "/service"),
]


@dataclass(frozen=True)
class Sample:
    name: str
    route: str          # "/work", ... or "group-id-record" or "notification-permission"
    fmt: str            # "xml" or "json"
    text: str


def load_samples() -> list[Sample]:
    out = []
    if not WRITE_SAMPLES.is_dir():
        return out
    for path in sorted(WRITE_SAMPLES.iterdir()):
        route = next((r for prefix, r in _ENDPOINTS if path.name.startswith(prefix)), "?")
        if route == "?":
            continue
        if route is None:
            route = "group-id-record"
        out.append(Sample(path.name, route, path.suffix[1:], path.read_text("utf-8")))
    group = MODEL / "group-id-3.0" / "samples" / "group-id-3.0.xml"
    if group.is_file():
        out.append(Sample(group.name, "group-id-record", "xml", group.read_text("utf-8")))
    permission = MODEL / "notification_3.0" / "samples" / "notification-permission-3.0.xml"
    if permission.is_file():
        out.append(Sample(permission.name, "notification-permission", "xml",
                          permission.read_text("utf-8")))
    return out


# ------------------------------------------------------------------ hostile values
NASTY_TEXT = [
    "", " ", "\ud800", "a\udfffb", "\x00", "\x01", "\x0b", "\x1f", "\ufffe", "\uffff", "\u2028",
    "\u202e", "<b>x</b>", "&amp;", "]]>", "'\"", "\\", "💥" * 50, "a" * 20_000, "1" * 5_000,
    "1" * 5_000 + "x", "-1", "0", "9" * 20, "10000-01-01T00:00:00Z", "-0001-01-01T00:00:00Z",
    "2020-01-01T24:00:00Z", "2020-02-30", "NaN", "Infinity", "1e400", "²", "٣", "arXiv:" + "a" * 5000,
    "issn:" + "1" * 500, "https://" + "a" * 3000, "javascript:alert(1)", "%00", "..%2f..%2f",
    "public", "private", "limited", "registered-only", "self", "part-of",
]
NASTY_NUMBERS = [0, -1, 1, 2 ** 31, 2 ** 63, 10 ** 400, -(10 ** 400), 1.5, 1e308, -0.0]
NASTY_ATTRIBUTES = [
    ("put-code", "1"), ("put-code", "abc"), ("put-code", "9" * 30), ("visibility", "everyone"),
    ("visibility", "private"), ("path", "/x"), ("display-index", "-5"),
    ("{http://www.w3.org/2001/XMLSchema-instance}type", "common:external-id"),
    ("{http://www.w3.org/2001/XMLSchema-instance}nil", "true"), ("junk", "x"),
    ("{http://example.org/ns}odd", "\u202e"),
]
ENCODINGS = ["UTF-8", "utf-16", "ISO-8859-1", "US-ASCII", "foo", "utf-7", "utf-32", "EBCDIC-CP-US"]

texts = st.one_of(st.sampled_from(NASTY_TEXT), st.text(max_size=40),
                  st.text(st.characters(min_codepoint=0, max_codepoint=0xFFFF), max_size=10))


def _scalars():
    return st.one_of(st.none(), st.booleans(), st.sampled_from(NASTY_NUMBERS), texts,
                     st.integers(), st.floats(allow_nan=False, allow_infinity=False))


json_values = st.recursive(_scalars(), lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(texts, inner, max_size=3)), max_leaves=8)


# ------------------------------------------------------------------ XML mutations
def _elements(root):
    return list(root.iter())


@st.composite
def xml_mutation(draw, root):
    """Change the parsed document in place; returns a description for the failure report."""
    nodes = _elements(root)
    node = draw(st.sampled_from(nodes))
    kind = draw(st.sampled_from(["text", "drop", "duplicate", "attribute", "retag", "nest",
                                 "empty", "text"]))
    if kind == "text":
        node.text = draw(texts)
    elif kind == "drop" and node is not root:
        parent = next(p for p in nodes if node in list(p))
        parent.remove(node)
    elif kind == "duplicate" and node is not root:
        parent = next(p for p in nodes if node in list(p))
        parent.insert(list(parent).index(node), copy.deepcopy(node))
    elif kind == "attribute":
        name, value = draw(st.sampled_from(NASTY_ATTRIBUTES))
        node.set(name, value)
    elif kind == "retag":
        ns = node.tag[1:].split("}")[0] if node.tag.startswith("{") else ""
        local = draw(st.sampled_from(["title", "external-id", "work", "bogus", "put-code",
                                      "source", "created-date", "amount", "year"]))
        other_ns = draw(st.sampled_from([ns, "http://www.orcid.org/ns/common",
                                         "http://www.orcid.org/ns/work", "urn:nowhere"]))
        node.tag = "{%s}%s" % (other_ns, local)
    elif kind == "nest":
        node.append(copy.deepcopy(draw(st.sampled_from(nodes[:12]))))
    elif kind == "empty":
        node.text = None
        for child in list(node):
            node.remove(child)
    return "%s %s" % (kind, node.tag)


@st.composite
def byte_mutation(draw, data: bytes):
    kind = draw(st.sampled_from(["none", "none", "truncate", "insert", "declaration", "flip"]))
    if kind == "truncate" and data:
        return data[:draw(st.integers(0, len(data) - 1))]
    if kind == "insert":
        at = draw(st.integers(0, len(data)))
        junk = draw(st.sampled_from([b"\x00", b"<", b"&", b"&#1;", b"&#xD800;", b"\xff\xfe",
                                     b"\xed\xa0\x80", b"<!DOCTYPE x [<!ENTITY a 'b'>]>", b"]]>",
                                     b"{", b"\"", b"[" * 2000, b"\xc3"]))
        return data[:at] + junk + data[at:]
    if kind == "declaration":
        body = re.sub(rb"^\s*<\?xml[^>]*\?>", b"", data)
        return ('<?xml version="1.0" encoding="%s"?>' % draw(st.sampled_from(ENCODINGS))
                ).encode() + body
    if kind == "flip" and data:
        at = draw(st.integers(0, len(data) - 1))
        return data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1:]
    return data


@st.composite
def mutated_xml(draw, sample: Sample):
    root = ET.fromstring(sample.text.encode("utf-8"))
    notes = [draw(xml_mutation(root)) for _ in range(draw(st.integers(0, 3)))]
    data = ET.tostring(root, encoding="utf-8")
    return draw(byte_mutation(data)), notes


# ------------------------------------------------------------------ JSON mutations
def _containers(value, out=None):
    out = [] if out is None else out
    if isinstance(value, (dict, list)):
        out.append(value)
        for child in (value.values() if isinstance(value, dict) else value):
            _containers(child, out)
    return out


@st.composite
def json_mutation(draw, data):
    holders = _containers(data)
    holder = draw(st.sampled_from(holders))
    keys = list(holder) if isinstance(holder, dict) else list(range(len(holder)))
    kind = draw(st.sampled_from(["value", "value", "drop", "add", "wrap", "retype"]))
    if kind == "add" or not keys:
        if isinstance(holder, dict):
            holder[draw(st.sampled_from(["put-code", "source", "created-date", "visibility",
                                         "bogus", "path"]) | texts)] = draw(json_values)
        else:
            holder.append(draw(json_values))
        return "add"
    key = draw(st.sampled_from(keys))
    if kind == "value":
        holder[key] = draw(json_values)
    elif kind == "drop":
        del holder[key]
    elif kind == "wrap":
        holder[key] = [holder[key]] if draw(st.booleans()) else {"value": holder[key]}
    elif kind == "retype":
        value = holder[key]
        holder[key] = (json.dumps(value) if not isinstance(value, str)
                       else draw(st.sampled_from([None, 1, [], {}, True, [value]])))
    return "%s %r" % (kind, key)


@st.composite
def mutated_json(draw, sample: Sample):
    data = json.loads(sample.text)
    notes = [draw(json_mutation(data)) for _ in range(draw(st.integers(0, 3)))]
    text = json.dumps(data, allow_nan=True)     # NaN/Infinity: not JSON, ORCID says 400
    kind = draw(st.sampled_from(["none", "none", "none", "truncate", "insert", "deep"]))
    raw = text.encode("utf-8", "surrogatepass")
    if kind == "truncate" and raw:
        raw = raw[:draw(st.integers(0, len(raw) - 1))]
    elif kind == "insert":
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + draw(st.sampled_from([b"\x00", b"\\ud800", b"\xed\xa0\x80", b",",
                                               b"}", b"\xff"])) + raw[at:]
    elif kind == "deep":
        depth = draw(st.sampled_from([50, 999, 5000]))
        raw = raw.replace(b"{", b'{"x":' + b"[" * depth + b"1" + b"]" * depth + b",", 1)
    return raw, notes + [kind]


def mutated_body(sample: Sample):
    return mutated_xml(sample) if sample.fmt == "xml" else mutated_json(sample)
