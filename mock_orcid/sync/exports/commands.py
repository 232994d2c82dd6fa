"""``mock-orcid export lambda-file`` and ``export public-data-file``: what the CLI and the pytest
fixture call, reading the running server at ``base_url``."""
from __future__ import annotations

import os
from pathlib import Path

from ..buckets import keys
from . import public_data_file
from .bucket_reader import BucketReader

DEFAULT_BASE_URL = "http://127.0.0.1:8080"


def default_base_url() -> str:
    return os.environ.get("MOCK_ORCID_BASE_URL") or DEFAULT_BASE_URL


def export_lambda_file(path: str | Path, base_url: str | None = None) -> Path:
    """``last_modified.csv.tar`` as the server has it now, byte for byte."""
    with BucketReader(base_url or default_base_url()) as reader:
        body = reader.get(keys.LAMBDA_BUCKET, keys.LAMBDA_KEY)
    path = Path(path)
    if path.is_dir():
        path = path / keys.LAMBDA_KEY
    path.write_bytes(body)
    return path


def export_public_data_file(directory: str | Path, year: int | None = None,
                            base_url: str | None = None) -> list[Path]:
    with BucketReader(base_url or default_base_url()) as reader:
        return public_data_file.write(reader, directory, year)
