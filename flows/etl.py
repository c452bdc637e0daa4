"""ETL as a Prefect flow: one task per local spec item, one for all remote items, one to write.

The tasks only wire the pure functions of :mod:`stages.etl.run`; all logic is tested without Prefect.
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed

from lendaria.orchestrator.progress import Progress
from lendaria.orchestrator.runners import cached
from lendaria.settings import Settings, get_settings
from stages.etl.run import (EtlResult, check_local_inputs, collect_local, finish, item_key, load_spec_for_run,
                            merge_in_spec_order, split_items)
from stages.etl.remote import collect_remote_items
from stages.etl.sources import Document, Failure
from stages.etl.spec import MindSpec, SourceItem


@task(name="etl-collect-local", task_run_name="collect {item.path}", cache_policy=NO_CACHE)
def collect_local_task(key: str, spec: MindSpec, item: SourceItem, settings: Settings) -> list[Document | Failure]:
    """One local item's documents; cached by ``key`` (its bytes, fields, code, settings: stages.etl.run.item_key)."""
    return collect_local(spec, item, settings)


@task(name="etl-collect-remote", task_run_name="collect {spec.slug} urls and feeds", cache_policy=NO_CACHE)
def collect_remote_task(spec: MindSpec, items: list[SourceItem], settings: Settings) -> list[Document | Failure]:
    return collect_remote_items(items, settings)


@task(name="etl-write", task_run_name="write {spec.slug} sources", cache_policy=NO_CACHE)
def write_task(spec: MindSpec, outputs_root: Path, results: list[Document | Failure]) -> EtlResult:
    return finish(spec, outputs_root, results)


def _publish_artifacts(result: EtlResult) -> None:
    key = f"etl-{result.slug}"
    create_markdown_artifact(
        key=f"{key}-summary",
        markdown=f"### ETL: {result.slug}\n\n{result.summary()}\n\nOutputs: `{result.sources_dir}`"
        + ("\n\n**Failures**\n\n" + "\n".join(f"- {line}" for line in result.failures) if result.failures else ""),
        description="ETL collection summary",
    )
    rows = [
        {k: str(entry.get(k, "")) for k in ("source_id", "status", "type", "title", "words", "language")}
        for entry in result.sources
    ]
    create_table_artifact(key=f"{key}-sources", table=rows, description=f"Sources of {result.slug}")


@flow(name="etl", log_prints=True)
def etl_flow(mind: str, outputs: str | None = None) -> dict:
    """Collect every source of a mind (slug or path to mind.yaml) into ``<outputs>/minds/<slug>/sources``."""
    logger = get_run_logger()
    settings = get_settings()
    outputs_root = Path(outputs) if outputs else settings.outputs
    spec = load_spec_for_run(mind, outputs_root)
    check_local_inputs(spec, settings)  # bad local input: one clear failure before any task starts
    local_items, remote_items = split_items(spec)
    total = len(local_items) + (1 if remote_items else 0)
    progress = Progress(f"ETL {spec.slug}: items collected", total)

    remote_future = collect_remote_task.submit(spec, remote_items, settings) if remote_items else None
    collect = cached(collect_local_task, settings)
    futures = {collect.submit(item_key(spec, item, settings), spec, item, settings): item for item in local_items}
    local: dict[int, list[Document]] = {}
    for done, future in enumerate(as_completed(list(futures)), start=1):
        item = futures[future]
        local[item.index] = future.result()
        progress.advance(done)
        logger.info("collected %d/%d: %s", done, total, item.path)
    remote = remote_future.result() if remote_future is not None else []
    if remote_future is not None:
        progress.advance(total)
    result = write_task(spec, outputs_root, merge_in_spec_order(local, remote))
    logger.info(result.summary())
    for line in result.failures:
        logger.warning("failed source: %s", line)
    _publish_artifacts(result)
    return {"slug": result.slug, "totals": result.totals, "written": result.report.written,
            "removed": result.report.removed, "failures": result.failures, "summary": result.summary()}
