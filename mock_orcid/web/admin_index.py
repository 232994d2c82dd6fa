"""What is served, said by the server itself: ``GET /`` and ``GET /__admin`` (HTML for a
browser, JSON otherwise) and ``GET /__admin/openapi.json``, both built from the app's own URL
map, so a route added anywhere under /__admin is described without anyone remembering to."""
from __future__ import annotations

import inspect
import re

from flask import Blueprint, current_app, jsonify, render_template, request

from .. import __version__
from ..harness import clock_control, faults
from .context import state

bp = Blueprint("admin_index", __name__)

_ARG = re.compile(r"<(?:(\w+):)?(\w+)>")
SKIP_METHODS = {"HEAD", "OPTIONS"}

# Query parameters and bodies the docstrings cannot carry, by endpoint.
PAGING = [{"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                      "maximum": 1000, "default": 100}},
          {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0,
                                                       "default": 0}}]
QUERY = {
    "admin_harness.list_requests": [
        {"name": n, "in": "query", "schema": s} for n, s in (
            ("method", {"type": "string"}), ("path", {"type": "string"}),
            ("status", {"type": "integer"}), ("client_id", {"type": "string"}),
            ("orcid", {"type": "string"}), ("since", {"type": "string", "format": "date-time"}),
            ("limit", {"type": "integer", "minimum": 0}))],
    "admin.list_users": PAGING,
    "admin.list_clients": PAGING,
}
BODIES = {
    "admin_harness.add_fault": faults.SCHEMA,
    "admin_harness.set_clock": clock_control.SCHEMA,
    "admin_harness.set_rate_limit": {"type": "object", "required": ["enabled"],
                                     "properties": {"enabled": {"type": "boolean"}}},
}
# Summaries for routes whose view has no docstring.
SUMMARIES = {
    "admin.health": "Liveness: {\"status\": \"ok\"}.",
    "admin.reset": "Back to the loaded fixtures (and the harness: journal, faults, clock).",
    "admin.create_user": "Create a researcher; 201 with the user.",
    "admin.get_user": "One researcher.",
    "admin.notifications": "The researcher's inbox (amended notifications).",
    "admin.create_client": "Register a client; 201 with client_id and client_secret.",
    "admin.get_client": "One client.",
    "admin.revoke_access": "The researcher revokes a client's access.",
    "admin.inbox_page": "The researcher's inbox as an HTML page.",
    "admin.add_email": "The researcher adds an e-mail address.",
    "admin.mark_notification_read": "The researcher opens a permission notification.",
    "admin.update_item_visibility": "The researcher changes an item's visibility.",
    "admin.update_user": "The researcher's settings and the record's state.",
    "admin_webhooks.webhooks": "Webhook registrations and the delivery log.",
    "admin_webhooks.dispatch": "Run one webhook dispatch pass now.",
}
ERROR = {"type": "object", "required": ["error", "message", "field"],
         "properties": {"error": {"type": "string"}, "message": {"type": "string"},
                        "field": {"type": ["string", "null"]}}}


def admin_routes() -> list[dict]:
    """Every (method, path) under /__admin, with its view's docstring."""
    routes = []
    for rule in current_app.url_map.iter_rules():
        if not rule.rule.startswith("/__admin"):
            continue
        view = current_app.view_functions[rule.endpoint]
        doc = inspect.getdoc(view) or SUMMARIES.get(rule.endpoint, "")
        for method in sorted(rule.methods - SKIP_METHODS):
            routes.append({"method": method, "path": _ARG.sub(r"{\2}", rule.rule),
                           "summary": doc.split("\n\n")[0].replace("\n", " "),
                           "description": doc, "endpoint": rule.endpoint,
                           "arguments": {name: conv for conv, name in _ARG.findall(rule.rule)}})
    routes.sort(key=lambda r: (r["path"], r["method"]))
    return routes


def openapi() -> dict:
    paths: dict = {}
    for route in admin_routes():
        op = {"summary": route["summary"] or route["endpoint"], "operationId": "%s_%s" % (
            route["endpoint"].replace(".", "_"), route["method"].lower()),
            "responses": {"2XX": {"description": "done (JSON)"},
                          "4XX": {"description": "refused",
                                  "content": {"application/json": {
                                      "schema": {"$ref": "#/components/schemas/Error"}}}}}}
        if route["description"] != route["summary"]:
            op["description"] = route["description"]
        params = [{"name": name, "in": "path", "required": True,
                   "schema": {"type": "integer" if conv == "int" else "string"}}
                  for name, conv in route["arguments"].items()]
        params += QUERY.get(route["endpoint"], []) if route["method"] == "GET" else []
        if params:
            op["parameters"] = params
        if route["method"] in ("POST", "PUT", "PATCH"):
            schema = BODIES.get(route["endpoint"], {"type": "object"})
            op["requestBody"] = {"required": False,
                                 "content": {"application/json": {"schema": schema}}}
        paths.setdefault(route["path"], {})[route["method"].lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": "mock-orcid test control", "version": __version__,
                 "description": "The /__admin API of mock-orcid: users, clients, the request "
                                "journal, faults, the rate limit, the clock, webhooks."},
        "servers": [{"url": state().base_url}],
        "paths": paths,
        "components": {"schemas": {"Error": ERROR}},
    }


def index() -> dict:
    st = state()
    base = st.base_url
    registry = st.registry
    with registry.lock:
        users, clients = len(registry.records), len(registry.clients)
        items = sum(len(s) for r in registry.records.values() for s in r.items.values())
    return {
        "name": "mock-orcid", "version": __version__, "base_url": base,
        "registry_url": st.settings.registry_url,
        "loaded": {"users": users, "clients": clients, "items": items},
        "served": {
            "member_api": base + "/v3.0", "public_api": base + "/pub/v3.0",
            "oauth_authorize": base + "/oauth/authorize", "oauth_token": base + "/oauth/token",
            "openid_configuration": base + "/.well-known/openid-configuration",
        },
        "admin": {"url": base + "/__admin", "openapi": base + "/__admin/openapi.json",
                  "routes": [{"method": r["method"], "path": r["path"], "summary": r["summary"]}
                             for r in admin_routes()]},
    }


@bp.get("/")
@bp.get("/__admin")
def home():
    """What is served: HTML for a browser, JSON otherwise. An S3 client asking for ``/`` is
    listing the sync buckets (ListBuckets) and gets S3's answer."""
    if request.path == "/":
        from .s3_routes import s3_not_found
        s3 = s3_not_found()
        if s3 is not None:
            return s3
    data = index()
    if request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html":
        return render_template("index.html", index=data)
    return jsonify(data)


@bp.get("/__admin/openapi.json")
def openapi_document():
    """This API, described as OpenAPI 3.1."""
    return jsonify(openapi())
