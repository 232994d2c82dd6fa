"""Our own schemas (``xsd/``), built once per process.

There are several schema sets (``SET_NAMES``): ORCID's group-id, client and notification
vocabularies define the ``common`` namespace differently from the record vocabulary (see
xsd/legacy), and API 2.0 and 2.1 have record vocabularies of their own (xsd/v2).
Built schemas are pickled to a cache keyed by the xmlschema version and a hash of the
XSD files, so a fresh process (each pytest run, each CLI start) loads them in tens of
milliseconds instead of building them in most of a second. Unpickling runs code, so the cache
lives in a private per-user directory and is read only when its owner and modes say that no one
else can have written it (see ``cache_dir``).
"""
from __future__ import annotations

import gc
import hashlib
import logging
import os
import pickle
import re
import stat
import tempfile
import threading
from functools import cache
from pathlib import Path
from xml.etree import ElementTree as ET

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
    if name in ("notification-permission", "notification-custom",
                NOTIFICATION_PERMISSION_2X):
        return [legacy / "common.xsd", legacy / (name + ".xsd")]
    raise KeyError(name)


# Record vocabulary of API 2.0 and 2.1: set name -> version.
V2_SETS = {"record-2.0": "2.0", "record-2.1": "2.1"}
# 3.0 files whose content models 2.x shares unchanged (their types come from 2.x's common).
V2_SHARED = ("address.xsd", "bulk.xsd", "email.xsd", "error.xsd", "external-identifier.xsd",
             "history.xsd", "keyword.xsd", "other-name.xsd", "person.xsd", "personal-details.xsd",
             "preferences.xsd", "record.xsd", "search.xsd")
# API 2.x's permission notifications: 3.0's vocabulary with 2.x's five item types (and 2.x's
# JSON: ORCID's permission_v2 classes write enums by their Java constant names).
NOTIFICATION_PERMISSION_2X = "notification-permission-2.x"
_REDEFINED = {NOTIFICATION_PERMISSION_2X: ("notification-permission.xsd",)}
SET_NAMES = ("record", "group-id", "notification-permission", "notification-custom",
             "record-2.0", "record-2.1", NOTIFICATION_PERMISSION_2X)


def record_set(version: str) -> str:
    """The schema set of an API version's record vocabulary."""
    return "record" if version == "3.0" else "record-" + version


def notification_permission_set(version: str) -> str:
    """The schema set a permission notification written through API ``version`` must meet."""
    return "notification-permission" if version == "3.0" else NOTIFICATION_PERMISSION_2X

_lock = threading.Lock()


def cache_dir() -> Path | None:
    """A directory only this user (or root) can write, for the pickled schemas; None if there
    is none (then schemas are built in memory, about a second per set).

    Unpickling runs code, so the cache must never be one someone else could have planted:
    ``MOCK_ORCID_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/mock-orcid`` or
    ``~/.cache/mock-orcid``, else ``$TMPDIR/mock-orcid-cache-<uid>``; created 0700, and used only
    if it is owned by this user or root and not writable by group or others."""
    configured = os.environ.get("MOCK_ORCID_CACHE_DIR")
    if configured:
        candidates = [Path(configured)]
    else:
        candidates = []
        xdg = os.environ.get("XDG_CACHE_HOME")
        try:
            base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
            candidates.append(base / "mock-orcid")
        except (RuntimeError, KeyError):   # no home directory
            pass
        candidates.append(Path(tempfile.gettempdir()) / ("mock-orcid-cache-%d" % _uid()))
    for candidate in candidates:
        if _private_dir(candidate):
            return candidate
    return None


def _uid() -> int:
    return os.geteuid() if hasattr(os, "geteuid") else 0


def _trusted(st: os.stat_result) -> bool:
    if not hasattr(os, "geteuid"):     # no POSIX owners (Windows): nothing to compare
        return True
    return st.st_uid in (os.geteuid(), 0) and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _private_dir(path: Path) -> bool:
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = path.stat()
    except OSError:
        return False
    if stat.S_ISDIR(st.st_mode) and _trusted(st):
        return True
    _warn_once("not using schema cache %s: it must be a directory owned by this user and not "
               "writable by group or others" % path)
    return False


_warned: set[str] = set()


def _warn_once(message: str) -> None:
    if message not in _warned:
        _warned.add(message)
        log.warning(message)


def bundle_files() -> list[Path]:
    """Every XSD any set reads (a file another one redefines is read through it, not listed)."""
    found = {f for name in SET_NAMES for f in set_files(name)}
    found.update(xsd_dir() / "legacy" / f for files in _REDEFINED.values() for f in files)
    return sorted(found)


def bundle_cache_name() -> str:
    """The cache file's name: keyed by xmlschema's version, the sets and the files' contents."""
    import xmlschema
    digest = hashlib.sha256(xmlschema.__version__.encode())
    digest.update(repr(SET_NAMES).encode())
    base = xsd_dir()
    for f in bundle_files():
        digest.update(str(f.relative_to(base)).encode())
        digest.update(f.read_bytes())
    return "schemas-%s.pickle" % digest.hexdigest()[:24]


def read_cached(path: Path):
    """The pickled schema at ``path`` if this user (or root) wrote it and no one else can
    change it; None otherwise. The checks are made on the open file, not on its name."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or not _trusted(st):
            _warn_once("not loading schema cache %s: not a private file of this user" % path)
            return None
        paused = gc.isenabled()
        gc.disable()
        try:
            return pickle.load(fh)
        except Exception:  # a stale or truncated cache is rebuilt, never fatal
            log.warning("ignoring unreadable schema cache %s", path)
            return None
        finally:
            if paused:
                gc.enable()


def write_cached(path: Path, schema) -> None:
    tmp = path.with_name("%s.tmp%d-%s" % (path.name, os.getpid(), os.urandom(4).hex()))
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0),
                     0o600)
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(schema, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        log.warning("could not write schema cache %s", path)
        try:
            tmp.unlink()
        except OSError:
            pass


# The component maps of the loaded 2.x sets: how a declaration tells its API version.
_V2_MAPS: set[int] = set()


def _build(name: str):
    import xmlschema
    files = set_files(name)
    return xmlschema.XMLSchema11([str(f) for f in files], allow="sandbox",
                                 base_url=str(files[0].parent))


@cache
def _bundle() -> dict:
    """Every schema set, loaded together from one cache file.

    One file, not one per set: sets built in one process share the XSD meta-schema's
    components, so the bundle pickles them once (1.6 MB, not 3.7 MB), and it is read with the
    collector paused (it only allocates; a collection mid-load walks the growing graph again
    and again): about 50 ms instead of 150-450 ms."""
    # Imported here: xmlschema (with elementpath) is a tenth of a second of imports that
    # starting the server does not need (see ``server.RunningServer``).
    import xmlschema  # noqa: F401  (the pickle's classes)
    root = cache_dir()
    path = root / bundle_cache_name() if root is not None else None
    cached = read_cached(path) if path is not None else None
    if isinstance(cached, dict) and set(cached) == set(SET_NAMES):
        bundle = cached
    else:
        bundle = {name: _build(name) for name in SET_NAMES}
        if path is not None:
            write_cached(path, bundle)
    _V2_MAPS.update(id(bundle[name].maps) for name in (*V2_SETS, NOTIFICATION_PERMISSION_2X))
    return bundle


def schema(name: str = "record") -> "xmlschema.XMLSchema11":  # noqa: F821
    with _lock:
        return _bundle()[name]


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
    try:
        for err in sch.iter_errors(element):
            text = "%s: %s" % (err.path, err.reason or err.message) if err.path else (err.reason or err.message)
            text = _CLARK.sub(lambda m: m.group(1) + ":", text)   # {…/ns/work}title -> work:title
            if text not in out:
                out.append(text)
            if len(out) >= 10:
                break
    except _xmlschema_error() as exc:
        # Raised rather than reported, e.g. for an xsi:type naming no type of the schema.
        out.append(_CLARK.sub(lambda m: m.group(1) + ":", "%s" % exc).strip())
    return out


def _xmlschema_error():
    import xmlschema
    return xmlschema.XMLSchemaException


_CLARK = re.compile(r"\{http://www\.orcid\.org/ns/([a-z-]+)\}")


def element_decl(tag: str, set_name: str | None = None):
    return schema(set_name or set_for(tag)).maps.elements[tag]
