"""The pipeline DAG: chains the packs for one mind, persisting each stage's outputs after it.

The stages are the packs declared in ``stages/<pack>/pack.py`` (lendaria.packs), in pipeline order.
One correlation id per run (the flow run id) and one engine session (lendaria.engines) are shared by
every stage.

Resume (lendaria.resume): before each stage a "resume check" task compares the stage's key (its
scope's content, parameters, settings and code) with its last successful run; an unchanged stage is
skipped and says so, and its persist is skipped too when the database still holds it. ``force=True``
recomputes everything. A failed run retried from the UI (same flow run id) therefore goes straight to
the stage that failed.

Every run publishes a summary artifact (key ``run-<slug>``: the stage table, Big Five, fidelity, engine
use and outputs) and table artifacts, and records itself in ``pipeline_runs`` (``lendaria runs``).
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.states import Completed

from lendaria.collected import slug_of
from lendaria.db.metrics import engine_call_rows, run_total_rows, stage_rows
from lendaria.db.persist import persist_stage, record_failure
from lendaria.db.target import open_repository
from lendaria.engines.base import CallLedger
from lendaria.engines.session import EngineSession, engine_session
from lendaria.errors import InputError, LendariaError, StageStopped
from lendaria.orchestrator.runners import dask_cluster, task_runner
from lendaria.orchestrator.summary import publish_run_artifacts
from lendaria.packs import Pack, check_stages, get_pack, load
from lendaria.resume import Decision, StageState, scope_digest, stage_key
from lendaria.settings import Settings, get_settings, overridden
from lendaria.tracing import correlation, install_log_records, new_correlation_id

ENGINES = ("offline", "anthropic", "auto")
KEPT_RESULT = ("slug", "summary", "totals", "failures", "courses")  # what a skipped stage reports from its last run


def stage_flow(name: str) -> Callable[..., dict]:
    """The flow the stage's pack declares (``stages/<pack>/pack.py``)."""
    return load(get_pack(name).flow)


def current_key(pack: Pack, slug: str, mind: str, root: str, options: dict[str, Any], settings: Settings) -> str | None:
    """The stage's resume key now (lendaria.resume), or None when it has no fingerprintable scope."""
    if pack.scope is None:
        return None
    paths = load(pack.scope)(slug, mind, Path(root), options)
    if paths is None:
        return None
    return stage_key(pack.name, f"stages/{pack.name}", options, settings, scope_digest(paths, Path(root)))


@task(name="resume-check", task_run_name="resume check of {stage}", cache_policy=NO_CACHE, retries=0)
def resume_check_task(stage: str, slug: str, mind: str, root: str, options: dict[str, Any], force: bool) -> Any:
    """The stage's :class:`Decision`; a stage to skip ends this task in a Completed state named
    "Skipped" with the reason as its message, so the UI's task list says which stages were skipped."""
    settings = get_settings()
    decision = StageState(settings.home, Path(root), slug).decide(stage, current_key(get_pack(stage), slug, mind, root, options, settings), force)
    get_run_logger().info("%s %s (%s)", stage, "is skipped" if decision.skip else "will run", decision.reason)
    return Completed(name="Skipped", message=f"{stage} skipped: {decision.reason}", data=decision) if decision.skip else decision


@task(name="persist", task_run_name="persist {stage} of {slug}", cache_policy=NO_CACHE, retries=0)
def persist_task(stage: str, slug: str, outputs: str, run_id: str, started_at: datetime, stage_seconds: float,
                 already: str | None = None) -> str:
    """Persist the stage's files; a skipped stage whose rows run ``already`` completed is not sent again."""
    repository = open_repository(get_settings())
    if already and repository.persisted(already, stage, slug):
        return f"already persisted by run {already} ({repository.describe()})."
    result = persist_stage(stage, slug, Path(outputs), repository, run_id=run_id, started_at=started_at, stage_seconds=stage_seconds)
    get_run_logger().info(result.summary())
    return result.summary()


@task(name="record-metrics", task_run_name="record metrics of {slug}", cache_policy=NO_CACHE, retries=0)
def record_metrics_task(slug: str, rows: list[dict]) -> int:
    """Stage measures, engine calls and run totals into task_metrics (operations role, idempotent)."""
    return open_repository(get_settings()).record_metrics(rows)


@task(name="record-run", task_run_name="record run of {slug}", cache_policy=NO_CACHE, retries=0)
def record_run_task(slug: str, run: dict) -> None:
    """The run's line of history in pipeline_runs (``lendaria runs``)."""
    open_repository(get_settings()).record_run(run)


@flow(name="pipeline")
def pipeline(mind: str, stages: list[str] | None = None, outputs: str | None = None, persist: bool = True,
             courses: list[str] | None = None, force: bool = False, engine: str | None = None,
             max_cost: float | None = None, batch: bool | None = None) -> dict[str, dict]:
    """Run the requested stages (default: all) for ``mind`` (slug or path to mind.yaml); after each
    stage, persist its contract files (``persist=False`` to skip the database). ``courses``: the
    courses CreatorOS builds (default: every course whose brief names the mind). ``force``: run every
    stage even when its inputs are unchanged, and ask the engine again instead of reading answers paid
    for in an earlier run from the response cache. ``engine``: offline, anthropic or auto for this run
    (default: LENDARIA_ENGINE). ``max_cost``: the run's cost budget in USD (default:
    LENDARIA_MAX_COST_USD); a call that could exceed it is not sent and the run stops. ``batch``: send
    bulk work as one Message Batch at half price (default: LENDARIA_ENGINE_BATCH).

    The run's correlation id is this flow run's id: it is on every log record, engine call, database
    row and metric of the run. The result has one entry per stage and ``run`` (id, engine, totals)."""
    install_log_records()
    if engine is not None and engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}.", hint=f"Use one of: {', '.join(ENGINES)}.")
    run_id = str(flow_run.get_id() or new_correlation_id())
    started = datetime.now(timezone.utc)
    names = check_stages(stages)
    named = set(stages or [])  # stages the caller asked for by name: they must complete (no graceful degrade)
    with overridden(engine=engine, max_cost_usd=max_cost, engine_cache=False if force else None,
                    engine_batch=batch) as settings, correlation(run_id), engine_session(settings, run_id) as session, \
            dask_cluster(settings) as dask:
        root = outputs or str(settings.outputs)
        slug = slug_of(mind)
        results: dict[str, dict] = {}
        error: Exception | None = None
        try:
            _run_stages(mind, slug, names, named, root, persist, run_id, session, {"courses": courses}, force, dask, results)
        except Exception as exc:  # the summary and the history show the failed run too
            error = exc
        totals = session.ledger.totals()
        results["run"] = {"correlation_id": run_id, "engine": session.engine, "totals": totals, "force": force,
                          "status": "failed" if error else "completed", "started_at": started.isoformat(),
                          "duration_ms": int((datetime.now(timezone.utc) - started).total_seconds() * 1000)}
        publish_run_artifacts(slug, Path(root), results, error)
        if persist:
            _record_run(slug, results, session, run_id, error)
        for result in results.values():
            result.pop("_metrics", None)
        if error is not None:
            raise error
    return results


def _record_run(slug: str, results: dict[str, dict], session: EngineSession, run_id: str, error: Exception | None) -> None:
    rows = [row for name, result in results.items() if name != "run" for row in result.get("_metrics", [])]
    rows += engine_call_rows(run_id, session.ledger.calls) + run_total_rows(run_id, slug, results["run"]["totals"], session.engine)
    run = results["run"]
    history = {"run_id": run_id, "mind_slug": slug, "status": run["status"], "started_at": run["started_at"],
               "duration_ms": run["duration_ms"], "engine": session.engine, "cost_usd": run["totals"]["cost_usd"],
               "force": run["force"], "flow_run_url": _flow_run_url(run_id), "error": str(error)[:2000] if error else None,
               "stages": [{"stage": name, "status": result["status"], "duration_ms": result.get("duration_ms", 0),
                           "summary": result.get("summary", "")[:500]} for name, result in results.items() if name != "run"]}
    try:
        record_metrics_task(slug, rows)
        record_run_task(slug, history)
    except Exception:  # noqa: BLE001 - a failed stage's own error is what the user needs
        if error is None:
            raise
        get_run_logger().warning("could not record the failed run in the database")


def _flow_run_url(run_id: str) -> str | None:
    from prefect.settings import PREFECT_UI_URL

    base = PREFECT_UI_URL.value()
    return f"{base.rstrip('/')}/runs/flow-run/{run_id}" if base and flow_run.get_id() else None


def required(pack: Pack, named: set[str], options: dict[str, Any]) -> bool:
    """Whether the stage must complete: an optional stage degrades gracefully only when the user did not
    ask for it, neither by name (``stages``) nor through one of its own options (``courses``)."""
    return not pack.optional or pack.name in named or any(options.get(key) for key in pack.options)


def _run_stages(mind: str, slug: str, names: list[str], named: set[str], root: str, persist: bool, run_id: str,
                session: EngineSession, options: dict[str, object], force: bool, dask: str | None,
                results: dict[str, dict]) -> None:
    logger = get_run_logger()
    settings = get_settings()
    state = StageState(settings.home, Path(root), slug)
    for name in names:
        pack = get_pack(name)
        logger.info("stage %s [%s]", name, run_id)
        extra = {key: options[key] for key in pack.options if options.get(key) is not None}
        started = datetime.now(timezone.utc)
        first_call = len(session.ledger.calls)
        decision: Decision = resume_check_task(name, slug, mind, root, extra, force, return_state=True).result()
        stopped: Exception | None = None
        if decision.skip:
            last = decision.result or {}
            results[name] = {**{k: v for k, v in last.items() if k in KEPT_RESULT}, "slug": slug, "status": "skipped",
                             "summary": f"skipped: {decision.reason}." + (f" Last run: {last['summary']}" if last.get("summary") else ""),
                             "written": []}
        else:
            try:
                flow_fn = stage_flow(name)
                runner = task_runner(dask)
                results[name] = {**(flow_fn.with_options(task_runner=runner) if runner else flow_fn)(mind=mind, outputs=root, **extra),
                                 "status": "ran"}
            except Exception as exc:
                must_complete = required(pack, named, extra)
                if isinstance(exc, StageStopped) and must_complete:  # its report of why is persisted, then the run fails
                    stopped = exc
                elif must_complete or not isinstance(exc, LendariaError) or getattr(exc, "stops_run", False):
                    results[name] = {"slug": slug, "status": "failed", "summary": f"failed: {exc}", "totals": {}}
                    _finish_stage(results[name], name, slug, run_id, session, first_call, started)
                    if persist:
                        _record_stage_failure(name, slug, run_id, started, exc)
                    raise
                else:
                    logger.warning("optional stage %s did not complete: %s; the pipeline goes on without it", name, exc)
                    stopped = exc
                if stopped is not None:
                    results[name] = {"slug": slug, "status": "failed", "skipped": not must_complete,
                                     "summary": f"{'skipped' if not must_complete else 'failed'}: {exc}", "totals": {}}
        result = results[name]
        seconds = _finish_stage(result, name, slug, run_id, session, first_call, started)
        # a stage that failed has nothing to persist; one that stopped on purpose (StageStopped) persists
        # the report of why, and is then recorded as failed
        if persist and pack.payload_builder and (stopped is None or isinstance(stopped, StageStopped)):
            result["persisted"] = persist_task(name, slug, root, run_id, started, seconds,
                                               already=decision.persisted_run if decision.skip else None)
        if persist and stopped is not None:
            _record_stage_failure(name, slug, run_id, started, stopped)
        if stopped is not None and not result["skipped"]:
            raise stopped
        if stopped is None and not decision.skip and decision.key is not None:
            _remember(state, pack, slug, mind, root, extra, settings, result, run_id if result.get("persisted") else None)


def _finish_stage(result: dict, name: str, slug: str, run_id: str, session: EngineSession, first_call: int, started: datetime) -> float:
    seconds = (datetime.now(timezone.utc) - started).total_seconds()
    calls = CallLedger(session.calls_since(first_call))
    result["engine"] = ", ".join(calls.engines()) if calls.calls else session.engine
    result["engine_totals"] = calls.totals()
    result["duration_ms"] = int(seconds * 1000)
    measures = {"duration_ms": result["duration_ms"], "skipped": int(result["status"] == "skipped"),
                **{k: v for k, v in result.get("totals", {}).items() if isinstance(v, (int, float))}}
    result["_metrics"] = stage_rows(run_id, name, slug, measures, result["engine"])
    return seconds


def _remember(state: StageState, pack: Pack, slug: str, mind: str, root: str, options: dict[str, Any], settings: Settings,
              result: dict, persisted_run: str | None) -> None:
    """Record the stage's key from its scope as the run left it (its own outputs included)."""
    key = current_key(pack, slug, mind, root, options, settings)
    if key is not None:
        state.remember(pack.name, key, {k: result[k] for k in KEPT_RESULT if k in result}, persisted_run)


def _record_stage_failure(stage: str, slug: str, run_id: str, started: datetime, exc: Exception) -> None:
    """Best effort: a failed stage still gets its job_executions row when the database is reachable."""
    try:
        record_failure(open_repository(get_settings()), stage, slug, run_id, started, exc)
    except Exception:  # noqa: BLE001 - the stage's own error is what the user needs
        get_run_logger().warning("could not record the failed %s run in the database", stage)


@flow(name="refresh-all")
def refresh_all(stages: list[str] | None = None, outputs: str | None = None, persist: bool = True, force: bool = False) -> dict[str, str]:
    """The pipeline for every mind under ``outputs/minds/`` that has a spec (``mind.yaml``), one after
    another; unchanged stages are skipped. A mind that fails is reported and the others still run."""
    root = Path(outputs or get_settings().outputs)
    outcome: dict[str, str] = {}
    for spec in sorted(root.glob("minds/*/mind.yaml")):
        state = pipeline(mind=spec.parent.name, stages=stages, outputs=str(root), persist=persist, force=force, return_state=True)
        outcome[spec.parent.name] = state.type.value.lower()
    failed = [slug for slug, status in outcome.items() if status != "completed"]
    if failed:
        raise LendariaError(f"the refresh failed for {', '.join(failed)}; the other minds were refreshed.")
    return outcome


if __name__ == "__main__":  # `python flows/pipeline.py <mind>` for a quick local run
    import sys

    print(pipeline(sys.argv[1] if len(sys.argv) > 1 else "examples/iris-valente/mind.yaml"))
