"""The pickled schema cache can only be one this user wrote: a folder or file someone else could
have planted is never unpickled (unpickling runs code)."""
from __future__ import annotations

import os
import pickle
import stat
import subprocess
import sys

import pytest

from mock_orcid.wire import schemas


class _Planted:
    """A pickle that, when loaded, creates a file: stands for any code an attacker plants."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def _plant(path, marker, mode=0o600):
    path.write_bytes(pickle.dumps(_Planted(marker)))
    os.chmod(path, mode)


@pytest.fixture
def cache_env(tmp_path, monkeypatch):
    for name in ("MOCK_ORCID_CACHE_DIR", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(schemas.tempfile, "tempdir", None)   # re-read TMPDIR
    return tmp_path


def test_the_default_cache_is_a_private_per_user_folder(cache_env):
    folder = schemas.cache_dir()
    assert folder == cache_env / "home" / ".cache" / "mock-orcid"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_xdg_cache_home_is_honoured(cache_env, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache_env / "xdg"))
    assert schemas.cache_dir() == cache_env / "xdg" / "mock-orcid"


def test_the_old_shared_tmp_folder_is_never_used(cache_env, monkeypatch):
    # Before: $TMPDIR/mock-orcid-cache, which anyone could create first.
    (cache_env / "tmp" / "mock-orcid-cache").mkdir(mode=0o777)
    (cache_env / "not-a-folder").write_text("")
    monkeypatch.setenv("HOME", str(cache_env / "not-a-folder"))   # no usable home
    folder = schemas.cache_dir()
    assert folder is not None and folder.name == "mock-orcid-cache-%d" % os.geteuid()


@pytest.mark.parametrize("mode", [0o777, 0o775, 0o1777])
def test_a_cache_folder_others_can_write_is_refused(cache_env, monkeypatch, mode):
    shared = cache_env / "shared"
    shared.mkdir()
    os.chmod(shared, mode)
    monkeypatch.setenv("MOCK_ORCID_CACHE_DIR", str(shared))
    assert schemas.cache_dir() is None


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="only root can give a folder to another user")
def test_a_cache_folder_owned_by_another_user_is_refused(cache_env, monkeypatch):
    theirs = cache_env / "theirs"
    theirs.mkdir(mode=0o700)
    os.chown(theirs, 65534, 65534)
    monkeypatch.setenv("MOCK_ORCID_CACHE_DIR", str(theirs))
    # Root trusts only itself and root: a folder of uid 65534 is someone else's.
    monkeypatch.setattr(schemas.os, "geteuid", lambda: 1000)
    assert schemas.cache_dir() is None


@pytest.mark.parametrize("mode", [0o666, 0o620, 0o602])
def test_a_planted_pickle_others_can_write_is_never_loaded(tmp_path, mode):
    marker = tmp_path / "code-ran"
    planted = tmp_path / "schema-x.pickle"
    _plant(planted, marker, mode)
    assert schemas.read_cached(planted) is None
    assert not marker.exists()


def test_a_symlinked_pickle_is_never_loaded(tmp_path):
    marker = tmp_path / "code-ran"
    target = tmp_path / "elsewhere.pickle"
    _plant(target, marker)
    link = tmp_path / "schema-x.pickle"
    link.symlink_to(target)
    assert schemas.read_cached(link) is None
    assert not marker.exists()


def test_a_private_pickle_round_trips(tmp_path):
    path = tmp_path / "schema-x.pickle"
    schemas.write_cached(path, {"built": True})
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert schemas.read_cached(path) == {"built": True}


def test_a_server_never_runs_code_planted_in_a_world_writable_cache(tmp_path):
    """End to end, in a fresh process: the planted pickles sit exactly where the schema sets
    would be looked up, in a folder anyone can write."""
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)
    marker = tmp_path / "code-ran"
    env = dict(os.environ, MOCK_ORCID_CACHE_DIR=str(shared))
    # Plant under the name the bundle is looked up by (and the names of older per-set
    # caches), then load a schema set.
    _plant(shared / schemas.bundle_cache_name(), marker, 0o666)
    for name in schemas.SET_NAMES:
        digest_name = _old_style_name(name)
        _plant(shared / digest_name, marker, 0o666)
    out = subprocess.run([sys.executable, "-c", "from mock_orcid.wire import schemas; "
                          "schemas.schema('group-id'); print('ok')"],
                         env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert not marker.exists()
    assert "not using schema cache" in out.stderr


def _old_style_name(name):
    import hashlib

    import xmlschema
    digest = hashlib.sha256(xmlschema.__version__.encode())
    for f in schemas.set_files(name):
        digest.update(f.name.encode())
        digest.update(f.read_bytes())
    return "schema-%s.pickle" % digest.hexdigest()[:24]
