"""S3's wire format for the read-only bucket surface: XML bodies (listings, errors), request
ids, signatures that are checked for shape only, ranges and conditional headers.

Shapes follow botocore's S3 model (service-2.json) and what S3 answers; orcid-sync-facts §4.
"""
from __future__ import annotations

import base64
import binascii
import itertools
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import quote_plus
from xml.sax.saxutils import escape

from flask import Request, Response

from ..wire.render import iso

S3_NS = "http://s3.amazonaws.com/doc/2006-03-01/"
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
REGION = "us-east-2"            # where ORCID's production buckets are (facts §1.1)
OWNER_ID = "0" * 64
_request_ids = itertools.count(1)


def request_headers() -> dict:
    """What every S3 answer carries."""
    n = next(_request_ids)
    return {"x-amz-request-id": "%016X" % n,
            "x-amz-id-2": base64.b64encode(("mock-orcid-%d" % n).encode()).decode(),
            "Server": "AmazonS3"}


def http_date(when: datetime) -> str:
    return format_datetime(when.replace(microsecond=0), usegmt=True)


# ------------------------------------------------------------------ errors
@dataclass
class S3Error(Exception):
    code: str
    status: int
    message: str
    details: dict = field(default_factory=dict)   # extra elements: Key, BucketName...
    headers: dict = field(default_factory=dict)

    def response(self, method: str) -> Response:
        headers = {**request_headers(), **self.headers}
        if method == "HEAD":     # S3 answers a HEAD with the status alone
            return Response(b"", status=self.status, headers=headers)
        body = "<Error><Code>%s</Code><Message>%s</Message>" % (self.code, escape(self.message))
        body += "".join("<%s>%s</%s>" % (k, escape(str(v)), k) for k, v in self.details.items())
        body += "<RequestId>%s</RequestId><HostId>%s</HostId></Error>" % (
            headers["x-amz-request-id"], headers["x-amz-id-2"])
        return Response(XML_DECLARATION + body, status=self.status, headers=headers,
                        content_type="application/xml")


def no_such_bucket(name: str) -> S3Error:
    return S3Error("NoSuchBucket", 404, "The specified bucket does not exist", {"BucketName": name})


def no_such_key(key: str) -> S3Error:
    return S3Error("NoSuchKey", 404, "The specified key does not exist.", {"Key": key})


def access_denied() -> S3Error:
    return S3Error("AccessDenied", 403, "Access Denied")


def not_implemented(what: str) -> S3Error:
    return S3Error("NotImplemented", 501, "A header or query you provided implies functionality "
                   "that is not implemented", {"Header": what})


def invalid_argument(message: str, name: str, value: str) -> S3Error:
    return S3Error("InvalidArgument", 400, message,
                   {"ArgumentName": name, "ArgumentValue": value})


# ------------------------------------------------------------------ signatures (shape only)
_SIGV4 = re.compile(r"AWS4-HMAC-SHA256 Credential=[^/,\s]+/\d{8}/[^/,\s]+/s3/aws4_request,\s*"
                    r"SignedHeaders=[a-z0-9;-]+,\s*Signature=[0-9a-f]{64}")
_SIGV2 = re.compile(r"AWS [^:\s]+:\S+")
_PRESIGNED_V4 = ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
                 "X-Amz-SignedHeaders", "X-Amz-Signature")


def looks_like_s3(request: Request) -> bool:
    """Signed the way an S3 client signs (header or query), or carrying S3's own headers."""
    auth = request.headers.get("Authorization", "")
    return (auth.startswith(("AWS4-HMAC-SHA256 ", "AWS ")) or "X-Amz-Algorithm" in request.args
            or "AWSAccessKeyId" in request.args or "x-amz-content-sha256" in request.headers
            or "x-amz-date" in request.headers)


def check_signature(request: Request) -> None:
    """Any key and any signature are accepted (the credentials are fake), but a signed request
    must be signed the way S3 expects, or S3's error comes back. Anonymous reads are allowed:
    the Lambda file is also fetched with plain HTTP."""
    auth = request.headers.get("Authorization")
    if auth is not None:
        if auth.startswith("AWS4-HMAC-SHA256 "):
            if not _SIGV4.fullmatch(auth.strip()):
                raise S3Error("AuthorizationHeaderMalformed", 400,
                              "The authorization header is malformed; expecting "
                              "\"AWS4-HMAC-SHA256 Credential=<YOUR-AKID>/YYYYMMDD/REGION/s3/"
                              "aws4_request, SignedHeaders=..., Signature=...\".")
            if not (request.headers.get("x-amz-date") or request.headers.get("Date")):
                raise S3Error("AccessDenied", 403, "AWS authentication requires a valid Date "
                              "or x-amz-date header")
            if "x-amz-content-sha256" not in request.headers:
                raise S3Error("InvalidRequest", 400, "Missing required header for this "
                              "request: x-amz-content-sha256")
        elif auth.startswith("AWS "):
            if not _SIGV2.fullmatch(auth.strip()):
                raise invalid_argument("AWS authorization header is invalid.  Expected "
                                       "AwsAccessKeyId:signature", "Authorization", auth)
        else:
            raise invalid_argument("Unsupported Authorization Type", "Authorization", auth)
    elif "X-Amz-Algorithm" in request.args:
        if request.args["X-Amz-Algorithm"] != "AWS4-HMAC-SHA256":
            raise S3Error("AuthorizationQueryParametersError", 400,
                          "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"")
        if any(not request.args.get(name) for name in _PRESIGNED_V4):
            raise S3Error("AuthorizationQueryParametersError", 400,
                          "Query-string authentication version 4 requires the X-Amz-Algorithm, "
                          "X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, "
                          "and X-Amz-Expires parameters.")
    elif "AWSAccessKeyId" in request.args:
        if not request.args.get("Signature") or not request.args.get("Expires"):
            raise S3Error("AccessDenied", 403, "Query-string authentication requires the "
                          "Signature, Expires and AWSAccessKeyId parameters")


# ------------------------------------------------------------------ listings
def continuation_token(marker: str) -> str:
    return base64.urlsafe_b64encode(("1\n" + marker).encode("utf-8")).decode("ascii")


def marker_of(token: str) -> str:
    try:
        text = base64.urlsafe_b64decode(token.encode("ascii")).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        text = ""
    if not text.startswith("1\n"):
        raise invalid_argument("The continuation token provided is incorrect",
                               "continuation-token", token)
    return text[2:]


def max_keys(text: str | None) -> int:
    if text is None or text == "":
        return 1000
    try:
        value = int(text)
    except ValueError:
        raise invalid_argument("Provided max-keys not an integer or within integer range",
                               "max-keys", text) from None
    if value < 0 or value > 2147483647:
        raise invalid_argument("Argument maxKeys must be an integer between 0 and 2147483647",
                               "max-keys", text)
    return value


def _text(name: str, value, encode=None) -> str:
    if value is None:
        return ""
    value = str(value)
    return "<%s>%s</%s>" % (name, escape(encode(value) if encode else value), name)


def _encoder(encoding_type: str | None):
    if encoding_type is None:
        return None
    if encoding_type != "url":
        raise invalid_argument("Invalid Encoding Method specified in Request", "encoding-type",
                               encoding_type)
    return lambda s: quote_plus(s, safe="/")


def _contents(page, enc, owner: bool, encoding_type: str | None) -> str:
    out = []
    for obj in page.contents:
        entry = obj.listing.get((encoding_type, owner))
        if entry is None:
            entry = obj.listing[(encoding_type, owner)] = (
                "<Contents>%s%s%s%s%s<StorageClass>STANDARD</StorageClass></Contents>" % (
                    _text("Key", obj.key, enc), _text("LastModified", iso(obj.last_modified)),
                    _text("ETag", obj.etag), _text("Size", obj.size),
                    "<Owner><ID>%s</ID></Owner>" % OWNER_ID if owner else ""))
        out.append(entry)
    for prefix in page.common_prefixes:
        out.append("<CommonPrefixes>%s</CommonPrefixes>" % _text("Prefix", prefix, enc))
    return "".join(out)


def list_v2_body(bucket: str, page, prefix: str, delimiter: str | None, limit: int,
                 token: str | None, start_after: str | None, encoding_type: str | None,
                 fetch_owner: bool) -> str:
    enc = _encoder(encoding_type)
    parts = [_text("Name", bucket), _text("Prefix", prefix, enc),
             _text("KeyCount", len(page.contents) + len(page.common_prefixes)),
             _text("MaxKeys", limit), _text("Delimiter", delimiter or None, enc),
             _text("IsTruncated", "true" if page.truncated else "false"),
             _text("ContinuationToken", token),
             _text("NextContinuationToken", continuation_token(page.last) if page.truncated else None),
             _text("StartAfter", start_after, enc), _text("EncodingType", encoding_type),
             _contents(page, enc, fetch_owner, encoding_type)]
    return _list_result(parts)


def list_v1_body(bucket: str, page, prefix: str, delimiter: str | None, limit: int,
                 marker: str, encoding_type: str | None) -> str:
    enc = _encoder(encoding_type)
    next_marker = None
    if page.truncated and delimiter:
        # S3 gives NextMarker only with a delimiter; without one, clients use the last key.
        next_marker = page.common_prefixes[-1] if page.last and page.last.endswith("\U0010ffff") \
            else page.last
    parts = [_text("Name", bucket), _text("Prefix", prefix, enc), _text("Marker", marker, enc),
             _text("NextMarker", next_marker, enc), _text("MaxKeys", limit),
             _text("Delimiter", delimiter or None, enc),
             _text("IsTruncated", "true" if page.truncated else "false"),
             _text("EncodingType", encoding_type), _contents(page, enc, True, encoding_type)]
    return _list_result(parts)


def _list_result(parts) -> str:
    return XML_DECLARATION + '<ListBucketResult xmlns="%s">%s</ListBucketResult>' % (
        S3_NS, "".join(parts))


def location_body() -> str:
    return XML_DECLARATION + '<LocationConstraint xmlns="%s">%s</LocationConstraint>' % (
        S3_NS, REGION)


def buckets_body(names, created: datetime) -> str:
    entries = "".join("<Bucket><Name>%s</Name><CreationDate>%s</CreationDate></Bucket>"
                      % (escape(n), iso(created)) for n in names)
    return XML_DECLARATION + ('<ListAllMyBucketsResult xmlns="%s"><Owner><ID>%s</ID>'
                              '<DisplayName>orcid</DisplayName></Owner><Buckets>%s</Buckets>'
                              '</ListAllMyBucketsResult>' % (S3_NS, OWNER_ID, entries))


# ------------------------------------------------------------------ ranges and conditions
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """(first, last) inclusive, or None for the whole object. A header S3 cannot parse (or a
    multi-range) is ignored, as S3 does; one that cannot be satisfied is InvalidRange."""
    if not header:
        return None
    match = _RANGE.fullmatch(header.strip().replace(" ", ""))
    if not match or (match[1] == "" and match[2] == ""):
        return None
    first, last = match[1], match[2]
    if first == "":                      # bytes=-N: the last N bytes
        length = int(last)
        if length == 0 or size == 0:
            raise _unsatisfiable(header, size)
        return max(0, size - length), size - 1
    first = int(first)
    if last and int(last) < first:
        return None                      # not a valid range: S3 ignores it
    if first >= size:
        raise _unsatisfiable(header, size)
    last = int(last) if last else size - 1
    return first, min(last, size - 1)


def _unsatisfiable(header: str, size: int) -> S3Error:
    return S3Error("InvalidRange", 416, "The requested range is not satisfiable",
                   {"RangeRequested": header, "ActualObjectSize": size},
                   {"Content-Range": "bytes */%d" % size})


def _etags(header: str) -> list[str]:
    return [t.strip().removeprefix("W/").strip('"') for t in header.split(",") if t.strip()]


def _date(header: str | None) -> datetime | None:
    if not header:
        return None
    try:
        when = parsedate_to_datetime(header)
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def check_conditions(request: Request, etag: str, last_modified: datetime):
    """RFC 7232's order, as S3 applies it: (412 or 304, the header that decided) when a
    condition says so, else None."""
    tag = etag.strip('"')
    modified = last_modified.replace(microsecond=0)
    if_match = request.headers.get("If-Match")
    if if_match is not None:
        if "*" not in _etags(if_match) and tag not in _etags(if_match):
            return 412, "If-Match"
    else:
        since = _date(request.headers.get("If-Unmodified-Since"))
        if since is not None and modified > since:
            return 412, "If-Unmodified-Since"
    if_none = request.headers.get("If-None-Match")
    if if_none is not None:
        if "*" in _etags(if_none) or tag in _etags(if_none):
            return 304, "If-None-Match"
    else:
        since = _date(request.headers.get("If-Modified-Since"))
        if since is not None and modified <= since:
            return 304, "If-Modified-Since"
    return None


def precondition_failed(header: str) -> S3Error:
    return S3Error("PreconditionFailed", 412, "At least one of the pre-conditions you specified "
                   "did not hold", {"Condition": header})
