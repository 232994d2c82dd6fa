"""ORCID's grouping of activities (facts §6.1, §6.2), without HTTP: mock_orcid.grouping and
render._ordered_groups, the pieces that decide which works a client sees side by side."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from xml.etree import ElementTree as ET

import pytest

from mock_orcid.registry import grouping
from mock_orcid.registry.model import Item, Source
from mock_orcid.registry.namespaces import NS
from mock_orcid.wire.render import _ordered_groups

C = "{%s}" % NS["common"]
W = "{%s}" % NS["work"]
T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)


def summary(*ids, title="T", work_type="journal-article", date=None) -> ET.Element:
    """A work-summary element; ``ids`` are (type, value, relationship) triples."""
    elem = ET.Element(W + "work-summary")
    t = ET.SubElement(ET.SubElement(elem, W + "title"), C + "title")
    t.text = title
    ext_ids = ET.SubElement(elem, C + "external-ids")
    for id_type, value, rel in ids:
        ext = ET.SubElement(ext_ids, C + "external-id")
        ET.SubElement(ext, C + "external-id-type").text = id_type
        ET.SubElement(ext, C + "external-id-value").text = value
        if rel is not None:
            ET.SubElement(ext, C + "external-id-relationship").text = rel
    ET.SubElement(elem, W + "type").text = work_type
    if date:
        pub = ET.SubElement(elem, C + "publication-date")
        for part, value in zip(("year", "month", "day"), date.split("-")):
            ET.SubElement(pub, C + part).text = value
    return elem


def entry(put_code, *ids, created=0, display_index=1, **kw):
    item = Item("work", put_code, ET.Element(W + "work"), Source(client_id="APP-X", name="X"),
                "public", T0 + timedelta(seconds=created), T0 + timedelta(seconds=created),
                display_index=display_index)
    return item, summary(*ids, **kw)


def codes(groups):
    return [[item.put_code for item, _ in members] for members in groups]


def keys_of(elem):
    return [key for key, _ext in grouping.group_keys(elem)]


# ------------------------------------------------------------------ normalisation (§6.1)
@pytest.mark.parametrize("id_type,value,expected", [
    ("doi", "10.1/ABC", "10.1/abc"),
    ("doi", "https://doi.org/10.1/ABC", "10.1/abc"),
    ("doi", "http://dx.doi.org/10.1/abc", "10.1/abc"),
    ("doi", "doi:10.1/Abc", "10.1/abc"),
    ("doi", "not a doi", ""),
    ("isbn", "978-3-16-148410-0", "9783161484100"),
    ("isbn", "0-8044-2957-x", "080442957X"),
    ("issn", "1234-567x", "1234567X"),
    ("issn", "123-4", ""),
    ("pmid", "PMID:123456", "123456"),
    ("pmid", "https://www.ncbi.nlm.nih.gov/pubmed/123456", "123456"),
    ("pmc", "PMC12345", "12345"),
    ("arxiv", "arXiv:1501.00001", "arXiv:1501.00001"),
    ("arxiv", "1501.00001", "arXiv:1501.00001"),
    ("uri", "example.org/x", "http://example.org/x"),
    ("uri", "https://example.org/x", "https://example.org/x"),
])
def test_external_id_values_are_normalised_per_identifier_type(id_type, value, expected):
    assert grouping.normalise(id_type, value) == expected


# ------------------------------------------------------------------ group keys (§6.2)
def test_self_version_of_and_relationship_less_ids_are_group_keys():
    elem = summary(("doi", "10.1/A", "self"), ("doi", "10.1/B", "version-of"), ("pmid", "7", None))
    assert keys_of(elem) == [("doi", "10.1/a"), ("doi", "10.1/b"), ("pmid", "7")]


def test_part_of_and_funded_by_ids_are_not_group_keys():
    elem = summary(("doi", "10.1/A", "self"), ("isbn", "9783161484100", "part-of"),
                   ("grant_number", "G-1", "funded-by"))
    assert keys_of(elem) == [("doi", "10.1/a")]


def test_an_id_that_cannot_be_normalised_groups_by_its_raw_value():
    assert keys_of(summary(("doi", "weird-value", "self"))) == [("doi", "weird-value")]


def test_same_value_under_different_types_does_not_group():
    groups = grouping.group([summary(("pmid", "123", "self")), summary(("pmc", "123", "self"))], keys_of_entry)
    assert len(groups) == 2


def keys_of_entry(elem):
    return grouping.group_keys(elem)


# ------------------------------------------------------------------ union-find
def test_items_sharing_a_normalised_doi_form_one_group():
    entries = [summary(("doi", "10.1/ABC", "self")), summary(("doi", "https://doi.org/10.1/abc", "self"))]
    assert grouping.group(entries, keys_of_entry) == [entries]


def test_items_without_group_keys_stay_alone():
    a = summary(("isbn", "9783161484100", "part-of"))
    b = summary(("isbn", "9783161484100", "part-of"))
    assert grouping.group([a, b], keys_of_entry) == [[a], [b]]


def test_a_later_item_merges_two_existing_groups_transitively():
    a = summary(("doi", "10.1/x", "self"))
    c = summary(("pmid", "123", "self"))
    d = summary(("isbn", "9780000000002", "self"))
    b = summary(("doi", "10.1/X", "self"), ("pmid", "PMID:123", "self"))
    groups = grouping.group([a, c, d, b], keys_of_entry)
    assert groups == [[a, c, b], [d]]


def test_long_transitive_chain_collapses_into_one_group():
    chain = [summary(("pmid", str(i), "self"), ("pmid", str(i + 1), "self")) for i in range(10)]
    chain.reverse()   # every link arrives before the one that joins it to the previous
    assert len(grouping.group(chain, keys_of_entry)) == 1


def test_version_of_links_preprint_and_article():
    pre = summary(("doi", "10.1/pre", "self"))
    art = summary(("doi", "10.1/art", "self"), ("doi", "10.1/PRE", "version-of"))
    assert grouping.group([pre, art], keys_of_entry) == [[pre, art]]


# ------------------------------------------------------------------ ordering (render._ordered_groups)
def test_preferred_summary_is_highest_display_index_then_oldest():
    entries = [entry(1, ("doi", "10.1/g", "self"), created=1),
               entry(2, ("doi", "10.1/g", "self"), created=0),
               entry(3, ("doi", "10.1/g", "self"), created=2, display_index=5)]
    assert codes(_ordered_groups(entries)) == [[3, 2, 1]]


def test_groups_are_sorted_by_publication_date_newest_first():
    entries = [entry(1, ("doi", "10.1/old", "self"), date="2001-05-01"),
               entry(2, ("doi", "10.1/new", "self"), date="2020-01-01"),
               entry(3, ("doi", "10.1/mid", "self"), date="2010"),
               entry(4, ("doi", "10.1/mid2", "self"), date="2010-02")]
    assert codes(_ordered_groups(entries)) == [[2], [4], [3], [1]]


def test_groups_with_the_same_date_are_sorted_by_title():
    entries = [entry(1, ("doi", "10.1/b", "self"), title="Beta", date="2020"),
               entry(2, ("doi", "10.1/a", "self"), title="Alpha", date="2020")]
    assert codes(_ordered_groups(entries)) == [[2], [1]]


def test_groups_with_the_same_date_and_title_are_sorted_by_type_in_orcids_enum_order():
    # ORCID compares WorkType enum constants: BOOK_CHAPTER is declared before BOOK, so
    # book-chapter sorts first although "book" < "book-chapter" as text.
    entries = [entry(1, ("doi", "10.1/b", "self"), title="Same", work_type="book", date="2020"),
               entry(2, ("doi", "10.1/a", "self"), title="Same", work_type="book-chapter", date="2020"),
               entry(3, ("doi", "10.1/c", "self"), title="Same", work_type="annotation", date="2020")]
    assert codes(_ordered_groups(entries)) == [[3], [2], [1]]


def test_groups_equal_in_date_title_and_type_are_sorted_oldest_first():
    entries = [entry(1, ("doi", "10.1/b", "self"), title="Same", date="2020", created=5),
               entry(2, ("doi", "10.1/a", "self"), title="Same", date="2020", created=1)]
    assert codes(_ordered_groups(entries)) == [[2], [1]]


def test_group_order_uses_the_preferred_items_date():
    # group G: the preferred (display-index 5) member is from 1999, another member from 2030
    entries = [entry(1, ("doi", "10.1/g", "self"), date="2030"),
               entry(2, ("doi", "10.1/g", "self"), date="1999", display_index=5),
               entry(3, ("doi", "10.1/h", "self"), date="2010")]
    assert codes(_ordered_groups(entries)) == [[3], [2, 1]]
