"""The clients people ship, on their default API 2.0, unchanged but for where ORCID's hosts
point: python-orcid's MemberAPI and PublicAPI, inspire-service-orcid's work flow (built on it),
and social-auth-core's ORCID login (token exchange, userinfo, then the public 2.0 record with
``?access_token=`` and no Accept header).

The only patch is in requests' transport: ``https://*.orcid.org`` goes to the mock with the Host
header the client meant (a ``pub.`` Host gets the public API, as on ORCID)."""
from __future__ import annotations

import sys
import types
import urllib.parse

import orcid as python_orcid
import pytest
import requests

ORCID_HOSTS = ("orcid.org", "api.orcid.org", "pub.orcid.org", "sandbox.orcid.org",
               "api.sandbox.orcid.org", "pub.sandbox.orcid.org")
REDIRECT = "https://repository.example.org/orcid/callback"
SCOPES = "/read-limited /activities/update"


@pytest.fixture
def orcid_hosts(mock_orcid, monkeypatch):
    seen = []
    original = requests.adapters.HTTPAdapter.send

    def send(self, request, **kwargs):
        parts = urllib.parse.urlsplit(request.url)
        if parts.scheme == "https" and parts.hostname in ORCID_HOSTS:
            request.url = mock_orcid.url + request.url[len("https://" + parts.netloc):]
            request.headers["Host"] = parts.hostname
            seen.append((request.method, parts.hostname, parts.path, dict(request.headers)))
        return original(self, request, **kwargs)

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", send)
    return seen


@pytest.fixture
def member(mock_orcid):
    client = mock_orcid.create_client(name="Repository", redirect_uris=[REDIRECT])
    user = mock_orcid.create_user(given_names="Grace", family_name="Hopper",
                                  email="grace.hopper@example.org")
    return client, user


def _code(api, client, user, scope=SCOPES) -> str:
    """The user signs in and approves (headless: the mock's ``login_as``)."""
    url = api.get_login_url(scope, REDIRECT) + "&login_as=" + user["orcid"]
    answer = requests.get(url, allow_redirects=False)
    assert answer.status_code == 302, answer.text[:300]
    return urllib.parse.parse_qs(urllib.parse.urlsplit(answer.headers["Location"]).query)["code"][0]


WORK = {
    "title": {"title": {"value": "A compiler for business data"}},
    "type": "JOURNAL_ARTICLE",
    "external-ids": {"external-id": [{
        "external-id-type": "doi", "external-id-value": "10.1000/flow-matic",
        "external-id-url": {"value": "https://doi.org/10.1000/flow-matic"},
        "external-id-relationship": "SELF"}]},
    "publication-date": {"year": {"value": "1959"}},
}


def test_python_orcid_member_api_writes_reads_and_deletes_on_v2_0(orcid_hosts, member):
    client, user = member
    api = python_orcid.MemberAPI(client["client_id"], client["client_secret"], sandbox=True)
    token = api.get_token_from_authorization_code(_code(api, client, user), REDIRECT)
    assert token["orcid"] == user["orcid"] and token["name"]
    access = token["access_token"]

    put_code = api.add_record(user["orcid"], access, "work", WORK)
    works = api.read_record_member(user["orcid"], "works", access)
    summary = works["group"][0]["work-summary"][0]
    assert str(summary["put-code"]) == put_code and summary["type"] == "JOURNAL_ARTICLE"
    assert summary["source"]["source-client-id"]["path"] == client["client_id"]
    assert summary["source"]["source-client-id"]["uri"].startswith("http://")   # 2.0's naming

    changed = dict(WORK, title={"title": {"value": "FLOW-MATIC"}})
    api.update_record(user["orcid"], access, "work", changed, put_code)
    bulk = api.read_record_member(user["orcid"], "works", access, put_code=[put_code])
    assert bulk["bulk"][0]["work"]["title"]["title"]["value"] == "FLOW-MATIC"

    api.remove_record(user["orcid"], access, "work", put_code)
    assert api.read_record_member(user["orcid"], "works", access)["group"] == []
    paths = {(m, host, path.split(user["orcid"])[0]) for m, host, path, _h in orcid_hosts}
    assert ("POST", "api.sandbox.orcid.org", "/v2.0/") in paths
    assert ("DELETE", "api.sandbox.orcid.org", "/v2.0/") in paths


def test_python_orcid_public_api_reads_the_public_record_on_v2_0(orcid_hosts, member, mock_orcid):
    client, user = member
    api = python_orcid.MemberAPI(client["client_id"], client["client_secret"], sandbox=True)
    access = api.get_token_from_authorization_code(_code(api, client, user), REDIRECT)["access_token"]
    api.add_record(user["orcid"], access, "work", WORK)

    public = python_orcid.PublicAPI(client["client_id"], client["client_secret"], sandbox=True)
    read_public = public.get_search_token_from_orcid()
    record = public.read_record_public(user["orcid"], "record", read_public)
    assert record["orcid-identifier"]["path"] == user["orcid"]
    assert record["orcid-identifier"]["uri"].startswith("http://")
    assert record["person"]["name"]["family-name"]["value"] == "Hopper"
    works = record["activities-summary"]["works"]["group"]
    assert works[0]["work-summary"][0]["title"]["title"]["value"] == WORK["title"]["title"]["value"]
    assert "distinctions" not in record["activities-summary"]
    assert any(host == "pub.sandbox.orcid.org" and path.startswith("/v2.0/")
               for _m, host, path, _h in orcid_hosts)


def _inspire_client():
    try:
        import time_execution  # noqa: F401  (3.x of timeexecution does not import on 3.7+)
    except (ImportError, SyntaxError):
        stub = types.ModuleType("time_execution")
        stub.time_execution = lambda fn: fn
        sys.modules["time_execution"] = stub
    from inspire_service_orcid import client as inspire_client
    from inspire_service_orcid.conf import settings
    return inspire_client, settings


def test_inspire_service_orcid_pushes_updates_and_deletes_a_work_on_v2_0(orcid_hosts, member):
    inspire_client, settings = _inspire_client()
    client, user = member
    settings.configure(DO_USE_SANDBOX=True, CONSUMER_KEY=client["client_id"],
                       CONSUMER_SECRET=client["client_secret"], REQUEST_TIMEOUT=10)
    api = python_orcid.MemberAPI(client["client_id"], client["client_secret"], sandbox=True)
    access = api.get_token_from_authorization_code(_code(api, client, user), REDIRECT)["access_token"]
    orcid_client = inspire_client.OrcidClient(access, user["orcid"])

    xml = b"""<work:work xmlns:common="http://www.orcid.org/ns/common"
      xmlns:work="http://www.orcid.org/ns/work"><work:title><common:title>Inspire work
      </common:title></work:title><work:type>journal-article</work:type><common:external-ids>
      <common:external-id><common:external-id-type>other-id</common:external-id-type>
      <common:external-id-value>inspire-1</common:external-id-value>
      <common:external-id-url>http://inspirehep.net/record/1</common:external-id-url>
      <common:external-id-relationship>self</common:external-id-relationship>
      </common:external-id></common:external-ids><work:url>http://inspirehep.net/record/1</work:url>
      </work:work>"""
    from lxml import etree
    posted = orcid_client.post_new_work(etree.fromstring(xml))
    posted.raise_for_result()
    put_code = str(posted["putcode"])

    summary = orcid_client.get_all_works_summary()
    summary.raise_for_result()
    assert [w.get("put-code") for w in summary.get("group")[0]["work-summary"]] == [int(put_code)]

    details = orcid_client.get_work_details(put_code)
    details.raise_for_result()
    assert details.get("bulk")[0]["work"]["url"]["value"] == "http://inspirehep.net/record/1"

    updated = orcid_client.put_updated_work(
        etree.fromstring(xml.replace(b"Inspire work", b"Inspire work v2")), put_code)
    updated.raise_for_result()
    deleted = orcid_client.delete_work(put_code)
    deleted.raise_for_result()
    missing = orcid_client.delete_work(put_code)
    assert missing.get("error-code") == 9016 or "9016" in str(missing)


class _Strategy:
    """social-auth's settings come from a strategy; a login needs none of them set."""

    def setting(self, name, default=None, backend=None):
        return default

    def request_data(self, merge=True):
        return {}

    def absolute_uri(self, path=None):
        return path

    def get_setting(self, name):
        return None


def test_social_auth_orcid_login_reads_the_2_0_record_with_access_token(orcid_hosts, member,
                                                                      mock_orcid):
    from social_core.backends.orcid import ORCIDOAuth2Sandbox
    client, user = member
    backend = ORCIDOAuth2Sandbox(_Strategy())
    api = python_orcid.MemberAPI(client["client_id"], client["client_secret"], sandbox=True)
    code = _code(api, client, user, "/authenticate")
    token = backend.request_access_token(
        backend.access_token_url(), method="POST", headers=backend.auth_headers(),
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
              "client_id": client["client_id"], "client_secret": client["client_secret"]})
    assert token[backend.ID_KEY] == user["orcid"]
    data = backend.user_data(token["access_token"])
    details = backend.get_user_details(data)
    assert details["username"] == user["orcid"]
    assert (details["first_name"], details["last_name"]) == ("Grace", "Hopper")
    record_call = orcid_hosts[-1]
    assert record_call[1] == "pub.sandbox.orcid.org" and record_call[2] == "/v2.0/" + user["orcid"]
    assert "Accept" not in record_call[3] or record_call[3]["Accept"] == "*/*"
