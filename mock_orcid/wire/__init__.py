"""Wire formats: ORCID's XML and JSON, our schemas, and rendering of read elements."""
