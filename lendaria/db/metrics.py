"""Rows for ``task_metrics``: per-stage measures, every engine call, and the run's totals.

All rows carry the run's correlation id as ``run_id`` (the same id as ``job_executions`` and the
persisted rows), so one query by run id returns what a run did, what it wrote and what it cost.
They are written through the operations role (``public.lendaria_record_metrics``), idempotently.
"""

from __future__ import annotations

from typing import Any, Iterable

from lendaria.engines.base import EngineCall

_CALL_METRICS = (("input_tokens", "tokens"), ("output_tokens", "tokens"), ("cache_write_tokens", "tokens"),
                 ("cache_read_tokens", "tokens"), ("cost_usd", "usd"), ("duration_ms", "ms"), ("repairs", "turns"))
RUN_STAGE = "pipeline"


def _row(run_id: str, stage: str, task: str, metric: str, value: float, unit: str | None, mind: str | None,
         details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"run_id": run_id, "stage": stage, "task": task, "metric": metric, "value": float(value), "unit": unit,
            "mind_slug": mind, "details": details or {}}


def stage_rows(run_id: str, stage: str, mind: str, measures: dict[str, float], engine: str) -> list[dict[str, Any]]:
    """One row per numeric measure of a finished stage (``duration_ms``, ``words``, ...)."""
    return [_row(run_id, stage, "stage", name, value, "ms" if name.endswith("_ms") else None, mind, {"engine": engine})
            for name, value in sorted(measures.items())]


def engine_call_rows(run_id: str, calls: Iterable[EngineCall]) -> list[dict[str, Any]]:
    """Each engine call as rows under ``task = <capability>#<n>`` (n counts calls per step and capability)."""
    rows: list[dict[str, Any]] = []
    seen: dict[tuple[str, str], int] = {}
    for call in calls:
        n = seen[(call.step, call.capability)] = seen.get((call.step, call.capability), 0) + 1
        details = {"engine": call.engine, "model": call.model, "capability": call.capability,
                   "cache_hit": call.cache_read_tokens > 0, "cached": call.cached, "batched": call.batched, "skipped": call.skipped,
                   "rate_limited": call.rate_limited, "note": call.note}
        for metric, unit in _CALL_METRICS:
            rows.append(_row(run_id, call.step, f"{call.capability}#{n}", metric, getattr(call, metric), unit, call.mind, details))
    return rows


def run_total_rows(run_id: str, mind: str, totals: dict[str, float | int], engine: str) -> list[dict[str, Any]]:
    """The run's summed engine use (``calls``, tokens, ``cost_usd``) under stage ``pipeline``."""
    units = dict(_CALL_METRICS) | {"calls": "calls", "sent": "calls", "cached": "calls", "batched": "calls", "skipped": "calls",
                                   "rate_limited": "responses"}
    return [_row(run_id, RUN_STAGE, "run", name, value, units.get(name), mind, {"engine": engine})
            for name, value in sorted(totals.items())]
