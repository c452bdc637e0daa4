"""InnerLens's persist payload, built from ``analysis/fragments.jsonl`` and
``analysis/psychometric-profile.yaml`` (validated first, including the verbatim check against each
source and the evidence check against the fragments, so an edited file is refused before anything is
sent).

Rows: one ``fragments`` row per line (synced: fragments no longer in the file are deleted), linked to
its ``sources`` row by source id; the mind's one ``big_five_profiles`` row (scores empty when the gate
is insufficient). Every row carries the contract file's path and sha256.
"""

from __future__ import annotations

import json
from typing import Any

from contracts import ContractViolationError, get_registry
from lendaria.catalog import Catalog
from lendaria.errors import InputError
from lendaria.fileio import sha256_bytes, sha256_text
from lendaria.yamlio import load_yaml

TRAITS = ("openness", "conscientiousness", "extraversion", "agreeableness", "neuroticism")


def build_payload(catalog: Catalog, slug: str) -> dict[str, Any]:
    path = catalog.fragments_file(slug)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError("missing.", file=path, hint=f"Run InnerLens first: `lendaria run {slug} --stages innerlens`.") from None
    relative = catalog.relative(path)
    text = raw.decode("utf-8", errors="replace")
    result = get_registry().validate_text(text, path, display=relative)
    if not result.ok:
        raise ContractViolationError(relative, result.violations[0].contract, result.violations)
    file_sha = sha256_bytes(raw)
    rows = []
    for line in text.splitlines():
        record = json.loads(line)
        rows.append({"fragment_id": record["id"], "source_id": record["source_id"], "start_offset": record["start"],
                     "end_offset": record["end"], "content": record["text"], "content_sha256": sha256_text(record["text"]),
                     "words": record["words"], "contract_path": relative, "contract_sha256": file_sha})
    return {
        "mind": {"slug": slug},
        "tables": [{"table": "fragments", "key": ["fragment_id"], "rows": rows, "sync": True,
                    "resolve": [{"column": "source_row_id", "table": "sources", "by": "source_id"}]},
                   # one row per mind (unique mind_id); its file path, one per mind too, is the match key
                   {"table": "big_five_profiles", "key": ["contract_path"], "rows": [_profile_row(catalog, slug)]}],
    }


def _profile_row(catalog: Catalog, slug: str) -> dict[str, Any]:
    path = catalog.profile_file(slug)
    if not path.is_file():
        raise InputError("missing.", file=path, hint=f"Run InnerLens first: `lendaria run {slug} --stages innerlens`.")
    relative = catalog.relative(path)
    result = get_registry().validate_file(path, display=relative)  # schema, then evidence ids against fragments.jsonl
    if not result.ok:
        raise ContractViolationError(relative, result.violations[0].contract, result.violations)
    raw = path.read_bytes()
    profile = load_yaml(raw.decode("utf-8"))
    scores = profile.get("big_five") or {}
    return {**{trait: scores[trait]["score"] if trait in scores else None for trait in TRAITS},
            "confidence": {trait: values["confidence"] for trait, values in scores.items()},
            "evidence": {trait: values["evidence"] for trait, values in scores.items()},
            "words_analysed": profile["words_analysed"], "level": profile["gate"],
            "contract_path": relative, "contract_sha256": sha256_bytes(raw)}
