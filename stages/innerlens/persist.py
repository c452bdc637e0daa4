"""InnerLens's persist payload, built from ``analysis/fragment-quality.yaml``,
``analysis/fragments.jsonl`` and ``analysis/psychometric-profile.yaml`` (validated first, including the
verbatim check against each source and the evidence check against the fragments, so an edited file is
refused before anything is sent).

Rows: the audit's ``fragment_quality_audits`` row (one per distinct report); when the audit passed, one
``fragments`` row per line (synced: fragments no longer in the file are deleted), linked to its
``sources`` row by source id, its observable features as ``fragment_tags``, and the mind's one
``big_five_profiles`` row (scores empty when the gate is insufficient). A failed audit sends its row
only: the fragments on disk are then an earlier run's. Every row carries the contract file's path and
sha256.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lendaria.catalog import Catalog
from lendaria.collected import read_valid_file
from lendaria.fileio import sha256_bytes, sha256_text
from lendaria.yamlio import load_yaml

TRAITS = ("openness", "conscientiousness", "extraversion", "agreeableness", "neuroticism")


def build_payload(catalog: Catalog, slug: str) -> dict[str, Any]:
    audit_row, passed = _audit_row(catalog, slug)
    tables = [{"table": "fragment_quality_audits", "key": ["suite", "contract_sha256"], "rows": [audit_row]}]
    if passed:
        tables = _fragment_tables(catalog, slug) + tables + [
            # one row per mind (unique mind_id); its file path, one per mind too, is the match key
            {"table": "big_five_profiles", "key": ["contract_path"], "rows": [_profile_row(catalog, slug)]}]
    return {"mind": {"slug": slug}, "tables": tables}


def _validated_file(catalog: Catalog, path: Path) -> tuple[str, bytes]:
    """Relative path and bytes of an InnerLens file after its contract's checks (verbatim offsets, evidence ids)."""
    slug = path.parent.parent.name
    return read_valid_file(catalog, path, f"Run InnerLens first: `lendaria run {slug} --stages innerlens`.")


def _audit_row(catalog: Catalog, slug: str) -> tuple[dict[str, Any], bool]:
    relative, raw = _validated_file(catalog, catalog.quality_file(slug))
    report = load_yaml(raw.decode("utf-8"))
    row = {"suite": report["suite"], "success": report["status"] != "failed", "evaluated": report["fragments"],
           "statistics": {**report["statistics"], "status": report["status"], "validator": report["validator"]},
           "results": report["checks"], "contract_path": relative, "contract_sha256": sha256_bytes(raw)}
    return row, row["success"]


def tags_of(record: dict[str, Any]) -> list[str]:
    """A fragment's observable features as tags (for queries in the database)."""
    tags = [name for name, key in (("question", "is_question"), ("first-person", "first_person"),
                                   ("quotes-other", "quotes_other")) if record[key]]
    if record.get("speaker"):
        tags.append(f"speaker:{record['speaker']}"[:100])
    if record.get("also_in"):
        tags.append("also-in-other-sources")
    return tags


def _fragment_tables(catalog: Catalog, slug: str) -> list[dict[str, Any]]:
    relative, raw = _validated_file(catalog, catalog.fragments_file(slug))
    text = raw.decode("utf-8")
    file_sha = sha256_bytes(raw)
    rows, tags = [], []
    for line in text.splitlines():
        record = json.loads(line)
        rows.append({"fragment_id": record["id"], "source_id": record["source_id"], "start_offset": record["start"],
                     "end_offset": record["end"], "content": record["text"], "content_sha256": sha256_text(record["text"]),
                     "words": record["words"], "classification": record.get("classification", "PUBLIC"),
                     "contract_path": relative, "contract_sha256": file_sha})
        tags += [{"fragment_id": record["id"], "tag": tag, "contract_path": relative, "contract_sha256": file_sha}
                 for tag in tags_of(record)]
    return [{"table": "fragments", "key": ["fragment_id"], "rows": rows, "sync": True,
             "resolve": [{"column": "source_row_id", "table": "sources", "by": "source_id"}]},
            {"table": "fragment_tags", "key": ["fragment_id", "tag"], "rows": tags, "sync": True,
             "resolve": [{"column": "fragment_row_id", "table": "fragments", "by": "fragment_id"}]}]


def _profile_row(catalog: Catalog, slug: str) -> dict[str, Any]:
    relative, raw = _validated_file(catalog, catalog.profile_file(slug))
    profile = load_yaml(raw.decode("utf-8"))
    scores = profile.get("big_five") or {}
    return {**{trait: scores[trait]["score"] if trait in scores else None for trait in TRAITS},
            "confidence": {trait: values["confidence"] for trait, values in scores.items()},
            "evidence": {trait: values["evidence"] for trait, values in scores.items()},
            "words_analysed": profile["words_analysed"], "level": profile["gate"],
            "contract_path": relative, "contract_sha256": sha256_bytes(raw)}
