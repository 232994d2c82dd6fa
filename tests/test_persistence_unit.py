"""The state file keeps what the HTTP test does not reach: amended notifications, webhook
registrations, group-id records, revoked tokens, the clock; and a restart replays, not reloads."""
from __future__ import annotations

import pytest

from mock_orcid.harness.fixtures.loader import parse_item
from mock_orcid.registry.errors import OrcidError
from mock_orcid.registry import rules, sections
from mock_orcid.registry.model import Source
from mock_orcid.settings import Settings
from mock_orcid.state import MockState

WORK = (b'<work:work xmlns:common="http://www.orcid.org/ns/common" '
        b'xmlns:work="http://www.orcid.org/ns/work"><work:title><common:title>Kept</common:title>'
        b'</work:title><work:type>book</work:type><common:external-ids><common:external-id>'
        b'<common:external-id-type>doi</common:external-id-type><common:external-id-value>10.5555/u'
        b'</common:external-id-value><common:external-id-relationship>self'
        b'</common:external-id-relationship></common:external-id></common:external-ids></work:work>')


def test_a_restart_brings_back_notifications_webhooks_group_ids_revocations_and_the_clock(tmp_path):
    path = str(tmp_path / "state.sqlite")
    first = MockState(Settings(state_file=path))
    reg = first.registry
    client = reg.clients["APP-MOCKPREMIUM00001"]
    source = Source(client_id=client.client_id, name=client.name)
    work = sections.BY_NAME["work"]
    body = parse_item(work, raw=WORK)
    rules.check(work, body, reg)
    item = reg.add_item("0000-0002-1825-0097", work, body, source)
    reg.webhooks.register("0000-0002-1825-0097", "http://127.0.0.1:9/hook", client.client_id)
    group = reg.group_ids.ensure_issn("issn:0378-5955")
    token = reg.issue_token(client.client_id, "0000-0002-1825-0097", ("/read-limited",))
    reg.revoke_token(token)
    notes = list(reg.records["0000-0002-1825-0097"].notifications)
    assert notes      # the member's POST left one
    last_time = reg.now()
    first.state_log.close()

    second = MockState(Settings(state_file=path))
    again = second.registry
    record = again.records["0000-0002-1825-0097"]
    restored = record.section_items("work")[item.put_code]
    assert restored.source.client_id == client.client_id and restored.visibility == item.visibility
    assert [n["put-code"] for n in record.notifications] == [n["put-code"] for n in notes]
    assert [h.uri for h in again.webhooks.all()] == ["http://127.0.0.1:9/hook"]
    assert again.group_ids.by_group_id("issn:0378-5955").put_code == group.put_code
    assert again.tokens[token.access_token].revoked is True
    assert again.now() > last_time            # the clock never goes back
    # Put-codes continue; the duplicate rule still sees the restored work.
    assert again.next_put_code("work") == item.put_code + 1
    with pytest.raises(OrcidError) as err:
        rules.duplicate_check(work, source)(record, parse_item(work, raw=WORK), None)
    assert err.value.code == 9021
    second.state_log.close()
