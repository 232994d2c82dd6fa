"""The registry: ORCID's domain in plain Python (records, items, rules, change stream). No Flask."""
