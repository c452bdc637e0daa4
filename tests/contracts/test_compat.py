"""The compatibility checker on each rule, and the CI gate: no breaking change without a MAJOR bump."""

from __future__ import annotations

import copy

import pytest

from contracts import get_registry
from contracts.compat import check_bump, check_contract_pair, compare_schemas
from contracts.registry import Contract, Registry

BASE = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["name", "kind"],
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 100},
        "kind": {"enum": ["a", "b"]},
        "score": {"type": "number", "minimum": 0, "maximum": 100},
        "tags": {"type": "array", "items": {"type": "string"}},
        "ref": {"$ref": "#/$defs/ref"},
    },
    "$defs": {"ref": {"type": "string", "pattern": "^r-"}},
}


def changed(mutate) -> str:
    new = copy.deepcopy(BASE)
    mutate(new)
    return compare_schemas(BASE, new).level


@pytest.mark.parametrize("mutate, level", [
    (lambda s: None, "none"),
    (lambda s: s["properties"].pop("score"), "breaking"),                                   # field removed
    (lambda s: s["required"].append("score"), "breaking"),                                  # newly required
    (lambda s: s["required"].remove("kind"), "breaking"),                                   # no longer guaranteed
    (lambda s: s["properties"].__setitem__("extra", {"type": "string"}), "minor"),           # new optional field
    (lambda s: (s["properties"].__setitem__("extra", {"type": "string"}), s["required"].append("extra")), "breaking"),
    (lambda s: s["properties"]["score"].__setitem__("type", "integer"), "breaking"),         # narrowed type
    (lambda s: s["properties"]["name"].__setitem__("type", ["string", "null"]), "minor"),    # widened type
    (lambda s: s["properties"]["kind"].__setitem__("enum", ["a"]), "breaking"),              # narrowed enum
    (lambda s: s["properties"]["kind"].__setitem__("enum", ["a", "b", "c"]), "minor"),       # widened enum
    (lambda s: s["properties"]["score"].__setitem__("minimum", 10), "breaking"),             # tightened bound
    (lambda s: s["properties"]["score"].__setitem__("maximum", 50), "breaking"),
    (lambda s: s["properties"]["name"].__setitem__("maxLength", 200), "minor"),              # relaxed bound
    (lambda s: s["properties"]["name"].pop("minLength"), "minor"),
    (lambda s: s["properties"]["name"].__setitem__("pattern", "^x"), "breaking"),
    (lambda s: s["$defs"]["ref"].__setitem__("pattern", "^q-"), "breaking"),                 # through $ref
    (lambda s: s["properties"]["tags"]["items"].__setitem__("type", "integer"), "breaking"), # inside items
    (lambda s: s.__setitem__("additionalProperties", False), "breaking"),
    (lambda s: s["properties"]["name"].__setitem__("description", "clearer words"), "patch"),
    (lambda s: s.__setitem__("title", "Renamed"), "patch"),
    (lambda s: s["properties"]["name"].__setitem__("if", {"minLength": 3}), "breaking"),      # unknown keyword: conservative
])
def test_change_classification(mutate, level):
    assert changed(mutate) == level


def test_report_names_pointer_and_reason():
    new = copy.deepcopy(BASE)
    new["properties"]["kind"]["enum"] = ["a"]
    [change] = compare_schemas(BASE, new).changes
    assert change.pointer == "/properties/kind" and "removed: b" in change.message


@pytest.mark.parametrize("old, new, level, ok", [
    ("1.0.0", "2.0.0", "breaking", True),
    ("1.0.0", "1.1.0", "breaking", False),
    ("1.2.3", "1.2.4", "breaking", False),
    ("1.0.0", "1.1.0", "minor", True),
    ("1.0.0", "1.0.1", "minor", False),
    ("1.0.0", "1.0.1", "patch", True),
    ("1.0.0", "1.0.0", "patch", False),
    ("1.0.0", "1.0.0", "none", True),
])
def test_bump_rules(old, new, level, ok):
    assert (check_bump(old, new, level) is None) is ok


def _versions_problems(registry: Registry) -> list[str]:
    problems = []
    for name in registry.names():
        versions = [c for c in registry.versions(name) if c.schema is not None]
        for old, new in zip(versions, versions[1:]):
            report, problem = check_contract_pair(old, new)
            if problem:
                problems.append(f"{old.ref} -> {new.ref}: {problem}: " + "; ".join(c.render() for c in report.breaking))
    return problems


def test_shipped_contract_versions_are_bumped_correctly():
    """CI gate: fails when a breaking schema change ships without a MAJOR version bump."""
    assert _versions_problems(get_registry()) == []


def test_gate_catches_a_breaking_change_published_as_minor():
    base = get_registry().get("etl-mmos")
    broken_schema = copy.deepcopy(base.schema)
    broken_schema["properties"]["front_matter"]["required"].append("speaker")
    sneaky = Contract(**{**base.__dict__, "version": "1.1.0", "schema": broken_schema})
    honest = Contract(**{**base.__dict__, "version": "2.0.0", "schema": broken_schema})
    assert _versions_problems(Registry([base, sneaky])) != []
    assert _versions_problems(Registry([base, honest])) == []
