"""The pipeline's stages in order, importable without Prefect: the CLI checks stage names (a usage
error, exit 2) before Prefect is imported or its server started. ``flows/pipeline.py`` maps each
name to its flow and checks that both lists agree."""

from __future__ import annotations

from lendaria.errors import InputError

STAGE_ORDER: tuple[str, ...] = ("etl",)


def check_stages(stages: list[str] | None) -> list[str]:
    """The requested stages in pipeline order (default: all); unknown names raise :class:`InputError`."""
    if not stages:
        return list(STAGE_ORDER)
    unknown = [s for s in stages if s not in STAGE_ORDER]
    if unknown:
        raise InputError(f"unknown stage(s): {', '.join(unknown)}.", hint=f"Available stages: {', '.join(STAGE_ORDER)}.")
    return [s for s in STAGE_ORDER if s in stages]
