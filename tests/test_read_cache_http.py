"""Reads are cached per record version, and no write is ever followed by a stale read.

Every kind of write (items created, updated, deleted; a researcher's visibility change; names,
biography, e-mails; record states; a reset) changes what the next read answers, on every view,
in both formats, on both APIs, although the old answer was cached just before. Callers who may
see different things never share a cached answer. Readers running during writes see a write
whole or not at all.
"""
from __future__ import annotations

import threading
from xml.etree import ElementTree as ET

import pytest
import requests
from http_helpers import JSON, XML, auth, bulk_xml, make_env, work_xml

from mock_orcid.wire.read_cache import ReadCache

WORK_SUMMARY = "{http://www.orcid.org/ns/work}work-summary"
VIEWS = ("/works", "/activities", "/record", "/person", "/personal-details", "/keywords",
         "/email")


@pytest.fixture
def env(mock_orcid):
    return make_env(mock_orcid)


def _post_work(env, title, doi, token=None):
    r = requests.post(env.member + "/work", data=work_xml(title=title, doi=doi).encode(),
                      headers=auth(token or env.token, **{"Content-Type": XML}))
    assert r.status_code == 201, r.text
    return int(r.headers["Location"].rsplit("/", 1)[1])


def _read_all(env, token=None):
    """Every view in both formats on both APIs: what a cache would hold."""
    out = {}
    for view in VIEWS:
        for accept in (XML, JSON):
            r = requests.get(env.member + view, headers=auth(token or env.token, Accept=accept))
            out[("member", view, accept)] = (r.status_code, r.content)
            if view != "/email":
                r = requests.get(env.public + view, headers={"Accept": accept})
                out[("public", view, accept)] = (r.status_code, r.content)
    return out


def _work_titles(env, api="member", token=None):
    base = env.member if api == "member" else env.public
    headers = {"Accept": JSON} if api == "public" else auth(token or env.token, Accept=JSON)
    r = requests.get(base + "/works", headers=headers)
    assert r.status_code == 200, r.text
    return sorted(s["title"]["title"]["value"] for g in r.json()["group"]
                  for s in g["work-summary"])


def test_a_repeated_read_of_an_unchanged_record_answers_the_same_bytes(env):
    _post_work(env, "Stable", "10.5555/stable")
    first = _read_all(env)
    assert _read_all(env) == first
    assert all(status == 200 for status, _ in first.values())


def test_work_create_update_and_delete_each_show_in_the_next_read(env):
    put_code = _post_work(env, "First title", "10.5555/cache.1")
    _read_all(env)
    assert _work_titles(env) == ["First title"]
    body = work_xml(title="Second title", doi="10.5555/cache.1", put_code=put_code)
    r = requests.put(env.member + "/work/%d" % put_code, data=body.encode(),
                     headers=auth(env.token, **{"Content-Type": XML}))
    assert r.status_code == 200, r.text
    assert _work_titles(env) == ["Second title"]
    assert _work_titles(env, "public") == ["Second title"]
    record = requests.get(env.member + "/record", headers=auth(env.token, Accept=XML)).text
    assert "Second title" in record and "First title" not in record
    r = requests.delete(env.member + "/work/%d" % put_code, headers=auth(env.token))
    assert r.status_code == 204
    assert _work_titles(env) == [] and _work_titles(env, "public") == []


def test_a_researchers_visibility_change_shows_in_the_next_read(mock_orcid, env):
    put_code = _post_work(env, "Soon private", "10.5555/cache.vis")
    _read_all(env)
    assert _work_titles(env, "public") == ["Soon private"]
    mock_orcid.set_visibility(env.orcid, "work", put_code, "private")
    assert _work_titles(env, "public") == []
    # Its source still sees it; another member client with /read-limited does not.
    assert _work_titles(env) == ["Soon private"]
    other = mock_orcid.create_client(name="Other member")
    other_token = mock_orcid.token(other, env.user, "/read-limited")["access_token"]
    assert _work_titles(env, token=other_token) == []
    mock_orcid.set_visibility(env.orcid, "work", put_code, "limited")
    assert _work_titles(env, token=other_token) == ["Soon private"]
    assert _work_titles(env, "public") == []


def test_person_items_names_biography_and_emails_show_in_the_next_read(mock_orcid, env):
    _read_all(env)
    r = requests.post(env.member + "/keywords",
                      json={"content": "cached-keyword"},
                      headers=auth(mock_orcid.token(env.client, env.user,
                                                    "/person/update /read-limited")
                                   ["access_token"], **{"Content-Type": JSON}))
    assert r.status_code == 201, r.text
    for view in ("/keywords", "/person", "/record"):
        assert "cached-keyword" in requests.get(env.public + view,
                                                headers={"Accept": JSON}).text, view

    mock_orcid._json("PATCH", "/__admin/users/%s" % env.orcid,
                     {"given_names": "Renamed", "biography": "New biography text"})
    for view in ("/personal-details", "/person", "/record"):
        text = requests.get(env.public + view, headers={"Accept": XML}).text
        assert "Renamed" in text and "New biography text" in text, view

    mock_orcid._json("PATCH", "/__admin/users/%s" % env.orcid, {"name_visibility": "private"})
    assert "Renamed" not in requests.get(env.public + "/personal-details",
                                         headers={"Accept": XML}).text

    before = requests.get(env.member + "/email", headers=auth(env.token, Accept=JSON)).json()
    r = requests.post(mock_orcid.url + "/__admin/users/%s/emails" % env.orcid,
                      json={"email": "added-later@example.org", "visibility": "public"})
    assert r.status_code in (200, 201), r.text
    after = requests.get(env.member + "/email", headers=auth(env.token, Accept=JSON)).json()
    assert len(after["email"]) == len(before["email"]) + 1
    assert "added-later@example.org" in requests.get(env.public + "/email",
                                                     headers={"Accept": JSON}).text


@pytest.mark.parametrize("state", ["deactivated", "locked"])
def test_a_record_state_change_shows_in_the_next_read(mock_orcid, env, state):
    _post_work(env, "Before the state change", "10.5555/cache.state")
    before = _read_all(env)
    mock_orcid._json("PATCH", "/__admin/users/%s" % env.orcid, {"state": state})
    after = _read_all(env)
    changed = [key for key in before if before[key] != after[key]]
    assert len(changed) == len(before), sorted(set(before) - set(changed))


def test_a_reset_drops_every_cached_read(mock_orcid, env):
    _post_work(env, "Gone after reset", "10.5555/cache.reset")
    assert _work_titles(env, "public") == ["Gone after reset"]
    mock_orcid.reset()
    r = requests.get(env.public + "/works", headers={"Accept": JSON})
    assert r.status_code == 404 or "Gone after reset" not in r.text


def test_callers_who_see_different_things_never_share_a_cached_read(mock_orcid, env):
    # A POST's visibility is ignored (the researcher's default wins); the researcher sets it.
    _post_work(env, "Public one", "10.5555/cache.p")
    mock_orcid.set_visibility(env.orcid, "work", _post_work(env, "Limited one", "10.5555/cache.l"),
                              "limited")
    mock_orcid.set_visibility(env.orcid, "work", _post_work(env, "Private one", "10.5555/cache.x"),
                              "private")
    other = mock_orcid.create_client(name="Another member")
    limited = mock_orcid.token(other, env.user, "/read-limited")["access_token"]
    public_only = mock_orcid.token(other, None, "/read-public")["access_token"]
    for _ in range(2):      # the second round is answered from the cache
        assert _work_titles(env) == ["Limited one", "Private one", "Public one"]
        assert _work_titles(env, token=limited) == ["Limited one", "Public one"]
        assert _work_titles(env, token=public_only) == ["Public one"]
        assert _work_titles(env, "public") == ["Public one"]


# ------------------------------------------------------------------ concurrency
def test_readers_during_writes_see_each_bulk_whole_or_not_at_all(mock_orcid, env):
    """Bulk POSTs of 5 works while readers loop over /works and /record: every read holds a
    multiple of 5 works, never fewer than a read before it, and the same in XML and JSON."""
    bulks, per_bulk = 8, 5
    stop = threading.Event()
    problems: list[str] = []
    counts: list[int] = []

    def reader(view, accept):
        seen = 0
        session = requests.Session()
        while not stop.is_set():
            r = session.get(env.member + view, headers=auth(env.token, Accept=accept))
            if r.status_code != 200:
                problems.append("%s %s: %s" % (view, accept, r.status_code))
                return
            if accept == JSON:
                count = sum(len(g["work-summary"]) for g in
                            (r.json() if view == "/works" else
                             r.json()["activities-summary"]["works"])["group"])
            else:
                count = sum(1 for e in ET.fromstring(r.content).iter(WORK_SUMMARY))
            counts.append(count)
            if count % per_bulk or count < seen:
                problems.append("%s %s: %d works after %d" % (view, accept, count, seen))
            seen = count

    threads = [threading.Thread(target=reader, args=(view, accept))
               for view in ("/works", "/record") for accept in (XML, JSON)]
    for t in threads:
        t.start()
    try:
        for b in range(bulks):
            works = [work_xml(title="Bulk %d.%d" % (b, i), doi="10.5555/conc.%d.%d" % (b, i))
                     for i in range(per_bulk)]
            r = requests.post(env.member + "/works", data=bulk_xml(works).encode(),
                              headers=auth(env.token, **{"Content-Type": XML, "Accept": XML}))
            assert r.status_code == 200, r.text
            # The writer's own next read sees its write.
            assert len(_work_titles(env)) == (b + 1) * per_bulk
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert problems == []
    assert max(counts) > 0, "the readers never saw a write"


# ------------------------------------------------------------------ the cache itself
class _Change:
    def __init__(self, what, orcid, modifies=True):
        self.what, self.orcid, self.modifies_record = what, orcid, modifies


def test_cache_answers_only_the_revision_it_was_given():
    cache = ReadCache()
    cache.put("0000-0001", 3, "k", b"three")
    assert cache.get("0000-0001", 3, "k") == b"three"
    assert cache.get("0000-0001", 4, "k") is None
    cache.put("0000-0001", 2, "k", b"older")        # a slow reader of an older version
    assert cache.get("0000-0001", 3, "k") == b"three"
    assert cache.get("0000-0001", 2, "k") is None
    cache.put("0000-0001", 5, "k", b"five")
    assert cache.get("0000-0001", 3, "k") is None and cache.get("0000-0001", 5, "k") == b"five"
    assert cache.bytes == 4


def test_cache_stays_within_its_byte_budget_dropping_the_least_recently_read():
    cache = ReadCache(max_bytes=10)
    cache.put("a", 1, "k", b"aaaa")
    cache.put("b", 1, "k", b"bbbb")
    cache.get("a", 1, "k")
    cache.put("c", 1, "k", b"cccc")
    assert cache.get("b", 1, "k") is None
    assert cache.get("a", 1, "k") == b"aaaa" and cache.get("c", 1, "k") == b"cccc"
    assert cache.bytes == 8


def test_cache_listener_drops_a_changed_record_and_everything_on_reset():
    cache = ReadCache()
    cache.put("a", 1, "k", b"a")
    cache.put("b", 1, "k", b"b")
    cache.listener([_Change("token", "a", modifies=False)])
    assert cache.get("a", 1, "k") == b"a"
    cache.listener([_Change("item", "a")])
    assert cache.get("a", 1, "k") is None and cache.get("b", 1, "k") == b"b"
    cache.listener([_Change("reset", None, modifies=False)])
    assert cache.get("b", 1, "k") is None and cache.bytes == 0


# ------------------------------------------------------------------ the collector
def test_records_written_in_bulk_leave_the_collectors_sight_after_every_n_changes():
    import gc

    from mock_orcid.collector import FreezeAfterWrites
    from mock_orcid.registry.events import ITEM, TOKEN, Change
    from mock_orcid.registry.store import utcnow

    freezer = FreezeAfterWrites(every=3)
    item = Change(1, utcnow(), ITEM, "create", orcid="0000-0001")
    token = Change(2, utcnow(), TOKEN, "create", orcid="0000-0001")
    try:
        gc.unfreeze()
        freezer([item, item, token, token])
        assert gc.get_freeze_count() == 0           # two record changes: not yet
        garbage = []
        garbage.append(garbage)                     # a young cycle, unreachable below
        del garbage
        freezer([item])
        assert gc.get_freeze_count() > 0 and freezer.pending == 0
    finally:
        gc.unfreeze()
