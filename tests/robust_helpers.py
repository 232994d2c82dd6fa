"""Helpers for the robustness tests: bodies, a health watcher, ORCID error checks that work for
either format, and a snapshot of everything a write could change in the registry."""
from __future__ import annotations

import json
import threading
import time
from xml.etree import ElementTree as ET

import requests
from http_helpers import COMMON_NS, ERROR_KEYS, ERROR_NS, MORE_INFO, WORK_NS

XMLNS = ('xmlns:common="%s" xmlns:work="%s" xmlns:funding="http://www.orcid.org/ns/funding" '
         'xmlns:peer-review="http://www.orcid.org/ns/peer-review" '
         'xmlns:group-id="http://www.orcid.org/ns/group-id"' % (COMMON_NS, WORK_NS))

ORG = ("<{p}:organization><common:name>University of Oxford</common:name><common:address>"
       "<common:city>Oxford</common:city><common:country>GB</common:country></common:address>"
       "<common:disambiguated-organization><common:disambiguated-organization-identifier>"
       "https://ror.org/052gg0110</common:disambiguated-organization-identifier>"
       "<common:disambiguation-source>ROR</common:disambiguation-source>"
       "</common:disambiguated-organization></{p}:organization>")


def ext_id_xml(id_type="doi", value="10.5555/robust.1", rel="self", lead="", attrs=""):
    """``lead``: what the XSD lets come first (created-date, last-modified-date, source)."""
    return ("<common:external-id%s>%s<common:external-id-type>%s</common:external-id-type>"
            "<common:external-id-value>%s</common:external-id-value>"
            "<common:external-id-relationship>%s</common:external-id-relationship>"
            "</common:external-id>" % (attrs, lead, id_type, value, rel))


def work_xml(title="A work", ids=None, root_attrs="", title_attrs="", extra="") -> str:
    return ('<work:work %s%s><work:title><common:title%s>%s</common:title></work:title>'
            '<work:type>journal-article</work:type><common:external-ids>%s</common:external-ids>'
            '%s</work:work>' % (XMLNS, root_attrs, title_attrs, title, ids or ext_id_xml(), extra))


def work_json(title="A work", id_type="doi", value="10.5555/robust.1", **ext_extra) -> dict:
    ext = {"external-id-type": id_type, "external-id-value": value,
           "external-id-relationship": "self", **ext_extra}
    return {"title": {"title": {"value": title}}, "type": "journal-article",
            "external-ids": {"external-id": [ext]}}


def funding_xml(amount="1000") -> str:
    return ('<funding:funding %s><funding:type>grant</funding:type><funding:title><common:title>'
            'A grant</common:title></funding:title><funding:amount currency-code="EUR">%s'
            '</funding:amount><common:external-ids>%s</common:external-ids>%s</funding:funding>'
            % (XMLNS, amount, ext_id_xml("grant_number", "G-1", "self"), ORG.format(p="common")))


def peer_review_xml(group_id="issn:0953-1513", review_id="R-1") -> str:
    return ('<peer-review:peer-review %s><peer-review:reviewer-role>reviewer</peer-review:reviewer-role>'
            '<peer-review:review-identifiers>%s</peer-review:review-identifiers>'
            '<peer-review:review-type>review</peer-review:review-type>'
            '<peer-review:review-completion-date><common:year>2020</common:year>'
            '</peer-review:review-completion-date>'
            '<peer-review:review-group-id>%s</peer-review:review-group-id>'
            '<peer-review:subject-external-identifier><common:external-id-type>doi'
            '</common:external-id-type><common:external-id-value>10.1087/20120404'
            '</common:external-id-value><common:external-id-relationship>self'
            '</common:external-id-relationship></peer-review:subject-external-identifier>'
            '<peer-review:subject-type>journal-article</peer-review:subject-type>%s'
            '</peer-review:peer-review>'
            % (XMLNS, ext_id_xml("source-work-id", review_id, "self"), group_id,
               ORG.format(p="peer-review").replace("peer-review:organization",
                                                   "peer-review:convening-organization")))


def group_xml(group_id="publons:robust-1", name="Robust Journal", put_code=None) -> str:
    attrs = ' put-code="%s"' % put_code if put_code is not None else ""
    return ('<group-id:group-id-record %s%s><group-id:name>%s</group-id:name>'
            '<group-id:group-id>%s</group-id:group-id><group-id:description>A journal'
            '</group-id:description><group-id:type>journal</group-id:type>'
            '</group-id:group-id-record>' % (XMLNS, attrs, name, group_id))


def issn_with_check(seven_digits: str) -> str:
    """A valid ISSN (ISO 3297 check character) from seven digits."""
    total = sum(int(d) * w for d, w in zip(seven_digits, range(8, 1, -1)))
    check = (11 - total % 11) % 11
    return "%s-%s%s" % (seven_digits[:4], seven_digits[4:], "X" if check == 10 else check)


def orcid_error(resp, status: int | None = None, code: int | None = None) -> dict:
    """ORCID's error body in whichever of XML or JSON the response says; its five fields."""
    ctype = resp.headers.get("Content-Type", "").split(";")[0]
    assert resp.status_code >= 400, (resp.status_code, resp.text[:300])
    if status is not None:
        assert resp.status_code == status, (resp.status_code, resp.text[:500])
    # When the Accept names nothing ORCID can write, its error body is JSON with no Content-Type.
    if ctype.endswith("json") or not ctype:
        body = resp.json()
        assert list(body) == ERROR_KEYS, body
        fields = body
    else:
        assert ctype.endswith("xml"), (ctype, resp.text[:200])
        root = ET.fromstring(resp.content)       # well-formed, whatever the request held
        assert root.tag == "{%s}error" % ERROR_NS, resp.text[:200]
        fields = {child.tag.split("}", 1)[1]: child.text for child in root}
        assert list(fields) == ERROR_KEYS, fields
        fields["response-code"] = int(fields["response-code"])
        fields["error-code"] = int(fields["error-code"])
    assert fields["response-code"] == resp.status_code
    assert fields["more-info"] == MORE_INFO
    if code is not None:
        assert fields["error-code"] == code, fields
    return fields


def registry_snapshot(mock_orcid):
    """Everything a write could change: items of every record, group ids, notifications,
    put-code sequences."""
    reg = mock_orcid.state.registry
    with reg.lock:
        records = {}
        for orcid, rec in reg.records.items():
            records[orcid] = (
                {section: {pc: (ET.tostring(i.body), i.visibility, i.source.client_id,
                                i.last_modified) for pc, i in entries.items()}
                 for section, entries in rec.items.items() if entries},
                {pc: ET.tostring(i.body) for pc, i in rec.permission_notifications.items()},
                len(rec.notifications), rec.last_modified)
        groups = {pc: (ET.tostring(i.body), i.source.client_id)
                  for pc, i in reg.group_ids.records.items()}
        return records, groups, dict(reg.sequences)


class HealthWatch:
    """``with HealthWatch(url) as w: ...`` polls /__admin/health throughout and records the
    slowest answer; ``w.slowest`` is in seconds (a failed or missing answer counts as 99)."""

    def __init__(self, url: str, every: float = 0.05):
        self.url = url + "/__admin/health"
        self.every = every
        self.slowest = 0.0
        self.slowest_at = 0.0      # time.monotonic() when the slowest poll was sent
        self.polls = 0
        self._stop = threading.Event()

    def _run(self):
        with requests.Session() as session:
            while not self._stop.is_set():
                started = time.monotonic()
                try:
                    ok = session.get(self.url, timeout=5).status_code == 200
                except requests.RequestException:
                    ok = False
                took = time.monotonic() - started if ok else 99.0
                if took > self.slowest:
                    self.slowest, self.slowest_at = took, started
                self.polls += 1
                self._stop.wait(self.every)

    def __enter__(self):
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=10)
        return False


def dumps(data) -> str:
    return json.dumps(data)
