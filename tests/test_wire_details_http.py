"""Wire details real ORCID shows and clients depend on (issue 16, "Around it"): the token endpoint's
media type and pub host, the id_token header, 406 without a usable type, Accept with parameters."""
from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from http_helpers import ERROR_KEYS, JSON, auth, dumps, make_env, snapshot, work_json

CALLBACK = "https://app.example.org/orcid/callback"


@pytest.fixture
def env(mock_orcid):
    return make_env(mock_orcid)


def _client_form(client, **form):
    return {"client_id": client["client_id"], "client_secret": client["client_secret"], **form}


def test_token_request_with_a_json_body_is_415_before_any_client_check(mock_orcid, env):
    r = requests.post(mock_orcid.url + "/oauth/token",
                      data=json.dumps(_client_form(env.client, grant_type="client_credentials",
                                                   scope="/read-public")),
                      headers={"Content-Type": "application/json"})
    assert r.status_code == 415
    body = r.json()
    assert list(body) == ["error", "error_description"]
    # Same for a made-up client: the media type is refused first.
    r = requests.post(mock_orcid.url + "/oauth/token", json={"client_id": "APP-NOPE"})
    assert r.status_code == 415


def test_token_endpoint_is_served_on_the_pub_host_path_too(mock_orcid, env):
    form = _client_form(env.client, grant_type="client_credentials", scope="/read-public")
    r = requests.post(mock_orcid.url + "/pub/oauth/token", data=form,
                      headers={"Accept": "application/json"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["scope"] == "/read-public" and body["token_type"] == "bearer"
    # The token works on the public API.
    r = requests.get(env.public + "/record", headers=auth(body["access_token"], Accept=JSON))
    assert r.status_code == 200


def test_oauth_error_writes_error_before_error_description(mock_orcid, env):
    r = requests.post(mock_orcid.url + "/oauth/token",
                      data={"client_id": env.client["client_id"], "client_secret": "wrong",
                            "grant_type": "client_credentials", "scope": "/read-public"})
    assert r.status_code in (400, 401)
    assert list(r.json()) == ["error", "error_description"]


def _b64json(part: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def test_id_token_header_is_kid_and_alg_only(mock_orcid):
    client = mock_orcid.create_client(name="OIDC app", type="member", redirect_uris=[CALLBACK])
    user = mock_orcid.create_user(given_names="Ada")
    params = {"client_id": client["client_id"], "response_type": "code", "scope": "openid",
              "redirect_uri": CALLBACK, "login_as": user["orcid"]}
    r = requests.get(mock_orcid.url + "/oauth/authorize?" + urlencode(params),
                     allow_redirects=False)
    code = parse_qs(urlsplit(r.headers["Location"]).query)["code"][0]
    r = requests.post(mock_orcid.url + "/oauth/token",
                      data=_client_form(client, grant_type="authorization_code", code=code,
                                        redirect_uri=CALLBACK))
    assert r.status_code == 200, r.text
    header = _b64json(r.json()["id_token"].split(".")[0])
    assert set(header) == {"kid", "alg"} and header["alg"] == "RS256"


@pytest.mark.parametrize("accept", ["text/csv", "text/html", "application/pdf"])
def test_unacceptable_accept_is_406_with_a_json_body_and_no_content_type(env, accept):
    r = requests.get(env.member + "/works", headers=auth(env.token, Accept=accept))
    assert r.status_code == 406
    assert "Content-Type" not in r.headers
    body = json.loads(r.content)
    assert list(body) == ERROR_KEYS
    assert body["response-code"] == 406 and body["error-code"] == 9001
    assert accept in body["developer-message"]


def test_unacceptable_accept_on_a_write_writes_nothing(mock_orcid, env):
    before = snapshot(mock_orcid, env.orcid)
    r = requests.post(env.member + "/work", data=dumps(work_json()),
                      headers=auth(env.token, **{"Content-Type": JSON, "Accept": "text/csv"}))
    assert r.status_code == 406
    assert snapshot(mock_orcid, env.orcid) == before


@pytest.mark.parametrize("accept", ["application/vnd.orcid+json; qs=4",
                                    "application/vnd.orcid+json;qs=4;charset=UTF-8",
                                    "application/json; charset=utf-8",
                                    "application/vnd.orcid+json; qs=4, application/xml;q=0.1"])
def test_accept_with_media_type_parameters_negotiates_like_the_bare_type(env, accept):
    r = requests.get(env.member + "/record", headers=auth(env.token, Accept=accept))
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].split(";")[0] in ("application/vnd.orcid+json",
                                                       "application/json")
    assert r.json()["orcid-identifier"]["path"] == env.orcid


def test_accept_parameters_keep_the_client_quality_order(env):
    r = requests.get(env.member + "/record",
                     headers=auth(env.token, Accept="application/vnd.orcid+xml; qs=1;q=0.1, "
                                                    "application/vnd.orcid+json; qs=4;q=0.9"))
    assert r.headers["Content-Type"].startswith("application/vnd.orcid+json")
