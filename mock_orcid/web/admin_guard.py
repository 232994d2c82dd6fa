"""Who may call /__admin: the server's own users, not a web page they happen to have open.

Two browser attacks reach a mock on the developer's machine:

- CSRF: any page can POST a "simple" request (text/plain, a form) to http://127.0.0.1:8080 and
  reset the mock or create clients. Browsers name the page in ``Origin`` on every such POST, so a
  request whose ``Origin`` is not one of ours is refused.
- DNS rebinding: a page on attacker.example re-resolves its own name to 127.0.0.1 and then reads
  /__admin/clients (every secret) as a same-origin page. The browser then sends
  ``Host: attacker.example``, so a request whose ``Host`` is not one of ours is refused.

"Ours": ``localhost`` and ``*.localhost`` (browsers resolve them to loopback themselves, so they
cannot be rebound), any IP-literal host (rebinding needs a DNS name; an IP-literal origin is the
server itself), the host of the base URL (``--base-url`` / ``MOCK_ORCID_BASE_URL``), the bind host
(``--host``), and the names in ``--allowed-hosts`` / ``MOCK_ORCID_ALLOWED_HOSTS`` (``*`` allows any).
An ``Origin`` is ours when it is the request's own host (the page came from this server, as the
inbox page's Revoke button does), a loopback name or address, the base URL's or bind host, or an
allowed name. curl, requests, the pytest fixture and Docker port mappings send no ``Origin`` and
a loopback, IP or base-URL ``Host``, so they pass unchanged.
"""
from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from ..settings import Settings

WILDCARD_BINDS = ("", "0.0.0.0", "::")


def _hostname(authority: str | None) -> str | None:
    """'Example.org:8080' -> 'example.org'; '[::1]:80' -> '::1'; junk -> None."""
    if not authority:
        return None
    try:
        host = urlsplit("//" + authority.strip()).hostname
    except ValueError:
        return None
    return host.rstrip(".") if host else None


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def own_names(settings: Settings) -> set[str]:
    names = {_hostname(urlsplit(settings.public_base_url).netloc)}
    if settings.host not in WILDCARD_BINDS:
        names.add(_hostname(settings.host) or settings.host.lower())
    names.update(h.strip().lower().rstrip(".") for h in settings.allowed_hosts if h.strip())
    names.discard(None)
    return names


def refusal(settings: Settings, host_header: str | None, origin: str | None):
    """None when the request may go on; else (header name, message)."""
    names = own_names(settings)
    if "*" in names:
        return None
    host = _hostname(host_header)
    if host is None or not (_is_ip(host) or _is_loopback(host) or host in names):
        return ("Host", "the Host %r is not this server's own; DNS rebinding is refused. Reach "
                "the mock by localhost or an IP address, or name the host in --base-url or "
                "--allowed-hosts (MOCK_ORCID_ALLOWED_HOSTS)" % (host_header or ""))
    if origin is None:
        return None
    parts = urlsplit(origin.strip()) if origin.strip() != "null" else None
    try:
        origin_host = parts.hostname if parts else None
        same = parts is not None and parts.netloc.lower() == (host_header or "").strip().lower()
    except ValueError:
        origin_host, same = None, False
    if same or (origin_host and (_is_loopback(origin_host) or origin_host.rstrip(".") in names)):
        return None
    return ("Origin", "a page from %r may not use the test-control API (cross-site request "
            "refused); allow its host with --allowed-hosts (MOCK_ORCID_ALLOWED_HOSTS)" % origin)
