"""ORCID's JSON shape: key order and explicit nulls as ORCID's official JSON read samples show them.

1. The key table ``mock_orcid/wire/json_keys.py`` is exactly what ``scripts/derive_json_keys.py``
   derives from the official read samples (regenerate it with the script when they change).
2. For every official 3.0 JSON read sample, a record built through the API with the same kinds of
   content (every official write sample, the same person items) reads back with the sample's key
   order and nulls, recursively, for every object the sample has a counterpart of; and the same
   for the parts of the record served by their own endpoints (/person, /works, /email, ...).
3. The nulls and orders real clients trip over, named one by one.
"""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
import requests
from http_helpers import JSON, auth
from test_whole_record_http import World, _sample_names, target_of

REPO = Path(__file__).resolve().parents[1]
MODEL = REPO.parent / "shared" / "orcid-model"
READ_SAMPLES = sorted(MODEL.glob("*_3.0/samples/read_samples/*.json"))

# Endpoint (below /v3.0/{orcid}) -> where its answer sits inside a whole-record sample.
VIEWS = {
    "/record": (), "/person": ("person",), "/activities": ("activities-summary",),
    "/personal-details": None, "/other-names": ("person", "other-names"),
    "/researcher-urls": ("person", "researcher-urls"), "/email": ("person", "emails"),
    "/address": ("person", "addresses"), "/keywords": ("person", "keywords"),
    "/external-identifiers": ("person", "external-identifiers"),
    "/works": ("activities-summary", "works"), "/fundings": ("activities-summary", "fundings"),
    "/peer-reviews": ("activities-summary", "peer-reviews"),
    "/research-resources": ("activities-summary", "research-resources"),
    **{"/" + s: ("activities-summary", s) for s in (
        "distinctions", "educations", "employments", "invited-positions", "memberships",
        "qualifications", "services")},
}


def _derive_script():
    spec = importlib.util.spec_from_file_location("derive_json_keys",
                                                  REPO / "scripts" / "derive_json_keys.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ------------------------------------------------------------------ 1. the table
def test_key_table_is_what_the_official_read_samples_give(official_model):
    script = _derive_script()
    derived = script.render(script.derive(MODEL))
    committed = (REPO / "mock_orcid" / "wire" / "json_keys.py").read_text(encoding="utf-8")
    assert committed == derived, "run: python scripts/derive_json_keys.py"


def test_the_table_covers_every_official_json_read_sample(official_model):
    from mock_orcid.wire import json_keys
    assert READ_SAMPLES, "no official JSON read samples beside the project"
    for path in READ_SAMPLES:
        assert "#   %s" % path.relative_to(MODEL) in json_keys.__doc__, path


# ------------------------------------------------------------------ 2. a record built the same way
class Shape:
    """Per JSON path (list positions dropped): the key sequences of the objects found there,
    and the keys whose value is null in every object that has them."""

    def __init__(self, data):
        self.orders: dict[str, list[tuple[str, ...]]] = {}
        self.values: dict[str, dict[str, list]] = {}
        self._walk(data, "")

    def _walk(self, value, path):
        if isinstance(value, list):
            for item in value:
                self._walk(item, path)
        elif isinstance(value, dict):
            self.orders.setdefault(path, []).append(tuple(value))
            seen = self.values.setdefault(path, {})
            for key, item in value.items():
                seen.setdefault(key, []).append(item)
                self._walk(item, path + "/" + key)

    def always(self, path) -> set[str]:
        keys = set(self.orders[path][0])
        for seq in self.orders[path]:
            keys &= set(seq)
        return keys

    def merged(self, path) -> list[str]:
        order: list[str] = []
        for seq in self.orders[path]:
            for i, key in enumerate(seq):
                if key not in order:
                    before = next((seq[j] for j in range(i - 1, -1, -1) if seq[j] in order), None)
                    order.insert(order.index(before) + 1 if before else 0, key)
        return order


def shape_differences(ours, sample) -> list[str]:
    """Where our JSON's key order or keys differ from the sample's, for every path both have."""
    mine, theirs = Shape(ours), Shape(sample)
    problems = []
    for path, sequences in mine.orders.items():
        if path not in theirs.orders:
            continue
        order = theirs.merged(path)
        always = theirs.always(path)
        for seq in set(sequences):
            extra = [k for k in seq if k not in order]
            if extra:
                problems.append("%s: keys ORCID does not send: %s" % (path or "/", extra))
            known = [k for k in seq if k in order]
            if known != sorted(known, key=order.index):
                problems.append("%s: order %s, ORCID's %s" % (path or "/", known, order))
            missing = sorted(always - set(seq))
            if missing:
                problems.append("%s: keys ORCID always sends are missing: %s"
                                % (path or "/", missing))
    return sorted(set(problems))


def _at(data, where):
    for key in where:
        data = data[key]
    return data


@pytest.fixture(scope="module")
def built(mock_orcid):
    """One record shaped like the sample: the sample's kinds of person data and every official
    write sample, each from its own client (several share self ids)."""
    mock_orcid.reset()
    world = World(mock_orcid)
    user = mock_orcid.create_user(given_names="Sofia Maria", family_name="Hernandez Garcia",
                                  email="sofia@example.org", default_visibility="public")
    for n, name in enumerate(_sample_names()):
        if target_of(name)[0] == "group":
            continue
        client = mock_orcid.create_client(name="Sample client %d" % n)
        world.post_sample(name, user["orcid"], world.user_token(user, client))
    return world, user, world.user_token(user)


def _get_json(world, user, token, path, api="member"):
    base = world.member(user["orcid"]) if api == "member" else world.public(user["orcid"])
    r = requests.get(base + path, headers=auth(token, Accept=JSON))
    assert r.status_code == 200, (path, r.status_code, r.text[:300])
    return r.json()


@pytest.mark.parametrize("sample", [p.name for p in READ_SAMPLES])
@pytest.mark.parametrize("api", ["member", "public"])
def test_a_record_built_through_the_api_reads_back_with_the_samples_key_order_and_nulls(
        built, official_model, sample, api):
    world, user, token = built
    data = json.loads(next(p for p in READ_SAMPLES if p.name == sample).read_text("utf-8"))
    ours = _get_json(world, user, token, "/record", api)
    assert shape_differences(ours, data) == []
    # Nothing of ours went unchecked: every object we send sits where the sample has one, or
    # where the sample has a null (its data lacked it) or an empty list (its emails).
    theirs = Shape(data)
    unchecked = [p for p in Shape(ours).orders if p not in theirs.orders
                 and p.rsplit("/", 1)[1] not in theirs.values.get(p.rsplit("/", 1)[0], {})
                 and not p.startswith("/person/emails/")]
    assert unchecked == []


@pytest.mark.parametrize("view", sorted(v for v, where in VIEWS.items() if where is not None))
def test_every_part_of_the_record_has_the_samples_key_order_and_nulls(built, official_model,
                                                                      view):
    world, user, token = built
    data = json.loads((MODEL / "record_3.0/samples/read_samples/record-full-3.0.json")
                      .read_text("utf-8"))
    assert shape_differences(_get_json(world, user, token, view), _at(data, VIEWS[view])) == []


def test_item_summaries_have_the_samples_key_order(built, official_model):
    world, user, token = built
    data = json.loads((MODEL / "record_3.0/samples/read_samples/record-full-3.0.json")
                      .read_text("utf-8"))
    work_summary = data["activities-summary"]["works"]["group"][0]["work-summary"][0]
    works = _get_json(world, user, token, "/works")
    put_code = works["group"][0]["work-summary"][0]["put-code"]
    ours = _get_json(world, user, token, "/work/summary/%d" % put_code)
    assert list(ours)[0] == "put-code"
    assert shape_differences(ours, work_summary) == []


# ------------------------------------------------------------------ 3. the details clients meet
def test_the_nulls_orcid_always_sends_are_sent(built):
    world, user, token = built
    record = _get_json(world, user, token, "/record")
    name = record["person"]["name"]
    assert "source" in name and name["source"] is None
    assert "credit-name" in name and name["credit-name"] is None
    assert name["path"] == user["orcid"]      # the bare iD, not /{iD}/personal-details
    history = record["history"]
    assert "visibility" not in history
    assert history["completion-date"] is None and history["deactivation-date"] is None
    for group in record["activities-summary"]["works"]["group"]:
        for summary in group["work-summary"]:
            assert list(summary)[0] == "put-code"
            for ext in summary["external-ids"]["external-id"]:
                assert "external-id-normalized-error" in ext


def test_email_items_write_verified_before_primary_and_null_path_and_put_code(built):
    world, user, token = built
    emails = _get_json(world, user, token, "/email")["email"]
    assert emails, "the user has an email the token may read"
    for email in emails:
        keys = list(email)
        assert keys.index("verified") < keys.index("primary")
        assert email["path"] is None and email["put-code"] is None


def test_affiliation_summary_writes_put_code_right_after_source(built):
    world, user, token = built
    groups = _get_json(world, user, token, "/employments")["affiliation-group"]
    summary = groups[0]["summaries"][0]["employment-summary"]
    keys = list(summary)
    assert keys[keys.index("source") + 1] == "put-code"
