"""mock-orcid: a local, faithful stand-in for the ORCID registry (OAuth, Member and Public API v3.0)."""

__version__ = "0.1.0"
