"""A list's groups are kept as text per version of their members: what a read writes from that
text is exactly what writing the whole tree gives, and a change to a member shows at once."""
from __future__ import annotations

from http_helpers import work_xml

from mock_orcid.registry import sections
from mock_orcid.registry.model import Source
from mock_orcid.registry.store import Registry
from mock_orcid.wire import jsonmap, xmlio, xmlwrite
from mock_orcid.wire.render import Renderer

WORK = sections.BY_NAME["work"]


def _both(renderer, record):
    items = list(record.section_items("work").values())
    fast = renderer.section_list(record, WORK, items, fast=True)
    plain = renderer.section_list(record, WORK, items)
    return ((jsonmap.to_json_text(fast), xmlwrite.to_bytes(fast)),
            (jsonmap.to_json_text(plain), xmlwrite.to_bytes(plain)))


def test_works_written_from_kept_groups_equal_the_whole_tree_and_follow_a_change():
    registry, renderer = Registry(seed=1), Renderer()
    orcid = registry.create_user(given_names="Group", family_name="Text").orcid
    source = Source(client_id="APP-MOCKMEMBER000001", name="Member")
    codes = [registry.add_item(orcid, WORK, xmlio.parse(work_xml(
        title="Work %d" % n, doi="10.5555/group.%d" % n).encode()), source).put_code
        for n in range(3)]
    fast, plain = _both(renderer, registry.records[orcid])
    assert fast == plain and '"Work 1"' in fast[0]
    again, _ = _both(renderer, registry.records[orcid])     # from the kept text
    assert again == fast

    registry.update_item(orcid, WORK, codes[1], xmlio.parse(work_xml(
        title="Renamed", doi="10.5555/group.1", put_code=codes[1]).encode()), source)
    fast, plain = _both(renderer, registry.records[orcid])
    assert fast == plain
    assert '"Renamed"' in fast[0] and '"Work 1"' not in fast[0]
