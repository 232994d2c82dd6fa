"""PUT and DELETE /{orcid}/webhook/{url-encoded callback} (facts §2.7, §9).

Unversioned, as ORCID serves them (its DefaultApiVersionFilter lets webhook paths through
without a version, and no versioned resource has them, so ``/v3.0/{orcid}/webhook/…`` is a 404
there and here). The callback is one URL-encoded path segment: it is read from the raw request
line, because the server decodes ``%2F`` to ``/`` before routing; a callback sent unencoded
(with literal slashes) is not one segment and, as in ORCID, matches nothing (404).
"""
from __future__ import annotations

from urllib.parse import unquote, urlsplit

from flask import Blueprint, Response, request

from ..registry.errors import OrcidError
from . import negotiation
from .auth import authenticate
from .context import state

bp = Blueprint("webhooks", __name__)
SCOPE = "/webhook"


@bp.route("/<orcid>/webhook/<path:_callback>", methods=["PUT", "DELETE"], merge_slashes=False)
def webhook(orcid: str, _callback: str) -> Response:
    if request.host.lower().startswith("pub."):
        raise OrcidError(9001, "Not found: %s" % request.path, status=404)
    raw_path, raw_callback = _raw_callback(orcid)
    negotiation.response_type(request)                  # 406 when nothing acceptable
    if request.headers.get("Content-Type") and negotiation.request_type(request) is None:
        negotiation.body_kind(request)                  # 415, as JAX-RS's @Consumes
    st = state()
    caller = authenticate(request, st.registry, False, orcid)
    caller.require(SCOPE)
    callback = unquote(raw_callback)       # UTF-8; a malformed sequence becomes U+FFFD
    client_id = caller.client.client_id
    if request.method == "DELETE":
        st.registry.webhooks.unregister(orcid, callback, client_id)
        return Response(status=204)
    _hook, created = st.registry.webhooks.register(orcid, callback, client_id)
    if not created:
        return Response(status=204)
    # ORCID answers with the request's absolute URL, the callback still encoded.
    return Response(status=201, headers={"Location": st.base_url + raw_path})


def _raw_callback(orcid: str) -> tuple[str, str]:
    """The path as the client sent it, and its callback segment, still percent-encoded."""
    raw = request.environ.get("REQUEST_URI") or request.environ.get("RAW_URI") or ""
    if raw.startswith(("http://", "https://")):        # absolute-form request line
        raw = urlsplit(raw).path
    raw = raw.split("?", 1)[0].split("#", 1)[0]
    root = request.script_root or ""
    if root and raw.startswith(root):
        raw = raw[len(root):]
    head = "/%s/webhook/" % orcid
    if not raw.startswith(head):
        # No raw line, or one this route cannot read: rebuild from the decoded path.
        raw = request.path
    callback = raw[len(head):] if raw.startswith(head) else ""
    if not callback or "/" in callback:
        raise OrcidError(9001, "Not found: %s (the callback must be one URL-encoded path "
                         "segment)" % request.path, status=404)
    return raw, callback

