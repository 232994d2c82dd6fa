"""ORCID's S3 sync buckets over HTTP, read with boto3 and s3fs exactly as bulk readers do
(orcid-sync-facts §1, §4): every bucket lists, heads, ranged-gets and downloads; each kind of
write changes exactly the objects ORCID's message listener would change; S3's errors."""
from __future__ import annotations

import hashlib
import threading
from xml.etree import ElementTree as ET

import pytest
import requests
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError
from sync_support import (ACTIVITIES, BUCKETS, LAMBDA, LAMBDA_KEY, SUMMARIES, Researchers,
                          activity_key, bucket_of, diff, objects, orcid_ending_in, s3_client,
                          summary_key)

RECORD_NS = "http://www.orcid.org/ns/record"
ERROR_NS = "http://www.orcid.org/ns/error"
HISTORY_NS = "http://www.orcid.org/ns/history"
WORK_NS = "http://www.orcid.org/ns/work"
MEMBERSHIP_NS = "http://www.orcid.org/ns/membership"


def _unindented(elem: ET.Element) -> bytes:
    for node in elem.iter():
        node.text = None if node.text is not None and not node.text.strip() else node.text
        node.tail = None
    return ET.tostring(elem)


@pytest.fixture
def s3(mock_orcid):
    return s3_client(mock_orcid.url)


@pytest.fixture
def people(mock_orcid):
    mock_orcid.reset()
    return Researchers(mock_orcid)


@pytest.fixture
def three(people):
    """One researcher per activities bucket (check digits 0-3, 4-7, 8/9/X), each with a work;
    the third also with a membership."""
    orcids = [people.add(orcid_ending_in(d, start=i)) for i, d in enumerate(("0123", "4567", "89X"))]
    codes = {orcid: people.add_work(orcid, n=i) for i, orcid in enumerate(orcids)}
    membership = people.add_membership(orcids[2])
    return orcids, codes, membership


def test_every_bucket_lists_heads_ranged_gets_and_downloads(s3, three, tmp_path):
    orcids, codes, membership = three
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == list(BUCKETS)
    expected = {SUMMARIES: {summary_key(o) for o in orcids}, LAMBDA: {LAMBDA_KEY}}
    for bucket in ACTIVITIES:
        expected[bucket] = {activity_key(o, "works", codes[o]) for o in orcids if bucket_of(o) == bucket}
    expected[bucket_of(orcids[2])].add(activity_key(orcids[2], "membership", membership))
    assert all(expected[b] for b in ACTIVITIES), "one researcher per activities bucket"

    for bucket in BUCKETS:
        listed = s3.list_objects_v2(Bucket=bucket, Prefix="" if bucket == LAMBDA else "")["Contents"]
        keys = {o["Key"] for o in listed}
        if bucket == SUMMARIES:           # the fixtures' researchers are there too
            assert expected[bucket] <= keys
        else:
            assert keys == expected[bucket]
        for entry in listed:
            if entry["Key"] not in expected[bucket]:
                continue
            head = s3.head_object(Bucket=bucket, Key=entry["Key"])
            whole = s3.get_object(Bucket=bucket, Key=entry["Key"])
            body = whole["Body"].read()
            # Listing, HEAD and GET agree, and say true things about the bytes.
            assert head["ContentLength"] == entry["Size"] == len(body)
            assert head["ETag"] == entry["ETag"] == '"%s"' % hashlib.md5(body).hexdigest()
            assert head["LastModified"] == entry["LastModified"].replace(microsecond=0)
            ranged = s3.get_object(Bucket=bucket, Key=entry["Key"], Range="bytes=10-99")
            assert ranged["ResponseMetadata"]["HTTPStatusCode"] == 206
            assert ranged["ContentRange"] == "bytes 10-99/%d" % len(body)
            assert ranged["Body"].read() == body[10:100]
            target = tmp_path / entry["Key"].replace("/", "_")
            s3.download_file(bucket, entry["Key"], str(target))
            assert target.read_bytes() == body


def test_download_in_ranged_parts_with_if_match_reassembles_the_object(s3, three, tmp_path):
    # s3transfer fetches objects above its threshold in parallel ranges with If-Match (facts
    # §4.2); a tiny threshold makes it do so for a summary.
    orcid = three[0][0]
    body = s3.get_object(Bucket=SUMMARIES, Key=summary_key(orcid))["Body"].read()
    target = tmp_path / "summary.xml"
    s3.download_file(SUMMARIES, summary_key(orcid), str(target),
                     Config=TransferConfig(multipart_threshold=1024, multipart_chunksize=1024))
    assert len(body) > 3 * 1024 and target.read_bytes() == body


def test_summaries_are_the_public_record_and_activities_the_public_item(s3, three, mock_orcid):
    orcids, codes, membership = three
    orcid = orcids[2]
    body = s3.get_object(Bucket=SUMMARIES, Key=summary_key(orcid))["Body"].read()
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<record:record ')
    assert b"\n    <common:orcid-identifier>" in body          # ORCID's four-space indent
    root = ET.fromstring(body)
    assert root.tag == "{%s}record" % RECORD_NS and root.get("path") == "/" + orcid
    assert root.findtext(".//{%s}claimed" % HISTORY_NS) == "true"
    public = requests.get("%s/pub/v3.0/%s/record" % (mock_orcid.url, orcid),
                          headers={"Accept": "application/vnd.orcid+xml"})
    assert _unindented(ET.fromstring(public.content)) == _unindented(root)

    bucket = bucket_of(orcid)
    work = ET.fromstring(s3.get_object(Bucket=bucket, Key=activity_key(orcid, "works", codes[orcid]))
                         ["Body"].read())
    assert work.tag == "{%s}work" % WORK_NS
    assert work.get("path") == "/%s/work/%s" % (orcid, codes[orcid])      # singular, as the API
    assert work.get("visibility") == "public" and work.get("put-code") == str(codes[orcid])
    member = ET.fromstring(s3.get_object(Bucket=bucket, Key=activity_key(orcid, "membership",
                                                                         membership))["Body"].read())
    assert member.tag == "{%s}membership" % MEMBERSHIP_NS
    for endpoint, folder, put_code in [("work", "works", codes[orcid]),
                                       ("membership", "membership", membership)]:
        stored = s3.get_object(Bucket=bucket, Key=activity_key(orcid, folder, put_code))
        public = requests.get("%s/pub/v3.0/%s/%s/%s" % (mock_orcid.url, orcid, endpoint, put_code),
                              headers={"Accept": "application/vnd.orcid+xml"})
        assert _unindented(ET.fromstring(stored["Body"].read())) == \
            _unindented(ET.fromstring(public.content))
        assert stored["ContentType"] == "application/xml"


def test_a_new_work_adds_its_object_and_rewrites_only_its_summary(s3, three, people):
    orcids, codes, _ = three
    orcid = orcids[1]
    before = objects(s3)
    put_code = people.add_work(orcid, n=7)
    changed = diff(before, objects(s3))
    assert changed == {"added": [(bucket_of(orcid), activity_key(orcid, "works", put_code))],
                       "removed": [], "rewritten": [(SUMMARIES, summary_key(orcid))]}


def test_private_and_limited_items_never_reach_a_bucket(s3, three, people):
    orcid = three[0][0]
    people.set_state(orcid, default_visibility="limited")      # new items take the default
    before = objects(s3)
    people.add_work(orcid, n=8)
    people.set_state(orcid, default_visibility="private")
    people.add_work(orcid, n=9)
    changed = diff(before, objects(s3))
    # The record's last-modified moved, so its summary is rewritten; no activity appears.
    assert changed == {"added": [], "removed": [], "rewritten": [(SUMMARIES, summary_key(orcid))]}


def test_making_a_work_private_deletes_its_object_and_public_again_restores_it(
        s3, three, people, mock_orcid):
    orcids, codes, _ = three
    orcid = orcids[0]
    key = (bucket_of(orcid), activity_key(orcid, "works", codes[orcid]))
    before = objects(s3)
    mock_orcid.set_visibility(orcid, "work", codes[orcid], "private")
    assert diff(before, objects(s3)) == {"added": [], "removed": [key],
                                         "rewritten": [(SUMMARIES, summary_key(orcid))]}
    middle = objects(s3)
    mock_orcid.set_visibility(orcid, "work", codes[orcid], "public")
    assert diff(middle, objects(s3)) == {"added": [key], "removed": [],
                                         "rewritten": [(SUMMARIES, summary_key(orcid))]}


def test_deleting_a_work_deletes_its_object(s3, three, people):
    orcids, codes, membership = three
    orcid = orcids[2]
    before = objects(s3)
    people.delete(orcid, "work", codes[orcid])
    assert diff(before, objects(s3)) == {
        "added": [], "removed": [(bucket_of(orcid), activity_key(orcid, "works", codes[orcid]))],
        "rewritten": [(SUMMARIES, summary_key(orcid))]}


@pytest.mark.parametrize("fields, status, code", [
    ({"state": "locked"}, "409", "9018"),
    ({"state": "deactivated"}, "409", "9044"),
    ({"state": "deprecated"}, "301", "9007"),
], ids=["locked", "deactivated", "deprecated"])
def test_a_record_that_cannot_be_read_becomes_an_error_document_and_loses_its_activities(
        s3, three, people, fields, status, code):
    orcids, codes, membership = three
    orcid = orcids[2]
    if fields["state"] == "deprecated":
        fields = dict(fields, primary_orcid=orcids[0])
    before = objects(s3)
    people.set_state(orcid, **fields)
    bucket = bucket_of(orcid)
    assert diff(before, objects(s3)) == {
        "added": [],
        "removed": sorted([(bucket, activity_key(orcid, "membership", membership)),
                           (bucket, activity_key(orcid, "works", codes[orcid]))]),
        "rewritten": [(SUMMARIES, summary_key(orcid))]}
    body = s3.get_object(Bucket=SUMMARIES, Key=summary_key(orcid))["Body"].read()
    error = ET.fromstring(body)
    assert error.tag == "{%s}error" % ERROR_NS
    assert [child.tag.split("}")[1] for child in error] == [
        "response-code", "developer-message", "user-message", "error-code", "more-info"]
    assert error.findtext("{%s}response-code" % ERROR_NS) == status
    assert error.findtext("{%s}error-code" % ERROR_NS) == code


def test_a_young_unclaimed_record_is_an_error_and_a_reset_empties_the_buckets(
        s3, three, people, mock_orcid):
    orcid = three[0][0]
    # Created by a member and not yet claimed: the public API refuses it for ten days.
    people.set_state(orcid, state="unclaimed", created_by_client=people.client["client_id"])
    error = ET.fromstring(s3.get_object(Bucket=SUMMARIES, Key=summary_key(orcid))["Body"].read())
    assert error.findtext("{%s}error-code" % ERROR_NS) == "9036"
    assert s3.list_objects_v2(Bucket=bucket_of(orcid), Prefix=orcid[16:] + "/" + orcid)["KeyCount"] == 0
    mock_orcid.reset()
    assert not any(key[1].endswith(orcid + ".xml") for key in objects(s3))


def test_listing_pages_over_2500_objects_with_continuation_tokens(s3, people, mock_orcid):
    session = requests.Session()
    for n in range(2500):
        r = session.post(mock_orcid.url + "/__admin/users", json={"given_names": "Reader%d" % n})
        assert r.status_code == 201
    seen = []
    pages = s3.get_paginator("list_objects_v2").paginate(
        Bucket=SUMMARIES, PaginationConfig={"PageSize": 1000})
    sizes = []
    for page in pages:
        sizes.append(page["KeyCount"])
        seen.extend(o["Key"] for o in page["Contents"])
    total = len(mock_orcid.state.registry.records)
    assert total >= 2500 and len(seen) == total == len(set(seen))
    assert seen == sorted(seen)                       # S3's order: UTF-8 binary
    assert sizes[:2] == [1000, 1000] and sum(sizes) == total
    # Small pages, resumed from a saved token (download.py's recovery mode), give the same keys.
    first = s3.list_objects_v2(Bucket=SUMMARIES, MaxKeys=7)
    assert first["IsTruncated"] and first["KeyCount"] == 7
    rest = s3.list_objects_v2(Bucket=SUMMARIES, MaxKeys=5,
                              ContinuationToken=first["NextContinuationToken"])
    assert [o["Key"] for o in first["Contents"] + rest["Contents"]] == seen[:12]
    after = s3.list_objects_v2(Bucket=SUMMARIES, StartAfter=seen[99], MaxKeys=3)
    assert [o["Key"] for o in after["Contents"]] == seen[100:103]
    # A prefix and a delimiter, as s3fs lists a folder.
    folder = seen[0].split("/")[0] + "/"
    under = s3.list_objects_v2(Bucket=SUMMARIES, Prefix=folder)
    assert [o["Key"] for o in under["Contents"]] == [k for k in seen if k.startswith(folder)]
    rolled = s3.list_objects_v2(Bucket=SUMMARIES, Delimiter="/")
    assert [p["Prefix"] for p in rolled["CommonPrefixes"]][:1] == [folder]


def test_s3_errors_come_back_as_s3s_xml_with_s3s_statuses(s3, three, mock_orcid):
    orcid = three[0][0]
    key = summary_key(orcid)
    cases = [
        (lambda: s3.get_object(Bucket=SUMMARIES, Key="000/none.xml"), "NoSuchKey", 404),
        (lambda: s3.list_objects_v2(Bucket="v2.0-summaries"), "NoSuchBucket", 404),
        (lambda: s3.get_object(Bucket=SUMMARIES, Key=key, IfMatch='"0000"'), "PreconditionFailed", 412),
        (lambda: s3.get_object(Bucket=SUMMARIES, Key=key, Range="bytes=999999-"), "InvalidRange", 416),
        (lambda: s3.put_object(Bucket=SUMMARIES, Key=key, Body=b"x"), "AccessDenied", 403),
        (lambda: s3.delete_object(Bucket=SUMMARIES, Key=key), "AccessDenied", 403),
        (lambda: s3.list_objects_v2(Bucket=SUMMARIES, ContinuationToken="bogus"), "InvalidArgument", 400),
        (lambda: s3.head_object(Bucket=SUMMARIES, Key="000/none.xml"), "404", 404),
    ]
    for call, code, status in cases:
        with pytest.raises(ClientError) as caught:
            call()
        assert caught.value.response["Error"]["Code"] == code
        assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == status
    # The object is untouched by the refused writes.
    etag = s3.head_object(Bucket=SUMMARIES, Key=key)["ETag"]
    assert s3.get_object(Bucket=SUMMARIES, Key=key, IfMatch=etag)["ETag"] == etag
    # A request that is signed, but not the way S3 signs, gets S3's answer too.
    r = requests.get("%s/%s?list-type=2" % (mock_orcid.url, SUMMARIES),
                     headers={"Authorization": "AWS4-HMAC-SHA256 garbage"})
    assert r.status_code == 400 and b"<Code>AuthorizationHeaderMalformed</Code>" in r.content
    # The API keeps its own 404s for paths that are not S3's.
    r = requests.get(mock_orcid.url + "/no-such-thing")
    assert r.status_code == 404 and b"NoSuchBucket" not in r.content


def test_s3fs_reads_folders_and_byte_ranges(three, mock_orcid):
    s3fs = pytest.importorskip("s3fs")
    orcid = three[0][0]
    fs = s3fs.S3FileSystem(key="mock", secret="mock", client_kwargs={
        "endpoint_url": mock_orcid.url, "region_name": "us-east-2"}, use_listings_cache=False)
    path = "%s/%s" % (SUMMARIES, summary_key(orcid))
    assert path in fs.ls("%s/%s" % (SUMMARIES, orcid[16:]))
    whole = fs.cat(path)
    with fs.open(path, "rb", block_size=512) as handle:
        handle.seek(100)
        assert handle.read(700) == whole[100:800]
    assert fs.info(path)["size"] == len(whole)


def test_concurrent_writes_and_reads_leave_exactly_the_written_objects(s3, people, mock_orcid):
    """Writers on four records and a reader listing all along: no error, no lost object."""
    orcids = [people.add() for _ in range(4)]
    failures, done = [], threading.Event()

    def write(orcid, base):
        try:
            for n in range(8):
                people.add_work(orcid, n=base + n)
        except Exception as exc:          # collected: an assertion in a thread would be lost
            failures.append(exc)

    def read():
        reader = s3_client(mock_orcid.url)
        while not done.is_set():
            for bucket in (SUMMARIES,) + ACTIVITIES:
                reader.list_objects_v2(Bucket=bucket)

    writers = [threading.Thread(target=write, args=(o, 100 * i)) for i, o in enumerate(orcids)]
    lister = threading.Thread(target=read)
    lister.start()
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join()
    done.set()
    lister.join()
    assert failures == []
    works = [key for bucket, key in objects(s3) if "/works/" in key]
    assert len(works) == 32
    for orcid in orcids:
        assert sum(key.split("/")[1] == orcid for key in works) == 8
        summary = ET.fromstring(s3.get_object(Bucket=SUMMARIES, Key=summary_key(orcid))["Body"].read())
        assert len(summary.findall(".//{%s}work-summary" % WORK_NS)) == 8


@pytest.mark.parametrize("method, path, headers, status, code", [
    ("GET", "/v3.0-summaries?list-type=2&max-keys=-1", {}, 400, "InvalidArgument"),
    ("GET", "/v3.0-summaries?list-type=2&max-keys=ten", {}, 400, "InvalidArgument"),
    ("GET", "/v3.0-summaries?list-type=3", {}, 400, "InvalidArgument"),
    ("GET", "/v3.0-summaries?list-type=2&encoding-type=base64", {}, 400, "InvalidArgument"),
    ("GET", "/v3.0-summaries?list-type=2&continuation-token=%FF%FE", {}, 400, "InvalidArgument"),
    ("GET", "/v3.0-summaries?acl", {}, 501, "NotImplemented"),
    ("GET", "/v3.0-summaries/097/0000-0002-1825-0097.xml?partNumber=2", {}, 416, "InvalidPartNumber"),
    ("GET", "/v3.0-summaries/097/0000-0002-1825-0097.xml?partNumber=x", {}, 400, "InvalidArgument"),
    ("GET", "/v3.0-summaries/097/0000-0002-1825-0097.xml?versionId=abc", {}, 400, "InvalidArgument"),
    ("GET", "/v3.0-summaries/%C3%28.xml", {}, 404, "NoSuchKey"),
    ("GET", "/v3.0-summaries/" + "a/" * 2000, {}, 404, "NoSuchKey"),
    ("GET", "/v3.0-summaries?list-type=2&prefix=" + "%F0%9F%98%80" * 500, {}, 200, None),
    ("POST", "/v3.0-summaries?delete", {}, 403, "AccessDenied"),
    ("GET", "/v3.0-summaries/097/0000-0002-1825-0097.xml", {"Range": "bytes=abc"}, 200, None),
    ("GET", "/v3.0-summaries/097/0000-0002-1825-0097.xml",
     {"If-Modified-Since": "yesterday", "If-Unmodified-Since": "not a date"}, 200, None),
    ("GET", "/v3.0-summaries", {"Authorization": "Basic Zm9vOmJhcg=="}, 400, "InvalidArgument"),
    ("GET", "/v3.0-summaries", {"Authorization": "AWS onlykey"}, 400, "InvalidArgument"),
    ("GET", "/v3.0-summaries?X-Amz-Algorithm=AWS4-HMAC-SHA256", {}, 400,
     "AuthorizationQueryParametersError"),
    ("GET", "/not-a-bucket/key", {"x-amz-content-sha256": "UNSIGNED-PAYLOAD"}, 404, "NoSuchBucket"),
])
def test_bad_s3_input_gets_s3s_error_and_never_a_crash(mock_orcid, method, path, headers, status,
                                                        code):
    mock_orcid.reset()
    r = requests.request(method, mock_orcid.url + path, headers=headers)
    assert r.status_code == status, r.text[:300]
    if code is not None:
        error = ET.fromstring(r.content)
        assert error.tag == "Error" and error.findtext("Code") == code
        assert error.findtext("RequestId") == r.headers["x-amz-request-id"]
