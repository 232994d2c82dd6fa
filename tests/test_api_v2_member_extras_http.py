"""API 2.0 and 2.1 beyond the record, over real HTTP: group-id records and permission
notifications on the member API, and the plain-text status on both APIs.

ORCID's stored model has no group-id-2.0.xsd and no notification-permission-2.0.xsd. The 3.0
files import common 2.1 (and, for notifications, activities 2.1), and ORCID's 2.0 files differ
from them only in importing the 2.0 files and, for notifications, in allowing five item types
(notes-api-2x §2.6). So a 2.1 answer is checked against the official 3.0 file as it is, and a 2.0
answer against the same file with common 2.0 (and activities 2.0) loaded in place of 2.1.
"""
from __future__ import annotations

import itertools
import re
from functools import cache

import pytest
import requests
import xmlschema
from v2_support import MODEL, VERSIONS

from mock_orcid.registry.namespaces import NS, qn
from mock_orcid.wire import xmlio

XML, JSON = "application/vnd.orcid+xml", "application/vnd.orcid+json"
C = "{%s}" % NS["common"]
G = "{%s}" % NS["group-id"]
N = "{http://www.orcid.org/ns/notification}"
ERR = "{http://www.orcid.org/ns/error}"
ITEM_TYPES_2X = {"education", "employment", "funding", "peer-review", "work"}
_n = itertools.count(1)


@cache
def official(version: str, kind: str) -> xmlschema.XMLSchema11:
    """ORCID's 3.0 group-id or notification-permission file over ``version``'s common files.

    The common namespace loaded first wins: xmlschema skips the 3.0 file's import of
    common 2.1 once the namespace is there."""
    files = [MODEL / ("common_" + version) / ("common-%s.xsd" % version)]
    if kind == "group-id":
        files.append(MODEL / "group-id-3.0" / "group-id-3.0.xsd")
    else:
        files += [MODEL / ("record_" + version) / ("activities-%s.xsd" % version),
                  MODEL / "notification_3.0" / "notification-permission-3.0.xsd"]
    schema = xmlschema.XMLSchema11([str(f) for f in files], allow="local")
    loaded = [s.url for s in schema.maps.namespaces[NS["common"]]]
    assert len(loaded) == 1 and loaded[0].endswith("common-%s.xsd" % version), loaded
    return schema


def valid(version, kind, content: bytes):
    elem = xmlio.parse(content)
    errors = [e.reason or e.message for e in official(version, kind).iter_errors(elem)][:3]
    assert errors == [], (errors, content[:600])
    return elem


def error_code(r):
    return r.status_code, xmlio.parse(r.content).findtext(ERR + "error-code")


def client_uris(elem):
    return [u.text for u in elem.iter(C + "uri")
            if "/client/" in (u.text or "")]


# ------------------------------------------------------------------ group-id-record
def group_xml(n, name=None, put_code=None):
    attrs = ' put-code="%s"' % put_code if put_code else ""
    return ('<group-id:group-id-record xmlns:group-id="http://www.orcid.org/ns/group-id"%s>'
            '<group-id:name>%s</group-id:name><group-id:group-id>publons:v2-%d</group-id:group-id>'
            '<group-id:description>A journal</group-id:description>'
            '<group-id:type>journal</group-id:type></group-id:group-id-record>'
            % (attrs, name or "Version journal %d" % n, n)).encode()


@pytest.fixture
def groups(mock_orcid):
    client = mock_orcid.create_client(name="Group client")
    token = mock_orcid.token(client, None, "/group-id-record/read /group-id-record/update")
    return mock_orcid.url, token["access_token"]


def _gh(token, accept=XML):
    return {"Authorization": "Bearer " + token, "Accept": accept, "Content-Type": XML}


@pytest.mark.parametrize("version", VERSIONS)
def test_a_2x_client_creates_reads_updates_lists_and_deletes_group_id_records(groups, version):
    base, token = groups
    n = next(_n)
    r = requests.post("%s/v%s/group-id-record" % (base, version), data=group_xml(n),
                      headers=_gh(token))
    assert r.status_code == 201, r.text
    location = r.headers["Location"]
    assert re.fullmatch(re.escape(base) + r"/v%s/group-id-record/\d+" % re.escape(version),
                        location), location
    put_code = location.rsplit("/", 1)[1]

    got = requests.get(location, headers=_gh(token))
    assert got.status_code == 200, got.text
    elem = valid(version, "group-id", got.content)
    assert elem.get("put-code") == put_code and elem.findtext(G + "group-id") == "publons:v2-%d" % n

    new_name = "Renamed journal %d" % n
    put = requests.put(location, data=group_xml(n, new_name, put_code), headers=_gh(token))
    assert put.status_code == 200, put.text
    assert valid(version, "group-id", put.content).findtext(G + "name") == new_name

    for params in ({"group-id": "publons:v2-%d" % n}, {"name": new_name}):
        found = requests.get("%s/v%s/group-id-record" % (base, version), params=params,
                             headers=_gh(token))
        assert found.status_code == 200
        assert valid(version, "group-id", found.content).get("put-code") == put_code

    page = requests.get("%s/v%s/group-id-record" % (base, version),
                        params={"page-size": 1000}, headers=_gh(token))
    assert page.status_code == 200
    listed = valid(version, "group-id", page.content)
    assert put_code in [g.get("put-code") for g in listed.findall(G + "group-id-record")]

    assert requests.delete(location, headers=_gh(token)).status_code == 204
    gone = error_code(requests.get(location, headers=_gh(token)))
    assert gone[0] == 400 and gone == error_code(
        requests.get(location.replace("/v%s/" % version, "/v3.0/"), headers=_gh(token)))


def test_group_id_records_name_their_source_client_with_http_in_2_0_and_https_otherwise(groups):
    base, token = groups
    location = requests.post("%s/v3.0/group-id-record" % base, data=group_xml(next(_n)),
                             headers=_gh(token)).headers["Location"]
    schemes = {}
    for version in ("2.0", "2.1", "3.0"):
        got = requests.get(location.replace("/v3.0/", "/v%s/" % version), headers=_gh(token))
        assert got.status_code == 200, got.text
        uris = client_uris(xmlio.parse(got.content))
        assert uris, got.text
        schemes[version] = {u.split(":", 1)[0] for u in uris}
        listed = requests.get("%s/v%s/group-id-record" % (base, version),
                              params={"page-size": 1000}, headers=_gh(token))
        assert {u.split(":", 1)[0] for u in client_uris(xmlio.parse(listed.content))} \
            == schemes[version]
    assert schemes == {"2.0": {"http"}, "2.1": {"https"}, "3.0": {"https"}}
    # 3.0 still reads https after a 2.0 read: the 2.0 view never touches what is stored
    again = requests.get(location, headers=_gh(token))
    assert {u.split(":", 1)[0] for u in client_uris(xmlio.parse(again.content))} == {"https"}
    # ORCID's JSON of a group-id record carries no source: the same in every version
    as_json = [requests.get(location.replace("/v3.0/", "/v%s/" % v), headers=_gh(token, JSON))
               for v in ("2.0", "2.1", "3.0")]
    assert all(r.status_code == 200 for r in as_json)
    assert as_json[0].json() == as_json[1].json() == as_json[2].json()


@pytest.mark.parametrize("version", VERSIONS)
def test_2x_group_id_record_calls_need_the_group_id_scopes_and_a_member_host(
        mock_orcid, groups, version):
    base, _token = groups
    client = mock_orcid.create_client(name="No group scope")
    other = mock_orcid.token(client, None, "/read-public")["access_token"]
    for api in ("3.0", version):
        url = "%s/v%s/group-id-record" % (base, api)
        read = requests.get(url, headers=_gh(other))
        write = requests.post(url, data=group_xml(next(_n)), headers=_gh(other))
        if api == "3.0":
            expected = (error_code(read), error_code(write))
        else:
            assert (error_code(read), error_code(write)) == expected
    assert expected[0][0] == 403
    pub = requests.get("%s/v%s/group-id-record" % (base, version),
                       headers=dict(_gh(other), Host="pub.localhost"))
    assert pub.status_code == 404


# ------------------------------------------------------------------ notification-permission
def notification_xml(item_type="work"):
    return ("""<notification:notification xmlns:notification="http://www.orcid.org/ns/notification"
    xmlns:common="http://www.orcid.org/ns/common">
  <notification:notification-type>permission</notification:notification-type>
  <notification:authorization-url>
    <notification:path>/oauth/authorize?client_id=APP-MOCKPREMIUM00001&amp;response_type=code&amp;scope=/activities/update&amp;redirect_uri=http://localhost</notification:path>
    <notification:host>sandbox.orcid.org</notification:host>
  </notification:authorization-url>
  <notification:notification-subject>Connect your record</notification:notification-subject>
  <notification:notification-intro>We would like to add your %ss.</notification:notification-intro>
  <notification:items>
    <notification:item>
      <notification:item-type>%s</notification:item-type>
      <notification:item-name>Cracked pots</notification:item-name>
      <common:external-id>
        <common:external-id-type>doi</common:external-id-type>
        <common:external-id-value>10.1234/pots</common:external-id-value>
        <common:external-id-relationship>self</common:external-id-relationship>
      </common:external-id>
    </notification:item>
  </notification:items>
</notification:notification>""" % (item_type, item_type)).encode()


@pytest.fixture
def premium(mock_orcid):
    client = mock_orcid.create_client(name="Premium v2", type="premium")
    token = mock_orcid.token(client, None, "/premium-notification")["access_token"]
    user = mock_orcid.create_user()
    return mock_orcid.url, user["orcid"], token


def _nurl(base, version, orcid):
    return "%s/v%s/%s/notification-permission" % (base, version, orcid)


@pytest.mark.parametrize("version", VERSIONS)
def test_a_2x_premium_client_sends_reads_lists_and_archives_permission_notifications(
        premium, version):
    base, orcid, token = premium
    r = requests.post(_nurl(base, version, orcid), data=notification_xml("funding"),
                      headers=_gh(token))
    assert r.status_code == 201, r.text
    location = r.headers["Location"]
    assert re.fullmatch(re.escape(_nurl(base, version, orcid)) + r"/\d+", location), location

    got = requests.get(location, headers=_gh(token))
    assert got.status_code == 200, got.text
    elem = valid(version, "notification", got.content)
    assert elem.findtext(".//%sitem-type" % N) == "funding"
    assert {u.split(":", 1)[0] for u in client_uris(elem)} == \
        {"http" if version == "2.0" else "https"}

    listed = requests.get(_nurl(base, version, orcid), headers=_gh(token))
    assert listed.status_code == 200
    assert [e.get("put-code") for e in valid(version, "notification", listed.content)] \
        == [location.rsplit("/", 1)[1]]

    archived = requests.delete(location, headers=_gh(token))
    assert archived.status_code == 200, archived.text
    assert valid(version, "notification", archived.content).find(C + "archived-date") is not None

    # 2.x JSON, as ORCID's permission_v2 classes write it: enums by Java constant name
    as_json = requests.get(location, headers=_gh(token, JSON))
    assert as_json.status_code == 200
    doc = as_json.json()
    assert doc["notification-type"] == "PERMISSION"
    item = doc["items"]["item"][0]
    assert (item["item-type"], item["item-name"]) == ("FUNDING", "Cracked pots")
    assert item["external-id"]["external-id-relationship"] == "SELF"
    assert doc["source"]["source-client-id"]["uri"].startswith(
        "http://" if version == "2.0" else "https://")
    three = requests.get(location.replace("/v%s/" % version, "/v3.0/"),
                         headers=_gh(token, JSON)).json()
    assert three["items"]["item"][0]["item-type"] == "funding"


@pytest.mark.parametrize("version", VERSIONS)
def test_a_2x_permission_notification_may_only_name_the_five_2x_item_types(premium, version):
    base, orcid, token = premium
    for item_type in sorted(ITEM_TYPES_2X):
        r = requests.post(_nurl(base, version, orcid), data=notification_xml(item_type),
                          headers=_gh(token))
        assert r.status_code == 201, (item_type, r.text)
    for item_type in ("qualification", "invited-position", "distinction", "membership",
                      "service"):
        refused = requests.post(_nurl(base, version, orcid), data=notification_xml(item_type),
                                headers=_gh(token))
        assert error_code(refused) == (400, "9001"), (item_type, refused.text)
        # 3.0 takes the same body
        assert requests.post(_nurl(base, "3.0", orcid), data=notification_xml(item_type),
                             headers=_gh(token)).status_code == 201
    # the same rule for a JSON body, in 2.x's JSON (Java constant enums); an invalid JSON body
    # is 9047, as in 3.0
    as_json = requests.get(_nurl(base, version, orcid), headers=_gh(token, JSON)).json()
    body = {k: v for k, v in as_json["notification"][0].items()
            if k in ("notification-type", "authorization-url", "notification-subject",
                     "notification-intro", "items")}
    json_headers = dict(_gh(token), **{"Content-Type": JSON})
    body["items"]["item"][0]["item-type"] = "PEER_REVIEW"
    assert requests.post(_nurl(base, version, orcid), json=body,
                         headers=json_headers).status_code == 201
    body["items"]["item"][0]["item-type"] = "SERVICE"
    refused = requests.post(_nurl(base, version, orcid), json=body, headers=json_headers)
    assert error_code(refused) == (400, "9047"), refused.text


@pytest.mark.parametrize("version", VERSIONS)
def test_a_3_0_notification_about_a_3_0_only_item_is_not_shown_through_2x(premium, version):
    base, orcid, token = premium
    work = requests.post(_nurl(base, "3.0", orcid), data=notification_xml("work"),
                         headers=_gh(token)).headers["Location"]
    service = requests.post(_nurl(base, "3.0", orcid), data=notification_xml("service"),
                            headers=_gh(token)).headers["Location"]
    listed = valid(version, "notification",
                   requests.get(_nurl(base, version, orcid), headers=_gh(token)).content)
    assert [e.get("put-code") for e in listed] == [work.rsplit("/", 1)[1]]
    hidden = service.replace("/v3.0/", "/v%s/" % version)
    assert error_code(requests.get(hidden, headers=_gh(token))) == (404, "9029")
    assert error_code(requests.delete(hidden, headers=_gh(token))) == (404, "9029")
    # untouched, and still there for 3.0
    still = requests.get(service, headers=_gh(token))
    assert still.status_code == 200 and xmlio.parse(still.content).find(
        C + "archived-date") is None
    shown = requests.get(work.replace("/v3.0/", "/v%s/" % version), headers=_gh(token))
    assert valid(version, "notification", shown.content).findtext(".//%sitem-type" % N) == "work"


# ------------------------------------------------------------------ status
@pytest.mark.parametrize("version", VERSIONS)
def test_2x_status_answers_plain_text_on_the_member_and_public_api(mock_orcid, version):
    base = mock_orcid.url
    for url, headers in (("%s/v%s/status" % (base, version), {}),
                         ("%s/pub/v%s/status" % (base, version), {}),
                         ("%s/v%s/status" % (base, version), {"Host": "pub.localhost"}),
                         ("%s/v%s/status" % (base, version), {"Accept": XML})):
        r = requests.get(url, headers=headers)
        assert r.status_code == 200, (url, r.text)
        assert r.headers["Content-Type"].split(";")[0] == "text/plain"
        assert r.text == "OK I am here"
    assert requests.post("%s/v%s/status" % (base, version)).status_code == 405


# ------------------------------------------------------------------ record states
@pytest.mark.parametrize("version", VERSIONS)
def test_a_deactivated_record_answers_409_9044_through_2x_as_through_3_0(mock_orcid, version):
    user = mock_orcid.create_user()
    r = requests.patch("%s/__admin/users/%s" % (mock_orcid.url, user["orcid"]),
                       json={"state": "deactivated"})
    assert r.status_code == 200, r.text
    for path in ("", "/record", "/person", "/works", "/activities"):
        answers = {api: error_code(requests.get("%s/pub/v%s/%s%s" % (
            mock_orcid.url, api, user["orcid"], path), headers={"Accept": XML}))
            for api in (version, "3.0")}
        assert answers == {version: (409, "9044"), "3.0": (409, "9044")}, (path, answers)
