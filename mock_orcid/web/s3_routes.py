"""The S3 public-data-sync surface, path-style on the API's origin: ``/{bucket}`` and
``/{bucket}/{key}`` for ORCID's five buckets, read-only (orcid-sync-facts §4.2-§4.3).

Only the five bucket names are routed, as static first segments, so they win over the API's
``/<prefix>/v3.0/...`` rules and take nothing else from them; a request that looks like S3's
and names any other bucket is answered NoSuchBucket by ``s3_not_found`` (the app's 404 hook).
"""
from __future__ import annotations

import functools
import logging

from flask import Blueprint, Response, request

from ..sync.buckets import keys
from . import s3_wire as wire
from .context import state

log = logging.getLogger(__name__)
bp = Blueprint("s3", __name__)

METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE"]
# Sub-resources S3 has that a read-only mirror does not serve.
_BUCKET_SUBRESOURCES = ("acl", "policy", "versioning", "cors", "lifecycle", "tagging", "website",
                        "logging", "notification", "uploads", "versions", "replication",
                        "encryption", "object-lock", "accelerate", "requestPayment", "analytics",
                        "inventory", "metrics", "intelligent-tiering", "ownershipControls",
                        "publicAccessBlock", "policyStatus")
_OBJECT_SUBRESOURCES = ("acl", "tagging", "torrent", "attributes", "legal-hold", "retention",
                        "uploadId", "restore", "select")
# GetObject may ask S3 to answer with other headers than the stored ones.
_OVERRIDES = {"response-content-type": "Content-Type",
              "response-content-disposition": "Content-Disposition",
              "response-content-encoding": "Content-Encoding",
              "response-content-language": "Content-Language",
              "response-cache-control": "Cache-Control", "response-expires": "Expires"}


def _s3_view(handler):
    """S3 errors as S3's XML; anything unexpected as S3's InternalError, never a trace."""
    @functools.wraps(handler)
    def view(**kwargs):
        try:
            return handler(**kwargs)
        except wire.S3Error as err:
            return err.response(request.method)
        except Exception:
            log.exception("S3 request failed")
            return wire.S3Error("InternalError", 500, "We encountered an internal error. "
                                "Please try again.").response(request.method)
    return view


def _store():
    return state().sync_buckets.store


def _bucket_or_refuse(name: str):
    wire.check_signature(request)
    if request.method not in ("GET", "HEAD"):
        raise wire.access_denied()     # ORCID's credentials are read-only
    bucket = _store().bucket(name)
    if bucket is None:
        raise wire.no_such_bucket(name)
    return bucket


def _xml(body: str, status: int = 200) -> Response:
    return Response(body, status=status, headers=wire.request_headers(),
                    content_type="application/xml")


# ------------------------------------------------------------------ buckets
def bucket_request(bucket_name: str) -> Response:
    bucket = _bucket_or_refuse(bucket_name)
    args = request.args
    for name in _BUCKET_SUBRESOURCES:
        if name in args:
            raise wire.not_implemented("?" + name)
    if request.method == "HEAD":
        return Response(b"", headers={**wire.request_headers(),
                                      "x-amz-bucket-region": wire.REGION})
    if "location" in args:
        return _xml(wire.location_body())
    prefix = args.get("prefix", "")
    delimiter = args.get("delimiter") or None
    limit = wire.max_keys(args.get("max-keys"))
    encoding_type = args.get("encoding-type")
    if "list-type" in args:
        if args["list-type"] != "2":
            raise wire.invalid_argument("Invalid List Type specified in Request", "list-type",
                                        args["list-type"])
        token = args.get("continuation-token")
        start_after = args.get("start-after")
        after = wire.marker_of(token) if token is not None else (start_after or "")
        store = _store()
        with store.lock:
            page = bucket.list(prefix, after, limit, delimiter or "")
        fetch_owner = args.get("fetch-owner", "").lower() == "true"
        return _xml(wire.list_v2_body(bucket.name, page, prefix, delimiter, min(limit, 1000),
                                      token, start_after, encoding_type, fetch_owner))
    marker = args.get("marker", "")
    store = _store()
    with store.lock:
        page = bucket.list(prefix, marker, limit, delimiter or "")
    return _xml(wire.list_v1_body(bucket.name, page, prefix, delimiter, min(limit, 1000), marker,
                                  encoding_type))


# ------------------------------------------------------------------ objects
def object_request(bucket_name: str, key: str) -> Response:
    bucket = _bucket_or_refuse(bucket_name)
    args = request.args
    for name in _OBJECT_SUBRESOURCES:
        if name in args:
            raise wire.not_implemented("?" + name)
    version = args.get("versionId")
    if version is not None and version != "null":
        raise wire.invalid_argument("Invalid version id specified", "versionId", version)
    with _store().lock:
        obj = bucket.get(key)
    if obj is None:
        raise wire.no_such_key(key)
    headers = {**wire.request_headers(), "ETag": obj.etag,
               "Last-Modified": wire.http_date(obj.last_modified), "Accept-Ranges": "bytes"}
    decided = wire.check_conditions(request, obj.etag, obj.last_modified)
    if decided is not None:
        status, header = decided
        if status == 412:
            raise wire.precondition_failed(header)
        return Response(b"", status=304, headers=headers)
    first_last = _part_range(args.get("partNumber"), obj.size)
    if first_last is None:
        first_last = wire.byte_range(request.headers.get("Range"), obj.size)
    status, body = 200, obj.body
    if first_last is not None:
        first, last = first_last
        status, body = 206, obj.body[first:last + 1]
        headers["Content-Range"] = "bytes %d-%d/%d" % (first, last, obj.size)
    headers["Content-Type"] = obj.content_type
    for param, header in _OVERRIDES.items():
        if args.get(param):
            headers[header] = args[param]
    response = Response(body, status=status, headers=headers)
    response.headers["Content-Type"] = headers["Content-Type"]   # no charset added
    return response


def _part_range(part: str | None, size: int):
    """GetObject with partNumber: an object uploaded in one part has only part 1."""
    if part is None:
        return None
    if not part.isdigit() or int(part) < 1 or int(part) > 10000:
        raise wire.invalid_argument("Part number must be an integer between 1 and 10000, "
                                    "inclusive", "partNumber", part)
    if int(part) != 1:
        raise wire.S3Error("InvalidPartNumber", 416, "The requested partnumber is not "
                           "satisfiable", {"PartNumberRequested": part, "ActualPartCount": 1})
    return (0, size - 1) if size else None


for _index, _name in enumerate(keys.BUCKETS):
    bp.add_url_rule("/%s" % _name, "bucket%d" % _index, _s3_view(bucket_request),
                    defaults={"bucket_name": _name}, methods=METHODS)
    bp.add_url_rule("/%s/" % _name, "bucket%d_slash" % _index, _s3_view(bucket_request),
                    defaults={"bucket_name": _name}, methods=METHODS)
    bp.add_url_rule("/%s/<path:key>" % _name, "object%d" % _index, _s3_view(object_request),
                    defaults={"bucket_name": _name}, methods=METHODS)


# ------------------------------------------------------------------ any other path
def s3_not_found() -> Response | None:
    """For the app's 404: a request signed like S3's gets S3's answer (the bucket list for
    ``/``, NoSuchBucket for any other bucket); anything else keeps the API's 404."""
    if not wire.looks_like_s3(request):
        return None
    try:
        wire.check_signature(request)
        name = request.path.strip("/").split("/", 1)[0]
        if not name and request.method in ("GET", "HEAD"):
            return _xml(wire.buckets_body(_store().names(), state().sync_buckets.created))
        raise wire.no_such_bucket(name)
    except wire.S3Error as err:
        return err.response(request.method)
