"""ORCID's code-level checks, without HTTP: each rule gives ORCID's error code."""
import copy
from xml.etree import ElementTree as ET

import pytest

from mock_orcid.registry import rules, sections
from mock_orcid.registry.errors import OrcidError
from mock_orcid.registry.namespaces import NS

C = "{%s}" % NS["common"]
EDU = "{%s}" % NS["education"]


def education(city="Oxford", country="GB", start=(2015, 2), end=(2019, 6), source="ROR"):
    item = ET.Element(EDU + "education")
    ET.SubElement(item, C + "role-title").text = "Student"
    for tag, parts in (("start-date", start), ("end-date", end)):
        if parts:
            date = ET.SubElement(item, C + tag)
            for name, value in zip(("year", "month"), parts):
                ET.SubElement(date, C + name).text = "%02d" % value if name == "month" else str(value)
    org = ET.SubElement(item, C + "organization")
    ET.SubElement(org, C + "name").text = "University of Oxford"
    address = ET.SubElement(org, C + "address")
    if city:
        ET.SubElement(address, C + "city").text = city
    if country:
        ET.SubElement(address, C + "country").text = country
    dis = ET.SubElement(org, C + "disambiguated-organization")
    ET.SubElement(dis, C + "disambiguated-organization-identifier").text = "https://ror.org/052gg0110"
    ET.SubElement(dis, C + "disambiguation-source").text = source
    return item


def code_of(item, section="education"):
    try:
        rules.check(sections.BY_NAME[section], item)
    except OrcidError as err:
        return err.code
    return None


def test_a_complete_education_passes():
    assert code_of(education()) is None


@pytest.mark.parametrize("field", ["city", "country"])
def test_education_without_city_or_country_is_9060(field):
    assert code_of(education(**{field: None})) == 9060


def test_an_organisation_without_a_known_disambiguation_source_is_9045():
    assert code_of(education(source="MADE-UP")) == 9045


def test_an_end_date_without_a_start_date_is_9050():
    assert code_of(education(start=None)) == 9050


def test_a_start_after_the_end_is_9055():
    assert code_of(education(start=(2020, 1), end=(2019, 1))) == 9055


def test_a_service_may_leave_city_and_country_out():
    item = education(city=None, country=None)
    item.tag = "{%s}service" % NS["service"]
    assert code_of(item, "service") is None


def test_an_unknown_funding_type_is_9051_when_the_body_is_read():
    from mock_orcid.registry import field_values
    funding = copy.deepcopy(education())
    funding.tag = "{%s}funding" % NS["funding"]
    ET.SubElement(funding, "{%s}type" % NS["funding"]).text = "gift"
    with pytest.raises(OrcidError) as err:
        field_values.check(funding)
    assert err.value.code == 9051 and "FundingType" in err.value.developer_message


def _with_self_id(tag, value):
    item = ET.Element(tag)
    ids = ET.SubElement(item, C + "external-ids")
    ext = ET.SubElement(ids, C + "external-id")
    for name, text in (("external-id-type", "doi"), ("external-id-value", value),
                       ("external-id-relationship", "self")):
        ET.SubElement(ext, C + name).text = text
    return item


@pytest.mark.parametrize("section_name,duplicate", [("work", True), ("funding", False)])
def test_funding_ids_are_compared_as_sent_while_work_ids_are_normalised(section_name, duplicate):
    from mock_orcid.registry import sections
    from mock_orcid.registry.model import Item, Record, Source
    section = sections.BY_NAME[section_name]
    source = Source(client_id="APP-AAAAAAAAAAAAAAAA", name="A")
    record = Record("0000-0002-1825-0097", "J", "C", None, [], None, "public", None, None)
    stored = _with_self_id(section.tag, "10.1/ABC")
    record.section_items(section.name)[1] = Item(section.name, 1, stored, source, "public", None, None)
    check = rules.duplicate_check(section, source)
    incoming = _with_self_id(section.tag, "https://doi.org/10.1/abc")
    if duplicate:
        with pytest.raises(OrcidError) as err:
            check(record, incoming, None)
        assert err.value.code == 9021
    else:
        check(record, incoming, None)


# ------------------------------------------------------------------ value lists and dates
def test_orcid_value_lists_have_their_known_sizes():
    from mock_orcid.registry import vocabularies as v
    assert len(v.COUNTRIES) == len(set(v.COUNTRIES)) == 250      # ISO 3166-1 + XK
    assert len(v.LANGUAGE_CODES) == len(set(v.LANGUAGE_CODES)) == 186
    assert len(v.WORK_TYPES) == len(set(v.WORK_TYPES))
    assert {"zh_CN", "zh_TW", "iw"} <= set(v.LANGUAGE_CODES) and "zh" not in v.LANGUAGE_CODES
    assert "other-id" in v.EXTERNAL_ID_TYPES and "grant_number" in v.EXTERNAL_ID_TYPES


def _date(*parts):
    date = ET.Element(C + "publication-date")
    for name, text in zip(("year", "month", "day"), parts):
        ET.SubElement(date, C + name).text = text
    return date


@pytest.mark.parametrize("parts,ok", [
    (("2021",), True), (("2021", "12"), True), (("2020", "02", "29"), True),
    (("2021", "02", "29"), False), (("2021", "13"), False), (("2021", "1"), False),
    (("21",), False), (("2021", "01", "32"), False), (("2021", "01", "00"), False),
])
def test_fuzzy_dates_are_parsed_strictly_as_orcid_does(parts, ok):
    if ok:
        rules.check_fuzzy_date(_date(*parts), "publication-date")
    else:
        with pytest.raises(OrcidError) as err:
            rules.check_fuzzy_date(_date(*parts), "publication-date")
        assert err.value.code == 9049


def test_an_old_work_type_name_is_rewritten_in_the_stored_body():
    from mock_orcid.registry import field_values
    item = ET.Element("{%s}work" % NS["work"])
    ET.SubElement(item, "{%s}type" % NS["work"]).text = "dataset"
    field_values.check(item)
    assert item.find("{%s}type" % NS["work"]).text == "data-set"


def _research_resource(with_item_ids: bool):
    rr = "{%s}" % NS["research-resource"]
    item = ET.Element(rr + "research-resource")
    proposal = ET.SubElement(item, rr + "proposal")
    hosts = ET.SubElement(proposal, rr + "hosts")
    hosts.append(education().find(C + "organization"))
    proposal.append(_with_self_id("x", "10.1/p").find(C + "external-ids"))
    resource = ET.SubElement(ET.SubElement(item, rr + "resource-items"), rr + "resource-item")
    ET.SubElement(resource, rr + "resource-type").text = "equipment"
    ET.SubElement(resource, rr + "hosts").append(education().find(C + "organization"))
    if with_item_ids:
        resource.append(_with_self_id("x", "10.1/i").find(C + "external-ids"))
    return item


def test_every_research_resource_item_needs_an_external_id_9023():
    assert code_of(_research_resource(True), "research-resource") is None
    assert code_of(_research_resource(False), "research-resource") == 9023


def test_a_research_resource_host_without_a_disambiguated_id_is_9045():
    item = _research_resource(True)
    host = item.find(".//{%s}hosts/" % NS["research-resource"] + C + "organization")
    host.remove(host.find(C + "disambiguated-organization"))
    assert code_of(item, "research-resource") == 9045
