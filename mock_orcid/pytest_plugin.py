"""pytest plugin (entry point ``pytest11``): the ``mock_orcid`` fixture.

A real mock-orcid server on a free loopback port for the whole test session, with helpers
that go through the same HTTP endpoints a client would use, including the OAuth flow.
"""
from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request

import pytest


def pytest_addoption(parser):
    group = parser.getgroup("mock-orcid")
    group.addoption("--mock-orcid-fixtures", metavar="PATH", default=None,
                    help="fixtures file or folder the mock loads (and resets to); "
                         "default MOCK_ORCID_FIXTURES, then the ini value")
    group.addoption("--mock-orcid-url", metavar="URL", default=None,
                    help="use the mock-orcid already running at URL instead of starting one; "
                         "default MOCK_ORCID_URL, then the ini value")
    parser.addini("mock_orcid_fixtures", "fixtures file or folder for the mock (relative to "
                  "the rootdir)", default="")
    parser.addini("mock_orcid_url", "URL of a running mock-orcid to use", default="")


def _option(config, name: str, env: str):
    """The command line wins, then the environment, then the ini file."""
    value = config.getoption("--" + name.replace("_", "-"), default=None) or os.environ.get(env)
    if value:
        return value, False
    value = config.getini(name)
    return value or None, True


class RemoteServer:
    """A mock-orcid started elsewhere (``--mock-orcid-url``): HTTP only, no in-process state."""

    def __init__(self, url: str):
        self.url = url.rstrip("/")

    @property
    def state(self):
        raise RuntimeError("the mock runs elsewhere (%s): there is no in-process state"
                           % self.url)

    def stop(self) -> None:
        pass


class MockOrcid:
    def __init__(self, server):
        self.server = server
        self.url = server.url

    def reroute(self):
        """A context manager: calls to ORCID's hosts (orcid.org, sandbox, api., pub.) made with
        requests, urllib3, urllib.request or httpx go to this mock; other non-loopback hosts
        are refused. See ``mock_orcid.harness.reroute``."""
        from .harness.reroute import reroute
        return reroute(self.url)

    def export_fixtures(self) -> dict:
        """The current state as a fixtures document, items inline (GET /__admin/fixtures)."""
        return self._json("GET", "/__admin/fixtures")

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

    # -- harness: journal, faults, clock (GET/POST/DELETE under /__admin) ----------
    def requests(self, **filters) -> list:
        """The request journal, newest last; filters: method, path (prefix), status, client_id,
        orcid, since (ISO 8601 or datetime), limit."""
        query = {k: (v.isoformat() if hasattr(v, "isoformat") else v)
                 for k, v in filters.items() if v is not None}
        return self._json("GET", "/__admin/requests?" + urllib.parse.urlencode(query))

    def clear_requests(self) -> int:
        return self._json("DELETE", "/__admin/requests")["deleted"]

    def add_fault(self, **fault) -> dict:
        """Arm a fault (flat body: method, path, client_id, orcid, status, error_code, delay_ms,
        drop_connection, times); returns it with its ``id``."""
        return self._json("POST", "/__admin/faults", fault, expect=201)

    def faults(self) -> list:
        return self._json("GET", "/__admin/faults")

    def clear_faults(self, fault_id: int | None = None) -> None:
        """Remove one fault, or all of them."""
        if fault_id is None:
            self._json("DELETE", "/__admin/faults")
        else:
            status, _headers, body = self._call("DELETE", "/__admin/faults/%d" % fault_id)
            if status != 204:
                raise AssertionError("DELETE fault %s -> %s: %s" % (fault_id, status, body[:300]))

    def set_rate_limit(self, enabled: bool) -> dict:
        return self._json("PUT", "/__admin/rate-limit", {"enabled": enabled})

    def clock(self) -> dict:
        """``{"now", "real", "frozen", "offset_seconds"}``."""
        return self._json("GET", "/__admin/clock")

    def advance_clock(self, seconds: float, frozen: bool | None = None) -> dict:
        body = {"advance_seconds": seconds}
        if frozen is not None:
            body["frozen"] = frozen
        return self._json("POST", "/__admin/clock", body)

    def set_clock(self, now, frozen: bool = False) -> dict:
        """Make it ``now`` (ISO 8601 string or aware datetime); frozen: time stands still."""
        text = now.isoformat() if hasattr(now, "isoformat") else now
        return self._json("POST", "/__admin/clock", {"now": text, "frozen": frozen})

    def real_clock(self) -> dict:
        return self._json("DELETE", "/__admin/clock")
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
def mock_orcid_server(pytestconfig):
    url, _ = _option(pytestconfig, "mock_orcid_url", "MOCK_ORCID_URL")
    if url:
        yield RemoteServer(url)
        return
    from .harness.fixtures import FixtureError
    from .harness.persistence import StateFileError
    from .server import RunningServer
    from .settings import Settings
    fixtures, from_ini = _option(pytestconfig, "mock_orcid_fixtures", "MOCK_ORCID_FIXTURES")
    if fixtures and from_ini:
        fixtures = str(pytestconfig.rootpath / fixtures)
    # MOCK_ORCID_* settings are honoured, but the in-process server always listens on a free
    # loopback port and names itself by it.
    settings = Settings.from_env(fixtures=fixtures)
    settings.host, settings.port, settings.base_url = "127.0.0.1", 0, None
    try:
        server = RunningServer(settings).start()
    except (FixtureError, StateFileError) as exc:
        pytest.fail("mock-orcid: %s" % exc, pytrace=False)
    server.wait_until_loaded()     # the schemas: the first test's first call is not slower
    yield server
    server.stop()


@pytest.fixture(scope="session")
def mock_orcid(mock_orcid_server) -> MockOrcid:
    """A running mock-orcid: ``.url``, ``.reset()``, ``.create_user()``, ``.create_client()``,
    ``.token(client, user, scopes)``, ``.webhooks()``, ``.dispatch_webhooks()``; the harness:
    ``.requests(**filters)``, ``.clear_requests()``, ``.add_fault(**fault)``, ``.faults()``,
    ``.clear_faults(id=None)``, ``.set_rate_limit(on)``, ``.clock()``, ``.advance_clock(s)``,
    ``.set_clock(now, frozen)``, ``.real_clock()``;
    ``.reroute()``, ``.export_fixtures()``, ``.export_public_data_file(dir)``,
    ``.export_lambda_file(path)``."""
    return MockOrcid(mock_orcid_server)


@pytest.fixture
def mock_orcid_clean(mock_orcid) -> MockOrcid:
    """The mock, reset to its fixtures before the test (POST /__admin/reset)."""
    mock_orcid.reset()
    return mock_orcid


@pytest.fixture
def mock_orcid_reroute(mock_orcid):
    """The mock, with ORCID's hosts rerouted to it for the test (``mock_orcid.reroute()``)."""
    with mock_orcid.reroute():
        yield mock_orcid
