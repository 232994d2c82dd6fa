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
            form = urllib.parse.parse_qs(body_head.decode("utf-8", errors="replace"))
            if form.get("client_id"):
                client_id = form["client_id"][0]
    return Caller(client_id, orcid, token_value is not None)
