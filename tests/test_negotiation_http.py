"""Content negotiation and API selection over real HTTP (facts §1.1, §1.2, §2.10, §7.1).

requests sends ``Accept: */*`` unless told otherwise; ``Accept: None`` removes the header.
"""
from __future__ import annotations

import json
from xml.etree import ElementTree as ET

import pytest
import requests
from http_helpers import (
    JSON,
    ORCID_TYPES,
    XML,
    auth,
    dumps,
    json_error,
    make_env,
    snapshot,
    work_codes,
    work_json,
    work_xml,
    xml_error,
)

WORK_TAG = "{http://www.orcid.org/ns/work}work"


@pytest.fixture
def env(mock_orcid):
    return make_env(mock_orcid)


@pytest.fixture
def work(env):
    r = requests.post(env.member + "/work", data=dumps(work_json(title="Negotiated", doi="10.5555/neg")),
                      headers=auth(env.token, **{"Content-Type": JSON}))
    assert r.status_code == 201, r.text
    return int(r.headers["Location"].rsplit("/", 1)[1])


def mimetype(resp) -> str:
    return resp.headers["Content-Type"].split(";")[0].strip()


def assert_work_body(resp, kind, put_code):
    if kind == "json":
        assert resp.json()["put-code"] == put_code
    else:
        root = ET.fromstring(resp.content)
        assert root.tag == WORK_TAG and root.get("put-code") == str(put_code)


# ===================================================================== Accept
@pytest.mark.parametrize("media_type", ORCID_TYPES)
def test_each_orcid_media_type_in_accept_is_answered_in_that_type(env, work, media_type):
    r = requests.get(env.member + "/work/%d" % work, headers=auth(env.token, Accept=media_type))
    assert r.status_code == 200
    assert mimetype(r) == media_type
    assert "charset=utf-8" in r.headers["Content-Type"].lower()
    assert_work_body(r, "json" if media_type.endswith("json") else "xml", work)


@pytest.mark.parametrize("media_type", ORCID_TYPES)
def test_errors_are_rendered_in_the_accepted_media_type(env, media_type):
    r = requests.get(env.member + "/work/999999", headers=auth(env.token, Accept=media_type))
    assert mimetype(r) == media_type
    if media_type.endswith("json"):
        json_error(r, 404, 9016)
    else:
        xml_error(r, 404, 9016)


def test_no_accept_header_answers_orcid_xml(env, work):
    r = requests.get(env.member + "/work/%d" % work, headers=auth(env.token, Accept=None))
    assert r.status_code == 200
    assert mimetype(r) == "application/vnd.orcid+xml"
    assert_work_body(r, "xml", work)


def test_accept_star_answers_orcid_xml(env, work):
    r = requests.get(env.member + "/work/%d" % work, headers=auth(env.token, Accept="*/*"))
    assert mimetype(r) == "application/vnd.orcid+xml"
    assert_work_body(r, "xml", work)


@pytest.mark.parametrize("accept", [None, "*/*"])
@pytest.mark.parametrize("content_type", ORCID_TYPES)
def test_without_a_specific_accept_the_request_content_type_is_the_response_type(env, work, accept,
                                                                                  content_type):
    kind = "json" if content_type.endswith("json") else "xml"
    body = (dumps(work_json(title="Again", doi="10.5555/neg", put_code=work)) if kind == "json"
            else work_xml(title="Again", doi="10.5555/neg", put_code=work))
    r = requests.put(env.member + "/work/%d" % work, data=body,
                     headers=auth(env.token, **{"Content-Type": content_type, "Accept": accept}))
    assert r.status_code == 200, r.text
    assert mimetype(r) == content_type
    assert_work_body(r, kind, work)


def test_without_accept_a_json_post_gets_its_error_in_json(mock_orcid, env):
    r = requests.post(env.member + "/work", data="{broken",
                      headers=auth(env.token, **{"Content-Type": "application/orcid+json", "Accept": None}))
    assert mimetype(r) == "application/orcid+json"
    json_error(r, 400, 9047)
    assert work_codes(mock_orcid, env.orcid) == []


def test_accept_with_quality_values_picks_the_clients_preference(env, work):
    r = requests.get(env.member + "/work/%d" % work,
                     headers=auth(env.token, Accept="application/json;q=0.5, application/xml"))
    assert mimetype(r) == "application/xml"
    r = requests.get(env.member + "/work/%d" % work,
                     headers=auth(env.token, Accept="application/xml;q=0.2, application/vnd.orcid+json;q=0.9"))
    assert mimetype(r) == "application/vnd.orcid+json"


def test_browser_accept_header_gets_xml(env, work):
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    r = requests.get(env.member + "/work/%d" % work, headers=auth(env.token, Accept=browser))
    assert r.status_code == 200
    assert mimetype(r).endswith("xml")


@pytest.mark.parametrize("accept", ["text/html", "text/plain", "application/pdf"])
def test_unacceptable_accept_is_406_with_an_orcid_error_body(env, work, accept):
    # ORCID writes the body as JSON and sends no Content-Type (nothing the client accepts fits).
    r = requests.get(env.member + "/work/%d" % work, headers=auth(env.token, Accept=accept))
    assert r.status_code == 406 and "Content-Type" not in r.headers
    fields = json.loads(r.content)
    assert fields["error-code"] == 9001
    assert accept in fields["developer-message"]


def test_unacceptable_accept_on_a_write_is_406_and_writes_nothing(mock_orcid, env):
    before = snapshot(mock_orcid, env.orcid)
    r = requests.post(env.member + "/work", data=dumps(work_json()),
                      headers=auth(env.token, **{"Content-Type": JSON, "Accept": "text/html"}))
    assert r.status_code == 406
    assert snapshot(mock_orcid, env.orcid) == before


# ===================================================================== Content-Type
@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded",
                                          "text/xml; charset=utf-8", None])
def test_unsupported_request_content_type_is_415(mock_orcid, env, content_type):
    before = snapshot(mock_orcid, env.orcid)
    headers = auth(env.token, Accept=JSON)
    if content_type:
        headers["Content-Type"] = content_type
    r = requests.post(env.member + "/work", data=work_xml().encode(), headers=headers)
    json_error(r, 415, 9001)
    assert snapshot(mock_orcid, env.orcid) == before


@pytest.mark.parametrize("content_type", ORCID_TYPES)
def test_every_orcid_media_type_is_accepted_as_request_body(mock_orcid, env, content_type):
    kind = "json" if content_type.endswith("json") else "xml"
    body = dumps(work_json(doi="10.5555/ct")) if kind == "json" else work_xml(doi="10.5555/ct")
    r = requests.post(env.member + "/work", data=body.encode(),
                      headers=auth(env.token, **{"Content-Type": content_type + "; charset=UTF-8"}))
    assert r.status_code == 201, r.text
    assert len(work_codes(mock_orcid, env.orcid)) == 1


def test_json_body_sent_as_xml_content_type_is_400_9001(mock_orcid, env):
    r = requests.post(env.member + "/work", data=dumps(work_json()),
                      headers=auth(env.token, **{"Content-Type": XML, "Accept": XML}))
    xml_error(r, 400, 9001)
    assert work_codes(mock_orcid, env.orcid) == []


def test_xml_body_sent_as_json_content_type_is_400_9047(mock_orcid, env):
    r = requests.post(env.member + "/work", data=work_xml(),
                      headers=auth(env.token, **{"Content-Type": JSON, "Accept": JSON}))
    json_error(r, 400, 9047)
    assert work_codes(mock_orcid, env.orcid) == []


# ===================================================================== member vs public API
def test_pub_host_on_v3_path_is_the_public_api_anonymous_get(env, work):
    r = requests.get(env.member + "/works", headers={"Host": "pub.sandbox.orcid.org", "Accept": JSON})
    assert r.status_code == 200
    codes = [s["put-code"] for g in r.json()["group"] for s in g["work-summary"]]
    assert codes == [work]
    r = requests.get(env.member + "/work/%d" % work, headers={"Host": "pub.orcid.org", "Accept": XML})
    assert r.status_code == 200
    assert_work_body(r, "xml", work)


def test_api_host_on_v3_path_is_the_member_api_and_needs_a_token(env, work):
    r = requests.get(env.member + "/works", headers={"Host": "api.sandbox.orcid.org", "Accept": JSON})
    assert r.status_code == 403
    assert r.json()["error"] == "forbidden"


def test_pub_host_refuses_writes_with_405(mock_orcid, env, work):
    before = snapshot(mock_orcid, env.orcid)
    headers = auth(env.token, Host="pub.sandbox.orcid.org", **{"Content-Type": XML, "Accept": XML})
    xml_error(requests.post(env.member + "/work", data=work_xml(doi="10.5555/w2"), headers=headers),
              405, 9001)
    xml_error(requests.put(env.member + "/work/%d" % work,
                           data=work_xml(doi="10.5555/neg", put_code=work), headers=headers), 405, 9001)
    xml_error(requests.delete(env.member + "/work/%d" % work, headers=headers), 405, 9001)
    assert snapshot(mock_orcid, env.orcid) == before


def test_pub_prefix_lists_public_works_only_and_needs_no_token(mock_orcid, env, work):
    hidden = requests.post(env.member + "/work", data=dumps(work_json(title="Hidden", doi="10.5555/hidden")),
                           headers=auth(env.token, **{"Content-Type": JSON}))
    hidden_pc = int(hidden.headers["Location"].rsplit("/", 1)[1])
    # the researcher changes the work's visibility in ORCID's UI
    mock_orcid.set_visibility(env.orcid, "work", hidden_pc, "private")
    r = requests.get(env.public + "/works", headers={"Accept": JSON})
    assert r.status_code == 200
    assert [s["put-code"] for g in r.json()["group"] for s in g["work-summary"]] == [work]
    r = requests.get(env.public + "/works", headers={"Accept": None})
    assert mimetype(r) == "application/vnd.orcid+xml"
    assert r.text.count("<work:work-summary ") == 1
    # even the source's own token sees only public items on the public API
    r = requests.get(env.public + "/works", headers=auth(env.token, Accept=JSON))
    assert [s["put-code"] for g in r.json()["group"] for s in g["work-summary"]] == [work]
    json_error(requests.get(env.public + "/work/%d" % hidden_pc, headers={"Accept": JSON}), 403, 9039)
    r = requests.get(env.public + "/works/%d,%d" % (work, hidden_pc), headers={"Accept": JSON})
    entries = r.json()["bulk"]
    assert list(entries[0]) == ["work"] and entries[1]["error"]["error-code"] == 9039


def test_public_api_with_an_invalid_token_is_401(env, work):
    r = requests.get(env.public + "/works", headers=auth("not-a-token", Accept=JSON))
    assert r.status_code == 401
    assert r.json()["error"] == "invalid_token"


def test_unknown_path_under_v3_is_404_9001(env):
    r = requests.get(env.member + "/no-such-section", headers=auth(env.token, Accept=JSON))
    json_error(r, 404, 9001)


def test_wrong_method_on_a_known_path_is_405_9001(mock_orcid, env, work):
    before = snapshot(mock_orcid, env.orcid)
    r = requests.put(env.member + "/works", data=dumps(work_json()),
                     headers=auth(env.token, **{"Content-Type": JSON, "Accept": JSON}))
    json_error(r, 405, 9001)
    r = requests.delete(env.member + "/work", headers=auth(env.token, Accept=JSON))
    json_error(r, 405, 9001)
    assert snapshot(mock_orcid, env.orcid) == before


def test_json_responses_are_compact(env, work):
    r = requests.get(env.member + "/work/%d" % work, headers=auth(env.token, Accept=JSON))
    assert "\n" not in r.text and '": ' not in r.text and '", "' not in r.text
    assert json.loads(r.text)["put-code"] == work
