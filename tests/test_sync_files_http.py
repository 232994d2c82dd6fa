"""The Lambda file and the public data file, read the way their readers read them (facts §2,
§3), and ORCID's public-data-sync flow run against the mock with boto3 alone (facts §4.1)."""
from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
from datetime import datetime
from pathlib import Path
from xml.etree import ElementTree as ET

import boto3
import pytest
import requests
from conformance_support import official_errors, pick_set
from sync_support import (LAMBDA, LAMBDA_KEY, SUMMARIES, Researchers, activity_key, bucket_of,
                          objects, orcid_ending_in, s3_client)

TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}")
DATE_FORMAT = "%Y-%m-%d %H:%M:%S.%f"


@pytest.fixture
def people(mock_orcid):
    mock_orcid.reset()
    return Researchers(mock_orcid)


def lambda_rows(body: bytes) -> tuple[list[str], str]:
    """(member names, CSV text) of a Lambda file."""
    assert body[:2] == b"\x1f\x8b", "a gzip tar, whatever the .tar name says"
    with tarfile.open(fileobj=io.BytesIO(body), mode="r:gz") as tar:
        members = tar.getmembers()
        text = tar.extractfile(members[0]).read().decode("utf-8")
    return [m.name for m in members if m.isfile()], text


def wait_past(mock_orcid, moment: datetime) -> None:
    """Let the registry's clock pass ``moment`` (it counts milliseconds), so the next write is
    strictly newer than everything before it."""
    while mock_orcid.state.registry.now().replace(tzinfo=None) <= moment:
        time.sleep(0.001)


# ------------------------------------------------------------------ the Lambda file
def test_lambda_file_lists_every_summary_newest_first_in_orcids_format(people, mock_orcid):
    s3 = s3_client(mock_orcid.url)
    first = people.add(orcid_ending_in("0123"))
    second = people.add(orcid_ending_in("89X"))
    people.add_work(first)
    body = s3.get_object(Bucket=LAMBDA, Key=LAMBDA_KEY)["Body"].read()
    names, text = lambda_rows(body)
    assert names == ["last_modified.csv"]
    assert not text.endswith("\n"), "no empty last row for readers that split on newlines"
    rows = list(csv.reader(text.split("\n")))
    assert rows[0] == ["orcid", "path", "date_created", "last_modified"]
    assert all(len(row) == 4 and TIMESTAMP.fullmatch(row[2]) and TIMESTAMP.fullmatch(row[3])
               for row in rows[1:])
    modified = [row[3] for row in rows[1:]]
    assert modified == sorted(modified, reverse=True)
    listed_ids = {key.split("/")[1][:-4] for _, key in objects(s3, (SUMMARIES,))}
    assert {row[0] for row in rows[1:]} == listed_ids
    assert rows[1][0] == first                          # its work made it the newest
    assert rows[1][1].endswith("/" + first)

    # A write to the older record brings it to the top; its creation date stays.
    created = {row[0]: row[2] for row in rows[1:]}
    wait_past(mock_orcid, datetime.strptime(rows[1][3], DATE_FORMAT))
    people.add_work(second, n=2)
    _, text = lambda_rows(s3.get_object(Bucket=LAMBDA, Key=LAMBDA_KEY)["Body"].read())
    top = text.split("\n")[1].split(",")
    assert top[0] == second and top[2] == created[second] and top[3] > rows[1][3]


def test_lambda_file_is_the_same_bytes_over_plain_http_and_from_the_export_command(
        people, mock_orcid, tmp_path):
    people.add_work(people.add())
    s3_body = s3_client(mock_orcid.url).get_object(Bucket=LAMBDA, Key=LAMBDA_KEY)["Body"].read()
    plain = requests.get("%s/%s/%s" % (mock_orcid.url, LAMBDA, LAMBDA_KEY))
    assert plain.status_code == 200 and plain.content == s3_body
    done = subprocess.run([sys.executable, "-m", "mock_orcid.cli", "export", "lambda-file",
                           str(tmp_path), "--url", mock_orcid.url],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / LAMBDA_KEY).read_bytes() == s3_body
    assert mock_orcid.export_lambda_file(tmp_path / "again.tar").read_bytes() == s3_body


def test_export_command_says_why_when_no_server_answers(tmp_path):
    done = subprocess.run([sys.executable, "-m", "mock_orcid.cli", "export", "public-data-file",
                           str(tmp_path), "--url", "http://127.0.0.1:9"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.startswith("mock-orcid export: cannot read http://127.0.0.1:9")
    assert "Traceback" not in done.stderr


# ------------------------------------------------------------------ the public data file
@pytest.fixture
def registry_with_everything(people):
    """Researchers in all three activities buckets, a work and a membership, a private work,
    and a locked record (whose summary is an error document)."""
    orcids = [people.add(orcid_ending_in(d, start=i)) for i, d in enumerate(("0123", "4567", "89X"))]
    works = {orcid: people.add_work(orcid, n=i) for i, orcid in enumerate(orcids)}
    membership = people.add_membership(orcids[0])
    people.set_state(orcids[1], default_visibility="private")
    people.add_work(orcids[1], n=9)
    locked = people.add(orcid_ending_in("89X", start=9))
    people.add_work(locked, n=10)
    people.set_state(locked, state="locked")
    return orcids, works, membership, locked


def _regular_members(path: Path) -> dict[str, bytes]:
    with tarfile.open(path, "r:gz") as tar:
        names = tar.getnames()
        assert not any(n.startswith(("./", "/")) for n in names)
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}, \
            {m.name for m in tar.getmembers() if m.isdir()}


def test_public_data_file_has_orcids_archives_and_layout_and_holds_the_buckets(
        registry_with_everything, mock_orcid, tmp_path):
    orcids, works, membership, locked = registry_with_everything
    paths = mock_orcid.export_public_data_file(tmp_path, year=2025)
    assert [p.name for p in paths] == ["ORCID_2025_10_summaries.tar.gz"] + [
        "ORCID_2025_10_activities_%s.tar.gz" % d for d in "0123456789X"]

    s3 = s3_client(mock_orcid.url)
    in_buckets = objects(s3)
    files, dirs = _regular_members(paths[0])
    top = "ORCID_2025_10_summaries"
    assert all(len(name.split("/")) == 3 and name.startswith(top + "/") for name in files)
    assert {top, top + "/" + orcids[0][16:]} <= dirs       # directory entries, no slash kept
    summaries = {key for bucket, key in in_buckets if bucket == SUMMARIES}
    assert {name[len(top) + 1:] for name in files} == summaries
    for name, body in files.items():
        assert body == s3.get_object(Bucket=SUMMARIES, Key=name[len(top) + 1:])["Body"].read()

    activities = {}
    for digit, path in zip("0123456789X", paths[1:]):
        members, _ = _regular_members(path)
        prefix = "ORCID_2025_10_activities_%s/" % digit
        for name, body in members.items():
            parts = name.split("/")
            assert name.startswith(prefix) and len(parts) == 5 and parts[2][-1] == digit
            activities[name[len(prefix):]] = body
    expected = {key for bucket, key in in_buckets if bucket != SUMMARIES}
    assert set(activities) == expected
    assert activity_key(orcids[0], "membership", membership) in activities
    assert activity_key(orcids[1], "works", works[orcids[1]]) in activities
    assert not any(key.startswith(locked[16:] + "/" + locked) for key in activities)
    for key, body in activities.items():
        orcid = key.split("/")[1]
        assert body == s3.get_object(Bucket=bucket_of(orcid), Key=key)["Body"].read()


def test_every_file_of_the_public_data_file_is_valid_against_orcids_schemas(
        registry_with_everything, mock_orcid, tmp_path, official_model):
    locked = registry_with_everything[3]
    checked, errors = 0, 0
    for path in mock_orcid.export_public_data_file(tmp_path):
        files, _ = _regular_members(path)
        for name, body in files.items():
            root = ET.fromstring(body)
            problems = official_errors(root, pick_set(root), official_model)
            assert problems == [], "%s: %s" % (name, problems)
            checked += 1
            errors += root.tag == "{http://www.orcid.org/ns/error}error"
            if name.endswith("/%s.xml" % locked):
                assert root.tag.endswith("}error")
    assert checked >= 8 and errors == 1


def test_export_command_writes_the_same_archives_as_the_fixture(
        registry_with_everything, mock_orcid, tmp_path):
    from_fixture = mock_orcid.export_public_data_file(tmp_path / "fixture", year=2024)
    env = dict(os.environ, MOCK_ORCID_BASE_URL=mock_orcid.url)
    done = subprocess.run([sys.executable, "-m", "mock_orcid.cli", "export", "public-data-file",
                           str(tmp_path / "cli"), "--year", "2024"],
                          capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    written = [Path(line) for line in done.stdout.split()]
    assert [p.name for p in written] == [p.name for p in from_fixture]
    for ours, theirs in zip(from_fixture, written):
        assert ours.read_bytes() == theirs.read_bytes(), "archives are reproducible"


# ------------------------------------------------------------------ ORCID's own sync flow
def test_orcids_public_data_sync_flow_runs_against_the_mock_with_boto3_only(
        people, mock_orcid, tmp_path, monkeypatch):
    """sync.py's steps as its README describes them: download the Lambda file, untar it with
    ``tar -xzvf``, read rows until the first older than the last run, download those summaries,
    and list-then-download each one's activities. The client is ``boto3.client('s3')`` with no
    arguments: the endpoint and keys come from the environment."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", mock_orcid.url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "mock")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "mock")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-2")
    monkeypatch.chdir(tmp_path)
    changed = people.add(orcid_ending_in("4567"))
    first_work = people.add_work(changed, n=1)
    untouched = people.add(orcid_ending_in("0123"))
    people.add_work(untouched, n=2)
    last_run = mock_orcid.state.registry.now().replace(tzinfo=None)
    wait_past(mock_orcid, last_run)
    second_work = people.add_work(changed, n=3)

    s3client = boto3.client("s3")
    s3client.download_file("orcid-lambda-file", "last_modified.csv.tar", "last_modified.csv.tar")
    if shutil.which("tar"):
        subprocess.run(["tar", "-xzvf", "last_modified.csv.tar"], check=True, capture_output=True)
    else:
        with tarfile.open("last_modified.csv.tar") as tar:
            tar.extractall(filter="data")
    records_to_sync = []
    with open("last_modified.csv") as lines:
        next(lines)
        for line in lines:
            orcid, _path, _created, last_modified = line.rstrip("\n").split(",")
            if datetime.strptime(last_modified, DATE_FORMAT) >= last_run:
                records_to_sync.append(orcid)
            else:
                break
    assert records_to_sync == [changed]

    local = tmp_path / "ORCID_public_data_files"
    for orcid in records_to_sync:
        suffix = orcid[-3:]
        (local / "summaries" / suffix).mkdir(parents=True, exist_ok=True)
        s3client.download_file("v3.0-summaries", suffix + "/" + orcid + ".xml",
                               str(local / "summaries" / suffix / (orcid + ".xml")))
        bucket = "v3.0-activities-" + ("a" if orcid[-1] in "0123" else "b" if orcid[-1] in "4567" else "c")
        pages = s3client.get_paginator("list_objects_v2").paginate(
            Bucket=bucket, Prefix=suffix + "/" + orcid, PaginationConfig={"PageSize": 1000})
        for page in pages:
            for element in page.get("Contents", []):
                checksum, owner, kind, name = element["Key"].split("/")
                folder = local / "activities" / checksum / owner / kind
                folder.mkdir(parents=True, exist_ok=True)
                s3client.download_file(bucket, element["Key"], str(folder / name))

    summary = ET.parse(local / "summaries" / changed[-3:] / (changed + ".xml")).getroot()
    codes = {e.get("put-code") for e in summary.iter("{http://www.orcid.org/ns/work}work-summary")}
    assert codes == {str(first_work), str(second_work)}
    works = local / "activities" / changed[-3:] / changed / "works"
    assert sorted(p.name for p in works.iterdir()) == sorted(
        "%s_works_%s.xml" % (changed, code) for code in (first_work, second_work))
    assert not (local / "summaries" / untouched[-3:]).exists()
