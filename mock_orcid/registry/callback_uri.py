"""Whether a webhook callback is a URI the way ORCID decides it: ``new java.net.URI(text)``
must not throw (facts §9: otherwise 400 9012).

Java's parser (RFC 2396 with a few deviations) is stricter and looser than RFC 3986 libraries
in ways users meet: ``localhost:8080/cb`` is a URI (scheme ``localhost``), ``127.0.0.1:8080/cb``
is not (a scheme must start with a letter), a space or ``{`` anywhere is refused, ``[`` only
inside an authority's IPv6 literal, and non-ASCII letters are allowed. So this is a small
port of its grammar rather than a general URI library. One pass, linear in the text.
"""
from __future__ import annotations

import string

_ALNUM = frozenset(string.ascii_letters + string.digits)
_UNRESERVED = _ALNUM | frozenset("-_.!~*'()")
_RESERVED = frozenset(";/?:@&=+$,[]")
_URIC = _UNRESERVED | _RESERVED                        # query, fragment, opaque part
_PCHAR = _UNRESERVED | frozenset(":@&=+$,")
_PATH = _PCHAR | frozenset(";/")
_AUTHORITY = _UNRESERVED | frozenset("$,;:@&=+")       # registry-based or server-based
_SCHEME = _ALNUM | frozenset("+-.")
_HEX = frozenset(string.hexdigits)
_IPV6 = _HEX | frozenset(":.")


def uri_error(text: str) -> str | None:
    """None when ``text`` parses as a java.net.URI; else Java's kind of message."""
    if not text:
        return None
    # Scheme: a ':' before any of '/', '?', '#'.
    colon = _first(text, ":", stop="/?#")
    rest_at = 0
    if colon == 0:
        return _fail("Expected scheme name", text, 0)
    if colon > 0:
        if text[0] not in string.ascii_letters:
            return _fail("Illegal character in scheme name", text, 0)
        for i in range(1, colon):
            if text[i] not in _SCHEME:
                return _fail("Illegal character in scheme name", text, i)
        rest_at = colon + 1
        if rest_at == len(text):
            return _fail("Expected scheme-specific part", text, rest_at)
    hash_at = text.find("#", rest_at)
    end = len(text) if hash_at < 0 else hash_at
    if hash_at >= 0:
        problem = _check(text, hash_at + 1, len(text), _URIC, "fragment")
        if problem:
            return problem
    if colon > 0 and not text.startswith("/", rest_at):
        return _check(text, rest_at, end, _URIC, "opaque part")
    return _hierarchical(text, rest_at, end)


def _hierarchical(text: str, p: int, end: int) -> str | None:
    question = text.find("?", p, end)
    path_end = end if question < 0 else question
    if text.startswith("//", p):
        p += 2
        auth_end = _first_of(text, p, path_end, "/")
        if auth_end > p:
            problem = _authority(text, p, auth_end)
            if problem:
                return problem
        elif auth_end == end:
            return _fail("Expected authority", text, p)
        p = auth_end
    problem = _check(text, p, path_end, _PATH, "path")
    if problem or question < 0:
        return problem
    return _check(text, question + 1, end, _URIC, "query")


def _authority(text: str, start: int, end: int) -> str | None:
    open_at = text.find("[", start, end)
    if open_at < 0:
        return _check(text, start, end, _AUTHORITY, "authority")
    # An IPv6 literal: [hex:hex...], after optional userinfo@, before optional :port.
    close_at = text.find("]", open_at, end)
    if close_at < 0:
        return _fail("Expected closing bracket for IPv6 address", text, end)
    if open_at > start and text[open_at - 1] != "@":
        return _fail("Illegal character in authority", text, open_at)
    literal = text[open_at + 1:close_at]
    if ":" not in literal or any(c not in _IPV6 for c in literal):
        return _fail("Malformed IPv6 address", text, open_at + 1)
    problem = _check(text, start, open_at, _AUTHORITY, "authority")
    if problem:
        return problem
    tail = text[close_at + 1:end]
    if tail and not (tail[0] == ":" and tail[1:].isdigit() or tail == ":"):
        return _fail("Illegal character in authority", text, close_at + 1)
    return None


def _check(text: str, start: int, end: int, allowed: frozenset, component: str) -> str | None:
    i = start
    while i < end:
        c = text[i]
        if c == "%":
            if i + 2 >= end or text[i + 1] not in _HEX or text[i + 2] not in _HEX:
                return _fail("Malformed escape pair", text, i)
            i += 3
            continue
        if c not in allowed and not _other(c):
            return _fail("Illegal character in %s" % component, text, i)
        i += 1
    return None


def _other(c: str) -> bool:
    # Java's "other" characters: non-ASCII, neither a space nor a control character.
    return ord(c) > 0x7F and not c.isspace() and c.isprintable()


def _first(text: str, wanted: str, stop: str) -> int:
    for i, c in enumerate(text):
        if c == wanted:
            return i
        if c in stop:
            return -1
    return -1


def _first_of(text: str, start: int, end: int, chars: str) -> int:
    for i in range(start, end):
        if text[i] in chars:
            return i
    return end


def _fail(reason: str, text: str, index: int) -> str:
    return "%s at index %d: %s" % (reason, index, text)
