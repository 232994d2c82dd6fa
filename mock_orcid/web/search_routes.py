"""ORCID's search API over HTTP: ``/search``, ``/expanded-search`` and ``/csv-search`` on the
member API (``/v3.0``, a token with /read-public) and the public API (``/pub/v3.0`` or a
``pub.`` Host, anonymous allowed), each with and without a trailing slash; ``/search`` also on
v2.0 and v2.1, which python-orcid still calls. The index and the query engine live in
``sync.search``; this module only translates HTTP.
"""
from __future__ import annotations

import json

from flask import Blueprint, Response, request

from ..registry.errors import OrcidError
from ..sync.search.fields import lookup
from ..wire import render_search, xmlio
from . import negotiation
from .auth import authenticate
from .context import state

bp = Blueprint("search", __name__)

ENDPOINTS = {"3.0": ("search", "expanded-search", "csv-search"),
             "2.0": ("search",), "2.1": ("search",)}
SOLR_EXCEPTION = "org.apache.solr.client.solrj.impl.HttpSolrClient.RemoteSolrException"
SOLR_URL = "http://localhost:7983/solr/profile"   # as live answers name it


def _view(endpoint: str, version: str, public_prefix: bool):
    def view():
        return _search(endpoint, version, public_prefix)
    return view


for _version, _endpoints in ENDPOINTS.items():
    for _endpoint in _endpoints:
        for _prefix in ("", "/pub"):
            for _slash in ("", "/"):
                bp.add_url_rule("%s/v%s/%s%s" % (_prefix, _version, _endpoint, _slash),
                                endpoint=("%s%s-%s%s" % (_prefix, _version, _endpoint, _slash)).replace(".", "_"),
                                view_func=_view(_endpoint, _version, bool(_prefix)),
                                methods=["GET", "POST", "PUT", "DELETE"], strict_slashes=True)


def _search(endpoint: str, version: str, public_prefix: bool) -> Response:
    if request.method != "GET":
        raise OrcidError(9001, "Method %s is not allowed on %s" % (request.method, request.path),
                         status=405)
    public = public_prefix or request.host.lower().startswith("pub.")
    st = state()
    caller = authenticate(request, st.registry, public, None)
    if not public:
        caller.require("/read-public")
    mimetype = _csv_type() if endpoint == "csv-search" else negotiation.response_type(request)
    # Imported on first use (luqum, rapidfuzz: a few hundredths of a second of start-up);
    # server.RunningServer warms them up in the background right after start.
    from ..sync.search.query import SolrError
    from ..sync.search.results import (SearchRequest, csv_row, expanded_result, field_list,
                                       run_search)
    params = {key: request.args.get(key) for key in request.args}
    search = SearchRequest(params, version=version, anonymous=caller.token is None)
    try:
        results = run_search(st.search_index, search, st.registry.now())
    except SolrError as exc:
        raise solr_failure(str(exc)) from None

    if endpoint == "csv-search":
        columns = field_list(params.get("fl"))
        multi = [lookup(c).multi for c in columns]
        body = render_search.csv_text(columns, multi, [csv_row(d, columns) for d in results.docs])
        return Response(body.encode("utf-8"), content_type="text/csv;charset=UTF-8")
    if endpoint == "expanded-search":
        fl = field_list(params.get("fl"))
        hits = [expanded_result(d, fl) for d in results.docs]
        if negotiation.kind(mimetype) == "json":
            return _json(render_search.expanded_json(hits, results.num_found), mimetype)
        return _xml(render_search.expanded_element(hits, results.num_found), mimetype)
    orcids = [d.orcid for d in results.docs]
    if negotiation.kind(mimetype) == "json":
        return _json(render_search.search_json(st.renderer, orcids, results.num_found, version),
                     mimetype)
    return _xml(render_search.search_element(st.renderer, orcids, results.num_found, version),
                mimetype)


def solr_failure(message: str) -> OrcidError:
    """What ORCID answers when Solr refuses a query: SolrJ's RemoteSolrException is not
    mapped by ORCID's exception mappers, so it surfaces as 500 with code 9008, and its
    developer message is the exception's own, without the "500 Internal Server Error:" other
    errors open with (live answers: "org.apache.solr…RemoteSolrException Full validation
    error: Error from server at …: undefined field x")."""
    error = OrcidError(9008, "", status=500, user_message="Something went wrong in ORCID.")
    error.developer_message = "%s Full validation error: Error from server at %s: %s" % (
        SOLR_EXCEPTION, SOLR_URL, message)
    return error


def _csv_type() -> str:
    """csv-search produces text/csv only. ORCID's AcceptFilter turns a missing or */* Accept
    into an ORCID media type first, so such a request cannot be answered (406)."""
    accept = request.headers.get("Accept", "").strip()
    if accept and accept != "*/*" and negotiation.accepted(request).best_match(["text/csv"]):
        return "text/csv"
    raise OrcidError(9001, "csv-search produces text/csv only; send 'Accept: text/csv' "
                     "(requested: %s)" % (accept or "none"), status=406)


def _json(body: dict, mimetype: str) -> Response:
    data = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return Response(data, content_type="%s;charset=UTF-8" % mimetype)


def _xml(elem, mimetype: str) -> Response:
    return Response(xmlio.to_bytes(elem), content_type="%s;charset=UTF-8" % mimetype)
