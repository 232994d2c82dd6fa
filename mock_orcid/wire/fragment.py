"""A subtree kept as the text it serialises to, in XML and in ORCID JSON.

A read builds its containers (groups, lists, the record) fresh, but the items inside them are
rendered once per change and embedded as ``Fragment`` nodes: the XML and JSON writers copy a
fragment's text instead of walking it. A fragment has no children of its own, so it exists
only inside a read that is being written; the renderer's public methods return whole trees.
"""
from __future__ import annotations

from xml.etree import ElementTree as ET


class Fragment(ET.Element):
    # xml: the element's XML with canonical prefixes and no namespace declarations;
    # json: its ORCID JSON value; namespaces: the URIs its XML uses, in document order.
    __slots__ = ("xml", "json", "namespaces")

    def __init__(self, tag: str, xml: str, json: str, namespaces: tuple[str, ...]):
        super().__init__(tag)
        self.xml = xml
        self.json = json
        self.namespaces = namespaces
