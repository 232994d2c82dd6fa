"""The registry's change stream: one change per committed write, none for a refused one,
delivered after the write and outside the lock, in commit order."""
from __future__ import annotations

import threading
from xml.etree import ElementTree as ET

import pytest

from mock_orcid.registry import events, sections
from mock_orcid.registry.errors import OrcidError
from mock_orcid.registry.model import Source
from mock_orcid.registry.namespaces import NS
from mock_orcid.registry.notifications import AmendedNotifications
from mock_orcid.registry.store import Registry

W, C = "{%s}" % NS["work"], "{%s}" % NS["common"]
WORK = sections.BY_NAME["work"]
CLIENT = Source(client_id="APP-1", name="Client one")


def work(doi: str, title: str = "A work") -> ET.Element:
    elem = ET.Element(W + "work")
    ET.SubElement(ET.SubElement(elem, W + "title"), C + "title").text = title
    ET.SubElement(elem, W + "type").text = "journal-article"
    ext = ET.SubElement(ET.SubElement(elem, C + "external-ids"), C + "external-id")
    for tag, text in (("external-id-type", "doi"), ("external-id-value", doi),
                      ("external-id-relationship", "self")):
        ET.SubElement(ext, C + tag).text = text
    return elem


class Recorder:
    def __init__(self, registry):
        self.registry = registry
        self.batches: list[list[events.Change]] = []
        self.lock_held_during_delivery = []

    def __call__(self, batch):
        # Another thread must be able to take the lock while we run: we are outside it.
        took = []

        def try_lock():
            got = self.registry.lock._lock.acquire(timeout=1)
            took.append(got)
            if got:
                self.registry.lock._lock.release()
        t = threading.Thread(target=try_lock)
        t.start()
        t.join()
        self.lock_held_during_delivery.append(not took[0])
        self.batches.append(list(batch))

    @property
    def changes(self):
        return [c for b in self.batches for c in b]


@pytest.fixture
def registry():
    reg = Registry(seed=3)
    reg.create_user(orcid="0000-0002-1825-0097", given_names="Josiah", family_name="Carberry")
    return reg


@pytest.fixture
def recorder(registry):
    rec = Recorder(registry)
    registry.subscribe(rec)
    return rec


def test_a_listener_hears_exactly_one_change_per_committed_write(registry, recorder):
    orcid = "0000-0002-1825-0097"
    item = registry.add_item(orcid, WORK, work("10.1/a"), CLIENT)
    updated = work("10.1/b")
    updated.set("put-code", str(item.put_code))
    registry.update_item(orcid, WORK, item.put_code, updated, CLIENT)
    registry.set_item_visibility(orcid, WORK, item.put_code, "limited")
    registry.update_record(orcid, given_names="Jo")
    registry.delete_item(orcid, WORK, item.put_code, CLIENT)
    assert [(c.what, c.action, c.put_code) for c in recorder.changes] == [
        ("item", "create", item.put_code), ("item", "update", item.put_code),
        ("visibility", "update", item.put_code), ("name", "update", None),
        ("item", "delete", item.put_code)]
    assert [c.seq for c in recorder.changes] == sorted(c.seq for c in recorder.changes)
    assert all(c.orcid == orcid and c.modifies_record for c in recorder.changes)
    assert recorder.lock_held_during_delivery == [False] * 5


def test_a_refused_write_publishes_nothing(registry, recorder):
    orcid = "0000-0002-1825-0097"
    item = registry.add_item(orcid, WORK, work("10.1/a"), CLIENT)
    recorder.batches.clear()
    with pytest.raises(OrcidError):              # not the source: 9010
        registry.delete_item(orcid, WORK, item.put_code, Source(client_id="APP-2"))
    with pytest.raises(OrcidError):              # a put-code in a new item's body: 9024
        body = work("10.1/c")
        body.set("put-code", "5")
        registry.add_item(orcid, WORK, body, CLIENT)
    with pytest.raises(OrcidError):              # no such record: 9016
        registry.add_item("0000-0001-5109-3700", WORK, work("10.1/d"), CLIENT)
    with pytest.raises(ValueError):
        registry.update_record(orcid, state="nonsense")
    same = work("10.1/a")
    same.set("put-code", str(item.put_code))    # an unchanged PUT stores nothing
    registry.update_item(orcid, WORK, item.put_code, same, CLIENT)
    assert recorder.changes == []


def test_what_one_hold_of_the_lock_commits_arrives_as_one_batch(registry, recorder):
    orcid = "0000-0002-1825-0097"
    with registry.lock:
        for n in range(3):
            registry.add_item(orcid, WORK, work("10.1/%d" % n), CLIENT)
        assert recorder.batches == []            # nothing is delivered while the lock is held
    assert [len(b) for b in recorder.batches] == [3]
    assert len({c.batch for c in recorder.batches[0]}) == 1


def test_amended_notifications_are_a_listener_one_per_call(registry):
    orcid = "0000-0002-1825-0097"
    registry.subscribe(AmendedNotifications(registry))
    with registry.lock:                          # a bulk POST: one call, one notification
        for n in range(3):
            registry.add_item(orcid, WORK, work("10.1/%d" % n, "Bulk %d" % n), CLIENT)
    item = registry.add_item(orcid, WORK, work("10.1/x", "Single"), CLIENT)
    registry.delete_item(orcid, WORK, item.put_code, CLIENT)
    registry.set_item_visibility(orcid, WORK, 1000, "private")     # the researcher: no notification
    notes = registry.records[orcid].notifications
    assert [[i["action-type"] for i in n["items"]["item"]] for n in notes] == [
        ["CREATE"] * 3, ["CREATE"], ["DELETE"]]
    assert notes[0]["items"]["item"][2]["item-name"] == "Bulk 2"


def test_listeners_see_commits_in_order_across_threads(registry, recorder):
    orcid = "0000-0002-1825-0097"

    def writer(n):
        for k in range(25):
            registry.add_item(orcid, WORK, work("10.1/%d-%d" % (n, k)), Source(client_id="APP-%d" % n))

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seqs = [c.seq for c in recorder.changes]
    assert len(seqs) == 100 and seqs == sorted(seqs)
    assert len({c.put_code for c in recorder.changes}) == 100


def test_a_failing_listener_does_not_undo_the_write_or_silence_the_others(registry, recorder):
    def broken(_batch):
        raise RuntimeError("boom")
    registry.changes.listeners.insert(0, broken)
    item = registry.add_item("0000-0002-1825-0097", WORK, work("10.1/a"), CLIENT)
    assert item.put_code in registry.records["0000-0002-1825-0097"].section_items("work")
    assert len(recorder.changes) == 1
