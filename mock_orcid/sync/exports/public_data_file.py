"""ORCID's annual public data file from the sync buckets (orcid-sync-facts §3): one
``ORCID_YYYY_10_summaries.tar.gz`` holding ``ORCID_YYYY_10_summaries/{last3}/{orcid}.xml``, and
eleven ``ORCID_YYYY_10_activities_{d}.tar.gz`` (``d`` the iD's check digit, 0-9 or X) holding
``ORCID_YYYY_10_activities_{d}/{last3}/{orcid}/{section}/{file}``, with directory entries, no
``./`` prefix, and each file's time the time its object was written.

The archives are reproducible: members in key order, times from the objects, gzip header time 0.
"""
from __future__ import annotations

import gzip
import io
import tarfile
from datetime import datetime, timezone
from pathlib import Path

from ..buckets import keys
from .bucket_reader import BucketReader

CHECK_DIGITS = "0123456789X"


def summaries_name(year: int) -> str:
    return "ORCID_%d_10_summaries" % year


def activities_name(year: int, digit: str) -> str:
    return "ORCID_%d_10_activities_%s" % (year, digit)


class _Archive:
    """A gzip tar written to ``path``, adding the parent directories of each file once."""

    def __init__(self, path: Path, top: str):
        self.path, self.top = path, top
        self._raw = open(path, "wb")
        self._gzip = gzip.GzipFile(filename="", mode="wb", fileobj=self._raw, mtime=0)
        self._tar = tarfile.open(fileobj=self._gzip, mode="w", format=tarfile.PAX_FORMAT)
        self._dirs: set[str] = set()
        self.files = 0

    def _dir(self, name: str, mtime: int) -> None:
        if name in self._dirs:
            return
        parent = name.rsplit("/", 1)[0] if "/" in name else None
        if parent:
            self._dir(parent, mtime)
        info = tarfile.TarInfo(name + "/")
        info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, mtime
        self._tar.addfile(info)
        self._dirs.add(name)

    def add(self, key: str, body: bytes, when: datetime) -> None:
        name = "%s/%s" % (self.top, key)
        mtime = int(when.timestamp())
        self._dir(name.rsplit("/", 1)[0], mtime)
        info = tarfile.TarInfo(name)
        info.size, info.mode, info.mtime = len(body), 0o644, mtime
        self._tar.addfile(info, io.BytesIO(body))
        self.files += 1

    def close(self) -> None:
        if not self._dirs:
            self._dir(self.top, 0)        # an empty archive still names its folder
        self._tar.close()
        self._gzip.close()
        self._raw.close()


def write(reader: BucketReader, directory: str | Path, year: int | None = None) -> list[Path]:
    """Write the twelve archives into ``directory``; returns their paths, summaries first."""
    year = year or datetime.now(timezone.utc).year
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    summaries = _Archive(directory / (summaries_name(year) + ".tar.gz"), summaries_name(year))
    try:
        for listed in reader.list(keys.SUMMARIES_BUCKET):
            summaries.add(listed.key, reader.get(keys.SUMMARIES_BUCKET, listed.key),
                          listed.last_modified)
    finally:
        summaries.close()
    paths.append(summaries.path)
    archives = {d: _Archive(directory / (activities_name(year, d) + ".tar.gz"),
                            activities_name(year, d)) for d in CHECK_DIGITS}
    try:
        # A key starts with the iD's last three characters, so its third is the check digit.
        for bucket in keys.ACTIVITIES_BUCKETS:
            for listed in reader.list(bucket):
                archives[listed.key[2]].add(listed.key, reader.get(bucket, listed.key),
                                            listed.last_modified)
    finally:
        for archive in archives.values():
            archive.close()
    paths.extend(archives[d].path for d in CHECK_DIGITS)
    return paths

