"""ORCID's XML namespaces and the canonical prefix of each.

ORCID always serialises with these prefixes (``work:``, ``common:`` ...); clients that
compare XML text or use XPath with fixed prefixes rely on them, so we register them once.
"""
from xml.etree import ElementTree as ET

BASE = "http://www.orcid.org/ns/"

PREFIXES = (
    "common", "work", "funding", "education", "employment", "distinction", "invited-position",
    "membership", "qualification", "service", "peer-review", "research-resource", "activities",
    "person", "record", "personal-details", "other-name", "keyword", "address", "email",
    "external-identifier", "researcher-url", "history", "preferences", "deprecated", "error",
    "bulk", "search", "expanded-search", "group-id", "notification", "client", "summary",
)

NS = {prefix: BASE + prefix for prefix in PREFIXES}


def qn(prefix: str, local: str) -> str:
    """Clark-notation name, e.g. qn('work', 'title') -> '{http://www.orcid.org/ns/work}title'."""
    return "{%s}%s" % (NS[prefix], local)


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def namespace_of(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def prefix_of(tag: str) -> str:
    ns = namespace_of(tag)
    return ns[len(BASE):] if ns.startswith(BASE) else ""


for _prefix, _uri in NS.items():
    ET.register_namespace(_prefix, _uri)
