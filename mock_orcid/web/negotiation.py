"""Content negotiation as ORCID's AcceptFilter does it (facts §1.2)."""
from __future__ import annotations

from flask import Request
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from ..registry.errors import OrcidError

# Server preference order (ORCID's qs values: vnd.orcid+xml 0.5 ... application/json last).
ORCID_TYPES = (
    "application/vnd.orcid+xml", "application/vnd.orcid+json", "application/orcid+xml",
    "application/orcid+json", "application/xml", "application/json",
)


def kind(mimetype: str) -> str:
    return "json" if mimetype.endswith("json") else "xml"


def request_type(request: Request) -> str | None:
    mimetype = (request.mimetype or "").lower()
    return mimetype if mimetype in ORCID_TYPES else None


# Clients send the same few Accept headers again and again: the answer per header is kept
# (bounded in count and header length; emptied when full) so a request does not parse and
# match it again.
_CHOSEN: dict[str, str | None] = {}
_CHOSEN_MAX = 512
_CHOSEN_MAX_HEADER = 512


def response_type(request: Request, default: str = "application/vnd.orcid+xml") -> str:
    """The media type to answer with; raises 406 (rendered as XML) when nothing fits."""
    header = request.environ.get("HTTP_ACCEPT", "")
    accept = header.strip()
    if not accept or accept == "*/*":
        return request_type(request) or default
    try:
        best = _CHOSEN[header]
    except KeyError:
        best = accepted(request).best_match(ORCID_TYPES)
        if len(header) <= _CHOSEN_MAX_HEADER:
            if len(_CHOSEN) >= _CHOSEN_MAX:
                _CHOSEN.clear()
            _CHOSEN[header] = best
    if best is None:
        raise OrcidError(9001, "None of the requested media types (%s) can be produced; use one "
                         "of %s" % (accept[:200], ", ".join(ORCID_TYPES)), status=406)
    return best


def accepted(request: Request) -> MIMEAccept:
    """The Accept header with media-type parameters other than q dropped: rorcid sends
    ``application/vnd.orcid+json; qs=4``, which JAX-RS matches to vnd.orcid+json."""
    header = request.headers.get("Accept", "")
    if ";" not in header:
        return request.accept_mimetypes
    parts = []
    for item in header.split(","):
        kind, *params = [p.strip() for p in item.split(";")]
        parts.append(";".join([kind] + [p for p in params if p.replace(" ", "").startswith("q=")]))
    return parse_accept_header(",".join(parts), MIMEAccept)


def body_kind(request: Request) -> str:
    """xml or json for a request body; 415 for anything else."""
    mimetype = request_type(request)
    if mimetype is None:
        raise OrcidError(9001, "Content-Type '%s' is not supported; send one of %s"
                         % (request.content_type or "", ", ".join(ORCID_TYPES)), status=415)
    return kind(mimetype)
