"""Resume: a stage whose inputs, parameters and code are what its last successful run saw is skipped.

Each pack declares its *scope* (``Pack.scope``): the files and folders it reads and writes for one
mind. A stage's key is a sha256 over

* the stage name and its parameters (courses, …),
* the code version: every source and data file of ``lendaria/``, ``contracts/``, ``flows/`` and
  the pack's own folder (a change to a helper changes it too, unlike Prefect's ``TASK_SOURCE``),
* the settings its outputs can depend on (engine, model, limits; never secrets, only whether a key
  is set), and
* the content (sha256) of every file in its scope, by path relative to the outputs root.

After a stage succeeds its key is recorded under ``$LENDARIA_HOME/cache/stages/`` (local state, never
committed), computed from the scope *after* the run, so its own outputs are part of it: an output
edited or deleted by hand, or an input changed, gives a different key and the stage runs again. A
later stage never writes into an earlier stage's scope, so a pipeline that failed in CreatorOS and is
retried skips ETL, InnerLens and MMOS. ``force`` runs every stage whatever its key.

A pack without a scope, or whose scope is ``None`` for this mind (ETL with URLs or feeds: remote
content can change at any time), always runs.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from lendaria.fileio import atomic_write_bytes
from lendaria.settings import Settings

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_CODE = ("lendaria", "contracts", "flows")
CODE_SUFFIXES = {".py", ".json", ".yaml", ".yml", ".j2", ".npz", ".sql", ".txt"}
STATE_VERSION = 1
# Settings a stage's outputs cannot depend on: where things live, how to reach services, how long to wait.
NEUTRAL_SETTINGS = ("outputs", "home", "prefect", "prefect_port", "prefect_start_timeout", "prefect_heartbeats",
                    "review_timeout", "review_poll_seconds", "db_connect_retries", "db_connect_backoff",
                    "db_connect_timeout", "engine_concurrency", "engine_timeout", "engine_max_retries", "dask",
                    "dask_workers", "result_storage", "engine_cache", "max_cost_usd", "engine_batch",
                    "engine_batch_poll_seconds", "engine_batch_wait")
SECRETS = ("anthropic_api_key", "database_url", "supabase_service_role_key")


@lru_cache(maxsize=None)
def code_version(pack_folder: str | None = None) -> str:
    """sha256 over the shared code and the pack's folder (``stages/<pack>``), by relative path."""
    folders = [REPO_ROOT / name for name in SHARED_CODE] + ([REPO_ROOT / pack_folder] if pack_folder else [])
    digest = hashlib.sha256(f"code {STATE_VERSION}\n".encode())
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in CODE_SUFFIXES
                           and "__pycache__" not in p.parts and "_build" not in p.parts):
            digest.update(path.relative_to(REPO_ROOT).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def settings_fingerprint(settings: Settings) -> dict[str, Any]:
    """The settings outputs may depend on, JSON-ready; secrets only as set / not set."""
    values = settings.model_dump(mode="json", exclude=set(NEUTRAL_SETTINGS) | set(SECRETS))
    values.update({name: getattr(settings, name, None) is not None for name in SECRETS})
    return values


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file())
    return [path]


def scope_digest(paths: list[Path], outputs_root: Path) -> dict[str, str]:
    """{path: sha256 or "absent"} of every file under ``paths``; paths inside the outputs root are
    relative to it (so a copied outputs folder keeps its keys), others absolute."""
    root = outputs_root.resolve()
    seen: dict[str, str] = {}
    for given in paths:
        for path in _files(given.resolve()):
            name = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.as_posix()
            seen[name] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "absent"
    return dict(sorted(seen.items()))


def stage_key(stage: str, pack_folder: str, parameters: dict[str, Any], settings: Settings, files: dict[str, str]) -> str:
    document = {"stage": stage, "code": code_version(pack_folder), "parameters": parameters,
                "settings": settings_fingerprint(settings), "files": files}
    return hashlib.sha256(json.dumps(document, sort_keys=True, default=str).encode()).hexdigest()


@dataclass(frozen=True)
class Decision:
    """What the pipeline does with one stage: run it, or skip it (with the last run's result)."""

    stage: str
    key: str | None  # None: the stage has no scope here and always runs
    skip: bool
    reason: str
    result: dict[str, Any] | None = None  # the last run's result, when skipped
    persisted_run: str | None = None  # the run whose persist of this key completed, if any


class StageState:
    """The last successful run of each stage of one mind, under one outputs root."""

    def __init__(self, home: Path, outputs_root: Path, slug: str):
        root_id = hashlib.sha256(str(outputs_root.resolve()).encode()).hexdigest()[:16]
        self.path = home / "cache" / "stages" / root_id / f"{slug}.json"

    def read(self) -> dict[str, Any]:
        try:
            state = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return state if state.get("version") == STATE_VERSION else {}

    def decide(self, stage: str, key: str | None, force: bool) -> Decision:
        if key is None:
            return Decision(stage, None, False, "always runs (its inputs cannot be fingerprinted: remote sources)")
        if force:
            return Decision(stage, key, False, "forced")
        last = self.read().get("stages", {}).get(stage)
        if not last:
            return Decision(stage, key, False, "no earlier run")
        if last.get("key") != key:
            return Decision(stage, key, False, "inputs, parameters or code changed")
        return Decision(stage, key, True, f"unchanged inputs, parameters and code (key {key[:12]})", last.get("result"),
                        last.get("persisted_run"))

    def remember(self, stage: str, key: str, result: dict[str, Any], persisted_run: str | None) -> None:
        state = self.read() or {"version": STATE_VERSION, "stages": {}}
        state["stages"][stage] = {"key": key, "result": result, "persisted_run": persisted_run}
        atomic_write_bytes(self.path, json.dumps(state, sort_keys=True, default=str).encode("utf-8"))
