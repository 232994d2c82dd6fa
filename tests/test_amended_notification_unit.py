"""Amended notifications are kept compact (registry/amended.py) yet read exactly as ORCID's JSON:
the same keys, order and values as when they were stored as dicts, a new object when the
researcher marks one read, and the same JSON after a round trip through the state file."""
from __future__ import annotations

import json

from mock_orcid.registry import amended, notifications, sections
from mock_orcid.registry.model import Source
from mock_orcid.registry.store import Registry

from test_change_stream_unit import work

ORCID = "0000-0002-1825-0097"
WORK = sections.BY_NAME["work"]
CLIENT = Source(client_id="APP-1", name="Client one")


def _registry():
    reg = Registry(seed=3)
    reg.create_user(orcid=ORCID, given_names="Josiah", family_name="Carberry")
    reg.subscribe(notifications.AmendedNotifications(reg, "https://sandbox.orcid.org"))
    return reg


def test_an_amended_notification_reads_as_orcid_json_in_orcid_key_order():
    reg = _registry()
    with reg.lock:                                   # one call, two works: one notification
        first = reg.add_item(ORCID, WORK, work("10.1/a", "First"), CLIENT)
        second = reg.add_item(ORCID, WORK, work("10.1/b", "Second"), CLIENT)
    [note] = reg.records[ORCID].notifications
    created = note["created-date"]["value"]
    assert isinstance(created, int)
    doi = lambda value: {"external-id-type": "doi", "external-id-value": value,  # noqa: E731
                         "external-id-relationship": "self"}
    expected = {
        "put-code": note.put_code,
        "notification-type": "amended",
        "amended-section": "WORK",
        "items": {"item": [
            {"put-code": str(item.put_code), "item-type": "work", "item-name": title,
             "external-id": doi(value), "action-type": "CREATE",
             "additional-info": {"external_identifiers": {"external-id": [doi(value)]}}}
            for item, title, value in ((first, "First", "10.1/a"), (second, "Second", "10.1/b"))]},
        "source": {"source-orcid": None,
                   "source-client-id": {"uri": "https://sandbox.orcid.org/client/APP-1",
                                        "path": "APP-1", "host": "sandbox.orcid.org"},
                   "source-name": {"value": "Client one"}},
        "created-date": {"value": created},
        "sent-date": None, "read-date": None, "actioned-date": None, "archived-date": None,
    }
    assert dict(note) == expected
    assert list(note) == list(expected)              # key order as before (and as the inbox)
    assert json.dumps(dict(note)) == json.dumps(expected)


def test_a_later_change_to_the_item_does_not_change_what_the_notification_says():
    reg = _registry()
    item = reg.add_item(ORCID, WORK, work("10.1/a", "Before"), CLIENT)
    body = work("10.1/a", "After")
    body.set("put-code", str(item.put_code))
    reg.update_item(ORCID, WORK, item.put_code, body, CLIENT)
    create, update = reg.records[ORCID].notifications
    assert create["items"]["item"][0]["item-name"] == "Before"
    assert update["items"]["item"][0]["item-name"] == "After"
    assert update["items"]["item"][0]["action-type"] == "UPDATE"


def test_replaced_large_versions_are_not_kept_alive_by_their_notifications():
    """A client that PUTs large bodies again and again must not grow memory by a body per
    write: a large item's notification keeps only what it shows, and reads the same."""
    import os
    import weakref
    from xml.etree import ElementTree as ET

    reg = _registry()
    big = work("10.1/big", "Big")
    ET.SubElement(big, "{http://www.orcid.org/ns/work}short-description").text = os.urandom(
        20000).hex()                                 # incompressible: far over PIN_LIMIT
    item = reg.add_item(ORCID, WORK, big, CLIENT)
    assert len(item.stored) > amended.PIN_LIMIT
    first = weakref.ref(item)
    body = work("10.1/big", "Small now")
    body.set("put-code", str(item.put_code))
    reg.update_item(ORCID, WORK, item.put_code, body, CLIENT)
    del item
    create, update = reg.records[ORCID].notifications
    assert first() is None                           # the replaced large version is gone
    assert create["items"]["item"][0]["item-name"] == "Big"
    assert create["items"]["item"][0]["external-id"] == {
        "external-id-type": "doi", "external-id-value": "10.1/big",
        "external-id-relationship": "self"}
    assert update["items"]["item"][0]["item-name"] == "Small now"


def test_marking_a_notification_read_stores_a_new_one_and_leaves_the_old_as_it_was():
    reg = _registry()
    reg.add_item(ORCID, WORK, work("10.1/a"), CLIENT)
    record = reg.records[ORCID]
    [old] = record.notifications
    assert notifications.researcher_mark_read(reg, record, old.put_code)
    [new] = record.notifications
    assert new is not old and old["read-date"] is None
    assert new["read-date"]["value"] >= old["created-date"]["value"]
    assert dict(new, **{"read-date": None}) == dict(old)


def test_a_notification_restored_from_the_state_file_reads_the_same():
    reg = _registry()
    reg.add_item(ORCID, WORK, work("10.1/a"), CLIENT)
    record = reg.records[ORCID]
    notifications.researcher_archive(reg, record, record.notifications[0].put_code)
    [note] = record.notifications
    as_json = json.loads(json.dumps(dict(note)))
    restored = amended.Restored(as_json)
    assert dict(restored) == dict(note)
    assert list(restored) == list(note)
    assert restored.put_code == note.put_code and restored.archived == note.archived
