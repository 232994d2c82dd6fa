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
    if name in V2_SETS:
        # API 2.x: its own files where the vocabulary differs from 3.0, the 3.0 files where
        # it does not, and the one file that tells 2.0 (http://) from 2.1 (https://).
        v2 = base / "v2"
        own = {f.name for f in v2.glob("*.xsd") if not f.name.startswith("identity-")}
        shared = [base / f for f in V2_SHARED if f not in own]
        # A shared file first: the first file's folder is the sandbox xmlschema reads from.
        return shared + [v2 / "common.xsd", v2 / ("identity-%s.xsd" % V2_SETS[name])] + sorted(
            f for f in v2.glob("*.xsd") if f.name in own and f.name != "common.xsd")
    if name == "group-id":
        return [legacy / "common.xsd", legacy / "group-id.xsd", legacy / "client.xsd"]
    if name in ("notification-permission", "notification-custom"):
        return [legacy / "common.xsd", legacy / (name + ".xsd")]
    raise KeyError(name)


# Record vocabulary of API 2.0 and 2.1: set name -> version.
V2_SETS = {"record-2.0": "2.0", "record-2.1": "2.1"}
# 3.0 files whose content models 2.x shares unchanged (their types come from 2.x's common).
V2_SHARED = ("address.xsd", "bulk.xsd", "email.xsd", "error.xsd", "external-identifier.xsd",
             "history.xsd", "keyword.xsd", "other-name.xsd", "person.xsd", "personal-details.xsd",
             "preferences.xsd", "record.xsd", "search.xsd")
SET_NAMES = ("record", "group-id", "notification-permission", "notification-custom",
             "record-2.0", "record-2.1")


def record_set(version: str) -> str:
    """The schema set of an API version's record vocabulary."""
    return "record" if version == "3.0" else "record-" + version

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
        found = _schema(name)
        if name in V2_SETS:
            _V2_MAPS.add(id(found.maps))
        return found


# The component maps of the loaded 2.x sets: how a declaration tells its API version.
_V2_MAPS: set[int] = set()


def is_v2(decl) -> bool:
    """Whether a schema component comes from a 2.x set (2.x JSON spells enums differently)."""
    return id(decl.maps) in _V2_MAPS


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
    for err in sch.iter_errors(element):
        text = "%s: %s" % (err.path, err.reason or err.message) if err.path else (err.reason or err.message)
        text = _CLARK.sub(lambda m: m.group(1) + ":", text)   # {…/ns/work}title -> work:title
        if text not in out:
            out.append(text)
        if len(out) >= 10:
            break
    return out


_CLARK = re.compile(r"\{http://www\.orcid\.org/ns/([a-z-]+)\}")


def element_decl(tag: str, set_name: str | None = None):
    return schema(set_name or set_for(tag)).maps.elements[tag]
