"""Premium clients' permission notifications, and the researcher's revoke button."""
import re
import xml.etree.ElementTree as ET

import pytest
import requests

NS = "http://www.orcid.org/ns/notification"
BODY = """<notification:notification xmlns:notification="http://www.orcid.org/ns/notification"
    xmlns:common="http://www.orcid.org/ns/common">
  <notification:notification-type>permission</notification:notification-type>
  <notification:authorization-url>
    <notification:path>/oauth/authorize?client_id=APP-MOCKPREMIUM00001&amp;response_type=code&amp;scope=/activities/update&amp;redirect_uri=http://localhost</notification:path>
    <notification:host>sandbox.orcid.org</notification:host>
  </notification:authorization-url>
  <notification:notification-subject>Connect your record</notification:notification-subject>
  <notification:notification-intro>We would like to add your works.</notification:notification-intro>
  <notification:items>
    <notification:item>
      <notification:item-type>work</notification:item-type>
      <notification:item-name>Cracked pots</notification:item-name>
    </notification:item>
  </notification:items>
  <common:created-date>2001-01-01T00:00:00Z</common:created-date>
</notification:notification>"""
XML = "application/vnd.orcid+xml"


@pytest.fixture
def premium(mock_orcid):
    mock_orcid.reset()
    client = mock_orcid.create_client(name="Premium", type="premium")
    token = mock_orcid.token(client, None, "/premium-notification")["access_token"]
    user = mock_orcid.create_user()
    base = "%s/v3.0/%s/notification-permission" % (mock_orcid.url, user["orcid"])
    return {"client": client, "user": user, "base": base,
            "headers": {"Authorization": "Bearer " + token, "Content-Type": XML, "Accept": XML}}


def _code(resp):
    return ET.fromstring(resp.content).findtext("{http://www.orcid.org/ns/error}error-code")


def test_posting_a_permission_notification_answers_201_with_its_location(premium):
    r = requests.post(premium["base"], data=BODY, headers=premium["headers"])
    assert r.status_code == 201
    assert re.fullmatch(re.escape(premium["base"]) + r"/\d+", r.headers["Location"])
    got = requests.get(r.headers["Location"], headers=premium["headers"])
    assert got.status_code == 200
    root = ET.fromstring(got.content)
    assert root.findtext("{%s}notification-subject" % NS) == "Connect your record"
    # dates the client sent are erased and replaced by the registry's own
    assert not root.findtext("{http://www.orcid.org/ns/common}created-date").startswith("2001")


def test_the_list_holds_only_the_calling_clients_notifications(premium, mock_orcid):
    requests.post(premium["base"], data=BODY, headers=premium["headers"])
    other = mock_orcid.create_client(name="Other premium", type="premium")
    other_token = mock_orcid.token(other, None, "/premium-notification")["access_token"]
    headers = dict(premium["headers"], Authorization="Bearer " + other_token)
    requests.post(premium["base"], data=BODY, headers=headers)
    mine = ET.fromstring(requests.get(premium["base"], headers=premium["headers"]).content)
    assert len(mine.findall("{%s}notification" % NS)) == 1


def test_an_unknown_notification_is_404_9029(premium):
    r = requests.get(premium["base"] + "/987654", headers=premium["headers"])
    assert (r.status_code, _code(r)) == (404, "9029")


def test_delete_archives_and_returns_the_notification(premium):
    location = requests.post(premium["base"], data=BODY, headers=premium["headers"]).headers["Location"]
    r = requests.delete(location, headers=premium["headers"])
    assert r.status_code == 200
    assert ET.fromstring(r.content).find("{http://www.orcid.org/ns/common}archived-date") is not None


def test_a_user_who_refuses_member_notifications_gives_409_9032(premium, mock_orcid):
    requests.patch("%s/__admin/users/%s" % (mock_orcid.url, premium["user"]["orcid"]),
                   json={"accepts_member_notifications": False})
    r = requests.post(premium["base"], data=BODY, headers=premium["headers"])
    assert (r.status_code, _code(r)) == (409, "9032")


def test_a_token_without_premium_notification_is_403_9038(premium, mock_orcid):
    token = mock_orcid.token(premium["client"], None, "/read-public")["access_token"]
    r = requests.post(premium["base"], data=BODY,
                      headers=dict(premium["headers"], Authorization="Bearer " + token))
    assert (r.status_code, _code(r)) == (403, "9038")


def test_a_schema_invalid_notification_is_400_9001(premium):
    r = requests.post(premium["base"], data=BODY.replace(">permission<", ">custom<"),
                      headers=premium["headers"])
    assert (r.status_code, _code(r)) == (400, "9001")


def test_the_revoke_button_on_the_inbox_page_stops_the_clients_token(mock_orcid):
    mock_orcid.reset()
    client = mock_orcid.create_client(name="Repository")
    user = mock_orcid.create_user()
    token = mock_orcid.token(client, user, "/read-limited /activities/update")["access_token"]
    page = requests.get("%s/__admin/users/%s/inbox" % (mock_orcid.url, user["orcid"])).text
    assert "Repository" in page and "Revoke access" in page
    r = requests.post("%s/__admin/users/%s/revoke" % (mock_orcid.url, user["orcid"]),
                      data={"client_id": client["client_id"]}, allow_redirects=False)
    assert r.status_code == 303
    works = requests.get("%s/v3.0/%s/works" % (mock_orcid.url, user["orcid"]),
                         headers={"Authorization": "Bearer " + token})
    assert works.status_code == 401 and works.json()["error"] == "invalid_token"
    page = requests.get("%s/__admin/users/%s/inbox" % (mock_orcid.url, user["orcid"])).text
    assert "No organization has access" in page


def test_a_notification_the_researcher_has_read_cannot_be_archived_9009(premium, mock_orcid):
    location = requests.post(premium["base"], data=BODY, headers=premium["headers"]).headers["Location"]
    put_code = location.rsplit("/", 1)[1]
    r = requests.post("%s/__admin/users/%s/notification-permission/%s/read"
                      % (mock_orcid.url, premium["user"]["orcid"], put_code))
    assert r.status_code == 200
    r = requests.delete(location, headers=premium["headers"])
    assert (r.status_code, _code(r)) == (403, "9009")


def _with_item_id(id_type, value="10.5555/notify.1"):
    ext = ("<common:external-id><common:external-id-type>%s</common:external-id-type>"
           "<common:external-id-value>%s</common:external-id-value>"
           "<common:external-id-relationship>self</common:external-id-relationship>"
           "</common:external-id>" % (id_type, value))
    return BODY.replace("<notification:item-name>Cracked pots</notification:item-name>",
                        "<notification:item-name>Cracked pots</notification:item-name>" + ext)


def test_a_notification_item_id_of_an_unknown_type_is_400_9023_and_nothing_is_sent(premium, mock_orcid):
    assert requests.post(premium["base"], data=_with_item_id("doi"),
                         headers=premium["headers"]).status_code == 201
    r = requests.post(premium["base"], data=_with_item_id("digital-object"), headers=premium["headers"])
    assert (r.status_code, _code(r)) == (400, "9023")
    assert "digital-object" in r.text
    listed = ET.fromstring(requests.get(premium["base"], headers=premium["headers"]).content)
    assert len(listed) == 1
