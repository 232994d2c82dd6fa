"""Our own 3.0 schemas (``xsd/``), built once per process.

There are four schema sets because ORCID's group-id, client and notification vocabularies
define the ``common`` namespace differently from the record vocabulary (see xsd/legacy).
Built schemas are pickled to a cache keyed by the xmlschema version and a hash of the
XSD files, so a fresh process (each pytest run, each CLI start) loads them in tens of
milliseconds instead of building them in most of a second.
"""
from __future__ import annotations

import hashlib
import logging
import os
import pickle
import re
import tempfile
import threading
from functools import cache
from pathlib import Path
from xml.etree import ElementTree as ET

import xmlschema

log = logging.getLogger(__name__)

from .resources import resource_dir


def xsd_dir() -> Path:
    return resource_dir("xsd")


def set_files(name: str) -> list[Path]:
    base = xsd_dir()
    legacy = base / "legacy"
    if name == "record":
        return sorted(base.glob("*.xsd"))
    if name == "group-id":
        return [legacy / "common.xsd", legacy / "group-id.xsd", legacy / "client.xsd"]
    if name in ("notification-permission", "notification-custom"):
        return [legacy / "common.xsd", legacy / (name + ".xsd")]
    raise KeyError(name)


SET_NAMES = ("record", "group-id", "notification-permission", "notification-custom")

_lock = threading.Lock()


def _cache_path(files: list[Path]) -> Path:
    digest = hashlib.sha256(xmlschema.__version__.encode())
    for f in files:
        digest.update(f.name.encode())
        digest.update(f.read_bytes())
    root = Path(os.environ.get("MOCK_ORCID_CACHE_DIR",
                               Path(tempfile.gettempdir()) / "mock-orcid-cache"))
    return root / ("schema-%s.pickle" % digest.hexdigest()[:24])


@cache
def _schema(name: str) -> xmlschema.XMLSchema11:
    files = set_files(name)
    path = _cache_path(files)
    if path.exists():
        try:
            with path.open("rb") as fh:
                # Only files this code wrote itself, keyed by content hash, are unpickled.
                return pickle.load(fh)
        except Exception:  # a stale or truncated cache is rebuilt, never fatal
            log.warning("ignoring unreadable schema cache %s", path)
    schema = xmlschema.XMLSchema11([str(f) for f in files], allow="sandbox",
                                   base_url=str(files[0].parent))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp%d" % os.getpid())
        with tmp.open("wb") as fh:
            pickle.dump(schema, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        log.warning("could not write schema cache %s", path)
    return schema


def schema(name: str = "record") -> xmlschema.XMLSchema11:
    with _lock:
        return _schema(name)


def set_for(tag: str) -> str:
    """Which schema set validates a document with this root element."""
    ns = tag[1:].split("}", 1)[0]
    if ns.endswith("/group-id") or ns.endswith("/client"):
        return "group-id"
    if ns.endswith("/notification"):
        return "notification-permission"
    return "record"


def set_for_element(element: ET.Element) -> str:
    """Like set_for, but tells ORCID's two notification vocabularies apart by their type."""
    name = set_for(element.tag)
    if name == "notification-permission":
        kind = element.findtext("{http://www.orcid.org/ns/notification}notification-type")
        if (kind or "").strip() != "permission":
            return "notification-custom"
    return name


def errors(element: ET.Element, set_name: str | None = None) -> list[str]:
    """Validation errors for a parsed element, as short readable messages."""
    sch = schema(set_name or set_for_element(element))
    out = []
    try:
        for err in sch.iter_errors(element):
            text = "%s: %s" % (err.path, err.reason or err.message) if err.path else (err.reason or err.message)
            text = _CLARK.sub(lambda m: m.group(1) + ":", text)   # {…/ns/work}title -> work:title
            if text not in out:
                out.append(text)
            if len(out) >= 10:
                break
    except xmlschema.XMLSchemaException as exc:
        # Raised rather than reported, e.g. for an xsi:type naming no type of the schema.
        out.append(_CLARK.sub(lambda m: m.group(1) + ":", "%s" % exc).strip())
    return out


_CLARK = re.compile(r"\{http://www\.orcid\.org/ns/([a-z-]+)\}")


def element_decl(tag: str, set_name: str | None = None):
    return schema(set_name or set_for(tag)).maps.elements[tag]
