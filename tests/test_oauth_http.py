"""The OAuth and OpenID endpoints over real HTTP, as an integrator's code meets them."""
from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

CALLBACK = "https://app.example.org/orcid/callback"


@pytest.fixture
def client(mock_orcid):
    return mock_orcid.create_client(name="HTTP test app", type="member",
                                    redirect_uris=[CALLBACK])


@pytest.fixture
def user(mock_orcid):
    return mock_orcid.create_user(given_names="Grace", family_name="Hopper",
                                  credit_name="G. M. Hopper")


def authorize_url(mock_orcid, client, scope="/read-limited /activities/update",
                  redirect_uri=CALLBACK, **extra):
    params = {"client_id": client["client_id"], "response_type": "code", "scope": scope,
              "redirect_uri": redirect_uri, **extra}
    return mock_orcid.url + "/oauth/authorize?" + urlencode(params)


def get_code(mock_orcid, client, user, **kw):
    r = requests.get(authorize_url(mock_orcid, client, login_as=user["orcid"], **kw),
                     allow_redirects=False)
    assert r.status_code == 302, r.text
    return parse_qs(urlsplit(r.headers["Location"]).query)["code"][0]


def post_token(mock_orcid, client, auth=None, **form):
    if auth is None:
        form.update(client_id=client["client_id"], client_secret=client["client_secret"])
    return requests.post(mock_orcid.url + "/oauth/token", data=form, auth=auth)


def exchange(mock_orcid, client, code, **form):
    return post_token(mock_orcid, client, grant_type="authorization_code", code=code,
                      redirect_uri=CALLBACK, **form)


# ------------------------------------------------------------------ /oauth/authorize
def test_login_as_skips_the_page_and_redirects_with_code_and_state(mock_orcid, client, user):
    r = requests.get(authorize_url(mock_orcid, client, state="st 8", login_as=user["orcid"]),
                     allow_redirects=False)
    assert r.status_code == 302
    location = r.headers["Location"]
    assert location.startswith(CALLBACK + "?code=")
    query = parse_qs(urlsplit(location).query)
    assert list(query) == ["code", "state"]
    assert len(query["code"][0]) == 6 and query["state"] == ["st 8"]


def test_a_signed_out_browser_is_sent_to_sign_in_which_names_the_client_and_users(
        mock_orcid, client, user):
    r = requests.get(authorize_url(mock_orcid, client, state="s"), allow_redirects=False)
    assert r.status_code == 302
    location = r.headers["Location"]
    assert location.startswith("/signin?oauth&client_id=" + client["client_id"])
    page = requests.get(mock_orcid.url + location)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert user["orcid"] in page.text and "G. M. Hopper" in page.text
    assert 'id="username-input"' in page.text and 'id="signin-button"' in page.text
    assert "HTTP test app" in page.text


def test_authorize_button_redirects_with_a_code_that_works(mock_orcid, client, user):
    form = {"client_id": client["client_id"], "response_type": "code",
            "scope": "/read-limited", "redirect_uri": CALLBACK, "state": "abc",
            "orcid": user["orcid"], "action": "authorize"}
    r = requests.post(mock_orcid.url + "/oauth/authorize", data=form, allow_redirects=False)
    assert r.status_code == 302
    query = parse_qs(urlsplit(r.headers["Location"]).query)
    assert query["state"] == ["abc"]
    token = exchange(mock_orcid, client, query["code"][0])
    assert token.status_code == 200 and token.json()["orcid"] == user["orcid"]


def test_deny_button_redirects_with_access_denied(mock_orcid, client):
    form = {"client_id": client["client_id"], "response_type": "code",
            "scope": "/authenticate", "redirect_uri": CALLBACK, "state": "s1",
            "action": "deny"}
    r = requests.post(mock_orcid.url + "/oauth/authorize", data=form, allow_redirects=False)
    assert r.status_code == 302
    assert r.headers["Location"] == (CALLBACK + "?error=access_denied"
                                     "&error_description=User%20denied&state=s1")


def test_register_form_creates_a_user_and_authorizes_as_them(mock_orcid, client):
    form = {"client_id": client["client_id"], "response_type": "code",
            "scope": "/authenticate", "redirect_uri": CALLBACK,
            "given_names": "Marie", "family_name": "Curie", "action": "create"}
    r = requests.post(mock_orcid.url + "/oauth/authorize", data=form, allow_redirects=False)
    assert r.status_code == 302
    code = parse_qs(urlsplit(r.headers["Location"]).query)["code"][0]
    token = exchange(mock_orcid, client, code).json()
    assert token["name"] == "Marie Curie"
    assert requests.get(mock_orcid.url + "/__admin/users/" + token["orcid"]).status_code == 200


@pytest.mark.parametrize("change", [
    {"client_id": "APP-DOESNOTEXIST0001"},
    {"redirect_uri": "https://attacker.example.com/steal"},
    {"redirect_uri": "https://evil.app.example.org/orcid/callback"},   # a sub-domain
    {"redirect_uri": "https://APP.example.org/orcid/callback"},        # host case
    {"redirect_uri": "HTTPS://app.example.org/orcid/callback"},        # scheme case
    {"redirect_uri": "https://app.example.org.evil.example/orcid/callback"},
    {"redirect_uri": "https://app.example.org@evil.example/orcid/callback"},
    {"redirect_uri": "https://app.example.org/orcid/callback/../../steal"},  # dot segments
    {"scope": "/read-public"},
    {"scope": "/no-such-scope"},
    {"response_type": ""},
])
def test_bad_authorize_request_shows_an_error_page_and_never_redirects(
        mock_orcid, client, user, change):
    params = {"client_id": client["client_id"], "response_type": "code",
              "scope": "/authenticate", "redirect_uri": CALLBACK, "login_as": user["orcid"]}
    params.update(change)
    r = requests.get(mock_orcid.url + "/oauth/authorize?" + urlencode(params),
                     allow_redirects=False)
    assert r.status_code == 400
    assert "Location" not in r.headers
    assert r.headers["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("redirect_uri", [
    CALLBACK + "/deeper?x=1",
    CALLBACK + "/%2e%2e/still-under",        # %2e%2e is not a dot segment to ORCID
    CALLBACK + "/./",
])
def test_a_redirect_uri_under_the_registered_one_is_redirected_to(mock_orcid, client, user,
                                                                   redirect_uri):
    r = requests.get(authorize_url(mock_orcid, client, redirect_uri=redirect_uri,
                                   login_as=user["orcid"]), allow_redirects=False)
    assert r.status_code == 302, r.text[:300]
    assert r.headers["Location"].startswith(redirect_uri.split("?")[0])


def test_login_as_unknown_orcid_shows_an_error_page(mock_orcid, client):
    r = requests.get(authorize_url(mock_orcid, client, login_as="0000-0001-5109-3700"),
                     allow_redirects=False)
    assert r.status_code == 400 and "Location" not in r.headers


def test_authorize_page_escapes_what_it_echoes(mock_orcid, client):
    r = requests.get(authorize_url(mock_orcid, client, state='"><script>x</script>'))
    assert r.status_code == 200 and "<script>x" not in r.text


# ------------------------------------------------------------------ /oauth/token
def test_code_exchange_returns_orcid_token_json_with_no_store(mock_orcid, client, user):
    r = exchange(mock_orcid, client, get_code(mock_orcid, client, user))
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.headers["Cache-Control"] == "no-store" and r.headers["Pragma"] == "no-cache"
    body = r.json()
    assert list(body) == ["access_token", "token_type", "refresh_token", "expires_in",
                          "scope", "name", "orcid"]
    assert body["token_type"] == "bearer" and body["expires_in"] == 631138518
    assert body["scope"] == "/read-limited /activities/update"
    assert body["name"] == "G. M. Hopper" and body["orcid"] == user["orcid"]


def test_client_can_authenticate_with_http_basic(mock_orcid, client, user):
    code = get_code(mock_orcid, client, user)
    r = post_token(mock_orcid, client, auth=(client["client_id"], client["client_secret"]),
                   grant_type="authorization_code", code=code)
    assert r.status_code == 200 and r.json()["orcid"] == user["orcid"]


def test_reused_code_is_rejected_and_disables_its_tokens(mock_orcid, client, user):
    code = get_code(mock_orcid, client, user)
    first = exchange(mock_orcid, client, code).json()
    api = "%s/v3.0/%s/works" % (mock_orcid.url, user["orcid"])
    bearer = {"Authorization": "Bearer " + first["access_token"],
              "Accept": "application/vnd.orcid+json"}
    assert requests.get(api, headers=bearer).status_code == 200
    again = exchange(mock_orcid, client, code)
    assert again.status_code == 400
    assert again.json() == {"error": "invalid_grant",
                            "error_description": "Reused authorization code: " + code}
    assert requests.get(api, headers=bearer).status_code == 401


def test_unknown_code_is_invalid_grant(mock_orcid, client):
    r = exchange(mock_orcid, client, "Zz9Zz9")
    assert r.status_code == 400
    assert r.json() == {"error": "invalid_grant",
                        "error_description": "Invalid authorization code: Zz9Zz9"}


def test_redirect_uri_different_from_authorize_is_invalid_grant(mock_orcid, client, user):
    code = get_code(mock_orcid, client, user)
    r = post_token(mock_orcid, client, grant_type="authorization_code", code=code,
                   redirect_uri=CALLBACK + "/other")
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"


def test_unknown_client_is_401_client_not_found(mock_orcid):
    r = requests.post(mock_orcid.url + "/oauth/token",
                      data={"client_id": "APP-NOPE", "client_secret": "x",
                            "grant_type": "client_credentials", "scope": "/read-public"})
    assert r.status_code == 401
    assert r.json() == {"error": "invalid_client", "error_description": "Client not found: APP-NOPE"}


def test_wrong_secret_is_401_bad_client_credentials(mock_orcid, client):
    r = requests.post(mock_orcid.url + "/oauth/token",
                      data={"client_id": client["client_id"], "client_secret": "wrong",
                            "grant_type": "client_credentials", "scope": "/read-public"})
    assert r.status_code == 401
    assert r.json() == {"error": "invalid_client", "error_description": "Bad client credentials"}
    assert r.headers["Cache-Control"] == "no-store"


def test_missing_grant_type_is_unsupported_grant_type(mock_orcid, client):
    r = post_token(mock_orcid, client)
    assert r.status_code == 400
    assert r.json() == {"error": "unsupported_grant_type",
                        "error_description": "grant_type is missing"}


def test_get_on_token_endpoint_is_405(mock_orcid):
    assert requests.get(mock_orcid.url + "/oauth/token").status_code == 405


def test_client_credentials_read_public_token(mock_orcid, client):
    r = post_token(mock_orcid, client, grant_type="client_credentials",
                   scope="/read-public /read-limited")
    assert r.status_code == 200
    body = r.json()
    assert list(body) == ["access_token", "token_type", "refresh_token", "expires_in",
                          "scope", "orcid"]
    assert body["scope"] == "/read-public" and body["orcid"] is None


def test_client_credentials_without_a_usable_scope_is_invalid_scope(mock_orcid, client):
    r = post_token(mock_orcid, client, grant_type="client_credentials", scope="/read-limited")
    assert r.status_code == 400
    assert r.json() == {"error": "invalid_scope", "error_description": "Invalid scope (none)"}
    r = post_token(mock_orcid, client, grant_type="client_credentials", scope="/webhook")
    assert r.status_code == 400
    assert r.json() == {"error": "invalid_scope", "error_description": "Invalid scope: /webhook"}


def test_refresh_token_grant_rotates_the_pair(mock_orcid, client, user):
    first = mock_orcid.token(client, user, "/read-limited /activities/update")
    r = post_token(mock_orcid, client, grant_type="refresh_token",
                   refresh_token=first["refresh_token"], scope="/read-limited")
    assert r.status_code == 200
    second = r.json()
    assert second["scope"] == "/read-limited" and second["orcid"] == user["orcid"]
    again = post_token(mock_orcid, client, grant_type="refresh_token",
                       refresh_token=first["refresh_token"])
    assert again.status_code == 400 and again.json()["error"] == "unauthorized_client"
    wider = post_token(mock_orcid, client, grant_type="refresh_token",
                       refresh_token=second["refresh_token"], scope="/activities/update")
    assert wider.status_code == 400 and wider.json()["error"] == "invalid_scope"


# ------------------------------------------------------------------ /oauth/revoke
def test_revoke_is_200_empty_and_kills_the_token(mock_orcid, client, user):
    token = exchange(mock_orcid, client, get_code(mock_orcid, client, user)).json()
    form = {"client_id": client["client_id"], "client_secret": client["client_secret"],
            "token": token["refresh_token"]}
    r = requests.post(mock_orcid.url + "/oauth/revoke", data=form)
    assert r.status_code == 200 and r.content == b""
    api = "%s/v3.0/%s/works" % (mock_orcid.url, user["orcid"])
    r = requests.get(api, headers={"Authorization": "Bearer " + token["access_token"],
                                   "Accept": "application/vnd.orcid+json"})
    assert r.status_code == 401
    # unknown tokens are fine too
    form["token"] = "not-a-token"
    assert requests.post(mock_orcid.url + "/oauth/revoke", data=form).status_code == 200


# ------------------------------------------------------------------ OpenID Connect
def test_openid_discovery_jwks_and_id_token_verify(mock_orcid, client, user):
    jwt = pytest.importorskip("jwt")
    doc = requests.get(mock_orcid.url + "/.well-known/openid-configuration").json()
    assert doc["issuer"] == mock_orcid.url
    assert doc["token_endpoint"] == mock_orcid.url + "/oauth/token"
    keys = requests.get(doc["jwks_uri"]).json()["keys"]
    assert keys[0]["kty"] == "RSA" and keys[0]["alg"] == "RS256" and keys[0]["use"] == "sig"
    code = get_code(mock_orcid, client, user, scope="openid", nonce="nonce-42")
    body = exchange(mock_orcid, client, code).json()
    claims = jwt.decode(body["id_token"], jwt.PyJWK(keys[0]).key, algorithms=["RS256"],
                        audience=client["client_id"], issuer=doc["issuer"])
    assert claims["sub"] == user["orcid"] and claims["nonce"] == "nonce-42"
    info = requests.get(doc["userinfo_endpoint"],
                        headers={"Authorization": "Bearer " + body["access_token"]})
    assert info.status_code == 200
    assert info.json()["sub"] == user["orcid"] and info.json()["given_name"] == "Grace"


def test_userinfo_with_bad_token_is_403_access_denied(mock_orcid):
    r = requests.get(mock_orcid.url + "/oauth/userinfo",
                     headers={"Authorization": "Bearer nope"})
    assert r.status_code == 403
    assert r.json() == {"error": "access_denied", "error-description": "access_token is invalid"}


def test_implicit_openid_flow_returns_tokens_in_the_fragment(mock_orcid, client, user):
    r = requests.get(authorize_url(mock_orcid, client, scope="openid",
                                   response_type="id_token token", nonce="n",
                                   login_as=user["orcid"], state="z"),
                     allow_redirects=False)
    assert r.status_code == 302
    parts = urlsplit(r.headers["Location"])
    frag = parse_qs(parts.fragment)
    assert parts.query == "" and frag["token_type"] == ["bearer"]
    assert frag["expires_in"] == ["599"] and frag["state"] == ["z"] and "id_token" in frag


def test_basic_header_with_urlencoded_credentials(mock_orcid, client):
    raw = "%s:%s" % (client["client_id"], client["client_secret"])
    header = {"Authorization": "Basic " + base64.b64encode(raw.encode()).decode()}
    r = requests.post(mock_orcid.url + "/oauth/token", headers=header,
                      data={"grant_type": "client_credentials", "scope": "/read-public"})
    assert r.status_code == 200


def test_a_code_raced_by_parallel_exchanges_yields_exactly_one_token(mock_orcid, client, user):
    from concurrent.futures import ThreadPoolExecutor
    code = get_code(mock_orcid, client, user)
    with ThreadPoolExecutor(8) as pool:
        statuses = sorted(pool.map(lambda _: exchange(mock_orcid, client, code).status_code,
                                   range(8)))
    assert statuses == [200] + [400] * 7
