"""Harness control under /__admin (JSON): the request journal, faults, the rate limit and the
clock. The harness itself lives in ``mock_orcid.harness``; this only translates HTTP."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, jsonify, request

from ..harness import clock_control
from ..harness.faults import FaultError
from ..harness.journal import Filters
from .admin_replies import BodyError, admin_error, json_object
from .context import state

bp = Blueprint("admin_harness", __name__, url_prefix="/__admin")

FILTERS = ("method", "path", "status", "client_id", "orcid", "since", "limit")


@bp.errorhandler(BodyError)
def _body_error(exc):
    return admin_error(400, str(exc))


# ------------------------------------------------------------------ the journal
@bp.get("/requests")
def list_requests():
    """The request journal, newest last; filters: method, path (a prefix), status, client_id,
    orcid, since (ISO 8601, on the mock's clock), limit (the newest N)."""
    unknown = sorted(set(request.args) - set(FILTERS))
    if unknown:
        return admin_error(400, "unknown filter(s): %s; allowed: %s"
                           % (", ".join(unknown), ", ".join(FILTERS)), unknown[0])
    args = request.args
    filters = Filters(method=args.get("method") or None, path=args.get("path") or None,
                      client_id=args.get("client_id") or None, orcid=args.get("orcid") or None)
    for name in ("status", "limit"):
        text = args.get(name)
        if text:
            if not text.isdigit() or len(text) > 9:
                return admin_error(400, "%s must be a whole number" % name, name)
            setattr(filters, name, int(text))
    if args.get("since"):
        try:
            since = datetime.fromisoformat(args["since"])
        except ValueError:
            return admin_error(400, "since must be an ISO 8601 date-time", "since")
        filters.since = since if since.tzinfo else since.replace(tzinfo=timezone.utc)
    return jsonify([e.as_dict() for e in state().harness.journal.entries(filters)])


@bp.delete("/requests")
def clear_requests():
    """Empty the journal."""
    return jsonify({"deleted": state().harness.journal.clear()})


# ------------------------------------------------------------------ faults
@bp.post("/faults")
def add_fault():
    """Add a fault: a matcher (method, path glob, client_id, orcid) and an action (status,
    error_code, delay_ms, drop_connection), for `times` requests (default 1; null: until
    deleted). 201 with the fault and its id."""
    try:
        fault = state().harness.faults.add(json_object())
    except FaultError as exc:
        return admin_error(400, str(exc), exc.field)
    resp = jsonify(fault.as_dict())
    resp.status_code = 201
    resp.headers["Location"] = "/__admin/faults/%d" % fault.id
    return resp


@bp.get("/faults")
def list_faults():
    """Faults still armed, in the order they are tried."""
    return jsonify([f.as_dict() for f in state().harness.faults.all()])


@bp.delete("/faults")
def clear_faults():
    """Remove every fault."""
    return jsonify({"deleted": state().harness.faults.clear()})


@bp.get("/faults/<int:fault_id>")
def get_fault(fault_id):
    """One fault (404 once used up or deleted)."""
    fault = state().harness.faults.get(fault_id)
    if fault is None:
        return admin_error(404, "no fault %d (used up or deleted)" % fault_id, "id")
    return jsonify(fault.as_dict())


@bp.delete("/faults/<int:fault_id>")
def delete_fault(fault_id):
    """Remove one fault: 204."""
    if not state().harness.faults.delete(fault_id):
        return admin_error(404, "no fault %d (used up or deleted)" % fault_id, "id")
    return "", 204


# ------------------------------------------------------------------ the rate limit
@bp.get("/rate-limit")
def rate_limit():
    """Whether ORCID's API limits are emulated, and the limits."""
    from ..harness.rate_limit import LIMITS
    return jsonify({"enabled": state().harness.rate_limiter.enabled,
                    "limits": {n: {"rate": l.rate, "burst": l.burst} for n, l in LIMITS.items()}})


@bp.put("/rate-limit")
def set_rate_limit():
    """{"enabled": true|false}: switch the emulation on or off (buckets start full)."""
    data = json_object()
    if set(data) != {"enabled"} or not isinstance(data["enabled"], bool):
        return admin_error(400, 'send {"enabled": true} or {"enabled": false}', "enabled")
    limiter = state().harness.rate_limiter
    limiter.clear()
    limiter.enabled = data["enabled"]
    return rate_limit()


# ------------------------------------------------------------------ the clock
@bp.get("/clock")
def get_clock():
    """The mock's time: now, whether it is real, frozen, and its offset from real time."""
    return jsonify(clock_control.describe(state().clock))


@bp.post("/clock")
def set_clock():
    """{"advance_seconds": n} or {"now": ISO 8601}, either with "frozen": true|false; or
    {"frozen": bool} alone."""
    try:
        return jsonify(clock_control.apply(state().clock, json_object()))
    except clock_control.ClockError as exc:
        return admin_error(400, str(exc), exc.field)


@bp.delete("/clock")
def real_clock():
    """Back to real time."""
    state().clock.real()
    return jsonify(clock_control.describe(state().clock))
