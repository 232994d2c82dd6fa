"""The request journal: a bounded ring of what came in and what went out, newest last.

Secrets are kept to their last four characters (the ``Authorization`` and cookie headers,
``client_secret`` and the tokens in OAuth bodies), so a journal can be printed in a CI log.
Bodies are kept up to ``body_limit`` bytes each, with their full size.
"""
from __future__ import annotations

import collections
import itertools
import json
import re
import threading
import urllib.parse
from dataclasses import asdict, dataclass, field
from datetime import datetime

DEFAULT_SIZE = 1000
BODY_LIMIT = 4096          # bytes of each body kept

SECRET_HEADERS = {"authorization", "proxy-authorization", "cookie", "set-cookie"}
SECRET_FIELDS = {"client_secret", "access_token", "refresh_token", "password"}
# "access_token": "abc..." in JSON, access_token=abc... in a form or query
_JSON_SECRET = re.compile(r'"(%s)"(\s*:\s*)"([^"\\]*)"' % "|".join(sorted(SECRET_FIELDS)))


def redact(value: str) -> str:
    """Only the last four characters stay; a scheme word (``Bearer``, ``Basic``) stays too."""
    scheme, sep, secret = value.partition(" ")
    if not sep or not secret:
        scheme, secret = "", value
    masked = "****" + secret[-4:] if len(secret) > 4 else "****"
    return "%s %s" % (scheme, masked) if scheme else masked


def redact_headers(headers) -> dict:
    out = {}
    for name, value in headers:
        out[name] = redact(value) if name.lower() in SECRET_HEADERS else value
    return out


def redact_query(query: str) -> str:
    if not query or not any(f in query for f in SECRET_FIELDS):
        return query
    pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
    return urllib.parse.urlencode([(k, redact(v) if k in SECRET_FIELDS else v) for k, v in pairs])


def redact_body(text: str, content_type: str) -> str:
    if not text or not any(f in text for f in SECRET_FIELDS):
        return text
    if "x-www-form-urlencoded" in (content_type or ""):
        return redact_query(text)
    return _JSON_SECRET.sub(lambda m: '"%s"%s"%s"' % (m.group(1), m.group(2), redact(m.group(3))),
                            text)


@dataclass
class Body:
    text: str
    size: int                 # bytes in the whole body
    truncated: bool


def body_of(data: bytes, size: int, content_type: str | None, limit: int = BODY_LIMIT) -> Body:
    text = data[:limit].decode("utf-8", errors="replace")
    return Body(redact_body(text, content_type or ""), size, size > limit)


@dataclass
class Entry:
    id: int
    time: str                          # when it arrived, on the mock's clock (ISO 8601)
    method: str
    path: str
    query: str
    request_headers: dict
    request_body: Body
    status: int | None                 # None: the connection was dropped
    response_headers: dict
    response_body: Body
    duration_ms: float
    client_id: str | None
    orcid: str | None
    fault: dict | None = None          # the fault that acted on it: {"id", "action"}
    rate_limited: str | None = None    # which of ORCID's limits refused it
    arrived: datetime = field(default=None, repr=False)

    def as_dict(self) -> dict:
        data = asdict(self)
        del data["arrived"]
        return data


_CONTENT_KEYS = ("CONTENT_TYPE", "CONTENT_LENGTH")


def raw_headers(environ) -> list[tuple[str, str]]:
    """The request's headers as WSGI has them (``HTTP_ACCEPT``...): named and decoded only
    when the journal is read."""
    return [(k, v) for k, v in environ.items()
            if k[:5] == "HTTP_" or (k in _CONTENT_KEYS and v)]


def wsgi_text(value: str) -> str:
    # WSGI strings are bytes as latin-1; show them as the UTF-8 they were.
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def header_pairs(raw) -> list[tuple[str, str]]:
    out = []
    for key, value in raw:
        if key[:5] == "HTTP_":
            out.append((key[5:].replace("_", "-").title(), wsgi_text(value)))
        else:
            out.append((key.replace("_", "-").title(), value))
    return out


@dataclass(slots=True, eq=False)
class Recorded:
    """One exchange as the middleware saw it: the raw pieces, cheap to keep. Redacting,
    decoding and naming them (an ``Entry``) waits until someone reads the journal, so a
    request pays for none of it. Filters read the plain attributes."""

    method: str
    path: str
    query: str
    headers: list            # raw WSGI pairs (raw_headers)
    request_head: bytes
    request_size: int
    request_type: str
    status: int
    response_headers: list
    response_out: bytearray
    response_size: int
    duration_ms: float
    client_id: str | None
    orcid: str | None
    fault: dict | None
    rate_limited: str | None
    arrived: datetime
    body_limit: int
    id: int = 0                  # set by Journal.add
    _entry: Entry | None = field(default=None, repr=False)

    def entry(self) -> Entry:
        if self._entry is None:
            response_type = next((v for k, v in self.response_headers
                                  if k.lower() == "content-type"), "")
            self._entry = Entry(
                id=self.id, time=self.arrived.isoformat(), method=self.method, path=self.path,
                query=redact_query(self.query),
                request_headers=redact_headers(header_pairs(self.headers)),
                request_body=body_of(self.request_head, self.request_size,
                                     self.request_type, self.body_limit),
                status=self.status, response_headers=redact_headers(self.response_headers),
                response_body=body_of(bytes(self.response_out), self.response_size,
                                      response_type, self.body_limit),
                duration_ms=self.duration_ms, client_id=self.client_id, orcid=self.orcid,
                fault=self.fault, rate_limited=self.rate_limited, arrived=self.arrived)
        return self._entry


@dataclass
class Filters:
    method: str | None = None
    path: str | None = None            # a prefix
    status: int | None = None
    client_id: str | None = None
    orcid: str | None = None
    since: datetime | None = None
    limit: int | None = None

    def keep(self, entry: Entry | Recorded) -> bool:
        return ((self.method is None or entry.method == self.method.upper())
                and (self.path is None or entry.path.startswith(self.path))
                and (self.status is None or entry.status == self.status)
                and (self.client_id is None or entry.client_id == self.client_id)
                and (self.orcid is None or entry.orcid == self.orcid)
                and (self.since is None or entry.arrived >= self.since))


class Journal:
    def __init__(self, size: int = DEFAULT_SIZE, body_limit: int = BODY_LIMIT):
        if size < 0:
            raise ValueError("the journal size must be 0 or more")
        self.size = size
        self.body_limit = body_limit
        self._lock = threading.Lock()
        self._entries: collections.deque[Entry | Recorded] = collections.deque(maxlen=size)
        self._ids = itertools.count(1)

    def add(self, entry: Entry | Recorded) -> None:
        """Keep ``entry``; a ``Recorded`` exchange gets its id here, in the order kept."""
        if self.size:
            with self._lock:
                if type(entry) is Recorded:
                    entry.id = next(self._ids)
                self._entries.append(entry)

    def entries(self, filters: Filters | None = None) -> list[Entry]:
        with self._lock:
            snapshot = list(self._entries)     # a copy of references: the lock is held briefly
        filters = filters or Filters()
        kept = [e for e in snapshot if filters.keep(e)]
        if filters.limit is not None:
            kept = kept[-filters.limit:] if filters.limit else []
        return [e.entry() if type(e) is Recorded else e for e in kept]

    def clear(self) -> int:
        with self._lock:
            count = len(self._entries)
            self._entries.clear()
            return count

    def __len__(self) -> int:
        return len(self._entries)


def dumps(entries: list[Entry]) -> str:
    return json.dumps([e.as_dict() for e in entries])
