"""Our own 2.0/2.1 schemas (xsd/v2 + the 3.0 files 2.x shares) give ORCID's official 2.x
verdicts: on every official 2.x sample, and on seeded mutations of them (the same mutation
machinery as the 3.0 conformance suite)."""
from __future__ import annotations

import pytest
import conformance_support as cs
from v2_support import VERSIONS, official_v2, samples

from mock_orcid.wire import schemas, xmlio


def _bases(version):
    return {"%s/%s" % (kind, p.name): xmlio.parse(p.read_bytes())
            for kind in ("read_samples", "write_sample") for p in samples(version, kind)}


@pytest.mark.parametrize("version", VERSIONS)
def test_every_official_2x_sample_gets_the_official_verdict(version):
    ours = schemas.schema(schemas.record_set(version))
    bases = _bases(version)
    assert len(bases) >= 50
    verdicts = {name: (official_v2(version).is_valid(e), ours.is_valid(e))
                for name, e in bases.items()}
    assert {n for n, (off, our) in verdicts.items() if off != our} == set()
    # ORCID's two misnamed list samples are invalid by its own schema, and by ours.
    assert sum(1 for off, _ in verdicts.values() if not off) == 2


@pytest.mark.parametrize("version", VERSIONS)
def test_mutated_2x_xml_gets_the_official_verdict(version):
    ours = schemas.schema(schemas.record_set(version))
    official = official_v2(version)
    bases = {n: e for n, e in _bases(version).items() if official.is_valid(e)}
    mutations = cs.xml_mutations(bases, schema_sets=lambda root: (official, ours))
    assert len(mutations) > 300
    disagreements, valid = [], 0
    for m in mutations:
        off, our = official.is_valid(m.element), ours.is_valid(m.element)
        valid += off
        if off != our:
            disagreements.append((m.label, our, off))
    assert valid and len(mutations) - valid
    assert not disagreements, disagreements[:8]


def test_2_0_and_2_1_differ_only_in_how_people_and_clients_are_named():
    v20, v21 = (schemas.schema(schemas.record_set(v)) for v in VERSIONS)
    doc = b"""<work:work xmlns:work="http://www.orcid.org/ns/work"
      xmlns:common="http://www.orcid.org/ns/common"><common:source><common:source-orcid>
      <common:uri>%s://orcid.org/0000-0002-1825-0097</common:uri>
      <common:path>0000-0002-1825-0097</common:path></common:source-orcid></common:source>
      <work:title><common:title>T</common:title></work:title><work:type>book</work:type>
      </work:work>"""
    http, https = xmlio.parse(doc % b"http"), xmlio.parse(doc % b"https")
    assert v20.is_valid(http) and not v20.is_valid(https)
    assert v21.is_valid(https) and not v21.is_valid(http)
