"""No request may freeze the server, poison a record or earn a 500 (issue 9).

Each test sends what a buggy or hostile client might, over real HTTP, and checks the answer is
ORCID's (status, error code, body in the asked format), that a refused write changed nothing,
and that the record still reads in XML and JSON afterwards. The freeze tests watch
``/__admin/health`` meanwhile: one slow check must never stall every other request.
"""
from __future__ import annotations

import json
from xml.etree import ElementTree as ET

import pytest
import requests
from http_helpers import COMMON_NS, JSON, XML, auth, make_env, token
from robust_helpers import (
    HealthWatch,
    ext_id_xml,
    funding_xml,
    orcid_error,
    registry_snapshot,
    work_json,
    work_xml,
)

SCOPES = "/read-limited /activities/update /person/update"
XML_H = {"Content-Type": XML, "Accept": XML}
JSON_H = {"Content-Type": JSON, "Accept": JSON}
# Generous: a linear check of these bodies takes milliseconds; the quadratic ones took hours.
TIMEOUT = 60


@pytest.fixture
def env(mock_orcid):
    env = make_env(mock_orcid)
    env.token = token(mock_orcid, env.client, env.user, SCOPES)
    return env


def post(env, path, body, headers):
    data = body.encode("utf-8") if isinstance(body, str) else body
    return requests.post(env.member + path, data=data, headers=auth(env.token, **headers),
                         timeout=TIMEOUT)


def get(env, path, accept=JSON):
    return requests.get(env.member + path, headers=auth(env.token, Accept=accept), timeout=TIMEOUT)


def put_code_of(resp) -> int:
    assert resp.status_code == 201, resp.text[:500]
    return int(resp.headers["Location"].rsplit("/", 1)[1])


def reads_fine(env, section="work", put_code=None, plural="works"):
    """The record still reads, in both formats, item and list."""
    for accept in (XML, JSON):
        assert get(env, "/" + plural, accept).status_code == 200
        assert get(env, "/record", accept).status_code == 200
        if put_code is not None:
            assert get(env, "/%s/%s" % (section, put_code), accept).status_code == 200


# ================================================================ freezes
def test_a_huge_arxiv_id_neither_slows_reads_of_the_record_nor_stalls_the_server(mock_orcid, env):
    huge = "a" * 200_000        # 12,000 letters took 15 s per read while holding the lock
    with HealthWatch(env.url) as health:
        pc = put_code_of(post(env, "/work", json.dumps(work_json(id_type="arxiv", value=huge)),
                              JSON_H))
        reads_fine(env, put_code=pc)
    assert health.polls and health.slowest < 1.0, health.slowest


def test_a_long_failing_funding_amount_is_refused_at_once_and_stalls_nothing(mock_orcid, env):
    before = registry_snapshot(mock_orcid)
    with HealthWatch(env.url) as health:
        r = post(env, "/funding", funding_xml(amount="1" * 200_000 + "x"), XML_H)
    orcid_error(r, 400, 9054)
    assert registry_snapshot(mock_orcid) == before
    assert health.polls and health.slowest < 1.0, health.slowest


@pytest.mark.parametrize("where", ["root", "nested"])
def test_thousands_of_unknown_xml_attributes_are_refused_at_once(mock_orcid, env, where):
    attrs = "".join(' junk%d="x"' % i for i in range(100_000))
    body = work_xml(root_attrs=attrs) if where == "root" else work_xml(title_attrs=attrs)
    before = registry_snapshot(mock_orcid)
    with HealthWatch(env.url) as health:
        r = post(env, "/work", body, XML_H)
    assert "attributes" in orcid_error(r, 400, 9001)["developer-message"]
    assert registry_snapshot(mock_orcid) == before
    assert health.polls and health.slowest < 1.0, health.slowest


def test_xml_nested_thousands_deep_is_refused_with_9001(mock_orcid, env):
    body = work_xml(extra="<work:x>" * 10_000 + "</work:x>" * 10_000)
    orcid_error(post(env, "/work", body, XML_H), 400, 9001)


def test_a_bulk_of_valid_works_within_orcids_limits_is_still_accepted(mock_orcid, env):
    # the parse bounds leave room for what ORCID itself accepts: 100 works with 200 ids each
    ids = "".join(ext_id_xml("doi", "10.5555/bulk.%d" % i, "self" if i == 0 else "part-of")
                  for i in range(200))
    works = "".join(work_xml(title="W%d" % n, ids=ids.replace("bulk.0<", "bulk.0.%d<" % n))
                    .replace(" xmlns:", " xmlns:", 1) for n in range(100))
    body = '<bulk:bulk xmlns:bulk="http://www.orcid.org/ns/bulk">%s</bulk:bulk>' % works
    r = post(env, "/works", body, XML_H)
    assert r.status_code == 200, r.text[:500]
    assert r.text.count("<work:work") == 100 and "<error:error" not in r.text


# ================================================================ poisoned records
JSON_BAD_TEXT = ["\\ud800", "\\udfff", "a\\ud800b", "\\u0000", "\\u0001", "\\u001f", "\\ufffe",
                 "\\uffff", "\\u000b"]


@pytest.mark.parametrize("escape", JSON_BAD_TEXT)
def test_json_strings_xml_cannot_carry_are_refused_with_9047_and_nothing_is_stored(
        mock_orcid, env, escape):
    body = json.dumps(work_json(title="TITLE")).replace("TITLE", "bad " + escape.replace("\\\\", "\\"))
    before = registry_snapshot(mock_orcid)
    r = post(env, "/work", body, JSON_H)
    orcid_error(r, 400, 9047)
    assert registry_snapshot(mock_orcid) == before
    reads_fine(env)


def test_a_lone_surrogate_in_a_json_key_is_refused_with_9047(mock_orcid, env):
    body = json.dumps(work_json()).replace('"type"', '"ty\\ud800pe"', 1)
    orcid_error(post(env, "/work", body, JSON_H), 400, 9047)


@pytest.mark.parametrize("text", ["\x01", "\x00", "&#1;", "&#0;", "&#xB;", "\ufffe", "&#xFFFE;",
                                  "&#xFFFF;", "&#xD800;"])
def test_xml_text_xml_cannot_carry_is_refused_with_9001_and_nothing_is_stored(mock_orcid, env, text):
    before = registry_snapshot(mock_orcid)
    r = post(env, "/work", work_xml(title="bad " + text), XML_H)
    orcid_error(r, 400, 9001)
    assert registry_snapshot(mock_orcid) == before
    reads_fine(env)


def test_tabs_and_newlines_are_still_fine_in_json_and_xml(mock_orcid, env):
    pc = put_code_of(post(env, "/work", json.dumps(work_json(title="a\tb\nc\rd")), JSON_H))
    pc2 = put_code_of(post(env, "/work", work_xml(title="e&#9;f&#10;g",
                                                  ids=ext_id_xml(value="10.5555/other")), XML_H))
    reads_fine(env, put_code=pc)
    reads_fine(env, put_code=pc2)


@pytest.mark.parametrize("date_time", ["10000-01-01T00:00:00Z", "-0001-01-01T00:00:00Z",
                                       "2020-01-01T24:00:00Z", "0000-01-01T00:00:00Z"])
def test_dates_inside_an_external_id_are_dropped_as_orcid_does_and_the_work_reads(
        mock_orcid, env, date_time):
    """ORCID's ExternalID has no dates, source, put-code or visibility: its XSD lets them in,
    its model drops them. So they are neither stored nor echoed, and every read works."""
    extra = ("<common:created-date>%s</common:created-date>"
             "<common:last-modified-date>%s</common:last-modified-date>"
             "<common:source><common:source-name>Someone else</common:source-name></common:source>"
             % (date_time, date_time))
    ids = ext_id_xml(lead=extra, attrs=' put-code="5" visibility="private" display-index="9"')
    pc = put_code_of(post(env, "/work", work_xml(ids=ids), XML_H))
    reads_fine(env, put_code=pc)
    item = get(env, "/work/%s" % pc).json()
    ext = item["external-ids"]["external-id"][0]
    assert set(ext) == {"external-id-type", "external-id-value", "external-id-normalized",
                        "external-id-normalized-error", "external-id-url",
                        "external-id-relationship"}, ext
    xml = get(env, "/work/%s" % pc, XML).text
    assert "Someone else" not in xml and date_time not in xml and 'put-code="5"' not in xml


def test_client_sent_source_and_dates_inside_a_json_external_id_are_not_echoed(mock_orcid, env):
    body = work_json(**{"created-date": {"value": 1}, "last-modified-date": {"value": 2},
                        "source": {"source-name": {"value": "Someone else"}}, "put-code": 7})
    pc = put_code_of(post(env, "/work", json.dumps(body), JSON_H))
    item = get(env, "/work/%s" % pc).json()
    ext = item["external-ids"]["external-id"][0]
    assert "source" not in ext and "created-date" not in ext and "put-code" not in ext, ext
    assert "Someone else" not in get(env, "/works", XML).text
    assert item["source"]["source-client-id"]["path"] == env.client["client_id"]


def test_dates_inside_a_peer_review_subject_id_are_dropped_too(mock_orcid, env):
    from robust_helpers import peer_review_xml
    body = peer_review_xml().replace(
        "<peer-review:subject-external-identifier>",
        "<peer-review:subject-external-identifier>"
        "<common:created-date>10000-01-01T00:00:00Z</common:created-date>")
    pc = put_code_of(post(env, "/peer-review", body, XML_H))
    reads_fine(env, "peer-review", pc, "peer-reviews")
    assert "10000-01-01" not in get(env, "/peer-review/%s" % pc, XML).text


# ================================================================ malformed input: 400/404, never 500
@pytest.mark.parametrize("put_code", ["²", "٣", "9" * 5000, "9" * 20, "-1", "1.0", "0x10", " 1"])
@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_a_put_code_that_is_not_a_java_long_is_400_9034(mock_orcid, env, put_code, method):
    data = work_xml().encode() if method == "PUT" else None
    r = requests.request(method, env.member + "/work/" + requests.utils.quote(put_code),
                         data=data, headers=auth(env.token, **XML_H), timeout=TIMEOUT)
    orcid_error(r, 400, 9034)


@pytest.mark.parametrize("put_code", ["²", "9" * 5000])
def test_a_bad_put_code_on_the_public_api_is_a_plain_404(mock_orcid, env, put_code):
    r = requests.get(env.public + "/work/" + put_code, headers={"Accept": XML}, timeout=TIMEOUT)
    orcid_error(r, 404)


def test_a_bad_put_code_in_a_bulk_read_is_an_error_element_in_its_place(mock_orcid, env):
    pc = put_code_of(post(env, "/work", json.dumps(work_json()), JSON_H))
    r = get(env, "/works/%s,²,%s" % (pc, "9" * 5000))
    assert r.status_code == 200, r.text[:300]
    bulk = r.json()["bulk"]
    assert [list(entry) for entry in bulk] == [["work"], ["error"], ["error"]]
    assert bulk[1]["error"]["error-code"] == 9034 and bulk[2]["error"]["error-code"] == 9034


def test_json_nested_a_thousand_deep_is_400_9047(mock_orcid, env):
    for body in ("[" * 1000 + "]" * 1000, '{"title":' * 1000 + "1" + "}" * 1000, "[" * 100_000):
        orcid_error(post(env, "/work", body, JSON_H), 400, 9047)


@pytest.mark.parametrize("where", ["put-code", "year", "title"])
def test_a_json_integer_of_400_digits_is_an_orcid_error_not_a_500(mock_orcid, env, where):
    body = work_json()
    big = 10 ** 400
    if where == "put-code":
        body["put-code"] = big
        expected = 9024           # ORCID: a new item must not carry a put-code
    elif where == "year":
        body["publication-date"] = {"year": {"value": big}}
        expected = 9047
    else:
        body["title"]["title"]["value"] = big
        expected = None           # a number where text goes is read as its digits
    before = registry_snapshot(mock_orcid)
    r = post(env, "/work", json.dumps(body), JSON_H)
    if expected is None:
        assert r.status_code in (201, 400), r.text[:300]
        if r.status_code == 201:
            reads_fine(env, put_code=put_code_of(r))
        return
    orcid_error(r, 400, expected)
    assert registry_snapshot(mock_orcid) == before


def test_a_json_integer_of_5000_digits_is_400_9047(mock_orcid, env):
    body = json.dumps(work_json()).replace('"journal-article"', "1" * 5000)
    orcid_error(post(env, "/work", body, JSON_H), 400, 9047)


@pytest.mark.parametrize("declaration", ['<?xml version="1.0" encoding="foo"?>',
                                         '<?xml version="1.0" encoding="utf-7"?>',
                                         '<?xml version="1.0" encoding="utf-32"?>',
                                         '<?xml version="1.0" encoding="EBCDIC-CP-US"?>'])
def test_an_xml_encoding_the_parser_does_not_know_is_400_9001(mock_orcid, env, declaration):
    before = registry_snapshot(mock_orcid)
    orcid_error(post(env, "/work", declaration + work_xml(), XML_H), 400, 9001)
    assert registry_snapshot(mock_orcid) == before


@pytest.mark.parametrize("type_name", ["common:external-id", "xs:string", "nowhere:thing"])
@pytest.mark.parametrize("on", ["child", "root"])
def test_xsi_type_in_a_body_is_400_9001(mock_orcid, env, type_name, on):
    xsi = (' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
           'xmlns:xs="http://www.w3.org/2001/XMLSchema" xsi:type="%s"' % type_name)
    body = work_xml(title_attrs=xsi) if on == "child" else work_xml(root_attrs=xsi)
    orcid_error(post(env, "/work", body, XML_H), 400, 9001)


@pytest.mark.parametrize("path", ["/work/%01", "/work/%00abc", "/works/1,%01", "/work/%EF%BF%BE",
                                  "/work/%ED%A0%80"])
@pytest.mark.parametrize("accept", [XML, JSON])
def test_an_error_that_quotes_the_request_is_still_a_well_formed_orcid_error(
        mock_orcid, env, path, accept):
    r = requests.get(env.member + path, headers=auth(env.token, Accept=accept), timeout=TIMEOUT)
    if r.status_code == 200:          # a bulk read answers its errors inside the bulk
        assert "error" in r.text
        return
    orcid_error(r)


@pytest.mark.parametrize("accept", [XML, JSON])
def test_an_error_quoting_a_query_value_with_control_characters_is_well_formed(
        mock_orcid, env, accept):
    group_token = mock_orcid.token(env.client, None, "/group-id-record/read")["access_token"]
    r = requests.get(env.url + "/v3.0/group-id-record?group-id=issn:%01%00%EF%BF%BE",
                     headers=auth(group_token, Accept=accept), timeout=TIMEOUT)
    orcid_error(r, 400, 9053)


@pytest.mark.parametrize("query", ["page=", "page=²", "page-size=²", "page=" + "9" * 5000,
                                   "page-size=" + "9" * 30, "page=0", "page=-1"])
def test_bad_group_id_paging_is_400_9006(mock_orcid, env, query):
    group_token = mock_orcid.token(env.client, None, "/group-id-record/read")["access_token"]
    r = requests.get(env.url + "/v3.0/group-id-record?" + query,
                     headers=auth(group_token, Accept=XML), timeout=TIMEOUT)
    orcid_error(r, 400, 9006)


# ================================================================ races and wrong answers
GROUP_SCOPES = "/group-id-record/read /group-id-record/update"


def group_token(mock_orcid, client) -> str:
    return mock_orcid.token(client, None, GROUP_SCOPES)["access_token"]


def post_group(url, tok, body, accept=XML):
    return requests.post(url + "/v3.0/group-id-record", data=body.encode(),
                         headers=auth(tok, **{"Content-Type": XML, "Accept": accept}),
                         timeout=TIMEOUT)


def test_peer_reviews_posted_while_group_ids_are_created_never_fail(mock_orcid, env):
    """Peer-review checks read the group ids while other clients add to them: each answer
    must be 201 (a check once walked the records while a create resized them: 500)."""
    import threading

    from robust_helpers import group_xml, peer_review_xml
    import sys
    gtok = group_token(mock_orcid, env.client)
    first = put_code_of(post_group(env.url, gtok, group_xml("publons:seed-0", "Seed 0")))
    groups = mock_orcid.state.registry.group_ids
    source = groups.find(first).source
    for n in range(1, 3000):      # many group ids, so a walk of them takes long enough to race
        groups.create(ET.fromstring(group_xml("publons:seed-%d" % n, "Seed %d" % n)), source)
    statuses, lock = [], threading.Lock()

    def create_groups(worker):
        with requests.Session() as s:
            for n in range(60):
                r = s.post(env.url + "/v3.0/group-id-record",
                           data=group_xml("publons:w%d-%d" % (worker, n), "W%d-%d" % (worker, n)),
                           headers=auth(gtok, **XML_H), timeout=TIMEOUT)
                with lock:
                    statuses.append(r.status_code)

    def post_reviews(worker):
        with requests.Session() as s:
            for n in range(60):
                body = peer_review_xml("publons:seed-2999", "R-%d-%d" % (worker, n))
                r = s.post(env.member + "/peer-review", data=body.encode(),
                           headers=auth(env.token, **XML_H), timeout=TIMEOUT)
                with lock:
                    statuses.append(r.status_code)

    threads = [threading.Thread(target=f, args=(i,)) for i in range(2)
               for f in (create_groups, post_reviews)]
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)      # the server runs in this process: switch threads often
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(switch)
    assert statuses.count(201) == len(statuses) == 240, sorted(set(statuses))
    assert len(get(env, "/peer-reviews").json()["group"]) == 1


def test_a_private_name_does_not_leak_as_the_source_name_of_emails(mock_orcid, env):
    orcid = env.orcid
    requests.post(env.url + "/__admin/users/%s/emails" % orcid, timeout=TIMEOUT,
                  json={"email": "public@example.org", "visibility": "public"}).raise_for_status()
    name = "%s %s" % (env.user["given_names"], env.user["family_name"])
    public = requests.get(env.public + "/email", headers={"Accept": XML}, timeout=TIMEOUT)
    assert "public@example.org" in public.text and name in public.text   # a public name shows
    for visibility in ("limited", "private"):
        requests.patch(env.url + "/__admin/users/" + orcid, json={"name_visibility": visibility},
                       timeout=TIMEOUT).raise_for_status()
        for url, headers in ((env.public, {"Accept": XML}), (env.public, {"Accept": JSON})):
            for path in ("/email", "/person", "/record"):
                r = requests.get(url + path, headers=headers, timeout=TIMEOUT)
                assert r.status_code == 200, r.text[:300]
                assert "public@example.org" in r.text
                assert env.user["family_name"] not in r.text, (visibility, path)
        # a member with /read-limited sees a limited name as the name, never as an email's source
        r = requests.get(env.member + "/email", headers=auth(env.token, Accept=XML),
                         timeout=TIMEOUT)
        emails = ET.fromstring(r.content).findall("{http://www.orcid.org/ns/email}email")
        assert emails and all(e.find(".//{%s}source-name" % COMMON_NS) is None for e in emails)


def test_only_the_client_that_created_a_group_id_record_may_change_or_delete_it(mock_orcid, env):
    from robust_helpers import group_xml
    owner = group_token(mock_orcid, env.client)
    other_client = mock_orcid.create_client(name="Another member")
    other = group_token(mock_orcid, other_client)
    r = post_group(env.url, owner, group_xml("publons:owned", "Owned"))
    pc = put_code_of(r)
    url = env.url + "/v3.0/group-id-record/%s" % pc
    before = registry_snapshot(mock_orcid)
    for accept in (XML, JSON):
        r = requests.put(url, data=group_xml("publons:owned", "Hijacked", put_code=pc).encode(),
                         headers=auth(other, **{"Content-Type": XML, "Accept": accept}),
                         timeout=TIMEOUT)
        orcid_error(r, 403, 9010)
        r = requests.delete(url, headers=auth(other, Accept=accept), timeout=TIMEOUT)
        orcid_error(r, 403, 9010)
    assert registry_snapshot(mock_orcid) == before
    assert "Owned" in requests.get(url, headers=auth(other, Accept=XML), timeout=TIMEOUT).text
    # the owner still can
    r = requests.put(url, data=group_xml("publons:owned", "Renamed", put_code=pc).encode(),
                     headers=auth(owner, **XML_H), timeout=TIMEOUT)
    assert r.status_code == 200 and "Renamed" in r.text
    assert requests.delete(url, headers=auth(owner), timeout=TIMEOUT).status_code == 204


@pytest.mark.parametrize("issn", ["issn:anything", "issn:1234-5678", "issn:0953-151", "issn:",
                                  "issn:0953-1513x", "issn:<b>0953-1513</b>", "issn:0953-1513\x01"])
def test_an_issn_group_id_that_is_not_a_valid_issn_is_400_9053_and_creates_nothing(
        mock_orcid, env, issn):
    gtok = group_token(mock_orcid, env.client)
    before = registry_snapshot(mock_orcid)
    for accept in (XML, JSON):
        r = requests.get(env.url + "/v3.0/group-id-record", params={"group-id": issn},
                         headers=auth(gtok, Accept=accept), timeout=TIMEOUT)
        orcid_error(r, 400, 9053)
    assert registry_snapshot(mock_orcid) == before
    listing = requests.get(env.url + "/v3.0/group-id-record", headers=auth(gtok, Accept=XML),
                           timeout=TIMEOUT)
    assert listing.status_code == 200
    ET.fromstring(listing.content)      # the list stays well-formed


@pytest.mark.parametrize("issn", ["issn:0953-1513", "issn:0953 - 1513", "issn:09531513",
                                  "ISSN:0953\u20131513", "issn:1050-124X", "issn:1050-124x"])
def test_a_valid_issn_group_id_is_created_once_in_its_canonical_form(mock_orcid, env, issn):
    gtok = group_token(mock_orcid, env.client)
    first = requests.get(env.url + "/v3.0/group-id-record", params={"group-id": issn},
                         headers=auth(gtok, Accept=JSON), timeout=TIMEOUT)
    assert first.status_code == 200, first.text[:300]
    again = requests.get(env.url + "/v3.0/group-id-record", params={"group-id": issn},
                         headers=auth(gtok, Accept=JSON), timeout=TIMEOUT)
    assert again.json()["put-code"] == first.json()["put-code"]
    assert first.json()["group-id"].lower() in ("issn:0953-1513", "issn:1050-124x")


def test_a_peer_review_naming_an_invalid_issn_group_is_400_9053(mock_orcid, env):
    from robust_helpers import peer_review_xml
    before = registry_snapshot(mock_orcid)
    r = post(env, "/peer-review", peer_review_xml(group_id="issn:1234-5678"), XML_H)
    orcid_error(r, 400, 9053)
    assert registry_snapshot(mock_orcid) == before


@pytest.mark.parametrize("path", ["/works", "/work/{pc}", "/record", "/person", "/email",
                                  "/activities", "/works/{pc}", "/work/99999", "/work/abc"])
@pytest.mark.parametrize("api", ["member", "public"])
def test_head_answers_like_get_without_a_body(mock_orcid, env, path, api):
    pc = put_code_of(post(env, "/work", json.dumps(work_json()), JSON_H))
    base = env.member if api == "member" else env.public
    headers = auth(env.token, Accept=XML) if api == "member" else {"Accept": XML}
    url = base + path.format(pc=pc)
    got = requests.get(url, headers=headers, timeout=TIMEOUT)
    head = requests.head(url, headers=headers, timeout=TIMEOUT)
    assert head.status_code == got.status_code != 405
    assert head.content == b""
    assert head.headers["Content-Type"] == got.headers["Content-Type"]
    assert head.headers["Content-Length"] == got.headers["Content-Length"]


def test_head_on_group_id_records_answers_like_get(mock_orcid, env):
    from robust_helpers import group_xml
    gtok = group_token(mock_orcid, env.client)
    pc = put_code_of(post_group(env.url, gtok, group_xml("publons:head", "Head")))
    for path in ("/v3.0/group-id-record", "/v3.0/group-id-record/%s" % pc,
                 "/v3.0/group-id-record?group-id=publons:head"):
        got = requests.get(env.url + path, headers=auth(gtok, Accept=JSON), timeout=TIMEOUT)
        head = requests.head(env.url + path, headers=auth(gtok, Accept=JSON), timeout=TIMEOUT)
        assert (head.status_code, head.content) == (got.status_code, b"")
        assert head.headers["Content-Length"] == got.headers["Content-Length"]


def test_head_on_a_deprecated_record_redirects_like_get(mock_orcid, env):
    primary = mock_orcid.create_user()
    requests.patch(env.url + "/__admin/users/" + env.orcid, timeout=TIMEOUT,
                   json={"state": "deprecated", "primary_orcid": primary["orcid"]}
                   ).raise_for_status()
    got = requests.get(env.public + "/works", headers={"Accept": XML}, allow_redirects=False,
                       timeout=TIMEOUT)
    head = requests.head(env.public + "/works", headers={"Accept": XML}, allow_redirects=False,
                         timeout=TIMEOUT)
    assert got.status_code == head.status_code == 301
    assert head.headers["Location"] == got.headers["Location"]


def test_a_bulk_post_answers_one_element_per_element_sent_in_order(mock_orcid, env):
    from http_helpers import BULK_NS
    sent_error = ('<error:error xmlns:error="http://www.orcid.org/ns/error"><error:response-code>'
                  '409</error:response-code><error:developer-message>sent back</error:developer-'
                  'message><error:user-message>x</error:user-message><error:error-code>9021'
                  '</error:error-code><error:more-info>https://members.orcid.org/api/resources/'
                  'troubleshooting</error:more-info></error:error>')
    works = [work_xml("First", ext_id_xml(value="10.5555/bulk.a")), sent_error,
             work_xml("Duplicate", ext_id_xml(value="10.5555/bulk.a")),
             work_xml("Second", ext_id_xml(value="10.5555/bulk.b"))]
    body = '<bulk:bulk xmlns:bulk="%s">%s</bulk:bulk>' % (BULK_NS, "".join(works))
    r = post(env, "/works", body, XML_H)
    assert r.status_code == 200, r.text[:500]
    answer = [child.tag.split("}")[1] for child in ET.fromstring(r.content)]
    assert answer == ["work", "error", "error", "work"]
    r = post(env, "/works", body.replace("bulk.a", "bulk.c").replace("bulk.b", "bulk.d"),
             {"Content-Type": XML, "Accept": JSON})
    assert [list(entry) for entry in r.json()["bulk"]] == [["work"], ["error"], ["error"],
                                                           ["work"]]


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_a_put_with_characters_xml_cannot_carry_is_refused_and_the_work_is_unchanged(
        mock_orcid, env, fmt):
    pc = put_code_of(post(env, "/work", json.dumps(work_json()), JSON_H))
    before = registry_snapshot(mock_orcid)
    if fmt == "json":
        body = work_json(title="bad \x01 \ud800")
        body["put-code"] = pc
        r = requests.put(env.member + "/work/%s" % pc, data=json.dumps(body),
                         headers=auth(env.token, **JSON_H), timeout=TIMEOUT)
        orcid_error(r, 400, 9047)
    else:
        body = work_xml(title="bad &#1;", root_attrs=' put-code="%s"' % pc)
        r = requests.put(env.member + "/work/%s" % pc, data=body.encode(),
                         headers=auth(env.token, **XML_H), timeout=TIMEOUT)
        orcid_error(r, 400, 9001)
    assert registry_snapshot(mock_orcid) == before
    reads_fine(env, put_code=pc)


def test_a_huge_unacceptable_accept_header_gets_a_short_406(mock_orcid, env):
    accept = ",".join("text/x-%d" % i for i in range(20_000))      # ~200 KB
    r = requests.get(env.member + "/works", headers=auth(env.token, Accept=accept),
                     timeout=TIMEOUT)
    orcid_error(r, 406)
    assert len(r.content) < 2_000
