"""The values ORCID checks in code, over real HTTP, in XML and JSON (facts §4.4, §7.2).

ORCID's XSDs leave work types, languages, countries, currencies, relationships, roles ... as
plain strings; ORCID's model refuses unknown values while reading the body (400 9051), its
validators refuse unknown identifier types (9023), impossible dates (9049), bad contributor
roles (9058) and empty or malformed fields (9020). Every refusal leaves the record unchanged.
"""
from __future__ import annotations

import json

import pytest
import requests
from http_helpers import (
    COMMON_NS,
    JSON,
    XML,
    auth,
    json_error,
    make_env,
    snapshot,
    token,
    xml_error,
)

from mock_orcid.wire import jsonmap, xmlio

SCOPES = "/read-limited /activities/update /person/update"
NS = {p: "http://www.orcid.org/ns/" + p for p in (
    "work", "funding", "education", "peer-review", "research-resource", "address", "keyword",
    "researcher-url", "external-identifier")}
XMLNS = 'xmlns:common="%s" ' % COMMON_NS + " ".join('xmlns:%s="%s"' % kv for kv in NS.items())

ORG = """<{p}:organization><common:name>University of Oxford</common:name>
  <common:address><common:city>Oxford</common:city><common:country>{country}</common:country>
  </common:address><common:disambiguated-organization>
  <common:disambiguated-organization-identifier>https://ror.org/052gg0110</common:disambiguated-organization-identifier>
  <common:disambiguation-source>ROR</common:disambiguation-source></common:disambiguated-organization>
  </{p}:organization>"""


def ext_ids(id_type="doi", value="10.5555/rules.1", rel="self", more=""):
    return ("<common:external-ids><common:external-id><common:external-id-type>%s"
            "</common:external-id-type><common:external-id-value>%s</common:external-id-value>"
            "<common:external-id-relationship>%s</common:external-id-relationship>"
            "</common:external-id>%s</common:external-ids>" % (id_type, value, rel, more))


def work(work_type="journal-article", translated="", citation="", date="", ids=None,
         contributors="", language="", country="") -> str:
    return ("<work:work %s><work:title><common:title>Rules</common:title>%s</work:title>%s"
            "<work:type>%s</work:type>%s%s%s%s%s</work:work>"
            % (XMLNS, translated, citation, work_type, date, ids or ext_ids(), contributors,
               language, country))


def contributor(role="author"):
    return ("<work:contributors><work:contributor><work:credit-name>A. Author</work:credit-name>"
            "<work:contributor-attributes><work:contributor-sequence>first</work:contributor-sequence>"
            "<work:contributor-role>%s</work:contributor-role></work:contributor-attributes>"
            "</work:contributor></work:contributors>" % role)


def pub_date(year="2021", month=None, day=None):
    parts = "<common:year>%s</common:year>" % year
    if month:
        parts += "<common:month>%s</common:month>" % month
    if day:
        parts += "<common:day>%s</common:day>" % day
    return "<common:publication-date>%s</common:publication-date>" % parts


def funding(currency="EUR", amount="1000", ids=None, role="lead") -> str:
    return ("<funding:funding %s><funding:type>grant</funding:type><funding:title>"
            "<common:title>A grant</common:title></funding:title>"
            "<funding:amount currency-code=\"%s\">%s</funding:amount>%s"
            "<funding:contributors><funding:contributor><funding:credit-name>Lead</funding:credit-name>"
            "<funding:contributor-attributes><funding:contributor-role>%s</funding:contributor-role>"
            "</funding:contributor-attributes></funding:contributor></funding:contributors>%s"
            "</funding:funding>" % (XMLNS, currency, amount,
                                    ids or ext_ids("grant_number", "G-1"), role,
                                    ORG.format(p="common", country="GB")))


def education(country="GB", ids="", start=("2015", "09", None)) -> str:
    y, m, d = start
    date = "<common:year>%s</common:year>" % y + ("<common:month>%s</common:month>" % m if m else "") \
        + ("<common:day>%s</common:day>" % d if d else "")
    return ("<education:education %s><common:department-name>Physics</common:department-name>"
            "<common:start-date>%s</common:start-date>%s%s</education:education>"
            % (XMLNS, date, ORG.format(p="common", country=country), ids))


def peer_review(ids=None, subject_type="journal-article", subject_id_type="doi") -> str:
    return ("<peer-review:peer-review %s><peer-review:reviewer-role>reviewer</peer-review:reviewer-role>"
            "<peer-review:review-identifiers>%s</peer-review:review-identifiers>"
            "<peer-review:review-type>review</peer-review:review-type>"
            "<peer-review:review-completion-date><common:year>2020</common:year>"
            "</peer-review:review-completion-date>"
            "<peer-review:review-group-id>issn:0953-1513</peer-review:review-group-id>"
            "<peer-review:subject-external-identifier><common:external-id-type>%s</common:external-id-type>"
            "<common:external-id-value>10.1087/20120404</common:external-id-value>"
            "<common:external-id-relationship>self</common:external-id-relationship>"
            "</peer-review:subject-external-identifier>"
            "<peer-review:subject-type>%s</peer-review:subject-type>"
            "%s</peer-review:peer-review>"
            % (XMLNS, ids or _inner_ids("source-work-id", "R-1", "self"), subject_id_type,
               subject_type, ORG.format(p="peer-review", country="GB").replace(
                   "peer-review:organization", "peer-review:convening-organization")))


def _inner_ids(id_type, value, rel):
    return ("<common:external-id><common:external-id-type>%s</common:external-id-type>"
            "<common:external-id-value>%s</common:external-id-value>"
            "<common:external-id-relationship>%s</common:external-id-relationship>"
            "</common:external-id>" % (id_type, value, rel))


def address(country="GB") -> str:
    return "<address:address %s><address:country>%s</address:country></address:address>" % (XMLNS, country)


def person_external_identifier(id_type="Scopus Author ID", rel="self") -> str:
    return ("<external-identifier:external-identifier %s>"
            "<common:external-id-type>%s</common:external-id-type>"
            "<common:external-id-value>1234</common:external-id-value>"
            "<common:external-id-url>https://www.scopus.com/authid/detail.uri?authorId=1234</common:external-id-url>"
            "<common:external-id-relationship>%s</common:external-id-relationship>"
            "</external-identifier:external-identifier>" % (XMLNS, id_type, rel))


@pytest.fixture
def env(mock_orcid):
    env = make_env(mock_orcid)
    env.token = token(mock_orcid, env.client, env.user, SCOPES)
    return env


def post(env, path, xml, fmt="xml"):
    if fmt == "xml":
        data, ctype = xml.encode(), XML
    else:
        elem = xmlio.parse(xml.encode())
        data, ctype = json.dumps(jsonmap.to_json(elem)), JSON
    return requests.post(env.member + path, data=data,
                         headers=auth(env.token, **{"Content-Type": ctype, "Accept": ctype}))


def refused(mock_orcid, env, path, xml, status, code, fmt="xml"):
    before = snapshot(mock_orcid, env.orcid)
    r = post(env, path, xml, fmt)
    fields = (xml_error if fmt == "xml" else json_error)(r, status, code)
    assert snapshot(mock_orcid, env.orcid) == before, "a refused write changed the record"
    return fields


def created(env, path, xml, fmt="xml") -> int:
    r = post(env, path, xml, fmt)
    assert r.status_code == 201, r.text[:600]
    return int(r.headers["Location"].rsplit("/", 1)[1])


def read(env, path):
    r = requests.get(env.member + path, headers=auth(env.token, Accept=JSON))
    assert r.status_code == 200, r.text[:300]
    return r.json()


FMTS = ("xml", "json")


# ===================================================================== 9051: unknown enum values
ILLEGAL = [
    ("work type", "/work", work(work_type="journal-articel"), "WorkType", "journal-articel"),
    ("work type in another case", "/work", work(work_type="Journal-Article"), "WorkType", "Journal-Article"),
    ("work language", "/work", work(language="<common:language-code>english</common:language-code>"),
     "LanguageCode", "english"),
    ("language codes are case-sensitive", "/work",
     work(language="<common:language-code>EN</common:language-code>"), "LanguageCode", "EN"),
    ("translated title language", "/work",
     work(translated='<common:translated-title language-code="xx">Titel</common:translated-title>'),
     "LanguageCode", "xx"),
    ("work country", "/work", work(country="<common:country>UK</common:country>"), "Iso3166Country", "UK"),
    ("citation type", "/work", work(citation="<work:citation><work:citation-type>apa</work:citation-type>"
                                    "<work:citation-value>A. Author (2021)</work:citation-value></work:citation>"),
     "CitationType", "apa"),
    ("relationship", "/work", work(ids=ext_ids(rel="sibling-of")), "Relationship", "sibling-of"),
    ("organisation country", "/education", education(country="uk"), "Iso3166Country", "uk"),
    ("currency", "/funding", funding(currency="EURO"), "java.util.Currency", "EURO"),
    ("peer-review subject type", "/peer-review", peer_review(subject_type="paper"),
     "PeerReviewSubjectType", "paper"),
    ("address country", "/address", address("ZZ"), "Iso3166Country", "ZZ"),
]


@pytest.mark.parametrize("fmt", FMTS)
@pytest.mark.parametrize("what,path,body,enum,value", ILLEGAL, ids=[c[0] for c in ILLEGAL])
def test_an_unknown_value_for_an_enumerated_field_is_400_9051_naming_value_and_enum(
        mock_orcid, env, what, path, body, enum, value, fmt):
    fields = refused(mock_orcid, env, path, body, 400, 9051, fmt)
    message = fields["developer-message"]
    assert "invalid value '%s'" % value in message
    assert enum in message
    assert fields["user-message"] == "Invalid value for type."


@pytest.mark.parametrize("fmt", FMTS)
def test_the_9051_message_lists_the_values_orcid_accepts(mock_orcid, env, fmt):
    message = refused(mock_orcid, env, "/work", work(work_type="paper"), 400, 9051, fmt)["developer-message"]
    assert "work:type" in message
    for valid in ("journal-article", "data-set", "preprint", "undefined"):
        assert valid in message


def test_values_orcid_knows_are_accepted_including_kosovo_old_language_codes_and_old_currencies(env):
    created(env, "/work", work(language="<common:language-code>zh_CN</common:language-code>",
                               country="<common:country>XK</common:country>",
                               translated='<common:translated-title language-code="iw">כותרת</common:translated-title>'))
    created(env, "/funding", funding(currency="ADP"))     # ORCID's own sample uses the peseta
    created(env, "/address", address("XK"), "json")


@pytest.mark.parametrize("alias,stored", [("dataset", "data-set"), ("article-journal", "journal-article"),
                                          ("chapter", "book-chapter"), ("standard", "standards-and-policy")])
def test_old_work_type_names_are_accepted_and_stored_under_the_current_name(env, alias, stored):
    pc = created(env, "/work", work(work_type=alias))
    assert read(env, "/work/%d" % pc)["type"] == stored


# ===================================================================== 9023: identifier types
@pytest.mark.parametrize("fmt", FMTS)
def test_a_work_identifier_of_a_type_orcid_does_not_know_is_400_9023_naming_the_type(mock_orcid, env, fmt):
    message = refused(mock_orcid, env, "/work", work(ids=ext_ids(id_type="made-up-id")), 400, 9023,
                      fmt)["developer-message"]
    assert "made-up-id" in message
    assert "doi" in message and "isbn" in message   # the known types are listed


@pytest.mark.parametrize("fmt", FMTS)
def test_an_identifier_without_a_relationship_is_400_9023(mock_orcid, env, fmt):
    isbn = ("<common:external-id><common:external-id-type>isbn</common:external-id-type>"
            "<common:external-id-value>9780000000002</common:external-id-value></common:external-id>")
    message = refused(mock_orcid, env, "/work", work(ids=ext_ids(more=isbn)), 400, 9023,
                      fmt)["developer-message"]
    assert "relationship" in message


def test_identifier_types_are_matched_exactly(mock_orcid, env):
    refused(mock_orcid, env, "/work", work(ids=ext_ids(id_type="DOI")), 400, 9023)


def test_a_funding_identifier_of_an_unknown_type_is_400_9023(mock_orcid, env):
    refused(mock_orcid, env, "/funding", funding(ids=ext_ids("grant-no", "G-1")), 400, 9023)


def test_a_peer_review_with_a_version_of_id_but_no_self_id_is_400_9023(mock_orcid, env):
    body = peer_review(ids=_inner_ids("source-work-id", "R-2", "version-of"))
    assert "version-of" in refused(mock_orcid, env, "/peer-review", body, 400, 9023)["developer-message"]


def test_a_peer_review_subject_id_of_an_unknown_type_is_400_9023(mock_orcid, env):
    refused(mock_orcid, env, "/peer-review", peer_review(subject_id_type="paper-id"), 400, 9023)


def test_a_complete_peer_review_is_accepted(env):
    created(env, "/peer-review", peer_review())
    created(env, "/peer-review", peer_review(ids=_inner_ids("doi", "10.1/r", "version-of")
                                             + _inner_ids("source-work-id", "R-3", "self")), "json")


def test_affiliation_identifiers_are_not_checked_against_the_type_list(env):
    # ORCID's affiliation validator has no identifier check: any type is stored.
    created(env, "/education", education(ids=ext_ids("local-student-id", "S-42")))


def test_a_person_identifier_may_name_any_type_but_must_be_self(mock_orcid, env):
    created(env, "/external-identifiers", person_external_identifier("Scopus Author ID"))
    message = refused(mock_orcid, env, "/external-identifiers",
                      person_external_identifier("ResearcherID", rel="part-of"), 400, 9020)["developer-message"]
    assert "self" in message


# ===================================================================== 9049: dates
# XML carries the digits as sent; "2" for February is not ORCID's two-digit month.
BAD_DATES = [(("2021", "02", "30"), "xml"), (("2021", "02", "30"), "json"),
             (("2021", "02", "29"), "xml"), (("2021", "04", "31"), "json"),
             (("2021", "2", None), "xml"), (("2021", "06", "7"), "xml")]


@pytest.mark.parametrize("date,fmt", BAD_DATES, ids=lambda d: "-".join(p for p in d if p)
                         if isinstance(d, tuple) else d)
def test_a_date_that_does_not_exist_or_is_not_zero_padded_is_400_9049(mock_orcid, env, date, fmt):
    fields = refused(mock_orcid, env, "/work", work(date=pub_date(*date)), 400, 9049, fmt)
    assert "-".join(p for p in date if p) in fields["developer-message"]


def test_a_leap_day_is_a_valid_date(env):
    created(env, "/work", work(date=pub_date("2020", "02", "29")))


def test_an_affiliation_start_date_that_does_not_exist_is_400_9049(mock_orcid, env):
    refused(mock_orcid, env, "/education", education(start=("2019", "02", "31")), 400, 9049)


# ===================================================================== 9058: contributor roles
@pytest.mark.parametrize("role", ["author", "AUTHOR", "chair-or-translator", "CHAIR_OR_TRANSLATOR",
                                  "http://credit.niso.org/contributor-roles/writing-original-draft/",
                                  "HTTP://CREDIT.NISO.ORG/CONTRIBUTOR-ROLES/SOFTWARE/"])
def test_work_contributor_roles_accept_orcid_values_and_credit_uris(env, role):
    created(env, "/work", work(contributors=contributor(role)))


@pytest.mark.parametrize("fmt", FMTS)
@pytest.mark.parametrize("role", ["writer", "https://credit.niso.org/contributor-roles/software/",
                                  "http://credit.niso.org/contributor-roles/software"])
def test_an_unknown_work_contributor_role_is_400_9058_listing_the_roles(mock_orcid, env, role, fmt):
    fields = refused(mock_orcid, env, "/work", work(contributors=contributor(role)), 400, 9058, fmt)
    assert role in fields["developer-message"]
    assert "principal-investigator" in fields["developer-message"]
    assert fields["user-message"] == "Invalid contributor role."


def test_funding_contributor_roles_have_their_own_list(mock_orcid, env):
    created(env, "/funding", funding(role="co-lead"))
    refused(mock_orcid, env, "/funding", funding(role="author"), 400, 9058)


# ===================================================================== 9020 / 9054: malformed fields
@pytest.mark.parametrize("fmt", FMTS)
def test_a_citation_without_text_is_400_9020(mock_orcid, env, fmt):
    body = work(citation="<work:citation><work:citation-type>bibtex</work:citation-type>"
                         "<work:citation-value></work:citation-value></work:citation>")
    assert "citation" in refused(mock_orcid, env, "/work", body, 400, 9020, fmt)["developer-message"]


def test_a_funding_amount_that_is_not_a_number_is_400_9054(mock_orcid, env):
    refused(mock_orcid, env, "/funding", funding(amount="lots"), 400, 9054)


@pytest.mark.parametrize("amount", ["1_000", "1,000", "12 EUR", "0x10", "inf"])
def test_a_funding_amount_java_cannot_read_as_a_number_is_400_9054(mock_orcid, env, amount):
    refused(mock_orcid, env, "/funding", funding(amount=amount), 400, 9054)


@pytest.mark.parametrize("amount", ["1000", "-2.50", "1e6", ".5", "10d"])
def test_a_funding_amount_java_reads_as_a_number_is_accepted(env, amount):
    created(env, "/funding", funding(amount=amount, ids=ext_ids("grant_number", "G-" + amount)))


def test_a_funding_amount_without_a_value_is_400_9020(mock_orcid, env):
    refused(mock_orcid, env, "/funding", funding(amount=""), 400, 9020)


# ===================================================================== PUT: ORCID's order of checks
@pytest.fixture
def other(mock_orcid, env):
    client = mock_orcid.create_client(name="Another Member")
    return token(mock_orcid, client, env.user, SCOPES)


def put(env, tok, path, xml):
    return requests.put(env.member + path, data=xml.encode(),
                        headers=auth(tok, **{"Content-Type": XML, "Accept": XML}))


def with_put_code(xml, pc):
    return xml.replace("<work:work ", '<work:work put-code="%d" ' % pc, 1)


def test_put_by_another_client_is_validated_before_the_source_check(mock_orcid, env, other):
    pc = created(env, "/work", work())
    before = snapshot(mock_orcid, env.orcid)
    xml_error(put(env, other, "/work/%d" % pc, with_put_code(work(work_type="paper"), pc)), 400, 9051)
    changed = work(language="<common:language-code>en</common:language-code>")
    xml_error(put(env, other, "/work/%d" % pc, with_put_code(changed, pc)), 403, 9010)
    assert snapshot(mock_orcid, env.orcid) == before


def test_put_reads_values_first_then_compares_put_codes_then_finds_the_item_then_validates(
        mock_orcid, env):
    pc = created(env, "/work", work())
    bad_value = work(work_type="paper")             # refused while the body is read: 9051
    bad_rule = work(ids=ext_ids(rel="part-of"))     # refused by the work rules: 9023
    xml_error(put(env, env.token, "/work/%d" % (pc + 7), with_put_code(bad_value, pc + 8)), 400, 9051)
    xml_error(put(env, env.token, "/work/%d" % pc, with_put_code(bad_rule, pc + 1)), 400, 9019)
    xml_error(put(env, env.token, "/work/%d" % (pc + 7), with_put_code(bad_rule, pc + 7)), 404, 9016)
    xml_error(put(env, env.token, "/work/%d" % pc, with_put_code(bad_rule, pc)), 400, 9023)


def test_put_finds_a_duplicate_before_it_checks_the_source(mock_orcid, env, other):
    theirs = created(env, "/work", work(ids=ext_ids(value="10.5555/theirs")))
    requests.post(env.member + "/work", data=work(ids=ext_ids(value="10.5555/mine")).encode(),
                  headers=auth(other, **{"Content-Type": XML, "Accept": XML})).raise_for_status()
    before = snapshot(mock_orcid, env.orcid)
    clash = with_put_code(work(ids=ext_ids(value="10.5555/mine")), theirs)
    xml_error(put(env, other, "/work/%d" % theirs, clash), 409, 9021)
    assert snapshot(mock_orcid, env.orcid) == before


def test_putting_an_old_work_type_name_for_the_stored_one_is_an_unchanged_work(mock_orcid, env):
    pc = created(env, "/work", work(work_type="data-set"))
    before = snapshot(mock_orcid, env.orcid)
    r = put(env, env.token, "/work/%d" % pc, with_put_code(work(work_type="dataset"), pc))
    assert r.status_code == 200, r.text[:300]
    assert snapshot(mock_orcid, env.orcid) == before


def test_put_changing_visibility_is_checked_before_duplicates_and_source(mock_orcid, env, other):
    pc = created(env, "/work", work())
    body = with_put_code(work(), pc).replace('put-code=', 'visibility="private" put-code=', 1)
    xml_error(put(env, other, "/work/%d" % pc, body), 403, 9035)


# ===================================================================== PUT of an unchanged work
def _read_back_for_put(env, pc):
    r = requests.get(env.member + "/work/%d" % pc, headers=auth(env.token, Accept=JSON))
    return r.json()


def _put_json(env, tok, pc, body):
    return requests.put(env.member + "/work/%d" % pc, data=json.dumps(body),
                        headers=auth(tok, **{"Content-Type": JSON, "Accept": JSON}))


def test_putting_back_the_work_as_read_changes_nothing_and_sends_no_notification(mock_orcid, env):
    pc = created(env, "/work", work(date=pub_date("2020", "02", "29")))
    as_read = _read_back_for_put(env, pc)
    before = snapshot(mock_orcid, env.orcid)
    inbox = len(mock_orcid.notifications(env.orcid))
    r = _put_json(env, env.token, pc, as_read)
    assert r.status_code == 200, r.text[:300]
    assert r.json()["last-modified-date"] == as_read["last-modified-date"]
    assert snapshot(mock_orcid, env.orcid) == before
    assert len(mock_orcid.notifications(env.orcid)) == inbox


def test_another_client_putting_back_an_unchanged_work_is_403_9014(mock_orcid, env, other):
    pc = created(env, "/work", work())
    before = snapshot(mock_orcid, env.orcid)
    r = _put_json(env, other, pc, _read_back_for_put(env, pc))
    json_error(r, 403, 9014)
    assert snapshot(mock_orcid, env.orcid) == before


def test_a_client_cannot_store_its_own_normalised_id(env):
    pc = created(env, "/work", work())
    body = _read_back_for_put(env, pc)
    ext = body["external-ids"]["external-id"][0]
    ext["external-id-normalized"] = {"value": "10.9999/forged", "transient": True}
    body["title"]["title"]["value"] = "Changed"
    assert _put_json(env, env.token, pc, body).status_code == 200
    stored = _read_back_for_put(env, pc)["external-ids"]["external-id"][0]
    assert stored["external-id-normalized"]["value"] == "10.5555/rules.1"


def test_a_client_cannot_store_a_normalised_id_on_a_review_subject_or_a_person_identifier(env):
    forged = "<common:external-id-normalized transient=\"true\">FORGED</common:external-id-normalized>"
    review = peer_review().replace("<common:external-id-value>10.1087/20120404</common:external-id-value>",
                                   "<common:external-id-value>10.1087/20120404</common:external-id-value>"
                                   + forged)
    pc = created(env, "/peer-review", review)
    assert "FORGED" not in json.dumps(read(env, "/peer-review/%d" % pc))
    person = person_external_identifier().replace(
        "<common:external-id-value>1234</common:external-id-value>",
        "<common:external-id-value>1234</common:external-id-value>" + forged)
    pc = created(env, "/external-identifiers", person)
    assert "FORGED" not in json.dumps(read(env, "/external-identifiers/%d" % pc))


def test_a_refused_peer_review_creates_no_issn_group(mock_orcid, env):
    body = peer_review(subject_id_type="paper-id").replace("issn:0953-1513", "issn:2049-3630")
    refused(mock_orcid, env, "/peer-review", body, 400, 9023)
    assert mock_orcid.state.registry.group_ids.by_group_id("issn:2049-3630") is None
    created(env, "/peer-review", body.replace("paper-id", "doi"))
    assert mock_orcid.state.registry.group_ids.by_group_id("issn:2049-3630") is not None
