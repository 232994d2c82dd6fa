"""Faults on demand: a matcher (method, path glob, client id, iD) and an action (an ORCID error
body, a delay, a dropped connection, or ORCID's front-proxy 503), for ``times`` requests
(default 1; ``null``: until deleted).

The body is flat (a fixed contract, other suites depend on it)::

    {"method": "POST", "path": "/v3.0/*/work", "client_id": ..., "orcid": ...,
     "status": 503, "error_code": 9008, "delay_ms": 1500, "drop_connection": true, "times": 2}

``status`` without ``error_code`` is ORCID's error body for the code usual for that status,
except 503, which is the front proxy's page; ``error_code`` without ``status`` takes the code's
own status. A delay combines with the other actions (or alone: the request then goes on).
Faults are tried in the order they were added; the first that matches acts.
"""
from __future__ import annotations

import fnmatch
import itertools
import threading
from dataclasses import dataclass

from ..registry.errors import CODES

MAX_DELAY_MS = 600_000

SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "method": {"type": "string", "pattern": "^[A-Za-z]{1,16}$"},
        "path": {"type": "string", "minLength": 1, "maxLength": 2000,
                 "description": "a glob (fnmatch): * matches any characters, / included"},
        "client_id": {"type": "string", "minLength": 1, "maxLength": 200},
        "orcid": {"type": "string", "minLength": 1, "maxLength": 200},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "error_code": {"type": "integer", "enum": sorted(CODES)},
        "delay_ms": {"type": "integer", "minimum": 0, "maximum": MAX_DELAY_MS},
        "drop_connection": {"type": "boolean"},
        "times": {"type": ["integer", "null"], "minimum": 1,
                  "description": "how many requests it acts on (default 1); null: until deleted"},
    },
    "anyOf": [{"required": ["status"]}, {"required": ["error_code"]},
              {"required": ["delay_ms"]},
              {"required": ["drop_connection"], "properties": {"drop_connection": {"const": True}}}],
}

# The code ORCID uses for a status when a fault names only the status.
CODE_FOR_STATUS = {400: 9006, 401: 9002, 403: 9014, 404: 9016, 405: 9001, 406: 9001,
                   409: 9021, 415: 9001, 500: 9008}
FRONT_PROXY = "front-proxy-503"


class FaultError(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass
class Fault:
    id: int
    method: str | None
    path: str | None
    client_id: str | None
    orcid: str | None
    status: int | None
    error_code: int | None
    delay_ms: int | None
    drop_connection: bool
    times: int | None              # as asked; None: until deleted
    remaining: int | None
    hits: int = 0
    given: frozenset = frozenset()  # the keys the test set (echoed back)

    @property
    def action(self) -> str:
        if self.drop_connection:
            return "drop-connection"
        if self.status == 503 and self.error_code is None:
            return FRONT_PROXY
        if self.status is not None or self.error_code is not None:
            return "orcid-error"
        return "delay"

    def matches(self, method: str, path: str, client_id: str | None, orcid: str | None) -> bool:
        return ((self.method is None or self.method == method)
                and (self.path is None or fnmatch.fnmatchcase(path, self.path))
                and (self.client_id is None or self.client_id == client_id)
                and (self.orcid is None or self.orcid == orcid))

    def as_dict(self) -> dict:
        data = {"id": self.id}
        for key in SCHEMA["properties"]:
            if key in self.given:
                data[key] = getattr(self, key)
        data.update(action=self.action, status=self.status, error_code=self.error_code,
                    times=self.times, remaining=self.remaining, hits=self.hits)
        return data


def parse(data) -> dict:
    """The fault body checked against SCHEMA; FaultError names the bad field."""
    if not isinstance(data, dict):
        raise FaultError("the body must be a JSON object")
    extra = sorted(set(data) - set(SCHEMA["properties"]))
    if extra:
        raise FaultError("unknown field(s): %s; allowed: %s"
                         % (", ".join(extra), ", ".join(SCHEMA["properties"])), extra[0])
    if not any(k in data for k in ("status", "error_code", "delay_ms")) \
            and data.get("drop_connection") is not True:
        raise FaultError("a fault needs an action: status, error_code, delay_ms or "
                         "drop_connection: true")
    import jsonschema      # on first use: not needed to start the server
    error = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(SCHEMA).iter_errors(data))
    if error is not None:
        path = ".".join(str(p) for p in error.absolute_path) or None
        raise FaultError("%s: %s" % (path or "body", error.message), path)
    return data


class Faults:
    def __init__(self):
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._ids = itertools.count(1)

    def add(self, data: dict) -> Fault:
        data = parse(data)
        status, code = data.get("status"), data.get("error_code")
        if code is not None and status is None:
            status = CODES[code][0]
        elif status is not None and code is None and status != 503:
            code = CODE_FOR_STATUS.get(status, 9008 if status >= 500 else 9006)
        times = data.get("times", 1)
        with self._lock:
            fault = Fault(id=next(self._ids), method=(data.get("method") or "").upper() or None,
                          path=data.get("path"), client_id=data.get("client_id"),
                          orcid=data.get("orcid"), status=status, error_code=code,
                          delay_ms=data.get("delay_ms"),
                          drop_connection=bool(data.get("drop_connection")),
                          times=times, remaining=times, given=frozenset(data))
            self._faults.append(fault)
        return fault

    def take(self, method: str, path: str, client_id: str | None,
             orcid: str | None) -> Fault | None:
        """The first fault matching this request, counted as used once."""
        if not self._faults:            # the usual case: no lock to take
            return None
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path, client_id, orcid):
                    fault.hits += 1
                    if fault.remaining is not None:
                        fault.remaining -= 1
                        if fault.remaining <= 0:
                            self._faults.remove(fault)
                    return fault
        return None

    def all(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def get(self, fault_id: int) -> Fault | None:
        with self._lock:
            return next((f for f in self._faults if f.id == fault_id), None)

    def delete(self, fault_id: int) -> bool:
        with self._lock:
            for fault in self._faults:
                if fault.id == fault_id:
                    self._faults.remove(fault)
                    return True
        return False

    def clear(self) -> int:
        with self._lock:
            count = len(self._faults)
            self._faults.clear()
            return count
