"""XML text for an element tree: the same bytes ``ElementTree.tostring`` writes (namespace
declarations on the root, sorted by prefix; canonical prefixes; ``" />"`` for empty elements),
in one pass, and with ``Fragment`` nodes copied as text instead of walked."""
from __future__ import annotations

import re
from xml.etree import ElementTree as ET

from .fragment import Fragment

HEADER = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

# Clark name -> "prefix:local" for names in registered namespaces (the registry's table and
# ElementTree's own); filled as names are met.
_QNAMES: dict[str, str] = {}


# What XML 1.0 cannot carry: C0 controls but tab/LF/CR, lone surrogates, U+FFFE and U+FFFF.
# Nothing such is stored, but a character that slipped through must not make a whole answer
# unreadable: it is written as U+FFFD.
ILLEGAL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


# ElementTree's escaping: text escapes &, < and >; an attribute also quotes and whitespace.
_TEXT_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"))
_ATTR_ESCAPES = _TEXT_ESCAPES + (('"', "&quot;"), ("\r", "&#13;"), ("\n", "&#10;"),
                                 ("\t", "&#09;"))


def _escaped(text: str, escapes) -> str:
    if ILLEGAL_CHARS.search(text):
        text = ILLEGAL_CHARS.sub("\ufffd", text)
    for char, entity in escapes:
        if char in text:
            text = text.replace(char, entity)
    return text


def _escape_text(text: str) -> str:
    return _escaped(text, _TEXT_ESCAPES)


def _escape_attr(text: str) -> str:
    return _escaped(text, _ATTR_ESCAPES)


class _Names:
    """Prefixes for one document: registered ones, else ns0, ns1... in order of first use
    (ElementTree's rule), and the namespaces the root has to declare."""

    __slots__ = ("declared", "local")

    def __init__(self):
        self.declared: dict[str, str] = {}     # uri -> prefix
        self.local: dict[str, str] = {}        # Clark name -> qname for unregistered uris

    def qname(self, name: str) -> str:
        if name[:1] != "{":
            return name
        uri, local = name[1:].rsplit("}", 1)
        prefix = self.declared.get(uri)
        if prefix is None:
            prefix = ET._namespace_map.get(uri)
            if prefix is None:
                prefix = "ns%d" % len(self.declared)
            if prefix != "xml":
                self.declared[uri] = prefix
        return "%s:%s" % (prefix, local) if prefix else local

    def use(self, uri: str) -> None:
        if uri not in self.declared:
            prefix = ET._namespace_map.get(uri)
            if prefix is not None and prefix != "xml":
                self.declared[uri] = prefix


def registered(uri: str) -> bool:
    return uri in ET._namespace_map


def to_text(elem: ET.Element, declare: bool = True) -> tuple[str, tuple[str, ...]]:
    """The element's XML (no header) and the namespace URIs it uses in first-use order.
    Without ``declare`` the root carries no xmlns attributes (for a fragment)."""
    names = _Names()
    # ElementTree meets the root's name and attributes before its children's: same order.
    tag = names.qname(elem.tag)
    attrs = [(names.qname(key), value) for key, value in elem.items()]
    parts: list[str] = []
    _write_children(elem, names, parts)
    start = "<" + tag
    if declare and names.declared:
        start += "".join(' xmlns%s="%s"' % (":" + prefix if prefix else "", _escape_attr(uri))
                         for uri, prefix in sorted(names.declared.items(), key=lambda kv: kv[1]))
    for key, value in attrs:
        start += ' %s="%s"' % (key, _escape_attr(value))
    text = elem.text
    if text or parts:
        out = start + ">" + (_escape_text(text) if text else "") + "".join(parts) + "</" + tag + ">"
    else:
        out = start + " />"
    if elem.tail:
        out += _escape_text(elem.tail)
    return out, tuple(names.declared)


def _write_children(parent: ET.Element, names: _Names, parts: list) -> None:
    for elem in parent:
        if type(elem) is Fragment:
            for uri in elem.namespaces:
                names.use(uri)
            parts.append(elem.xml)
            continue
        tag = _QNAMES.get(elem.tag)
        if tag is None:
            tag = names.qname(elem.tag)
            if elem.tag[:1] == "{" and registered(elem.tag[1:].split("}", 1)[0]):
                _QNAMES[elem.tag] = tag
        else:
            names.use(elem.tag[1:].split("}", 1)[0])
        parts.append("<" + tag)
        if elem.attrib:
            for key, value in elem.items():
                parts.append(' %s="%s"' % (names.qname(key), _escape_attr(value)))
        text = elem.text
        if text or len(elem):
            parts.append(">")
            if text:
                parts.append(_escape_text(text))
            _write_children(elem, names, parts)
            parts.append("</" + tag + ">")
        else:
            parts.append(" />")
        if elem.tail:
            parts.append(_escape_text(elem.tail))


def declarations(namespaces) -> str:
    """xmlns attributes for registered namespace URIs, sorted by prefix as ElementTree does."""
    return "".join(' xmlns:%s="%s"' % (ET._namespace_map[uri], _escape_attr(uri))
                   for uri in sorted(namespaces, key=lambda u: ET._namespace_map[u]))


def fragment_document(frag: Fragment) -> str:
    """A fragment as the text of a document: its namespaces declared on its root, which is
    where ElementTree puts them (after the name, before the attributes)."""
    xml = frag.xml
    end = 1
    while end < len(xml) and xml[end] not in " />":
        end += 1
    return xml[:end] + declarations(frag.namespaces) + xml[end:]


def to_bytes(elem: ET.Element) -> bytes:
    if type(elem) is Fragment:
        return (HEADER + fragment_document(elem)).encode("utf-8")
    text, _namespaces = to_text(elem)
    return (HEADER + text).encode("utf-8")
