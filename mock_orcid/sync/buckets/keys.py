"""Bucket names and object keys, spelled as ORCID's message listener and its readers spell them
(orcid-sync-facts §1.1-§1.3, §2)."""
from __future__ import annotations

import re

from ...registry import sections

LAMBDA_BUCKET = "orcid-lambda-file"
LAMBDA_KEY = "last_modified.csv.tar"
SUMMARIES_BUCKET = "v3.0-summaries"
ACTIVITIES_BUCKET_BASE = "v3.0-activities"
ACTIVITIES_BUCKETS = tuple("%s-%s" % (ACTIVITIES_BUCKET_BASE, s) for s in "abc")
BUCKETS = (LAMBDA_BUCKET, SUMMARIES_BUCKET) + ACTIVITIES_BUCKETS

# ORCID's ActivityType folder names are the API's plurals, except "membership" (singular).
_FOLDER_EXCEPTIONS = {"membership": "membership"}
FOLDERS = {s.name: _FOLDER_EXCEPTIONS.get(s.name, s.plural) for s in sections.ACTIVITIES}
SECTION_OF_FOLDER = {folder: name for name, folder in FOLDERS.items()}

_ACTIVITY_KEY = re.compile(r"(?P<last3>[0-9X]{3})/(?P<orcid>\d{4}-\d{4}-\d{4}-\d{3}[0-9X])/"
                           r"(?P<folder>[a-z-]+)/(?P=orcid)_(?P=folder)_(?P<put_code>\d+)\.xml")


def last3(orcid: str) -> str:
    """``orcid.substring(16)``: the folder every object of a record sits in."""
    return orcid[16:]


def summary_key(orcid: str) -> str:
    return "%s/%s.xml" % (last3(orcid), orcid)


def activities_prefix(orcid: str) -> str:
    return "%s/%s/" % (last3(orcid), orcid)


def activity_key(orcid: str, section_name: str, put_code: int) -> str:
    folder = FOLDERS[section_name]
    return "%s%s/%s_%s_%s.xml" % (activities_prefix(orcid), folder, orcid, folder, put_code)


def activities_bucket(orcid: str) -> str:
    """By the check digit: 0-3 -> a, 4-7 -> b, anything else (8, 9, X) -> c."""
    digit = orcid[-1]
    if digit in "0123":
        return ACTIVITIES_BUCKETS[0]
    if digit in "4567":
        return ACTIVITIES_BUCKETS[1]
    return ACTIVITIES_BUCKETS[2]


def parse_activity_key(key: str) -> tuple[str, str, int] | None:
    """(orcid, section name, put-code) of an activity key, or None."""
    match = _ACTIVITY_KEY.fullmatch(key)
    if not match or match["folder"] not in SECTION_OF_FOLDER or match["last3"] != last3(match["orcid"]):
        return None
    return match["orcid"], SECTION_OF_FOLDER[match["folder"]], int(match["put_code"])
