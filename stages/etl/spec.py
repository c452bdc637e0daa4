"""The mind spec (``mind.yaml``): loading, validation against contract mind-spec, and its source items."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contracts import get_registry
from lendaria.catalog import check_slug
from lendaria.documents import read_text_file
from lendaria.errors import InputError
from lendaria.fileio import sha256_text
from lendaria.yamlio import describe_yaml_error, dump_yaml, load_yaml

import yaml

SPEC_CONTRACT = "mind-spec"
RAW_FOLDER = "raw"  # the folder `lendaria init` creates beside mind.yaml and lists as the first source


@dataclass(frozen=True)
class SourceItem:
    """One entry of ``sources:`` in the spec (exactly one of path, url, feed)."""

    index: int
    path: str | None = None
    url: str | None = None
    feed: str | None = None
    type: str | None = None
    title: str | None = None
    speaker: str | None = None
    encoding: str | None = None
    limit: int | None = None
    classification: str = "PUBLIC"  # privacy class: PUBLIC, PRIVATE, SENSITIVE or CLINICAL

    @property
    def is_remote(self) -> bool:
        return self.path is None

    def describe(self) -> str:
        return f"sources[{self.index}] ({self.path or self.url or self.feed})"


@dataclass(frozen=True)
class MindSpec:
    slug: str
    name: str
    language: str | None
    items: tuple[SourceItem, ...]
    spec_path: Path
    spec_sha256: str

    @property
    def base_dir(self) -> Path:
        """Folder that relative source paths are resolved against."""
        return self.spec_path.parent


def load_mind_spec(path: Path) -> MindSpec:
    """Read, validate and return the spec at ``path``; any problem raises :class:`InputError`."""
    text = read_text_file(path)
    try:
        data = load_yaml(text)
    except yaml.YAMLError as exc:
        raise InputError(describe_yaml_error(exc), file=path, hint="Fix the YAML syntax of the mind spec.") from None
    return parse_mind_spec(data, path, spec_sha256=sha256_text(text))


def parse_mind_spec(data: Any, path: Path, *, spec_sha256: str) -> MindSpec:
    if not isinstance(data, dict):
        raise InputError("a mind spec must be a YAML mapping with slug, name and sources.", file=path)
    registry = get_registry()
    declared = data.get("contract")
    try:
        contract = registry.resolve(declared) if isinstance(declared, str) else registry.latest(SPEC_CONTRACT)
    except (KeyError, ValueError) as exc:
        raise InputError(f"/contract: {str(exc).strip(chr(34))}", file=path) from None
    if contract.name != SPEC_CONTRACT:
        raise InputError(f"/contract: declares {declared}, expected {SPEC_CONTRACT}@1.x.y.", file=path)
    if "slug" in data:
        check_slug(data["slug"], file=path)
    violations = registry.check(data, contract, file=str(path))
    if violations:
        details = "; ".join(f"{v.pointer or '/'}: {v.message}" for v in violations)
        raise InputError(f"violates {contract.ref}: {details}", file=path, hint="See `lendaria contracts list` and the README's mind spec section.")
    items = tuple(SourceItem(index=i, **entry) for i, entry in enumerate(data["sources"]))
    return MindSpec(
        slug=data["slug"],
        name=data["name"],
        language=data.get("language"),
        items=items,
        spec_path=path,
        spec_sha256=spec_sha256,
    )


def render_new_spec(slug: str, name: str, language: str | None = None) -> str:
    """Text of a fresh mind spec as written by ``lendaria init``."""
    check_slug(slug)
    data: dict[str, Any] = {"contract": get_registry().latest(SPEC_CONTRACT).ref, "slug": slug, "name": name}
    if language:
        data["language"] = language
    header = (
        "# Mind spec: who the person is and where their words are.\n"
        "# sources: each item has exactly one of path (file, folder or glob, relative to this file),\n"
        "# url or feed; optional: type, title, speaker (transcripts), encoding, limit (feeds),\n"
        "# classification (PUBLIC by default; PRIVATE, SENSITIVE or CLINICAL keep its fragments to this mind).\n"
    )
    example = (
        "sources:\n"
        f"  - path: {RAW_FOLDER}/                  # a folder: every .txt .md .html .pdf .srt .vtt inside\n"
        "  # - path: talks/*.vtt\n"
        f"  #   speaker: {name}\n"
        "  # - url: https://example.org/essay.html\n"
        "  # - feed: https://example.org/feed.xml\n"
        "  #   limit: 20\n"
    )
    return header + dump_yaml(data) + example


def render_raw_readme(slug: str, name: str) -> str:
    """The note ``lendaria init`` leaves in the raw folder (no extension, so ETL never collects it)."""
    return (
        f"Put {name}'s own words in this folder: .txt .md .html .pdf .srt .vtt files, sub-folders too.\n"
        "Transcripts with other speakers: list them in mind.yaml with `speaker:` instead (see the README).\n"
        f"Then run: lendaria run {slug}\n"
    )
