"""Element -> HTTP response in XML or ORCID JSON."""
from __future__ import annotations

from xml.etree import ElementTree as ET

from flask import Response

from ..wire import jsonmap, xmlio
from . import negotiation


def render_element(elem: ET.Element, mimetype: str, status: int = 200, headers=None,
                   set_name: str | None = None) -> Response:
    if negotiation.kind(mimetype) == "json":
        data = jsonmap.to_json_text(elem, set_name).encode("utf-8")
    else:
        data = xmlio.to_bytes(elem)
    return Response(data, status=status, headers=headers,
                    content_type="%s;charset=UTF-8" % mimetype)
