"""API 2.0 and 2.1 over real HTTP: one registry, many views.

Every 2.x write sample is accepted on its version and reads back valid against that version's
official schema; every 3.0 write sample of a section 2.x has reads back through 2.0 and 2.1
valid against the official 2.x schemas (and the other way round, through 3.0); 2.x's own
spellings (http:// in 2.0, Java constant enums in JSON, flat affiliations, one-level peer-review
groups) and its mapping of 3.0-only data.
"""
from __future__ import annotations

import itertools
import json

import pytest
import requests
from conformance_support import official_schemas, pick_set
from v2_support import MODEL, VERSIONS, problems, samples

from mock_orcid.registry import sections
from mock_orcid.registry.namespaces import NS, local_name, qn
from mock_orcid.wire import jsonmap, schemas, xmlio

XML, JSON = "application/vnd.orcid+xml", "application/vnd.orcid+json"
SCOPES = "/read-limited /activities/update /person/update"
C = "{%s}" % NS["common"]
WRITE_30 = MODEL / "record_3.0" / "samples" / "write_samples"
BY_TAG = {s.tag: s for s in sections.SECTIONS}
_n = itertools.count(1)


@pytest.fixture
def env(mock_orcid):
    user = mock_orcid.create_user(given_names="Ada", family_name="Lovelace",
                                  email="ada%d@example.org" % next(_n))
    client = mock_orcid.create_client(name="Version client")
    token = mock_orcid.token(client, user, SCOPES)["access_token"]
    return mock_orcid.url, user["orcid"], token, client


def _h(token, accept=XML, **more):
    return {"Authorization": "Bearer " + token, "Accept": accept, **more}


def _segment(section) -> str:
    return section.name if section.kind == "activity" else section.plural


def _post(base, version, orcid, token, body: bytes, tag: str, kind="xml"):
    section = BY_TAG[tag]
    ctype = XML if kind == "xml" else JSON
    return requests.post("%s/v%s/%s/%s" % (base, version, orcid, _segment(section)), data=body,
                         headers=_h(token, Content_Type=ctype) | {"Content-Type": ctype})


def _valid_2x(version, content: bytes):
    elem = xmlio.parse(content)
    assert problems(version, elem) == [], xmlio.to_bytes(elem)[:600]
    return elem


def _write_samples_2x(version):
    return [p for p in samples(version, "write_sample") if not p.name.startswith("bulk")]


# ------------------------------------------------------------------ 2.x writes, 2.x and 3.0 reads
@pytest.mark.parametrize("version", VERSIONS)
def test_every_2x_write_sample_is_stored_and_reads_back_in_every_version(env, version):
    base, orcid, token, _client = env
    for path in _write_samples_2x(version):
        root = xmlio.parse(path.read_bytes())
        if "simple" in path.name:
            continue    # the same item as the full sample: ORCID would answer 409
        r = _post(base, version, orcid, token, path.read_bytes(), root.tag)
        assert r.status_code == 201, (path.name, r.text[:400])
        location = r.headers["Location"]
        assert "/v%s/%s/" % (version, orcid) in location
        put_code = location.rsplit("/", 1)[1]
        for other in VERSIONS:
            got = requests.get(location.replace("/v%s/" % version, "/v%s/" % other),
                               headers=_h(token))
            assert got.status_code == 200, got.text[:300]
            _valid_2x(other, got.content)
        seg = location.split("/")[-2]
        got = requests.get("%s/v3.0/%s/%s/%s" % (base, orcid, seg, put_code), headers=_h(token))
        elem = xmlio.parse(got.content)
        assert official_schemas()[pick_set(elem)].is_valid(elem), path.name


@pytest.mark.parametrize("version", VERSIONS)
def test_every_2x_view_of_a_full_record_is_valid_in_xml_and_maps_back_from_json(env, version):
    base, orcid, token, _client = env
    for path in _write_samples_2x(version):
        root = xmlio.parse(path.read_bytes())
        if "simple" in path.name:
            continue
        assert _post(base, version, orcid, token, path.read_bytes(), root.tag).status_code == 201
    views = ("", "/record", "/person", "/personal-details", "/activities", "/works", "/fundings",
             "/educations", "/employments", "/peer-reviews", "/researcher-urls", "/other-names",
             "/keywords", "/address", "/external-identifiers", "/email", "/biography")
    for api, prefix in (("member", ""), ("public", "/pub")):
        for view in views:
            url = "%s%s/v%s/%s%s" % (base, prefix, version, orcid, view)
            got = requests.get(url, headers=_h(token))
            if view == "/biography" and got.status_code == 404:
                continue
            assert got.status_code == 200, (api, view, got.text[:300])
            elem = _valid_2x(version, got.content)
            as_json = requests.get(url, headers=_h(token, JSON))
            assert as_json.status_code == 200
            back = jsonmap.to_element(as_json.json(), elem.tag, schemas.record_set(version))
            assert _canon(back) == _canon(jsonmap.json_view(elem, schemas.record_set(version))), \
                (api, view)


def _canon(elem):
    def norm(e):
        return (e.tag, sorted(e.attrib.items()), (e.text or "").strip(), [norm(c) for c in e])
    return norm(elem)


# ------------------------------------------------------------------ 3.0 writes, 2.x reads
def _samples_30():
    out = []
    for path in sorted(WRITE_30.glob("*.xml")):
        root = xmlio.parse(path.read_bytes())
        section = BY_TAG.get(root.tag)
        if section is not None and "2.0" in section.versions and "no-name" not in path.name:
            out.append(path)
    return out


def test_every_3_0_write_of_a_2x_section_reads_through_2_0_and_2_1(env):
    base, orcid, token, _client = env
    created = []
    for path in _samples_30():
        root = xmlio.parse(path.read_bytes())
        r = _post(base, "3.0", orcid, token, path.read_bytes(), root.tag)
        if r.status_code == 409:
            continue    # a second sample of the same item
        assert r.status_code == 201, (path.name, r.text[:300])
        created.append((path.name, r.headers["Location"]))
    assert len(created) >= 10
    for version in VERSIONS:
        for name, location in created:
            got = requests.get(location.replace("/v3.0/", "/v%s/" % version), headers=_h(token))
            assert got.status_code == 200, (name, got.text[:300])
            _valid_2x(version, got.content)
        for view in ("", "/activities", "/works", "/fundings", "/educations", "/peer-reviews",
                     "/person"):
            got = requests.get("%s/v%s/%s%s" % (base, version, orcid, view), headers=_h(token))
            assert got.status_code == 200
            _valid_2x(version, got.content)


def test_2_0_names_people_and_clients_with_http_and_2_1_with_https(env):
    base, orcid, token, client = env
    work = (WRITE_30 / "work-simple-3.0.xml").read_bytes()
    location = _post(base, "3.0", orcid, token, work, qn("work", "work")).headers["Location"]
    for version, scheme in (("2.0", "http://"), ("2.1", "https://"), ("3.0", "https://")):
        got = xmlio.parse(requests.get(location.replace("/v3.0/", "/v%s/" % version),
                                       headers=_h(token)).content)
        uri = got.findtext("%ssource/%ssource-client-id/%suri" % (C, C, C))
        assert uri.startswith(scheme) and uri.endswith("/client/" + client["client_id"])
        record = xmlio.parse(requests.get("%s/v%s/%s" % (base, version, orcid),
                                          headers=_h(token)).content)
        assert record.findtext("%sorcid-identifier/%suri" % (C, C)).startswith(scheme)


def test_2x_json_writes_enums_as_java_constants(env):
    base, orcid, token, _client = env
    work = (WRITE_30 / "work-simple-3.0.xml").read_bytes()
    location = _post(base, "3.0", orcid, token, work, qn("work", "work")).headers["Location"]
    v2 = requests.get(location.replace("/v3.0/", "/v2.0/"), headers=_h(token, JSON)).json()
    v3 = requests.get(location, headers=_h(token, JSON)).json()
    assert v2["type"] == v3["type"].upper().replace("-", "_")
    assert v2["visibility"] == v3["visibility"].upper()
    assert v2["external-ids"]["external-id"][0]["external-id-relationship"] == "SELF"
    assert "external-id-normalized" not in v2["external-ids"]["external-id"][0]
    assert set(v2["source"]) == {"source-orcid", "source-client-id", "source-name"}
    assert list(v2)[:5] == ["created-date", "last-modified-date", "source", "put-code", "path"]
    works = requests.get("%s/v2.0/%s/works" % (base, orcid), headers=_h(token, JSON)).json()
    summary = works["group"][0]["work-summary"][0]
    assert list(summary)[0] == "put-code"
    assert summary["publication-date"] is None or "media-type" in summary["publication-date"]


def test_a_2x_json_bulk_write_is_accepted_and_answered_in_2x_json(env):
    base, orcid, token, _client = env
    body = (MODEL / "record_2.0" / "samples" / "write_sample" / "bulk-work-2.0.json").read_bytes()
    r = requests.post("%s/v2.0/%s/works" % (base, orcid), data=body,
                      headers=_h(token, JSON) | {"Content-Type": JSON})
    assert r.status_code == 200, r.text[:300]
    results = r.json()["bulk"]
    assert results and all("work" in entry for entry in results), results[:1]
    assert all(entry["work"]["type"].isupper() for entry in results)
    xml_read = requests.get("%s/v2.0/%s/works" % (base, orcid), headers=_h(token))
    _valid_2x("2.0", xml_read.content)


# ------------------------------------------------------------------ what 2.x cannot show
WORK_30 = b"""<work:work xmlns:work="http://www.orcid.org/ns/work"
  xmlns:common="http://www.orcid.org/ns/common">
  <work:title><common:title>Only in 3.0</common:title></work:title>
  <work:type>%s</work:type>
  <common:external-ids>
    <common:external-id><common:external-id-type>doi</common:external-id-type>
      <common:external-id-value>10.1000/%s</common:external-id-value>
      <common:external-id-relationship>self</common:external-id-relationship></common:external-id>
    <common:external-id><common:external-id-type>doi</common:external-id-type>
      <common:external-id-value>10.1000/preprint-%s</common:external-id-value>
      <common:external-id-relationship>version-of</common:external-id-relationship></common:external-id>
  </common:external-ids>
  <common:url>https://example.org/only-in-3</common:url>
  <work:contributors><work:contributor><work:credit-name>A. Writer</work:credit-name>
    <work:contributor-attributes><work:contributor-role>http://credit.niso.org/contributor-roles/writing-original-draft/</work:contributor-role></work:contributor-attributes>
  </work:contributor><work:contributor><work:credit-name>A. Curator</work:credit-name>
    <work:contributor-attributes><work:contributor-role>http://credit.niso.org/contributor-roles/data-curation/</work:contributor-role></work:contributor-attributes>
  </work:contributor></work:contributors>
</work:work>"""


@pytest.mark.parametrize("work_type, shown_as", [("software", "other"), ("preprint", "other"),
                                                 ("dissertation-thesis", "dissertation"),
                                                 ("journal-article", "journal-article")])
def test_3_0_only_work_data_is_mapped_or_left_out_in_2x(env, work_type, shown_as):
    base, orcid, token, _client = env
    body = WORK_30 % (work_type.encode(), work_type.encode(), work_type.encode())
    location = _post(base, "3.0", orcid, token, body, qn("work", "work")).headers["Location"]
    for version in VERSIONS:
        got = _valid_2x(version, requests.get(location.replace("/v3.0/", "/v%s/" % version),
                                              headers=_h(token)).content)
        assert got.findtext(qn("work", "type")) == shown_as
        values = [e.findtext(C + "external-id-value") for e in got.iter(C + "external-id")]
        assert values == ["10.1000/%s" % work_type]          # version-of is not shown
        assert got.findtext(qn("work", "url")) == "https://example.org/only-in-3"
        roles = [(c.findtext(qn("work", "credit-name")),
                  c.findtext(".//" + qn("work", "contributor-role")))
                 for c in got.iter(qn("work", "contributor"))]
        assert roles == [("A. Writer", "author"), ("A. Curator", None)]


def test_3_0_only_sections_do_not_exist_in_2x(env):
    base, orcid, token, _client = env
    distinction = (WRITE_30 / "distinction-3.0.xml").read_bytes()
    location = _post(base, "3.0", orcid, token, distinction,
                     qn("distinction", "distinction")).headers["Location"]
    put_code = location.rsplit("/", 1)[1]
    for version in VERSIONS:
        assert requests.get("%s/v%s/%s/distinctions" % (base, version, orcid),
                            headers=_h(token)).status_code == 404
        assert requests.get("%s/v%s/%s/research-resources" % (base, version, orcid),
                            headers=_h(token)).status_code == 404
        got = requests.get("%s/v%s/%s/education/%s" % (base, version, orcid, put_code),
                           headers=_h(token))
        assert got.status_code == 404 and "9016" in got.text
        acts = _valid_2x(version, requests.get("%s/v%s/%s/activities" % (base, version, orcid),
                                               headers=_h(token)).content)
        assert [local_name(c.tag) for c in acts if c.tag != C + "last-modified-date"] == [
            "educations", "employments", "fundings", "peer-reviews", "works"]


def test_2x_lists_affiliations_flat_and_peer_reviews_in_one_group_level(env):
    base, orcid, token, _client = env
    for name in ("education-3.0.xml", "employment-3.0.xml", "peer-review-full-3.0.xml"):
        body = (WRITE_30 / name).read_bytes()
        assert _post(base, "3.0", orcid, token, body, xmlio.parse(body).tag).status_code == 201
    edu = _valid_2x("2.0", requests.get("%s/v2.0/%s/educations" % (base, orcid),
                                        headers=_h(token)).content)
    assert [local_name(c.tag) for c in edu][-1] == "education-summary"
    assert edu.find(qn("activities", "affiliation-group")) is None
    reviews = _valid_2x("2.0", requests.get("%s/v2.0/%s/peer-reviews" % (base, orcid),
                                            headers=_h(token)).content)
    group = reviews.find(qn("activities", "group"))
    assert group.findtext(".//" + C + "external-id-type") == "peer-review"
    assert group.find(qn("peer-review", "peer-review-summary")) is not None
    assert group.find(qn("activities", "peer-review-group")) is None


def test_a_2x_update_of_an_affiliation_keeps_its_3_0_link_and_ids(env):
    base, orcid, token, _client = env
    body = (WRITE_30 / "employment-3.0.xml").read_bytes()
    location = _post(base, "3.0", orcid, token, body, qn("employment", "employment")).headers[
        "Location"]
    before = xmlio.parse(requests.get(location, headers=_h(token)).content)
    v2_url = location.replace("/v3.0/", "/v2.0/")
    item = xmlio.parse(requests.get(v2_url, headers=_h(token)).content)
    item.find(qn("employment", "role-title")).text = "Changed through 2.0"
    for meta in ("created-date", "last-modified-date", "source"):
        node = item.find(C + meta)
        if node is not None:
            item.remove(node)
    r = requests.put(v2_url, data=xmlio.to_bytes(item),
                     headers=_h(token) | {"Content-Type": XML})
    assert r.status_code == 200, r.text[:300]
    _valid_2x("2.0", r.content)
    after = xmlio.parse(requests.get(location, headers=_h(token)).content)
    assert after.findtext(C + "role-title") == "Changed through 2.0"
    assert after.findtext(C + "url") == before.findtext(C + "url")
    assert len(after.findall(".//" + C + "external-id")) == len(before.findall(".//" + C + "external-id"))


def test_a_2x_write_refuses_what_only_3_0_can_say(env):
    base, orcid, token, _client = env
    body = WORK_30 % (b"software", b"x", b"x")
    for version in VERSIONS:
        r = _post(base, version, orcid, token, body, qn("work", "work"))
        assert r.status_code == 400 and "<error:error-code>9001<" in r.text
    listed = requests.get("%s/v3.0/%s/works" % (base, orcid), headers=_h(token))
    assert xmlio.parse(listed.content).find(qn("activities", "group")) is None


def test_2x_error_bodies_are_orcids_in_the_requested_format(env):
    base, orcid, token, _client = env
    r = requests.get("%s/v2.0/%s/work/999999" % (base, orcid), headers=_h(token, JSON))
    assert r.status_code == 404
    assert list(r.json()) == ["response-code", "developer-message", "user-message",
                              "error-code", "more-info"]
    assert r.json()["error-code"] == 9016
    r = requests.get("%s/v2.0/%s/works" % (base, orcid), headers=_h("not-a-token"))
    assert r.status_code == 401


def test_retired_versions_get_orcids_answers(env):
    base, orcid, token, _client = env
    for version in ("v1.2", "v1.1"):
        r = requests.get("%s/%s/%s/works" % (base, version, orcid), headers=_h(token, JSON))
        assert r.status_code == 400 and r.json()["error-code"] == 9012
    r = requests.get("%s/v2.0_rc3/%s/works?x=1" % (base, orcid), headers=_h(token, JSON),
                     allow_redirects=False)
    assert r.status_code == 301 and r.json()["error-code"] == 9056
    assert r.headers["Location"].endswith("/v2.0/%s/works?x=1" % orcid)
    assert requests.get("%s/v2.2/%s/works" % (base, orcid), headers=_h(token)).status_code == 404
