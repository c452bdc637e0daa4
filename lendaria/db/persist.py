"""The persist step, stage-agnostic: build a payload from a stage's contract files, write it through
a repository in one transaction, and record the stage run in job_executions.

Payload builders read the contract files (never in-memory objects), so a persist can run alone
(``lendaria persist``) long after the stage that wrote them.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

from lendaria.catalog import Catalog
from lendaria.db.repository import Repository
from lendaria.errors import InputError, MissingOutputs
from lendaria.packs import get_pack, load, persisted_stages


@dataclass
class PersistResult:
    stage: str
    slug: str
    run_id: str
    mind_id: str
    counts: dict[str, dict[str, int]]
    target: str

    def summary(self) -> str:
        parts = [f"{table} {c['written']}/{c['rows']} written" + (f", {c['deleted']} deleted" if c.get("deleted") else "")
                 for table, c in self.counts.items()]
        return f"persisted {self.stage} of {self.slug} to {self.target}: " + "; ".join(parts) + "."


def new_run_id() -> str:
    return f"cli-{uuid.uuid4()}"


def payload_builder(stage: str) -> Callable[[Catalog, str], dict[str, Any]]:
    """The payload builder the stage's pack declares (``stages/<pack>/pack.py``)."""
    pack = get_pack(stage)
    if pack.payload_builder is None:
        raise InputError(f"stage {stage!r} has no persist step.", hint=f"Stages with one: {', '.join(persisted_stages())}.")
    return load(pack.payload_builder)


def persist_stage(stage: str, slug: str, outputs_root: Path, repository: Repository, *, run_id: str,
                  started_at: datetime | None = None, stage_seconds: float | None = None) -> PersistResult:
    """Persist one stage of one mind. On failure the run is recorded as failed (best effort) and the
    error re-raised; the database transaction guarantees no partial rows."""
    clock = time.perf_counter()
    started_at = started_at or datetime.now(timezone.utc)
    payload = payload_builder(stage)(Catalog(outputs_root), slug)  # validation errors: nothing sent
    elapsed = (stage_seconds or 0.0) + (time.perf_counter() - clock)
    payload.update(run_id=run_id, stage=stage, started_at=started_at.isoformat(), duration_ms=int(elapsed * 1000))
    try:
        result = repository.persist(get_pack(stage).role or stage, payload)
    except Exception as exc:
        record_failure(repository, stage, slug, run_id, started_at, exc)
        raise
    return PersistResult(stage, slug, run_id, str(result["mind_id"]), result["counts"], repository.describe())


def persist_available(stages: list[str], named: set[str], slug: str, outputs_root: Path, repository: Repository, *,
                      run_id: str) -> Iterator[str]:
    """Persist ``stages`` in order, yielding one line per stage: what was written, or why it was skipped.
    A stage whose outputs are missing (it has not run for this mind) is skipped, unless it is ``named``:
    then :class:`MissingOutputs` is raised. Each stage is its own transaction."""
    for stage in stages:
        try:
            yield persist_stage(stage, slug, outputs_root, repository, run_id=run_id).summary()
        except MissingOutputs as exc:
            if stage in named:
                raise
            yield f"skipped {stage} of {slug}: no outputs to persist ({exc.render()})"


def record_failure(repository: Repository, stage: str, slug: str, run_id: str, started_at: datetime, exc: BaseException) -> None:
    """Best effort: a database that is down cannot record that it is down."""
    try:
        repository.record_job({"run_id": run_id, "stage": stage, "mind_slug": slug, "status": "failed",
                               "error": str(exc)[:2000], "started_at": started_at.isoformat()})
    except Exception:  # noqa: BLE001 - the original error matters more
        pass
