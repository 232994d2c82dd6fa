"""The harness: what makes mock-orcid a test double (fixtures that hold records, persistence,
rerouting ORCID's hosts), kept apart from the ORCID emulation. It may import registry, wire and
oauth; web and the top level wire it in."""
