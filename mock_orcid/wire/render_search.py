"""ORCID's search answers: ``search:search`` (v2.x and v3.0), ``expanded-search:expanded-search``
(v3.0) in XML and JSON, and csv-search's CSV.

JSON is written here rather than by the schema-driven mapper because these classes are
mapped by hand in ORCID's model: expanded results hold bare strings (no ``{"value": …}``),
and a page with no hit says ``"result": null`` in v3.0 (the list is only created when the
first hit is added) but ``[]`` in v2.x.
"""
from __future__ import annotations

from xml.etree import ElementTree as ET

from ..registry.namespaces import NS, qn
from .render import C, Renderer, _sub

_SCALARS = (("given-names", "given-names"), ("family-names", "family-names"),
            ("credit-name", "credit-name"))
_LISTS = ("other-name", "email", "institution-name")


def _uri(renderer: Renderer, orcid: str, version: str) -> str:
    uri = "%s/%s" % (renderer.base_url, orcid)
    # API 2.0 still named people with http:// (its schema requires it); 2.1 moved to https.
    if version == "2.0" and uri.startswith("https://"):
        uri = "http://" + uri[len("https://"):]
    return uri


def search_element(renderer: Renderer, orcids: list[str], num_found: int,
                   version: str = "3.0") -> ET.Element:
    root = ET.Element(qn("search", "search"), {"num-found": str(num_found)})
    for orcid in orcids:
        ident = _sub(_sub(root, qn("search", "result")), C + "orcid-identifier")
        _sub(ident, C + "uri", _uri(renderer, orcid, version))
        _sub(ident, C + "path", orcid)
        _sub(ident, C + "host", renderer.host)
    return root


def search_json(renderer: Renderer, orcids: list[str], num_found: int, version: str = "3.0") -> dict:
    results = [{"orcid-identifier": {"uri": _uri(renderer, orcid, version), "path": orcid,
                                     "host": renderer.host}} for orcid in orcids]
    return {"result": results if results or version != "3.0" else None, "num-found": num_found}


def expanded_element(results: list[dict], num_found: int) -> ET.Element:
    ns = "{%s}" % NS["expanded-search"]
    root = ET.Element(ns + "expanded-search", {"num-found": str(num_found)})
    for result in results:
        node = _sub(root, ns + "expanded-result")
        _sub(node, ns + "orcid-id", result["orcid-id"])
        for key, tag in _SCALARS:
            if result[key] is not None:
                _sub(node, ns + tag, result[key])
        for key in _LISTS:
            for value in result[key]:
                _sub(node, ns + key, value)
    return root


def expanded_json(results: list[dict], num_found: int) -> dict:
    return {"expanded-result": results or None, "num-found": num_found}


def csv_text(columns: list[str], multi: list[bool], rows: list[list[list[str]]]) -> str:
    """Solr's CSV writer: a header row, "," between cells, a cell quoted only when it must be
    (quotes doubled), "\\n" line ends; a multi-valued field's values joined by "," with a
    backslash before any "," or "\\" inside a value."""
    lines = [",".join(_quote(c) for c in columns)]
    for row in rows:
        cells = []
        for values, is_multi in zip(row, multi):
            if is_multi:
                text = ",".join(v.replace("\\", "\\\\").replace(",", "\\,") for v in values)
            else:
                text = values[0] if values else ""
            cells.append(_quote(text))
        lines.append(",".join(cells))
    return "\n".join(lines) + "\n"


def _quote(text: str) -> str:
    if any(c in text for c in ',"\r\n') or text != text.strip():
        return '"%s"' % text.replace('"', '""')
    return text
