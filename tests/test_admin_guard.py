"""A web page open in the developer's browser cannot drive or read the test-control API (CSRF,
DNS rebinding); curl, requests, the pytest fixture and Docker port mappings still can."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests

from mock_orcid.settings import Settings
from mock_orcid.web.admin_guard import refusal

# ------------------------------------------------------------------------------- over HTTP


def test_a_web_page_cannot_reset_the_mock_with_a_cross_site_post(mock_orcid):
    user = mock_orcid.create_user()
    r = requests.post(mock_orcid.url + "/__admin/reset", data="x",
                      headers={"Content-Type": "text/plain", "Origin": "http://attacker.example"})
    assert r.status_code == 403
    assert r.json()["error"] == "forbidden" and r.json()["field"] == "Origin"
    assert requests.get(mock_orcid.url + "/__admin/users/" + user["orcid"]).status_code == 200


def test_a_web_page_cannot_create_a_client_with_a_form_post(mock_orcid):
    r = requests.post(mock_orcid.url + "/__admin/clients", data={"name": "x"},
                      headers={"Origin": "https://attacker.example"})
    assert r.status_code == 403
    names = [c["name"] for c in requests.get(mock_orcid.url + "/__admin/clients").json()]
    assert "x" not in names


def test_a_rebound_host_name_cannot_read_client_secrets(mock_orcid):
    port = urlsplit(mock_orcid.url).port
    r = requests.get(mock_orcid.url + "/__admin/clients",
                     headers={"Host": "rebind.attacker.example:%d" % port})
    assert r.status_code == 403 and r.json()["field"] == "Host"
    assert "secret" not in r.text.replace("client_secret", "") and "mock-member-secret" not in r.text


def test_a_sandboxed_page_with_a_null_origin_is_refused(mock_orcid):
    r = requests.post(mock_orcid.url + "/__admin/reset", headers={"Origin": "null"})
    assert r.status_code == 403


def test_the_inbox_pages_revoke_button_posts_from_the_same_origin(mock_orcid):
    client = mock_orcid.create_client(name="Same-origin app")
    user = mock_orcid.create_user()
    token = mock_orcid.token(client, user)
    r = requests.post("%s/__admin/users/%s/revoke" % (mock_orcid.url, user["orcid"]),
                      data={"client_id": client["client_id"]}, allow_redirects=False,
                      headers={"Origin": mock_orcid.url, "Sec-Fetch-Site": "same-origin"})
    assert r.status_code == 303, r.text
    assert token["access_token"]


def test_scripts_without_an_origin_and_local_pages_are_served(mock_orcid):
    port = urlsplit(mock_orcid.url).port
    for host in ("127.0.0.1:%d" % port, "localhost:%d" % port, "LOCALHOST:%d" % port):
        r = requests.get(mock_orcid.url + "/__admin/health", headers={"Host": host})
        assert r.status_code == 200, host
    r = requests.get(mock_orcid.url + "/__admin/clients",
                     headers={"Origin": "http://localhost:3000"})
    assert r.status_code == 200


def test_the_api_itself_is_not_guarded(mock_orcid):
    port = urlsplit(mock_orcid.url).port
    r = requests.get(mock_orcid.url + "/pub/v3.0/0000-0002-1825-0097/works",
                     headers={"Host": "mock-orcid:%d" % port, "Origin": "https://app.example",
                              "Accept": "application/json"})
    assert r.status_code == 200


# ------------------------------------------------------------------------------ the rule
@pytest.mark.parametrize("settings, host", [
    (Settings(), "127.0.0.1:8080"),
    (Settings(), "localhost:8080"),
    (Settings(), "app.localhost:8080"),
    (Settings(), "[::1]:8080"),
    (Settings(), "192.168.1.20:8080"),                      # another machine by address
    (Settings(host="0.0.0.0", base_url="http://mock-orcid:8080"), "mock-orcid:8080"),  # compose
    (Settings(host="0.0.0.0", base_url="http://mock-orcid:8080"), "Mock-Orcid:8080"),
    (Settings(host="devbox.internal"), "devbox.internal:8080"),                        # --host
    (Settings(allowed_hosts=("ci-runner",)), "ci-runner:8080"),
    (Settings(allowed_hosts=("*",)), "anything.example"),
])
def test_own_hosts_reach_the_admin_api(settings, host):
    assert refusal(settings, host, None) is None


@pytest.mark.parametrize("settings, host", [
    (Settings(), "attacker.example:8080"),
    (Settings(), "localhost.attacker.example"),
    (Settings(), ""),
    (Settings(), None),
    (Settings(host="0.0.0.0", base_url="http://mock-orcid:8080"), "mock-orcid.attacker.example"),
    (Settings(host="0.0.0.0"), "0.0.0.0.attacker.example"),
])
def test_foreign_hosts_are_refused(settings, host):
    assert refusal(settings, host, None)[0] == "Host"


@pytest.mark.parametrize("origin, allowed", [
    ("http://127.0.0.1:8080", True),                 # the server's own page
    ("http://localhost:5173", True),                 # a local dev server
    ("http://[::1]:3000", True),
    ("https://ci.example.org", True),                # named in --allowed-hosts
    ("http://attacker.example", False),
    ("http://127.0.0.1.attacker.example", False),
    ("http://192.168.1.20:8080", False),             # another address, not this Host
    ("null", False),
    ("", False),
])
def test_cross_site_origins_are_refused(origin, allowed):
    settings = Settings(allowed_hosts=("ci.example.org",))
    assert (refusal(settings, "127.0.0.1:8080", origin) is None) is allowed


def test_a_page_served_by_this_server_under_an_address_may_post_to_it():
    assert refusal(Settings(host="0.0.0.0"), "192.168.1.20:8080", "http://192.168.1.20:8080") is None
