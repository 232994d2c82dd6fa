"""Test control for webhooks (JSON, under /__admin), so a suite never sleeps:

- ``POST /__admin/webhooks/dispatch`` runs one dispatch pass now (on the dispatcher's thread,
  after any pass in progress, so every change committed before the call is seen) and answers
  with what it delivered and what it skipped;
- ``GET /__admin/webhooks`` lists registrations and the bounded delivery log, newest last.
"""
from __future__ import annotations

import concurrent.futures
from dataclasses import asdict

from flask import Blueprint, jsonify

from .context import state

bp = Blueprint("admin_webhooks", __name__, url_prefix="/__admin")


@bp.get("/webhooks")
def webhooks():
    dispatcher = state().webhooks
    return jsonify({
        "interval": dispatcher.interval,
        "registrations": dispatcher.registrations(),
        "deliveries": [asdict(d) for d in dispatcher.deliveries()],
    })


@bp.post("/webhooks/dispatch")
def dispatch():
    try:
        result = state().webhooks.dispatch_now()
    except (concurrent.futures.TimeoutError, RuntimeError) as exc:
        return jsonify({"error": "unavailable",
                        "message": "the dispatch pass did not finish: %s" % (exc or "timed out")}), 503
    return jsonify(result.as_dict())
