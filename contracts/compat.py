"""Compatibility checker: classify the change between two JSON Schemas of a contract.

Rules (from the governance seed and DESIGN.md §3), read from the consumer's side:

* **breaking** - a field removed, a field newly required or no longer required, a type or enum
  narrowed, a bound tightened (min raised, max lowered, pattern/format/const added or changed),
  ``additionalProperties`` closed, or a composition (``oneOf``/``if``/...) changed in a way we cannot
  prove safe;
* **minor** - a new optional field, a type or enum widened, a bound relaxed;
* **patch** - annotations only (title, description, examples, ``x-message``...).

:func:`check_bump` then says whether a version bump is big enough for the change.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from contracts.registry import Contract, parse_version

LEVELS = ("none", "patch", "minor", "breaking")
_ANNOTATIONS = {"title", "description", "examples", "default", "$comment", "x-message", "deprecated", "$id", "$schema", "readOnly", "writeOnly"}
_LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties", "minContains")
_UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties", "maxContains")
_HANDLED = (
    _ANNOTATIONS
    | set(_LOWER_BOUNDS)
    | set(_UPPER_BOUNDS)
    | {"type", "enum", "const", "properties", "required", "additionalProperties", "items", "$ref", "$defs",
       "definitions", "pattern", "format", "multipleOf", "uniqueItems", "allOf", "anyOf", "oneOf"}
)


@dataclass(frozen=True)
class Change:
    pointer: str
    level: str
    message: str

    def render(self) -> str:
        return f"[{self.level}] {self.pointer or '/'}: {self.message}"


@dataclass
class CompatReport:
    changes: list[Change] = field(default_factory=list)

    @property
    def level(self) -> str:
        return max((c.level for c in self.changes), key=LEVELS.index, default="none")

    @property
    def breaking(self) -> list[Change]:
        return [c for c in self.changes if c.level == "breaking"]

    def as_dict(self) -> dict[str, Any]:
        return {"level": self.level, "changes": [c.__dict__ for c in self.changes]}


def _types(node: dict[str, Any]) -> set[str] | None:
    declared = node.get("type")
    if declared is None:
        return None
    types = {declared} if isinstance(declared, str) else set(declared)
    if "number" in types:
        types.add("integer")
    return types


def _canon(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


class _Comparer:
    def __init__(self, old_root: dict[str, Any], new_root: dict[str, Any]):
        self.old_root = old_root
        self.new_root = new_root
        self.changes: list[Change] = []
        self._seen: set[tuple[str, str, str]] = set()

    def add(self, pointer: str, level: str, message: str) -> None:
        self.changes.append(Change(pointer, level, message))

    def resolve(self, node: Any, root: dict[str, Any]) -> Any:
        hops = 0
        while isinstance(node, dict) and "$ref" in node and hops < 32:
            ref = node["$ref"]
            if not ref.startswith("#"):
                return node  # external refs are compared textually
            target: Any = root
            for part in ref[1:].split("/")[1:]:
                target = target[part.replace("~1", "/").replace("~0", "~")]
            extra = {k: v for k, v in node.items() if k != "$ref"}
            node = {**target, **extra} if extra else target
            hops += 1
        return node

    def compare(self, old: Any, new: Any, pointer: str) -> None:
        key = (pointer, _canon(old), _canon(new))
        if key in self._seen:
            return
        self._seen.add(key)
        old = self.resolve(old, self.old_root)
        new = self.resolve(new, self.new_root)
        if old is True or old == {}:
            old = {}
        if new is True or new == {}:
            new = {}
        if old is False or new is False:
            if old != new:
                self.add(pointer, "breaking" if new is False else "minor", "schema now rejects everything" if new is False else "schema now accepts values")
            return
        if not isinstance(old, dict) or not isinstance(new, dict):
            if old != new:
                self.add(pointer, "breaking", "schema changed")
            return
        self._types(old, new, pointer)
        self._enum_const(old, new, pointer)
        self._properties(old, new, pointer)
        self._bounds(old, new, pointer)
        self._strings(old, new, pointer)
        if "items" in old or "items" in new:
            self.compare(old.get("items", {}), new.get("items", {}), pointer + "/items")
        self._composition(old, new, pointer)
        for name in sorted((set(old) | set(new)) - _HANDLED):
            if _canon(old.get(name)) != _canon(new.get(name)):
                self.add(pointer, "breaking", f"'{name}' changed; cannot prove it compatible")
        for name in sorted((set(old) | set(new)) & _ANNOTATIONS):
            if _canon(old.get(name)) != _canon(new.get(name)) and name not in ("$id", "$schema"):
                self.add(pointer, "patch", f"annotation '{name}' changed")

    def _types(self, old: dict, new: dict, pointer: str) -> None:
        old_types, new_types = _types(old), _types(new)
        if old_types == new_types:
            return
        if new_types is None:
            self.add(pointer, "minor", "type constraint removed (widened)")
        elif old_types is None or not new_types >= old_types:
            lost = sorted((old_types or {"any"}) - new_types)
            self.add(pointer, "breaking", f"type narrowed (no longer accepts {', '.join(lost)})")
        else:
            self.add(pointer, "minor", f"type widened (also accepts {', '.join(sorted(new_types - old_types))})")

    def _enum_const(self, old: dict, new: dict, pointer: str) -> None:
        old_enum = None if "enum" not in old else {_canon(v) for v in old["enum"]}
        new_enum = None if "enum" not in new else {_canon(v) for v in new["enum"]}
        if old_enum != new_enum:
            if new_enum is None:
                self.add(pointer, "minor", "enum removed (any value accepted)")
            elif old_enum is None or not new_enum >= old_enum:
                removed = sorted(json.loads(v) for v in (old_enum or set()) - new_enum) if old_enum else ["(new enum)"]
                self.add(pointer, "breaking", f"enum narrowed (removed: {', '.join(map(str, removed))})")
            else:
                added = sorted(json.loads(v) for v in new_enum - old_enum)
                self.add(pointer, "minor", f"enum widened (added: {', '.join(map(str, added))})")
        if _canon(old.get("const")) != _canon(new.get("const")):
            self.add(pointer, "minor" if "const" not in new else "breaking", "const removed" if "const" not in new else "const added or changed")

    def _properties(self, old: dict, new: dict, pointer: str) -> None:
        old_props, new_props = old.get("properties", {}), new.get("properties", {})
        old_req, new_req = set(old.get("required", [])), set(new.get("required", []))
        for name in sorted(set(old_props) | set(new_props)):
            child = f"{pointer}/properties/{name}"
            if name not in new_props:
                self.add(child, "breaking", f"field '{name}' removed")
            elif name not in old_props:
                if name in new_req:
                    self.add(child, "breaking", f"new required field '{name}'")
                else:
                    self.add(child, "minor", f"new optional field '{name}'")
            else:
                self.compare(old_props[name], new_props[name], child)
        for name in sorted(new_req - old_req):
            if name in old_props:
                self.add(f"{pointer}/required", "breaking", f"field '{name}' is now required")
            elif name not in new_props:
                self.add(f"{pointer}/required", "breaking", f"new required field '{name}'")
        for name in sorted(old_req - new_req):
            if name in new_props:
                self.add(f"{pointer}/required", "breaking", f"field '{name}' is no longer guaranteed (not required)")
        old_add, new_add = old.get("additionalProperties", True), new.get("additionalProperties", True)
        if _canon(old_add) != _canon(new_add):
            if new_add is False:
                self.add(pointer + "/additionalProperties", "breaking", "additional properties now refused")
            elif old_add is False:
                self.add(pointer + "/additionalProperties", "minor", "additional properties now accepted")
            else:
                self.compare(old_add if old_add is not True else {}, new_add if new_add is not True else {}, pointer + "/additionalProperties")

    def _bounds(self, old: dict, new: dict, pointer: str) -> None:
        for name in _LOWER_BOUNDS + _UPPER_BOUNDS:
            before, after = old.get(name), new.get(name)
            if before == after:
                continue
            lower = name in _LOWER_BOUNDS
            if after is None:
                self.add(pointer, "minor", f"bound '{name}' removed")
            elif before is None or (after > before if lower else after < before):
                self.add(pointer, "breaking", f"bound '{name}' tightened ({before} -> {after})")
            else:
                self.add(pointer, "minor", f"bound '{name}' relaxed ({before} -> {after})")

    def _strings(self, old: dict, new: dict, pointer: str) -> None:
        for name in ("pattern", "format", "multipleOf"):
            before, after = old.get(name), new.get(name)
            if before == after:
                continue
            if after is None:
                self.add(pointer, "minor", f"'{name}' removed")
            else:
                self.add(pointer, "breaking", f"'{name}' added or changed ({before!r} -> {after!r})")
        if bool(old.get("uniqueItems")) != bool(new.get("uniqueItems")):
            self.add(pointer, "breaking" if new.get("uniqueItems") else "minor", "uniqueItems changed")

    def _composition(self, old: dict, new: dict, pointer: str) -> None:
        for name in ("allOf", "anyOf", "oneOf"):
            before, after = old.get(name), new.get(name)
            if _canon(before) == _canon(after):
                continue
            if before is not None and after is not None and len(before) == len(after):
                for index, (a, b) in enumerate(zip(before, after)):
                    self.compare(a, b, f"{pointer}/{name}/{index}")
            elif name == "allOf" and after is None:
                self.add(pointer, "minor", "allOf constraints removed")
            else:
                self.add(pointer, "breaking", f"'{name}' changed; cannot prove it compatible")


def compare_schemas(old: dict[str, Any], new: dict[str, Any]) -> CompatReport:
    """Classify every difference between two JSON Schemas (old → new)."""
    comparer = _Comparer(old, new)
    comparer.compare(old, new, "")
    return CompatReport(comparer.changes)


def check_bump(old_version: str, new_version: str, level: str) -> str | None:
    """``None`` if going ``old_version`` → ``new_version`` is a big enough bump for a ``level`` change, else why not."""
    old, new = parse_version(old_version), parse_version(new_version)
    if level == "none":
        return None
    if new <= old:
        return f"{new_version} is not newer than {old_version}"
    if level == "breaking" and new[0] <= old[0]:
        return f"breaking change published as {new_version}: needs a MAJOR bump (>= {old[0] + 1}.0.0)"
    if level == "minor" and new[:2] <= old[:2]:
        return f"new optional things published as {new_version}: needs at least a MINOR bump (>= {old[0]}.{old[1] + 1}.0)"
    return None


def check_contract_pair(old: Contract, new: Contract) -> tuple[CompatReport, str | None]:
    """Compare two versions of one contract and check the version bump."""
    report = compare_schemas(old.schema or {}, new.schema or {})
    return report, check_bump(old.version, new.version, report.level)
