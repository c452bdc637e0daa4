"""MMOS's persist payload, built from ``analysis/voice-profile.yaml``, ``analysis/fidelity.yaml`` and
the eight ``analysis/layers/*.yaml`` (validated first): the mind's ``voice`` row and one row per layer
of ``mind_profiles`` (the database keeps every earlier version with its diff, see the migration
``*_mind_profile_versions``), and a ``fidelity_checks`` row (one per distinct fidelity file). Every row
carries the contract file's path and sha256."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lendaria.catalog import Catalog
from lendaria.collected import read_valid_file
from lendaria.fileio import sha256_bytes
from lendaria.yamlio import load_yaml
from stages.mmos.layers import LAYERS


def _read(catalog: Catalog, path: Path, slug: str) -> tuple[str, bytes, dict[str, Any]]:
    relative, raw = read_valid_file(catalog, path, f"Run MMOS first: `lendaria run {slug} --stages mmos`.")
    return relative, raw, load_yaml(raw.decode("utf-8"))


def build_payload(catalog: Catalog, slug: str) -> dict[str, Any]:
    voice_path, voice_raw, voice = _read(catalog, catalog.voice_profile_file(slug), slug)
    fidelity_path, fidelity_raw, fidelity = _read(catalog, catalog.fidelity_file(slug), slug)
    check = fidelity["self_check"]
    profile = {key: value for key, value in voice.items() if key != "contract"}
    profiles = [{"profile_kind": "voice", "profile": profile, "contract_path": voice_path, "contract_sha256": sha256_bytes(voice_raw)}]
    for layer in LAYERS:
        layer_path, layer_raw, document = _read(catalog, catalog.layer_file(slug, layer), slug)
        profiles.append({"profile_kind": layer, "profile": {k: v for k, v in document.items() if k != "contract"},
                         "contract_path": layer_path, "contract_sha256": sha256_bytes(layer_raw)})
    return {
        "mind": {"slug": slug},
        "tables": [
            {"table": "mind_profiles", "key": ["profile_kind"],
             "rows": profiles},
            {"table": "fidelity_checks", "key": ["contract_sha256"],
             "rows": [{"threshold": fidelity["threshold"], "status": check["status"], "language": fidelity["language"],
                       "method": fidelity["method"], "auc": check.get("auc"), "true_positive_rate": check.get("true_positive_rate"),
                       "false_positive_rate": check.get("false_positive_rate"), "own_passages": len(check.get("own_held_out", [])),
                       "reference_passages": check.get("impostor_chunks", 0), "calibration": {"impostor_policy": fidelity["impostor_policy"]},
                       "self_check": check, "contract_path": fidelity_path, "contract_sha256": sha256_bytes(fidelity_raw)}]},
        ],
    }
