"""The request journal over HTTP: what a failing test prints to see what its client sent."""
from __future__ import annotations

import pytest
import requests
from http_helpers import JSON, XML, auth, bulk_xml, make_env, work_xml

from mock_orcid.pytest_plugin import MockOrcid
from mock_orcid.server import RunningServer
from mock_orcid.settings import Settings


@pytest.fixture
def env(mock_orcid):
    env = make_env(mock_orcid)          # resets registry and harness
    mock_orcid.clear_requests()
    yield env
    mock_orcid.reset()


def test_a_write_is_journaled_with_caller_status_bodies_and_a_redacted_token(mock_orcid, env):
    resp = requests.post(env.member + "/work", data=work_xml(title="Journaled"),
                         headers=auth(env.token, **{"Content-Type": XML}))
    assert resp.status_code == 201
    [entry] = mock_orcid.requests(method="POST")
    assert entry["method"] == "POST"
    assert entry["path"] == "/v3.0/%s/work" % env.orcid
    assert entry["status"] == 201
    assert entry["client_id"] == env.client["client_id"]
    assert entry["orcid"] == env.orcid
    assert entry["request_headers"]["Authorization"] == "Bearer ****" + env.token[-4:]
    assert env.token not in str(entry)
    assert "Journaled" in entry["request_body"]["text"]
    assert entry["request_body"]["truncated"] is False
    assert entry["response_headers"]["Location"].endswith("/work/%s" % resp.headers["Location"]
                                                          .rsplit("/", 1)[1])
    assert entry["duration_ms"] >= 0
    assert entry["time"] and entry["fault"] is None and entry["rate_limited"] is None


def test_the_journal_filters_by_method_path_status_client_orcid_since_and_limit(mock_orcid, env):
    since = mock_orcid.clock()["now"]
    other = mock_orcid.create_user()
    requests.get(env.member + "/works", headers=auth(env.token, Accept=JSON))
    requests.get(env.public + "/works", headers={"Accept": JSON})
    requests.get("%s/pub/v3.0/%s/works" % (env.url, other["orcid"]), headers={"Accept": JSON})
    requests.get(env.member + "/work/999999", headers=auth(env.token, Accept=JSON))   # 404
    everything = mock_orcid.requests()
    assert [e["id"] for e in everything] == sorted(e["id"] for e in everything)   # newest last
    assert len(mock_orcid.requests(path="/pub/")) == 2
    assert [e["status"] for e in mock_orcid.requests(status=404)] == [404]
    assert len(mock_orcid.requests(client_id=env.client["client_id"])) == 2
    assert {e["path"] for e in mock_orcid.requests(orcid=other["orcid"])} == {
        "/pub/v3.0/%s/works" % other["orcid"]}
    assert len(mock_orcid.requests(since=since, method="get")) == 4
    assert mock_orcid.requests(limit=1) == everything[-1:]
    assert mock_orcid.requests(since="2999-01-01T00:00:00Z") == []


def test_admin_calls_are_not_journaled_and_delete_empties_it(mock_orcid, env):
    mock_orcid.create_user()
    mock_orcid.clock()
    assert mock_orcid.requests() == []
    requests.get(env.public, headers={"Accept": JSON})
    assert len(mock_orcid.requests()) == 1
    resp = requests.delete(env.url + "/__admin/requests")
    assert resp.json() == {"deleted": 1}
    assert mock_orcid.requests() == []


def test_oauth_secrets_are_kept_to_their_last_four_characters(mock_orcid, env):
    client = env.client
    resp = requests.post(env.url + "/oauth/token", data={
        "client_id": client["client_id"], "client_secret": client["client_secret"],
        "grant_type": "client_credentials", "scope": "/read-public"})
    assert resp.status_code == 200
    issued = resp.json()["access_token"]
    [entry] = mock_orcid.requests(path="/oauth/token")
    assert entry["client_id"] == client["client_id"]
    assert client["client_secret"] not in str(entry)
    assert "client_secret=%2A%2A%2A%2A" + client["client_secret"][-4:] in \
        entry["request_body"]["text"]
    assert issued not in str(entry)
    assert '"access_token": "****%s"' % issued[-4:] in entry["response_body"]["text"]


def test_long_bodies_are_truncated_with_their_full_size(mock_orcid, env):
    works = [work_xml(title="%d %s" % (n, "x" * 900), doi="10.5555/long.%d" % n)
             for n in range(6)]
    sent = bulk_xml(works).encode()
    resp = requests.post(env.member + "/works", data=sent,
                         headers=auth(env.token, **{"Content-Type": XML}))
    assert resp.status_code == 200
    [entry] = mock_orcid.requests(method="POST")
    body = entry["request_body"]
    assert body["truncated"] is True
    assert body["size"] == len(sent) > 4096
    assert len(body["text"].encode()) == 4096
    assert entry["response_body"]["size"] == len(resp.content)
    # the app still read the whole body: all six works were added
    got = requests.get(env.member + "/works", headers=auth(env.token, Accept=JSON)).json()
    assert len(got["group"]) == 6


def test_bad_filters_are_refused_with_the_field_named(mock_orcid, env):
    for query, field in (("colour=red", "colour"), ("status=abc", "status"),
                         ("since=yesterday", "since"), ("limit=-1", "limit")):
        resp = requests.get(env.url + "/__admin/requests?" + query)
        assert resp.status_code == 400, query
        body = resp.json()
        assert set(body) == {"error", "message", "field"} and body["field"] == field


def test_the_journal_is_a_ring_of_journal_size_entries():
    server = RunningServer(Settings(host="127.0.0.1", port=0, journal_size=3)).start()
    try:
        mock = MockOrcid(server)
        for n in range(5):
            requests.get(server.url + "/pub/v3.0/0000-0002-1825-0097/works?n=%d" % n,
                         headers={"Accept": JSON})
        assert [e["query"] for e in mock.requests()] == ["n=2", "n=3", "n=4"]
    finally:
        server.stop()
