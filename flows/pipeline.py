"""The pipeline DAG: chains the packs for one mind, persisting each stage's outputs after it.

The stages are the packs declared in ``stages/<pack>/pack.py`` (lendaria.packs), in pipeline order.
One correlation id per run (the flow run id) and one engine session (lendaria.engines) are shared by
every stage.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

from lendaria.db.metrics import engine_call_rows, run_total_rows, stage_rows
from lendaria.db.persist import persist_stage, record_failure
from lendaria.db.target import open_repository
from lendaria.engines.base import CallLedger
from lendaria.engines.session import EngineSession, engine_session
from lendaria.errors import LendariaError, StageStopped
from lendaria.packs import check_stages, get_pack, load
from lendaria.settings import get_settings
from lendaria.tracing import correlation, install_log_records, new_correlation_id

from stages.etl.run import load_spec_for_run


def stage_flow(name: str) -> Callable[..., dict]:
    """The flow the stage's pack declares (``stages/<pack>/pack.py``)."""
    return load(get_pack(name).flow)

@task(name="persist", task_run_name="persist {stage} of {slug}", cache_policy=NO_CACHE, retries=0)
def persist_task(stage: str, slug: str, outputs: str, run_id: str, started_at: datetime, stage_seconds: float) -> str:
    repository = open_repository(get_settings())
    result = persist_stage(stage, slug, Path(outputs), repository, run_id=run_id, started_at=started_at, stage_seconds=stage_seconds)
    get_run_logger().info(result.summary())
    return result.summary()


@task(name="record-metrics", task_run_name="record metrics of {slug}", cache_policy=NO_CACHE, retries=0)
def record_metrics_task(slug: str, rows: list[dict]) -> int:
    """Stage measures, engine calls and run totals into task_metrics (operations role, idempotent)."""
    return open_repository(get_settings()).record_metrics(rows)


@flow(name="pipeline")
def pipeline(mind: str, stages: list[str] | None = None, outputs: str | None = None, persist: bool = True,
             courses: list[str] | None = None) -> dict[str, dict]:
    """Run the requested stages (default: all) for ``mind`` (slug or path to mind.yaml); after each
    stage, persist its contract files (``persist=False`` to skip the database). ``courses``: the
    courses CreatorOS builds (default: every course whose brief names the mind).

    The run's correlation id is this flow run's id: it is on every log record, engine call, database
    row and metric of the run. The result has one entry per stage and ``run`` (id, engine, totals)."""
    install_log_records()
    run_id = str(flow_run.get_id() or new_correlation_id())
    root = outputs or str(get_settings().outputs)
    with correlation(run_id), engine_session(get_settings(), run_id) as session:
        results = _run_stages(mind, check_stages(stages), root, persist, run_id, session, {"courses": courses})
        slug = next(iter(results.values()))["slug"] if results else mind
        totals = session.ledger.totals()
        results["run"] = {"correlation_id": run_id, "engine": session.engine, "totals": totals}
        _publish_engine_artifact(slug, results)
        if persist and results:
            rows = [row for name, result in results.items() if name != "run" for row in result.pop("_metrics")]
            rows += engine_call_rows(run_id, session.ledger.calls) + run_total_rows(run_id, slug, totals, session.engine)
            record_metrics_task(slug, rows)
        else:
            for name, result in results.items():
                result.pop("_metrics", None)
    return results


def _run_stages(mind: str, names: list[str], root: str, persist: bool, run_id: str, session: EngineSession,
                options: dict[str, object]) -> dict[str, dict]:
    logger = get_run_logger()
    results: dict[str, dict] = {}
    for name in names:
        logger.info("stage %s [%s]", name, run_id)
        started = datetime.now(timezone.utc)
        first_call = len(session.ledger.calls)
        stopped: Exception | None = None
        try:
            extra = {key: options[key] for key in get_pack(name).options if options.get(key) is not None}
            results[name] = stage_flow(name)(mind=mind, outputs=root, **extra)
        except Exception as exc:
            if not (get_pack(name).optional and isinstance(exc, LendariaError)):
                if persist:
                    _record_stage_failure(name, mind, run_id, started, exc)
                raise
            logger.warning("optional stage %s did not complete: %s; the pipeline goes on without it", name, exc)
            stopped = exc
            results[name] = {"slug": results[next(iter(results))]["slug"] if results else mind, "skipped": True,
                             "summary": f"skipped: {exc}", "totals": {}}
        seconds = (datetime.now(timezone.utc) - started).total_seconds()
        calls = CallLedger(session.calls_since(first_call))
        result = results[name]
        result["engine"] = ", ".join(calls.engines()) if calls.calls else session.engine
        result["engine_totals"] = calls.totals()
        measures = {"duration_ms": int(seconds * 1000), **{k: v for k, v in result.get("totals", {}).items() if isinstance(v, (int, float))}}
        result["_metrics"] = stage_rows(run_id, name, result["slug"], measures, result["engine"])
        # a stage skipped after an error has nothing to persist; one that stopped on purpose (StageStopped)
        # persists the report of why, and is then recorded as failed
        if persist and get_pack(name).payload_builder and (stopped is None or isinstance(stopped, StageStopped)):
            result["persisted"] = persist_task(name, result["slug"], root, run_id, started, seconds)
        if persist and stopped is not None:
            _record_stage_failure(name, mind, run_id, started, stopped)
    return results


def _publish_engine_artifact(slug: str, results: dict[str, dict]) -> None:
    """Engines, calls, tokens and cost per stage and for the run, browsable per mind in the UI."""
    lines = ["| stage | engine | calls | input tokens | output tokens | cache write | cache read | cost (USD) |",
             "|---|---|---|---|---|---|---|---|"]
    for name, result in results.items():
        totals = result["totals"] if name == "run" else result["engine_totals"]
        lines.append(f"| {name} | {result['engine']} | {totals['calls']} | {totals['input_tokens']} | {totals['output_tokens']} "
                     f"| {totals['cache_write_tokens']} | {totals['cache_read_tokens']} | {totals['cost_usd']:.4f} |")
    create_markdown_artifact(key=f"engines-{slug}", markdown=f"### Engines: {slug}\n\ncorrelation id `{results['run']['correlation_id']}`\n\n"
                             + "\n".join(lines), description="Engines, tokens and cost of the run")


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
