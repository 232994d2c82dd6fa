"""The registry's own rules, in plain Python (no HTTP)."""
import threading
from xml.etree import ElementTree as ET

import pytest

from mock_orcid.registry import sections
from mock_orcid.registry import store as registry_module
from mock_orcid.registry.errors import OrcidError
from mock_orcid.registry.model import Source
from mock_orcid.registry.namespaces import NS

WORK = sections.BY_NAME["work"]


def work_body(title="T"):
    body = ET.Element("{%s}work" % NS["work"])
    ET.SubElement(ET.SubElement(body, "{%s}title" % NS["work"]), "{%s}title" % NS["common"]).text = title
    return body


@pytest.fixture
def reg():
    r = registry_module.Registry(seed=7)
    r.user = r.create_user()
    r.source = Source(client_id=r.create_client(name="C").client_id, name="C")
    return r


def test_put_codes_are_unique_across_threads(reg):
    codes, lock = [], threading.Lock()

    def add():
        for _ in range(50):
            item = reg.add_item(reg.user.orcid, WORK, work_body(), reg.source)
            with lock:
                codes.append(item.put_code)
    threads = [threading.Thread(target=add) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(codes) == len(set(codes)) == 400
    assert len(reg.records[reg.user.orcid].section_items("work")) == 400


def test_the_seven_affiliations_share_one_put_code_sequence(reg):
    a = reg.add_item(reg.user.orcid, sections.BY_NAME["education"], work_body(), reg.source)
    b = reg.add_item(reg.user.orcid, sections.BY_NAME["service"], work_body(), reg.source)
    assert b.put_code == a.put_code + 1
    # and a delete on any affiliation endpoint deletes by put-code, as ORCID does
    gone = reg.delete_item(reg.user.orcid, sections.BY_NAME["employment"], b.put_code, reg.source)
    assert gone.section == "service"


def test_a_record_past_the_work_limit_refuses_more_with_9048(reg, monkeypatch):
    monkeypatch.setattr(registry_module, "MAX_WORKS", 3)
    for _ in range(3):
        reg.add_item(reg.user.orcid, WORK, work_body(), reg.source)
    with pytest.raises(OrcidError) as err:
        reg.add_item(reg.user.orcid, WORK, work_body(), reg.source)
    assert (err.value.status, err.value.code) == (409, 9048)


def test_every_change_moves_the_records_last_modified_date(reg):
    record = reg.records[reg.user.orcid]
    before = record.last_modified
    item = reg.add_item(reg.user.orcid, WORK, work_body(), reg.source)
    after_add = record.last_modified
    body = work_body("New")
    body.set("put-code", str(item.put_code))
    reg.update_item(reg.user.orcid, WORK, item.put_code, body, reg.source)
    after_update = record.last_modified
    reg.delete_item(reg.user.orcid, WORK, item.put_code, reg.source)
    assert before < after_add < after_update < record.last_modified


def test_a_failed_write_leaves_the_item_untouched(reg):
    item = reg.add_item(reg.user.orcid, WORK, work_body("Kept"), reg.source)
    other = Source(client_id="APP-OTHER00000000000", name="Other")
    body = work_body("Changed")
    body.set("put-code", str(item.put_code))
    with pytest.raises(OrcidError) as err:
        reg.update_item(reg.user.orcid, WORK, item.put_code, body, other)
    assert err.value.code == 9010
    assert item.body.findtext(".//{%s}title" % NS["common"]) == "Kept"


def test_an_invalid_orcid_id_is_refused_with_a_clear_message(reg):
    with pytest.raises(ValueError, match="check digit"):
        reg.create_user(orcid="0000-0002-1825-0098")
