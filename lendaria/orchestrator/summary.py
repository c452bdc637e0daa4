"""A pipeline run at a glance in the Prefect UI.

:func:`run_summary` (pure) renders the run's markdown: a table of the stages (ran / skipped /
failed, duration, counts, engine, tokens and cost), the Big Five with InnerLens's radar chart, MMOS's
voice fidelity, each course's lesson fidelity and the paths of the outputs. It reads the contract
files through the catalog, so a skipped stage still shows what its files hold.

:func:`publish_run_artifacts` publishes it under stable keys per mind (``run-<slug>``, and the table
``run-<slug>-stages``), so the Artifacts page keeps one browsable history per mind.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from lendaria.catalog import Catalog
from lendaria.yamlio import load_yaml

TRAITS = ("openness", "conscientiousness", "extraversion", "agreeableness", "neuroticism")
STAGE_COLUMNS = ("stage", "status", "seconds", "counts", "engine", "calls", "tokens in/out", "cost (USD)")


def _read_yaml(path: Path) -> Any:
    try:
        return load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _counts(totals: dict[str, Any]) -> str:
    shown = [f"{key.replace('_', ' ')} {value:g}" if isinstance(value, float) else f"{key.replace('_', ' ')} {value}"
             for key, value in totals.items() if isinstance(value, (int, float)) and not isinstance(value, bool)]
    return ", ".join(shown[:4])


def stage_rows(results: dict[str, dict]) -> list[dict[str, str]]:
    """One row per stage (in run order) with the columns of :data:`STAGE_COLUMNS`."""
    rows = []
    for name, result in results.items():
        if name == "run":
            continue
        engine = result.get("engine_totals") or {}
        rows.append({"stage": name, "status": result.get("status", "ran"),
                     "seconds": f"{result.get('duration_ms', 0) / 1000:.1f}", "counts": _counts(result.get("totals") or {}),
                     "engine": str(result.get("engine", "")), "calls": str(engine.get("calls", 0)),
                     "tokens in/out": f"{engine.get('input_tokens', 0)}/{engine.get('output_tokens', 0)}",
                     "cost (USD)": f"{engine.get('cost_usd', 0.0):.4f}"})
    return rows


def _table(rows: list[dict[str, str]], columns: tuple[str, ...]) -> list[str]:
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(str(row.get(c, "")).replace("|", "\\|") for c in columns) + " |" for row in rows]
    return lines


def on_white(svg: str) -> str:
    """The chart on a white ground (its labels are dark; the UI may be in dark mode)."""
    head_end = svg.find(">", svg.find("<svg")) + 1
    return svg[:head_end] + '<rect width="100%" height="100%" fill="white"/>' + svg[head_end:] if head_end > 0 else svg


def big_five_section(catalog: Catalog, slug: str) -> list[str]:
    profile = _read_yaml(catalog.profile_file(slug))
    if not isinstance(profile, dict) or not isinstance(profile.get("big_five"), dict):
        return []
    scores = profile["big_five"]
    lines = ["#### Big Five", ""]
    radar = catalog.profile_file(slug).with_suffix(".svg")
    if radar.is_file():
        encoded = base64.b64encode(on_white(radar.read_text(encoding="utf-8")).encode("utf-8")).decode("ascii")
        lines += [f"![Big Five radar of {slug}](data:image/svg+xml;base64,{encoded})", ""]
    lines += _table([{"trait": t, "score": f"{scores[t]['score']:.1f}", "level": scores[t].get("level", ""),
                      "confidence": f"{scores[t].get('confidence', 0):.2f}"} for t in TRAITS if t in scores],
                    ("trait", "score", "level", "confidence"))
    return lines + ["", f"_{profile.get('caveat', '')}_", ""]


def _guided_readings(catalog: Catalog, course: str, document: dict[str, Any]) -> bool:
    """Whether a lesson of the course is an offline guided reading (its front matter's method, the contract's
    value: the fidelity summary's own method is written in the course's language)."""
    from lendaria.documents import parse_markdown
    from lendaria.errors import LendariaError

    for row in document.get("lessons") or []:
        try:
            path = catalog.lesson_file(course, int(str(row.get("lesson", "")).rsplit("-", 1)[-1]))
            if parse_markdown(path.read_text(encoding="utf-8")).front_matter.get("method") == "extractive":
                return True
        except (OSError, ValueError, AttributeError, LendariaError):
            continue  # an unreadable lesson is reported by `lendaria validate`
    return False


def fidelity_section(catalog: Catalog, slug: str, courses: list[str]) -> list[str]:
    lines = []
    mind = _read_yaml(catalog.fidelity_file(slug))
    if isinstance(mind, dict) and isinstance(mind.get("self_check"), dict):
        check = mind["self_check"]
        lines += ["#### Voice fidelity", ""]
        if check.get("status") == "measured":
            lines += [f"Held-out check of {slug}'s voice ({mind.get('language')}) against {check.get('impostors')} impostors "
                      f"(impostors verification): AUC {check.get('auc')}, true positives {check.get('true_positive_rate')}, "
                      f"false positives {check.get('false_positive_rate')} (threshold {mind.get('threshold')}).", ""]
        else:
            lines += [f"Held-out check of {slug}'s voice: not measured ({check.get('reason')}).", ""]
    for course in courses:
        document = _read_yaml(catalog.course_fidelity_file(course))
        if isinstance(document, dict) and isinstance(document.get("overall"), dict):
            overall = document["overall"]
            statuses = ", ".join(f"{k} {v}" for k, v in (document.get("statuses") or {}).items())
            guided = (_guided_readings(catalog, course, document)
                      and " Offline lessons are guided readings of the person's passages; lessons written in their voice need "
                      "the Anthropic engine (`LENDARIA_ENGINE=anthropic`).") or ""
            lines += [f"Course **{course}**: {overall.get('lessons')} lessons, {overall.get('scored')} scored "
                      f"({statuses}); verbatim share {overall.get('verbatim_share')}.{guided}", ""]
    return lines


def outputs_section(catalog: Catalog, slug: str, courses: list[str]) -> list[str]:
    paths = [catalog.sources_dir(slug), catalog.analysis_dir(slug), catalog.system_prompt_file(slug), catalog.kb_index_file(slug),
             *(catalog.course_dir(course) for course in courses)]
    shown = [f"- `{catalog.relative(path)}`" for path in paths if path.exists()]
    return ["#### Outputs", "", f"Under `{catalog.root}`:", "", *shown, ""] if shown else []


def run_summary(slug: str, outputs_root: Path, results: dict[str, dict], error: BaseException | None = None) -> str:
    """The run's markdown summary (see the module docstring)."""
    catalog = Catalog(outputs_root)
    run = results.get("run", {})
    totals = run.get("totals") or {}
    courses = sorted({c for r in results.values() for c in (r.get("courses") or [])})
    status = run.get("status", "failed" if error else "completed")
    lines = [f"### Pipeline run of {slug}: {status}", "",
             f"correlation id `{run.get('correlation_id', '')}` · engine {run.get('engine', '')} · "
             f"{totals.get('calls', 0)} engine calls · cost USD {totals.get('cost_usd', 0.0):.4f}"
             + (" · forced" if run.get("force") else ""), ""]
    if error is not None:
        lines += [f"**Failed:** {error}", ""]
    lines += _table(stage_rows(results), STAGE_COLUMNS) + [""]
    lines += big_five_section(catalog, slug) + fidelity_section(catalog, slug, courses) + outputs_section(catalog, slug, courses)
    return "\n".join(lines)


def publish_run_artifacts(slug: str, outputs_root: Path, results: dict[str, dict], error: BaseException | None = None) -> None:
    from prefect.artifacts import create_markdown_artifact, create_table_artifact

    create_markdown_artifact(key=f"run-{slug}", markdown=run_summary(slug, outputs_root, results, error),
                             description=f"Pipeline run of {slug}: stages, Big Five, fidelity, outputs")
    create_table_artifact(key=f"run-{slug}-stages", table=stage_rows(results), description=f"Stages of the pipeline run of {slug}")
