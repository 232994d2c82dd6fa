"""Flask's per-request work whose answer never changes for a given input, done once.

- URL matching: werkzeug walks its state machine of rules (about a hundred here) for every
  request; the outcome depends only on the host part, path, method and websocket flag, so a
  successful match is kept (bounded in count and path length) and each request gets its own
  copy of the values. Misses (404, 405, redirects) are not kept: they take werkzeug's own path
  every time. Adding a rule empties the cache.
- ``Flask.ensure_sync``: Flask asks ``inspect.iscoroutinefunction`` for the view and every
  hook on every request; the answer for a plain function is the function itself, kept here.

Nothing else about routing or dispatch changes: same rules, same converters, same errors.
"""
from __future__ import annotations

from flask import Flask
from werkzeug.routing.matcher import StateMachineMatcher

MAX_MATCHES = 4096          # distinct (host, path, method) kept; emptied when full
MAX_PATH = 512              # longer paths are matched every time: the cache stays small
MAX_FUNCTIONS = 1024


class CachingMatcher(StateMachineMatcher):
    """werkzeug's matcher, remembering successful matches."""

    def __init__(self, matcher: StateMachineMatcher):
        self.__dict__.update(matcher.__dict__)       # the same rule tree, not a copy
        self._matches: dict = {}

    def add(self, rule) -> None:
        self._matches = {}
        super().add(rule)

    def update(self) -> None:
        self._matches = {}
        super().update()

    def match(self, domain, path, method, websocket):
        key = (domain, path, method, websocket)
        matches = self._matches
        found = matches.get(key)
        if found is None:
            found = super().match(domain, path, method, websocket)   # raises on a miss
            if len(path) + len(domain) > MAX_PATH:
                return found[0], dict(found[1])
            if len(matches) >= MAX_MATCHES:
                matches.clear()
            matches[key] = found
        rule, values = found
        return rule, dict(values)        # Flask hands the dict to the view: never share it


def install(app: Flask) -> None:
    url_map = app.url_map
    if type(getattr(url_map, "_matcher", None)) is StateMachineMatcher:
        url_map._matcher = CachingMatcher(url_map._matcher)

    plain = app.ensure_sync
    known: dict = {}

    def ensure_sync(func):
        try:
            return known[func]
        except KeyError:
            wrapped = plain(func)
            if wrapped is func and len(known) < MAX_FUNCTIONS:
                known[func] = func          # only plain functions: async ones wrap each time
            return wrapped
        except TypeError:                   # an unhashable callable
            return plain(func)

    app.ensure_sync = ensure_sync
