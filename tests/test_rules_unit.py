"""ORCID's code-level checks, without HTTP: each rule gives ORCID's error code."""
import copy
from xml.etree import ElementTree as ET

import pytest

from mock_orcid import rules
from mock_orcid.errors import OrcidError
from mock_orcid.namespaces import NS

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
        rules.check(section, item)
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


def test_an_unknown_funding_type_is_9037():
    funding = copy.deepcopy(education())
    funding.tag = "{%s}funding" % NS["funding"]
    ET.SubElement(funding, "{%s}type" % NS["funding"]).text = "gift"
    assert code_of(funding, "funding") == 9037


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
    from mock_orcid import sections
    from mock_orcid.model import Item, Record, Source
    section = sections.BY_NAME[section_name]
    source = Source(client_id="APP-AAAAAAAAAAAAAAAA", name="A")
    record = Record("0000-0002-1825-0097", "J", "C", None, [], None, "public", None, None)
    stored = _with_self_id(section.tag, "10.1/ABC")
    record.section_items(section.name)[1] = Item(section.name, 1, stored, source, "public", None, None)
    check = rules.duplicate_check(section, source, lambda a, b: a.client_id == b.client_id)
    incoming = _with_self_id(section.tag, "https://doi.org/10.1/abc")
    if duplicate:
        with pytest.raises(OrcidError) as err:
            check(record, incoming, None)
        assert err.value.code == 9021
    else:
        check(record, incoming, None)
