"""``last_modified.csv.tar``: every record in the summaries bucket with its last-modified time,
newest first, as one CSV in a gzip tar (orcid-sync-facts §2).

Readers stop at the first row older than their cutoff, so the order is what makes them right.
The file has a header row, four unquoted columns, ORCID's ``YYYY-MM-DD HH:MM:SS.ffffff`` times
(UTC, no zone), and no trailing newline (a reader that splits on ``\\n`` would otherwise meet an
empty last row). The archive is byte-for-byte reproducible: its times are the file's own.
"""
from __future__ import annotations

import gzip
import io
import tarfile
from datetime import datetime

MEMBER = "last_modified.csv"
HEADER = "orcid,path,date_created,last_modified"
CONTENT_TYPE = "application/x-tar"


def timestamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%d %H:%M:%S.%f")


def csv_text(rows: dict[str, tuple[datetime, datetime]], registry_url: str) -> str:
    """``rows``: orcid -> (created, last modified)."""
    base = registry_url.rstrip("/")
    ordered = sorted(rows.items(), key=lambda entry: (entry[1][1], entry[0]), reverse=True)
    lines = [HEADER]
    lines.extend("%s,%s/%s,%s,%s" % (orcid, base, orcid, timestamp(created), timestamp(modified))
                 for orcid, (created, modified) in ordered)
    return "\n".join(lines)


def archive(text: str, when: datetime) -> bytes:
    data = text.encode("utf-8")
    mtime = int(when.timestamp())
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        info = tarfile.TarInfo(MEMBER)
        info.size, info.mtime, info.mode = len(data), mtime, 0o644
        tar.addfile(info, io.BytesIO(data))
    return gzip.compress(raw.getvalue(), compresslevel=6, mtime=mtime)
