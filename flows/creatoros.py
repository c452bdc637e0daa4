"""The CreatorOS flow: the courses of a mind (stages/creatoros/run.py wired as Prefect tasks), with a
table artifact of each course's lesson fidelity.

A brief with ``review: true`` pauses the flow run after the curriculum (Prefect's ``pause_flow_run``
with a typed :class:`CurriculumReview` input): the curriculum is shown as an artifact, the run waits
in the UI (Resume shows the form: approve, notes), and the decision is recorded in ``review.yaml``.
Approved, the lessons are written; not approved, the course stops with the notes. A curriculum
already approved is not reviewed again.
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.flow_runs import pause_flow_run
from prefect.futures import as_completed
from prefect.input import RunInput
from prefect.runtime import flow_run

from lendaria.catalog import Catalog
from lendaria.collected import slug_of
from lendaria.settings import Settings, get_settings

from lendaria.engines.session import adopt_calls
from lendaria.orchestrator.progress import Progress
from lendaria.orchestrator.runners import cached
from stages.creatoros.run import (CoursePlan, CourseResult, LessonDone, LessonJob, check_review, compose_lesson, courses_for_mind,
                                  plan_course, record_review, recorded_review, write_course)


class CurriculumReview(RunInput):
    """The reviewer's decision on a course's curriculum (the form the Prefect UI shows on Resume)."""

    approve: bool = True
    notes: str = ""


@task(name="creatoros-plan", task_run_name="brief, research and curriculum of {course}", cache_policy=NO_CACHE)
def plan_task(course: str, outputs_root: Path, settings: Settings) -> CoursePlan:
    return plan_course(course, outputs_root, settings)


@task(name="creatoros-lesson", task_run_name="lesson {job.lesson[id]} of {job.course}", cache_policy=NO_CACHE)
def lesson_task(key: str, job: LessonJob, settings: Settings) -> LessonDone:
    """One lesson's text and fidelity. Cached by ``key`` (the lesson's inputs hash: plan, chunks, system
    prompt, engine, code): a retried or later run gets a finished lesson back without writing it again."""
    return compose_lesson(job, settings)


def lesson_tasks(settings: Settings):
    """Run lesson jobs as Prefect tasks on the flow's task runner (threads, or Dask workers)."""
    cached_lesson = cached(lesson_task, settings)

    def run(jobs: list[LessonJob]):
        futures = [cached_lesson.submit(job.inputs_sha, job, settings) for job in jobs]
        for future in as_completed(futures):
            done = future.result()
            adopt_calls(list(done.calls))  # calls a Dask worker made with its own engine session
            yield done
    return run


def lessons(planned: CoursePlan, outputs_root: Path, settings: Settings) -> CourseResult:
    check_review(Catalog(outputs_root), planned)
    progress: list[Progress] = []

    def advance(ready: int, total: int) -> None:
        if not progress:
            progress.append(Progress(f"CreatorOS {planned.course}: lessons written", total))
        progress[0].advance(ready)

    return write_course(planned, outputs_root, settings, run_jobs=lesson_tasks(settings), on_progress=advance)


def curriculum_markdown(planned: CoursePlan) -> str:
    lines = [f"### Review the curriculum of {planned.course}: {planned.plan['title']}", "",
             "Resume this run to decide: approve (lessons are written) or not, with notes.", ""]
    for module in planned.plan["modules"]:
        lines.append(f"**{module['title']}**")
        lines += [f"- {lesson['id']}: {lesson['title']} ({lesson['objectives'][0]['bloom']}; "
                  f"{', '.join(lesson['key_concepts']) or 'no material'})" for lesson in module["lessons"]]
        lines.append("")
    return "\n".join(lines)


def review(planned: CoursePlan, outputs_root: Path, settings: Settings) -> None:
    """Pause for the reviewer when the brief asks and the curriculum has no decision yet; record it."""
    catalog = Catalog(outputs_root)
    if not planned.brief.review or recorded_review(catalog, planned) is not None:
        return
    create_markdown_artifact(key=f"creatoros-{planned.course}-curriculum", markdown=curriculum_markdown(planned),
                             description=f"Curriculum of {planned.course}, waiting for review")
    # the attempt is part of the key: a run retried after it died while waiting pauses again (Prefect
    # refuses a second pause with a key the run already used, and the first one was never answered)
    attempt = flow_run.get_run_count() or 1
    decision = pause_flow_run(wait_for_input=CurriculumReview, timeout=settings.review_timeout, poll_interval=settings.review_poll_seconds,
                              key=f"review-{planned.course}-{planned.curriculum_sha[:12]}-{attempt}")
    path = record_review(catalog, planned, decision.approve, decision.notes, str(flow_run.get_id() or "") or None)
    get_run_logger().info("review of %s: %s (%s) -> %s", planned.course, "approved" if decision.approve else "not approved",
                          decision.notes or "no notes", path)


@flow(name="creatoros", log_prints=True)
def creatoros_flow(mind: str, outputs: str | None = None, courses: list[str] | None = None) -> dict:
    """Build the given courses, or every course whose brief names the mind (slug or path to mind.yaml)."""
    settings = get_settings()
    outputs_root = Path(outputs) if outputs else settings.outputs
    slug = slug_of(mind)
    results = []
    for course in courses or courses_for_mind(Catalog(outputs_root), slug):
        planned = plan_task(course, outputs_root, settings)
        review(planned, outputs_root, settings)
        results.append(lessons(planned, outputs_root, settings))
    for result in results:
        get_run_logger().info(result.summary())
        create_table_artifact(key=f"creatoros-{result.course}-fidelity", table=[
            {"lesson": row["lesson"], "status": row["status"], "score": row.get("score", ""), "own words": row["own_words"],
             "verbatim share": row["verbatim_share"]} for row in result.fidelity["lessons"]],
            description=f"Voice fidelity of the lessons of {result.course}")
    summary = " ".join(r.summary() for r in results) or (
        f"no course names {slug}: scaffold one with `lendaria course init <course> --mind {slug}`.")
    return {"slug": slug, "summary": summary, "written": [p for r in results for p in r.written], "courses": [r.course for r in results],
            "totals": {"courses": len(results), "lessons": sum(r.lessons for r in results),
                       "lessons_generated": sum(len(r.regenerated) for r in results)}}
