"""Shared pieces of the search tests over HTTP: a small world of researchers written through
the real API, and readers of ORCID's search answers that validate every XML body against
ORCID's official search-3.0.xsd / expanded-search-3.0.xsd (search-2.0.xsd for v2.0)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from xml.etree import ElementTree as ET

import requests
import xmlschema

from conformance_support import OFFICIAL_MODEL, official_schemas

SEARCH_NS = "http://www.orcid.org/ns/search"
EXPANDED_NS = "http://www.orcid.org/ns/expanded-search"
COMMON_NS = "http://www.orcid.org/ns/common"
SAMPLES = OFFICIAL_MODEL / "record_3.0" / "samples" / "write_samples"
XML_TYPE = "application/vnd.orcid+xml"
JSON_TYPE = "application/vnd.orcid+json"
C = 'xmlns:common="%s"' % COMMON_NS


@cache
def v2_search_schema(version: str) -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(OFFICIAL_MODEL / ("record_%s" % version) / ("search-%s.xsd" % version)),
                               allow="local")


def assert_official(resp, version: str = "3.0") -> ET.Element:
    root = ET.fromstring(resp.content)
    if version == "3.0":
        errors = [str(e.reason or e.message) for e in official_schemas()["record"].iter_errors(root)]
    else:
        errors = [str(e.reason or e.message) for e in v2_search_schema(version).iter_errors(root)]
    assert not errors, "not valid against ORCID's official XSD: %s\n%s" % (errors[:3], resp.text[:500])
    return root


@dataclass
class Page:
    num_found: int
    orcids: list[str]
    body: object = None


def read_page(resp, version: str = "3.0") -> Page:
    """The iDs and num-found of a search or expanded-search answer, XML or JSON."""
    assert resp.status_code == 200, (resp.status_code, resp.text[:500])
    ctype = resp.headers["Content-Type"].split(";")[0]
    if ctype.endswith("json"):
        body = resp.json()
        if "expanded-result" in body:
            assert list(body) == ["expanded-result", "num-found"], body
            rows = body["expanded-result"]
            assert rows is None or rows, "ORCID writes null, never [], for no hits (v3.0)"
            return Page(body["num-found"], [r["orcid-id"] for r in rows or []], body)
        assert list(body) == ["result", "num-found"], body
        rows = body["result"]
        if version == "3.0":
            assert rows is None or rows, "ORCID writes null, never [], for no hits (v3.0)"
        else:
            assert rows is not None, "v2.x writes [] for no hits"
        return Page(body["num-found"], [r["orcid-identifier"]["path"] for r in rows or []], body)
    assert ctype.endswith("xml"), ctype
    root = assert_official(resp, version)
    if root.tag == "{%s}expanded-search" % EXPANDED_NS:
        orcids = [r.findtext("{%s}orcid-id" % EXPANDED_NS) for r in root]
    else:
        assert root.tag == "{%s}search" % SEARCH_NS, root.tag
        orcids = [r.findtext("{%s}orcid-identifier/{%s}path" % (COMMON_NS, COMMON_NS)) for r in root]
    return Page(int(root.get("num-found")), orcids, root)


# ------------------------------------------------------------------ bodies
def work_xml(title, ids=(), subtitle=None) -> str:
    ext = "".join("<common:external-id><common:external-id-type>%s</common:external-id-type>"
                  "<common:external-id-value>%s</common:external-id-value>"
                  "<common:external-id-relationship>%s</common:external-id-relationship>"
                  "</common:external-id>" % i for i in ids)
    sub = "<common:subtitle>%s</common:subtitle>" % subtitle if subtitle else ""
    return ('<work:work %s xmlns:work="http://www.orcid.org/ns/work"><work:title>'
            '<common:title>%s</common:title>%s</work:title><work:type>journal-article</work:type>'
            '<common:external-ids>%s</common:external-ids></work:work>' % (C, title, sub, ext))


def affiliation_xml(kind, org, source, org_id, end_year=None) -> str:
    end = ("<common:end-date><common:year>%d</common:year></common:end-date>" % end_year
           if end_year else "")
    return ('<{k}:{k} {c} xmlns:{k}="http://www.orcid.org/ns/{k}">'
            '<common:start-date><common:year>1990</common:year></common:start-date>{end}'
            '<common:organization><common:name>{org}</common:name><common:address>'
            '<common:city>Lyon</common:city><common:country>FR</common:country></common:address>'
            '<common:disambiguated-organization><common:disambiguated-organization-identifier>{oid}'
            '</common:disambiguated-organization-identifier><common:disambiguation-source>{src}'
            '</common:disambiguation-source></common:disambiguated-organization>'
            '</common:organization></{k}:{k}>').format(k=kind, c=C, end=end, org=org, oid=org_id,
                                                        src=source)


def person_xml(kind: str, content: str) -> str:
    return ('<{k}:{k} {c} xmlns:{k}="http://www.orcid.org/ns/{k}"><{k}:content>{v}</{k}:content>'
            '</{k}:{k}>').format(k=kind, c=C, v=content)


def sample(name: str) -> str:
    return (SAMPLES / name).read_text(encoding="utf-8")


# ------------------------------------------------------------------ the world
@dataclass
class World:
    url: str
    client: dict
    read_public: str              # the member client's client-credentials /read-public token
    a: str                        # everything public, every field family
    b: str                        # mostly private
    user_tokens: dict = field(default_factory=dict)

    def post(self, orcid: str, path: str, body: str, expect: int = 201) -> str:
        resp = requests.post("%s/v3.0/%s/%s" % (self.url, orcid, path), data=body.encode("utf-8"),
                             headers={"Authorization": "Bearer " + self.user_tokens[orcid],
                                      "Content-Type": XML_TYPE})
        assert resp.status_code == expect, (path, resp.status_code, resp.text[:400])
        return resp.headers.get("Location", "")

    def search(self, q=None, api="public", fmt="json", endpoint="search", version="3.0",
               headers=None, **params) -> requests.Response:
        if q is not None:
            params["q"] = q
        prefix = "/pub" if api == "public" else ""
        hdrs = {"Accept": {"json": JSON_TYPE, "xml": XML_TYPE, "csv": "text/csv"}.get(fmt, fmt)}
        if api == "member":
            hdrs["Authorization"] = "Bearer " + self.read_public
        hdrs.update(headers or {})
        return requests.get("%s%s/v%s/%s/" % (self.url, prefix, version, endpoint),
                            params=params, headers=hdrs)

    def found(self, q, **kw) -> set[str]:
        return set(read_page(self.search(q, **kw), kw.get("version", "3.0")).orcids)


def admin(url: str, method: str, path: str, data=None, expect=200):
    resp = requests.request(method, url + "/__admin" + path, data=json.dumps(data) if data else None,
                            headers={"Content-Type": "application/json"})
    assert resp.status_code == expect, (path, resp.status_code, resp.text[:300])
    return resp.json()


def build_world(mock_orcid) -> World:
    mock_orcid.reset()
    url = mock_orcid.url
    client = mock_orcid.create_client(name="Search Test Client")
    scopes = "/read-limited /activities/update /person/update"
    a = mock_orcid.create_user(given_names="Marguerite", family_name="Öztürk",
                               credit_name="M. Öztürk", email="marguerite@ozturk.example.org",
                               biography="Studies tessellated ceramics.")
    b = mock_orcid.create_user(given_names="Hieronymus", family_name="Vantablack",
                               email="hieronymus@vanta.example.org", default_visibility="private")
    world = World(url, client, mock_orcid.token(client, None, "/read-public")["access_token"],
                  a["orcid"], b["orcid"])
    for user in (a, b):
        world.user_tokens[user["orcid"]] = mock_orcid.token(client, user, scopes)["access_token"]
    A, B = world.a, world.b
    world.post(A, "work", work_xml("Tessellated Ceramics Revisited", (
        ("doi", "10.5555/Tess.2020", "self"), ("pmid", "31415926", "self"),
        ("isbn", "9780306406157", "part-of")), subtitle="A survey"))
    world.post(A, "funding", sample("funding-3.0.xml"))
    world.post(A, "employment", affiliation_xml("employment", "Mosaic Institute", "ROR",
                                                "https://ror.org/05dxps055"))
    world.post(A, "education", affiliation_xml("education", "Old Pottery College", "RINGGOLD",
                                               "385488", end_year=2001))
    world.post(A, "peer-review", sample("peer-review-full-3.0.xml"))
    world.post(A, "research-resource", sample("research-resource-3.0.xml"))
    world.post(A, "other-names", person_xml("other-name", "Daisy Öz"))
    world.post(A, "other-names", person_xml("other-name", "Öz, D."))
    world.post(A, "keywords", person_xml("keyword", "tessellation"))
    world.post(A, "external-identifiers", sample("external-identifier-3.0.xml"))
    # B: default visibility private, so all of this is private ...
    world.post(B, "work", work_xml("Zanzibar Secret Kettles", (("doi", "10.5555/zanzibar", "self"),)))
    world.post(B, "keywords", person_xml("keyword", "limitedkw"))
    # ... except one work and one keyword made public/limited by the researcher
    lantern = world.post(B, "work", work_xml("Visible lantern", (("doi", "10.5555/lantern", "self"),)))
    admin(url, "PATCH", "/users/%s/work/%s" % (B, lantern.rsplit("/", 1)[1]), {"visibility": "public"})
    kw = [p for p in requests.get("%s/v3.0/%s/keywords" % (url, B), headers={
        "Authorization": "Bearer " + world.user_tokens[B], "Accept": "application/json"}).json()["keyword"]]
    admin(url, "PATCH", "/users/%s/keywords/%s" % (B, kw[0]["put-code"]), {"visibility": "limited"})
    admin(url, "PATCH", "/users/%s" % B, {"name_visibility": "limited"})
    admin(url, "POST", "/users/%s/emails" % B, {"email": "hidden@vanta.example.org",
                                                "visibility": "private"}, expect=201)
    return world
