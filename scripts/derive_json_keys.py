"""Derive ORCID's JSON key order, explicit nulls and scalar types from ORCID's official JSON
read samples, and write them as ``mock_orcid/wire/json_keys.py``.

    python scripts/derive_json_keys.py [--model ../shared/orcid-model] [--check]

Regenerate it whenever ORCID's samples or our schemas change, and commit the result; the test
suite (tests/test_json_shape.py) fails while the committed table differs from what this gives.
The table is keyed by API version first (``KEYS["3.0"][element]``): versions are an axis of the
table, not copies of it. A version is derived from its own samples (``VERSION_FOLDERS``) with
the schemas that describe it; only 3.0 has JSON read samples and schemas today.

ORCID's JSON is Jackson's rendering of its Java model classes, so the keys of an object, their
order and which of them are written as ``null`` when empty belong to the element's type, not
to one document. Every JSON read sample is walked together with our schema (the same content
model the converter uses), and for every element the keys of each of its objects are recorded:

- order: the order the samples show (objects of one element agree; where they differ, as in
  ``activities:group`` whose summary key depends on the section, the orders are merged);
- always: a key every object of that element carries is always written, ``null`` or ``[]`` when
  there is nothing to say; a key only some objects carry is written only when present;
- scalar types: ``"display-index": "0"`` in a summary but ``3`` in an other-name; the sample's
  JSON type of each scalar key wins over the XSD's.

``--check`` exits 1 when the committed table differs from what the samples give (the test
suite runs the same comparison).
"""
from __future__ import annotations

import argparse
import json
import pprint
import sys
from pathlib import Path

from mock_orcid.registry.namespaces import local_name
from mock_orcid.wire import jsonmap, schemas

REPO = Path(__file__).resolve().parents[1]
DEFAULT_MODEL = REPO.parent / "shared" / "orcid-model"
TARGET = REPO / "mock_orcid" / "wire" / "json_keys.py"
# API version -> the model folders whose JSON read samples describe it (our schemas describe
# 3.0; another version needs its own schemas before it can be added here).
VERSION_FOLDERS = {
    "3.0": ("record_3.0", "common_3.0", "summary_3.0", "client_3.0", "group-id-3.0",
            "notification_3.0"),
}


def read_samples(model: Path, version: str = "3.0") -> list[Path]:
    return sorted(p for folder in VERSION_FOLDERS[version]
                  for p in (model / folder).glob("samples/read_samples/*.json"))


class Walk:
    """Records, per element, the key sequences of its JSON objects and its scalar types."""

    def __init__(self):
        self.sequences: dict[str, list[tuple[str, ...]]] = {}
        self.scalars: dict[str, dict[str, str]] = {}
        self.unknown: list[str] = []

    def element(self, decl, value, where: str) -> None:
        if not isinstance(value, dict):
            self._scalar(decl.name, "value" if jsonmap._wrapped(decl, None) else None, value, where)
            return
        self.sequences.setdefault(decl.name, []).append(tuple(value))
        xsd_type = decl.type
        attrs = jsonmap._attributes(xsd_type)
        if jsonmap._text_only(xsd_type):
            for key, val in value.items():
                self._scalar(decl.name, key, val, where)
            return
        children = {local_name(c.name): c for c in jsonmap._child_decls(xsd_type)}
        for key, val in value.items():
            here = "%s/%s" % (where, key)
            if val is None:
                continue
            if key in attrs:
                self._scalar(decl.name, key, val, here)
            elif key in children:
                child = children[key]
                for item in (val if isinstance(val, list) else [val]):
                    if item is None:
                        continue
                    if isinstance(item, dict) or jsonmap._text_only(child.type) is False:
                        self.element(child, item, here)
                    else:
                        self._scalar(decl.name, key, item, here)
            elif jsonmap.POLYMORPHIC.get(decl.name) == key:
                for item in val:
                    (name, content), = item.items()
                    self.element(children[name], content, "%s/%s" % (here, name))
            else:
                wrapper = jsonmap._wrapper_for(children, key)
                if wrapper is None:
                    self.unknown.append(here)
                    continue
                inner = {local_name(d.name): d for d in jsonmap._child_decls(wrapper.type)}
                for item in val:
                    self.element(inner[key], item, here)

    def _scalar(self, tag: str, key, value, where: str) -> None:
        if value is None or key is None:
            return
        kind = ("boolean" if isinstance(value, bool) else "number"
                if isinstance(value, (int, float)) else "string" if isinstance(value, str)
                else None)
        if kind is None:
            self.unknown.append(where)
            return
        seen = self.scalars.setdefault(tag, {})
        if seen.setdefault(key, kind) != kind:
            raise SystemExit("%s: %s is a %s here but a %s elsewhere" % (where, key, kind, seen[key]))


def _root_decl(data: dict):
    """The sample's root element: the global element whose content model takes every key."""
    best = None
    for name, decl in schemas.schema("record").maps.elements.items():
        if not name.startswith("{http://www.orcid.org/ns/") or jsonmap._text_only(decl.type):
            continue
        names = {local_name(c.name) for c in jsonmap._child_decls(decl.type)}
        names |= set(jsonmap._attributes(decl.type))
        if set(data) <= names:
            score = len(names & set(data)) - len(names)
            if best is None or score > best[0]:
                best = (score, decl)
    if best is None:
        raise SystemExit("no element of the record schema takes the keys %s" % sorted(data))
    return best[1]


def merge(sequences: list[tuple[str, ...]]) -> tuple[list[str], set[str]]:
    """One order that keeps every sequence's order, and the keys every sequence has."""
    order: list[str] = []
    for seq in sequences:
        for i, key in enumerate(seq):
            if key in order:
                continue
            before = next((seq[j] for j in range(i - 1, -1, -1) if seq[j] in order), None)
            order.insert(order.index(before) + 1 if before else 0, key)
    for seq in sequences:
        positions = [order.index(k) for k in seq]
        if positions != sorted(positions):
            raise SystemExit("the samples disagree on the order of %s" % (seq,))
    always = set(order)
    for seq in sequences:
        always &= set(seq)
    return order, always


def derive(model: Path, version: str = "3.0") -> dict:
    walk = Walk()
    files = read_samples(model, version)
    if not files:
        raise SystemExit("no JSON read samples under %s" % model)
    for path in files:
        data = json.loads(path.read_text(encoding="utf-8"))
        walk.element(_root_decl(data), data, path.name)
    if walk.unknown:
        raise SystemExit("keys the schema does not know: %s" % walk.unknown[:10])
    keys = {}
    for tag, sequences in sorted(walk.sequences.items()):
        order, always = merge(sequences)
        keys[tag] = tuple(k if k in always else "?" + k for k in order)
    scalars = {tag: dict(sorted(kinds.items())) for tag, kinds in sorted(walk.scalars.items())}
    return {"version": version, "files": [str(p.relative_to(model)) for p in files],
            "keys": keys, "scalars": scalars}


def render(derived: dict) -> str:
    files = "\n".join("#   %s" % f for f in derived["files"])
    return '''"""ORCID's JSON keys per element, as ORCID's official JSON read samples show them.

GENERATED by scripts/derive_json_keys.py from:
%s
Do not edit by hand: run the script (tests/test_json_shape.py checks that this table is what the
samples give). What the samples do not show is in ``json_model.py``.
"""

# API version -> element (Clark name) -> its JSON keys in ORCID's order. A key every sample
# object of that element carries is always written (null or [] when empty); a key marked "?"
# only when present.
KEYS = %s

# API version -> element -> {key: JSON type of the value} where a sample shows a scalar
# ("value" is the content of a {"value": ...} wrapper).
SCALARS = %s
''' % (files, pprint.pformat({derived["version"]: derived["keys"]}, width=100, sort_dicts=True),
       pprint.pformat({derived["version"]: derived["scalars"]}, width=100, sort_dicts=True))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args(argv)
    text = render(derive(args.model))
    if args.check:
        same = TARGET.read_text(encoding="utf-8") == text
        print("json_keys.py is %s" % ("up to date" if same else "STALE: run the script"))
        return 0 if same else 1
    TARGET.write_text(text, encoding="utf-8")
    print("wrote %s" % TARGET.relative_to(REPO))
    return 0


if __name__ == "__main__":
    sys.exit(main())
