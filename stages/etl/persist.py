"""ETL's persist payload, built from the contract files in ``sources/`` (validated first).

Rows: the mind (``minds``), one ``sources`` row per collected or kept file (synced: sources no
longer in the outputs are deleted), and one ``ingestion_batches`` row per distinct collection.
Every row carries the contract file's path (relative to the outputs root) and sha256.
"""

from __future__ import annotations

from typing import Any

from contracts import get_registry
from lendaria.catalog import Catalog
from lendaria.documents import parse_markdown
from lendaria.errors import MissingOutputs
from lendaria.fileio import sha256_bytes
from lendaria.yamlio import load_yaml


def _read_valid(catalog: Catalog, path) -> tuple[str, str]:
    """(text, sha256 of bytes) of a contract file that must satisfy its contract; raises otherwise."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise MissingOutputs("missing.", file=catalog.relative(path), hint="Run the ETL stage (`lendaria run`) first.") from None
    text = raw.decode("utf-8", errors="replace")
    get_registry().validate_text(text, path, display=catalog.relative(path)).raise_unless_ok(catalog.relative(path))
    return text, sha256_bytes(raw)


def build_payload(catalog: Catalog, slug: str) -> dict[str, Any]:
    metadata_path = catalog.sources_metadata(slug)
    text, metadata_sha = _read_valid(catalog, metadata_path)
    metadata = load_yaml(text)
    metadata_rel = catalog.relative(metadata_path)

    sources = []
    for entry in metadata["sources"]:
        if entry["status"] not in ("collected", "kept"):
            continue
        path = catalog.source_file(slug, entry["source_id"])
        body_text, file_sha = _read_valid(catalog, path)
        front = parse_markdown(body_text).front_matter
        origin = front["origin"]
        sources.append({
            "source_id": front["source_id"], "status": entry["status"], "type": front["type"], "title": front["title"],
            "format": front["format"], "origin_kind": origin["kind"], "origin_location": origin["location"],
            "origin_feed": origin.get("feed"), "speaker": front.get("speaker"), "language": front["language"],
            "words": front["words"], "content_sha256": front["sha256"], "classification": front.get("classification", "PUBLIC"),
            "contract_path": catalog.relative(path), "contract_sha256": file_sha,
        })

    # every file is valid on its own; now metadata.yaml must also agree with the files beside it
    get_registry().validate_file(metadata_path, display=metadata_rel).raise_unless_ok(metadata_rel)

    totals = metadata["totals"]
    batch = {
        "spec_sha256": metadata["spec_sha256"], "sources_total": totals["sources"], "collected": totals["collected"],
        "kept": totals["kept"], "duplicates": totals["duplicates"], "failed": totals["failed"], "words": totals["words"],
        "failures": [{"source_id": e["source_id"], "error": e["error"]} for e in metadata["sources"] if e["status"] == "failed"],
        "contract_path": metadata_rel, "contract_sha256": metadata_sha,
    }
    mind = {"display_name": metadata["name"], "language": metadata.get("language"), "spec_sha256": metadata["spec_sha256"],
            "contract_path": metadata_rel, "contract_sha256": metadata_sha}
    return {
        "mind": {"slug": slug, "row": mind},
        "tables": [
            {"table": "sources", "key": ["source_id"], "rows": sources, "sync": True},
            {"table": "ingestion_batches", "key": ["contract_sha256"], "rows": [batch]},
        ],
    }
