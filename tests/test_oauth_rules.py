"""ORCID's OAuth rules (facts §3) as plain Python: mock_orcid.oauth, no HTTP."""
from __future__ import annotations

import base64
import hashlib
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from mock_orcid.oauth import authorize as flows
from mock_orcid.oauth import lifetimes, openid, redirects, tokens
from mock_orcid.registry.errors import OAuthError
from mock_orcid.registry.store import CLIENT_TOKEN_SECONDS, Registry

JOSIAH = "0000-0002-1825-0097"
CALLBACK = "https://example.org/callback"


@pytest.fixture
def reg() -> Registry:
    r = Registry(seed=7)
    r.create_user(orcid=JOSIAH, given_names="Josiah", family_name="Carberry",
                  credit_name="Josiah S. Carberry")
    r.create_client(client_id="APP-MEMBER", client_secret="s-member", type="member",
                    name="Member", redirect_uris=[CALLBACK, "http://localhost:8000"])
    r.create_client(client_id="APP-PREMIUM", client_secret="s-premium", type="premium",
                    name="Premium", redirect_uris=[CALLBACK])
    r.create_client(client_id="APP-PUBLIC", client_secret="s-public", type="public",
                    name="Public", redirect_uris=[CALLBACK])
    r.create_client(client_id="APP-OTHER", client_secret="s-other", type="member",
                    name="Other", redirect_uris=[CALLBACK])
    return r


def authorize(reg, client_id="APP-MEMBER", scope="/read-limited /activities/update",
              redirect_uri=CALLBACK, **extra):
    params = {"client_id": client_id, "response_type": "code", "scope": scope,
              "redirect_uri": redirect_uri, **extra}
    return flows.validate_authorize(reg, params)


def code_for(reg, scope="/read-limited /activities/update", client_id="APP-MEMBER", **extra):
    req = authorize(reg, client_id=client_id, scope=scope, **extra)
    location = flows.approve(reg, req, JOSIAH, "http://mock")
    return parse_qs(urlsplit(location).query)["code"][0]


def exchange(reg, code, client_id="APP-MEMBER", **form):
    client = reg.clients[client_id]
    return tokens.token_request(reg, client, {"grant_type": "authorization_code", "code": code,
                                             **form}, "http://mock")


def user_token(reg, scope="/read-limited /activities/update", client_id="APP-MEMBER"):
    return exchange(reg, code_for(reg, scope, client_id=client_id), client_id=client_id)


def raises(fn, error, status=400, description=None):
    with pytest.raises(OAuthError) as info:
        fn()
    assert (info.value.error, info.value.status) == (error, status), info.value
    if description is not None:
        assert info.value.description == description
    return info.value


# ---------------------------------------------------------------- redirect_uri matching
@pytest.mark.parametrize("requested", [
    "https://example.org/callback",
    "https://example.org/callback/deeper?x=1",
    "https://example.org/callback?next=/home",
    "https://example.org/callbackextra",           # plain string prefix, as Spring does
    "https://example.org/./callback",
    "https://example.org/callback/x/../y",         # '..' cleaned, still under the path
])
def test_redirect_uri_under_a_registered_uri_is_accepted(requested):
    assert redirects.redirect_matches(requested, "https://example.org/callback")


@pytest.mark.parametrize("requested", [
    "http://example.org/callback",                 # scheme
    "https://example.org:8443/callback",           # port
    "https://evil.org/callback",                   # host
    "https://example.org.evil.org/callback",       # host suffix trick
    "https://user@example.org/callback",           # user-info
    "https://example.org/other",                   # path
    "https://example.org/callback/../other",       # path after cleaning
    "/callback",                                   # relative
])
def test_redirect_uri_differing_in_scheme_host_port_userinfo_or_path_is_refused(requested):
    assert not redirects.redirect_matches(requested, "https://example.org/callback")


@pytest.mark.parametrize("requested", [
    "https://sub.example.org/callback",
    "https://evil.example.org/callback",
    "https://www.example.org/callback",
])
def test_redirect_uri_on_a_sub_domain_of_the_registered_host_is_refused(requested):
    # ORCID compares hosts exactly (OrcidOauthRedirectResolver.hostMatches).
    assert not redirects.redirect_matches(requested, "https://example.org/callback")


@pytest.mark.parametrize("requested", [
    "HTTPS://example.org/callback",
    "https://EXAMPLE.org/callback",
    "https://Example.Org/callback",
    " https://example.org/callback",               # no trimming of the requested URI
])
def test_redirect_uri_scheme_and_host_compare_exactly_as_orcid(requested):
    # Spring's UriComponents keep the case ORCID was sent; Objects.equals compares them.
    assert not redirects.redirect_matches(requested, "https://example.org/callback")


def test_registered_redirect_uri_is_trimmed_before_matching():
    assert redirects.redirect_matches("https://example.org/callback", "  https://example.org/callback ")


@pytest.mark.parametrize("requested, accepted", [
    ("https://example.org/callback/%2e%2e/other", True),     # not a dot segment to ORCID
    ("https://example.org/callback/%2E%2E/other", True),
    ("https://example.org/callback/../other", False),        # a dot segment: cleaned away
    ("https://example.org/callback/..", False),
    ("https://example.org/callback/a//../..", True),         # Spring: '..' removes the empty one
    ("https://example.org/callback\\..\\other", False),      # backslashes are slashes
])
def test_redirect_uri_dot_segments_are_cleaned_as_orcid_does(requested, accepted):
    assert redirects.redirect_matches(requested, "https://example.org/callback") is accepted


@pytest.mark.parametrize("requested", [
    "https://example.org:99999999999/callback",    # Integer.parseInt fails: no match
    "https://example.org:80a/callback",
    "https://example.org:" + "9" * 5000 + "/callback",
])
def test_redirect_uri_with_an_unparseable_port_is_refused(requested):
    assert not redirects.redirect_matches(requested, "https://example.org/callback")


def test_registered_uri_without_port_does_not_match_a_port():
    assert not redirects.redirect_matches("http://localhost:8000/cb", "http://localhost")
    assert redirects.redirect_matches("http://localhost:8000/cb", "http://localhost:8000")


# ---------------------------------------------------------------- /oauth/authorize checks
def test_authorize_for_unknown_client_is_an_error_page(reg):
    raises(lambda: authorize(reg, client_id="APP-NOPE"), "invalid_client",
           description="Client not found: APP-NOPE")


def test_authorize_with_unregistered_redirect_uri_is_refused(reg):
    err = raises(lambda: authorize(reg, redirect_uri="https://evil.org/cb"), "invalid_grant")
    assert "Redirect URI mismatch" in err.description


@pytest.mark.parametrize("missing", ["client_id", "redirect_uri", "response_type", "scope"])
def test_authorize_without_a_required_parameter_is_refused(reg, missing):
    params = {"client_id": "APP-MEMBER", "response_type": "code", "scope": "/authenticate",
              "redirect_uri": CALLBACK}
    del params[missing]
    with pytest.raises(OAuthError) as info:
        flows.validate_authorize(reg, params)
    assert info.value.status == 400


@pytest.mark.parametrize("scope", ["/no-such-scope", "/read-public", "/webhook",
                                   "/group-id-record/update", "/orcid-profile/create"])
def test_authorize_with_unknown_or_client_credentials_scope_is_invalid_scope(reg, scope):
    raises(lambda: authorize(reg, scope="/authenticate " + scope), "invalid_scope",
           description="Invalid scope: %s" % scope)


def test_public_client_may_only_ask_for_authenticate_and_openid(reg):
    assert authorize(reg, client_id="APP-PUBLIC", scope="openid /authenticate").scopes == (
        "openid", "/authenticate")
    raises(lambda: authorize(reg, client_id="APP-PUBLIC", scope="/read-limited"),
           "invalid_scope", description="Invalid scope: /read-limited")


def test_oidc_words_profile_email_are_silently_dropped(reg):
    req = authorize(reg, scope="openid profile email address phone offline_access")
    assert req.scopes == ("openid",)


def test_scope_with_plus_separators_keeps_request_order(reg):
    assert authorize(reg, scope="/activities/update+/read-limited").scopes == (
        "/activities/update", "/read-limited")


def test_approve_redirects_with_six_char_code_and_state(reg):
    req = authorize(reg, state="xyz 1")
    location = flows.approve(reg, req, JOSIAH)
    parts = urlsplit(location)
    assert location.startswith(CALLBACK + "?code=")
    query = parse_qs(parts.query)
    assert len(query["code"][0]) == 6 and query["code"][0].isalnum()
    assert query["state"] == ["xyz 1"]
    assert "state=xyz%201" in location


def test_approve_keeps_the_redirect_uris_own_query(reg):
    req = authorize(reg, redirect_uri=CALLBACK + "?tenant=a")
    location = flows.approve(reg, req, JOSIAH)
    assert location.startswith(CALLBACK + "?tenant=a&code=")


def test_deny_redirects_with_access_denied_and_state(reg):
    req = authorize(reg, state="s1")
    assert flows.deny(req) == (CALLBACK + "?error=access_denied"
                               "&error_description=User%20denied&state=s1")
    assert flows.deny(authorize(reg)) == CALLBACK + "?error=access_denied&error_description=User%20denied"


def test_approve_as_unknown_user_is_refused(reg):
    raises(lambda: flows.approve(reg, authorize(reg), "0000-0001-5109-3700"), "invalid_request")


def test_prompt_none_without_user_returns_login_required(reg):
    req = authorize(reg, prompt="none", state="s")
    assert flows.prompt_none(reg, req, None) == CALLBACK + "?error=login_required&state=s"


def test_prompt_none_before_any_grant_returns_interaction_required(reg):
    req = authorize(reg, prompt="none")
    assert flows.prompt_none(reg, req, JOSIAH) == CALLBACK + "?error=interaction_required"


def test_prompt_none_after_a_grant_returns_a_code(reg):
    user_token(reg, "/read-limited /activities/update")
    req = authorize(reg, scope="/read-limited", prompt="none")
    assert "?code=" in flows.prompt_none(reg, req, JOSIAH)


def test_implicit_flow_gives_fragment_token_for_authenticate_only(reg):
    req = authorize(reg, scope="/authenticate", response_type="token", state="q")
    location = flows.approve(reg, req, JOSIAH)
    frag = parse_qs(urlsplit(location).fragment)
    assert list(frag) == ["access_token", "token_type", "expires_in", "tokenVersion",
                          "persistent", "state"]
    assert frag["expires_in"] == ["599"] and frag["token_type"] == ["bearer"]
    raises(lambda: authorize(reg, scope="/read-limited", response_type="token"), "invalid_scope")


# ---------------------------------------------------------------- authorization_code
def test_code_exchange_gives_token_json_in_orcid_key_order(reg):
    body = user_token(reg)
    assert list(body) == ["access_token", "token_type", "refresh_token", "expires_in",
                          "scope", "name", "orcid"]
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == CLIENT_TOKEN_SECONDS == 631138518
    assert body["scope"] == "/read-limited /activities/update"
    assert body["name"] == "Josiah S. Carberry"
    assert body["orcid"] == JOSIAH


def test_token_name_is_empty_when_the_name_is_not_public(reg):
    reg.records[JOSIAH].name_visibility = "limited"
    assert user_token(reg)["name"] == ""


def test_reused_code_is_rejected_and_disables_its_tokens(reg):
    code = code_for(reg)
    first = exchange(reg, code)
    raises(lambda: exchange(reg, code), "invalid_grant",
           description="Reused authorization code: %s" % code)
    token = reg.tokens[first["access_token"]]
    assert token.revoked and not lifetimes.is_active(reg, token)


def test_reused_code_also_disables_tokens_refreshed_from_it(reg):
    code = code_for(reg)
    first = exchange(reg, code)
    child = tokens.grant_refresh_token(reg, reg.clients["APP-MEMBER"], first["refresh_token"],
                                      None, revoke_old="false")
    raises(lambda: exchange(reg, code), "invalid_grant")
    assert reg.tokens[child["access_token"]].revoked


def test_unknown_code_is_invalid_grant(reg):
    raises(lambda: exchange(reg, "AbC123"), "invalid_grant",
           description="Invalid authorization code: AbC123")


def test_missing_code_is_invalid_request(reg):
    raises(lambda: exchange(reg, ""), "invalid_request")


def test_code_of_another_client_is_refused(reg):
    code = code_for(reg)
    raises(lambda: exchange(reg, code, client_id="APP-OTHER"), "invalid_client", 401)


def test_redirect_uri_at_token_time_is_optional_but_must_match(reg):
    code = code_for(reg)
    raises(lambda: exchange(reg, code, redirect_uri=CALLBACK + "/x"), "invalid_grant",
           description="Redirect URI mismatch.")
    assert exchange(reg, code_for(reg), redirect_uri=CALLBACK)["orcid"] == JOSIAH
    assert exchange(reg, code_for(reg))["orcid"] == JOSIAH


def test_expired_code_is_invalid(reg):
    code = code_for(reg)
    reg.codes[code].created -= timedelta(minutes=1441)
    raises(lambda: exchange(reg, code), "invalid_grant",
           description="Invalid authorization code: %s" % code)


def test_scope_at_code_exchange_may_only_narrow(reg):
    body = exchange(reg, code_for(reg), scope="/read-limited")
    assert body["scope"] == "/read-limited"
    raises(lambda: exchange(reg, code_for(reg, "/read-limited"), scope="/activities/update"),
           "invalid_scope")


def test_non_persistent_client_gets_one_hour_tokens(reg):
    reg.clients["APP-MEMBER"].persistent_tokens = False
    assert user_token(reg)["expires_in"] == 3599


def test_deactivated_record_cannot_exchange_its_code(reg):
    code = code_for(reg)
    reg.records[JOSIAH].state = "deactivated"
    raises(lambda: exchange(reg, code), "unauthorized_client")


# ---------------------------------------------------------------- client_credentials
def cc(reg, scope, client_id="APP-MEMBER"):
    form = {"grant_type": "client_credentials"}
    if scope is not None:
        form["scope"] = scope
    return tokens.token_request(reg, reg.clients[client_id], form)


def test_client_credentials_token_has_null_orcid_no_name_and_a_refresh_token(reg):
    body = cc(reg, "/read-public")
    assert list(body) == ["access_token", "token_type", "refresh_token", "expires_in",
                          "scope", "orcid"]
    assert body["orcid"] is None and body["refresh_token"]
    assert body["expires_in"] == 631138518 and body["scope"] == "/read-public"


def test_client_credentials_silently_drops_user_scopes(reg):
    assert cc(reg, "/read-limited /read-public /activities/update")["scope"] == "/read-public"


def test_client_credentials_with_only_user_scopes_is_invalid_scope(reg):
    raises(lambda: cc(reg, "/read-limited"), "invalid_scope", description="Invalid scope (none)")
    raises(lambda: cc(reg, None), "invalid_scope", description="Invalid scope (none)")


def test_webhook_scope_needs_a_premium_client(reg):
    raises(lambda: cc(reg, "/webhook"), "invalid_scope", description="Invalid scope: /webhook")
    assert cc(reg, "/webhook", client_id="APP-PREMIUM")["scope"] == "/webhook"


def test_group_id_scope_is_for_member_clients(reg):
    assert cc(reg, "/group-id-record/update")["scope"] == "/group-id-record/update"
    raises(lambda: cc(reg, "/group-id-record/read", client_id="APP-PUBLIC"), "invalid_scope")
    assert cc(reg, "/read-public", client_id="APP-PUBLIC")["scope"] == "/read-public"


def test_unknown_scope_at_token_endpoint_is_401_invalid_scope(reg):
    raises(lambda: cc(reg, "/read-public /bogus"), "invalid_scope", 401)


def test_missing_or_unknown_grant_type(reg):
    client = reg.clients["APP-MEMBER"]
    raises(lambda: tokens.token_request(reg, client, {}), "unsupported_grant_type",
           description="grant_type is missing")
    raises(lambda: tokens.token_request(reg, client, {"grant_type": "password"}),
           "unsupported_grant_type")


# ---------------------------------------------------------------- refresh_token
def refresh(reg, refresh_token, client_id="APP-MEMBER", **form):
    return tokens.token_request(reg, reg.clients[client_id],
                               {"grant_type": "refresh_token", "refresh_token": refresh_token,
                                **form})


def test_refresh_gives_a_new_pair_and_revokes_the_old_by_default(reg):
    first = user_token(reg)
    second = refresh(reg, first["refresh_token"])
    assert second["access_token"] != first["access_token"]
    assert second["refresh_token"] != first["refresh_token"]
    assert second["scope"] == first["scope"] and second["orcid"] == JOSIAH
    assert reg.tokens[first["access_token"]].revoked
    assert lifetimes.is_active(reg, reg.tokens[second["access_token"]])
    assert second["expires_in"] <= first["expires_in"]


def test_refresh_with_revoke_old_false_keeps_the_old_token(reg):
    first = user_token(reg)
    refresh(reg, first["refresh_token"], revoke_old="false")
    assert lifetimes.is_active(reg, reg.tokens[first["access_token"]])


def test_refresh_may_narrow_scope_but_not_widen(reg):
    first = user_token(reg, "/read-limited")
    narrower = refresh(reg, first["refresh_token"], scope="/activities/read-limited",
                       revoke_old="false")
    assert narrower["scope"] == "/activities/read-limited"
    raises(lambda: refresh(reg, first["refresh_token"], scope="/activities/update"),
           "invalid_scope")


def test_refresh_token_of_another_client_is_invalid_request(reg):
    first = user_token(reg)
    raises(lambda: refresh(reg, first["refresh_token"], client_id="APP-OTHER"),
           "invalid_request")


def test_refresh_of_revoked_or_unknown_token_is_refused(reg):
    first = user_token(reg)
    refresh(reg, first["refresh_token"])
    raises(lambda: refresh(reg, first["refresh_token"]), "unauthorized_client",
           description="Parent token is disabled")
    raises(lambda: refresh(reg, "nope"), "unauthorized_client")


def test_refresh_expires_in_cannot_outlive_the_parent(reg):
    first = user_token(reg)
    short = refresh(reg, first["refresh_token"], expires_in="600", revoke_old="false")
    assert short["expires_in"] == 600
    raises(lambda: refresh(reg, short["refresh_token"], expires_in="601"), "invalid_request")
    raises(lambda: refresh(reg, short["refresh_token"], expires_in="soon"), "invalid_request")


# ---------------------------------------------------------------- client authentication
def test_client_authentication_by_form_or_basic(reg):
    assert tokens.client_credentials_from({"client_id": "A", "client_secret": "B"}, None) == ("A", "B")
    basic = "Basic " + base64.b64encode(b"APP-MEMBER:s-member").decode()
    cid, secret = tokens.client_credentials_from({}, basic)
    assert tokens.authenticate_client(reg, cid, secret).client_id == "APP-MEMBER"


def test_unknown_client_and_bad_secret_are_401_invalid_client(reg):
    raises(lambda: tokens.authenticate_client(reg, "APP-NOPE", "x"), "invalid_client", 401,
           "Client not found: APP-NOPE")
    raises(lambda: tokens.authenticate_client(reg, "APP-MEMBER", "wrong"), "invalid_client", 401,
           "Bad client credentials")
    raises(lambda: tokens.authenticate_client(reg, None, None), "invalid_client", 401)


# ---------------------------------------------------------------- revoke
def test_revoking_the_refresh_token_revokes_the_access_token_too(reg):
    body = user_token(reg)
    assert tokens.revoke(reg, reg.clients["APP-MEMBER"], body["refresh_token"])
    assert not lifetimes.is_active(reg, reg.tokens[body["access_token"]])


def test_revoke_ignores_unknown_and_other_clients_tokens(reg):
    body = user_token(reg)
    assert not tokens.revoke(reg, reg.clients["APP-MEMBER"], "unknown")
    assert not tokens.revoke(reg, reg.clients["APP-OTHER"], body["access_token"])
    assert lifetimes.is_active(reg, reg.tokens[body["access_token"]])
    raises(lambda: tokens.revoke(reg, reg.clients["APP-MEMBER"], None), "invalid_request")


def test_researcher_revoking_a_client_marks_only_that_clients_tokens(reg):
    mine = user_token(reg)
    other = user_token(reg, client_id="APP-OTHER")
    assert tokens.revoke_client_access(reg, JOSIAH, "APP-MEMBER") == 1
    assert reg.tokens[mine["access_token"]].user_revoked
    assert not reg.tokens[mine["access_token"]].revoked
    assert not reg.tokens[other["access_token"]].user_revoked


# ---------------------------------------------------------------- OpenID Connect
def test_openid_code_exchange_adds_a_verifiable_id_token(reg):
    jwt = pytest.importorskip("jwt")
    code = code_for(reg, "openid", nonce="n-0S6")
    body = exchange(reg, code)
    assert list(body)[-1] == "id_token"
    header = jwt.get_unverified_header(body["id_token"])
    assert header["alg"] == "RS256" and header["kid"] == openid.jwks()["keys"][0]["kid"]
    key = jwt.PyJWK(openid.jwks()["keys"][0]).key
    claims = jwt.decode(body["id_token"], key, algorithms=["RS256"], audience="APP-MEMBER",
                        issuer="http://mock")
    assert claims["sub"] == JOSIAH and claims["nonce"] == "n-0S6"
    assert claims["exp"] - claims["iat"] == 86400
    assert claims["amr"] == "pwd"
    assert claims["given_name"] == "Josiah" and claims["family_name"] == "Carberry"
    assert claims["name"] == "Josiah S. Carberry"
    digest = hashlib.sha256(body["access_token"].encode()).digest()[:16]
    assert claims["at_hash"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert {"jti", "auth_time"} <= set(claims)


def test_public_client_id_token_has_no_amr(reg):
    jwt = pytest.importorskip("jwt")
    body = exchange(reg, code_for(reg, "openid", client_id="APP-PUBLIC"), client_id="APP-PUBLIC")
    assert "amr" not in jwt.decode(body["id_token"], options={"verify_signature": False})
    assert "nonce" not in jwt.decode(body["id_token"], options={"verify_signature": False})


def test_discovery_document_points_at_the_mock(reg):
    doc = openid.discovery("http://mock:1/")
    assert doc["issuer"] == "http://mock:1"
    assert doc["jwks_uri"] == "http://mock:1/oauth/jwks"
    assert doc["token_endpoint"] == "http://mock:1/oauth/token"
    assert doc["response_types_supported"] == ["code", "id_token", "id_token token"]


def test_userinfo_needs_an_authenticate_or_openid_user_token(reg):
    body = user_token(reg, "openid")
    info = openid.userinfo(reg, body["access_token"], "https://sandbox.orcid.org")
    assert info == {"id": "https://sandbox.orcid.org/" + JOSIAH, "sub": JOSIAH,
                    "name": "Josiah S. Carberry", "family_name": "Carberry",
                    "given_name": "Josiah"}
    with pytest.raises(openid.UserInfoError):
        openid.userinfo(reg, user_token(reg, "/read-limited")["access_token"], "x")
    with pytest.raises(openid.UserInfoError):
        openid.userinfo(reg, cc(reg, "/read-public")["access_token"], "x")
    with pytest.raises(openid.UserInfoError):
        openid.userinfo(reg, "nope", "x")
