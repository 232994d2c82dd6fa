"""ORCID's search API over HTTP: /search, /expanded-search, /csv-search on the member API
(a /read-public token) and the public API (anonymous), in XML (validated against ORCID's
official XSDs) and JSON. Every field family, the query syntax, date ranges that move with
writes, visibility, paging limits and error codes."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from xml.etree import ElementTree as ET

import pytest
import requests

from conformance_support import OFFICIAL_MODEL
from http_helpers import json_error, xml_error
from search_support import (EXPANDED_NS, JSON_TYPE, XML_TYPE, admin, assert_official,
                            build_world, read_page, work_xml, person_xml)

MODES = [("member", "xml"), ("member", "json"), ("public", "xml"), ("public", "json")]


@pytest.fixture(scope="module")
def world(mock_orcid):
    if not OFFICIAL_MODEL.is_dir():
        pytest.skip("ORCID's official schemas are not beside the project (../shared/orcid-model)")
    return build_world(mock_orcid)


# ------------------------------------------------------------------ field families
FIELD_FAMILIES = [
    # names
    ("given-names", "given-names:marguerite"),
    ("family-name", "family-name:Öztürk"),
    ("credit-name", 'credit-name:"m. öztürk"'),
    ("given-and-family-names folds accents", 'given-and-family-names:"marguerite ozturk"'),
    ("other-names", "other-names:daisy"),
    # e-mail, keywords, person identifiers, biography
    ("email", "email:marguerite@ozturk.example.org"),
    ("email wildcard", "email:*@ozturk.example.org"),
    ("keyword", "keyword:tessellation"),
    ("external-id-reference", "external-id-reference:A-0003"),
    ("external-id-type-and-value", 'external-id-type-and-value:"My ID System=A-0003"'),
    ("biography", "biography:tessellated"),
    # affiliations
    ("affiliation-org-name", "affiliation-org-name:mosaic"),
    ("current-institution-affiliation-name", "current-institution-affiliation-name:mosaic"),
    ("past-institution-affiliation-name", 'past-institution-affiliation-name:"old pottery"'),
    ("ringgold-org-id", "ringgold-org-id:385488"),
    ("ror-org-id", 'ror-org-id:"https://ror.org/05dxps055"'),
    ("ror-org-id escaped", "ror-org-id:https\\:\\/\\/ror.org\\/05dxps055"),
    ("grid-org-id", "grid-org-id:grid.455335.1"),
    # fundings
    ("funding-titles", "funding-titles:grant"),
    ("grant-numbers", "grant-numbers:1234"),
    ("fundref-org-id", 'fundref-org-id:"http://dx.doi.org/10.13039/100000001"'),
    ("funding-org-name", "funding-org-name:wellcome"),
    # works
    ("work-titles", "work-titles:tessellated"),
    ("work-titles subtitle", "work-titles:survey"),
    ("digital-object-ids", "digital-object-ids:10.5555"),
    ("doi-self", 'doi-self:"10.5555/Tess.2020"'),
    ("pmid-self", "pmid-self:31415926"),
    ("pmid (the old way)", "pmid:31415926"),
    ("isbn-part-of", "isbn-part-of:9780306406157"),
    # peer reviews
    ("peer-review-type", "peer-review-type:review"),
    ("peer-review-role", "peer-review-role:reviewer"),
    ("peer-review-group-id", 'peer-review-group-id:"issn:1741-4857"'),
    ("peer review identifier", "source-work-id-self:1234"),
    ("peer-review-org-name", "peer-review-org-name:orcid"),
    # research resources
    ("research-resource-proposal-title", "research-resource-proposal-title:laser"),
    ("research-resource-item-name", 'research-resource-item-name:"moon targets"'),
    ("research resource item id", 'rrid-self:"rrid:giantLASER"'),
    ("research-resource-item-org-name", "research-resource-item-org-name:lasers"),
    # the record
    ("text (a bare term)", "tessellation"),
    ("text, explicitly", "text:wellcome"),
    ("profile-submission-date", "profile-submission-date:[NOW-1HOUR TO NOW]"),
    ("profile-last-modified-date", "profile-last-modified-date:[NOW-1DAY TO *]"),
]


@pytest.mark.parametrize("api, fmt", MODES)
@pytest.mark.parametrize("label, q", FIELD_FAMILIES, ids=[f[0] for f in FIELD_FAMILIES])
def test_every_field_family_finds_the_public_record(world, api, fmt, label, q):
    assert world.a in world.found(q, api=api, fmt=fmt)


@pytest.mark.parametrize("api, fmt", MODES)
def test_the_orcid_field_finds_exactly_one_record(world, api, fmt):
    page = read_page(world.search("orcid:%s" % world.a, api=api, fmt=fmt))
    assert page.num_found == 1 and page.orcids == [world.a]


# ------------------------------------------------------------------ visibility
PRIVATE_QUERIES = [
    "work-titles:zanzibar", "zanzibar", 'doi-self:"10.5555/zanzibar"', "digital-object-ids:zanzibar",
    "keyword:limitedkw", "limitedkw", "email:hidden@vanta.example.org",
    "email:hieronymus@vanta.example.org", "email:*vanta*", "family-name:vantablack",
    "vantablack", "given-and-family-names:hieronymus", "given-names:hieronymus",
]


@pytest.mark.parametrize("api, fmt", MODES)
@pytest.mark.parametrize("q", PRIVATE_QUERIES)
def test_never_a_match_on_data_that_is_not_public(world, api, fmt, q):
    page = read_page(world.search(q, api=api, fmt=fmt))
    assert page.num_found == 0 and page.orcids == []


def test_not_even_the_client_that_wrote_the_private_items_finds_them(world):
    resp = requests.get(world.url + "/v3.0/search/", params={"q": "zanzibar"},
                        headers={"Authorization": "Bearer " + world.user_tokens[world.b],
                                 "Accept": JSON_TYPE})
    assert read_page(resp).num_found == 0


def test_a_record_with_private_name_is_found_by_its_public_work_and_shows_no_name(world):
    assert world.found("lantern") == {world.b}
    body = world.search("orcid:%s" % world.b, endpoint="expanded-search").json()
    assert body["expanded-result"] == [{
        "orcid-id": world.b, "given-names": None, "family-names": None, "credit-name": None,
        "other-name": [], "email": [], "institution-name": []}]


# ------------------------------------------------------------------ syntax over HTTP
SYNTAX = [
    ("phrase", 'work-titles:"ceramics revisited"', True),
    ("phrase out of order", 'work-titles:"revisited ceramics"', False),
    ("AND", "keyword:tessellation AND family-name:öztürk", True),
    ("AND, one side missing", "keyword:tessellation AND family-name:nobody", False),
    ("OR", "keyword:nothing OR family-name:öztürk", True),
    ("NOT", "keyword:tessellation NOT family-name:öztürk", False),
    ("+ and -", "+keyword:tessellation -email:*@ozturk.example.org", False),
    ("grouping", "(keyword:nothing OR keyword:tessellation) AND given-names:marguerite", True),
    ("field group", "work-titles:(tessellated AND survey)", True),
    ("wildcard *", "given-names:margu*", True),
    ("wildcard ?", "given-names:marguerit?", True),
    ("leading wildcard", "given-names:*guerite", True),
    ("regular expression", "given-names:/marg.*e/", True),
    ("fuzzy", "given-names:margerite~", True),
    ("proximity", 'work-titles:"tessellated revisited"~1', True),
    ("term range", "family-name:[ö TO öz\uffff]", True),
    ("exists", "ror-org-id:*", True),
    ("match all", "*:*", True),
    ("boost", "keyword:tessellation^4 nothing", True),
    ("date range with date math", "profile-last-modified-date:[NOW/DAY TO NOW+1DAY/DAY]", True),
    ("absolute date range", "profile-last-modified-date:[2000-01-01T00:00:00Z TO NOW]", True),
    ("empty date range", "profile-last-modified-date:[* TO 2000-01-01T00:00:00Z]", False),
    ("an undefined *-self field is defined (dynamic) and empty", "nothing-self:x", False),
]


@pytest.mark.parametrize("api, fmt", MODES)
@pytest.mark.parametrize("label, q, hit", SYNTAX, ids=[s[0] for s in SYNTAX])
def test_lucene_syntax_over_http(world, api, fmt, label, q, hit):
    assert (world.a in world.found(q, api=api, fmt=fmt)) is hit


def test_a_plus_in_the_url_is_a_space(world):
    resp = requests.get(world.url + "/pub/v3.0/search/?q=family-name:%C3%96zt%C3%BCrk+AND+keyword:tessellation",
                        headers={"Accept": JSON_TYPE})
    assert read_page(resp).orcids == [world.a]


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_edismax_with_qf_as_rorcid_and_orcids_own_ui_send_it(world, fmt):
    assert world.a in world.found("marguerite", fmt=fmt, defType="edismax", qf="family-name^2.0 given-names")
    assert world.found("ceramics", fmt=fmt, defType="edismax", qf="family-name^2.0") == set()
    ui = ('{!edismax qf="given-and-family-names^50.0 family-name^10.0 given-names^10.0 '
          'credit-name^10.0 other-names^5.0 text^1.0" pf="given-and-family-names^50.0" '
          'bq="current-institution-affiliation-name:[* TO *]^100.0" mm=1}marguerite ozturk')
    page = read_page(world.search(ui, fmt=fmt, endpoint="expanded-search"))
    assert page.orcids[0] == world.a


def test_relevance_order_and_sort(world, mock_orcid):
    extra = mock_orcid.create_user(given_names="Tessa", family_name="Lation",
                                   biography="tessellation tessellation tessellation")
    ranked = read_page(world.search("tessellation")).orcids
    assert set(ranked) == {world.a, extra["orcid"]}
    newest = read_page(world.search("tessellation", sort="profile-last-modified-date desc")).orcids
    assert newest[0] == extra["orcid"]
    oldest = read_page(world.search("tessellation", sort="profile-last-modified-date asc")).orcids
    assert oldest == newest[::-1]
    admin(world.url, "PATCH", "/users/%s" % extra["orcid"], {"state": "deactivated"})


# ------------------------------------------------------------------ moving date ranges
def _iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z"


def _last_modified(world, orcid) -> datetime:
    user = admin(world.url, "GET", "/users/%s" % orcid)
    return datetime.fromisoformat(user["last_modified"])


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_what_changed_since_my_last_sync_moves_with_every_write(world, mock_orcid, fmt):
    word = "sync%s" % fmt          # words of this run only
    user = mock_orcid.create_user(given_names="Sync", family_name="Target")
    orcid = user["orcid"]
    token = mock_orcid.token(world.client, user, "/activities/update /person/update")["access_token"]
    last_sync = _last_modified(world, orcid)
    since = "profile-last-modified-date:{%s TO *]" % _iso(last_sync)
    assert orcid not in world.found(since, fmt=fmt)
    time.sleep(0.002)

    def write(path, body, method="POST"):
        resp = requests.request(method, "%s/v3.0/%s/%s" % (world.url, orcid, path),
                                data=body.encode(), headers={"Authorization": "Bearer " + token,
                                                             "Content-Type": XML_TYPE})
        assert resp.status_code in (200, 201, 204), resp.text[:300]
        return resp

    loc = write("work", work_xml("Synchronised swimming " + word, (("doi", "10.5555/sync", "self"),)))
    put_code = loc.headers["Location"].rsplit("/", 1)[1]
    # right after the write the record is in both the sliding and the absolute window
    assert orcid in world.found(since, fmt=fmt)
    assert orcid in world.found("profile-last-modified-date:[NOW-1MINUTE TO *]", fmt=fmt)
    assert world.found("work-titles:swimming AND work-titles:" + word, fmt=fmt) == {orcid}
    # a client pinning NOW two minutes later no longer sees it in the last minute
    later = int((_last_modified(world, orcid) + timedelta(minutes=2)).timestamp() * 1000)
    assert orcid not in world.found("profile-last-modified-date:[NOW-1MINUTE TO *]", fmt=fmt, NOW=later)
    # each kind of write moves the record into the next window
    steps = [
        lambda: write("work/%s" % put_code, work_xml("Synchronised diving", (
            ("doi", "10.5555/sync", "self"),)).replace("<work:work ", '<work:work put-code="%s" '
                                                       % put_code), "PUT"),
        lambda: write("keywords", person_xml("keyword", word + "kw")),
        lambda: admin(world.url, "PATCH", "/users/%s/work/%s" % (orcid, put_code), {"visibility": "private"}),
        lambda: admin(world.url, "PATCH", "/users/%s" % orcid, {"given_names": "Renamed" + word}),
        lambda: admin(world.url, "POST", "/users/%s/emails" % orcid, {"email": word + "@example.org",
                                                                      "visibility": "public"}, expect=201),
        lambda: write("work/%s" % put_code, "", "DELETE"),
    ]
    for step in steps:
        mark = _last_modified(world, orcid)
        window = "profile-last-modified-date:{%s TO *]" % _iso(mark)
        assert orcid not in world.found(window, fmt=fmt)
        time.sleep(0.002)
        step()
        assert orcid in world.found(window, fmt=fmt)
    assert world.found("work-titles:diving", fmt=fmt) == set()      # private, then deleted
    assert world.found("keyword:%skw" % word, fmt=fmt) == {orcid}
    assert world.found("given-names:renamed" + word, fmt=fmt) == {orcid}
    assert world.found("email:%s@example.org" % word, fmt=fmt) == {orcid}


def test_record_states_take_a_record_out_of_search_and_back(world, mock_orcid):
    user = mock_orcid.create_user(given_names="Stateful", family_name="Quokka")
    orcid = user["orcid"]
    assert world.found("family-name:quokka") == {orcid}
    for state in ("locked", "deactivated"):
        admin(world.url, "PATCH", "/users/%s" % orcid, {"state": state})
        assert world.found("family-name:quokka") == set(), state
        admin(world.url, "PATCH", "/users/%s" % orcid, {"state": "active"})
        assert world.found("family-name:quokka") == {orcid}, state
    admin(world.url, "PATCH", "/users/%s" % orcid, {"state": "deprecated", "primary_orcid": world.a})
    assert world.found("family-name:quokka") == set()


# ------------------------------------------------------------------ response shapes
@pytest.mark.parametrize("api", ["member", "public"])
def test_search_json_and_xml_shapes(world, api):
    body = world.search("orcid:%s" % world.a, api=api).json()
    assert body == {"result": [{"orcid-identifier": {
        "uri": "https://sandbox.orcid.org/%s" % world.a, "path": world.a, "host": "sandbox.orcid.org"}}],
        "num-found": 1}
    root = read_page(world.search("orcid:%s" % world.a, api=api, fmt="xml")).body
    assert root.get("num-found") == "1"
    assert world.search("nothing-at-all-here", api=api).json() == {"result": None, "num-found": 0}
    empty = world.search("nothing-at-all-here", api=api, fmt="xml")
    assert_official(empty)
    assert "<search:search" in empty.text and 'num-found="0"' in empty.text


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_expanded_search_returns_names_emails_and_sorted_institutions(world, fmt):
    page = read_page(world.search("orcid:%s" % world.a, endpoint="expanded-search", fmt=fmt))
    expected = {"orcid-id": world.a, "given-names": "Marguerite", "family-names": "Öztürk",
                "credit-name": "M. Öztürk", "other-name": ["Daisy Öz", "Öz, D."],
                "email": ["marguerite@ozturk.example.org"],
                "institution-name": ["Mosaic Institute", "Old Pottery College"]}
    if fmt == "json":
        assert page.body["expanded-result"] == [expected]
        assert list(page.body["expanded-result"][0]) == list(expected)
    else:
        result = page.body.find("{%s}expanded-result" % EXPANDED_NS)
        got = [(child.tag.split("}")[1], child.text) for child in result]
        assert got == [("orcid-id", world.a), ("given-names", "Marguerite"),
                       ("family-names", "Öztürk"), ("credit-name", "M. Öztürk"),
                       ("other-name", "Daisy Öz"), ("other-name", "Öz, D."),
                       ("email", "marguerite@ozturk.example.org"),
                       ("institution-name", "Mosaic Institute"),
                       ("institution-name", "Old Pottery College")]


def test_expanded_search_fl_leaves_out_what_it_omits(world):
    body = world.search("orcid:%s" % world.a, endpoint="expanded-search", fl="orcid,given-names").json()
    assert body["expanded-result"][0] == {
        "orcid-id": world.a, "given-names": "Marguerite", "family-names": None, "credit-name": None,
        "other-name": [], "email": [], "institution-name": []}
    assert world.search("zzz-nothing", endpoint="expanded-search").json() == {
        "expanded-result": None, "num-found": 0}


@pytest.mark.parametrize("api", ["member", "public"])
def test_csv_search_default_columns_and_quoting(world, api):
    resp = world.search("orcid:%s" % world.a, api=api, fmt="csv", endpoint="csv-search")
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/csv")
    lines = resp.text.split("\n")
    assert lines[0] == ("orcid,email,given-names,family-name,given-and-family-names,"
                        "current-institution-affiliation-name,past-institution-affiliation-name,"
                        "credit-name,other-names")
    assert lines[1] == ('%s,marguerite@ozturk.example.org,Marguerite,Öztürk,,Mosaic Institute,'
                        'Old Pottery College,M. Öztürk,"Daisy Öz,Öz\\, D."' % world.a)
    assert lines[2:] == [""]


def test_csv_search_fl_is_filtered_and_ordered_as_orcid_does(world):
    resp = world.search("orcid:%s" % world.a, fmt="csv", endpoint="csv-search",
                        fl="family-name,orcid, email,bogus")
    assert resp.text == "family-name,orcid\nÖztürk,%s\n" % world.a
    resp = world.search("orcid:%s" % world.a, fmt="csv", endpoint="csv-search", fl="bogus")
    assert resp.text.startswith("orcid,email,given-names,")


@pytest.mark.parametrize("accept", [None, "*/*", XML_TYPE, "application/json"])
def test_csv_search_answers_only_text_csv(world, accept):
    headers = {"Accept": accept} if accept else {}
    resp = requests.get(world.url + "/pub/v3.0/csv-search/", params={"q": "*:*"}, headers=headers)
    assert resp.status_code == 406
    if accept is None:
        # requests always sends an Accept; a bare client is covered by */* above
        pass


def test_accept_parameters_and_content_type_fallback(world):
    # rorcid sends a qs parameter; pyorcid sends no Accept but a JSON Content-Type
    resp = requests.get(world.url + "/pub/v3.0/search/", params={"q": "keyword:tessellation"},
                        headers={"Accept": "application/vnd.orcid+json; qs=4"})
    assert read_page(resp).orcids == [world.a]
    resp = requests.get(world.url + "/pub/v3.0/search/", params={"q": "keyword:tessellation"},
                        headers={"Accept": "*/*", "Content-Type": "application/json"})
    assert resp.headers["Content-Type"].startswith("application/json")
    resp = requests.get(world.url + "/pub/v3.0/search/", params={"q": "keyword:tessellation"},
                        headers={"Accept": "*/*"})
    assert resp.headers["Content-Type"].startswith(XML_TYPE)
    assert read_page(resp).orcids == [world.a]


@pytest.mark.parametrize("path", ["/v3.0/search", "/v3.0/search/", "/v3.0/expanded-search",
                                  "/v3.0/expanded-search/"])
def test_both_path_forms_and_the_pub_host(world, path):
    for url, headers in ((world.url + "/pub" + path, {}),
                         (world.url + path, {"Host": "pub.orcid.org"}),
                         (world.url + path, {"Authorization": "Bearer " + world.read_public})):
        resp = requests.get(url, params={"q": "keyword:tessellation"},
                            headers={"Accept": JSON_TYPE, **headers})
        assert read_page(resp).orcids == [world.a], (url, headers)


def test_v2_search_for_python_orcid(world):
    for version in ("2.0", "2.1"):
        page = read_page(world.search("keyword:tessellation", version=version, fmt="xml"), version)
        assert page.orcids == [world.a]
    body = world.search("keyword:tessellation", version="2.0").json()
    assert body["result"][0]["orcid-identifier"]["uri"] == "http://sandbox.orcid.org/" + world.a
    assert world.search("nothing-here", version="2.1").json() == {"result": [], "num-found": 0}
    json_error(world.search("*:*", version="2.0", rows="201"), 400, 9012)
    assert read_page(world.search("*:*", version="2.0"), version="2.0").num_found >= 2


# ------------------------------------------------------------------ paging limits
@pytest.mark.parametrize("api", ["member", "public"])
def test_rows_and_start(world, api):
    total = read_page(world.search("*:*", api=api)).num_found
    assert total >= 4
    zero = world.search("*:*", api=api, rows="0").json()
    assert zero == {"result": None, "num-found": total}
    pages = [read_page(world.search("*:*", api=api, rows="1", start=str(n))).orcids for n in range(total)]
    assert all(len(p) == 1 for p in pages) and len({p[0] for p in pages}) == total
    past_end = world.search("*:*", api=api, start=str(total + 5)).json()
    assert past_end == {"result": None, "num-found": total}
    assert len(read_page(world.search("*:*", api=api, rows="1000")).orcids) == total


@pytest.mark.parametrize("fmt", ["xml", "json"])
@pytest.mark.parametrize("api", ["member", "public"])
@pytest.mark.parametrize("rows", ["1001", "-1", "ten", "1.5"])
def test_rows_outside_0_to_1000_is_400_9012(world, fmt, api, rows):
    resp = world.search("*:*", api=api, fmt=fmt, rows=rows)
    body = (json_error if fmt == "json" else xml_error)(resp, 400, 9012)
    assert "between 0 and 1,000" in body["developer-message"]


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_anonymous_start_is_limited_to_10000(world, fmt):
    check = json_error if fmt == "json" else xml_error
    assert world.search("*:*", fmt=fmt, start="10000").status_code == 200
    check(world.search("*:*", fmt=fmt, start="10001"), 400, 9043)
    check(world.search("*:*", fmt=fmt, start="-1"), 400, 9043)
    check(world.search("*:*", fmt=fmt, start="x"), 400, 9012)
    # with a token start is not checked: past 10000 is just an empty page
    assert world.search("*:*", fmt=fmt, api="member", start="20000").status_code == 200
    resp = requests.get(world.url + "/pub/v3.0/search/", params={"q": "*:*", "start": "20000"},
                        headers={"Accept": JSON_TYPE, "Authorization": "Bearer " + world.read_public})
    assert resp.status_code == 200


# ------------------------------------------------------------------ errors
BROKEN = ["foo:bar", "title:pots", "family-name:(", '"unterminated', "doi-self:10.1/x",
          "profile-last-modified-date:[NOW-1day TO *]", "given-names:/[a/"]


@pytest.mark.parametrize("fmt", ["xml", "json"])
@pytest.mark.parametrize("api", ["member", "public"])
@pytest.mark.parametrize("q", BROKEN)
def test_a_broken_query_or_undefined_field_is_500_9008_remote_solr_exception(world, fmt, api, q):
    resp = world.search(q, api=api, fmt=fmt)
    body = (json_error if fmt == "json" else xml_error)(resp, 500, 9008)
    assert body["developer-message"].startswith(
        "org.apache.solr.client.solrj.impl.HttpSolrClient.RemoteSolrException Full validation "
        "error: Error from server at http://localhost:7983/solr/profile: ")
    assert body["user-message"] == "Something went wrong in ORCID."


def test_other_solr_refusals_are_500_9008_too(world):
    for params in ({"sort": "email asc"}, {"sort": "family-name sideways"}, {"defType": "nope"}):
        resp = world.search("*:*", **params)
        assert "RemoteSolrException" in json_error(resp, 500, 9008)["developer-message"]
    resp = world.search("*:*", api="member", start="abc")
    assert "RemoteSolrException" in json_error(resp, 500, 9008)["developer-message"]


def test_member_api_needs_a_token_with_read_public(world, mock_orcid):
    url = world.url + "/v3.0/search/"
    resp = requests.get(url, params={"q": "*:*"}, headers={"Accept": JSON_TYPE})
    assert resp.status_code == 403 and resp.json()["error"] == "forbidden"
    resp = requests.get(url, params={"q": "*:*"}, headers={"Accept": JSON_TYPE,
                                                           "Authorization": "Bearer nope"})
    assert resp.status_code == 401 and resp.json()["error"] == "invalid_token"
    premium = {"client_id": "APP-MOCKPREMIUM00001", "client_secret": "mock-premium-secret",
               "redirect_uris": ["http://localhost"]}
    webhook_only = mock_orcid.token(premium, None, "/webhook")["access_token"]
    for endpoint in ("search", "expanded-search"):
        resp = requests.get(world.url + "/v3.0/%s/" % endpoint, params={"q": "*:*"},
                            headers={"Accept": JSON_TYPE, "Authorization": "Bearer " + webhook_only})
        json_error(resp, 403, 9038)
    public_client = {"client_id": "APP-MOCKPUBLIC000001", "client_secret": "mock-public-secret",
                     "redirect_uris": ["http://localhost"]}
    public_token = mock_orcid.token(public_client, None, "/read-public")["access_token"]
    resp = requests.get(url, params={"q": "*:*"}, headers={"Accept": JSON_TYPE,
                                                           "Authorization": "Bearer " + public_token})
    json_error(resp, 401, 9017)
    # ... and that public client's token is welcome on the public API
    resp = requests.get(world.url + "/pub/v3.0/search/", params={"q": "keyword:tessellation"},
                        headers={"Accept": JSON_TYPE, "Authorization": "Bearer " + public_token})
    assert read_page(resp).orcids == [world.a]


def test_no_q_finds_nothing(world):
    assert world.search(None).json() == {"result": None, "num-found": 0}
    assert world.search("").json() == {"result": None, "num-found": 0}


def test_other_methods_are_405(world):
    resp = requests.post(world.url + "/pub/v3.0/search/", params={"q": "*:*"},
                         headers={"Accept": JSON_TYPE})
    json_error(resp, 405, 9001)
