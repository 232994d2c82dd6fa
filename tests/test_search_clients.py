"""Real ORCID clients search the mock, unchanged but for where ORCID's hosts point:
python-orcid's ``search``/``search_generator`` (it still calls /v2.0/search/) and PyOrcid's
expanded and plain search (/v3.0/…, no Accept header, a JSON Content-Type).

Both libraries hard-code https://pub.orcid.org and https://api.orcid.org, so the only patch
is in requests' transport: those base URLs go to the mock, with the Host header the client
meant (a ``pub.`` Host gets the public API, as on ORCID)."""
from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import orcid as python_orcid
import pytest
import requests
from pyorcid import OrcidSearch

from conformance_support import OFFICIAL_MODEL
from search_support import build_world

MEMBER_ID, MEMBER_SECRET = "APP-MOCKMEMBER000001", "mock-member-secret"
ORCID_HOSTS = ("pub.orcid.org", "api.orcid.org", "orcid.org",
               "pub.sandbox.orcid.org", "api.sandbox.orcid.org", "sandbox.orcid.org")


@pytest.fixture(scope="module")
def world(mock_orcid):
    if not OFFICIAL_MODEL.is_dir():
        pytest.skip("ORCID's official samples are not beside the project (../shared/orcid-model)")
    return build_world(mock_orcid)


@pytest.fixture
def calls(mock_orcid, monkeypatch):
    """Point ORCID's base URLs at the mock; record (method, host, path, query, headers, status)."""
    seen = []
    original = requests.adapters.HTTPAdapter.send

    def send(self, request, **kwargs):
        parts = urlparse(request.url)
        host = None
        if parts.scheme == "https" and parts.hostname in ORCID_HOSTS:
            host = parts.hostname
            request.url = mock_orcid.url + request.url[len("https://" + parts.netloc):]
            request.headers["Host"] = host
        response = original(self, request, **kwargs)
        if host:
            seen.append((request.method, host, parts.path, parse_qs(parts.query),
                         dict(request.headers), response.status_code))
        return response

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", send)
    return seen


def test_python_orcid_public_search_and_generator(world, calls):
    api = python_orcid.PublicAPI(MEMBER_ID, MEMBER_SECRET)
    found = api.search("keyword:tessellation")
    assert found["num-found"] == 1
    assert found["result"][0]["orcid-identifier"]["path"] == world.a
    # first a client-credentials token, then /v2.0/search/ on the public host
    (tok_method, tok_host, tok_path, *_), search_call = calls[0], calls[1]
    assert (tok_method, tok_host, tok_path) == ("POST", "pub.orcid.org", "/oauth/token")
    assert search_call[1:3] == ("pub.orcid.org", "/v2.0/search/")
    assert search_call[3]["defType"] == ["lucene"]
    assert search_call[4]["Accept"] == "application/orcid+json"

    token = api.get_search_token_from_orcid()
    everyone = api.search("*:*", access_token=token)["num-found"]
    paged = list(api.search_generator("*:*", pagination=2, access_token=token))
    assert len(paged) == everyone >= 4
    assert len({r["orcid-identifier"]["path"] for r in paged}) == everyone
    assert api.search("family-name:Öztürk AND given-names:marguerite",
                      access_token=token)["result"][0]["orcid-identifier"]["path"] == world.a


def test_python_orcid_member_search(world, calls):
    api = python_orcid.MemberAPI(MEMBER_ID, MEMBER_SECRET)
    found = api.search("grant-numbers:1234", rows=5)
    assert [r["orcid-identifier"]["path"] for r in found["result"]] == [world.a]
    assert calls[-1][1:3] == ("api.orcid.org", "/v2.0/search/")
    assert calls[-1][3]["rows"] == ["5"]
    assert api.search("nothing-matches-this")["result"] == []      # v2.x: an empty list


@pytest.fixture
def read_public(mock_orcid) -> str:
    client = {"client_id": MEMBER_ID, "client_secret": MEMBER_SECRET}
    return mock_orcid.token(client, None, "/read-public")["access_token"]


@pytest.mark.parametrize("state", ["public", "member"])
def test_pyorcid_expanded_search(world, calls, read_public, state):
    search = OrcidSearch(orcid_access_token=read_public, state=state)
    body = search.search("keyword:tessellation")           # expanded-search is its default
    assert body["num-found"] == 1
    assert body["expanded-result"][0]["orcid-id"] == world.a
    assert body["expanded-result"][0]["family-names"] == "Öztürk"
    assert body["expanded-result"][0]["institution-name"] == ["Mosaic Institute", "Old Pottery College"]
    method, host, path, query, headers, status = calls[-1]
    assert (host, path, status) == ("%s.orcid.org" % ("pub" if state == "public" else "api"),
                                    "/v3.0/expanded-search/", 200)
    assert query == {"q": ["keyword:tessellation"], "start": ["0"], "rows": ["1000"]}
    assert headers["Accept"] == "*/*" and headers["Content-Type"] == "application/json"
    # its token check is a GET /v3.0/search with no q: anything but 404 means "valid"
    assert any(c[2] == "/v3.0/search" and c[5] == 200 for c in calls)


def test_pyorcid_plain_search_and_what_its_csv_mode_gets(world, calls, read_public):
    search = OrcidSearch(orcid_access_token=read_public, state="public")
    body = search.search("ror-org-id:\"https://ror.org/05dxps055\"", search_mode="search")
    assert body == {"result": [{"orcid-identifier": {
        "uri": "https://sandbox.orcid.org/" + world.a, "path": world.a,
        "host": "sandbox.orcid.org"}}], "num-found": 1}
    # Its csv mode sends no Accept, only Content-Type: text/csv; ORCID's AcceptFilter makes
    # that an XML request, which csv-search cannot answer: 406, which PyOrcid cannot read.
    with pytest.raises(ValueError):
        search.search("keyword:tessellation", search_mode="csv-search")
    assert calls[-1][2] == "/v3.0/csv-search/" and calls[-1][5] == 406
    resp = requests.get("https://pub.orcid.org/v3.0/csv-search/",
                        params={"q": "keyword:tessellation", "fl": "orcid,family-name"},
                        headers={"Accept": "text/csv"})
    assert resp.text == "orcid,family-name\n%s,Öztürk\n" % world.a
