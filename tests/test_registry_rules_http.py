"""Registry rules an integrator relies on, over real HTTP: visibility on write (facts §4.3),
grouping and duplicates (§6), record states (§4.3, §7.1), a researcher revoking access
(§4.3) and amended notifications (§8)."""
from __future__ import annotations

from datetime import timedelta
from xml.etree import ElementTree as ET

import pytest
import requests
from http_helpers import (
    BULK_NS,
    COMMON_NS,
    JSON,
    WORK_NS,
    XML,
    auth,
    bulk_xml,
    dumps,
    json_error,
    oauth_error,
    work_json,
    work_xml,
    xml_error,
)

SCOPES = "/read-limited /activities/update /person/update"
ACT = "{http://www.orcid.org/ns/activities}"
C = "{%s}" % COMMON_NS
W = "{%s}" % WORK_NS


class Env:
    def __init__(self, mock_orcid, default_visibility="public"):
        mock_orcid.reset()
        self.m = mock_orcid
        self.url = mock_orcid.url
        self.user = mock_orcid.create_user(default_visibility=default_visibility)
        self.orcid = self.user["orcid"]
        self.client = mock_orcid.create_client(name="First Client")
        self.client2 = mock_orcid.create_client(name="Second Client")
        self.token = mock_orcid.token(self.client, self.user, SCOPES)["access_token"]
        self.token2 = mock_orcid.token(self.client2, self.user, SCOPES)["access_token"]

    @property
    def member(self):
        return "%s/v3.0/%s" % (self.url, self.orcid)

    def admin(self, path, data):
        r = requests.patch(self.url + "/__admin/users/%s%s" % (self.orcid, path), json=data)
        assert r.status_code == 200, r.text
        return r.json()

    def send(self, method, path, body=None, tok=None, fmt="json", **kw):
        mt = XML if fmt == "xml" else JSON
        headers = auth(tok or self.token, Accept=mt)
        data = None
        if body is not None:
            headers["Content-Type"] = mt
            data = body.encode() if isinstance(body, str) else dumps(body)
        return requests.request(method, self.member + path, data=data, headers=headers, **kw)

    def post_work(self, tok=None, fmt="json", **kw) -> requests.Response:
        body = work_xml(**kw) if fmt == "xml" else work_json(**kw)
        return self.send("POST", "/work", body, tok=tok, fmt=fmt)

    def create(self, tok=None, fmt="json", **kw) -> int:
        r = self.post_work(tok=tok, fmt=fmt, **kw)
        assert r.status_code == 201, r.text
        return int(r.headers["Location"].rsplit("/", 1)[1])

    def create_json(self, body, tok=None) -> int:
        r = self.send("POST", "/work", body, tok=tok)
        assert r.status_code == 201, r.text
        return int(r.headers["Location"].rsplit("/", 1)[1])

    def work(self, pc, tok=None) -> dict:
        r = self.send("GET", "/work/%d" % pc, tok=tok)
        assert r.status_code == 200, r.text
        return r.json()

    def groups(self, tok=None) -> list[dict]:
        r = self.send("GET", "/works", tok=tok)
        assert r.status_code == 200, r.text
        return r.json()["group"]

    def notifications(self):
        return self.m.notifications(self.orcid)


@pytest.fixture
def env(mock_orcid):
    return Env(mock_orcid)


def error_of(fmt):
    return xml_error if fmt == "xml" else json_error


def ids(*triples):
    return {"external-id": [{"external-id-type": t, "external-id-value": v,
                             "external-id-relationship": rel} for t, v, rel in triples]}


def work_with_ids(title, *triples):
    return {"title": {"title": {"value": title}}, "type": "journal-article", "external-ids": ids(*triples)}


# ===================================================================== visibility on write
@pytest.mark.parametrize("fmt", ["xml", "json"])
@pytest.mark.parametrize("default,sent", [("limited", "public"), ("private", "public"),
                                          ("public", "private")])
def test_visibility_sent_on_post_is_ignored_and_the_work_gets_the_users_default(mock_orcid, fmt, default, sent):
    env = Env(mock_orcid, default_visibility=default)
    pc = env.create(fmt=fmt, visibility=sent, doi="10.5555/post.vis")
    assert env.work(pc)["visibility"] == default
    listed = [s for g in env.groups() for s in g["work-summary"]]
    assert [(s["put-code"], s["visibility"]) for s in listed] == [(pc, default)]


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_put_changing_visibility_is_refused_with_9035_and_changes_nothing(env, fmt):
    pc = env.create(title="Original", doi="10.5555/put.vis")
    body = (work_xml(title="Changed", doi="10.5555/put.vis", put_code=pc, visibility="private") if fmt == "xml"
            else work_json(title="Changed", doi="10.5555/put.vis", put_code=pc, visibility="private"))
    r = env.send("PUT", "/work/%d" % pc, body, fmt=fmt)
    error_of(fmt)(r, 403, 9035)
    work = env.work(pc)
    assert work["visibility"] == "public"
    assert work["title"]["title"]["value"] == "Original"


def test_put_with_the_current_visibility_or_none_is_accepted(env):
    pc = env.create(title="Original", doi="10.5555/put.same")
    r = env.send("PUT", "/work/%d" % pc, work_json(title="Same vis", doi="10.5555/put.same", put_code=pc,
                                                   visibility="public"))
    assert r.status_code == 200, r.text
    assert r.json()["visibility"] == "public"
    r = env.send("PUT", "/work/%d" % pc, work_json(title="No vis", doi="10.5555/put.same", put_code=pc))
    assert r.status_code == 200, r.text
    assert env.work(pc)["title"]["title"]["value"] == "No vis"


def test_put_keeping_a_researcher_chosen_visibility_is_accepted(env):
    pc = env.create(doi="10.5555/put.lim")
    env.admin("/work/%d" % pc, {"visibility": "limited"})
    r = env.send("PUT", "/work/%d" % pc, work_json(title="Still limited", doi="10.5555/put.lim", put_code=pc,
                                                   visibility="limited"))
    assert r.status_code == 200, r.text
    assert env.work(pc)["visibility"] == "limited"
    r = env.send("PUT", "/work/%d" % pc, work_json(title="To public", doi="10.5555/put.lim", put_code=pc,
                                                   visibility="public"))
    json_error(r, 403, 9035)


# ===================================================================== grouping
@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_same_doi_from_two_clients_in_different_case_and_prefix_is_one_group(env, fmt):
    a = env.create(fmt=fmt, title="From first", doi="10.1/ABC")
    b = env.create(fmt=fmt, tok=env.token2, title="From second", doi="https://doi.org/10.1/abc")
    r = env.send("GET", "/works", fmt=fmt)
    assert r.status_code == 200
    if fmt == "json":
        groups = r.json()["group"]
        assert len(groups) == 1
        assert sorted(s["put-code"] for s in groups[0]["work-summary"]) == sorted([a, b])
        group_ids = groups[0]["external-ids"]["external-id"]
        assert len(group_ids) == 1
        assert group_ids[0]["external-id-type"] == "doi"
        assert group_ids[0]["external-id-normalized"] == {"value": "10.1/abc", "transient": True}
        for summary in groups[0]["work-summary"]:
            ext = summary["external-ids"]["external-id"][0]
            assert ext["external-id-normalized"]["value"] == "10.1/abc"
    else:
        root = ET.fromstring(r.content)
        groups = root.findall(ACT + "group")
        assert len(groups) == 1
        assert sorted(int(s.get("put-code")) for s in groups[0].findall(W + "work-summary")) == sorted([a, b])
        group_ids = groups[0].findall(C + "external-ids/" + C + "external-id")
        assert len(group_ids) == 1
        norm = group_ids[0].find(C + "external-id-normalized")
        assert norm is not None and norm.text == "10.1/abc" and norm.get("transient") == "true"


def test_part_of_ids_do_not_group_works(env):
    env.create_json(work_with_ids("Chapter A", ("doi", "10.1/ch.a", "self"), ("isbn", "978-3-16-148410-0", "part-of")))
    env.create_json(work_with_ids("Chapter B", ("doi", "10.1/ch.b", "self"), ("isbn", "9783161484100", "part-of")),
                    tok=env.token2)
    groups = env.groups()
    assert len(groups) == 2
    for grp in groups:
        # the part-of id is not a group id either
        assert [e["external-id-type"] for e in grp["external-ids"]["external-id"]] == ["doi"]


def test_funded_by_ids_do_not_group_works(env):
    env.create_json(work_with_ids("Output A", ("doi", "10.1/out.a", "self"), ("grant_number", "G-1", "funded-by")))
    env.create_json(work_with_ids("Output B", ("doi", "10.1/out.b", "self"), ("grant_number", "G-1", "funded-by")),
                    tok=env.token2)
    assert len(env.groups()) == 2


def test_version_of_ids_group_works(env):
    a = env.create_json(work_with_ids("Preprint", ("doi", "10.1/pre", "self")))
    b = env.create_json(work_with_ids("Article", ("doi", "10.1/art", "self"), ("doi", "10.1/PRE", "version-of")),
                        tok=env.token2)
    groups = env.groups()
    assert len(groups) == 1
    assert sorted(s["put-code"] for s in groups[0]["work-summary"]) == sorted([a, b])
    keys = sorted((e["external-id-type"], e["external-id-normalized"]["value"])
                  for e in groups[0]["external-ids"]["external-id"])
    assert keys == [("doi", "10.1/art"), ("doi", "10.1/pre")]


def test_groups_merge_transitively_doi_then_pmid(env):
    # A ~ B by DOI, B ~ C by PMID; A and C share nothing. C is added before B, so B's
    # arrival has to merge two existing groups.
    a = env.create_json(work_with_ids("A", ("doi", "10.1/trans", "self")))
    c = env.create_json(work_with_ids("C", ("pmid", "PMID:123456", "self")))
    assert len(env.groups()) == 2
    b = env.create_json(work_with_ids("B", ("doi", "10.1/TRANS", "self"), ("pmid", "123456", "self")),
                        tok=env.token2)
    groups = env.groups()
    assert len(groups) == 1
    assert sorted(s["put-code"] for s in groups[0]["work-summary"]) == sorted([a, b, c])
    keys = sorted((e["external-id-type"], e["external-id-normalized"]["value"])
                  for e in groups[0]["external-ids"]["external-id"])
    assert keys == [("doi", "10.1/trans"), ("pmid", "123456")]


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_same_client_posting_the_same_doi_again_gets_409_9021_naming_the_existing_put_code(env, fmt):
    first = env.create(fmt=fmt, title="Original", doi="10.1/DUP")
    r = env.post_work(fmt=fmt, title="Again", doi="https://doi.org/10.1/dup")
    body = error_of(fmt)(r, 409, 9021)
    assert str(first) in body["developer-message"]
    # another client may add the same DOI; it is then grouped
    env.create(fmt=fmt, tok=env.token2, title="Other client", doi="10.1/dup")
    assert len(env.groups()) == 1


def test_same_client_same_doi_as_part_of_is_not_a_duplicate(env):
    env.create_json(work_with_ids("Book", ("doi", "10.1/book", "self")))
    env.create_json(work_with_ids("Chapter", ("doi", "10.1/chap", "self"), ("doi", "10.1/book", "part-of")))
    assert len(env.groups()) == 2


def test_put_onto_another_of_my_works_doi_is_409_9021(env):
    a = env.create(title="A", doi="10.1/put.a")
    b = env.create(title="B", doi="10.1/put.b")
    r = env.send("PUT", "/work/%d" % b, work_json(title="B", doi="10.1/PUT.A", put_code=b))
    body = json_error(r, 409, 9021)
    assert str(a) in body["developer-message"]
    # re-sending the work's own DOI is not a duplicate of itself
    r = env.send("PUT", "/work/%d" % b, work_json(title="B2", doi="10.1/put.b", put_code=b))
    assert r.status_code == 200, r.text


def test_bulk_post_reports_duplicates_inline_against_earlier_works_in_the_same_bulk(env):
    body = bulk_xml([work_xml(title="One", doi="10.1/bulk.dup"), work_xml(title="Two", doi="10.1/BULK.DUP"),
                     work_xml(title="Three", doi="10.1/bulk.other")])
    r = env.send("POST", "/works", body, fmt="xml")
    assert r.status_code == 200, r.text
    root = ET.fromstring(r.content)
    assert root.tag == "{%s}bulk" % BULK_NS
    kinds = [child.tag.split("}", 1)[1] for child in root]
    assert kinds == ["work", "error", "work"]
    err = {c.tag.split("}", 1)[1]: c.text for c in root[1]}
    assert err["error-code"] == "9021" and err["response-code"] == "409"
    assert root[0].get("put-code") in err["developer-message"]


# ===================================================================== record states
@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_deprecated_record_get_redirects_301_to_the_primary_id_with_error_9007(mock_orcid, env, fmt):
    primary = mock_orcid.create_user()["orcid"]
    pc = env.create(doi="10.1/deprecated")
    env.admin("", {"state": "deprecated", "primary_orcid": primary})
    for path in ("/work/%d" % pc, "/works", ""):
        r = env.send("GET", path, fmt=fmt, allow_redirects=False)
        error_of(fmt)(r, 301, 9007)
        assert r.headers["Location"] == "%s/v3.0/%s%s" % (env.url, primary, path)
    # the public API redirects within the public API
    r = requests.get("%s/pub/v3.0/%s/works" % (env.url, env.orcid), headers={"Accept": JSON},
                     allow_redirects=False)
    json_error(r, 301, 9007)
    assert r.headers["Location"] == "%s/pub/v3.0/%s/works" % (env.url, primary)


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_deprecated_record_refuses_writes_with_409_9007(env, mock_orcid, fmt):
    primary = mock_orcid.create_user()["orcid"]
    pc = env.create(doi="10.1/deprecated.w")
    env.admin("", {"state": "deprecated", "primary_orcid": primary})
    error_of(fmt)(env.post_work(fmt=fmt, doi="10.1/new"), 409, 9007)
    error_of(fmt)(env.send("DELETE", "/work/%d" % pc, fmt=fmt), 409, 9007)


@pytest.mark.parametrize("state,code", [("locked", 9018), ("deactivated", 9044)])
@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_locked_and_deactivated_records_answer_409_to_reads_and_writes(env, state, code, fmt):
    pc = env.create(doi="10.1/state")
    env.admin("", {"state": state})
    error_of(fmt)(env.post_work(fmt=fmt, doi="10.1/state.new"), 409, code)
    error_of(fmt)(env.send("GET", "/work/%d" % pc, fmt=fmt), 409, code)
    error_of(fmt)(env.send("GET", "/works", fmt=fmt), 409, code)
    error_of(fmt)(env.send("DELETE", "/work/%d" % pc, fmt=fmt), 409, code)
    env.admin("", {"state": "active"})
    assert env.send("GET", "/work/%d" % pc).status_code == 200


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_unclaimed_record_is_closed_to_other_clients_with_409_9036_but_open_to_its_creator(mock_orcid, env, fmt):
    env.admin("", {"state": "unclaimed", "created_by_client": env.client["client_id"]})
    error_of(fmt)(env.post_work(tok=env.token2, fmt=fmt, doi="10.1/unclaimed.other"), 409, 9036)
    error_of(fmt)(env.send("GET", "/works", tok=env.token2, fmt=fmt), 409, 9036)
    pc = env.create(fmt=fmt, doi="10.1/unclaimed.mine")
    assert env.send("GET", "/work/%d" % pc, fmt=fmt).status_code == 200


def test_unclaimed_record_opens_to_everyone_after_ten_days(mock_orcid, env):
    env.admin("", {"state": "unclaimed", "created_by_client": env.client["client_id"]})
    json_error(env.post_work(tok=env.token2, doi="10.1/unclaimed.late"), 409, 9036)
    reg = mock_orcid.state.registry
    with reg.lock:
        rec = reg.records[env.orcid]
        rec.created = rec.created - timedelta(days=11)
    assert env.post_work(tok=env.token2, doi="10.1/unclaimed.late").status_code == 201


# ===================================================================== revoked access
def _revoke(env, client):
    r = requests.post(env.url + "/__admin/users/%s/revoke" % env.orcid, json={"client_id": client["client_id"]})
    assert r.status_code == 200, r.text
    return r.json()


def test_after_the_researcher_revokes_a_client_its_token_gets_401_but_can_still_delete_its_items(env):
    mine = env.create(title="Mine", doi="10.1/revoke.mine")
    other = env.create(tok=env.token2, title="Theirs", doi="10.1/revoke.theirs")
    assert _revoke(env, env.client)["tokens_revoked"] >= 1

    oauth_error(env.send("GET", "/works"), 401, "invalid_token")
    oauth_error(env.send("GET", "/work/%d" % mine), 401, "invalid_token")
    oauth_error(env.post_work(doi="10.1/revoke.new"), 401, "invalid_token")
    oauth_error(env.send("PUT", "/work/%d" % mine, work_json(title="X", doi="10.1/revoke.mine", put_code=mine)),
                401, "invalid_token")

    # deleting someone else's item is still refused by the source rule
    json_error(env.send("DELETE", "/work/%d" % other), 403, 9010)
    r = env.send("DELETE", "/work/%d" % mine)
    assert r.status_code == 204, r.text
    # the other client is unaffected
    assert [s["put-code"] for g in env.groups(tok=env.token2) for s in g["work-summary"]] == [other]


# ===================================================================== notifications
def _item(notification):
    items = notification["items"]["item"]
    assert len(items) == 1
    return items[0]


def test_each_member_post_put_delete_of_a_work_leaves_one_amended_notification(env):
    assert env.notifications() == []
    pc = env.create(title="Noted work", doi="10.1/note")
    r = env.send("PUT", "/work/%d" % pc, work_json(title="Noted work v2", doi="10.1/note", put_code=pc))
    assert r.status_code == 200
    assert env.send("DELETE", "/work/%d" % pc).status_code == 204

    notes = env.notifications()
    assert len(notes) == 3
    expected = [("CREATE", "Noted work"), ("UPDATE", "Noted work v2"), ("DELETE", "Noted work v2")]
    for note, (action, title) in zip(notes, expected):
        assert note["notification-type"] == "amended"
        assert note["amended-section"] == "WORK"
        item = _item(note)
        assert item["put-code"] == str(pc)
        assert item["item-type"] == "work"
        assert item["item-name"] == title
        assert item["action-type"] == action
        assert note["source"]["source-client-id"]["path"] == env.client["client_id"]
        assert note["source"]["source-name"]["value"] == "First Client"
    assert len({n["put-code"] for n in notes}) == 3


def test_a_bulk_post_of_three_works_leaves_exactly_one_notification_with_three_items(env):
    body = bulk_xml([work_xml(title="Bulk %d" % i, doi="10.1/bulk.%d" % i) for i in range(3)])
    r = env.send("POST", "/works", body, fmt="xml")
    assert r.status_code == 200, r.text
    codes = [child.get("put-code") for child in ET.fromstring(r.content)]
    notes = env.notifications()
    assert len(notes) == 1
    items = notes[0]["items"]["item"]
    assert [i["put-code"] for i in items] == codes
    assert [i["item-name"] for i in items] == ["Bulk 0", "Bulk 1", "Bulk 2"]
    assert {i["action-type"] for i in items} == {"CREATE"}
    assert notes[0]["amended-section"] == "WORK"


def test_refused_writes_leave_no_notification(env):
    pc = env.create(doi="10.1/refused")
    before = len(env.notifications())
    json_error(env.post_work(doi="10.1/refused"), 409, 9021)                       # duplicate
    json_error(env.send("DELETE", "/work/%d" % pc, tok=env.token2), 403, 9010)     # not the source
    json_error(env.send("PUT", "/work/%d" % pc, work_json(doi="10.1/refused", put_code=pc,
                                                          visibility="private")), 403, 9035)
    assert len(env.notifications()) == before


def test_person_section_writes_leave_no_notification(env):
    r = env.send("POST", "/researcher-urls", {"url-name": "Homepage", "url": {"value": "https://example.org/me"}})
    assert r.status_code == 201, r.text
    assert env.notifications() == []


def test_inbox_page_lists_the_amended_notifications(env):
    env.create(title="Inbox work one", doi="10.1/inbox.1")
    env.create(tok=env.token2, title="Inbox work two", doi="10.1/inbox.2")
    r = requests.get(env.url + "/__admin/users/%s/inbox" % env.orcid)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/html")
    page = r.text
    assert env.orcid in page
    assert "2 notification(s)" in page
    for text in ("Inbox work one", "Inbox work two", "First Client", "Second Client"):
        assert text in page
    assert "work" in page.lower()
    # newest first
    assert page.index("Inbox work two") < page.index("Inbox work one")


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_on_an_unclaimed_record_the_creating_client_keeps_the_visibility_it_sends(mock_orcid, fmt):
    env = Env(mock_orcid, default_visibility="public")
    env.admin("", {"state": "unclaimed", "created_by_client": env.client["client_id"]})
    limited = env.create(fmt=fmt, visibility="limited", doi="10.1/unclaimed.limited")
    unspecified = env.create(fmt=fmt, doi="10.1/unclaimed.none")
    assert env.work(limited)["visibility"] == "limited"
    assert env.work(unspecified)["visibility"] == "private"


# ===================================================================== filter vs group order
def test_activities_groups_before_hiding_so_a_hidden_bridge_still_joins_groups(mock_orcid, env):
    # A (public, DOI X) and C (public, PMID Y) share nothing; B (private, another client) has
    # both. A reader without read-limited: /works filters then groups -> two groups;
    # /activities groups then filters -> one group holding A and C.
    a = env.create_json(work_with_ids("A", ("doi", "10.1/bridge", "self")))
    c = env.create_json(work_with_ids("C", ("pmid", "555", "self")))
    b = env.create_json(work_with_ids("B", ("doi", "10.1/bridge", "self"), ("pmid", "555", "self")),
                        tok=env.token2)
    env.admin("/work/%d" % b, {"visibility": "private"})
    reader = mock_orcid.create_client(name="Reader")
    tok = mock_orcid.token(reader, None, "/read-public")["access_token"]
    works = env.groups(tok=tok)
    assert sorted(len(g["work-summary"]) for g in works) == [1, 1]
    r = env.send("GET", "/activities", tok=tok)
    groups = r.json()["works"]["group"]
    assert [sorted(s["put-code"] for s in g["work-summary"]) for g in groups] == [sorted([a, c])]


def test_only_verified_emails_are_served_and_read_private_sees_limited_ones(mock_orcid):
    mock_orcid.reset()
    user = mock_orcid.create_user(email="main@example.org")
    admin = "%s/__admin/users/%s/emails" % (mock_orcid.url, user["orcid"])
    assert requests.post(admin, json={"email": "unverified@example.org", "verified": False,
                                      "visibility": "public"}).status_code == 201
    requests.post(admin, json={"email": "limited@example.org", "visibility": "limited"})
    client = mock_orcid.create_client(name="Mailer")

    def emails(scopes):
        token = mock_orcid.token(client, user, scopes)["access_token"]
        r = requests.get("%s/v3.0/%s/email" % (mock_orcid.url, user["orcid"]),
                         headers={"Authorization": "Bearer " + token,
                                  "Accept": "application/vnd.orcid+json"})
        assert r.status_code == 200
        return sorted(e["email"] for e in r.json()["email"])
    assert emails("/authenticate") == ["main@example.org"]
    assert emails("/email/read-private") == ["limited@example.org", "main@example.org"]
    public = requests.get("%s/pub/v3.0/%s/email" % (mock_orcid.url, user["orcid"]),
                          headers={"Accept": "application/vnd.orcid+json"}).json()
    assert [e["email"] for e in public["email"]] == ["main@example.org"]
