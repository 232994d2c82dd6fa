"""mock_orcid.reroute(): requests, urllib3, urllib.request and httpx calls to ORCID's hosts reach
the mock (pub hosts as the public API), other non-loopback hosts are refused, and nothing stays
patched afterwards."""
from __future__ import annotations

import asyncio
import concurrent.futures
import json
import urllib.error
import urllib.request

import httpx
import pytest
import requests
import urllib3

from mock_orcid.harness.reroute import ORCID_HOSTS, RerouteRefused, reroute

ORCID = "0000-0002-1825-0097"
JSON = "application/vnd.orcid+json"


@pytest.fixture
def limited_work(mock_orcid_clean):
    """Josiah with one limited work, and a member token that may read it."""
    mock = mock_orcid_clean
    client = mock.create_client(type="member", redirect_uris=["http://localhost"])
    token = mock.token(client, ORCID, "/read-limited /activities/update")["access_token"]
    body = {"title": {"title": {"value": "Rerouted work"}}, "type": "book",
            "external-ids": {"external-id": [{"external-id-type": "doi",
                                              "external-id-value": "10.5555/reroute",
                                              "external-id-relationship": "self"}]}}
    r = requests.post("%s/v3.0/%s/work" % (mock.url, ORCID), json=body,
                      headers={"Authorization": "Bearer " + token, "Content-Type": JSON})
    assert r.status_code == 201
    put_code = int(r.headers["Location"].rsplit("/", 1)[1])
    mock.set_visibility(ORCID, "work", put_code, "limited")
    return token


def _titles(works: dict) -> list[str]:
    return [s["title"]["title"]["value"] for g in works["group"] for s in g["work-summary"]]


def test_requests_reaches_the_member_api_on_api_sandbox_and_the_public_api_on_pub(mock_orcid_reroute, limited_work):
    auth = {"Authorization": "Bearer " + limited_work, "Accept": JSON}
    member = requests.get("https://api.sandbox.orcid.org/v3.0/%s/works" % ORCID, headers=auth)
    assert member.status_code == 200 and _titles(member.json()) == ["Rerouted work"]
    public = requests.get("https://pub.sandbox.orcid.org/v3.0/%s/works" % ORCID, headers=auth)
    assert public.status_code == 200 and _titles(public.json()) == []   # limited: not public
    # The production hosts too.
    assert requests.get("https://api.orcid.org/v3.0/%s/works" % ORCID, headers=auth).status_code == 200
    assert requests.get("https://pub.orcid.org/v3.0/%s/works" % ORCID,
                        headers={"Accept": JSON}).json()["group"] == []


def test_urllib3_urllib_request_and_httpx_are_rerouted_too(mock_orcid_reroute, limited_work):
    headers = {"Authorization": "Bearer " + limited_work, "Accept": JSON}
    url = "https://api.sandbox.orcid.org/v3.0/%s/works" % ORCID
    r = urllib3.request("GET", url, headers=headers)
    assert r.status == 200 and _titles(json.loads(r.data)) == ["Rerouted work"]
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as resp:
        assert _titles(json.loads(resp.read())) == ["Rerouted work"]
    with httpx.Client() as client:
        assert _titles(client.get(url, headers=headers).json()) == ["Rerouted work"]

    async def fetch():
        async with httpx.AsyncClient() as client:
            return (await client.get(url.replace("api.", "pub."), headers=headers)).json()
    # In a thread of its own: Playwright's sync API (the browser tests) may have left an event
    # loop running in this one, and asyncio.run() refuses to nest.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        assert pool.submit(asyncio.run, fetch()).result()["group"] == []


def test_oauth_on_sandbox_orcid_org_is_the_mocks(mock_orcid_reroute):
    r = requests.post("https://sandbox.orcid.org/oauth/token", data={
        "client_id": "APP-MOCKMEMBER000001", "client_secret": "mock-member-secret",
        "grant_type": "client_credentials", "scope": "/read-public"},
        headers={"Accept": "application/json"})
    assert r.status_code == 200 and r.json()["scope"] == "/read-public"


def test_other_hosts_are_refused_while_active_and_loopback_is_not(mock_orcid_reroute):
    with pytest.raises(RerouteRefused, match="example.org"):
        requests.get("https://example.org/")
    with pytest.raises(RerouteRefused):
        urllib3.request("GET", "http://example.org/")
    with pytest.raises(urllib.error.URLError) as err:
        urllib.request.urlopen("https://example.org/", timeout=5)
    assert isinstance(err.value.reason, RerouteRefused)
    with pytest.raises(httpx.ConnectError, match="not an ORCID host"):
        httpx.get("https://example.org/")
    # Loopback (the mock itself) is untouched.
    assert requests.get(mock_orcid_reroute.url + "/__admin/health").json() == {"status": "ok"}


def test_nothing_stays_patched_after_the_block(mock_orcid):
    before = (urllib3.PoolManager.connection_from_context, urllib.request.AbstractHTTPHandler.do_open,
              httpx.HTTPTransport.handle_request, httpx.AsyncHTTPTransport.handle_async_request)
    with mock_orcid.reroute():
        with reroute(mock_orcid.url):     # nested: still rerouted, still restored once
            pass
        assert requests.get("https://pub.sandbox.orcid.org/v3.0/%s/works" % ORCID,
                            headers={"Accept": JSON}).status_code == 200
    after = (urllib3.PoolManager.connection_from_context, urllib.request.AbstractHTTPHandler.do_open,
             httpx.HTTPTransport.handle_request, httpx.AsyncHTTPTransport.handle_async_request)
    assert before == after


def test_the_hosts_are_orcids_production_and_sandbox_ones():
    for host in ("orcid.org", "sandbox.orcid.org", "api.orcid.org", "api.sandbox.orcid.org",
                 "pub.orcid.org", "pub.sandbox.orcid.org"):
        assert host in ORCID_HOSTS
    assert "evil-orcid.org" not in ORCID_HOSTS and "orcid.org.example.com" not in ORCID_HOSTS
