"""redirect_uri rules: how ORCID matches a requested redirect URI against the registered ones,
and how parameters are added to it."""
from __future__ import annotations

from urllib.parse import quote, urlencode, urlsplit, urlunsplit

from ..registry.model import Client


def clean_path(path: str) -> str:
    """Spring's StringUtils.cleanPath: '\\' -> '/', drop '.' segments, resolve '..'."""
    path = (path or "").replace("\\", "/")
    if not path:
        return ""
    parts = path.split("/")
    out: list[str] = []
    for part in parts:
        if part == ".":
            continue
        if part == ".." and out and out[-1] not in ("", ".."):
            out.pop()
            continue
        out.append(part)
    return "/".join(out)


def redirect_matches(requested: str, registered: str) -> bool:
    """ORCID's OrcidOauthRedirectResolver: scheme, user-info and port identical, host identical
    (or a sub-domain of the registered host), and the requested path starts with the registered
    path. The query string is free. A missing port only matches a missing port."""
    try:
        req, reg = urlsplit(requested), urlsplit(registered.strip())
        req_port, reg_port = req.port, reg.port
    except ValueError:
        return False
    if not req.scheme or not req.netloc:
        return False
    user_req = req.netloc.rpartition("@")[0] if "@" in req.netloc else None
    user_reg = reg.netloc.rpartition("@")[0] if "@" in reg.netloc else None
    host_req, host_reg = req.hostname, reg.hostname
    host_ok = host_req == host_reg or (host_req is not None and host_reg is not None
                                       and host_req.endswith("." + host_reg))
    return (req.scheme == reg.scheme and user_req == user_reg and host_ok
            and req_port == reg_port
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
