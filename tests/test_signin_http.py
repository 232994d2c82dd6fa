"""The researcher's browser side over plain HTTP, with a cookie jar as a browser keeps one:
sign-in and register sending the browser back to /oauth/authorize, prompt=login / prompt=none
through the session, the headless ``login_as`` outcomes (deny, a new user), and the record,
inbox and account pages' controls acting through the registry."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

from http_helpers import auth, work_xml

CALLBACK = "https://app.example.org/orcid/callback"
SCOPES = "/read-limited /activities/update"
XML = "application/vnd.orcid+xml"


@pytest.fixture
def client(mock_orcid):
    return mock_orcid.create_client(name="Sign-in test app", redirect_uris=[CALLBACK])


@pytest.fixture
def user(mock_orcid):
    return mock_orcid.create_user(given_names="Rosalind", family_name="Franklin",
                                  email="Rosalind.Franklin@example.org")


def authorize_query(client, scope=SCOPES, **extra) -> str:
    return urlencode({"client_id": client["client_id"], "response_type": "code",
                      "scope": scope, "redirect_uri": CALLBACK, **extra})


def location(r) -> str:
    assert r.status_code in (302, 303), (r.status_code, r.text[:300])
    return r.headers["Location"]


def query_of(url: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def go(browser, url, base):
    """GET without following redirects; relative Locations are on the mock."""
    return browser.get(url if url.startswith("http") else base + url, allow_redirects=False)


def sign_in(browser, base, username, password="anything", path="/signin"):
    return browser.post(base + path, data={"username": username, "password": password},
                        allow_redirects=False)


def exchange(mock_orcid, client, code):
    r = requests.post(mock_orcid.url + "/oauth/token", data={
        "client_id": client["client_id"], "client_secret": client["client_secret"],
        "grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK})
    assert r.status_code == 200, r.text
    return r.json()


def consent_and_authorize(browser, base, consent_url):
    page = go(browser, consent_url, base)
    assert page.status_code == 200 and 'id="authorize-button"' in page.text
    form = {**query_of(consent_url), "action": "authorize", "csrf_token": csrf(page.text)}
    return location(browser.post(base + "/oauth/authorize", data=form, allow_redirects=False))


# ------------------------------------------------------------------ login_as outcomes (#15)
def test_login_as_with_deny_true_redirects_with_access_denied_and_state(mock_orcid, client, user):
    r = requests.get(mock_orcid.url + "/oauth/authorize?" + authorize_query(
        client, state="st-1", login_as=user["orcid"], deny="true"), allow_redirects=False)
    assert location(r) == (CALLBACK + "?error=access_denied&error_description=User%20denied"
                           "&state=st-1")


def test_login_as_with_deny_false_still_authorizes(mock_orcid, client, user):
    r = requests.get(mock_orcid.url + "/oauth/authorize?" + authorize_query(
        client, login_as=user["orcid"], deny="false"), allow_redirects=False)
    assert "code" in query_of(location(r))


def test_login_as_new_signs_in_a_new_faker_user(mock_orcid, client):
    before = {u["orcid"] for u in requests.get(mock_orcid.url + "/__admin/users").json()}
    r = requests.get(mock_orcid.url + "/oauth/authorize?" + authorize_query(client, state="n",
                     login_as="new"), allow_redirects=False)
    query = query_of(location(r))
    assert query["state"] == "n"
    token = exchange(mock_orcid, client, query["code"])
    assert token["orcid"] not in before
    made = requests.get(mock_orcid.url + "/__admin/users/" + token["orcid"]).json()
    assert made["given_names"] and made["family_name"] and "@" in made["email"]
    assert token["name"] == "%s %s" % (made["given_names"], made["family_name"])


def test_login_as_new_takes_given_names_family_name_and_email(mock_orcid, client):
    r = requests.get(mock_orcid.url + "/oauth/authorize?" + authorize_query(
        client, login_as="new", given_names="Ada", family_name="Lovelace",
        email="ada@example.org"), allow_redirects=False)
    token = exchange(mock_orcid, client, query_of(location(r))["code"])
    made = requests.get(mock_orcid.url + "/__admin/users/" + token["orcid"]).json()
    assert (made["given_names"], made["family_name"], made["email"]) == (
        "Ada", "Lovelace", "ada@example.org")


def test_login_as_new_with_deny_true_creates_the_user_and_denies(mock_orcid, client):
    count = len(requests.get(mock_orcid.url + "/__admin/users").json())
    r = requests.get(mock_orcid.url + "/oauth/authorize?" + authorize_query(
        client, login_as="new", deny="true"), allow_redirects=False)
    assert query_of(location(r))["error"] == "access_denied"
    assert len(requests.get(mock_orcid.url + "/__admin/users").json()) == count + 1


def test_login_as_with_deny_still_refuses_a_bad_request_on_the_error_page(mock_orcid, client, user):
    r = requests.get(mock_orcid.url + "/oauth/authorize?" + authorize_query(
        client, redirect_uri="https://attacker.example.com/", login_as=user["orcid"],
        deny="true"), allow_redirects=False)
    assert r.status_code == 400 and "Location" not in r.headers


@pytest.mark.parametrize("params, says", [
    ({"email": "ROSALIND.franklin@example.org"}, "already in use"),
    ({"email": "not-an-address"}, "Invalid email format"),
    ({"given_names": "A" * 101}, "less than 100 characters"),
    ({"family_name": "Nul\x00Byte"}, "control characters"),
    ({"given_names": "Line\nBreak"}, "control characters"),
])
def test_login_as_new_refuses_what_registration_refuses_and_creates_nobody(
        mock_orcid, client, user, params, says):
    count = len(requests.get(mock_orcid.url + "/__admin/users").json())
    r = requests.get(mock_orcid.url + "/oauth/authorize?" + authorize_query(
        client, login_as="new", **params), allow_redirects=False)
    assert r.status_code == 400 and "Location" not in r.headers
    assert "invalid_request" in r.text and says in r.text
    assert len(requests.get(mock_orcid.url + "/__admin/users").json()) == count


def test_a_new_account_never_holds_a_character_its_xml_cannot_carry(mock_orcid):
    # the admin API's schema refuses both, naming the field
    r = requests.post(mock_orcid.url + "/__admin/users", json={"given_names": "a\x00b"})
    assert r.status_code == 400 and r.json()["field"] == "given_names"
    assert "control characters" in r.json()["message"]
    r = requests.post(mock_orcid.url + "/__admin/users", json={"given_names": 5})
    assert r.status_code == 400 and r.json()["field"] == "given_names"
    r = requests.post(mock_orcid.url + "/register", data={
        "given_names": "Ok", "email": "ok@example.org", "password": "pass\x01word",
        "default_visibility": "public"}, allow_redirects=False)
    assert r.status_code == 200 and "control characters" in r.text


# ------------------------------------------------------------------ sign-in and consent
def test_signing_in_returns_to_authorize_then_consent_gives_a_working_code(mock_orcid, client, user):
    base = mock_orcid.url
    browser = requests.Session()
    signin_url = location(go(browser, "/oauth/authorize?" + authorize_query(client, state="s9"),
                             base))
    assert signin_url.startswith("/signin?oauth&")
    page = go(browser, signin_url, base)
    for element_id in ("username-input", "password", "signin-button", "register-button"):
        assert 'id="%s"' % element_id in page.text
    back = location(sign_in(browser, base, user["orcid"], path=signin_url))
    assert back.startswith("/oauth/authorize?") and query_of(back)["state"] == "s9"
    consent = go(browser, back, base)
    assert 'id="user-name"' in consent.text and "Rosalind Franklin" in consent.text
    assert "Read your information with visibility set to Trusted parties" in consent.text
    assert "Add/update your research activities" in consent.text
    redirect = consent_and_authorize(browser, base, back)
    assert redirect.startswith(CALLBACK + "?code=")
    assert exchange(mock_orcid, client, query_of(redirect)["code"])["orcid"] == user["orcid"]


@pytest.mark.parametrize("username", ["rosalind.franklin@EXAMPLE.org",
                                      "https://sandbox.orcid.org/{orcid}", " {orcid} "])
def test_sign_in_takes_an_email_in_any_case_or_an_id_or_its_uri(mock_orcid, user, username):
    browser = requests.Session()
    r = sign_in(browser, mock_orcid.url, username.format(orcid=user["orcid"]))
    assert location(r) == "/my-orcid"
    assert location(go(browser, "/my-orcid", mock_orcid.url)) == "/" + user["orcid"]


def test_a_password_set_in_the_fixtures_is_required(mock_orcid):
    made = mock_orcid.create_user(given_names="Pat", password="s3cret pass")
    browser = requests.Session()
    wrong = sign_in(browser, mock_orcid.url, made["orcid"], "nope")
    assert wrong.status_code == 200 and 'id="signin-error"' in wrong.text
    assert location(go(browser, "/my-orcid", mock_orcid.url)) == "/signin"
    assert location(sign_in(browser, mock_orcid.url, made["orcid"], "s3cret pass")) == "/my-orcid"
    assert "password" not in requests.get(mock_orcid.url + "/__admin/users/" + made["orcid"]).json()


def test_an_unknown_user_or_a_deactivated_record_cannot_sign_in(mock_orcid, user):
    browser = requests.Session()
    r = sign_in(browser, mock_orcid.url, "nobody@example.org")
    assert r.status_code == 200 and "signin-error" in r.text
    requests.patch(mock_orcid.url + "/__admin/users/" + user["orcid"], json={"state": "deactivated"})
    r = sign_in(browser, mock_orcid.url, user["orcid"])
    assert r.status_code == 200 and "deactivated" in r.text


def test_the_sign_in_page_escapes_what_it_echoes(mock_orcid):
    r = sign_in(requests.Session(), mock_orcid.url, '"><script>alert(1)</script>')
    assert "<script>alert(1)" not in r.text


def test_a_signed_in_researcher_who_granted_these_scopes_is_not_asked_again(mock_orcid, client, user):
    base = mock_orcid.url
    mock_orcid.token(client, user, SCOPES)            # a live grant
    browser = requests.Session()
    sign_in(browser, base, user["orcid"])
    r = go(browser, "/oauth/authorize?" + authorize_query(client), base)
    assert location(r).startswith(CALLBACK + "?code=")
    wider = go(browser, "/oauth/authorize?" + authorize_query(client, scope=SCOPES + " /person/update"),
               base)
    assert wider.status_code == 200 and 'id="authorize-button"' in wider.text


def test_the_consent_form_needs_the_sessions_token(mock_orcid, client, user):
    browser = requests.Session()
    sign_in(browser, mock_orcid.url, user["orcid"])
    form = {**query_of("?" + authorize_query(client)), "action": "authorize", "csrf_token": "forged"}
    r = browser.post(mock_orcid.url + "/oauth/authorize", data=form, allow_redirects=False)
    assert r.status_code == 400 and "Location" not in r.headers


def test_deny_on_the_consent_page_redirects_with_access_denied(mock_orcid, client, user):
    browser = requests.Session()
    sign_in(browser, mock_orcid.url, user["orcid"])
    form = {**query_of("?" + authorize_query(client, state="d")), "action": "deny"}
    r = browser.post(mock_orcid.url + "/oauth/authorize", data=form, allow_redirects=False)
    assert query_of(location(r)) == {"error": "access_denied", "error_description": "User denied",
                                     "state": "d"}


# ------------------------------------------------------------------ prompt
def test_prompt_none_answers_from_the_session(mock_orcid, client, user):
    base = mock_orcid.url
    browser = requests.Session()
    url = "/oauth/authorize?" + authorize_query(client, prompt="none", state="p")
    assert query_of(location(go(browser, url, base))) == {"error": "login_required", "state": "p"}
    sign_in(browser, base, user["orcid"])
    assert query_of(location(go(browser, url, base)))["error"] == "interaction_required"
    mock_orcid.token(client, user, SCOPES)
    granted = query_of(location(go(browser, url, base)))
    assert "code" in granted and granted["state"] == "p"


def test_prompt_login_asks_a_signed_in_researcher_to_sign_in_again(mock_orcid, client, user):
    base = mock_orcid.url
    browser = requests.Session()
    sign_in(browser, base, user["orcid"])
    url = "/oauth/authorize?" + authorize_query(client, prompt="login")
    signin_url = location(go(browser, url, base))
    assert signin_url.startswith("/signin?oauth&") and "prompt=login" in signin_url
    page = go(browser, signin_url, base)
    assert 'id="username-input"' in page.text
    back = location(sign_in(browser, base, user["orcid"], path=signin_url))
    assert go(browser, back, base).status_code == 200        # the consent page, once
    assert location(go(browser, url, base)).startswith("/signin?oauth&")   # and again after


def test_show_login_false_opens_registration_which_returns_to_consent(mock_orcid, client):
    base = mock_orcid.url
    browser = requests.Session()
    register_url = location(go(browser, "/oauth/authorize?" + authorize_query(
        client, show_login="false", given_names="Lise", family_names="Meitner"), base))
    assert register_url.startswith("/register?oauth&")
    page = go(browser, register_url, base)
    assert 'value="Lise"' in page.text and 'value="Meitner"' in page.text
    r = browser.post(base + register_url, data={
        "given_names": "Lise", "family_name": "Meitner", "email": "lise@example.org",
        "default_visibility": "limited"}, allow_redirects=False)
    back = location(r)
    consent = go(browser, back, base)
    assert "Lise Meitner" in consent.text
    token = exchange(mock_orcid, client, query_of(consent_and_authorize(browser, base, back))["code"])
    made = requests.get(base + "/__admin/users/" + token["orcid"]).json()
    assert made["default_visibility"] == "limited" and made["email"] == "lise@example.org"


def test_registration_refuses_a_missing_name_or_an_email_in_use(mock_orcid, user):
    browser = requests.Session()
    r = browser.post(mock_orcid.url + "/register", data={
        "given_names": "", "email": user["email"], "default_visibility": "public"})
    assert r.status_code == 200
    assert "Please enter your first/given name" in r.text and "already in use" in r.text


def test_the_session_cookie_is_named_apart_http_only_and_same_site_lax(mock_orcid, user):
    r = sign_in(requests.Session(), mock_orcid.url, user["orcid"])
    cookie = r.headers["Set-Cookie"]
    assert cookie.startswith("mock_orcid_session=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_a_reset_signs_everybody_out(mock_orcid):
    made = mock_orcid.create_user()
    browser = requests.Session()
    sign_in(browser, mock_orcid.url, made["orcid"])
    assert location(go(browser, "/my-orcid", mock_orcid.url)) == "/" + made["orcid"]
    mock_orcid.reset()
    assert location(go(browser, "/my-orcid", mock_orcid.url)) == "/signin"


# ------------------------------------------------------------------ the record page
@pytest.fixture
def written(mock_orcid, client, user):
    """A user with one public work written by the client over the member API."""
    token = mock_orcid.token(client, user, SCOPES)["access_token"]
    r = requests.post("%s/v3.0/%s/work" % (mock_orcid.url, user["orcid"]),
                      data=work_xml(title="Photo 51", doi="10.5555/photo.51"),
                      headers=auth(token, **{"Content-Type": XML}))
    assert r.status_code == 201
    return {"token": token, "put_code": int(r.headers["Location"].rsplit("/", 1)[1])}


def test_the_record_page_shows_a_work_with_its_source_to_everyone(mock_orcid, user, written):
    page = requests.get("%s/%s" % (mock_orcid.url, user["orcid"]))
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "Photo 51" in page.text and "Source: Sign-in test app" in page.text
    assert "Rosalind Franklin" in page.text and 'data-testid="visibility-select"' not in page.text


def test_only_an_id_shaped_path_is_a_record_page(mock_orcid):
    assert requests.get(mock_orcid.url + "/0000-0002-1825-0098").status_code == 404
    assert requests.get(mock_orcid.url + "/not-an-orcid").status_code == 404
    assert requests.get(mock_orcid.url + "/0000-0002-1825-0097").status_code == 200


def test_the_owner_hides_a_work_and_the_public_api_stops_returning_it(mock_orcid, user, written):
    base, orcid = mock_orcid.url, user["orcid"]
    browser = requests.Session()
    sign_in(browser, base, orcid)
    page = go(browser, "/" + orcid, base)
    assert 'data-testid="visibility-select"' in page.text
    r = browser.post("%s/%s/work/%s/visibility" % (base, orcid, written["put_code"]),
                     data={"visibility": "private", "csrf_token": csrf(page.text)},
                     allow_redirects=False)
    assert location(r) == "/%s#work-%s" % (orcid, written["put_code"])
    public = requests.get("%s/pub/v3.0/%s/works" % (base, orcid), headers={"Accept": XML})
    assert public.status_code == 200 and "Photo 51" not in public.text
    assert "Photo 51" not in requests.get("%s/%s" % (base, orcid)).text
    own = requests.get("%s/v3.0/%s/work/%s" % (base, orcid, written["put_code"]),
                       headers=auth(written["token"], Accept=XML))
    assert own.status_code == 200 and 'visibility="private"' in own.text


def test_nobody_but_the_owner_changes_a_record(mock_orcid, user, written):
    base, orcid = mock_orcid.url, user["orcid"]
    other = mock_orcid.create_user()
    browser = requests.Session()
    sign_in(browser, base, other["orcid"])
    token = csrf(go(browser, "/" + other["orcid"], base).text)
    for action, data in (("visibility", {"visibility": "private"}), ("delete", {})):
        r = browser.post("%s/%s/work/%s/%s" % (base, orcid, written["put_code"], action),
                         data={**data, "csrf_token": token}, allow_redirects=False)
        assert r.status_code == 403
    anonymous = requests.post("%s/%s/work/%s/delete" % (base, orcid, written["put_code"]))
    assert anonymous.status_code == 403
    assert "Photo 51" in requests.get("%s/pub/v3.0/%s/works" % (base, orcid),
                                      headers={"Accept": XML}).text


def test_the_owner_deletes_any_item_and_the_api_no_longer_has_it(mock_orcid, user, written):
    base, orcid = mock_orcid.url, user["orcid"]
    browser = requests.Session()
    sign_in(browser, base, orcid)
    token = csrf(go(browser, "/" + orcid, base).text)
    r = browser.post("%s/%s/work/%s/delete" % (base, orcid, written["put_code"]),
                     data={"csrf_token": token}, allow_redirects=False)
    assert location(r) == "/" + orcid
    gone = requests.get("%s/v3.0/%s/work/%s" % (base, orcid, written["put_code"]),
                        headers=auth(written["token"], Accept=XML))
    assert gone.status_code == 404


def test_the_owner_sets_the_default_visibility_that_new_items_get(mock_orcid, user, written):
    base, orcid = mock_orcid.url, user["orcid"]
    browser = requests.Session()
    sign_in(browser, base, orcid)
    token = csrf(go(browser, "/account", base).text)
    r = browser.post(base + "/account/default-visibility",
                     data={"default_visibility": "private", "csrf_token": token},
                     allow_redirects=False)
    assert location(r) == "/account#visibility-preferences"
    assert requests.get(base + "/__admin/users/" + orcid).json()["default_visibility"] == "private"
    r = requests.post("%s/v3.0/%s/work" % (base, orcid), data=work_xml(doi="10.5555/new.1"),
                      headers=auth(written["token"], **{"Content-Type": XML}))
    created = requests.get(r.headers["Location"], headers=auth(written["token"], Accept=XML))
    assert 'visibility="private"' in created.text


# ------------------------------------------------------------------ inbox and account
def test_inbox_marks_read_and_archives_through_the_registry(mock_orcid, user, written):
    base, orcid = mock_orcid.url, user["orcid"]
    browser = requests.Session()
    sign_in(browser, base, orcid)
    page = go(browser, "/inbox", base)
    assert "Photo 51" in page.text and "Sign-in test app" in page.text and "Unread" in page.text
    put_code = mock_orcid.notifications(orcid)[0]["put-code"]
    token = csrf(page.text)
    assert location(browser.post("%s/inbox/%s/read" % (base, put_code),
                                 data={"csrf_token": token}, allow_redirects=False)) == "/inbox"
    assert mock_orcid.notifications(orcid)[0]["read-date"]["value"] > 0
    browser.post("%s/inbox/%s/archive" % (base, put_code), data={"csrf_token": token})
    assert mock_orcid.notifications(orcid)[0]["archived-date"] is not None
    assert "Photo 51" not in go(browser, "/inbox", base).text
    assert "Photo 51" in go(browser, "/inbox?archived=1", base).text
    missing = browser.post("%s/inbox/999999/read" % base, data={"csrf_token": token})
    assert missing.status_code == 404


def test_revoking_a_trusted_organization_stops_its_token(mock_orcid, client, user, written):
    base, orcid = mock_orcid.url, user["orcid"]
    browser = requests.Session()
    sign_in(browser, base, orcid)
    page = go(browser, "/account", base)
    assert "Sign-in test app" in page.text and "Revoke access" in page.text
    r = browser.post(base + "/account/revoke", data={"client_id": client["client_id"],
                                                      "csrf_token": csrf(page.text)},
                     allow_redirects=False)
    assert location(r) == "/account#manage-permissions"
    works = requests.get("%s/v3.0/%s/works" % (base, orcid), headers=auth(written["token"]))
    assert works.status_code == 401 and works.json()["error"] == "invalid_token"
    assert "No organization has access" in go(browser, "/account", base).text


def test_signed_out_pages_send_the_browser_to_sign_in(mock_orcid):
    for path in ("/inbox", "/account", "/my-orcid"):
        r = requests.get(mock_orcid.url + path, allow_redirects=False)
        assert location(r) == "/signin", path


def test_the_admin_dashboard_lists_users_and_clients_with_slots_for_what_comes(mock_orcid, client, user):
    page = requests.get(mock_orcid.url + "/__admin/dashboard")
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert user["orcid"] in page.text and client["client_id"] in page.text
    assert 'data-testid="requests-slot"' in page.text
    # Without a webhook dispatcher a slot says so; with one, its (so far empty) deliveries.
    assert ('data-testid="webhooks-slot"' in page.text) != ('data-testid="no-deliveries"'
                                                             in page.text)


def test_the_admin_dashboard_lists_the_webhook_dispatchers_deliveries_newest_first(
        mock_orcid, user, monkeypatch):
    class Delivery:                      # the fields the dispatcher's log entries carry
        def __init__(self, n, status, outcome, error=None):
            self.time, self.orcid, self.client_id = "2026-01-0%dT00:00:00Z" % n, user["orcid"], "APP-1"
            self.url = "https://app.example.org/hook/%d?<x>" % n
            self.status, self.outcome, self.error = status, outcome, error

    class Dispatcher:
        def deliveries(self):
            return [Delivery(1, 204, "sent"), Delivery(2, None, "failed", "refused")]

    monkeypatch.setattr(mock_orcid.state, "webhooks", Dispatcher(), raising=False)
    page = requests.get(mock_orcid.url + "/__admin/dashboard").text
    rows = re.findall(r'data-testid="dashboard-delivery" data-orcid="([^"]+)" '
                      r'data-outcome="([^"]+)"', page)
    assert rows == [(user["orcid"], "failed"), (user["orcid"], "sent")]
    assert "hook/2?&lt;x&gt;" in page and "failed (refused)" in page
    monkeypatch.setattr(mock_orcid.state, "webhooks", type("Idle", (), {
        "deliveries": lambda self: []})(), raising=False)
    assert 'data-testid="no-deliveries"' in requests.get(mock_orcid.url + "/__admin/dashboard").text
