"""Conformance: our schemas give ORCID's verdict, payload by payload.

Everything here compares the project's own XSDs (``mock_orcid.schemas``) with ORCID's
official ones in ``../shared/orcid-model``: on every published sample, on thousands of
seeded mutations of them, and on ORCID JSON run through our converter.  The suite skips
when the official folder is not beside the project.

Run with ``-s`` to see the agreement figures.
"""
from __future__ import annotations

import collections
import json
import time

import conformance_support as cs
import pytest

from mock_orcid.wire import jsonmap, schemas

pytestmark = pytest.mark.conformance

MIN_XML_MUTATIONS = 3000
MIN_JSON_MUTATIONS = 500


def _sample_ids(lister):
    if not cs.OFFICIAL_MODEL.is_dir():
        return ["official-model-absent"]
    return lister(cs.OFFICIAL_MODEL)


XML_SAMPLES = _sample_ids(cs.xml_samples)
JSON_SAMPLE_PARAMS = _sample_ids(cs.json_sample_files)


class _Tally:
    def __init__(self):
        self.rows: dict[str, list[int]] = collections.OrderedDict()

    def add(self, what: str, agreed: int, total: int):
        self.rows[what] = [agreed, total]


@pytest.fixture(scope="module")
def tally():
    t = _Tally()
    yield t
    if t.rows:
        agreed = sum(a for a, _ in t.rows.values())
        total = sum(n for _, n in t.rows.values())
        print("\nconformance: %d/%d payloads agree (%s)" % (
            agreed, total, ", ".join("%s %d/%d" % (k, a, n) for k, (a, n) in t.rows.items())))


@pytest.fixture
def official(official_model):
    """The four official schema sets (built once per process)."""
    return cs.official_schemas(official_model)


def _disagreement_report(rows, limit=8):
    lines = ["%d disagreement(s) with ORCID's official schemas; first %d:"
             % (len(rows), min(limit, len(rows)))]
    for label, ours, official, why in rows[:limit]:
        lines.append("  - %s\n      ours=%s official=%s  %s" % (
            label, "valid" if ours else "INVALID", "valid" if official else "INVALID", why))
    return "\n".join(lines)


# ---------------------------------------------------------------- a. official XML samples

def test_the_official_model_has_every_sample_we_check(official_model):
    assert len(cs.xml_samples(official_model)) == 81
    assert sorted(cs.json_sample_files(official_model)) == sorted(cs.JSON_SAMPLES)
    for rel in cs.KNOWN_FAULTY_SAMPLES:
        assert (official_model / rel).is_file(), rel


@pytest.mark.parametrize("rel", XML_SAMPLES)
def test_every_official_sample_gets_the_official_verdict(official_model, official, rel, tally):
    element = cs.load_xml(rel, official_model)
    set_name = cs.pick_set(element)
    theirs = cs.official_errors(element, set_name, official_model)
    ours = cs.our_errors(element, set_name)
    row = tally.rows.setdefault("samples", [0, 0])
    row[1] += 1
    row[0] += bool(theirs) == bool(ours)
    if rel in cs.KNOWN_FAULTY_SAMPLES:
        # A known defect in the published sample: both must reject it, for that reason.
        reason = cs.KNOWN_FAULTY_SAMPLES[rel]
        assert theirs, "ORCID's schema now accepts %s (was: %s)" % (rel, reason)
        assert ours, "we accept %s, ORCID rejects it: %s" % (rel, reason)
        assert cs.KNOWN_FAULTY_ERROR_AT[rel] in theirs[0], theirs
        assert cs.KNOWN_FAULTY_ERROR_AT[rel] in ours[0], ours
    else:
        assert not theirs, "official schema rejects %s: %s" % (rel, theirs)
        assert not ours, "we reject official sample %s (set %s): %s" % (rel, set_name, ours)


# ---------------------------------------------------------------- b. XML mutations

def test_mutated_xml_gets_the_official_verdict(official_model, official, tally):
    bases = {rel: cs.load_xml(rel, official_model) for rel in cs.xml_samples(official_model)
             if rel not in cs.KNOWN_FAULTY_SAMPLES}
    started = time.perf_counter()
    mutations = cs.xml_mutations(bases, schema_sets=cs.boundary_schemas(official_model))
    assert len(mutations) >= MIN_XML_MUTATIONS
    disagreements, valid = [], 0
    by_kind = collections.Counter()
    for m in mutations:
        set_name = cs.pick_set(m.element)
        official_ok = cs.official_ok(m.element, set_name, official_model)
        our_ok = cs.our_ok(m.element, set_name)
        valid += official_ok
        by_kind[m.kind] += 1
        if official_ok != our_ok:
            why = (cs.official_errors(m.element, set_name, official_model)
                   or cs.our_errors(m.element, set_name) or [""])[0]
            disagreements.append((m.label, our_ok, official_ok, why[:300]))
    agreed = len(mutations) - len(disagreements)
    tally.add("xml mutations", agreed, len(mutations))
    print("\nconformance: %d/%d XML mutations agree (%d valid, %d invalid by ORCID's schemas; "
          "%.1f s; %s)" % (agreed, len(mutations), valid, len(mutations) - valid,
                           time.perf_counter() - started,
                           ", ".join("%s %d" % kv for kv in sorted(by_kind.items()))))
    # Both verdicts must actually occur, or the comparison proves little.
    assert valid > len(mutations) // 5 and len(mutations) - valid > len(mutations) // 5
    assert not disagreements, _disagreement_report(disagreements)


def test_mutation_selection_is_stable(official_model):
    """Same seed, same mutations: a failure can be replayed by its label."""
    rel = "record_3.0/samples/write_samples/work-full-3.0.xml"
    bases = {rel: cs.load_xml(rel, official_model)}
    sets = cs.boundary_schemas(official_model)
    first = [(m.label, cs.canonical(m.element)) for m in cs.xml_mutations(bases, schema_sets=sets)]
    again = [(m.label, cs.canonical(m.element)) for m in cs.xml_mutations(bases, schema_sets=sets)]
    assert first == again and len(first) > 30


# ---------------------------------------------------------------- c. official JSON samples

@pytest.mark.parametrize("rel", JSON_SAMPLE_PARAMS)
def test_official_json_samples_become_xml_both_schemas_accept(official_model, official, rel,
                                                              tally):
    tag, set_name = cs.JSON_SAMPLES[rel]
    data = cs.load_json(rel, official_model)
    element = jsonmap.to_element(data, tag, set_name)
    theirs = cs.official_errors(element, set_name, official_model)
    ours = cs.our_errors(element, set_name)
    row = tally.rows.setdefault("json samples", [0, 0])
    row[1] += 1
    row[0] += bool(theirs) == bool(ours)
    assert not theirs, "ORCID's schema rejects the XML made from %s: %s" % (rel, theirs)
    assert not ours, "our schema rejects the XML made from %s: %s" % (rel, ours)


@pytest.mark.parametrize("rel", _sample_ids(cs.json_sample_files))
def test_official_json_samples_survive_a_json_round_trip(official_model, rel):
    """JSON -> XML -> JSON -> XML gives the same XML (what a client GETs back after a POST)."""
    tag, set_name = cs.JSON_SAMPLES[rel]
    element = jsonmap.to_element(cs.load_json(rel, official_model), tag, set_name)
    rendered = jsonmap.to_json(element, set_name)
    json.dumps(rendered)  # plain JSON types only
    again = jsonmap.to_element(rendered, tag, set_name)
    assert cs.canonical(again) == cs.canonical(element)


# ---------------------------------------------------------------- d. JSON mutations

def _json_bases(model):
    return {rel: cs.load_json(rel, model) for rel in cs.JSON_SAMPLES}


def test_mutated_json_gets_the_official_verdict(official_model, official, tally):
    started = time.perf_counter()
    mutations = cs.json_mutations(_json_bases(official_model))
    assert len(mutations) >= MIN_JSON_MUTATIONS
    disagreements, crashes, valid, shape = [], [], 0, 0
    for m in mutations:
        tag, set_name = cs.JSON_SAMPLES[m.base]
        try:
            ours, official_ok, why = cs.json_verdicts(m.data, tag, set_name, official_model)
        except Exception as exc:  # anything but JsonShapeError would be a 500
            crashes.append("%s: %r" % (m.label, exc))
            continue
        valid += official_ok
        shape += why.startswith("JsonShapeError")
        if ours != official_ok:
            disagreements.append((m.label, ours, official_ok, why[:300]))
    agreed = len(mutations) - len(disagreements) - len(crashes)
    tally.add("json mutations", agreed, len(mutations))
    print("\nconformance: %d/%d JSON mutations agree (%d valid, %d rejected by the converter, "
          "%d rejected by the schemas; %.1f s)" % (
              agreed, len(mutations), valid, shape, len(mutations) - valid - shape,
              time.perf_counter() - started))
    assert not crashes, "to_element crashed instead of raising JsonShapeError:\n  " + \
        "\n  ".join(crashes[:8])
    assert valid and len(mutations) - valid
    assert not disagreements, _disagreement_report(disagreements)


@pytest.mark.parametrize("millis", cs.OUT_OF_RANGE_TIMESTAMPS, ids=repr)
def test_out_of_range_json_timestamps_are_rejected_not_crashed(millis):
    data = {"title": {"title": {"value": "t"}}, "type": "book",
            "created-date": {"value": millis}}
    tag, set_name = cs.JSON_SAMPLES["record_3.0/samples/write_samples/work-full-3.0.json"]
    with pytest.raises(jsonmap.JsonShapeError):
        jsonmap.to_element(data, tag, set_name)
