"""Reading and checking the contract files stages write: what ETL collected (etl-mmos files under
``outputs/minds/<slug>/sources/``), for every pack that analyses a mind's sources, and any contract
file a pack writes or persists. Each file is validated against its contract as it is read."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contracts import get_registry
from lendaria.catalog import Catalog, check_slug
from lendaria.documents import parse_markdown
from lendaria.errors import InputError, MissingOutputs
from lendaria.yamlio import load_yaml

CLASSIFICATIONS = ("PUBLIC", "PRIVATE", "SENSITIVE", "CLINICAL")  # least to most restrictive


@dataclass(frozen=True)
class Source:
    source_id: str
    sha256: str
    body: str
    classification: str = "PUBLIC"
    type: str = "other"
    words: int = 0


def slug_of(mind: str | Path) -> str:
    """The slug of ``mind``: a slug, or a path to its mind.yaml (read for its ``slug``)."""
    candidate = Path(mind)
    if candidate.suffix.lower() in (".yaml", ".yml") or "/" in str(mind):
        try:
            data = load_yaml(candidate.read_text(encoding="utf-8")) or {}
        except OSError:
            raise InputError("mind spec not found.", file=candidate, hint="Give a path to a mind.yaml or a slug.") from None
        return check_slug(data.get("slug") if isinstance(data, dict) else None, file=candidate)
    return check_slug(str(mind))


def read_metadata(catalog: Catalog, slug: str) -> dict[str, Any]:
    """ETL's sources/metadata.yaml (the mind's name, language and sources)."""
    metadata_path = catalog.sources_metadata(slug)
    if not metadata_path.is_file():
        raise MissingOutputs("no collected sources.", file=metadata_path, hint=f"Run ETL first: `lendaria run {slug} --stages etl`.")
    return load_yaml(metadata_path.read_text(encoding="utf-8")) or {}


def read_sources(catalog: Catalog, slug: str, metadata: dict[str, Any] | None = None) -> list[Source]:
    """ETL's collected and kept sources, in metadata order (each validated against its contract)."""
    metadata = read_metadata(catalog, slug) if metadata is None else metadata
    registry = get_registry()
    sources = []
    for entry in metadata.get("sources") or []:
        if entry.get("status") not in ("collected", "kept"):
            continue
        path = catalog.source_file(slug, entry["source_id"])
        text = path.read_text(encoding="utf-8")
        registry.validate_text(text, path, display=catalog.relative(path)).raise_unless_ok(catalog.relative(path))
        front_body = parse_markdown(text)
        front = front_body.front_matter
        sources.append(Source(entry["source_id"], front["sha256"], front_body.body, front.get("classification", "PUBLIC"),
                              front["type"], front["words"]))
    return sources


def validated_text(catalog: Catalog, path: Path, text: str) -> str:
    """``text``, about to be written at ``path``, after its contract's checks (a failure is a bug,
    raised before any write)."""
    get_registry().validate_text(text, path, display=catalog.relative(path)).raise_unless_ok(catalog.relative(path))
    return text


def read_valid_file(catalog: Catalog, path: Path, hint: str) -> tuple[str, bytes]:
    """The file's path relative to the outputs root and its bytes, after its contract's checks (schema,
    then the checks across files); a missing file raises :class:`InputError` with ``hint``."""
    relative = catalog.relative(path)
    if not path.is_file():
        raise MissingOutputs("missing.", file=relative, hint=hint)
    get_registry().validate_file(path, display=relative).raise_unless_ok(relative)
    return relative, path.read_bytes()
