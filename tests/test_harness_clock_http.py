"""The mock's clock over HTTP: one time source for code and token expiry, created and
last-modified dates, and the webhook schedule; moved, frozen and set back by a test."""
from __future__ import annotations

import urllib.parse
from datetime import datetime, timezone

import pytest
import requests
from http_helpers import JSON, XML, auth, make_env, work_xml

TWENTY_YEARS = 631138518


@pytest.fixture
def env(mock_orcid):
    env = make_env(mock_orcid)
    yield env
    mock_orcid.reset()


def _ms(iso: str) -> int:
    return int(datetime.fromisoformat(iso).timestamp() * 1000)


def test_get_post_and_delete_move_and_restore_the_clock(mock_orcid, env):
    real = mock_orcid.clock()
    assert real["real"] is True and real["frozen"] is False and real["offset_seconds"] == 0
    moved = mock_orcid.advance_clock(3600)
    assert moved["real"] is False and 3599 <= moved["offset_seconds"] <= 3601
    assert _ms(moved["now"]) - _ms(real["now"]) >= 3600 * 1000
    frozen = mock_orcid.set_clock("2031-05-06T07:08:09Z", frozen=True)
    assert frozen["now"] == "2031-05-06T07:08:09+00:00" and frozen["frozen"] is True
    assert mock_orcid.clock()["now"] == "2031-05-06T07:08:09+00:00"    # stands still
    assert mock_orcid.advance_clock(61)["now"] == "2031-05-06T07:09:10+00:00"
    back = requests.delete(env.url + "/__admin/clock").json()
    assert back["real"] is True and abs(_ms(back["now"]) - _ms(real["now"])) < 600_000


def test_created_and_last_modified_dates_follow_the_clock(mock_orcid, env):
    mock_orcid.set_clock("2030-01-02T03:04:05Z", frozen=True)
    resp = requests.post(env.member + "/work", data=work_xml(title="Dated"),
                         headers=auth(env.token, **{"Content-Type": XML}))
    assert resp.status_code == 201
    work = requests.get(resp.headers["Location"], headers=auth(env.token, Accept=JSON)).json()
    expected = _ms("2030-01-02T03:04:05+00:00")
    # The registry's time is strictly increasing: inside one frozen instant each reading
    # takes the next millisecond.
    created = work["created-date"]["value"]
    assert expected <= created <= expected + 50
    assert created <= work["last-modified-date"]["value"] <= expected + 50
    mock_orcid.advance_clock(86400)
    requests.put(resp.headers["Location"],
                 data=work_xml(title="Dated again", put_code=work["put-code"]),
                 headers=auth(env.token, **{"Content-Type": XML}))
    work = requests.get(resp.headers["Location"], headers=auth(env.token, Accept=JSON)).json()
    assert work["created-date"]["value"] == created
    assert work["last-modified-date"]["value"] >= expected + 86400 * 1000
    user = requests.get(env.url + "/__admin/users/" + env.orcid).json()
    assert user["last_modified"].startswith("2030-01-03T03:04")


def test_setting_the_clock_back_dates_the_next_write_back_too(mock_orcid, env):
    mock_orcid.set_clock("2032-01-01T00:00:00Z", frozen=True)
    requests.post(env.member + "/work", data=work_xml(title="Later", doi="10.5555/later"),
                  headers=auth(env.token, **{"Content-Type": XML}))
    mock_orcid.set_clock("2031-01-01T00:00:00Z", frozen=True)
    resp = requests.post(env.member + "/work", data=work_xml(title="Earlier", doi="10.5555/e"),
                         headers=auth(env.token, **{"Content-Type": XML}))
    work = requests.get(resp.headers["Location"], headers=auth(env.token, Accept=JSON)).json()
    assert 0 <= work["created-date"]["value"] - _ms("2031-01-01T00:00:00+00:00") < 50


def test_an_access_token_expires_when_the_clock_passes_its_lifetime(mock_orcid, env):
    headers = auth(env.token, Accept=JSON)
    assert requests.get(env.member + "/works", headers=headers).status_code == 200
    mock_orcid.advance_clock(TWENTY_YEARS - 60)
    assert requests.get(env.member + "/works", headers=headers).status_code == 200
    mock_orcid.advance_clock(120)
    resp = requests.get(env.member + "/works", headers=headers)
    assert resp.status_code == 401 and resp.json()["error"] == "invalid_token"
    mock_orcid.real_clock()
    assert requests.get(env.member + "/works", headers=headers).status_code == 200


def test_an_authorization_code_expires_after_a_day_on_the_clock(mock_orcid, env):
    client = env.client
    redirect = client["redirect_uris"][0]
    query = urllib.parse.urlencode({"client_id": client["client_id"], "response_type": "code",
                                    "scope": "/read-limited", "redirect_uri": redirect,
                                    "login_as": env.orcid})
    resp = requests.get(env.url + "/oauth/authorize?" + query, allow_redirects=False)
    code = urllib.parse.parse_qs(urllib.parse.urlparse(resp.headers["Location"]).query)["code"][0]
    mock_orcid.advance_clock(24 * 3600 + 60)
    resp = requests.post(env.url + "/oauth/token", data={
        "client_id": client["client_id"], "client_secret": client["client_secret"],
        "grant_type": "authorization_code", "code": code, "redirect_uri": redirect})
    assert resp.status_code == 400 and resp.json()["error"] == "invalid_grant", resp.text


def test_the_webhook_schedule_reads_the_clock(mock_orcid, env):
    mock_orcid.set_clock("2033-03-03T03:03:03Z", frozen=True)
    premium = mock_orcid.create_client(name="Premium", type="premium")
    hook_token = mock_orcid.token(premium, None, "/webhook")["access_token"]
    callback = urllib.parse.quote("http://127.0.0.1:9/cb", safe="")
    resp = requests.put("%s/%s/webhook/%s" % (env.url, env.orcid, callback),
                        headers=auth(hook_token))
    assert resp.status_code == 201, resp.text
    [registration] = mock_orcid.webhooks()["registrations"]
    assert registration["created"].startswith("2033-03-03T03:03:03")
    # A change; the call fails (nothing listens on port 9): back-off of one interval (1 s)
    requests.post(env.member + "/work", data=work_xml(title="Hooked"),
                  headers=auth(env.token, **{"Content-Type": XML}))
    mock_orcid.dispatch_webhooks()
    [registration] = mock_orcid.webhooks()["registrations"]
    assert registration["failures"] == 1
    assert registration["retry_at"].startswith("2033-03-03T03:03:04")
    for _ in range(2):       # time stands still: never due again
        mock_orcid.dispatch_webhooks()
    assert mock_orcid.webhooks()["registrations"][0]["failures"] == 1
    mock_orcid.advance_clock(2)
    mock_orcid.dispatch_webhooks()
    assert mock_orcid.webhooks()["registrations"][0]["failures"] == 2


@pytest.mark.parametrize("body, field", [
    ({"advance_seconds": "soon"}, "advance_seconds"),
    ({"advance_seconds": True}, "advance_seconds"),
    ({"advance_seconds": 1e12}, "advance_seconds"),
    ({"now": "tomorrow"}, "now"),
    ({"now": "2030-01-01T00:00:00Z", "advance_seconds": 5}, "now"),
    ({"frozen": "yes"}, "frozen"),
    ({"when": 5}, "when"),
    ({}, None),
])
def test_bad_clock_bodies_are_400_and_leave_the_clock_alone(mock_orcid, env, body, field):
    resp = requests.post(env.url + "/__admin/clock", json=body)
    assert resp.status_code == 400
    assert resp.json()["field"] == field and resp.json()["error"] == "bad_request"
    assert mock_orcid.clock()["real"] is True


def test_reset_brings_real_time_back(mock_orcid, env):
    mock_orcid.set_clock(datetime(2040, 1, 1, tzinfo=timezone.utc), frozen=True)
    mock_orcid.reset()
    assert mock_orcid.clock()["real"] is True
