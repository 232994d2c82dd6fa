"""ORCID's OAuth scopes: what each implies, who may hold it, how it is obtained."""
from __future__ import annotations

import functools

READ_PUBLIC = "/read-public"

# scope -> scopes it directly implies (ORCID's ScopePathType hierarchy)
IMPLIES: dict[str, tuple[str, ...]] = {
    "/read-public": (),
    "/authenticate": ("/read-public",),
    "openid": ("/authenticate", "/read-public"),
    "/read-limited": ("/activities/read-limited", "/person/read-limited", "/read-public"),
    "/activities/read-limited": ("/orcid-works/read-limited", "/funding/read-limited",
                                 "/affiliations/read-limited", "/peer-review/read-limited",
                                 "/read-public"),
    "/person/read-limited": ("/orcid-bio/read-limited", "/read-public"),
    "/orcid-bio/read-limited": ("/read-public",),
    "/orcid-works/read-limited": ("/read-public",),
    "/funding/read-limited": ("/read-public",),
    "/affiliations/read-limited": ("/read-public",),
    "/peer-review/read-limited": ("/read-public",),
    "/activities/update": ("/orcid-works/create", "/orcid-works/update", "/funding/create",
                           "/funding/update", "/affiliations/create", "/affiliations/update",
                           "/peer-review/create", "/peer-review/update", "/read-public"),
    "/orcid-works/update": ("/orcid-works/create", "/read-public"),
    "/orcid-works/create": ("/read-public",),
    "/funding/update": ("/funding/create", "/read-public"),
    "/funding/create": ("/read-public",),
    "/affiliations/update": ("/affiliations/create", "/read-public"),
    "/affiliations/create": ("/read-public",),
    "/peer-review/update": ("/peer-review/create", "/read-public"),
    "/peer-review/create": ("/read-public",),
    "/person/update": ("/orcid-bio/update", "/read-public"),
    "/orcid-bio/update": ("/orcid-bio/external-identifiers/create", "/read-public"),
    "/orcid-bio/external-identifiers/create": ("/read-public",),
    "/email/read-private": ("/read-public",),
    "/webhook": (),
    "/group-id-record/update": ("/group-id-record/read",),
    "/group-id-record/read": (),
    "/premium-notification": ("/basic-notification",),
    "/basic-notification": (),
    "/orcid-profile/create": ("/read-public",),
}

# Obtained with grant_type=client_credentials only.
CLIENT_CREDENTIALS = frozenset({"/read-public", "/webhook", "/premium-notification",
                                "/group-id-record/read", "/group-id-record/update",
                                "/orcid-profile/create"})
# OIDC words ORCID silently ignores at /oauth/authorize.
IGNORED_OIDC = frozenset({"profile", "email", "address", "phone", "offline_access"})

PUBLIC_CLIENT = frozenset({"/authenticate", "/read-public", "openid"})
MEMBER_EXTRA_EXCLUDED = frozenset({"/webhook", "/premium-notification", "/orcid-profile/create"})


def allowed_for(client_type: str) -> frozenset[str]:
    if client_type == "public":
        return PUBLIC_CLIENT
    everything = frozenset(IMPLIES)
    if client_type == "premium":
        return everything - {"/orcid-profile/create"}
    return everything - MEMBER_EXTRA_EXCLUDED


def expand(granted) -> frozenset[str]:
    if isinstance(granted, tuple):
        return _expand_tuple(granted)   # a token's scopes: every API call asks again
    return _expand(granted)


@functools.lru_cache(maxsize=4096)
def _expand_tuple(granted: tuple) -> frozenset[str]:
    return _expand(granted)


def _expand(granted) -> frozenset[str]:
    seen: set[str] = set()
    stack = list(granted)
    while stack:
        scope = stack.pop()
        if scope in seen:
            continue
        seen.add(scope)
        stack.extend(IMPLIES.get(scope, ()))
    return frozenset(seen)


def parse(scope_param: str | None) -> list[str]:
    """Split ORCID's space (or '+') separated scope string, keeping order, dropping repeats."""
    words = (scope_param or "").replace("+", " ").split()
    return list(dict.fromkeys(words))


def is_known(scope: str) -> bool:
    return scope in IMPLIES
