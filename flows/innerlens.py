"""The InnerLens flow: fragments of a mind's sources (stages/innerlens/run.py wired as Prefect tasks)."""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from lendaria.settings import Settings, get_settings

from lendaria.collected import slug_of
from stages.innerlens.run import InnerLensResult, run_innerlens


@task(name="innerlens-fragments", task_run_name="fragment {slug} sources", cache_policy=NO_CACHE)
def fragments_task(slug: str, outputs_root: Path, settings: Settings) -> InnerLensResult:
    return run_innerlens(slug, outputs_root, settings)


@flow(name="innerlens", log_prints=True)
def innerlens_flow(mind: str, outputs: str | None = None) -> dict:
    """Fragment every source of a mind (slug or path to mind.yaml) into ``analysis/fragments.jsonl``."""
    settings = get_settings()
    outputs_root = Path(outputs) if outputs else settings.outputs
    result = fragments_task(slug_of(mind), outputs_root, settings)
    get_run_logger().info(result.summary())
    create_markdown_artifact(key=f"innerlens-{result.slug}-summary", markdown=f"### InnerLens: {result.slug}\n\n{result.summary()}",
                             description="InnerLens summary")
    return {"slug": result.slug, "summary": result.summary(), "written": result.written,
            "totals": {"sources": result.sources, "refragmented": result.refragmented, "fragments": result.fragments,
                       "folded": result.folded, "words": result.words, "non_public": result.non_public}}
