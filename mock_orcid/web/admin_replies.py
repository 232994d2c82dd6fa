"""The shapes every harness admin route answers with: errors ``{"error", "message", "field"}``
(field: the name or path of the bad value, or null) and bodies read as JSON objects."""
from __future__ import annotations

import json

from flask import jsonify, request

ERROR_NAMES = {400: "bad_request", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
               409: "conflict", 413: "payload_too_large", 503: "unavailable"}
MAX_BODY = 64 * 1024


def admin_error(status: int, message: str, field: str | None = None):
    return jsonify({"error": ERROR_NAMES.get(status, "error"), "message": message,
                    "field": field}), status


class BodyError(ValueError):
    pass


def json_object() -> dict:
    """The JSON object sent; an empty body is an empty object."""
    if (request.content_length or 0) > MAX_BODY:
        raise BodyError("the body is larger than %d bytes" % MAX_BODY)
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        raise BodyError("the body must be a JSON object") from None
    if not isinstance(data, dict):
        raise BodyError("the body must be a JSON object")
    return data
