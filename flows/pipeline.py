"""The pipeline DAG: chains the packs for one mind. Today: ETL. Each pack adds itself to ``STAGES``."""

from __future__ import annotations

from typing import Callable

from prefect import flow, get_run_logger

from lendaria.errors import InputError

from flows.etl import etl_flow

# Stage name -> flow, in pipeline order. Later packs (innerlens, mmos, creatoros) register here.
STAGES: dict[str, Callable[..., dict]] = {"etl": etl_flow}


def check_stages(stages: list[str] | None) -> list[str]:
    """The requested stages in pipeline order; unknown names raise :class:`InputError`."""
    if not stages:
        return list(STAGES)
    unknown = [s for s in stages if s not in STAGES]
    if unknown:
        raise InputError(f"unknown stage(s): {', '.join(unknown)}.", hint=f"Available stages: {', '.join(STAGES)}.")
    return [s for s in STAGES if s in stages]


@flow(name="pipeline")
def pipeline(mind: str, stages: list[str] | None = None, outputs: str | None = None) -> dict[str, dict]:
    """Run the requested stages (default: all) for ``mind`` (slug or path to mind.yaml)."""
    logger = get_run_logger()
    results: dict[str, dict] = {}
    for name in check_stages(stages):
        logger.info("stage %s", name)
        results[name] = STAGES[name](mind=mind, outputs=outputs)
    return results


if __name__ == "__main__":  # `python flows/pipeline.py <mind>` for a quick local run
    import sys

    print(pipeline(sys.argv[1] if len(sys.argv) > 1 else "examples/iris-valente/mind.yaml"))
