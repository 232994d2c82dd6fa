"""Who a request comes from and which record it is about, seen from outside the app: the
client behind a bearer token, an OAuth client id (form, query or HTTP Basic), and the ORCID iD
in the path. Used by the journal, fault matchers and the rate limiter. Linear in the request
line and the first bytes of the body; never raises."""
from __future__ import annotations

import base64
import re
import urllib.parse
from dataclasses import dataclass

_ORCID = re.compile(r"(?:^|/)(\d{4}-\d{4}-\d{4}-\d{3}[\dX])(?=/|$)")


@dataclass(frozen=True)
class Caller:
    client_id: str | None
    orcid: str | None            # the iD in the path, else the token's
    bearer: bool                 # a bearer token was sent


def identify(registry, path: str, query: str, headers: dict, body_head: bytes,
             content_type: str) -> Caller:
    client_id = orcid = None
    match = _ORCID.search(path)
    if match:
        orcid = match.group(1)
    authorization = headers.get("authorization", "")
    args = urllib.parse.parse_qs(query) if query else {}
    token_value = None
    if authorization.lower().startswith("bearer "):
        token_value = authorization[7:].strip()
    elif args.get("access_token"):
        token_value = args["access_token"][0]
    if token_value:
        token = registry.tokens.get(token_value)     # one dict read: no lock needed
        if token is not None:
            client_id = token.client_id
            orcid = orcid or token.orcid
    elif authorization.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8")
            client_id = urllib.parse.unquote(decoded.partition(":")[0]) or None
        except (ValueError, UnicodeDecodeError):
            pass
    if client_id is None:
        if args.get("client_id"):
            client_id = args["client_id"][0]
        elif "x-www-form-urlencoded" in (content_type or "") and body_head:
            client_id = _form_value(body_head.decode("utf-8", errors="replace"), "client_id")
    return Caller(client_id, orcid, token_value is not None)


def _form_value(form: str, name: str) -> str | None:
    """The first non-empty ``name`` field of a form, as ``parse_qs(form)[name][0]`` reads it,
    without decoding every other field (the token endpoint's form is read once per call)."""
    for pair in form.split("&"):
        key, eq, value = pair.partition("=")
        if not eq or not value:
            continue                # parse_qs drops fields without a value
        if "%" in key or "+" in key:
            key = urllib.parse.unquote_plus(key)
        if key == name:
            return urllib.parse.unquote_plus(value)
    return None
