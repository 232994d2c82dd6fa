"""Fixtures that hold records: users with works, fundings, affiliations, person items (files in
XML or JSON, or inline), item visibility and source, record states, clients with fixed secrets
and pre-issued tokens; a published JSON Schema; clear errors; export that loads back the same."""
from __future__ import annotations

import json
import shutil

import jsonschema
import pytest
import requests

from harness_support import (ADA, EXAMPLE_FIXTURES, EXAMPLE_MEMBER, EXAMPLE_TOKEN, JOSIAH, JSON,
                             READ_PUBLIC_TOKEN, XML, bearer, run_cli, server)
from mock_orcid import cli


@pytest.fixture(scope="module")
def example():
    with server(fixtures=str(EXAMPLE_FIXTURES)) as running:
        yield running


def test_a_preissued_token_reads_a_work_loaded_from_an_xml_file_with_its_source(example):
    r = requests.get("%s/v3.0/%s/work/1000" % (example.url, JOSIAH), headers=bearer(EXAMPLE_TOKEN))
    assert r.status_code == 200, r.text
    work = r.json()
    assert work["title"]["title"]["value"] == "Cracked pots: a survey of psychoceramics"
    assert work["put-code"] == 1000
    assert work["source"]["source-client-id"]["path"] == EXAMPLE_MEMBER
    assert work["source"]["source-name"]["value"] == "Example Repository"


def test_item_visibility_from_the_fixture_is_what_the_public_and_member_apis_see(example):
    member = requests.get("%s/v3.0/%s/fundings" % (example.url, JOSIAH), headers=bearer(EXAMPLE_TOKEN))
    summaries = [s for g in member.json()["group"] for s in g["funding-summary"]]
    assert [(s["title"]["title"]["value"], s["visibility"]) for s in summaries] == [
        ("The fracture mechanics of everyday pottery", "limited")]
    public = requests.get("%s/pub/v3.0/%s/fundings" % (example.url, JOSIAH), headers={"Accept": JSON})
    assert public.status_code == 200 and public.json()["group"] == []


def test_inline_json_affiliation_and_inline_xml_keyword_are_on_the_record(example):
    r = requests.get("%s/pub/v3.0/%s/record" % (example.url, JOSIAH), headers={"Accept": JSON})
    record = r.json()
    groups = record["activities-summary"]["employments"]["affiliation-group"]
    employment = groups[0]["summaries"][0]["employment-summary"]
    assert employment["role-title"] == "Professor of Psychoceramics"
    assert employment["organization"]["name"] == "Brown University"
    keywords = record["person"]["keywords"]["keyword"]
    assert [k["content"] for k in keywords] == ["psychoceramics"]
    # The researcher is the source when the fixture names none.
    assert keywords[0]["source"]["source-orcid"]["path"] == JOSIAH


def test_record_state_from_the_fixture_applies(example):
    r = requests.get("%s/pub/v3.0/%s/record" % (example.url, ADA), headers={"Accept": JSON})
    assert r.status_code == 409 and r.json()["error-code"] == 9018


def test_a_preissued_token_writes_without_oauth_and_the_client_credentials_token_reads(example):
    body = {"title": {"title": {"value": "Written with a fixture token"}}, "type": "book",
            "external-ids": {"external-id": [{"external-id-type": "isbn",
                                              "external-id-value": "9780306406157",
                                              "external-id-relationship": "self"}]}}
    r = requests.post("%s/v3.0/%s/work" % (example.url, JOSIAH), json=body,
                      headers=bearer(EXAMPLE_TOKEN, **{"Content-Type": JSON}))
    assert r.status_code == 201, r.text
    assert r.headers["Location"].endswith("/work/1001")   # the sequence continues after 1000
    r = requests.get("%s/v3.0/%s/works" % (example.url, JOSIAH), headers=bearer(READ_PUBLIC_TOKEN))
    assert r.status_code == 200
    titles = {s["title"]["title"]["value"] for g in r.json()["group"] for s in g["work-summary"]}
    assert "Written with a fixture token" in titles


def test_clients_keep_their_fixed_ids_and_secrets(example):
    r = requests.post(example.url + "/oauth/token", data={
        "client_id": EXAMPLE_MEMBER, "client_secret": "example-member-secret",
        "grant_type": "client_credentials", "scope": "/read-public"},
        headers={"Accept": "application/json"})
    assert r.status_code == 200, r.text


# ---------------------------------------------------------------- ORCID's official samples
SAMPLES = ["work-full-3.0.xml", "funding-3.0.xml", "employment-3.0.xml", "education-3.0.xml",
           "peer-review-full-3.0.xml", "research-resource-3.0.xml", "keyword-3.0.xml",
           "researcher-url-3.0.xml", "address-3.0.xml", "other-name-3.0.xml",
           "external-identifier-3.0.xml"]
SECTION_OF = {"work-full": "work", "peer-review-full": "peer-review", "keyword": "keywords",
              "researcher-url": "researcher-urls", "other-name": "other-names",
              "external-identifier": "external-identifiers"}


def test_every_kind_of_item_loads_from_orcids_official_write_samples(official_model, tmp_path):
    samples = official_model / "record_3.0" / "samples" / "write_samples"
    items = []
    for name in SAMPLES:
        shutil.copy(samples / name, tmp_path / name)
        stem = name.replace("-3.0.xml", "")
        items.append({"section": SECTION_OF.get(stem, stem), "file": name,
                      "source": "APP-EXAMPLEMEMBER001"})
    (tmp_path / "fixtures.json").write_text(json.dumps({
        "clients": [{"client_id": "APP-EXAMPLEMEMBER001", "client_secret": "s", "type": "member"}],
        "users": [{"orcid": JOSIAH, "given_names": "Josiah", "items": items}],
        "tokens": [{"access_token": "sample-token", "client_id": "APP-EXAMPLEMEMBER001",
                    "orcid": JOSIAH, "scope": "/read-limited"}]}))
    with server(fixtures=str(tmp_path)) as running:
        r = requests.get("%s/v3.0/%s/record" % (running.url, JOSIAH), headers=bearer("sample-token"))
        assert r.status_code == 200, r.text
        record = r.json()
        acts = record["activities-summary"]
        assert len(acts["works"]["group"]) == 1
        assert len(acts["fundings"]["group"]) == 1
        assert acts["employments"]["affiliation-group"] and acts["educations"]["affiliation-group"]
        assert acts["peer-reviews"]["group"] and acts["research-resources"]["group"]
        person = record["person"]
        for key, inner in (("keywords", "keyword"), ("researcher-urls", "researcher-url"),
                           ("addresses", "address"), ("other-names", "other-name"),
                           ("external-identifiers", "external-identifier")):
            assert len(person[key][inner]) == 1, key
        # XML answers validate against ORCID's schema as the API's always do.
        r = requests.get("%s/v3.0/%s/record" % (running.url, JOSIAH), headers=bearer("sample-token", XML))
        assert r.status_code == 200 and b"work:work-summary" in r.content


# ---------------------------------------------------------------- the schema
def test_the_published_schema_is_a_valid_json_schema_and_the_examples_follow_it(example):
    result = run_cli("fixtures", "schema")
    assert result.returncode == 0, result.stderr
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    for path in (EXAMPLE_FIXTURES / "fixtures.json", cli.__file__.replace("cli.py", "")
                 + "../fixtures/default.json"):
        jsonschema.validate(json.loads(open(path, encoding="utf-8").read()), schema)
    assert requests.get(example.url + "/__admin/fixtures/schema").json() == schema


# ---------------------------------------------------------------- bad fixtures
def _work(title="A work", doi="10.5555/1"):
    return ('<work:work xmlns:common="http://www.orcid.org/ns/common" '
            'xmlns:work="http://www.orcid.org/ns/work"><work:title><common:title>%s</common:title>'
            '</work:title><work:type>book</work:type><common:external-ids><common:external-id>'
            '<common:external-id-type>doi</common:external-id-type><common:external-id-value>%s'
            '</common:external-id-value><common:external-id-relationship>self'
            '</common:external-id-relationship></common:external-id></common:external-ids>'
            '</work:work>' % (title, doi))


BAD = {
    "unknown key": ({"users": [{"given_names": "A", "items": [{"section": "work", "xml": _work(),
                                                                "colour": "red"}]}]},
                    "$.users[0].items[0]", "colour"),
    "wrong type": ({"users": [{"given_names": 7}]}, "$.users[0].given_names", "not of type"),
    "bad check digit": ({"users": [{"orcid": "0000-0002-1825-0098"}]}, "$.users[0].orcid",
                        "check digit"),
    "invalid against the XSD": ({"users": [{"items": [{"section": "work", "xml": _work().replace(
        "<work:type>book</work:type>", "")}]}]}, "$.users[0].items[0].xml", "9001"),
    "ORCID rule": ({"users": [{"items": [{"section": "work", "xml": _work().replace(
        "self", "part-of")}]}]}, "$.users[0].items[0].xml", "9023"),
    "duplicate from one source": ({"users": [{"items": [
        {"section": "work", "xml": _work()}, {"section": "work", "xml": _work("Again")}]}]},
        "$.users[0].items[1].xml", "9021"),
    "unknown source client": ({"users": [{"items": [{"section": "work", "xml": _work(),
                                                     "source": "APP-NOSUCHCLIENT0001"}]}]},
                              "$.users[0].items[0].source", "no client"),
    "scope a public client cannot hold": (
        {"clients": [{"client_id": "APP-PUBLICCLIENT0001", "type": "public"}],
         "users": [{"orcid": JOSIAH}],
         "tokens": [{"access_token": "tok-123456", "client_id": "APP-PUBLICCLIENT0001",
                     "orcid": JOSIAH, "scope": "/activities/update"}]},
        "$.tokens[0].scope", "cannot hold"),
    "missing item file": ({"users": [{"items": [{"section": "work", "file": "nope.xml"}]}]},
                          "$.users[0].items[0].file", "cannot read"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_fixture_names_the_file_and_the_path_of_the_bad_value(case, tmp_path, capsys):
    document, path, words = BAD[case]
    file = tmp_path / "fixtures.json"
    file.write_text(json.dumps(document))
    assert cli.main(["fixtures", "check", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert str(file) in err and path in err and words in err, err
    assert "Traceback" not in err


def test_serve_with_a_bad_fixture_stops_with_the_message_and_no_traceback(tmp_path):
    (tmp_path / "fixtures.json").write_text(json.dumps(BAD["duplicate from one source"][0]))
    result = run_cli("serve", "--port", "0", "--fixtures", str(tmp_path))
    assert result.returncode == 2
    assert "fixtures.json: $.users[0].items[1].xml" in result.stderr and "9021" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_file_that_is_not_json_is_named_with_its_line(tmp_path, capsys):
    (tmp_path / "broken.json").write_text('{"users": [\n  {"orcid": }\n]}')
    assert cli.main(["fixtures", "check", str(tmp_path / "broken.json")]) == 2
    err = capsys.readouterr().err
    assert "broken.json" in err and "line 2" in err


# ---------------------------------------------------------------- export
def test_export_writes_a_folder_that_loads_back_to_the_same_state(tmp_path, capsys):
    with server(fixtures=str(EXAMPLE_FIXTURES)) as first:
        url = first.url
        # Change things after the load: a new user, a work, a visibility, a token from OAuth.
        user = requests.post(url + "/__admin/users", json={"given_names": "Nova"}).json()
        body = {"title": {"title": {"value": "Exported work"}}, "type": "book",
                "external-ids": {"external-id": [{"external-id-type": "doi",
                                                  "external-id-value": "10.5555/exported",
                                                  "external-id-relationship": "self"}]}}
        r = requests.post("%s/v3.0/%s/work" % (url, JOSIAH), json=body,
                          headers=bearer(EXAMPLE_TOKEN, **{"Content-Type": JSON}))
        assert r.status_code == 201
        put_code = int(r.headers["Location"].rsplit("/", 1)[1])
        r = requests.patch("%s/__admin/users/%s/work/%d" % (url, JOSIAH, put_code),
                           json={"visibility": "private"})
        assert r.status_code == 200
        before = requests.get(url + "/__admin/fixtures").json()
        record_before = requests.get("%s/v3.0/%s/record" % (url, JOSIAH),
                                     headers=bearer(EXAMPLE_TOKEN)).json()
        assert cli.main(["fixtures", "export", str(tmp_path / "out"), "--url", url]) == 0
    assert "1 " not in capsys.readouterr().err
    assert (tmp_path / "out" / "fixtures.json").is_file()
    assert (tmp_path / "out" / "items" / JOSIAH / ("work-%d.xml" % put_code)).is_file()

    with server(fixtures=str(tmp_path / "out")) as second:
        after = requests.get(second.url + "/__admin/fixtures").json()
        record_after = requests.get("%s/v3.0/%s/record" % (second.url, JOSIAH),
                                    headers=bearer(EXAMPLE_TOKEN)).json()
        assert requests.get("%s/__admin/users/%s" % (second.url, user["orcid"])).status_code == 200

    for doc in (before, after):
        for u in doc["users"]:
            u.pop("last_modified", None)
    assert after["users"] == before["users"]
    assert after["clients"] == before["clients"]
    assert after["tokens"] == before["tokens"]
    assert after["sequences"] == before["sequences"]
    works = lambda rec: [(s["put-code"], s["visibility"], s["title"]["title"]["value"])  # noqa: E731
                         for g in rec["activities-summary"]["works"]["group"] for s in g["work-summary"]]
    assert works(record_after) == works(record_before)
    assert (put_code, "private", "Exported work") in works(record_after)


def test_items_loaded_from_fixtures_leave_no_amended_notifications():
    # Fixtures describe a record's state, not member API calls made to it.
    with server(fixtures=str(EXAMPLE_FIXTURES)) as running:
        r = requests.get("%s/__admin/users/%s/notifications" % (running.url, JOSIAH))
        assert r.status_code == 200 and r.json() == []
        requests.post(running.url + "/__admin/reset")
        assert requests.get("%s/__admin/users/%s/notifications" % (running.url, JOSIAH)).json() == []
