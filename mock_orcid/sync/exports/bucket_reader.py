"""A small read-only S3 client for the mock's own buckets: ListObjectsV2 page by page and
GetObject, on one kept-alive connection. The exports use it instead of boto3 so the runtime
needs no AWS libraries; anonymous requests are what the mock serves to plain HTTP."""
from __future__ import annotations

import http.client
from dataclasses import dataclass
from datetime import datetime
from typing import Iterator
from urllib.parse import quote, urlencode, urlsplit

from ...wire import xmlio

S3 = "{http://s3.amazonaws.com/doc/2006-03-01/}"


class ExportError(RuntimeError):
    """The server could not be read (not running, or answered with an error)."""


@dataclass(frozen=True)
class Listed:
    key: str
    last_modified: datetime
    size: int
    etag: str


class BucketReader:
    def __init__(self, base_url: str, timeout: float = 60.0):
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ExportError("not an http(s) URL: %r" % base_url)
        self.base_url = base_url
        self._path = parts.path.rstrip("/")
        kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        self._connection = kind(parts.hostname, parts.port, timeout=timeout)

    def close(self) -> None:
        self._connection.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _get(self, path: str) -> bytes:
        try:
            self._connection.request("GET", self._path + path)
            response = self._connection.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self._connection.close()
            raise ExportError("cannot read %s%s: %s" % (self.base_url, path, exc)) from None
        if response.status != 200:
            raise ExportError("%s%s answered %d: %s" % (self.base_url, path, response.status,
                                                        body[:300].decode("utf-8", "replace")))
        return body

    def list(self, bucket: str, prefix: str = "") -> Iterator[Listed]:
        """Every object under ``prefix``, in key order, following continuation tokens."""
        token = None
        while True:
            query = {"list-type": "2", "prefix": prefix}
            if token:
                query["continuation-token"] = token
            page = xmlio.parse(self._get("/%s?%s" % (bucket, urlencode(query))))
            for entry in page.iter(S3 + "Contents"):
                yield Listed(entry.findtext(S3 + "Key"),
                             datetime.fromisoformat(entry.findtext(S3 + "LastModified")),
                             int(entry.findtext(S3 + "Size")), entry.findtext(S3 + "ETag"))
            if page.findtext(S3 + "IsTruncated") != "true":
                return
            token = page.findtext(S3 + "NextContinuationToken")

    def get(self, bucket: str, key: str) -> bytes:
        return self._get("/%s/%s" % (bucket, quote(key)))
