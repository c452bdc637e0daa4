"""The contract registry: loads descriptors and JSON Schemas shipped in this package and validates files.

* Descriptors are ``contracts/<name>-v<version>.yaml``; each names its JSON Schema (draft 2020-12)
  under ``contracts/schemas/``. Loaded with ``importlib.resources`` so an installed wheel works too.
* Every contract file names its contract inside it (``contract: <name>@<version>``, YAML key or
  Markdown front matter). A file of a newer MINOR than the registry knows is validated against the
  newest known version of the same MAJOR; an unknown MAJOR is refused.
* Validation never stops at the first problem: a :class:`ValidationResult` lists every failure with
  the file, the contract@version and the JSON pointer.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import yaml
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from lendaria.documents import parse_markdown
from lendaria.errors import InputError, LendariaError
from lendaria.text import word_count
from lendaria.yamlio import describe_yaml_error, load_yaml

CONTRACT_KEY = "contract"
_REF_RE = re.compile(r"^(?P<name>[a-z0-9][a-z0-9-]*)@(?P<version>\d+\.\d+\.\d+)$")
_DESCRIPTOR_RE = re.compile(r"^(?P<name>[a-z0-9][a-z0-9-]*)-v(?P<version>\d+\.\d+\.\d+)\.yaml$")
CONTRACT_FILE_SUFFIXES = (".md", ".yaml", ".yml", ".jsonl")
STATUSES = ("draft", "experimental", "stable", "deprecated", "retired")


def parse_version(version: str) -> tuple[int, int, int]:
    major, minor, patch = (int(part) for part in version.split("."))
    return major, minor, patch


def parse_ref(ref: str) -> tuple[str, str]:
    """Split ``name@1.2.3`` into ``(name, "1.2.3")``; raises ValueError when malformed."""
    match = _REF_RE.match(ref.strip()) if isinstance(ref, str) else None
    if not match:
        raise ValueError(f"{ref!r} is not a contract reference of the form name@MAJOR.MINOR.PATCH")
    return match["name"], match["version"]


@dataclass(frozen=True)
class Violation:
    """One failure: the file, the contract@version it was checked against, a JSON pointer, a message."""

    file: str
    contract: str
    pointer: str
    message: str

    def render(self) -> str:
        return f"{self.file} [{self.contract}] {self.pointer or '/'}: {self.message}"

    def as_dict(self) -> dict[str, str]:
        return {"file": self.file, "contract": self.contract, "pointer": self.pointer, "message": self.message}


@dataclass
class ValidationResult:
    """Outcome of validating one or more files."""

    checked: list[tuple[str, str]] = field(default_factory=list)  # (file, contract@version)
    violations: list[Violation] = field(default_factory=list)
    unrecognised: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations

    def raise_unless_ok(self, display: str | Path) -> None:
        """Raise :class:`ContractViolationError` for ``display`` when any check failed."""
        if self.violations:
            raise ContractViolationError(display, self.violations[0].contract, self.violations)

    def extend(self, other: "ValidationResult") -> None:
        self.checked.extend(other.checked)
        self.violations.extend(other.violations)
        self.unrecognised.extend(other.unrecognised)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "files_checked": len(self.checked),
            "checked": [{"file": f, "contract": c} for f, c in self.checked],
            "violations": [v.as_dict() for v in self.violations],
            "unrecognised": self.unrecognised,
        }


class ContractViolationError(LendariaError):
    """A file does not satisfy its contract. Carries every violation."""

    def __init__(self, file: str | Path, contract: str, violations: list[Violation]):
        self.contract = contract
        self.violations = violations
        lines = "; ".join(f"{v.pointer or '/'}: {v.message}" for v in violations)
        super().__init__(
            f"violates {contract}: {lines}",
            file=file,
            hint="Fix the file (or the step that wrote it) and run `lendaria validate` again.",
        )


@dataclass(frozen=True)
class Contract:
    name: str
    version: str
    status: str
    provider: str
    consumer: str
    format: str  # yaml | markdown | jsonl | database
    location: str | None
    schema: dict[str, Any] | None
    descriptor: dict[str, Any]
    derived_fields: dict[str, str] = field(default_factory=dict)
    required_sections: tuple[str, ...] = ()

    @property
    def ref(self) -> str:
        return f"{self.name}@{self.version}"

    @property
    def version_tuple(self) -> tuple[int, int, int]:
        return parse_version(self.version)

    @property
    def location_regex(self) -> re.Pattern[str] | None:
        return _location_regex(self.location) if self.location else None

    def validator(self) -> Draft202012Validator:
        return _validator_for(self.ref, json.dumps(self.schema, sort_keys=True))

    def fast_check(self) -> Callable[[Any], Any]:
        """A compiled pass/fail check of the schema (fastjsonschema), for the many records of a JSON
        Lines file; a record it rejects is re-checked by :meth:`validator` for pointers and messages."""
        return _fast_check_for(self.ref, json.dumps(self.schema, sort_keys=True))


@lru_cache(maxsize=None)
def _fast_check_for(ref: str, schema_json: str) -> Callable[[Any], Any]:
    import fastjsonschema

    schema = json.loads(schema_json)
    schema.pop("$schema", None)  # our line schemas use only keywords whose meaning draft 7 shares
    return fastjsonschema.compile(schema)


@lru_cache(maxsize=None)
def _validator_for(ref: str, schema_json: str) -> Draft202012Validator:
    schema = json.loads(schema_json)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


def _passes(check: Callable[[Any], Any], record: Any) -> bool:
    import fastjsonschema

    try:
        check(record)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


def _location_regex(location: str) -> re.Pattern[str]:
    relative = location.removeprefix("outputs/")
    pattern = re.escape(relative)
    pattern = re.sub(r"\\\{[a-z_]+\\\}", "[^/]+", pattern)
    return re.compile(r"(?:^|/)" + pattern + r"$")


def _pointer(parts: Iterable[Any]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _message(error: ValidationError) -> str:
    custom = error.schema.get("x-message") if isinstance(error.schema, dict) else None
    return custom or error.message


class Registry:
    """All contracts shipped with this package, by name and version."""

    def __init__(self, contracts: Iterable[Contract]):
        self._by_name: dict[str, list[Contract]] = {}
        for contract in contracts:
            self._by_name.setdefault(contract.name, []).append(contract)
        for versions in self._by_name.values():
            versions.sort(key=lambda c: c.version_tuple)

    # ---- loading -------------------------------------------------------------------------
    @classmethod
    def load(cls, package: str = "contracts") -> "Registry":
        base = resources.files(package)
        contracts = []
        for entry in sorted(base.iterdir(), key=lambda e: e.name):
            match = _DESCRIPTOR_RE.match(entry.name)
            if not match:
                continue
            contracts.append(_load_descriptor(base, entry.name, match["name"], match["version"]))
        return cls(contracts)

    # ---- lookup --------------------------------------------------------------------------
    def names(self) -> list[str]:
        return sorted(self._by_name)

    def versions(self, name: str) -> list[Contract]:
        return list(self._by_name.get(name, []))

    def all(self) -> list[Contract]:
        return [c for name in self.names() for c in self._by_name[name]]

    def get(self, name: str, version: str | None = None) -> Contract:
        versions = self._by_name.get(name)
        if not versions:
            raise KeyError(f"unknown contract {name!r}; known: {', '.join(self.names())}")
        if version is None:
            return versions[-1]
        for contract in versions:
            if contract.version == version:
                return contract
        raise KeyError(f"unknown version {name}@{version}; known: {', '.join(c.version for c in versions)}")

    def latest(self, name: str) -> Contract:
        return self.get(name)

    def resolve(self, ref: str) -> Contract:
        """The contract to validate a file that declares ``ref`` against.

        Exact version if known; otherwise the newest known version with the same MAJOR (a newer
        MINOR/PATCH only adds optional things); an unknown MAJOR raises KeyError.
        """
        name, version = parse_ref(ref)
        versions = self._by_name.get(name)
        if not versions:
            raise KeyError(f"unknown contract {name!r}; known: {', '.join(self.names())}")
        wanted = parse_version(version)
        same_major = [c for c in versions if c.version_tuple[0] == wanted[0]]
        for contract in same_major:
            if contract.version_tuple == wanted:
                return contract
        if same_major:
            return same_major[-1]
        majors = sorted({c.version_tuple[0] for c in versions})
        raise KeyError(
            f"{ref} is a major version this Lendária does not understand "
            f"(it knows {', '.join(f'{name}@{m}.x' for m in majors)}); upgrade lendaria or convert the file"
        )

    def for_path(self, path: Path) -> Contract | None:
        """The latest contract whose location pattern matches ``path`` (used when a file names none)."""
        posix = path.as_posix()
        for contract in reversed(self.all()):
            regex = contract.location_regex
            if regex is not None and contract.format != "database" and regex.search(posix):
                return self.latest(contract.name)
        return None

    # ---- validation ----------------------------------------------------------------------
    def check(self, data: Any, contract: Contract, *, file: str = "<data>") -> list[Violation]:
        """Every violation of ``data`` (a parsed form) against ``contract``."""
        violations: list[Violation] = []
        if contract.schema is None:
            return [Violation(file, contract.ref, "", "contract has no schema (database contract)")]
        errors = sorted(contract.validator().iter_errors(data), key=lambda e: (list(map(str, e.absolute_path)), e.message))
        for error in errors:
            violations.append(Violation(file, contract.ref, _pointer(error.absolute_path), _message(error)))
        if contract.format == "markdown" and isinstance(data, dict):
            violations.extend(_check_markdown_extras(data, contract, file))
        return violations

    def validate_data(self, data: Any, contract: Contract, *, file: str = "<data>") -> None:
        """Raise :class:`ContractViolationError` unless ``data`` satisfies ``contract``."""
        violations = self.check(data, contract, file=file)
        if violations:
            raise ContractViolationError(file, contract.ref, violations)

    def validate_text(self, text: str, path: Path, *, display: str | None = None) -> ValidationResult:
        """Validate the content ``text`` of a file at ``path`` (its contract from inside it or its location)."""
        display = display or str(path)
        result = ValidationResult()
        suffix = path.suffix.lower()
        try:
            if suffix == ".md":
                data = parse_markdown(text, file=display).parsed_form()
                declared = data["front_matter"].get(CONTRACT_KEY)
            elif suffix == ".jsonl":
                return self._validate_jsonl(text, path, display)
            else:
                data = load_yaml(text)
                declared = data.get(CONTRACT_KEY) if isinstance(data, dict) else None
        except InputError as exc:
            contract = self.for_path(path)
            if contract is None and text[:4] != "---\n":
                result.unrecognised.append(display)  # plain Markdown that claims no contract
                return result
            ref = contract.ref if contract else "unknown"
            result.checked.append((display, ref))  # looked at, and failed: counted
            result.violations.append(Violation(display, ref, "", exc.message))
            return result
        except yaml.YAMLError as exc:
            ref = self._ref_for_path(path)
            result.checked.append((display, ref))
            result.violations.append(Violation(display, ref, "", describe_yaml_error(exc)))
            return result

        contract = None
        if declared is not None:
            try:
                contract = self.resolve(declared) if isinstance(declared, str) else None
            except (KeyError, ValueError) as exc:
                result.checked.append((display, str(declared)))
                result.violations.append(Violation(display, str(declared), "/" + CONTRACT_KEY, str(exc).strip('"')))
                return result
            if contract is None:
                result.checked.append((display, "unknown"))
                result.violations.append(Violation(display, "unknown", "/" + CONTRACT_KEY, "must be a string name@MAJOR.MINOR.PATCH"))
                return result
        else:
            contract = self.for_path(path)
            if contract is None:
                result.unrecognised.append(display)
                return result
        result.checked.append((display, str(declared) if declared else contract.ref))
        result.violations.extend(self.check(data, contract, file=display))
        return result

    def _validate_jsonl(self, text: str, path: Path, display: str) -> ValidationResult:
        result = ValidationResult()
        contract = self.for_path(path)
        if contract is None:
            result.unrecognised.append(display)
            return result
        result.checked.append((display, contract.ref))
        records: list[tuple[int, Any]] = []
        check = contract.fast_check()  # looked up once per file (its cache key is the schema's JSON)
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                result.violations.append(Violation(display, contract.ref, f"/{number - 1}", f"line {number}: invalid JSON: {exc.msg}"))
                continue
            violations = [] if _passes(check, record) else self.check(record, contract, file=display)
            for violation in violations:
                result.violations.append(
                    Violation(display, contract.ref, f"/{number - 1}{violation.pointer}", f"line {number}: {violation.message}")
                )
            if not violations:
                records.append((number, record))
        from contracts.crosschecks import JSONL_CROSS_CHECKS

        cross_check = JSONL_CROSS_CHECKS.get(contract.name)
        if cross_check is not None:
            for pointer, message in cross_check(path, records):
                result.violations.append(Violation(display, contract.ref, pointer, message))
        return result

    def _ref_for_path(self, path: Path) -> str:
        contract = self.for_path(path)
        return contract.ref if contract else "unknown"

    def validate_file(self, path: Path, *, display: str | None = None) -> ValidationResult:
        """Validate a file on disk: its contract, then checks across the files it refers to."""
        display = display or str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            result = ValidationResult()
            ref = self._ref_for_path(path)
            result.checked.append((display, ref))
            result.violations.append(Violation(display, ref, "", f"not valid UTF-8 (byte {exc.start})"))
            return result
        result = self.validate_text(text, path, display=display)
        if result.ok and result.checked and path.suffix.lower() in (".yaml", ".yml", ".md"):
            from contracts.crosschecks import CROSS_CHECKS

            ref = result.checked[-1][1]
            check = CROSS_CHECKS.get(parse_ref(ref)[0])
            if check is not None:
                data = parse_markdown(text, file=display).parsed_form() if path.suffix.lower() == ".md" else load_yaml(text)
                for pointer, message in check(path, data, ref, display):
                    result.violations.append(Violation(display, ref, pointer, message))
        return result

    def validate_tree(self, root: Path, *, display_root: Path | None = None) -> ValidationResult:
        """Validate every contract file under ``root`` (hidden files and folders skipped)."""
        result = ValidationResult()
        for path in iter_contract_files(root):
            shown = path
            if display_root is not None:
                try:
                    shown = path.relative_to(display_root)
                except ValueError:
                    pass
            result.extend(self.validate_file(path, display=str(shown)))
        return result

    def validate_paths(self, paths: Iterable[Path], *, display_root: Path | None = None) -> ValidationResult:
        result = ValidationResult()
        for path in paths:
            if path.is_dir():
                result.extend(self.validate_tree(path, display_root=display_root))
            elif path.is_file():
                result.extend(self.validate_file(path))
            else:
                result.violations.append(Violation(str(path), "unknown", "", "no such file or folder"))
        return result


def iter_contract_files(root: Path) -> Iterator[Path]:
    """Contract-looking files under ``root`` in a stable order, skipping hidden entries."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or not name.lower().endswith(CONTRACT_FILE_SUFFIXES):
                continue
            yield Path(dirpath) / name


def _check_markdown_extras(data: dict[str, Any], contract: Contract, file: str) -> list[Violation]:
    """Checks JSON Schema cannot express: derived front-matter fields and non-empty required sections."""
    violations = []
    front = data.get("front_matter") or {}
    body = data.get("body") or ""
    derived = {
        "body_sha256": lambda: hashlib.sha256(body.encode("utf-8")).hexdigest(),
        "body_words": lambda: word_count(body),
    }
    for key, kind in contract.derived_fields.items():
        if key in front and front[key] != derived[kind]():
            violations.append(
                Violation(file, contract.ref, f"/front_matter/{key}", f"{front[key]!r} does not match the body ({kind} is {derived[kind]()!r})")
            )
    bodies = data.get("section_bodies") or {}
    for section in contract.required_sections:
        if section not in bodies:
            violations.append(Violation(file, contract.ref, "/sections", f"required section '## {section}' is missing"))
        elif not bodies[section].strip():
            violations.append(Violation(file, contract.ref, f"/section_bodies/{section}", f"required section '## {section}' is empty"))
    return violations


def _load_descriptor(base: Any, filename: str, name: str, version: str) -> Contract:
    raw = load_yaml(base.joinpath(filename).read_text(encoding="utf-8"))
    body = raw.get("contract") if isinstance(raw, dict) else None
    if not isinstance(body, dict):
        raise ValueError(f"contracts/{filename}: top-level 'contract' mapping missing")
    if body.get("name") != name or str(body.get("version")) != version:
        raise ValueError(f"contracts/{filename}: name/version inside ({body.get('name')}@{body.get('version')}) do not match the file name")
    if body.get("status") not in STATUSES:
        raise ValueError(f"contracts/{filename}: status must be one of {STATUSES}")
    interface = body.get("interface") or {}
    schema = None
    schema_file = interface.get("schema")
    if schema_file:
        schema = json.loads(base.joinpath(schema_file).read_text(encoding="utf-8"))
    return Contract(
        name=name,
        version=version,
        status=body["status"],
        provider=str(body.get("provider", "")),
        consumer=str(body.get("consumer", "")),
        format=str(interface.get("format", "yaml")).lower(),
        location=interface.get("location"),
        schema=schema,
        descriptor=body,
        derived_fields=dict(interface.get("derived_fields") or {}),
        required_sections=tuple(s["name"] if isinstance(s, dict) else s for s in interface.get("required_sections") or ()),
    )


@lru_cache(maxsize=1)
def get_registry() -> Registry:
    """The registry of contracts shipped with this installation (loaded once)."""
    return Registry.load()
