"""The researcher's inbox: amended notifications that member writes leave (facts §8).

ORCID notifies on create/update/delete of activities by a member client, one notification
per API call (a bulk POST is one notification with many items); person-section writes do
not notify. There is no API to read these, so the admin API and an HTML page show them.
"""
from __future__ import annotations

from urllib.parse import urlparse

from . import grouping, sections
from .model import Item, Record, Source
from .registry import Registry, section_item_title

SEQUENCE = "notification"


def _millis(dt) -> int:
    return int(dt.timestamp() * 1000)


def amended(registry: Registry, record: Record, source: Source, section: sections.Section,
            changes: list[tuple[Item, str]], registry_url: str = "https://sandbox.orcid.org") -> dict | None:
    """Record one amended notification for ``changes``: (item, CREATE|UPDATE|DELETE) pairs."""
    if not section.amended_section or not changes or not source.client_id:
        return None
    with registry.lock:
        now = registry.now()
        items = []
        for item, action in changes:
            ids = [dict(zip(("external-id-type", "external-id-value", "external-id-relationship"),
                            grouping.id_fields(e))) for e in grouping.external_ids(item.body)]
            items.append({
                "put-code": str(item.put_code),
                "item-type": section.item_type,
                "item-name": section_item_title(section, item.body),
                "external-id": ids[0] if ids else None,
                "action-type": action,
                "additional-info": {"external_identifiers": {"external-id": ids}},
            })
        notification = {
            "put-code": registry.next_put_code(SEQUENCE),
            "notification-type": "amended",
            "amended-section": section.amended_section,
            "items": {"item": items},
            "source": {
                "source-orcid": None,
                "source-client-id": {"uri": "%s/client/%s" % (registry_url.rstrip("/"), source.client_id),
                                     "path": source.client_id, "host": urlparse(registry_url).hostname},
                "source-name": {"value": source.name},
            },
            "created-date": {"value": _millis(now)},
            "sent-date": None,
            "read-date": None,
            "actioned-date": None,
            "archived-date": None,
        }
        record.notifications.append(notification)
        return notification


# ---------------------------------------------------------------- permission notifications
PERMISSION_SEQUENCE = "notification"
_CLIENT_SET_DATES = ("created-date", "sent-date", "read-date", "actioned-date", "archived-date", "source")


def permission_create(registry: Registry, record: Record, body, source: Source):
    """A premium client asks the researcher to connect (facts §2.6, §8); dates sent are erased."""
    import copy

    from .errors import OrcidError
    from .namespaces import local_name
    with registry.lock:
        if not getattr(record, "accepts_member_notifications", True):
            raise OrcidError(9032, "%s does not accept notifications from member organisations"
                             % record.orcid)
        clean = copy.deepcopy(body)
        clean.attrib.pop("put-code", None)   # read-only, like the dates: erased, not refused
        for child in list(clean):
            if local_name(child.tag) in _CLIENT_SET_DATES:
                clean.remove(child)
        now = registry.now()
        item = Item("notification-permission", registry.next_put_code(PERMISSION_SEQUENCE), clean,
                    source, "private", now, now)
        record.permission_notifications[item.put_code] = item
        return item


def permission_find(record: Record, put_code: int, client_id: str):
    from .errors import OrcidError
    item = record.permission_notifications.get(put_code)
    if item is None:
        raise OrcidError(9029, "No notification with put-code %s on record %s" % (put_code, record.orcid))
    if item.source.client_id != client_id:
        raise OrcidError(9014, "The notification %s was sent by another client" % put_code)
    return item


def permission_archive(registry: Registry, record: Record, put_code: int, client_id: str):
    from .errors import OrcidError
    with registry.lock:
        item = permission_find(record, put_code, client_id)
        if item.read:
            raise OrcidError(9009, "The notification %s has been read and cannot be archived" % put_code)
        if item.archived is None:
            item.archived = registry.now()
        return item
