"""The pipeline DAG: chains the packs for one mind, persisting each stage's outputs after it.

Today: ETL. Each pack adds itself to ``STAGES`` and ``flows.stage_order`` (and its persist builder
to lendaria.db.persist).
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

from lendaria.db.persist import PAYLOAD_BUILDERS, persist_stage, record_failure
from lendaria.db.target import open_repository
from lendaria.errors import LendariaError
from lendaria.settings import get_settings

from flows.etl import etl_flow
from flows.stage_order import STAGE_ORDER, check_stages
from stages.etl.run import load_spec_for_run

# Stage name -> flow, in pipeline order. Later packs (innerlens, mmos, creatoros) register here.
STAGES: dict[str, Callable[..., dict]] = {"etl": etl_flow}
assert tuple(STAGES) == STAGE_ORDER, "flows.stage_order.STAGE_ORDER must list STAGES in order"

@task(name="persist", task_run_name="persist {stage} of {slug}", cache_policy=NO_CACHE, retries=0)
def persist_task(stage: str, slug: str, outputs: str, run_id: str, started_at: datetime, stage_seconds: float) -> str:
    repository = open_repository(get_settings())
    result = persist_stage(stage, slug, Path(outputs), repository, run_id=run_id, started_at=started_at, stage_seconds=stage_seconds)
    get_run_logger().info(result.summary())
    return result.summary()


@flow(name="pipeline")
def pipeline(mind: str, stages: list[str] | None = None, outputs: str | None = None, persist: bool = True) -> dict[str, dict]:
    """Run the requested stages (default: all) for ``mind`` (slug or path to mind.yaml); after each
    stage, persist its contract files (``persist=False`` to skip the database)."""
    logger = get_run_logger()
    run_id = str(flow_run.get_id() or "local")
    root = outputs or str(get_settings().outputs)
    results: dict[str, dict] = {}
    for name in check_stages(stages):
        logger.info("stage %s", name)
        started = datetime.now(timezone.utc)
        try:
            results[name] = STAGES[name](mind=mind, outputs=root)
        except Exception as exc:
            if persist:
                _record_stage_failure(name, mind, run_id, started, exc)
            raise
        if persist and name in PAYLOAD_BUILDERS:
            seconds = (datetime.now(timezone.utc) - started).total_seconds()
            results[name]["persisted"] = persist_task(name, results[name]["slug"], root, run_id, started, seconds)
    return results


def _record_stage_failure(stage: str, mind: str, run_id: str, started: datetime, exc: Exception) -> None:
    """Best effort: a failed stage still gets its job_executions row when the database is reachable."""
    try:
        slug = load_spec_for_run(mind, get_settings().outputs).slug
    except LendariaError:
        slug = mind
    try:
        record_failure(open_repository(get_settings()), stage, slug, run_id, started, exc)
    except Exception:  # noqa: BLE001 - the stage's own error is what the user needs
        get_run_logger().warning("could not record the failed %s run in the database", stage)


if __name__ == "__main__":  # `python flows/pipeline.py <mind>` for a quick local run
    import sys

    print(pipeline(sys.argv[1] if len(sys.argv) > 1 else "examples/iris-valente/mind.yaml"))
