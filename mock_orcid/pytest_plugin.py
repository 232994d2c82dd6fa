"""pytest plugin (entry point ``pytest11``): the ``mock_orcid`` fixture.

A real mock-orcid server on a free loopback port for the whole test session, with helpers
that go through the same HTTP endpoints a client would use, including the OAuth flow.
"""
from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest


class MockOrcid:
    def __init__(self, server):
        self.server = server
        self.url = server.url

    # -- plumbing -------------------------------------------------------------
    def _call(self, method, path, data=None, form=None, headers=None):
        body = None
        headers = dict(headers or {})
        if data is not None:
            body = json.dumps(data).encode()
            headers["Content-Type"] = "application/json"
        elif form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        req = urllib.request.Request(self.url + path, data=body, method=method, headers=headers)
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(req, timeout=30) as resp:
                return resp.status, dict(resp.headers), resp.read()
        except urllib.error.HTTPError as err:
            return err.code, dict(err.headers), err.read()

    def _json(self, method, path, data=None, expect=200):
        status, _headers, body = self._call(method, path, data=data)
        if status != expect:
            raise AssertionError("%s %s -> %s: %s" % (method, path, status, body[:500]))
        return json.loads(body)

    # -- test-control API -------------------------------------------------------
    @property
    def state(self):
        """The in-process MockState, for assertions that need to look inside."""
        return self.server.state

    def reset(self) -> None:
        self._json("POST", "/__admin/reset")

    def create_user(self, **fields) -> dict:
        return self._json("POST", "/__admin/users", fields, expect=201)

    def create_client(self, name="Test client", type="member", redirect_uris=("http://localhost/callback",),
                      **fields) -> dict:
        fields.update(name=name, type=type, redirect_uris=list(redirect_uris))
        return self._json("POST", "/__admin/clients", fields, expect=201)

    def notifications(self, orcid: str) -> list:
        return self._json("GET", "/__admin/users/%s/notifications" % orcid)

    def set_visibility(self, orcid: str, section: str, put_code: int, visibility: str) -> dict:
        """What the researcher does in ORCID's UI: change one item's visibility."""
        return self._json("PATCH", "/__admin/users/%s/%s/%s" % (orcid, section, put_code),
                          {"visibility": visibility})

    def webhooks(self) -> dict:
        """Webhook registrations and the delivery log: ``{"interval", "registrations",
        "deliveries"}`` (GET /__admin/webhooks)."""
        return self._json("GET", "/__admin/webhooks")

    def dispatch_webhooks(self) -> dict:
        """Run one webhook dispatch pass now; ``{"delivered": [...], "skipped": [...]}``."""
        return self._json("POST", "/__admin/webhooks/dispatch")

    # -- ORCID's bulk files, read over HTTP like `mock-orcid export` ----------------
    def export_public_data_file(self, directory, year: int | None = None) -> list:
        """Write ORCID_YYYY_10_summaries.tar.gz and the eleven activities archives into
        ``directory`` from what the server holds now; returns their paths."""
        from .sync.exports.commands import export_public_data_file
        return export_public_data_file(directory, year, self.url)

    def export_lambda_file(self, path):
        """Write last_modified.csv.tar as the server serves it; returns its path."""
        from .sync.exports.commands import export_lambda_file
        return export_lambda_file(path, self.url)

    # -- OAuth, as a client does it ----------------------------------------------
    def token(self, client: dict, user: dict | str | None = None,
              scopes="/read-limited /activities/update") -> dict:
        """A token from the real OAuth flow: authorize (signed in as ``user``), then exchange
        the code; with ``user=None``, a client-credentials token."""
        if isinstance(scopes, (list, tuple)):
            scopes = " ".join(scopes)
        form = {"client_id": client["client_id"], "client_secret": client["client_secret"],
                "scope": scopes}
        if user is None:
            form["grant_type"] = "client_credentials"
        else:
            orcid = user if isinstance(user, str) else user["orcid"]
            redirect = client["redirect_uris"][0]
            query = urllib.parse.urlencode({
                "client_id": client["client_id"], "response_type": "code", "scope": scopes,
                "redirect_uri": redirect, "login_as": orcid})
            status, headers, body = self._call("GET", "/oauth/authorize?" + query)
            location = headers.get("Location", "")
            code = urllib.parse.parse_qs(urllib.parse.urlparse(location).query).get("code")
            if status != 302 or not code:
                raise AssertionError("authorize did not redirect with a code: %s %s %s"
                                     % (status, location, body[:300]))
            form.update(grant_type="authorization_code", code=code[0], redirect_uri=redirect)
        status, _headers, body = self._call("POST", "/oauth/token", form=form)
        if status != 200:
            raise AssertionError("token request failed: %s %s" % (status, body[:300]))
        return json.loads(body)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture(scope="session")
def mock_orcid_server():
    from .server import RunningServer
    from .settings import Settings
    server = RunningServer(Settings(host="127.0.0.1", port=0, fixtures=None)).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def mock_orcid(mock_orcid_server) -> MockOrcid:
    """A running mock-orcid: ``.url``, ``.reset()``, ``.create_user()``, ``.create_client()``,
    ``.token(client, user, scopes)``, ``.webhooks()``, ``.dispatch_webhooks()``,
    ``.export_public_data_file(dir)``, ``.export_lambda_file(path)``."""
    return MockOrcid(mock_orcid_server)
