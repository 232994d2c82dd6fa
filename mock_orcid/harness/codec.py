"""Registry objects as JSON and back, for the state file and fixture export.

Why not pickle: the state file outlives the process (a Docker volume across image upgrades) and
is read at start-up; JSON with a closed list of known classes can neither run code nor break on a
renamed module. Items keep their body as ORCID XML text, which is what the registry stores.
"""
from __future__ import annotations

import base64
import dataclasses
import json
from datetime import datetime
from xml.etree import ElementTree as ET

from ..registry import model, webhooks
from ..wire import xmlio

# The only classes a state file may name.
CLASSES = {cls.__name__: cls for cls in (
    model.Source, model.Item, model.Email, model.Record, model.Client, model.AuthorizationCode,
    model.Token, webhooks.Webhook)}


def encode(value):
    """A JSON-ready structure for ``value`` (dataclasses of the registry, dates, XML)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        name = type(value).__name__
        if name not in CLASSES:
            raise TypeError("cannot store a %s" % name)
        out = {"$class": name}
        for f in dataclasses.fields(value):
            out[f.name] = encode(getattr(value, f.name))
        return out
    if isinstance(value, datetime):
        return {"$time": value.isoformat()}
    if isinstance(value, ET.Element):
        return {"$xml": ET.tostring(value, encoding="unicode")}
    if isinstance(value, bytes):
        return {"$bytes": base64.b64encode(value).decode("ascii")}
    if isinstance(value, tuple):
        return {"$tuple": [encode(v) for v in value]}
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value):
            if any(k.startswith("$") for k in value):
                return {"$dict": [[k, encode(v)] for k, v in value.items()]}
            return {k: encode(v) for k, v in value.items()}
        return {"$dict": [[encode(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError("cannot store a %s" % type(value).__name__)


def decode(value):
    if isinstance(value, list):
        return [decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "$class" in value:
        cls = CLASSES[value["$class"]]
        names = {f.name for f in dataclasses.fields(cls)}
        # Fields a newer version added keep their defaults; fields it dropped are ignored.
        return cls(**{k: decode(v) for k, v in value.items() if k in names})
    if "$time" in value:
        return datetime.fromisoformat(value["$time"])
    if "$bytes" in value:
        return base64.b64decode(value["$bytes"])
    if "$xml" in value:
        return xmlio.parse(value["$xml"].encode("utf-8"))
    if "$tuple" in value:
        return tuple(decode(v) for v in value["$tuple"])
    if "$dict" in value:
        return {_key(decode(k)): decode(v) for k, v in value["$dict"]}
    return {k: decode(v) for k, v in value.items()}


def _key(key):
    return tuple(key) if isinstance(key, list) else key


def dumps(value) -> str:
    return json.dumps(encode(value), separators=(",", ":"), ensure_ascii=False)


def loads(text: str):
    return decode(json.loads(text))
