"""Helpers for the HTTP-level works and negotiation tests: bodies, tokens, error checks,
and a snapshot of the registry to prove that a refused request changed nothing."""
from __future__ import annotations

import json
from dataclasses import dataclass
from xml.etree import ElementTree as ET

ERROR_NS = "http://www.orcid.org/ns/error"
COMMON_NS = "http://www.orcid.org/ns/common"
WORK_NS = "http://www.orcid.org/ns/work"
BULK_NS = "http://www.orcid.org/ns/bulk"
MORE_INFO = "https://members.orcid.org/api/resources/troubleshooting"
ERROR_KEYS = ["response-code", "developer-message", "user-message", "error-code", "more-info"]

XML = "application/vnd.orcid+xml"
JSON = "application/vnd.orcid+json"
ORCID_TYPES = ("application/vnd.orcid+xml", "application/vnd.orcid+json", "application/orcid+xml",
               "application/orcid+json", "application/xml", "application/json")

MEMBER_SCOPES = "/read-limited /activities/update"


# ------------------------------------------------------------------ tokens
def token(mock_orcid, client: dict, user, scopes=MEMBER_SCOPES) -> str:
    """An access token from the real OAuth flow (authorize + token exchange)."""
    return mock_orcid.token(client, user, scopes)["access_token"]


def auth(access_token: str, **headers) -> dict:
    return {"Authorization": "Bearer " + access_token, **headers}


@dataclass
class Env:
    url: str
    orcid: str
    user: dict
    client: dict
    token: str

    @property
    def member(self) -> str:
        return "%s/v3.0/%s" % (self.url, self.orcid)

    @property
    def public(self) -> str:
        return "%s/pub/v3.0/%s" % (self.url, self.orcid)


def make_env(mock_orcid, default_visibility="public") -> Env:
    mock_orcid.reset()
    user = mock_orcid.create_user(default_visibility=default_visibility)
    client = mock_orcid.create_client(name="Works Test Client")
    return Env(mock_orcid.url, user["orcid"], user, client, token(mock_orcid, client, user))


# ------------------------------------------------------------------ bodies
def work_xml(title="A work", doi="10.5555/works.1", rel="self", work_type="journal-article",
             put_code=None, visibility=None, title_xml=None, extra="") -> str:
    attrs = ""
    if put_code is not None:
        attrs += ' put-code="%s"' % put_code
    if visibility is not None:
        attrs += ' visibility="%s"' % visibility
    if title_xml is None:
        title_xml = "<work:title><common:title>%s</common:title></work:title>" % title
    ids = ""
    if doi is not None:
        ids = ("<common:external-ids><common:external-id>"
               "<common:external-id-type>doi</common:external-id-type>"
               "<common:external-id-value>%s</common:external-id-value>"
               "<common:external-id-relationship>%s</common:external-id-relationship>"
               "</common:external-id></common:external-ids>" % (doi, rel))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<work:work xmlns:common="%s" xmlns:work="%s"%s>%s<work:type>%s</work:type>%s%s</work:work>'
            % (COMMON_NS, WORK_NS, attrs, title_xml, work_type, ids, extra))


def work_json(title="A work", doi="10.5555/works.1", rel="self", work_type="journal-article",
              put_code=None, visibility=None) -> dict:
    body = {"title": {"title": {"value": title}}, "type": work_type}
    if doi is not None:
        body["external-ids"] = {"external-id": [{
            "external-id-type": "doi", "external-id-value": doi,
            "external-id-relationship": rel}]}
    if put_code is not None:
        body["put-code"] = put_code
    if visibility is not None:
        body["visibility"] = visibility
    return body


def bulk_xml(works_xml: list[str]) -> str:
    inner = "".join(w.split("?>", 1)[1] if w.startswith("<?xml") else w for w in works_xml)
    return '<bulk:bulk xmlns:bulk="%s">%s</bulk:bulk>' % (BULK_NS, inner)


def dumps(data) -> str:
    return json.dumps(data)


# ------------------------------------------------------------------ errors
def json_error(resp, status: int, code: int) -> dict:
    """ORCID's JSON error body, exactly its five keys in ORCID's order."""
    assert resp.status_code == status, (resp.status_code, resp.text[:500])
    assert resp.headers["Content-Type"].split(";")[0] in ("application/vnd.orcid+json",
                                                          "application/orcid+json",
                                                          "application/json"), resp.headers
    body = resp.json()
    assert list(body) == ERROR_KEYS, body
    assert body["response-code"] == status
    assert body["error-code"] == code, body
    assert body["more-info"] == MORE_INFO
    assert body["developer-message"] and body["user-message"]
    return body


def xml_error(resp, status: int, code: int) -> dict:
    """ORCID's error:error body; returns its fields as a dict of strings."""
    assert resp.status_code == status, (resp.status_code, resp.text[:500])
    assert resp.headers["Content-Type"].split(";")[0].endswith("xml"), resp.headers
    assert "<error:error" in resp.text, resp.text[:300]
    root = ET.fromstring(resp.content)
    assert root.tag == "{%s}error" % ERROR_NS
    fields = {child.tag.split("}", 1)[1]: child.text for child in root}
    assert list(fields) == ERROR_KEYS, fields
    assert all(child.tag.startswith("{%s}" % ERROR_NS) for child in root)
    assert fields["response-code"] == str(status)
    assert fields["error-code"] == str(code), fields
    assert fields["more-info"] == MORE_INFO
    return fields


def oauth_error(resp, status: int, error: str) -> dict:
    assert resp.status_code == status, (resp.status_code, resp.text[:500])
    body = resp.json()
    assert body["error"] == error, body
    assert "error_description" in body
    return body


# ------------------------------------------------------------------ state
def snapshot(mock_orcid, orcid: str):
    """Everything a write could change on a record, plus the put-code sequences."""
    reg = mock_orcid.state.registry
    with reg.lock:
        rec = reg.records[orcid]
        items = {section: {pc: (ET.tostring(i.body), i.visibility, i.source.client_id,
                                i.last_modified)
                           for pc, i in entries.items()}
                 for section, entries in rec.items.items() if entries}
        return items, dict(reg.sequences), rec.last_modified


def work_codes(mock_orcid, orcid: str) -> list[int]:
    reg = mock_orcid.state.registry
    with reg.lock:
        return sorted(reg.records[orcid].section_items("work"))
