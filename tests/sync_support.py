"""Helpers for the sync-bucket tests: a boto3 client on the mock, researchers whose iDs land in
each activities bucket, writes through the member API, and a snapshot of every object."""
from __future__ import annotations

import boto3
import requests
from botocore.config import Config
from http_helpers import XML, auth, work_xml

from mock_orcid.registry.orcid_id import format_id

SUMMARIES = "v3.0-summaries"
LAMBDA = "orcid-lambda-file"
LAMBDA_KEY = "last_modified.csv.tar"
ACTIVITIES = ("v3.0-activities-a", "v3.0-activities-b", "v3.0-activities-c")
BUCKETS = (LAMBDA, SUMMARIES) + ACTIVITIES
MEMBERSHIP_XML = (
    '<membership:membership xmlns:membership="http://www.orcid.org/ns/membership" '
    'xmlns:common="http://www.orcid.org/ns/common">'
    '<common:department-name>Fellows</common:department-name>'
    '<common:organization><common:name>Royal Society</common:name>'
    '<common:address><common:city>London</common:city><common:country>GB</common:country>'
    '</common:address><common:disambiguated-organization>'
    '<common:disambiguated-organization-identifier>3019</common:disambiguated-organization-identifier>'
    '<common:disambiguation-source>RINGGOLD</common:disambiguation-source>'
    '</common:disambiguated-organization></common:organization></membership:membership>')


def s3_client(url: str):
    """What a reader configures: the mock's URL and any keys."""
    return boto3.client("s3", endpoint_url=url, aws_access_key_id="mock",
                        aws_secret_access_key="mock", region_name="us-east-2",
                        config=Config(retries={"max_attempts": 1}))


def orcid_ending_in(digits: str, start: int = 1) -> str:
    """A valid iD in ORCID's 0000-0002 block whose check digit is one of ``digits``."""
    base = 2000000000 + start * 7919
    while True:
        orcid = format_id(base)
        if orcid[-1] in digits:
            return orcid
        base += 1


def bucket_of(orcid: str) -> str:
    digit = orcid[-1]
    return ACTIVITIES[0] if digit in "0123" else ACTIVITIES[1] if digit in "4567" else ACTIVITIES[2]


def summary_key(orcid: str) -> str:
    return "%s/%s.xml" % (orcid[16:], orcid)


def activity_key(orcid: str, folder: str, put_code) -> str:
    return "%s/%s/%s/%s_%s_%s.xml" % (orcid[16:], orcid, folder, orcid, folder, put_code)


class Researchers:
    """Researchers with a member client's token each; writes go through the member API."""

    def __init__(self, mock_orcid):
        self.mock = mock_orcid
        self.url = mock_orcid.url
        self.client = mock_orcid.create_client(name="Sync bucket writer")
        self.tokens: dict[str, str] = {}

    def add(self, orcid: str | None = None, **fields) -> str:
        if orcid:
            fields["orcid"] = orcid
        user = self.mock.create_user(**fields)
        self.tokens[user["orcid"]] = self.mock.token(self.client, user)["access_token"]
        return user["orcid"]

    def post(self, orcid: str, endpoint: str, body: str) -> int:
        r = requests.post("%s/v3.0/%s/%s" % (self.url, orcid, endpoint), data=body,
                          headers=auth(self.tokens[orcid], **{"Content-Type": XML}))
        assert r.status_code == 201, r.text
        return int(r.headers["Location"].rsplit("/", 1)[1])

    def add_work(self, orcid: str, n: int = 1, visibility: str | None = None) -> int:
        return self.post(orcid, "work", work_xml(title="Work %d" % n, doi="10.5555/sync.%d" % n,
                                                 visibility=visibility))

    def add_membership(self, orcid: str) -> int:
        return self.post(orcid, "membership", MEMBERSHIP_XML)

    def delete(self, orcid: str, endpoint: str, put_code: int) -> None:
        r = requests.delete("%s/v3.0/%s/%s/%s" % (self.url, orcid, endpoint, put_code),
                            headers=auth(self.tokens[orcid]))
        assert r.status_code == 204, r.text

    def set_state(self, orcid: str, **fields) -> None:
        r = requests.patch("%s/__admin/users/%s" % (self.url, orcid), json=fields)
        assert r.status_code == 200, r.text


def objects(s3, buckets=(SUMMARIES,) + ACTIVITIES) -> dict:
    """(bucket, key) -> (ETag, LastModified) for every object, through ListObjectsV2."""
    found = {}
    for bucket in buckets:
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for obj in page.get("Contents", []):
                found[(bucket, obj["Key"])] = (obj["ETag"], obj["LastModified"])
    return found


def diff(before: dict, after: dict) -> dict:
    """What changed between two snapshots: added, removed and rewritten (bucket, key)s."""
    return {"added": sorted(set(after) - set(before)),
            "removed": sorted(set(before) - set(after)),
            "rewritten": sorted(k for k in set(before) & set(after) if before[k] != after[k])}
