"""The InnerLens flow: fragments of a mind's sources (stages/innerlens/run.py wired into Prefect).

The sources that need fragmenting are cut in batches (about 20,000 words each), one Prefect task per
batch, cached by the batch's content key, on the flow's task runner (threads, or Dask workers when
LENDARIA_DASK is set); the audit, the profile and the writing follow in the flow.
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from lendaria.collected import Source, slug_of
from lendaria.orchestrator.progress import Progress
from lendaria.orchestrator.runners import cached
from lendaria.settings import Settings, get_settings
from stages.innerlens.fragments import Fragment
from stages.innerlens.run import batch_key, fragment_batches, fragment_each, run_innerlens


@task(name="innerlens-fragment-batch", task_run_name="fragment {batch[0].source_id} (+{extra} more)", cache_policy=NO_CACHE)
def fragment_batch_task(key: str, batch: list[Source], extra: int, language: str | None = None) -> list[list[Fragment]]:
    """The fragments of each source of the batch, cut in ``language``; cached by ``key``
    (stages.innerlens.run.batch_key)."""
    return fragment_each(batch, language)


def fragment_with_tasks(slug: str, settings: Settings):
    def fragment_many(sources: list[Source], language: str | None) -> list[list[Fragment]]:
        batches = fragment_batches(sources)
        progress = Progress(f"InnerLens {slug}: sources fragmented", len(sources))
        fragment = cached(fragment_batch_task, settings)
        futures = [fragment.submit(batch_key(batch, language), batch, len(batch) - 1, language) for batch in batches]
        results: list[list[Fragment]] = []
        for batch, future in zip(batches, futures):
            results += future.result()
            progress.advance(len(results))
        return results
    return fragment_many


@flow(name="innerlens", log_prints=True)
def innerlens_flow(mind: str, outputs: str | None = None) -> dict:
    """Fragment every source of a mind (slug or path to mind.yaml) into ``analysis/fragments.jsonl``."""
    settings = get_settings()
    outputs_root = Path(outputs) if outputs else settings.outputs
    slug = slug_of(mind)
    result = run_innerlens(slug, outputs_root, settings, fragment_with_tasks(slug, settings))
    get_run_logger().info(result.summary())
    create_markdown_artifact(key=f"innerlens-{result.slug}-summary", markdown=f"### InnerLens: {result.slug}\n\n{result.summary()}",
                             description="InnerLens summary")
    return {"slug": result.slug, "summary": result.summary(), "written": result.written,
            "totals": {"sources": result.sources, "refragmented": result.refragmented, "fragments": result.fragments,
                       "folded": result.folded, "words": result.words, "non_public": result.non_public}}
