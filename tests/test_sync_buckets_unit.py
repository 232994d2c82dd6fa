"""The rules of the sync buckets without a server: ORCID's key layout and bucket split, S3's
listing order and pages, the Lambda file's rows, and S3's range and condition rules."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from mock_orcid.registry import sections
from mock_orcid.sync.buckets import keys, lambda_file
from mock_orcid.sync.buckets.store import Bucket, make_object
from mock_orcid.web import s3_wire

T0 = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=timezone.utc)


def test_activities_bucket_is_chosen_by_the_check_digit():
    assert [keys.activities_bucket("0000-0002-1825-009" + d) for d in "0123456789X"] == \
        ["v3.0-activities-a"] * 4 + ["v3.0-activities-b"] * 4 + ["v3.0-activities-c"] * 3


def test_section_folders_are_orcids_spelling_with_membership_singular():
    assert set(keys.FOLDERS.values()) == {
        "distinctions", "educations", "employments", "fundings", "invited-positions",
        "membership", "peer-reviews", "qualifications", "research-resources", "services", "works"}
    assert len(keys.FOLDERS) == len(sections.ACTIVITIES)


def test_keys_follow_the_listeners_layout_and_read_back():
    orcid = "0000-0002-1825-009X"
    assert keys.summary_key(orcid) == "09X/0000-0002-1825-009X.xml"
    key = keys.activity_key(orcid, "membership", 1234)
    assert key == "09X/0000-0002-1825-009X/membership/0000-0002-1825-009X_membership_1234.xml"
    assert keys.parse_activity_key(key) == (orcid, "membership", 1234)
    assert keys.parse_activity_key(key.replace("09X/", "000/", 1)) is None
    assert keys.parse_activity_key("09X/%s/memberships/%s_memberships_1.xml" % (orcid, orcid)) is None


def _bucket(names) -> Bucket:
    bucket = Bucket("b")
    for name in names:
        bucket.put(make_object(name, name.encode(), T0))
    return bucket


def test_a_listing_is_in_binary_key_order_and_pages_resume_after_the_marker():
    names = ["b/2", "a/1", "a/10", "a/2", "c", "a/1/x"]
    bucket = _bucket(names)
    first = bucket.list(max_keys=2)
    assert [o.key for o in first.contents] == ["a/1", "a/1/x"] and first.truncated
    second = bucket.list(after=first.last, max_keys=10)
    assert [o.key for o in second.contents] == ["a/10", "a/2", "b/2", "c"] and not second.truncated
    assert [o.key for o in bucket.list(prefix="a/1").contents] == ["a/1", "a/1/x", "a/10"]


def test_a_delimiter_rolls_keys_up_into_common_prefixes_that_count_as_entries():
    bucket = _bucket(["a/1", "a/2", "b/1", "c"])
    page = bucket.list(delimiter="/", max_keys=2)
    assert page.common_prefixes == ["a/", "b/"] and page.contents == [] and page.truncated
    rest = bucket.list(delimiter="/", after=page.last)
    assert rest.common_prefixes == [] and [o.key for o in rest.contents] == ["c"]


def test_deleting_keeps_the_order_and_an_object_knows_its_md5_etag():
    bucket = _bucket(["x", "y", "z"])
    assert bucket.delete("y") and not bucket.delete("y")
    assert [o.key for o in bucket.list().contents] == ["x", "z"]
    assert bucket.get("x").etag == '"9dd4e461268c8034f5c8564e155c67a6"'


def test_lambda_rows_are_newest_first_with_orcids_timestamps_and_no_trailing_newline():
    rows = {"0000-0000-0000-0001": (T0, T0),
            "0000-0000-0000-0002": (T0, T0 + timedelta(seconds=1)),
            "0000-0000-0000-0003": (T0, T0 + timedelta(seconds=1))}
    text = lambda_file.csv_text(rows, "https://sandbox.orcid.org/")
    lines = text.split("\n")
    assert lines[0] == "orcid,path,date_created,last_modified"
    assert [line.split(",")[0] for line in lines[1:]] == [
        "0000-0000-0000-0003", "0000-0000-0000-0002", "0000-0000-0000-0001"]
    assert lines[3] == ("0000-0000-0000-0001,https://sandbox.orcid.org/0000-0000-0000-0001,"
                        "2026-01-02 03:04:05.678000,2026-01-02 03:04:05.678000")
    assert lambda_file.archive(text, T0) == lambda_file.archive(text, T0), "reproducible"


@pytest.mark.parametrize("header, size, expected", [
    ("bytes=0-9", 100, (0, 9)),
    ("bytes=90-", 100, (90, 99)),
    ("bytes=-10", 100, (90, 99)),
    ("bytes=50-500", 100, (50, 99)),
    ("bytes=9-3", 100, None),            # S3 ignores a range it cannot parse
    ("bytes=0-1,5-6", 100, None),        # and multiple ranges
    (None, 100, None),
])
def test_byte_ranges_follow_s3(header, size, expected):
    assert s3_wire.byte_range(header, size) == expected


@pytest.mark.parametrize("header", ["bytes=100-", "bytes=100-200", "bytes=-0"])
def test_a_range_past_the_end_is_invalid_range(header):
    with pytest.raises(s3_wire.S3Error) as caught:
        s3_wire.byte_range(header, 100)
    assert (caught.value.code, caught.value.status) == ("InvalidRange", 416)
    assert caught.value.headers["Content-Range"] == "bytes */100"


def test_continuation_tokens_round_trip_and_garbage_is_refused():
    assert s3_wire.marker_of(s3_wire.continuation_token("09X/é.xml")) == "09X/é.xml"
    with pytest.raises(s3_wire.S3Error):
        s3_wire.marker_of("not-a-token")
