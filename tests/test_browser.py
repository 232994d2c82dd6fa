"""The researcher's side in a real browser (headless Chromium through Playwright), the way an
integrator's Playwright script drives the sandbox: ORCID's own element ids, a redirect back
to the application's callback, the record page, the inbox and the trusted organizations.
Every page is screenshotted (test-artifacts/browser/) and checked with axe-core."""
from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

from browser_support import CHROMIUM_ARGS, assert_accessible, ensure_chromium, shoot
from http_helpers import auth, work_xml

pytestmark = pytest.mark.slow

CALLBACK_PATH = "/app/orcid/callback"
SCOPES = "/read-limited /activities/update"
XML = "application/vnd.orcid+xml"


@pytest.fixture(scope="session")
def chromium():
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install -e '.[test]'")
    pytest.importorskip("axe_playwright_python", reason="pip install -e '.[test]'")
    path, reason = ensure_chromium()
    if path is None:
        pytest.skip(reason)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    """A fresh browser profile per test (no cookies)."""
    context = chromium.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10000)
    yield page
    context.close()


@pytest.fixture
def client(mock_orcid):
    # The application's callback is a path on the mock's own host: nothing answers it (404),
    # but the browser lands there and the test reads the code from the address bar, with no
    # request leaving the machine. (Playwright's route() did not catch a redirected GET
    # navigation with Debian's Chromium.)
    return mock_orcid.create_client(name="Browser Test Repository",
                                    redirect_uris=[mock_orcid.url + CALLBACK_PATH])


@pytest.fixture
def user(mock_orcid):
    return mock_orcid.create_user(given_names="Dorothy", family_name="Hodgkin",
                                  email="dorothy.hodgkin@example.org")


def authorize_url(mock_orcid, client, **extra) -> str:
    return mock_orcid.url + "/oauth/authorize?" + urlencode({
        "client_id": client["client_id"], "response_type": "code", "scope": SCOPES,
        "redirect_uri": client["redirect_uris"][0], **extra})


def callback_query(page) -> dict:
    page.wait_for_url("**" + CALLBACK_PATH + "?*")
    return {k: v[0] for k, v in parse_qs(urlsplit(page.url).query).items()}


def sign_in(page, username, password="any password"):
    """What a sandbox script does, with the sandbox's element ids."""
    page.fill("#username-input", username)
    page.fill("#password", password)
    page.click("#signin-button")


def exchange(mock_orcid, client, code) -> dict:
    r = requests.post(mock_orcid.url + "/oauth/token", data={
        "client_id": client["client_id"], "client_secret": client["client_secret"],
        "grant_type": "authorization_code", "code": code,
        "redirect_uri": client["redirect_uris"][0]})
    assert r.status_code == 200, r.text
    return r.json()


def write_work(mock_orcid, client, user, title, doi) -> tuple[str, int]:
    token = mock_orcid.token(client, user, SCOPES)["access_token"]
    r = requests.post("%s/v3.0/%s/work" % (mock_orcid.url, user["orcid"]),
                      data=work_xml(title=title, doi=doi),
                      headers=auth(token, **{"Content-Type": XML}))
    assert r.status_code == 201, r.text
    return token, int(r.headers["Location"].rsplit("/", 1)[1])


def check(page, name):
    shoot(page, name)
    assert_accessible(page, name)


# ------------------------------------------------------------------ OAuth in the browser
def test_sign_in_with_the_sandbox_ids_then_authorize_redirects_with_a_code(
        page, mock_orcid, client, user):
    page.goto(authorize_url(mock_orcid, client, state="xyz"))
    assert "/signin?oauth&" in page.url
    check(page, "01-signin")
    sign_in(page, user["email"])
    page.wait_for_selector("#authorize-button")
    assert page.inner_text("#user-name") == "Dorothy Hodgkin"
    assert "Add/update your research activities" in page.inner_text("main")
    check(page, "02-consent")
    page.click("#authorize-button")
    query = callback_query(page)
    assert query["state"] == "xyz" and len(query["code"]) == 6
    assert exchange(mock_orcid, client, query["code"])["orcid"] == user["orcid"]


def test_deny_sends_the_browser_back_with_access_denied(page, mock_orcid, client, user):
    page.goto(authorize_url(mock_orcid, client, state="no"))
    sign_in(page, user["orcid"])
    page.click("#deny-button")
    assert callback_query(page) == {"error": "access_denied", "error_description": "User denied",
                                    "state": "no"}


def test_register_from_the_sign_in_page_then_authorize(page, mock_orcid, client):
    page.goto(authorize_url(mock_orcid, client))
    page.click("#register-button")
    page.wait_for_selector("#givenNamesInput")
    check(page, "03-register")
    page.fill("#givenNamesInput", "Chien-Shiung")
    page.fill("#familyNamesInput", "Wu")
    page.fill("#emailInput", "wu@example.org")
    page.check("#visibility-limited")
    page.click("#register-submit-button")
    page.wait_for_selector("#authorize-button")
    assert page.inner_text("#user-name") == "Chien-Shiung Wu"
    page.click("#authorize-button")
    token = exchange(mock_orcid, client, callback_query(page)["code"])
    made = requests.get(mock_orcid.url + "/__admin/users/" + token["orcid"]).json()
    assert (made["email"], made["default_visibility"]) == ("wu@example.org", "limited")


def test_the_sign_in_form_works_from_the_keyboard_alone(page, mock_orcid, user):
    page.goto(mock_orcid.url + "/signin")
    page.keyboard.press("Tab")                      # the skip link comes first
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.focus("#username-input")
    page.keyboard.type(user["orcid"])
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "password"
    page.keyboard.type("secret")
    page.keyboard.press("Enter")
    page.wait_for_url("**/" + user["orcid"])
    assert page.inner_text("[data-testid=record-name]").startswith("Dorothy Hodgkin")


# ------------------------------------------------------------------ the record page
def test_a_work_written_over_the_api_appears_with_its_source_and_hiding_it_takes_it_off_the_public_api(
        page, mock_orcid, client, user):
    _token, put_code = write_work(mock_orcid, client, user, "Structure of penicillin",
                                  "10.5555/penicillin.1")
    page.goto(mock_orcid.url + "/signin")
    sign_in(page, user["orcid"])
    page.wait_for_url("**/" + user["orcid"])
    item = page.locator("#work-%d" % put_code)
    assert item.locator("[data-testid=item-title]").inner_text() == "Structure of penicillin"
    assert item.locator("[data-testid=item-source]").inner_text() == \
        "Source: Browser Test Repository"
    assert item.locator("[data-testid=visibility]").inner_text() == "Everyone"
    check(page, "04-record-owner")
    public_works = "%s/pub/v3.0/%s/works" % (mock_orcid.url, user["orcid"])
    assert "Structure of penicillin" in requests.get(public_works, headers={"Accept": XML}).text

    item.locator("[data-testid=visibility-select]").select_option("private")
    item.locator("[data-testid=visibility-save]").click()
    page.wait_for_load_state()
    assert page.locator("#work-%d [data-testid=visibility]" % put_code).inner_text() == "Only me"
    assert "Structure of penicillin" not in requests.get(public_works,
                                                         headers={"Accept": XML}).text
    page.goto("%s/%s?public=1" % (mock_orcid.url, user["orcid"]))
    assert page.locator("#work-%d" % put_code).count() == 0
    check(page, "05-record-public-view")


def test_the_researcher_deletes_an_item_a_client_wrote(page, mock_orcid, client, user):
    token, put_code = write_work(mock_orcid, client, user, "Insulin", "10.5555/insulin.1")
    page.goto(authorize_url(mock_orcid, client, login_as=user["orcid"]))   # signs the browser in
    callback_query(page)
    page.goto("%s/%s" % (mock_orcid.url, user["orcid"]))
    page.locator("#work-%d [data-testid=delete-button]" % put_code).click()
    page.wait_for_load_state()
    assert page.locator("#work-%d" % put_code).count() == 0
    r = requests.get("%s/v3.0/%s/work/%d" % (mock_orcid.url, user["orcid"], put_code),
                     headers=auth(token, Accept=XML))
    assert r.status_code == 404


# ------------------------------------------------------------------ inbox and trusted organizations
def test_an_amended_notification_appears_in_the_inbox_and_can_be_read_and_archived(
        page, mock_orcid, client, user):
    write_work(mock_orcid, client, user, "Vitamin B12", "10.5555/b12.1")
    page.goto(mock_orcid.url + "/signin")
    sign_in(page, user["email"])
    page.click("[data-testid=nav-inbox]")
    note = page.locator("[data-testid=notification]").first
    assert note.get_attribute("data-kind") == "amended"
    assert note.locator("[data-testid=notification-kind]").inner_text().lower() == "your record"
    assert note.locator("[data-testid=notification-source]").inner_text() == \
        "Browser Test Repository"
    assert note.locator("[data-testid=notification-section]").inner_text() == "Works"
    assert "Vitamin B12" in note.inner_text()
    assert note.locator("[data-testid=notification-date]").get_attribute("datetime")
    check(page, "06-inbox")
    note.locator("[data-testid=mark-read]").click()
    page.wait_for_load_state()
    assert mock_orcid.notifications(user["orcid"])[0]["read-date"] is not None
    page.locator("[data-testid=notification] [data-testid=archive]").first.click()
    page.wait_for_load_state()
    assert page.locator("[data-testid=no-notifications]").is_visible()


def test_revoking_a_trusted_organization_stops_its_token(page, mock_orcid, client, user):
    token, _ = write_work(mock_orcid, client, user, "Ferrocene", "10.5555/ferrocene.1")
    page.goto(mock_orcid.url + "/signin")
    sign_in(page, user["orcid"])
    page.click("[data-testid=nav-account]")
    row = page.locator("[data-testid=trusted-organization][data-client-id='%s']"
                       % client["client_id"])
    assert "Browser Test Repository" in row.inner_text()
    check(page, "07-account-trusted-organizations")
    row.locator("[data-testid=revoke-button]").click()
    page.wait_for_load_state()
    assert page.locator("[data-testid=no-trusted]").is_visible()
    r = requests.get("%s/v3.0/%s/works" % (mock_orcid.url, user["orcid"]), headers=auth(token))
    assert r.status_code == 401 and r.json()["error"] == "invalid_token"


def test_the_admin_dashboard_and_an_error_page_are_accessible(page, mock_orcid, client, user):
    page.goto(mock_orcid.url + "/__admin/dashboard")
    assert page.locator("[data-testid=dashboard-user][data-orcid='%s']" % user["orcid"]).count() == 1
    check(page, "08-dashboard")
    page.goto(authorize_url(mock_orcid, client, redirect_uri="https://attacker.example.com/"))
    assert page.inner_text("#error") == "invalid_grant"
    check(page, "09-oauth-error")
