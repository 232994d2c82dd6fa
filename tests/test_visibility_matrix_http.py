"""Who sees a work, over real HTTP (facts §4.2, §2.10, §7.2).

One record holds three works written by one member client, one per visibility: ``public``
(the user's default when it was posted), ``limited`` (posted while the user's default was
limited) and ``private`` (made private by the researcher afterwards, through the admin API).
Every reader below then reads every endpoint below, in XML and in JSON, and each cell
asserts exactly what an integrator gets: the work, its absence from a list, or the precise
ORCID error (single reads: a 403 body; bulk reads: the error inline, in the work's slot).

readers
  anonymous            public API (/pub/v3.0), no token
  other-cc-read-public another member client, client-credentials /read-public token, member API
  other-user-read-lim  another member client, the user's 3-legged token with /read-limited
  source-user          the client that wrote the works, the user's /read-limited /activities/update token
  source-cc-read-pub   the client that wrote the works, a client-credentials /read-public token
                       (the source sees its own items at any visibility, facts §4.2 step 2)
"""
from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest
import requests
from http_helpers import BULK_NS, JSON, WORK_NS, XML, auth, json_error, work_json, xml_error

VISIBILITIES = ("public", "limited", "private")
READERS = ("anonymous", "other-cc-read-public", "other-user-read-lim", "source-user",
           "source-cc-read-pub")
ENDPOINTS = ("single", "list", "record", "activities", "bulk")
FORMATS = ("xml", "json")

VISIBLE = "visible"
HIDDEN = "hidden"

# (visibility, reader) -> what a single read answers: VISIBLE or (status, error-code)
EXPECTED = {
    ("public", "anonymous"): VISIBLE,
    ("limited", "anonymous"): (403, 9039),
    ("private", "anonymous"): (403, 9039),
    ("public", "other-cc-read-public"): VISIBLE,
    ("limited", "other-cc-read-public"): (403, 9038),
    ("private", "other-cc-read-public"): (403, 9038),
    ("public", "other-user-read-lim"): VISIBLE,
    ("limited", "other-user-read-lim"): VISIBLE,
    ("private", "other-user-read-lim"): (403, 9013),
    ("public", "source-user"): VISIBLE,
    ("limited", "source-user"): VISIBLE,
    ("private", "source-user"): VISIBLE,
    ("public", "source-cc-read-pub"): VISIBLE,
    ("limited", "source-cc-read-pub"): VISIBLE,
    ("private", "source-cc-read-pub"): VISIBLE,
}


class World:
    """The record, its three works and one token per reader."""

    def __init__(self, mock_orcid):
        mock_orcid.reset()
        self.url = mock_orcid.url
        user = mock_orcid.create_user(default_visibility="public")
        self.orcid = user["orcid"]
        writer = mock_orcid.create_client(name="Writing Client")
        other = mock_orcid.create_client(name="Other Member Client")
        writer_token = mock_orcid.token(writer, user, "/read-limited /activities/update")["access_token"]
        self.tokens = {
            "anonymous": None,
            "other-cc-read-public": mock_orcid.token(other, None, "/read-public")["access_token"],
            "other-user-read-lim": mock_orcid.token(other, user, "/read-limited")["access_token"],
            "source-user": writer_token,
            "source-cc-read-pub": mock_orcid.token(writer, None, "/read-public")["access_token"],
        }
        self.codes = {}
        self.codes["public"] = self._post(writer_token, "Public work", "10.5555/vis.public")
        _admin_patch(self.url, "/__admin/users/%s" % self.orcid, {"default_visibility": "limited"})
        self.codes["limited"] = self._post(writer_token, "Limited work", "10.5555/vis.limited")
        _admin_patch(self.url, "/__admin/users/%s" % self.orcid, {"default_visibility": "public"})
        self.codes["private"] = self._post(writer_token, "Private work", "10.5555/vis.private")
        _admin_patch(self.url, "/__admin/users/%s/work/%d" % (self.orcid, self.codes["private"]),
                     {"visibility": "private"})

    def _post(self, tok, title, doi) -> int:
        r = requests.post("%s/v3.0/%s/work" % (self.url, self.orcid), json=work_json(title=title, doi=doi),
                          headers=auth(tok, **{"Content-Type": JSON, "Accept": JSON}))
        assert r.status_code == 201, r.text
        return int(r.headers["Location"].rsplit("/", 1)[1])

    def get(self, reader: str, path: str, fmt: str) -> requests.Response:
        tok = self.tokens[reader]
        accept = XML if fmt == "xml" else JSON
        if tok is None:
            return requests.get("%s/pub/v3.0/%s%s" % (self.url, self.orcid, path), headers={"Accept": accept})
        return requests.get("%s/v3.0/%s%s" % (self.url, self.orcid, path), headers=auth(tok, Accept=accept))


def _admin_patch(url, path, data):
    r = requests.patch(url + path, json=data)
    assert r.status_code == 200, r.text


_WORLD: dict = {}


@pytest.fixture
def world(mock_orcid) -> World:
    # Built once per session; rebuilt if another test reset the registry meanwhile.
    w = _WORLD.get("w")
    if w is None or w.orcid not in mock_orcid.state.registry.records:
        w = _WORLD["w"] = World(mock_orcid)
    return w


# ------------------------------------------------------------------ reading answers
def _summary_codes(resp, fmt) -> list[int]:
    """Put-codes of every work-summary in a works list / record / activities answer, and a
    check that no group was left empty (ORCID drops groups whose members were all hidden)."""
    if fmt == "xml":
        root = ET.fromstring(resp.content)
        for grp in root.iter("{http://www.orcid.org/ns/activities}group"):
            assert grp.findall("{%s}work-summary" % WORK_NS), "an empty group was left in the list"
        return [int(s.get("put-code")) for s in root.iter("{%s}work-summary" % WORK_NS)]
    codes = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "works" and isinstance(value, dict):
                    for grp in value.get("group") or []:
                        assert grp["work-summary"], "an empty group was left in the list"
                if key == "work-summary":
                    codes.extend(int(s["put-code"]) for s in value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    body = resp.json()
    if "group" in body and "path" in body and body["path"].endswith("/works"):
        for grp in body["group"]:
            assert grp["work-summary"], "an empty group was left in the list"
    walk(body)
    return codes


def _bulk_entries(resp, fmt) -> list[tuple[str, object]]:
    """[("work", put-code) | ("error", (status, code))] in the order of the bulk answer."""
    out = []
    if fmt == "xml":
        root = ET.fromstring(resp.content)
        assert root.tag == "{%s}bulk" % BULK_NS
        for child in root:
            if child.tag == "{%s}work" % WORK_NS:
                out.append(("work", int(child.get("put-code"))))
            else:
                assert child.tag == "{http://www.orcid.org/ns/error}error", child.tag
                fields = {c.tag.split("}", 1)[1]: c.text for c in child}
                out.append(("error", (int(fields["response-code"]), int(fields["error-code"]))))
        return out
    for entry in resp.json()["bulk"]:
        if "work" in entry:
            out.append(("work", int(entry["work"]["put-code"])))
        else:
            err = entry["error"]
            out.append(("error", (err["response-code"], err["error-code"])))
    return out


def _cells():
    for visibility in VISIBILITIES:
        for reader in READERS:
            for endpoint in ENDPOINTS:
                for fmt in FORMATS:
                    yield pytest.param(visibility, reader, endpoint, fmt,
                                       id="%s-work_%s_reads_%s_%s" % (visibility, reader, endpoint, fmt))


@pytest.mark.parametrize("visibility,reader,endpoint,fmt", list(_cells()))
def test_who_sees_a_work_at_each_visibility_on_each_read(world, visibility, reader, endpoint, fmt):
    pc = world.codes[visibility]
    expected = EXPECTED[(visibility, reader)]
    content_type = "xml" if fmt == "xml" else "json"

    if endpoint == "single":
        r = world.get(reader, "/work/%d" % pc, fmt)
        if expected == VISIBLE:
            assert r.status_code == 200, r.text[:400]
            assert content_type in r.headers["Content-Type"]
            if fmt == "xml":
                root = ET.fromstring(r.content)
                assert root.tag == "{%s}work" % WORK_NS
                assert root.get("put-code") == str(pc)
                assert root.get("visibility") == visibility
            else:
                body = r.json()
                assert body["put-code"] == pc
                assert body["visibility"] == visibility
        else:
            status, code = expected
            (xml_error if fmt == "xml" else json_error)(r, status, code)
        return

    if endpoint == "bulk":
        ordered = [world.codes[v] for v in VISIBILITIES]
        r = world.get(reader, "/works/%s" % ",".join(map(str, ordered)), fmt)
        assert r.status_code == 200, r.text[:400]   # errors are inline, never the whole answer
        entries = _bulk_entries(r, fmt)
        assert len(entries) == 3
        entry = entries[VISIBILITIES.index(visibility)]
        if expected == VISIBLE:
            assert entry == ("work", pc)
        else:
            assert entry == ("error", expected)
        return

    path = {"list": "/works", "record": "", "activities": "/activities"}[endpoint]
    r = world.get(reader, path, fmt)
    assert r.status_code == 200, r.text[:400]
    assert content_type in r.headers["Content-Type"]
    codes = _summary_codes(r, fmt)
    if expected == VISIBLE:
        assert codes.count(pc) == 1, codes
    else:
        assert pc not in codes, codes
    # The whole list is consistent with the matrix: exactly the visible works are listed.
    assert sorted(codes) == sorted(world.codes[v] for v in VISIBILITIES
                                   if EXPECTED[(v, reader)] == VISIBLE)
