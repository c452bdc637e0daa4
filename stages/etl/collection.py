"""From extracted documents to contract files: dedupe, front matter, metadata, atomic writes.

``assemble`` is pure (documents in, file contents out); ``write_collection`` is the only function
that touches ``sources/``, and it writes through the catalog, atomically, skipping unchanged files.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from contracts import get_registry
from lendaria.catalog import Catalog
from lendaria.documents import parse_markdown, render_markdown
from lendaria.errors import InputError
from lendaria.fileio import sha256_text, write_text_if_changed
from lendaria.text import detect_language, word_count
from lendaria.yamlio import dump_yaml, load_yaml

from stages.etl.sources import Document, Failure
from stages.etl.spec import MindSpec

log = logging.getLogger(__name__)
SOURCE_CONTRACT = "etl-mmos"
METADATA_CONTRACT = "etl-mmos-metadata"


@dataclass
class Collection:
    """Everything one ETL run will write: source files (by source_id, in order) and metadata."""

    slug: str
    files: dict[str, str] = field(default_factory=dict)  # source_id -> full Markdown text
    metadata: dict[str, Any] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)

    @property
    def totals(self) -> dict[str, int]:
        return self.metadata["totals"]


@dataclass
class WriteReport:
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)


def _front_matter(spec: MindSpec, document: Document, contract_ref: str) -> dict[str, Any]:
    text = document.extracted.text
    front: dict[str, Any] = {
        "contract": contract_ref,
        "mind": spec.slug,
        "source_id": document.source_id,
        "type": document.type,
        "title": document.title,
        "origin": document.origin.as_dict(),
        "format": document.extracted.format,
    }
    if document.item.speaker:
        front["speaker"] = " ".join(document.item.speaker.split())
    front["sha256"] = sha256_text(text)
    front["words"] = word_count(text)
    front["language"] = detect_language(text) or spec.language or "und"
    front["classification"] = document.item.classification
    return front


def _entry(front: dict[str, Any], status: str, **extra: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"source_id": front["source_id"], "status": status}
    for key in ("type", "title", "origin", "format"):
        entry[key] = front[key]
    if status in ("collected", "kept"):
        entry["file"] = f"{front['source_id']}.md"
        entry["sha256"] = front["sha256"]
        entry["words"] = front["words"]
        entry["language"] = front["language"]
        entry["classification"] = front.get("classification", "PUBLIC")
    entry.update(extra)
    return entry


def _notes(document: Document) -> dict[str, Any]:
    """What reading the source repaired (``warnings``) and removed as not the author's (``removed``)."""
    notes: dict[str, Any] = {}
    if document.extracted.warnings:
        notes["warnings"] = list(document.extracted.warnings)
    if document.extracted.removed:
        notes["removed"] = [{"what": what} if words is None else {"what": what, "words": words}
                            for what, words in document.extracted.removed]
    return notes


def assemble(spec: MindSpec, results: list[Document | Failure], kept: dict[str, list[str]] | None = None) -> Collection:
    """Deduplicate (same origin: once; same text: a ``duplicate`` entry), render files and metadata.

    ``kept`` maps the source_id of a failed remote item to earlier good files of it (see
    :func:`previous_versions`): they stay, marked ``kept``, instead of being lost.
    """
    registry = get_registry()
    source_ref = registry.latest(SOURCE_CONTRACT).ref
    collection = Collection(spec.slug)
    entries: list[dict[str, Any]] = []
    seen_ids: set[str] = set()
    by_hash: dict[str, str] = {}
    kept = kept or {}

    def add_file(front: dict[str, Any], body: str, status: str, **extra: Any) -> None:
        duplicate_of = by_hash.get(front["sha256"])
        if duplicate_of is not None:
            entries.append({"source_id": front["source_id"], "status": "duplicate", "type": front["type"], "title": front["title"],
                            "origin": front["origin"], "format": front["format"], "sha256": front["sha256"], "duplicate_of": duplicate_of})
            return
        by_hash[front["sha256"]] = front["source_id"]
        collection.files[front["source_id"]] = render_markdown(front, body)
        entries.append(_entry(front, status, **extra))

    for result in results:
        if result.source_id in seen_ids:
            log.info("%s listed more than once; kept the first", result.origin.location)
            continue
        seen_ids.add(result.source_id)
        if isinstance(result, Failure):
            collection.failures.append(result)
            previous = kept.get(result.source_id, [])
            if not previous:
                entries.append({"source_id": result.source_id, "status": "failed", "origin": result.origin.as_dict(), "error": result.error})
            for text in previous:
                document = parse_markdown(text)
                front = document.front_matter
                seen_ids.add(front["source_id"])
                add_file(front, document.body, "kept", error=f"kept from an earlier run; this run failed: {result.error}")
            continue
        add_file(_front_matter(spec, result, source_ref), result.extracted.text, "collected", **_notes(result))

    def count(status: str) -> int:
        return sum(1 for e in entries if e["status"] == status)

    metadata: dict[str, Any] = {
        "contract": registry.latest(METADATA_CONTRACT).ref,
        "mind": spec.slug,
        "name": spec.name,
    }
    if spec.language:
        metadata["language"] = spec.language
    metadata["spec_sha256"] = spec.spec_sha256
    metadata["totals"] = {
        "sources": len(entries),
        "collected": count("collected"),
        "kept": count("kept"),
        "duplicates": count("duplicate"),
        "failed": count("failed"),
        "words": sum(e.get("words", 0) for e in entries if e["status"] in ("collected", "kept")),
    }
    metadata["sources"] = entries
    collection.metadata = metadata
    return collection


def previous_versions(catalog: Catalog, slug: str, failures: list[Failure]) -> dict[str, list[str]]:
    """Earlier good files for failed remote sources (a failed feed keeps all its earlier entries)."""
    if not failures:
        return {}
    metadata_path = catalog.sources_metadata(slug)
    try:
        old = load_yaml(metadata_path.read_text(encoding="utf-8")) or {}
    except (OSError, ValueError):
        return {}
    old_entries = [e for e in old.get("sources", []) if isinstance(e, dict) and e.get("status") in ("collected", "kept")]
    found: dict[str, list[str]] = {}
    for failure in failures:
        matches = [
            e for e in old_entries
            if e.get("source_id") == failure.source_id
            or (failure.origin.kind == "feed" and failure.origin.feed is None and (e.get("origin") or {}).get("feed") == failure.origin.location)
        ]
        texts = []
        for entry in matches:
            path = catalog.source_file(slug, entry["source_id"])
            try:
                text = path.read_text(encoding="utf-8")
            except OSError:
                continue
            if get_registry().validate_text(text, path).ok:
                texts.append(text)
        if texts:
            found[failure.source_id] = texts
    return found


def check_collection(collection: Collection, catalog: Catalog) -> None:
    """Validate every file about to be written; a violation here is a bug, raised before any write."""
    registry = get_registry()
    for source_id, text in collection.files.items():
        path = catalog.source_file(collection.slug, source_id)
        registry.validate_text(text, path, display=catalog.relative(path)).raise_unless_ok(catalog.relative(path))
    path = catalog.sources_metadata(collection.slug)
    registry.validate_text(dump_yaml(collection.metadata), path, display=catalog.relative(path)).raise_unless_ok(catalog.relative(path))


def write_collection(catalog: Catalog, collection: Collection) -> WriteReport:
    """Write source files, remove stale ones, then write metadata.yaml last. Unchanged files untouched."""
    check_collection(collection, catalog)
    report = WriteReport()
    folder = catalog.sources_dir(collection.slug)
    if folder.exists() and not folder.is_dir():
        raise InputError("exists but is not a folder.", file=folder)
    for source_id, text in collection.files.items():
        path = catalog.source_file(collection.slug, source_id)
        if write_text_if_changed(path, text):
            report.written.append(catalog.relative(path))
        else:
            report.unchanged += 1
    if folder.is_dir():
        wanted = {f"{source_id}.md" for source_id in collection.files}
        for stale in sorted(folder.iterdir()):
            leftover_temp = stale.name.startswith(".~") and stale.name.endswith(".tmp")
            if stale.is_file() and (leftover_temp or (stale.suffix == ".md" and stale.name not in wanted)):
                stale.unlink()
                if not leftover_temp:
                    report.removed.append(catalog.relative(stale))
    metadata_path = catalog.sources_metadata(collection.slug)
    if write_text_if_changed(metadata_path, dump_yaml(collection.metadata)):
        report.written.append(catalog.relative(metadata_path))
    else:
        report.unchanged += 1
    return report
