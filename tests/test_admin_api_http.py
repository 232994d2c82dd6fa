"""The test-control API (/__admin) takes only what its schema declares, names the bad field,
never replaces what exists, and refuses deprecations that would chain or loop."""
from __future__ import annotations

import json

import pytest
import requests

from mock_orcid.server import RunningServer
from mock_orcid.settings import DEFAULT_FIXTURES, Settings
from mock_orcid.harness.fixtures import FixtureError as FixturesError
from mock_orcid.state import MockState

FIXTURE_CLIENT = "APP-MOCKMEMBER000001"
FIXTURE_SECRET = "mock-member-secret"
JOSIAH = "0000-0002-1825-0097"


def post(mock_orcid, path, body=None, **kw):
    return requests.post(mock_orcid.url + "/__admin" + path, json=body, **kw)


def patch(mock_orcid, path, body):
    return requests.patch(mock_orcid.url + "/__admin" + path, json=body)


def assert_refused(r, status, field):
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error", "message", "field"}, body
    assert body["field"] == field, body
    assert body["error"] == {400: "bad_request", 409: "conflict", 404: "not_found"}[status]
    return body


def client_ids(mock_orcid):
    return [c["client_id"] for c in requests.get(mock_orcid.url + "/__admin/clients").json()]


# ------------------------------------------------------------------------- types, 400 + field
@pytest.mark.parametrize("body, field", [
    ({"client_secret": 12345}, "client_secret"),
    ({"client_secret": ""}, "client_secret"),
    ({"name": {"en": "x"}}, "name"),
    ({"type": "gold"}, "type"),
    ({"redirect_uris": ["https://ok.example.org/cb", 7]}, "redirect_uris[1]"),
    ({"redirect_uris": ["not a uri"]}, "redirect_uris[0]"),
    ({"client_id": "APP 1/2"}, "client_id"),
    ({"description": "bell\u0007"}, "description"),
    ({"colour": "blue"}, "colour"),
])
def test_a_client_with_a_wrong_value_is_refused_naming_the_field_and_nothing_is_created(
        mock_orcid, body, field):
    before = client_ids(mock_orcid)
    body = {"name": "Typed client", **body}
    r = post(mock_orcid, "/clients", body)
    assert_refused(r, 400, field)
    assert client_ids(mock_orcid) == before


def test_a_numeric_client_secret_cannot_break_the_token_endpoint(mock_orcid):
    r = post(mock_orcid, "/clients", {"name": "Numeric", "client_id": "APP-NUMERIC", "client_secret": 12345})
    assert_refused(r, 400, "client_secret")
    r = requests.post(mock_orcid.url + "/oauth/token", data={
        "client_id": "APP-NUMERIC", "client_secret": "12345", "grant_type": "client_credentials",
        "scope": "/read-public"})
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"


@pytest.mark.parametrize("body, field", [
    ({"credit_name": {"value": "Dr X"}}, "credit_name"),
    ({"given_names": ["Ada"]}, "given_names"),
    ({"given_names": ""}, "given_names"),
    ({"family_name": "Nul\u0000l"}, "family_name"),
    ({"biography": "\ud800"}, "biography"),
    ({"default_visibility": "registered-only"}, "default_visibility"),
    ({"email": "no-at-sign"}, "email"),
    ({"orcid": 18250097}, "orcid"),
    ({"orcid": "0000-0002-1825-0098"}, "orcid"),     # bad check digit
])
def test_a_user_with_a_wrong_value_is_refused_naming_the_field(mock_orcid, body, field):
    before = len(requests.get(mock_orcid.url + "/__admin/users").json())
    assert_refused(post(mock_orcid, "/users", body), 400, field)
    assert len(requests.get(mock_orcid.url + "/__admin/users").json()) == before


def test_a_dict_credit_name_cannot_break_the_consent_page(mock_orcid):
    assert_refused(post(mock_orcid, "/users", {"credit_name": {"a": 1}}), 400, "credit_name")
    user = mock_orcid.create_user()
    assert_refused(patch(mock_orcid, "/users/" + user["orcid"], {"credit_name": {"a": 1}}),
                   400, "credit_name")
    r = requests.get(mock_orcid.url + "/oauth/authorize", params={
        "client_id": FIXTURE_CLIENT, "response_type": "code", "scope": "/authenticate",
        "redirect_uri": "https://example.org/callback"})
    assert r.status_code == 200 and "text/html" in r.headers["Content-Type"]


@pytest.mark.parametrize("path_tail, body, field", [
    ("", {"accepts_member_notifications": "no"}, "accepts_member_notifications"),
    ("", {"accepts_member_notifications": 0}, "accepts_member_notifications"),
    ("/emails", {"email": "second@example.org", "verified": "no"}, "verified"),
    ("", {"state": "frozen"}, "state"),
    ("", {"name_visibility": None}, "name_visibility"),
])
def test_a_string_no_is_not_true(mock_orcid, path_tail, body, field):
    user = mock_orcid.create_user()
    send = patch if not path_tail else post
    r = send(mock_orcid, "/users/%s%s" % (user["orcid"], path_tail), body)
    assert_refused(r, 400, field)


def test_an_item_visibility_change_needs_a_known_visibility(mock_orcid):
    r = patch(mock_orcid, "/users/%s/work/1000" % JOSIAH, {"visibility": True})
    assert_refused(r, 400, "visibility")
    r = patch(mock_orcid, "/users/%s/work/1000" % JOSIAH, {})
    assert_refused(r, 400, "visibility")


@pytest.mark.parametrize("raw", [b"[]", b"\"text\"", b"nope", b"{", b"[" * 100_000,
                                 b"{\"name\": 1e999999}", b"\xff\xfe"])
def test_an_admin_body_that_is_not_a_json_object_is_400_not_500(mock_orcid, raw):
    r = requests.post(mock_orcid.url + "/__admin/clients", data=raw,
                      headers={"Content-Type": "application/json"})
    assert r.status_code == 400, r.text
    assert set(r.json()) == {"error", "message", "field"}


def test_admin_errors_keep_error_and_message_and_add_field(mock_orcid):
    r = requests.get(mock_orcid.url + "/__admin/users/0000-0001-5109-3700")
    assert r.json() == {"error": "not_found", "message": "no user with ORCID iD 0000-0001-5109-3700",
                        "field": None}
    r = requests.get(mock_orcid.url + "/__admin/no-such-thing")
    assert r.status_code == 404 and set(r.json()) == {"error", "message", "field"}
    r = requests.delete(mock_orcid.url + "/__admin/reset")
    assert r.status_code == 405 and set(r.json()) == {"error", "message", "field"}


# ---------------------------------------------------------------------------- 409 duplicates
def test_posting_an_existing_client_id_is_409_and_keeps_the_fixture_client(mock_orcid):
    r = post(mock_orcid, "/clients", {"client_id": FIXTURE_CLIENT, "client_secret": "hijacked",
                                      "name": "Impostor"})
    assert_refused(r, 409, "client_id")
    kept = requests.get(mock_orcid.url + "/__admin/clients/" + FIXTURE_CLIENT).json()
    assert kept["client_secret"] == FIXTURE_SECRET and kept["name"] == "Mock Member Repository"


def test_posting_an_existing_orcid_is_409_and_keeps_the_user(mock_orcid):
    r = post(mock_orcid, "/users", {"orcid": JOSIAH, "given_names": "Impostor"})
    assert_refused(r, 409, "orcid")
    assert requests.get(mock_orcid.url + "/__admin/users/" + JOSIAH).json()["given_names"] == "Josiah"


def test_a_client_created_twice_with_its_own_id_is_created_once(mock_orcid):
    first = post(mock_orcid, "/clients", {"client_id": "APP-ONCE-ONLY", "name": "Once"})
    assert first.status_code == 201
    assert_refused(post(mock_orcid, "/clients", {"client_id": "APP-ONCE-ONLY"}), 409, "client_id")
    assert client_ids(mock_orcid).count("APP-ONCE-ONLY") == 1


# ------------------------------------------------------------------------------ deprecation
def test_deprecation_cycles_and_chains_are_refused(mock_orcid):
    a, b, c = (mock_orcid.create_user()["orcid"] for _ in range(3))
    r = patch(mock_orcid, "/users/" + a, {"state": "deprecated", "primary_orcid": b})
    assert r.status_code == 200, r.text
    # B -> A would loop: A is deprecated.
    assert_refused(patch(mock_orcid, "/users/" + b, {"state": "deprecated", "primary_orcid": a}),
                   409, "primary_orcid")
    # C -> A would chain through a deprecated record.
    assert_refused(patch(mock_orcid, "/users/" + c, {"state": "deprecated", "primary_orcid": a}),
                   409, "primary_orcid")
    # B -> C would leave A pointing at a deprecated record.
    assert_refused(patch(mock_orcid, "/users/" + b, {"state": "deprecated", "primary_orcid": c}),
                   409, "state")
    # Self and unknown primaries are plain bad values.
    assert_refused(patch(mock_orcid, "/users/" + c, {"state": "deprecated", "primary_orcid": c}),
                   400, "primary_orcid")
    assert_refused(patch(mock_orcid, "/users/" + c, {"state": "deprecated"}), 400, "primary_orcid")
    # Nothing moved: A still answers 301 to B, B and C are active.
    users = {u["orcid"]: u for u in requests.get(mock_orcid.url + "/__admin/users").json()}
    assert (users[a]["state"], users[b]["state"], users[c]["state"]) == ("deprecated", "active", "active")
    r = requests.get("%s/pub/v3.0/%s/works" % (mock_orcid.url, a), allow_redirects=False,
                     headers={"Accept": "application/json"})
    assert r.status_code == 301 and r.headers["Location"].endswith("/%s/works" % b)


def test_a_deprecated_record_reactivated_may_then_be_a_primary(mock_orcid):
    a, b = (mock_orcid.create_user()["orcid"] for _ in range(2))
    assert patch(mock_orcid, "/users/" + a, {"state": "deprecated", "primary_orcid": b}).status_code == 200
    assert patch(mock_orcid, "/users/" + a, {"state": "active"}).status_code == 200
    assert patch(mock_orcid, "/users/" + b, {"state": "deprecated", "primary_orcid": a}).status_code == 200


def test_a_deactivated_record_cannot_be_a_primary(mock_orcid):
    a, b = (mock_orcid.create_user()["orcid"] for _ in range(2))
    assert patch(mock_orcid, "/users/" + b, {"state": "deactivated"}).status_code == 200
    assert_refused(patch(mock_orcid, "/users/" + a, {"state": "deprecated", "primary_orcid": b}),
                   409, "primary_orcid")


# ------------------------------------------------------------------------------- fixtures
def test_the_shipped_fixtures_fit_the_fixtures_schema():
    from mock_orcid.harness.fixtures import read_documents
    assert read_documents(DEFAULT_FIXTURES)[0].data["clients"]


@pytest.mark.parametrize("change, field", [
    (lambda d: d["users"][1].update(credit_name={"x": 1}), "users[1].credit_name"),
    (lambda d: d["clients"][0].update(client_secret=1), "clients[0].client_secret"),
    (lambda d: d["clients"].append(dict(d["clients"][0])), "clients[3].client_id"),
    (lambda d: d["users"].append({"orcid": d["users"][0]["orcid"]}), "users[2].orcid"),
    (lambda d: d["users"][0].update(orcid="0000-0002-1825-0098"), "users[0].orcid"),
    (lambda d: d.update(client=[]), "client"),
])
def test_a_bad_fixtures_file_is_refused_with_the_path_of_the_bad_value(tmp_path, change, field):
    data = json.loads(DEFAULT_FIXTURES.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "fixtures.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(FixturesError) as info:
        MockState(Settings(fixtures=str(path)))
    assert info.value.field == field
    assert str(path) in str(info.value)


def test_reset_with_a_fixtures_file_gone_bad_changes_nothing(tmp_path):
    path = tmp_path / "fixtures.json"
    path.write_text(DEFAULT_FIXTURES.read_text(encoding="utf-8"), encoding="utf-8")
    server = RunningServer(Settings(host="127.0.0.1", port=0, fixtures=str(path))).start()
    try:
        made = requests.post(server.url + "/__admin/users", json={}).json()["orcid"]
        path.write_text('{"users": [{"credit_name": 5}]}', encoding="utf-8")
        r = requests.post(server.url + "/__admin/reset")
        assert r.status_code == 409 and r.json()["field"] == "users[0].credit_name"
        assert requests.get(server.url + "/__admin/users/" + made).status_code == 200
    finally:
        server.stop()
