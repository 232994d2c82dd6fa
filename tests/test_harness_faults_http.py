"""Faults on demand over HTTP: ORCID's error bodies, delays, dropped connections, the front
proxy's 503, ``times``, matchers; and the opt-in rate limit with ORCID's published limits."""
from __future__ import annotations

import time

import pytest
import requests
from http_helpers import JSON, XML, auth, json_error, make_env, work_xml, xml_error

from mock_orcid.pytest_plugin import MockOrcid
from mock_orcid.server import RunningServer
from mock_orcid.settings import Settings


@pytest.fixture
def env(mock_orcid):
    env = make_env(mock_orcid)
    mock_orcid.clear_requests()
    yield env
    mock_orcid.reset()            # no fault, rate limit or moved clock leaks into other tests


def _post_work(env, title="Faulted", accept=JSON):
    return requests.post(env.member + "/work", data=work_xml(title=title, doi="10.5555/" + title),
                         headers=auth(env.token, **{"Content-Type": XML, "Accept": accept}))


def test_an_orcid_error_fault_answers_orcids_body_in_the_negotiated_format_times_times(
        mock_orcid, env):
    fault = mock_orcid.add_fault(method="POST", path="/v3.0/*/work", status=503, error_code=9008,
                                 times=2)
    assert fault["id"] and fault["method"] == "POST" and fault["path"] == "/v3.0/*/work"
    assert fault["status"] == 503 and fault["error_code"] == 9008 and fault["times"] == 2
    body = json_error(_post_work(env, "a", accept=JSON), 503, 9008)
    assert body["developer-message"].startswith("503 Service Unavailable")
    xml_error(_post_work(env, "b", accept=XML), 503, 9008)
    assert mock_orcid.faults() == []                       # used up
    assert _post_work(env, "c").status_code == 201         # nothing was written before
    works = requests.get(env.member + "/works", headers=auth(env.token, Accept=JSON)).json()
    assert len(works["group"]) == 1
    statuses = [(e["status"], e["fault"] and e["fault"]["action"])
                for e in mock_orcid.requests(method="POST")]
    assert statuses == [(503, "orcid-error"), (503, "orcid-error"), (201, None)]


def test_a_status_alone_takes_orcids_usual_code_and_a_code_alone_its_status(mock_orcid, env):
    mock_orcid.add_fault(path="/v3.0/*/works", status=404)
    json_error(requests.get(env.member + "/works", headers=auth(env.token, Accept=JSON)), 404,
               9016)
    mock_orcid.add_fault(path="/v3.0/*/works", error_code=9018)
    json_error(requests.get(env.member + "/works", headers=auth(env.token, Accept=JSON)), 409,
               9018)


def test_a_503_without_a_code_is_the_front_proxys_page(mock_orcid, env):
    mock_orcid.add_fault(path="/pub/*", status=503)
    resp = requests.get(env.public + "/works", headers={"Accept": JSON})
    assert resp.status_code == 503
    assert resp.headers["Content-Type"].startswith("text/html")
    assert "503 Service Temporarily Unavailable" in resp.text and "nginx" in resp.text
    [entry] = mock_orcid.requests()
    assert entry["fault"]["action"] == "front-proxy-503"


def test_a_delay_holds_the_answer_then_the_request_goes_on(mock_orcid, env):
    mock_orcid.add_fault(method="GET", path="/pub/v3.0/*", delay_ms=400)
    started = time.monotonic()
    resp = requests.get(env.public + "/works", headers={"Accept": JSON})
    assert time.monotonic() - started >= 0.4
    assert resp.status_code == 200 and "group" in resp.json()
    [entry] = mock_orcid.requests()
    assert entry["fault"]["action"] == "delay" and entry["duration_ms"] >= 400


def test_a_dropped_connection_answers_nothing_and_is_journaled(mock_orcid, env):
    mock_orcid.add_fault(path="/pub/*", drop_connection=True)
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(env.public + "/works", headers={"Accept": JSON})
    assert requests.get(env.public + "/works", headers={"Accept": JSON}).status_code == 200
    dropped, answered = mock_orcid.requests()
    assert dropped["status"] is None and dropped["fault"]["action"] == "drop-connection"
    assert answered["status"] == 200 and answered["fault"] is None


def test_matchers_pick_the_client_and_the_record(mock_orcid, env):
    other_client = mock_orcid.create_client(name="Other")
    other_token = mock_orcid.token(other_client, env.user)["access_token"]
    mock_orcid.add_fault(client_id=other_client["client_id"], orcid=env.orcid, status=500,
                         times=None)
    assert requests.get(env.member + "/works",
                        headers=auth(env.token, Accept=JSON)).status_code == 200
    for _ in range(3):       # until deleted
        json_error(requests.get(env.member + "/works", headers=auth(other_token, Accept=JSON)),
                   500, 9008)
    [fault] = mock_orcid.faults()
    assert fault["times"] is None and fault["remaining"] is None and fault["hits"] == 3
    mock_orcid.clear_faults(fault["id"])
    assert requests.get(env.member + "/works",
                        headers=auth(other_token, Accept=JSON)).status_code == 200


def test_faults_are_listed_fetched_and_deleted_one_by_one_or_all(mock_orcid, env):
    first = mock_orcid.add_fault(path="/nothing/1", status=500)
    second = mock_orcid.add_fault(path="/nothing/2", delay_ms=10, times=5)
    assert [f["id"] for f in mock_orcid.faults()] == [first["id"], second["id"]]
    got = requests.get(env.url + "/__admin/faults/%d" % second["id"]).json()
    assert got["delay_ms"] == 10 and got["remaining"] == 5 and got["action"] == "delay"
    assert requests.delete(env.url + "/__admin/faults/%d" % first["id"]).status_code == 204
    missing = requests.get(env.url + "/__admin/faults/%d" % first["id"])
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    assert requests.delete(env.url + "/__admin/faults").json() == {"deleted": 1}
    assert mock_orcid.faults() == []


@pytest.mark.parametrize("body, field", [
    ({"path": "/v3.0/*"}, None),                           # no action
    ({"drop_connection": False}, None),
    ({"status": 200}, "status"),
    ({"status": "503"}, "status"),
    ({"error_code": 1234}, "error_code"),
    ({"delay_ms": -5}, "delay_ms"),
    ({"status": 500, "times": 0}, "times"),
    ({"status": 500, "colour": "red"}, "colour"),
    ([1, 2], None),
])
def test_bad_fault_bodies_are_400_with_the_field_named(mock_orcid, env, body, field):
    resp = requests.post(env.url + "/__admin/faults", json=body)
    assert resp.status_code == 400, resp.text
    data = resp.json()
    assert set(data) == {"error", "message", "field"}
    assert data["error"] == "bad_request" and data["field"] == field and data["message"]
    assert mock_orcid.faults() == []


def test_the_rate_limit_answers_the_front_proxys_503_past_the_burst(mock_orcid, env):
    # A frozen clock never refills the bucket: exactly the burst gets through.
    mock_orcid.set_clock("2030-01-01T00:00:00Z", frozen=True)
    assert mock_orcid.set_rate_limit(True)["limits"]["public"] == {"rate": 12, "burst": 40}
    session = requests.Session()
    statuses = [session.get(env.public + "/works", headers={"Accept": JSON}).status_code
                for _ in range(41)]
    assert statuses == [200] * 40 + [503]
    refused = session.get(env.public + "/works", headers={"Accept": JSON})
    assert refused.status_code == 503 and "nginx" in refused.text
    # the member API is another bucket (24/s, burst 40)
    assert session.get(env.member + "/works",
                       headers=auth(env.token, Accept=JSON)).status_code == 200
    # one second later, 12 more
    mock_orcid.advance_clock(1)
    statuses = [session.get(env.public + "/works", headers={"Accept": JSON}).status_code
                for _ in range(13)]
    assert statuses == [200] * 12 + [503]
    limited = mock_orcid.requests(status=503)
    assert len(limited) == 3 and {e["rate_limited"] for e in limited} == {"public"}
    mock_orcid.set_rate_limit(False)
    assert session.get(env.public + "/works", headers={"Accept": JSON}).status_code == 200


def test_the_token_endpoint_has_its_own_limit_of_75(mock_orcid, env):
    mock_orcid.set_clock("2030-01-01T00:00:00Z", frozen=True)
    mock_orcid.set_rate_limit(True)
    form = {"client_id": env.client["client_id"], "client_secret": env.client["client_secret"],
            "grant_type": "client_credentials", "scope": "/read-public"}
    session = requests.Session()
    statuses = [session.post(env.url + "/oauth/token", data=form).status_code for _ in range(76)]
    assert statuses == [200] * 75 + [503]
    mock_orcid.reset()            # back to the rate limit as configured: off
    assert requests.get(env.url + "/__admin/rate-limit").json()["enabled"] is False


def test_rate_limit_on_from_the_command_line_setting():
    server = RunningServer(Settings(host="127.0.0.1", port=0, rate_limit=True)).start()
    try:
        assert requests.get(server.url + "/__admin/rate-limit").json()["enabled"] is True
        MockOrcid(server).reset()
        assert requests.get(server.url + "/__admin/rate-limit").json()["enabled"] is True
    finally:
        server.stop()
