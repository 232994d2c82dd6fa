"""Real ORCID client libraries, unpatched, inside ``mock_orcid_reroute``: python-orcid
(``sandbox=True``), pyorcid and inspire-service-orcid talk to their hard-coded *.orcid.org hosts
and get the mock. python-orcid and inspire-service-orcid read and write through API 2.0; those
parts run where the mock serves /v2.0 (issue 13) and skip, saying so, where it does not."""
from __future__ import annotations

import urllib.parse

import pytest
import requests

ORCID = "0000-0002-1825-0097"
MEMBER, SECRET = "APP-MOCKMEMBER000001", "mock-member-secret"
REDIRECT = "http://localhost/callback"
JSON = "application/vnd.orcid+json"


def _code(scopes: str) -> str:
    """The researcher's consent at https://sandbox.orcid.org/oauth/authorize (login_as skips the
    sign-in page), as a browser would follow it."""
    query = urllib.parse.urlencode({"client_id": MEMBER, "response_type": "code", "scope": scopes,
                                    "redirect_uri": REDIRECT, "login_as": ORCID})
    r = requests.get("https://sandbox.orcid.org/oauth/authorize?" + query, allow_redirects=False)
    assert r.status_code == 302, r.text
    return urllib.parse.parse_qs(urllib.parse.urlparse(r.headers["Location"]).query)["code"][0]


def _serves_v2() -> bool:
    return requests.get("https://pub.sandbox.orcid.org/v2.0/%s/works" % ORCID,
                        headers={"Accept": "application/orcid+json"}).status_code == 200


def _need_v2():
    if not _serves_v2():
        pytest.skip("this build of mock-orcid does not serve API 2.0 (issue 13), which "
                    "python-orcid and inspire-service-orcid read and write through")


@pytest.fixture
def rerouted(mock_orcid_clean, mock_orcid_reroute):
    return mock_orcid_reroute


# ------------------------------------------------------------------ python-orcid
def test_python_orcid_sandbox_gets_tokens_from_the_mock(rerouted):
    import orcid
    api = orcid.MemberAPI(MEMBER, SECRET, sandbox=True)
    token = api.get_token_from_authorization_code(_code("/read-limited /activities/update"), REDIRECT)
    assert token["orcid"] == ORCID and token["scope"] == "/read-limited /activities/update"
    public = orcid.PublicAPI(MEMBER, SECRET, sandbox=True)
    search_token = public.get_search_token_from_orcid()     # client credentials on pub.sandbox
    r = requests.get("https://pub.sandbox.orcid.org/v3.0/%s/record" % ORCID,
                     headers={"Authorization": "Bearer " + search_token, "Accept": JSON})
    assert r.status_code == 200 and r.json()["orcid-identifier"]["path"] == ORCID


def test_python_orcid_sandbox_adds_reads_and_removes_a_work(rerouted):
    import orcid
    _need_v2()
    api = orcid.MemberAPI(MEMBER, SECRET, sandbox=True)
    token = api.get_token_from_authorization_code(_code("/read-limited /activities/update"),
                                                  REDIRECT)["access_token"]
    work = {"title": {"title": {"value": "Written by python-orcid"}}, "type": "JOURNAL_ARTICLE",
            "external-ids": {"external-id": [{"external-id-type": "doi",
                                              "external-id-value": "10.5555/python-orcid",
                                              "external-id-relationship": "SELF"}]}}
    put_code = api.add_record(ORCID, token, "work", work)
    works = api.read_record_member(ORCID, "works", token)
    titles = [s["title"]["title"]["value"] for g in works["group"] for s in g["work-summary"]]
    assert titles == ["Written by python-orcid"]
    assert str(works["group"][0]["work-summary"][0]["put-code"]) == str(put_code)
    api.remove_record(ORCID, token, "work", put_code)
    assert api.read_record_member(ORCID, "works", token)["group"] == []


# ------------------------------------------------------------------ pyorcid
def test_pyorcid_sandbox_reads_public_and_member_views(rerouted):
    from pyorcid import Orcid, OrcidAuthentication
    mock = rerouted
    client = {"client_id": MEMBER, "client_secret": SECRET, "redirect_uris": [REDIRECT]}
    user_token = mock.token(client, ORCID, "/read-limited /activities/update")["access_token"]
    body = {"title": {"title": {"value": "Read by pyorcid"}}, "type": "book",
            "external-ids": {"external-id": [{"external-id-type": "doi",
                                              "external-id-value": "10.5555/pyorcid",
                                              "external-id-relationship": "self"}]}}
    r = requests.post("https://api.sandbox.orcid.org/v3.0/%s/work" % ORCID, json=body,
                      headers={"Authorization": "Bearer " + user_token, "Content-Type": JSON})
    assert r.status_code == 201
    put_code = int(r.headers["Location"].rsplit("/", 1)[1])
    mock.set_visibility(ORCID, "work", put_code, "limited")

    public_token = OrcidAuthentication(MEMBER, SECRET, sandbox=True).get_public_access_token()
    assert public_token
    public = Orcid(ORCID, public_token, state="public", sandbox=True)
    details, raw = public.works()
    assert details == [] and raw["group"] == []          # limited: the public API hides it
    assert public.record()["orcid-identifier"]["path"] == ORCID

    member = Orcid(ORCID, user_token, state="member", sandbox=True)
    details, _raw = member.works()
    assert [(d["title"], d["type"]) for d in details] == [("Read by pyorcid", "book")]


# ------------------------------------------------------------------ inspire-service-orcid
def _importable_time_execution():
    """inspire-service-orcid pins timeexecution<4, whose 3.x does not import on Python 3.7+
    (``fqn_decorators.async``); where that is what pip installed, its no-op decorator stands in.
    An import fix for a broken dependency: nothing about HTTP is touched."""
    try:
        import time_execution  # noqa: F401
    except SyntaxError:
        import sys
        import types
        stub = types.ModuleType("time_execution")
        stub.time_execution = lambda fn: fn
        sys.modules["time_execution"] = stub


@pytest.fixture
def inspire_client(rerouted):
    _importable_time_execution()
    from inspire_service_orcid.client import OrcidClient
    from inspire_service_orcid.conf import settings
    import orcid
    settings.configure(DO_USE_SANDBOX=True, CONSUMER_KEY=MEMBER, CONSUMER_SECRET=SECRET,
                       REQUEST_TIMEOUT=10)
    token = orcid.MemberAPI(MEMBER, SECRET, sandbox=True).get_token_from_authorization_code(
        _code("/read-limited /activities/update"), REDIRECT)["access_token"]
    return OrcidClient(token, ORCID)


def test_inspire_service_orcid_calls_reach_the_mock(inspire_client):
    response = inspire_client.get_all_works_summary()
    raw = response.raw_response
    assert raw.url == "https://api.sandbox.orcid.org/v2.0/%s/works" % ORCID
    assert raw.headers["Server"] == "mock-orcid"     # answered here, not by the network


def test_inspire_service_orcid_posts_lists_reads_and_deletes_a_work(inspire_client):
    from lxml import etree
    _need_v2()
    xml = etree.fromstring(
        '<work:work xmlns:common="http://www.orcid.org/ns/common" '
        'xmlns:work="http://www.orcid.org/ns/work"><work:title><common:title>From INSPIRE'
        '</common:title></work:title><work:type>journal-article</work:type><common:external-ids>'
        '<common:external-id><common:external-id-type>doi</common:external-id-type>'
        '<common:external-id-value>10.5555/inspire</common:external-id-value>'
        '<common:external-id-url>http://inspirehep.net/record/1</common:external-id-url>'
        '<common:external-id-relationship>self</common:external-id-relationship>'
        '</common:external-id></common:external-ids><work:url>http://inspirehep.net/record/1'
        '</work:url></work:work>')
    posted = inspire_client.post_new_work(xml)
    posted.raise_for_result()
    put_code = str(posted["putcode"])
    summary = inspire_client.get_all_works_summary()
    summary.raise_for_result()
    assert list(summary.get_putcodes_for_source_iter(MEMBER)) == [put_code]
    details = list(inspire_client.get_bulk_works_details_iter([put_code]))
    assert [(str(pc), url) for d in details for pc, url in d.get_putcodes_and_urls_iter()] == [
        (put_code, "http://inspirehep.net/record/1")]
    inspire_client.delete_work(put_code).raise_for_result()
    assert list(inspire_client.get_all_works_summary().get_putcodes_for_source_iter(MEMBER)) == []
