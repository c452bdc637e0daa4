"""MMOS's no-op check: a run whose inputs and outputs are what the last run saw and wrote does nothing.

The fingerprint is a sha256 over everything the outputs depend on: the stage's code, reference data
and templates; the gate's minimum; the engine (and model); the mind's sources and metadata; InnerLens's
fragments and profile when present. Other minds take no part (they join as impostors only when texts
are scored). The last run is remembered under
``$LENDARIA_HOME/cache/mmos/<slug>.json`` with the sha256 of its outputs, so an edited or deleted
output file is rewritten even when the inputs did not change.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from lendaria.catalog import Catalog
from lendaria.fileio import atomic_write_bytes, files_sha256

HERE = Path(__file__).parent
STATE_VERSION = 2


def output_paths(catalog: Catalog, slug: str, layers: tuple[str, ...]) -> list[Path]:
    return [catalog.voice_profile_file(slug), catalog.fidelity_file(slug), catalog.kb_chunks_file(slug), catalog.kb_index_file(slug),
            *(catalog.layer_file(slug, layer) for layer in layers), catalog.synthesis_file(slug, "frameworks"),
            catalog.synthesis_file(slug, "communication-style"), catalog.system_prompt_file(slug)]


def inputs_fingerprint(catalog: Catalog, slug: str, engine: str, min_words: int) -> str:
    digest = hashlib.sha256(f"mmos state {STATE_VERSION}; engine {engine}; min words {min_words}\n".encode())
    code = sorted([*HERE.glob("*.py"), *(HERE / "data").glob("*"), *(HERE / "templates").glob("*.j2")])
    inputs = [*code, *sorted(catalog.sources_dir(slug).glob("*.md")), catalog.sources_metadata(slug),
              catalog.fragments_file(slug), catalog.profile_file(slug)]
    for path in inputs:
        digest.update(str(path.relative_to(HERE) if path.is_relative_to(HERE) else catalog.relative(path)).encode() + b"\0")
        digest.update((path.read_bytes() if path.is_file() else b"(absent)") + b"\0")
    return digest.hexdigest()


def _state_file(home: Path, slug: str) -> Path:
    return home / "cache" / "mmos" / f"{slug}.json"


def unchanged_run(home: Path, slug: str, fingerprint: str, outputs: list[Path]) -> dict[str, Any] | None:
    """The last run's result when its inputs fingerprint and its outputs are still the same, else None."""
    try:
        last = json.loads(_state_file(home, slug).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if last.get("inputs") == fingerprint and last.get("outputs") == files_sha256(outputs):
        return last.get("result")
    return None


def remember_run(home: Path, slug: str, fingerprint: str, outputs: list[Path], result: dict[str, Any]) -> None:
    state = {"inputs": fingerprint, "outputs": files_sha256(outputs), "result": result}
    atomic_write_bytes(_state_file(home, slug), json.dumps(state, sort_keys=True).encode("utf-8"))
