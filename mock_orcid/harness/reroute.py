"""Send calls to ORCID's hosts to the mock, for clients that hard-code them.

While a ``reroute(url)`` is active, every request made with requests, urllib3, urllib.request
or httpx to orcid.org, sandbox.orcid.org, api.[sandbox.]orcid.org, pub.[sandbox.]orcid.org (and
www.) goes to the mock at ``url`` over plain HTTP, with the ORCID host kept in the ``Host``
header: the mock routes by it, so pub hosts get the public API. Any other host that is not
loopback is refused (``RerouteRefused``), so a test cannot reach the network by mistake.

Why at these three places: requests sits on urllib3's ``PoolManager`` (and so do most clients),
urllib.request on ``AbstractHTTPHandler.do_open``, httpx on its transports. Patching there
catches every client built on them (python-orcid, pyorcid, inspire-service-orcid,
social-auth-core) without touching the client, and a proxy from the environment is bypassed
for ORCID's hosts (the mock is local) while other hosts are refused before any proxy is used.
"""
from __future__ import annotations

import contextlib
import http.client
import ipaddress
import threading
import urllib.error
import urllib.parse
import urllib.request

ORCID_HOSTS = frozenset({
    "orcid.org", "www.orcid.org", "api.orcid.org", "pub.orcid.org",
    "sandbox.orcid.org", "www.sandbox.orcid.org", "api.sandbox.orcid.org",
    "pub.sandbox.orcid.org",
})


class RerouteRefused(ConnectionRefusedError):
    """A request to a host that is neither ORCID's nor loopback while rerouting is active."""


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    host = host.strip("[]").lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Target:
    def __init__(self, url: str):
        parts = urllib.parse.urlsplit(url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError("reroute needs the mock's http:// URL, not %r" % url)
        self.url = url.rstrip("/")
        self.host = parts.hostname
        self.port = parts.port or 80
        self._pools: dict = {}
        self._httpx = None
        self._httpx_async = None
        self.lock = threading.Lock()

    def decide(self, host: str | None) -> str:
        """"orcid" (send to the mock), "pass" (loopback: untouched) or "refuse"."""
        name = (host or "").lower().rstrip(".")
        if name in ORCID_HOSTS:
            return "orcid"
        if is_loopback(name):
            return "pass"
        return "refuse"

    def refused(self, host) -> RerouteRefused:
        return RerouteRefused("mock_orcid reroute: %s is not an ORCID host and not loopback; "
                              "requests to other hosts are refused while rerouting is active" % host)

    # -- urllib3 ------------------------------------------------------------------
    def urllib3_pool(self, host: str, port: int | None, scheme: str):
        key = (host, port, scheme)
        with self.lock:
            pool = self._pools.get(key)
            if pool is None:
                default = 443 if scheme == "https" else 80
                netloc = host if port in (None, default) else "%s:%s" % (host, port)
                pool = self._pools[key] = _orcid_pool_class()(self.host, self.port, netloc)
            return pool

    # -- httpx --------------------------------------------------------------------
    def httpx_transport(self, asynchronous: bool):
        import httpx
        with self.lock:
            if asynchronous:
                self._httpx_async = self._httpx_async or httpx.AsyncHTTPTransport()
                return self._httpx_async
            self._httpx = self._httpx or httpx.HTTPTransport()
            return self._httpx

    def close(self) -> None:
        for pool in self._pools.values():
            pool.close()
        self._pools.clear()
        if self._httpx is not None:
            self._httpx.close()


_active: list[_Target] = []
_install_lock = threading.Lock()
_originals: dict = {}


def current() -> _Target | None:
    return _active[-1] if _active else None


@contextlib.contextmanager
def reroute(url: str):
    """Within the block, ORCID's hosts are the mock at ``url``; other non-loopback hosts are
    refused. Nestable; restores everything on exit."""
    target = _Target(url)
    with _install_lock:
        if not _active:
            _install()
        _active.append(target)
    try:
        yield target
    finally:
        with _install_lock:
            _active.remove(target)
            if not _active:
                _uninstall()
        target.close()


# ---------------------------------------------------------------------- the patches
_POOL_CLASS = None


def _orcid_pool_class():
    global _POOL_CLASS
    if _POOL_CLASS is None:
        import urllib3

        class OrcidHostPool(urllib3.HTTPConnectionPool):
            """A plain-HTTP pool to the mock that says the ORCID host in ``Host``."""

            def __init__(self, host, port, orcid_netloc):
                super().__init__(host, port, maxsize=10)
                self.orcid_netloc = orcid_netloc

            def urlopen(self, method, url, body=None, headers=None, *args, **kwargs):
                headers = dict(headers or {})
                if not any(k.lower() == "host" for k in headers):
                    headers["Host"] = self.orcid_netloc
                if url.startswith(("http://", "https://")):    # absolute form (via a proxy)
                    parts = urllib.parse.urlsplit(url)
                    url = parts.path or "/"
                    if parts.query:
                        url += "?" + parts.query
                return super().urlopen(method, url, body, headers, *args, **kwargs)

        _POOL_CLASS = OrcidHostPool
    return _POOL_CLASS


def _install() -> None:
    # urllib3 (and requests, which uses its PoolManager)
    try:
        import urllib3.poolmanager as pm
    except ImportError:
        pm = None
    if pm is not None:
        original = pm.PoolManager.connection_from_context
        _originals["urllib3"] = original

        def connection_from_context(self, request_context):
            target = current()
            host = request_context.get("host")
            verdict = target.decide(host) if target else "pass"
            if verdict == "orcid":
                return target.urllib3_pool(host, request_context.get("port"),
                                           request_context.get("scheme", "http"))
            if verdict == "refuse":
                raise target.refused(host)
            return original(self, request_context)

        pm.PoolManager.connection_from_context = connection_from_context

        # A proxy from the environment: for http:// URLs ProxyManager asks for the proxy's
        # pool, not the origin's, so decide on the origin here first.
        proxy_original = pm.ProxyManager.connection_from_host
        _originals["urllib3-proxy"] = proxy_original

        def proxy_connection_from_host(self, host, port=None, scheme="http", pool_kwargs=None):
            target = current()
            verdict = target.decide(host) if target else "pass"
            if verdict == "orcid":
                return target.urllib3_pool(host, port, scheme or "http")
            if verdict == "refuse":
                raise target.refused(host)
            return proxy_original(self, host, port, scheme, pool_kwargs)

        pm.ProxyManager.connection_from_host = proxy_connection_from_host

    # urllib.request
    original_open = urllib.request.AbstractHTTPHandler.do_open
    _originals["urllib"] = original_open

    def do_open(self, http_class, req, **http_conn_args):
        target = current()
        parts = urllib.parse.urlsplit(req.full_url)
        verdict = target.decide(parts.hostname) if target else "pass"
        if verdict == "refuse":
            raise urllib.error.URLError(target.refused(parts.hostname))
        if verdict != "orcid":
            return original_open(self, http_class, req, **http_conn_args)
        # Straight to the mock, whatever proxy or TLS the request was set up for.
        req.add_unredirected_header("Host", parts.netloc)
        req.selector = (parts.path or "/") + ("?" + parts.query if parts.query else "")
        req._tunnel_host = None

        def connection(_host, timeout=None, **_tls):
            return http.client.HTTPConnection(target.host, target.port, timeout=timeout)
        return original_open(self, connection, req)

    urllib.request.AbstractHTTPHandler.do_open = do_open

    # httpx
    try:
        import httpx
    except ImportError:
        httpx = None
    if httpx is not None:
        sync_original = httpx.HTTPTransport.handle_request
        async_original = httpx.AsyncHTTPTransport.handle_async_request
        _originals["httpx"] = (sync_original, async_original)

        def _route(request, asynchronous):
            target = current()
            verdict = target.decide(request.url.host) if target else "pass"
            if verdict == "refuse":
                raise httpx.ConnectError(str(target.refused(request.url.host)), request=request)
            if verdict == "orcid":
                # The Host header was set from the ORCID URL when the request was built.
                request.url = request.url.copy_with(scheme="http", host=target.host,
                                                    port=target.port)
                return target.httpx_transport(asynchronous)
            return None

        def handle_request(self, request):
            transport = _route(request, False)
            return sync_original(transport or self, request)

        async def handle_async_request(self, request):
            transport = _route(request, True)
            return await async_original(transport or self, request)

        httpx.HTTPTransport.handle_request = handle_request
        httpx.AsyncHTTPTransport.handle_async_request = handle_async_request


def _uninstall() -> None:
    if "urllib3" in _originals:
        import urllib3.poolmanager as pm
        pm.PoolManager.connection_from_context = _originals.pop("urllib3")
        pm.ProxyManager.connection_from_host = _originals.pop("urllib3-proxy")
    if "urllib" in _originals:
        urllib.request.AbstractHTTPHandler.do_open = _originals.pop("urllib")
    if "httpx" in _originals:
        import httpx
        httpx.HTTPTransport.handle_request, httpx.AsyncHTTPTransport.handle_async_request = \
            _originals.pop("httpx")
