"""API 2.0/2.1 in tests: ORCID's official 2.x schemas and samples (../shared/orcid-model)."""
from __future__ import annotations

from functools import cache
from pathlib import Path

import xmlschema

MODEL = Path(__file__).resolve().parents[1].parent / "shared" / "orcid-model"
VERSIONS = ("2.0", "2.1")


@cache
def official_v2(version: str) -> xmlschema.XMLSchema:
    """ORCID's own 2.x record schema set (reference data: read in place, never copied)."""
    files = sorted((MODEL / ("record_" + version)).glob("*.xsd"))
    files.append(MODEL / ("common_" + version) / ("common-%s.xsd" % version))
    return xmlschema.XMLSchema([str(f) for f in files], allow="local")


def samples(version: str, kind: str) -> list[Path]:
    folder = MODEL / ("record_" + version) / "samples" / kind
    return sorted(folder.glob("*.xml")) if folder.is_dir() else []


def problems(version: str, element) -> list[str]:
    return [e.reason or e.message for e in official_v2(version).iter_errors(element)][:5]
