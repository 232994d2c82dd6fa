"""redirect_uri rules: how ORCID matches a requested redirect URI against the registered ones,
and how parameters are added to it."""
from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

from ..registry.model import Client


# How Spring's UriComponentsBuilder.fromUriString splits a URI (RFC 3986 appendix B, with its
# own host and port groups). Nothing is lower-cased or percent-decoded: ORCID compares the raw
# parts, so "HTTPS://Example.org" is not "https://example.org" and "%2e%2e" is no dot segment.
_URI = re.compile(
    r"(?:(?P<scheme>[^:/?#]+):)?"
    r"(?://(?:(?P<userinfo>[^@\[/?#]*)@)?"
    r"(?P<host>\[[0-9A-Fa-f:.]*[%0-9A-Za-z]*\]|[^\[/?#:]*)"
    r"(?::(?P<port>[^/?#]*))?)?"
    r"(?P<path>[^?#]*)(?:\?[^#]*)?(?:#.*)?", re.S)


class _Parts(NamedTuple):
    scheme: str | None
    userinfo: str | None
    host: str | None
    port: int            # -1 when absent, as in Spring
    path: str


def _split(uri: str) -> _Parts | None:
    """The parts ORCID compares; None when Spring would fail on the URI (a port that is not
    a number)."""
    m = _URI.fullmatch(uri)
    if m is None:
        return None
    scheme, path = m["scheme"], m["path"]
    if scheme and not uri[len(scheme):].startswith(":/"):
        return _Parts(scheme, None, None, -1, "")      # opaque ("mailto:x"): no host, no path
    port = m["port"] or ""
    if port and not (port.isascii() and port.isdigit() and len(port) <= 10
                     and int(port) <= 2**31 - 1):       # Java's Integer.parseInt
        return None
    return _Parts(scheme, m["userinfo"], m["host"] or None, int(port) if port else -1, path)


def clean_path(path: str) -> str:
    """Spring's StringUtils.cleanPath: '\\' -> '/', drop '.' segments, let '..' remove the
    segment before it (an empty one too); '..' with nothing left to remove stays."""
    path = (path or "").replace("\\", "/")
    if "." not in path:
        return path
    prefix = ""
    colon = path.find(":")
    if colon != -1 and "/" not in path[:colon + 1]:
        prefix, path = path[:colon + 1], path[colon + 1:]
    if path.startswith("/"):
        prefix, path = prefix + "/", path[1:]
    segments = path.split("/")
    kept: list[str] = []
    tops = 0
    for segment in reversed(segments):
        if segment == ".":
            continue
        if segment == "..":
            tops += 1
        elif tops:
            tops -= 1
        else:
            kept.append(segment)
    if len(kept) == len(segments):
        return prefix + path
    kept.extend([".."] * tops)
    kept.reverse()
    if len(kept) == 1 and kept[0] == "" and not prefix.endswith("/"):
        kept.insert(0, ".")
    return prefix + "/".join(kept)


def redirect_matches(requested: str, registered: str) -> bool:
    """ORCID's OrcidOauthRedirectResolver: scheme, user-info, host and port identical (exact,
    case-sensitive strings: no sub-domains), and the requested path, cleaned, starts with the
    registered path, cleaned. The query string is free."""
    req, reg = _split(requested or ""), _split(registered.strip())
    if req is None or reg is None:
        return False
    return (req.scheme == reg.scheme and req.userinfo == reg.userinfo and req.host == reg.host
            and req.port == reg.port
            and clean_path(req.path).startswith(clean_path(reg.path)))


def redirect_registered(client: Client, requested: str) -> bool:
    return any(redirect_matches(requested, uri) for uri in client.redirect_uris)


def add_query(uri: str, params: list[tuple[str, str]]) -> str:
    """Append parameters to the redirect URI's query (keeping what it has); '%20' for spaces."""
    parts = urlsplit(uri)
    extra = urlencode(params, quote_via=quote)
    query = "%s&%s" % (parts.query, extra) if parts.query else extra
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def add_fragment(uri: str, params: list[tuple[str, str]]) -> str:
    parts = urlsplit(uri)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query,
                       urlencode(params, quote_via=quote)))
