"""Answers paid for once: a response cache for engine calls.

An answer is stored under a key made of what decides it — the model, the capability, the version of
its instructions (a sha256 of the instructions, the rules around the material, the tool's schema and
the output cap), the sha256 of the exact input the model is sent (the passages and the task input) and
the sha256 of the cached prefix (the mind's system prompt) — so an identical call in a later run, or a
retried run, is read back instead of sent, and costs nothing. Any change to one of them is a new key.

The answers live in the run's result storage (``LENDARIA_RESULT_STORAGE``: a Prefect storage block such
as ``s3-bucket/lendaria-results``; by default ``LENDARIA_HOME/prefect/results``), under
``engine-cache/``, one JSON file per key. ``lendaria run --force`` (or ``LENDARIA_ENGINE_CACHE=false``)
does not read them (new answers are still stored).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

FOLDER = "engine-cache"


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CacheKey:
    model: str
    capability: str
    instructions_sha256: str
    input_sha256: str
    prefix_sha256: str

    @property
    def digest(self) -> str:
        return sha256_text(json.dumps(asdict(self), sort_keys=True))


class ResponseCache:
    """Answers by :class:`CacheKey` in a folder, or in a Prefect storage block (anything with
    ``read_path`` / ``write_path``). ``read=False``: answers are stored but never read back (--force)."""

    def __init__(self, storage: Path | Any, *, read: bool = True):
        self.storage = storage
        self.read = read

    def _name(self, key: CacheKey) -> str:
        return f"{FOLDER}/{key.digest[:2]}/{key.digest}.json"

    def get(self, key: CacheKey) -> dict[str, Any] | None:
        if not self.read:
            return None
        try:
            if isinstance(self.storage, Path):
                raw = (self.storage / self._name(key)).read_bytes()
            else:
                raw = self.storage.read_path(self._name(key))
            record = json.loads(raw)
        except Exception:  # noqa: BLE001 - a missing or unreadable entry is a miss, never an error
            return None
        return record if record.get("key") == asdict(key) else None

    def put(self, key: CacheKey, record: dict[str, Any]) -> None:
        data = json.dumps({"key": asdict(key), **record}, sort_keys=True, ensure_ascii=False).encode("utf-8")
        if isinstance(self.storage, Path):
            from lendaria.fileio import atomic_write_bytes

            atomic_write_bytes(self.storage / self._name(key), data)
        else:
            self.storage.write_path(self._name(key), data)


def cache_for(settings: Any) -> ResponseCache | None:
    """The run's response cache: its result storage (a Prefect block when LENDARIA_RESULT_STORAGE names
    one, else a folder), read unless ``engine_cache`` is off; None when there is no home to keep it in."""
    from lendaria.orchestrator.runners import result_storage

    storage = result_storage(settings)
    if isinstance(storage, str):
        from prefect.blocks.core import Block

        storage = Block.load(storage)
    return ResponseCache(storage, read=bool(getattr(settings, "engine_cache", True)))
