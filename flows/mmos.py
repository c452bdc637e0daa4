"""The MMOS flow: viability gate, split, voice fidelity, the eight analysis layers, synthesis, the
system prompt and the knowledge base of a mind (stages/mmos/run.py wired as a Prefect task)."""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from lendaria.collected import slug_of
from lendaria.settings import Settings, get_settings

from stages.mmos.run import MmosResult, run_mmos


@task(name="mmos-mind", task_run_name="mind of {slug}: fidelity, layers, prompt, knowledge base", cache_policy=NO_CACHE)
def mind_task(slug: str, outputs_root: Path, settings: Settings) -> MmosResult:
    return run_mmos(slug, outputs_root, settings)


@flow(name="mmos", log_prints=True)
def mmos_flow(mind: str, outputs: str | None = None) -> dict:
    """A mind's MMOS outputs (slug or path to mind.yaml): fidelity, layers, synthesis, prompt, knowledge base."""
    settings = get_settings()
    outputs_root = Path(outputs) if outputs else settings.outputs
    result = mind_task(slug_of(mind), outputs_root, settings)
    get_run_logger().info(result.summary())
    create_markdown_artifact(key=f"mmos-{result.slug}-summary", markdown=f"### MMOS: {result.slug}\n\n{result.summary()}",
                             description="MMOS summary")
    check = result.self_check
    return {"slug": result.slug, "summary": result.summary(), "written": result.written,
            "totals": {"own_words": result.gate["own_words"], "build_words": result.build_words,
                       "held_out_words": result.held_out_words,
                       # numbers only when measured: a metric is never invented for a check that could not run
                       **({"fidelity_auc": check["auc"], "fidelity_true_positive_rate": check["true_positive_rate"],
                           "fidelity_false_positive_rate": check["false_positive_rate"]} if check.get("status") == "measured" else {})}}
