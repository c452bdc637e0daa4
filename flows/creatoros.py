"""The CreatorOS flow: the courses of a mind (stages/creatoros/run.py wired as Prefect tasks), with a
table artifact of each course's lesson fidelity."""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE

from lendaria.catalog import Catalog
from lendaria.collected import slug_of
from lendaria.settings import Settings, get_settings

from stages.creatoros.run import CourseResult, build_course, courses_for_mind


@task(name="creatoros-course", task_run_name="course {course}", cache_policy=NO_CACHE)
def course_task(course: str, outputs_root: Path, settings: Settings) -> CourseResult:
    return build_course(course, outputs_root, settings)


@flow(name="creatoros", log_prints=True)
def creatoros_flow(mind: str, outputs: str | None = None, courses: list[str] | None = None) -> dict:
    """Build the given courses, or every course whose brief names the mind (slug or path to mind.yaml)."""
    settings = get_settings()
    outputs_root = Path(outputs) if outputs else settings.outputs
    slug = slug_of(mind)
    chosen = courses or courses_for_mind(Catalog(outputs_root), slug)
    results = [course_task(course, outputs_root, settings) for course in chosen]
    for result in results:
        get_run_logger().info(result.summary())
        create_table_artifact(key=f"creatoros-{result.course}-fidelity", table=[
            {"lesson": row["lesson"], "status": row["status"], "score": row.get("score", ""), "own words": row["own_words"],
             "verbatim share": row["verbatim_share"]} for row in result.fidelity["lessons"]],
            description=f"Voice fidelity of the lessons of {result.course}")
    summary = " ".join(r.summary() for r in results) or (
        f"no course names {slug}: scaffold one with `lendaria course init <course> --mind {slug}`.")
    return {"slug": slug, "summary": summary, "written": [p for r in results for p in r.written],
            "totals": {"courses": len(results), "lessons": sum(r.lessons for r in results),
                       "lessons_generated": sum(len(r.regenerated) for r in results)}}
