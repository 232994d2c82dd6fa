"""Works on the member and public API, over real HTTP (facts §2.1, §2.3, §4.1, §4.3, §5, §7).

Every refused write is followed by a check that the record (items, visibility, source,
dates) and the put-code sequences are exactly as before.
"""
from __future__ import annotations

import threading
import time
from xml.etree import ElementTree as ET

import pytest
import requests
from http_helpers import (
    BULK_NS,
    JSON,
    WORK_NS,
    XML,
    auth,
    bulk_xml,
    dumps,
    json_error,
    make_env,
    oauth_error,
    snapshot,
    token,
    work_codes,
    work_json,
    work_xml,
    xml_error,
)

XML_HEADERS = {"Content-Type": XML, "Accept": XML}
JSON_HEADERS = {"Content-Type": JSON, "Accept": JSON}


@pytest.fixture
def env(mock_orcid):
    return make_env(mock_orcid)


def post_xml(env, body, tok=None, **headers):
    return requests.post(env.member + "/work", data=body.encode(),
                         headers=auth(tok or env.token, **{**XML_HEADERS, **headers}))


def post_json(env, body, tok=None, **headers):
    data = body if isinstance(body, (str, bytes)) else dumps(body)
    return requests.post(env.member + "/work", data=data,
                         headers=auth(tok or env.token, **{**JSON_HEADERS, **headers}))


def create(env, tok=None, **kw) -> int:
    r = post_json(env, work_json(**kw), tok=tok)
    assert r.status_code == 201, r.text
    return int(r.headers["Location"].rsplit("/", 1)[1])


def get_json(env, path, tok=None):
    return requests.get(env.member + path, headers=auth(tok or env.token, Accept=JSON))


class Unchanged:
    """``with Unchanged(mock_orcid, orcid): <bad request>`` — nothing may change."""

    def __init__(self, mock_orcid, orcid):
        self.mock_orcid, self.orcid = mock_orcid, orcid

    def __enter__(self):
        self.before = snapshot(self.mock_orcid, self.orcid)
        return self

    def __exit__(self, *exc):
        if exc[0] is None:
            assert snapshot(self.mock_orcid, self.orcid) == self.before, "a refused request changed the record"


# ===================================================================== create / read / update / delete
def test_post_work_xml_returns_201_empty_body_and_location_without_trailing_slash(mock_orcid, env):
    r = post_xml(env, work_xml(title="Created by XML"))
    assert r.status_code == 201
    assert r.content == b""
    assert "Content-Type" not in r.headers     # no entity, no media type (JAX-RS)
    location = r.headers["Location"]
    pc = work_codes(mock_orcid, env.orcid)[0]
    assert location == "%s/v3.0/%s/work/%d" % (mock_orcid.url, env.orcid, pc)
    assert not location.endswith("/")


def test_post_work_json_returns_201_and_location(mock_orcid, env):
    r = post_json(env, work_json(title="Created by JSON"))
    assert r.status_code == 201
    assert r.content == b""
    pc = work_codes(mock_orcid, env.orcid)[0]
    assert r.headers["Location"] == "%s/v3.0/%s/work/%d" % (mock_orcid.url, env.orcid, pc)


def test_location_of_created_work_reads_back_as_xml_with_orcid_prefixes(env):
    r = post_xml(env, work_xml(title="Prefixed", doi="10.5555/prefix"))
    location = r.headers["Location"]
    pc = location.rsplit("/", 1)[1]
    got = requests.get(location, headers=auth(env.token, Accept=XML))
    assert got.status_code == 200
    assert got.headers["Content-Type"].split(";")[0] == XML
    text = got.text
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"')
    assert "<work:work " in text and "<work:title><common:title>Prefixed</common:title></work:title>" in text
    assert 'xmlns:work="http://www.orcid.org/ns/work"' in text
    assert 'xmlns:common="http://www.orcid.org/ns/common"' in text
    root = ET.fromstring(got.content)
    assert root.tag == "{%s}work" % WORK_NS
    assert root.get("put-code") == pc
    assert root.get("path") == "/%s/work/%s" % (env.orcid, pc)
    assert root.get("visibility") == "public"
    assert "<common:source-client-id>" in text and env.client["client_id"] in text


def test_created_work_reads_back_as_json_with_orcid_keys(env):
    pc = create(env, title="JSON read", doi="10.5555/json-read")
    r = get_json(env, "/work/%d" % pc)
    assert r.status_code == 200
    assert r.headers["Content-Type"].split(";")[0] == JSON
    body = r.json()
    assert body["put-code"] == pc
    assert body["path"] == "/%s/work/%d" % (env.orcid, pc)
    assert body["visibility"] == "public"
    assert body["title"]["title"] == {"value": "JSON read"}
    assert body["type"] == "journal-article"
    ext = body["external-ids"]["external-id"][0]
    assert ext["external-id-type"] == "doi"
    assert ext["external-id-value"] == "10.5555/json-read"
    assert ext["external-id-relationship"] == "self"
    assert body["source"]["source-client-id"]["path"] == env.client["client_id"]
    assert body["source"]["source-orcid"] is None
    assert isinstance(body["created-date"]["value"], int)
    assert isinstance(body["last-modified-date"]["value"], int)


def test_work_summary_endpoint_returns_the_summary(env):
    pc = create(env, title="Summarised", doi="10.5555/summary")
    r = get_json(env, "/work/summary/%d" % pc)
    assert r.status_code == 200
    body = r.json()
    assert body["put-code"] == pc
    assert body["title"]["title"]["value"] == "Summarised"
    assert body["path"] == "/%s/work/%d" % (env.orcid, pc)
    assert "contributors" not in body and "citation" not in body  # summaries carry fewer fields
    x = requests.get(env.member + "/work/summary/%d" % pc, headers=auth(env.token, Accept=XML))
    assert x.status_code == 200
    assert "<work:work-summary " in x.text


def test_put_work_returns_200_with_the_updated_item(mock_orcid, env):
    pc = create(env, title="Before", doi="10.5555/put")
    r = requests.put(env.member + "/work/%d" % pc, data=dumps(work_json(title="After", doi="10.5555/put",
                                                                          put_code=pc)),
                     headers=auth(env.token, **JSON_HEADERS))
    assert r.status_code == 200
    body = r.json()
    assert body["put-code"] == pc
    assert body["title"]["title"]["value"] == "After"
    assert get_json(env, "/work/%d" % pc).json()["title"]["title"]["value"] == "After"


def test_put_work_xml_returns_200_with_xml_item(env):
    pc = create(env, title="Before", doi="10.5555/put-xml")
    r = requests.put(env.member + "/work/%d" % pc,
                     data=work_xml(title="After XML", doi="10.5555/put-xml", put_code=pc),
                     headers=auth(env.token, **XML_HEADERS))
    assert r.status_code == 200
    root = ET.fromstring(r.content)
    assert root.get("put-code") == str(pc)
    assert "<common:title>After XML</common:title>" in r.text


def test_put_with_mismatched_put_code_is_400_9019(mock_orcid, env):
    pc = create(env, doi="10.5555/mismatch")
    with Unchanged(mock_orcid, env.orcid):
        r = requests.put(env.member + "/work/%d" % pc,
                         data=dumps(work_json(title="X", doi="10.5555/mismatch", put_code=pc + 1)),
                         headers=auth(env.token, **JSON_HEADERS))
        json_error(r, 400, 9019)


def test_put_code_mismatch_is_reported_before_the_item_is_looked_up(mock_orcid, env):
    pc = create(env, doi="10.5555/order")
    with Unchanged(mock_orcid, env.orcid):
        r = requests.put(env.member + "/work/999999",
                         data=dumps(work_json(title="X", doi="10.5555/order", put_code=pc)),
                         headers=auth(env.token, **JSON_HEADERS))
        json_error(r, 400, 9019)


def test_put_without_body_put_code_is_400_9019_naming_null(mock_orcid, env):
    pc = create(env, doi="10.5555/noputcode")
    with Unchanged(mock_orcid, env.orcid):
        r = requests.put(env.member + "/work/%d" % pc, data=work_xml(title="X", doi="10.5555/noputcode"),
                         headers=auth(env.token, **XML_HEADERS))
        fields = xml_error(r, 400, 9019)
    assert "null" in fields["developer-message"]


def test_delete_work_is_204_and_then_get_is_404_9016(mock_orcid, env):
    pc = create(env, doi="10.5555/delete")
    r = requests.delete(env.member + "/work/%d" % pc, headers=auth(env.token, Accept=JSON))
    assert r.status_code == 204
    assert r.content == b""
    assert "Content-Type" not in r.headers
    assert work_codes(mock_orcid, env.orcid) == []
    json_error(get_json(env, "/work/%d" % pc), 404, 9016)
    json_error(get_json(env, "/work/summary/%d" % pc), 404, 9016)
    json_error(requests.delete(env.member + "/work/%d" % pc, headers=auth(env.token, Accept=JSON)),
               404, 9016)


def test_unknown_put_code_is_404_9016_for_get_put_delete(mock_orcid, env):
    create(env, doi="10.5555/known")
    with Unchanged(mock_orcid, env.orcid):
        json_error(get_json(env, "/work/999999"), 404, 9016)
        json_error(requests.put(env.member + "/work/999999",
                                data=dumps(work_json(put_code=999999, doi="10.5555/other")),
                                headers=auth(env.token, **JSON_HEADERS)), 404, 9016)
        json_error(requests.delete(env.member + "/work/999999", headers=auth(env.token, Accept=JSON)),
                   404, 9016)


def test_put_code_of_another_record_is_404_9016(mock_orcid, env):
    other = mock_orcid.create_user()
    other_token = token(mock_orcid, env.client, other)
    r = requests.post("%s/v3.0/%s/work" % (env.url, other["orcid"]), data=dumps(work_json()),
                      headers=auth(other_token, **JSON_HEADERS))
    assert r.status_code == 201
    pc = int(r.headers["Location"].rsplit("/", 1)[1])
    json_error(get_json(env, "/work/%d" % pc), 404, 9016)
    with Unchanged(mock_orcid, other["orcid"]):
        json_error(requests.delete(env.member + "/work/%d" % pc, headers=auth(env.token, Accept=JSON)),
                   404, 9016)


def test_unknown_orcid_id_is_404_9016(mock_orcid, env):
    cc = token(mock_orcid, env.client, None, "/read-public")
    unknown = "0000-0001-5109-3700"
    assert unknown not in mock_orcid.state.registry.records
    r = requests.get("%s/v3.0/%s/works" % (env.url, unknown), headers=auth(cc, Accept=JSON))
    json_error(r, 404, 9016)
    r = requests.get("%s/v3.0/%s/work/1000" % (env.url, unknown), headers=auth(cc, Accept=XML))
    xml_error(r, 404, 9016)


def test_non_numeric_put_code_is_400_9034(mock_orcid, env):
    create(env, doi="10.5555/numeric")
    with Unchanged(mock_orcid, env.orcid):
        json_error(get_json(env, "/work/abc"), 400, 9034)
        json_error(get_json(env, "/work/summary/12x"), 400, 9034)
        json_error(requests.put(env.member + "/work/abc", data=dumps(work_json(put_code=1)),
                                headers=auth(env.token, **JSON_HEADERS)), 400, 9034)
        xml_error(requests.delete(env.member + "/work/abc", headers=auth(env.token, Accept=XML)),
                  400, 9034)


# ===================================================================== validation on write
def test_put_code_in_post_body_is_400_9024(mock_orcid, env):
    with Unchanged(mock_orcid, env.orcid):
        xml_error(post_xml(env, work_xml(put_code=1234)), 400, 9024)
        json_error(post_json(env, work_json(put_code=1234)), 400, 9024)


def test_empty_title_is_refused_by_the_schema_before_the_9022_rule(mock_orcid, env):
    # ORCID's XSD types common:title as a non-empty string, so an empty or blank title fails
    # schema validation (XML 9001, JSON 9047) before the title rule (9022) could run.
    with Unchanged(mock_orcid, env.orcid):
        fields = xml_error(post_xml(env, work_xml(title="")), 400, 9001)
        assert "Full validation error" in fields["developer-message"]
        assert "title" in fields["developer-message"]
        xml_error(post_xml(env, work_xml(title="   ")), 400, 9001)
        json_error(post_json(env, work_json(title="")), 400, 9047)


def test_missing_title_element_is_rejected_by_the_schema_400_9001(mock_orcid, env):
    with Unchanged(mock_orcid, env.orcid):
        fields = xml_error(post_xml(env, work_xml(title_xml="")), 400, 9001)
        assert "title" in fields["developer-message"]
        # the same in JSON is a schema failure of the JSON body: 9047
        body = work_json()
        del body["title"]
        json_error(post_json(env, body), 400, 9047)


def test_work_without_self_external_id_is_400_9023(mock_orcid, env):
    with Unchanged(mock_orcid, env.orcid):
        json_error(post_json(env, work_json(rel="part-of")), 400, 9023)
        xml_error(post_xml(env, work_xml(doi=None)), 400, 9023)
        json_error(post_json(env, work_json(doi=None)), 400, 9023)


def test_malformed_xml_is_400_9001(mock_orcid, env):
    with Unchanged(mock_orcid, env.orcid):
        fields = xml_error(post_xml(env, "<work:work xmlns:work='%s'><unclosed>" % WORK_NS), 400, 9001)
        assert fields["developer-message"].startswith("400 Bad Request")
        xml_error(post_xml(env, ""), 400, 9001)


def test_schema_invalid_xml_is_400_9001_with_validation_message(mock_orcid, env):
    with Unchanged(mock_orcid, env.orcid):
        r = post_xml(env, work_xml(extra="<work:unknown-element>x</work:unknown-element>"))
        fields = xml_error(r, 400, 9001)
        assert "Full validation error" in fields["developer-message"]
        assert "unknown-element" in fields["developer-message"]


def test_unknown_work_type_is_400_9051_listing_valid_values(mock_orcid, env):
    # ORCID's XSD types work:type as a free string; its model refuses unknown values (9051).
    with Unchanged(mock_orcid, env.orcid):
        fields = xml_error(post_xml(env, work_xml(work_type="not-a-type")), 400, 9051)
        assert "not-a-type" in fields["developer-message"]
        assert "journal-article" in fields["developer-message"]
        json_error(post_json(env, work_json(work_type="Journal-Article")), 400, 9051)


def test_xml_with_wrong_root_element_is_400_9001(mock_orcid, env):
    body = ('<funding:funding xmlns:funding="http://www.orcid.org/ns/funding" '
            'xmlns:common="http://www.orcid.org/ns/common"/>')
    with Unchanged(mock_orcid, env.orcid):
        xml_error(post_xml(env, body), 400, 9001)


def test_invalid_json_is_400_9047(mock_orcid, env):
    with Unchanged(mock_orcid, env.orcid):
        json_error(post_json(env, '{"title": {'), 400, 9047)
        json_error(post_json(env, "not json at all"), 400, 9047)
        json_error(post_json(env, '["a", "list"]'), 400, 9047)
        json_error(post_json(env, b"\xff\xfe\x00"), 400, 9047)


def test_schema_invalid_json_is_400_9047(mock_orcid, env):
    body = work_json()
    body["no-such-field"] = "x"
    with Unchanged(mock_orcid, env.orcid):
        json_error(post_json(env, body), 400, 9047)


# ===================================================================== source, visibility, duplicates
def test_another_clients_put_and_delete_are_403_9010(mock_orcid, env):
    pc = create(env, title="Mine", doi="10.5555/source")
    other = mock_orcid.create_client(name="Other client")
    other_token = token(mock_orcid, other, env.user)
    with Unchanged(mock_orcid, env.orcid):
        r = requests.put(env.member + "/work/%d" % pc,
                         data=dumps(work_json(title="Theirs", doi="10.5555/source", put_code=pc)),
                         headers=auth(other_token, **JSON_HEADERS))
        json_error(r, 403, 9010)
        r = requests.delete(env.member + "/work/%d" % pc, headers=auth(other_token, Accept=XML))
        xml_error(r, 403, 9010)
    # the other client may still read a public item
    assert get_json(env, "/work/%d" % pc, tok=other_token).status_code == 200


def test_visibility_in_post_body_is_ignored_item_gets_default_visibility(mock_orcid):
    env = make_env(mock_orcid, default_visibility="limited")
    r = post_xml(env, work_xml(visibility="public", doi="10.5555/vis-xml"))
    assert r.status_code == 201
    got = requests.get(r.headers["Location"], headers=auth(env.token, Accept=XML))
    assert ET.fromstring(got.content).get("visibility") == "limited"
    r = post_json(env, work_json(visibility="private", doi="10.5555/vis-json"))
    assert r.status_code == 201
    got = requests.get(r.headers["Location"], headers=auth(env.token, Accept=JSON))
    assert got.json()["visibility"] == "limited"


def test_visibility_change_on_put_is_403_9035_but_same_visibility_is_accepted(mock_orcid, env):
    pc = create(env, doi="10.5555/vis-put")
    with Unchanged(mock_orcid, env.orcid):
        r = requests.put(env.member + "/work/%d" % pc,
                         data=dumps(work_json(title="New", doi="10.5555/vis-put", put_code=pc,
                                              visibility="private")),
                         headers=auth(env.token, **JSON_HEADERS))
        json_error(r, 403, 9035)
    r = requests.put(env.member + "/work/%d" % pc,
                     data=dumps(work_json(title="New", doi="10.5555/vis-put", put_code=pc,
                                          visibility="public")),
                     headers=auth(env.token, **JSON_HEADERS))
    assert r.status_code == 200
    assert r.json()["visibility"] == "public"


def test_duplicate_self_id_from_same_source_is_409_9021(mock_orcid, env):
    pc = create(env, title="First", doi="10.5555/dup")
    with Unchanged(mock_orcid, env.orcid):
        body = json_error(post_json(env, work_json(title="Second", doi="10.5555/dup")), 409, 9021)
        assert str(pc) in body["developer-message"]
        # the same DOI written differently normalises to the same id
        xml_error(post_xml(env, work_xml(title="Third", doi="https://doi.org/10.5555/DUP")), 409, 9021)


def test_duplicate_self_id_from_another_client_is_201(mock_orcid, env):
    create(env, title="First", doi="10.5555/shared")
    other = mock_orcid.create_client(name="Other client")
    other_token = token(mock_orcid, other, env.user)
    r = post_json(env, work_json(title="Second", doi="10.5555/shared"), tok=other_token)
    assert r.status_code == 201
    assert len(work_codes(mock_orcid, env.orcid)) == 2


def test_put_onto_another_works_self_id_is_409_9021(mock_orcid, env):
    create(env, doi="10.5555/a")
    pc_b = create(env, doi="10.5555/b")
    with Unchanged(mock_orcid, env.orcid):
        r = requests.put(env.member + "/work/%d" % pc_b,
                         data=dumps(work_json(doi="10.5555/a", put_code=pc_b)),
                         headers=auth(env.token, **JSON_HEADERS))
        json_error(r, 409, 9021)
    # but a PUT keeping the item's own id is no duplicate of itself
    r = requests.put(env.member + "/work/%d" % pc_b,
                     data=dumps(work_json(title="Renamed", doi="10.5555/b", put_code=pc_b)),
                     headers=auth(env.token, **JSON_HEADERS))
    assert r.status_code == 200


def test_part_of_ids_do_not_make_duplicates(env):
    body = work_json(doi="10.5555/book")
    body["external-ids"]["external-id"].append({"external-id-type": "isbn", "external-id-value": "9780306406157",
                                                "external-id-relationship": "part-of"})
    body2 = work_json(doi="10.5555/chapter2")
    body2["external-ids"]["external-id"].append({"external-id-type": "isbn", "external-id-value": "9780306406157",
                                                 "external-id-relationship": "part-of"})
    assert post_json(env, body).status_code == 201
    assert post_json(env, body2).status_code == 201


# ===================================================================== put-codes
def test_put_codes_are_unique_and_increasing_under_concurrency(mock_orcid, env):
    threads, per_thread = 8, 25
    results: list[list[int]] = [[] for _ in range(threads)]
    failures: list[str] = []
    barrier = threading.Barrier(threads)

    def worker(n):
        session = requests.Session()
        barrier.wait()
        for i in range(per_thread):
            r = session.post(env.member + "/work",
                             data=dumps(work_json(title="T%d-%d" % (n, i), doi="10.5555/c.%d.%d" % (n, i))),
                             headers=auth(env.token, **JSON_HEADERS))
            if r.status_code != 201:
                failures.append("%s %s" % (r.status_code, r.text[:200]))
                continue
            results[n].append(int(r.headers["Location"].rsplit("/", 1)[1]))

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(timeout=120)
    assert not failures, failures[:3]
    codes = [c for per in results for c in per]
    assert len(codes) == threads * per_thread
    assert len(set(codes)) == threads * per_thread
    for per in results:      # each client sees its own put-codes increase
        assert per == sorted(per)
    assert sorted(codes) == work_codes(mock_orcid, env.orcid)
    # none lost: every one reads back in one bulk call per 100 codes
    for start in range(0, len(codes), 100):
        chunk = sorted(codes)[start:start + 100]
        r = get_json(env, "/works/" + ",".join(map(str, chunk)))
        assert r.status_code == 200
        assert [e["work"]["put-code"] for e in r.json()["bulk"]] == chunk
    groups = get_json(env, "/works").json()["group"]
    assert len(groups) == threads * per_thread


def test_concurrent_posts_of_the_same_work_create_it_once(mock_orcid, env):
    n = 8
    statuses: list[int] = []
    barrier = threading.Barrier(n)

    def worker():
        barrier.wait()
        r = post_json(env, work_json(title="Race", doi="10.5555/race"))
        statuses.append(r.status_code)

    pool = [threading.Thread(target=worker) for _ in range(n)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(timeout=60)
    assert sorted(statuses) == [201] + [409] * (n - 1)
    assert len(work_codes(mock_orcid, env.orcid)) == 1


def test_put_codes_increase_across_sequential_posts(env):
    codes = [create(env, doi="10.5555/seq.%d" % i) for i in range(5)]
    assert codes == sorted(codes) and len(set(codes)) == 5


# ===================================================================== lists and bulk
def test_works_list_groups_by_shared_external_id(mock_orcid, env):
    create(env, title="Alpha", doi="10.5555/group-a")
    create(env, title="Beta", doi="10.5555/group-b")
    other = mock_orcid.create_client(name="Other client")
    create(env, tok=token(mock_orcid, other, env.user), title="Alpha again", doi="10.5555/GROUP-A")
    r = get_json(env, "/works")
    assert r.status_code == 200
    body = r.json()
    assert body["path"] == "/%s/works" % env.orcid
    assert isinstance(body["last-modified-date"]["value"], int)
    groups = body["group"]
    assert len(groups) == 2
    sizes = sorted(len(g["work-summary"]) for g in groups)
    assert sizes == [1, 2]
    pair = next(g for g in groups if len(g["work-summary"]) == 2)
    ids = pair["external-ids"]["external-id"]
    assert len(ids) == 1 and ids[0]["external-id-type"] == "doi"
    xml = requests.get(env.member + "/works", headers=auth(env.token, Accept=XML))
    assert xml.status_code == 200
    assert "<activities:works " in xml.text and "<activities:group>" in xml.text
    assert xml.text.count("<work:work-summary ") == 3


def test_empty_works_list(env):
    r = get_json(env, "/works")
    assert r.status_code == 200
    assert r.json()["group"] == []


def test_bulk_read_returns_works_in_order_with_inline_error_for_unknown_code(env):
    a = create(env, title="A", doi="10.5555/bulk-a")
    b = create(env, title="B", doi="10.5555/bulk-b")
    r = get_json(env, "/works/%d,999999,%d" % (b, a))
    assert r.status_code == 200
    entries = r.json()["bulk"]
    assert [list(e) for e in entries] == [["work"], ["error"], ["work"]]
    assert entries[0]["work"]["put-code"] == b
    assert entries[2]["work"]["put-code"] == a
    err = entries[1]["error"]
    assert list(err) == ["response-code", "developer-message", "user-message", "error-code", "more-info"]
    assert err["error-code"] == 9034 and err["response-code"] == 400
    xml = requests.get(env.member + "/works/%d,999999" % a, headers=auth(env.token, Accept=XML))
    assert xml.status_code == 200
    root = ET.fromstring(xml.content)
    assert root.tag == "{%s}bulk" % BULK_NS
    assert [c.tag.split("}")[1] for c in root] == ["work", "error"]


def test_bulk_read_of_more_than_100_codes_is_400_9042(env):
    pc = create(env, doi="10.5555/many")
    json_error(get_json(env, "/works/" + ",".join([str(pc)] * 101)), 400, 9042)
    assert get_json(env, "/works/" + ",".join([str(pc)] * 100)).status_code == 200


def test_bulk_post_json_returns_200_with_per_item_results_in_order(mock_orcid, env):
    existing = create(env, title="Existing", doi="10.5555/existing")
    bulk = {"bulk": [
        {"work": work_json(title="One", doi="10.5555/b1")},
        {"work": work_json(title="Dup of existing", doi="10.5555/existing")},
        {"work": work_json(title="Two", doi="10.5555/b2")},
        {"work": work_json(title="Dup inside bulk", doi="10.5555/b1")},
        {"work": work_json(title="No self", rel="part-of", doi="10.5555/b3")},
    ]}
    r = requests.post(env.member + "/works", data=dumps(bulk), headers=auth(env.token, **JSON_HEADERS))
    assert r.status_code == 200
    entries = r.json()["bulk"]
    assert [list(e)[0] for e in entries] == ["work", "error", "work", "error", "error"]
    assert [e["error"]["error-code"] for e in entries if "error" in e] == [9021, 9021, 9023]
    assert [e["error"]["response-code"] for e in entries if "error" in e] == [409, 409, 400]
    assert str(existing) in entries[1]["error"]["developer-message"]
    created = [entries[0]["work"]["put-code"], entries[2]["work"]["put-code"]]
    assert created[0] < created[1]
    assert entries[0]["work"]["title"]["title"]["value"] == "One"
    assert sorted(work_codes(mock_orcid, env.orcid)) == sorted([existing] + created)
    for pc in created:
        assert get_json(env, "/work/%d" % pc).status_code == 200


def test_bulk_post_json_accepts_a_single_object_where_a_list_is_expected(mock_orcid, env):
    bulk = {"bulk": {"work": work_json(title="Lonely", doi="10.5555/single")}}
    r = requests.post(env.member + "/works", data=dumps(bulk), headers=auth(env.token, **JSON_HEADERS))
    assert r.status_code == 200, r.text
    entries = r.json()["bulk"]
    assert len(entries) == 1 and entries[0]["work"]["title"]["title"]["value"] == "Lonely"
    assert len(work_codes(mock_orcid, env.orcid)) == 1


def test_bulk_post_xml_returns_200_bulk(mock_orcid, env):
    body = bulk_xml([work_xml(title="X1", doi="10.5555/x1"), work_xml(title="X2", doi="10.5555/x2")])
    r = requests.post(env.member + "/works", data=body, headers=auth(env.token, **XML_HEADERS))
    assert r.status_code == 200
    root = ET.fromstring(r.content)
    assert root.tag == "{%s}bulk" % BULK_NS
    assert [c.tag for c in root] == ["{%s}work" % WORK_NS] * 2
    assert "<bulk:bulk" in r.text and "<work:work " in r.text
    assert len(work_codes(mock_orcid, env.orcid)) == 2


def test_bulk_post_with_a_schema_invalid_work_is_refused_whole(mock_orcid, env):
    bulk = {"bulk": [{"work": work_json(doi="10.5555/ok")}, {"work": work_json(title="", doi="10.5555/bad")}]}
    with Unchanged(mock_orcid, env.orcid):
        r = requests.post(env.member + "/works", data=dumps(bulk), headers=auth(env.token, **JSON_HEADERS))
        json_error(r, 400, 9047)


def test_bulk_post_of_more_than_100_works_is_400_9006(mock_orcid, env):
    bulk = {"bulk": [{"work": work_json(doi="10.5555/over.%d" % i)} for i in range(101)]}
    with Unchanged(mock_orcid, env.orcid):
        r = requests.post(env.member + "/works", data=dumps(bulk), headers=auth(env.token, **JSON_HEADERS))
        body = json_error(r, 400, 9006)
    assert "100" in body["developer-message"]


def test_bulk_post_of_exactly_100_works_is_accepted(mock_orcid, env):
    bulk = {"bulk": [{"work": work_json(doi="10.5555/full.%d" % i)} for i in range(100)]}
    r = requests.post(env.member + "/works", data=dumps(bulk), headers=auth(env.token, **JSON_HEADERS))
    assert r.status_code == 200
    assert all("work" in e for e in r.json()["bulk"])
    assert len(work_codes(mock_orcid, env.orcid)) == 100


def test_bulk_post_needs_the_create_scope(mock_orcid, env):
    read_only = token(mock_orcid, env.client, env.user, "/read-limited")
    bulk = {"bulk": [{"work": work_json()}]}
    with Unchanged(mock_orcid, env.orcid):
        r = requests.post(env.member + "/works", data=dumps(bulk), headers=auth(read_only, **JSON_HEADERS))
        json_error(r, 403, 9038)


# ===================================================================== tokens
def test_member_api_without_token_is_403_forbidden(mock_orcid, env):
    with Unchanged(mock_orcid, env.orcid):
        r = requests.post(env.member + "/work", data=dumps(work_json()), headers=JSON_HEADERS)
        oauth_error(r, 403, "forbidden")
    r = requests.get(env.member + "/works", headers={"Accept": JSON})
    oauth_error(r, 403, "forbidden")


def test_bogus_token_is_401_invalid_token(mock_orcid, env):
    with Unchanged(mock_orcid, env.orcid):
        r = post_json(env, work_json(), tok="00000000-0000-0000-0000-000000000000")
        body = oauth_error(r, 401, "invalid_token")
    assert set(body) == {"error", "error_description"}
    oauth_error(requests.get(env.member + "/works", headers=auth("nope", Accept=XML)), 401, "invalid_token")


def test_user_token_on_another_orcid_id_is_401_9017(mock_orcid, env):
    other = mock_orcid.create_user()
    url = "%s/v3.0/%s" % (env.url, other["orcid"])
    with Unchanged(mock_orcid, other["orcid"]):
        r = requests.post(url + "/work", data=dumps(work_json()), headers=auth(env.token, **JSON_HEADERS))
        json_error(r, 401, 9017)
    xml_error(requests.get(url + "/works", headers=auth(env.token, Accept=XML)), 401, 9017)


def test_token_without_activities_update_cannot_write_403_9038(mock_orcid, env):
    pc = create(env, doi="10.5555/scope")
    read_only = token(mock_orcid, env.client, env.user, "/read-limited")
    with Unchanged(mock_orcid, env.orcid):
        json_error(post_json(env, work_json(doi="10.5555/scope2"), tok=read_only), 403, 9038)
        json_error(requests.put(env.member + "/work/%d" % pc,
                                data=dumps(work_json(doi="10.5555/scope", put_code=pc)),
                                headers=auth(read_only, **JSON_HEADERS)), 403, 9038)
        xml_error(requests.delete(env.member + "/work/%d" % pc, headers=auth(read_only, Accept=XML)),
                  403, 9038)
    # but it reads
    assert get_json(env, "/work/%d" % pc, tok=read_only).status_code == 200


def test_client_credentials_read_public_token_cannot_write(mock_orcid, env):
    cc = token(mock_orcid, env.client, None, "/read-public")
    with Unchanged(mock_orcid, env.orcid):
        json_error(post_json(env, work_json(), tok=cc), 403, 9038)


def test_public_client_token_on_member_api_is_401_9017(mock_orcid, env):
    public_client = mock_orcid.create_client(name="Public app", type="public")
    pub_token = token(mock_orcid, public_client, env.user, "/authenticate")
    with Unchanged(mock_orcid, env.orcid):
        json_error(post_json(env, work_json(), tok=pub_token), 401, 9017)
    json_error(get_json(env, "/works", tok=pub_token), 401, 9017)
    # the same token is fine on the public API
    r = requests.get(env.public + "/works", headers=auth(pub_token, Accept=JSON))
    assert r.status_code == 200


# ===================================================================== reads and visibility
def test_limited_work_is_hidden_from_read_public_tokens_and_403_on_single_read(mock_orcid):
    env = make_env(mock_orcid, default_visibility="limited")
    pc = create(env, doi="10.5555/limited")
    other = mock_orcid.create_client(name="Reader")
    cc = token(mock_orcid, other, None, "/read-public")
    assert get_json(env, "/works", tok=cc).json()["group"] == []
    json_error(get_json(env, "/work/%d" % pc, tok=cc), 403, 9038)
    # the source sees its own limited work, and a /read-limited user token sees it too
    assert get_json(env, "/work/%d" % pc).status_code == 200
    reader = token(mock_orcid, other, env.user, "/read-limited")
    assert len(get_json(env, "/works", tok=reader).json()["group"]) == 1


def test_bulk_read_shows_unreadable_works_as_inline_errors(mock_orcid):
    env = make_env(mock_orcid, default_visibility="limited")
    pc = create(env, doi="10.5555/limited-bulk")
    cc = token(mock_orcid, mock_orcid.create_client(name="Reader"), None, "/read-public")
    r = get_json(env, "/works/%d" % pc, tok=cc)
    assert r.status_code == 200
    entries = r.json()["bulk"]
    assert list(entries[0]) == ["error"] and entries[0]["error"]["error-code"] == 9038


def test_public_api_lists_only_public_works_anonymously(mock_orcid, env):
    public_pc = create(env, title="Public", doi="10.5555/pub-1")
    limited_pc = create(env, title="Limited", doi="10.5555/pub-2")
    # the researcher changes the work's visibility in ORCID's UI
    mock_orcid.set_visibility(env.orcid, "work", limited_pc, "limited")
    r = requests.get(env.public + "/works", headers={"Accept": JSON})
    assert r.status_code == 200
    codes = [s["put-code"] for g in r.json()["group"] for s in g["work-summary"]]
    assert codes == [public_pc]
    assert requests.get(env.public + "/work/%d" % public_pc, headers={"Accept": JSON}).status_code == 200
    json_error(requests.get(env.public + "/work/%d" % limited_pc, headers={"Accept": JSON}), 403, 9039)
    # the member API with the source's token still lists both
    member_codes = [s["put-code"] for g in get_json(env, "/works").json()["group"] for s in g["work-summary"]]
    assert sorted(member_codes) == [public_pc, limited_pc]


def test_public_api_is_read_only_405(mock_orcid, env):
    pc = create(env, doi="10.5555/ro")
    with Unchanged(mock_orcid, env.orcid):
        xml_error(requests.post(env.public + "/work", data=work_xml(doi="10.5555/ro2"),
                                headers=auth(env.token, **XML_HEADERS)), 405, 9001)
        json_error(requests.put(env.public + "/work/%d" % pc, data=dumps(work_json(put_code=pc)),
                                headers=auth(env.token, **JSON_HEADERS)), 405, 9001)
        json_error(requests.delete(env.public + "/work/%d" % pc, headers=auth(env.token, Accept=JSON)),
                   405, 9001)


def test_last_modified_moves_on_update(env):
    pc = create(env, doi="10.5555/lm")
    before = get_json(env, "/work/%d" % pc).json()
    time.sleep(0.01)
    r = requests.put(env.member + "/work/%d" % pc,
                     data=dumps(work_json(title="Changed", doi="10.5555/lm", put_code=pc)),
                     headers=auth(env.token, **JSON_HEADERS))
    after = r.json()
    assert after["created-date"] == before["created-date"]
    assert after["last-modified-date"]["value"] > before["last-modified-date"]["value"]


def test_source_and_dates_in_post_body_are_ignored(mock_orcid, env):
    extra = ("<common:created-date>2001-01-01T00:00:00.000Z</common:created-date>")
    # created-date belongs before the title in the schema; put it there by hand
    body = work_xml(doi="10.5555/meta").replace("<work:title>", extra + "<work:title>")
    r = post_xml(env, body)
    assert r.status_code == 201, r.text
    got = requests.get(r.headers["Location"], headers=auth(env.token, Accept=JSON)).json()
    assert got["created-date"]["value"] > 978307200000 + 10 * 365 * 86400000


# ===================================================================== hardening
BILLION_LAUGHS = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
                  + "".join(' <!ENTITY lol%d "%s">\n' % (i, ("&lol%s;" % ("" if i == 1 else i - 1)) * 10)
                            for i in range(1, 10))
                  + ']>\n<work:work xmlns:work="http://www.orcid.org/ns/work" '
                    'xmlns:common="http://www.orcid.org/ns/common"><work:title><common:title>&lol9;'
                    '</common:title></work:title><work:type>book</work:type></work:work>')

XXE_FILE = ('<?xml version="1.0"?>\n<!DOCTYPE work [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
            '<work:work xmlns:work="http://www.orcid.org/ns/work" xmlns:common="http://www.orcid.org/ns/common">'
            '<work:title><common:title>&xxe;</common:title></work:title><work:type>book</work:type>'
            '<common:external-ids><common:external-id><common:external-id-type>doi</common:external-id-type>'
            '<common:external-id-value>10.5555/xxe</common:external-id-value>'
            '<common:external-id-relationship>self</common:external-id-relationship>'
            '</common:external-id></common:external-ids></work:work>')

XXE_PARAMETER = ('<?xml version="1.0"?>\n<!DOCTYPE work [<!ENTITY % ext SYSTEM "file:///etc/passwd"> %ext;]>\n'
                 '<work:work xmlns:work="http://www.orcid.org/ns/work"/>')


def _no_file_content(resp):
    assert "root:" not in resp.text and "/bin/" not in resp.text and "nologin" not in resp.text


@pytest.mark.parametrize("body", [BILLION_LAUGHS, XXE_FILE, XXE_PARAMETER],
                         ids=["billion-laughs", "xxe-file", "xxe-parameter-entity"])
def test_doctype_and_entities_are_refused_quickly_with_400_9001(mock_orcid, env, body):
    with Unchanged(mock_orcid, env.orcid):
        started = time.monotonic()
        r = post_xml(env, body)
        elapsed = time.monotonic() - started
        xml_error(r, 400, 9001)
    assert elapsed < 2.0
    _no_file_content(r)


def test_doctype_in_a_put_or_bulk_body_is_refused_too(mock_orcid, env):
    pc = create(env, doi="10.5555/xxe-put")
    with Unchanged(mock_orcid, env.orcid):
        r = requests.put(env.member + "/work/%d" % pc, data=XXE_FILE.replace("<work:work ", '<work:work put-code="%d" ' % pc),
                         headers=auth(env.token, **XML_HEADERS))
        xml_error(r, 400, 9001)
        _no_file_content(r)
        r = requests.post(env.member + "/works",
                          data='<?xml version="1.0"?><!DOCTYPE b [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                               '<bulk:bulk xmlns:bulk="%s">&x;</bulk:bulk>' % BULK_NS,
                          headers=auth(env.token, **XML_HEADERS))
        xml_error(r, 400, 9001)
        _no_file_content(r)


@pytest.mark.parametrize("body", ["/etc/passwd", "file:///etc/passwd", "../../../../etc/passwd"])
def test_body_that_is_a_file_path_is_not_read_400_9001(mock_orcid, env, body):
    with Unchanged(mock_orcid, env.orcid):
        r = post_xml(env, body)
        xml_error(r, 400, 9001)
    _no_file_content(r)


def test_json_body_that_is_a_file_path_is_400_9047(mock_orcid, env):
    with Unchanged(mock_orcid, env.orcid):
        r = post_json(env, '"/etc/passwd"')
        json_error(r, 400, 9047)
    _no_file_content(r)


def test_schema_location_hints_in_a_body_are_not_followed(mock_orcid, env):
    body = work_xml(doi="10.5555/hint").replace(
        "<work:work ", '<work:work xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                       'xsi:schemaLocation="http://www.orcid.org/ns/work file:///etc/passwd" ')
    r = post_xml(env, body)
    assert r.status_code == 201, r.text
    _no_file_content(r)
