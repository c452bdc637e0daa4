"""Run history (``lendaria runs``): the pipeline_runs rows as lines a person reads, or as JSON."""

from __future__ import annotations

from datetime import datetime
from typing import Any

MARK = {"ran": "ran", "skipped": "skipped", "failed": "FAILED"}


def _when(value: Any) -> str:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.strftime("%Y-%m-%d %H:%M:%S %Z").strip() if isinstance(value, datetime) else str(value)


def json_ready(row: dict[str, Any]) -> dict[str, Any]:
    return {key: value.isoformat() if isinstance(value, datetime) else value for key, value in row.items()}


def render_runs(rows: list[dict[str, Any]]) -> list[str]:
    """Two lines per run: when, mind, status, duration, cost, attempts, correlation id and UI link;
    then each stage with what it did."""
    lines = []
    for row in rows:
        seconds = (row.get("duration_ms") or 0) / 1000
        attempts = f", {row['attempts']} attempts" if (row.get("attempts") or 1) > 1 else ""
        lines.append(f"{_when(row['started_at'])}  {row['mind_slug']}  {row['status']}  {seconds:.1f} s  "
                     f"USD {row.get('cost_usd') or 0:.4f}  {row.get('engine') or ''}{' (forced)' if row.get('forced') else ''}{attempts}")
        stages = ", ".join(f"{s['stage']} {MARK.get(s['status'], s['status'])} {s.get('duration_ms', 0) / 1000:.1f} s"
                           for s in row.get("stages") or [])
        lines.append(f"    {stages or 'no stage'}; correlation id {row['run_id']}"
                     + (f"; {row['flow_run_url']}" if row.get("flow_run_url") else ""))
        if row.get("error"):
            lines.append(f"    error: {row['error'].splitlines()[0][:300]}")
    return lines
