"""Paged admin lists: ``?limit=N&offset=M`` answers a JSON list, with
``Link: <…?limit=N&offset=M+N>; rel="next"`` while more remain.

Only the page is built under the registry lock, by walking to ``offset`` and copying ``limit``
entries (the lock is held for O(offset + limit) steps, never for the whole registry's rendering).
"""
from __future__ import annotations

import itertools
import json
import urllib.parse

from flask import Response, request

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


class PagingError(ValueError):
    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


def page_args() -> tuple[int, int]:
    limit = _number("limit", DEFAULT_LIMIT)
    offset = _number("offset", 0)
    if not 1 <= limit <= MAX_LIMIT:
        raise PagingError("limit must be between 1 and %d" % MAX_LIMIT, "limit")
    return limit, offset


def _number(name: str, default: int) -> int:
    text = request.args.get(name)
    if text is None or text == "":
        return default
    if not text.isdigit() or len(text) > 12:
        raise PagingError("%s must be a whole number, 0 or more" % name, name)
    return int(text)


def paged(lock, values, render) -> Response:
    """``values()`` is iterated under ``lock``; ``render(value)`` makes one row of the page."""
    limit, offset = page_args()
    with lock:
        rows = [render(v) for v in itertools.islice(values(), offset, offset + limit + 1)]
    more = len(rows) > limit
    resp = Response(json.dumps(rows[:limit]), mimetype="application/json")
    if more:
        query = dict(request.args)
        query.update(limit=str(limit), offset=str(offset + limit))
        resp.headers["Link"] = '<%s?%s>; rel="next"' % (request.base_url,
                                                         urllib.parse.urlencode(query))
    return resp
