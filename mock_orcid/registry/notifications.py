"""The researcher's inbox: amended notifications that member writes leave (facts §8), and the
permission notifications premium clients send.

ORCID notifies on create/update/delete of activities by a member client, one notification
per API call (a bulk POST is one notification with many items); person-section writes do
not notify. ``AmendedNotifications`` is a listener of the registry's change stream: a batch
of changes is what one API call committed. There is no API to read amended notifications,
so the admin API and the inbox page show them.
"""
from __future__ import annotations

import dataclasses

from . import amended as amended_store
from . import events, sections
from .errors import OrcidError
from .model import Item, Record, Source
from .namespaces import local_name
from .store import Registry, clean_body

SEQUENCE = "notification"
# One shared string per action: every stored notification keeps its items' action types.
_ACTION_TYPES = {action: action.upper() for action in (events.CREATE, events.UPDATE,
                                                       events.DELETE)}


def _millis(dt) -> int:
    return int(dt.timestamp() * 1000)


class AmendedNotifications:
    """Listens to the change stream: one notification per (record, client, section) in each
    committed batch of item changes made by a member client."""

    def __init__(self, registry: Registry, registry_url: str = "https://sandbox.orcid.org"):
        self.registry = registry
        self.registry_url = registry_url

    def __call__(self, batch: list[events.Change]) -> None:
        if batch and batch[0].what == events.RESET:
            return      # a reset then a fixture load: a record's state, not a member's API call
        calls: dict[tuple, tuple[Source, list[tuple[Item, str]]]] = {}
        for change in batch:
            if change.what != events.ITEM or change.source is None or not change.source.client_id:
                continue
            if sections.BY_NAME[change.section].amended_section:
                key = (change.orcid, change.source.client_id, change.section)
                calls.setdefault(key, (change.source, []))[1].append(
                    (change.item, _ACTION_TYPES[change.action]))
        for (orcid, _client, section_name), (source, changes) in calls.items():
            record = self.registry.records.get(orcid)
            if record is not None:
                amended(self.registry, record, source, sections.BY_NAME[section_name], changes,
                        self.registry_url)


def amended(registry: Registry, record: Record, source: Source, section: sections.Section,
            changes: list[tuple[Item, str]], registry_url: str = "https://sandbox.orcid.org"
            ) -> amended_store.AmendedNotification | None:
    """Record one amended notification for ``changes``: (item, CREATE|UPDATE|DELETE) pairs."""
    if not section.amended_section or not changes or not source.client_id:
        return None
    with registry.lock:
        # Kept compact, its JSON built when read (registry/amended.py).
        notification = amended_store.Written(
            registry.next_put_code(SEQUENCE), _millis(registry.now()), section, source,
            registry_url, changes)
        record.notifications.append(notification)
        registry.publish(events.NOTIFICATION, events.CREATE, orcid=record.orcid,
                         put_code=notification.put_code, source=source, subject=notification)
        return notification


# ---------------------------------------------------------------- permission notifications
PERMISSION_SEQUENCE = "notification"
_CLIENT_SET_DATES = ("created-date", "sent-date", "read-date", "actioned-date", "archived-date", "source")


def permission_create(registry: Registry, record: Record, body, source: Source):
    """A premium client asks the researcher to connect (facts §2.6, §8); dates sent are erased."""
    with registry.lock:
        if not getattr(record, "accepts_member_notifications", True):
            raise OrcidError(9032, "%s does not accept notifications from member organisations"
                             % record.orcid)
        # read-only, like the dates: erased, not refused (and an item's identifiers carry
        # only what ORCID's ExternalID has)
        clean = clean_body(body)
        for child in list(clean):
            if local_name(child.tag) in _CLIENT_SET_DATES:
                clean.remove(child)
        now = registry.now()
        item = Item("notification-permission", registry.next_put_code(PERMISSION_SEQUENCE), clean,
                    source, "private", now, now)
        record.permission_notifications[item.put_code] = item
        registry.publish(events.NOTIFICATION, events.CREATE, orcid=record.orcid,
                         put_code=item.put_code, source=source, item=item)
        return item


def permission_find(record: Record, put_code: int, client_id: str):
    item = record.permission_notifications.get(put_code)
    if item is None:
        raise OrcidError(9029, "No notification with put-code %s on record %s" % (put_code, record.orcid))
    if item.source.client_id != client_id:
        raise OrcidError(9014, "The notification %s was sent by another client" % put_code)
    return item


def permission_archive(registry: Registry, record: Record, put_code: int, client_id: str):
    with registry.lock:
        item = permission_find(record, put_code, client_id)
        if item.read:
            raise OrcidError(9009, "The notification %s has been read and cannot be archived" % put_code)
        if item.archived is None:
            item = _update_permission(registry, record, item, archived=registry.now())
        return item


def permission_mark_read(registry: Registry, record: Record, put_code: int) -> Item | None:
    """The researcher opens a permission notification; after that it cannot be archived."""
    with registry.lock:
        item = record.permission_notifications.get(put_code)
        if item is not None and item.read is None:
            item = _update_permission(registry, record, item, read=registry.now())
        return item


def _update_permission(registry: Registry, record: Record, item: Item, **changes) -> Item:
    item = dataclasses.replace(item, **changes)
    record.permission_notifications[item.put_code] = item
    registry.publish(events.NOTIFICATION, events.UPDATE, orcid=record.orcid,
                     put_code=item.put_code, source=item.source, item=item)
    return item


# ---------------------------------------------------------------- the researcher's inbox
def researcher_mark_read(registry: Registry, record: Record, put_code: int) -> bool:
    """The researcher opens a notification of any kind. Returns whether it exists."""
    return _researcher_set(registry, record, put_code, "read")


def researcher_archive(registry: Registry, record: Record, put_code: int) -> bool:
    """The researcher archives a notification in their inbox (ORCID's UI allows it for every
    kind, read or not; the 9009 rule binds only the client's API call)."""
    return _researcher_set(registry, record, put_code, "archived")


def _researcher_set(registry: Registry, record: Record, put_code: int, what: str) -> bool:
    with registry.lock:
        item = record.permission_notifications.get(put_code)
        if item is not None:
            if getattr(item, what) is None:
                _update_permission(registry, record, item, **{what: registry.now()})
            return True
        for index, notification in enumerate(record.notifications):
            if notification.put_code == put_code:
                key = what + "-date"
                if notification.get(key) is None:
                    # A new one, not an edit in place: a listener holding the old one keeps
                    # a consistent snapshot.
                    changed = notification.with_date(key, _millis(registry.now()))
                    record.notifications[index] = changed
                    registry.publish(events.NOTIFICATION, events.UPDATE, orcid=record.orcid,
                                     put_code=put_code, subject=changed)
                return True
        return False
