"""The CreatorOS stage as plain functions: brief → completeness check → research → curriculum → lessons
(in parallel, bounded) → the course's fidelity summary. Every file is validated before it is written,
written atomically and left untouched when unchanged.

It reaches MMOS only through services (``lendaria.packs.service``): ``knowledge_base`` (the mind's
loaded kb index) and ``fidelity`` (scores a text against the mind). Without a mind, or without its MMOS
outputs, the course is built in a neutral voice and says so.

A lesson records the sha256 of its inputs (lesson plan, its chunks' text, the system prompt, the
engine, the lesson code; for an offline guided reading also its module's title and its sources' titles
and types, which it shows) in its front matter: a re-run regenerates only lessons whose inputs changed,
and a run killed half-way does not redo the lessons it finished.

The course is written in its language (:mod:`stages.creatoros.i18n`): the brief's ``language:``, else
the mind's declared language, else the language of the brief's headings, else English.
"""

from __future__ import annotations

import contextvars
import hashlib
import json
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from contracts import get_registry
from lendaria.catalog import Catalog
from lendaria.collected import read_metadata, read_valid_file, validated_text
from lendaria.documents import parse_markdown, render_markdown
from lendaria.errors import InputError, LendariaError
from lendaria.fileio import atomic_write_bytes, sha256_bytes, write_text_if_changed
from lendaria.settings import Settings
from lendaria.yamlio import dump_yaml

from lendaria.engines.session import current_session, engine_key
from stages.creatoros import brief as briefs
from stages.creatoros import brownfield, curriculum, i18n, lessons, research, writer

HERE = Path(__file__).parent
REVIEW_CONTRACT = "creatoros-review"


class BriefIncomplete(LendariaError):
    """The course brief is not filled in enough to build a course: nothing was written."""


def mind_language(catalog: Catalog, mind: str | None) -> str | None:
    """The language the mind declares (ETL's metadata, else its ``mind.yaml``), as written; None when it declares none."""
    import yaml

    from lendaria.yamlio import load_yaml

    if not mind:
        return None
    try:
        if catalog.sources_metadata(mind).is_file():
            declared = read_metadata(catalog, mind).get("language")
            if declared:
                return str(declared)
        if catalog.mind_spec(mind).is_file():
            spec = load_yaml(catalog.mind_spec(mind).read_text(encoding="utf-8")) or {}
            return str(spec["language"]) if isinstance(spec, dict) and spec.get("language") else None
    except (OSError, LendariaError, UnicodeDecodeError, yaml.YAMLError):
        return None  # an unreadable file is reported by the stage that reads it
    return None


def init_brief(catalog: Catalog, course: str, mind: str | None, title: str | None, from_sources: bool = False) -> Path:
    """Write the course's brief: the template to fill in (greenfield), or the brief extracted from the
    legacy materials in the course's ``sources/`` folder (brownfield), in the mind's language. Never
    overwrites a brief."""
    path = catalog.brief_file(course)
    if path.exists():
        raise InputError("a course brief already exists; it is never overwritten.", file=path,
                         hint=f"Edit it, or check it with `lendaria course check {course}`.")
    ref = get_registry().latest(briefs.CONTRACT).ref
    if from_sources:
        text = brownfield_brief(catalog, course, mind, title, ref)
    else:
        text = briefs.template(course, title or course.replace("-", " ").capitalize(), mind, ref,
                               i18n.course_language(None, mind_language(catalog, mind)))
    atomic_write_bytes(path, validated_text(catalog, path, text).encode("utf-8"))
    return path


def brownfield_brief(catalog: Catalog, course: str, mind: str | None, title: str | None, ref: str) -> str:
    """The brief extracted from ``courses/<course>/sources/`` through ETL's extractors (the ``extract_text`` service)."""
    from lendaria.packs import service

    folder = catalog.course_dir(course) / "sources"
    files = sorted(p for p in folder.glob("*") if p.is_file() and not p.name.startswith(".")) if folder.is_dir() else []
    if not files:
        raise InputError("there are no legacy materials to extract a brief from.", file=folder,
                         hint="Put the old syllabus, outline or course pages (any format ETL reads) in that folder, then run again.")
    extract = service("extract_text")
    documents = [{"file": f"sources/{p.name}", **extract(p)} for p in files]
    mind_name = None
    if mind and catalog.sources_metadata(mind).is_file():
        mind_name = (read_metadata(catalog, mind).get("name") or mind)
    title = title or documents[0]["title"]
    language = i18n.course_language(None, mind_language(catalog, mind))
    front = {"contract": ref, "course": course, "title": title, "mind": mind, "mode": "brownfield", "review": False,
             **({"language": language} if language != i18n.DEFAULT else {})}
    return render_markdown(front, brownfield.body(title, brownfield.sections(documents), mind_name or mind, language))


def read_brief(catalog: Catalog, course: str) -> str:
    _, raw = read_valid_file(catalog, catalog.brief_file(course), f"Scaffold one: `lendaria course init {course} --mind <slug>`.")
    return raw.decode("utf-8")


def courses_for_mind(catalog: Catalog, mind: str) -> list[str]:
    """The courses under the outputs root whose brief names ``mind`` (sorted)."""
    found = []
    for path in sorted((catalog.root / "courses").glob("*/COURSE-BRIEF.md")):
        try:
            if parse_markdown(path.read_text(encoding="utf-8")).front_matter.get("mind") == mind:
                found.append(path.parent.name)
        except (OSError, InputError, UnicodeDecodeError):
            continue  # an unreadable brief is reported by `lendaria validate` and `course check`
    return found


def _brief_mind(text: str) -> str | None:
    mind = parse_markdown(text).front_matter.get("mind")
    return mind if isinstance(mind, str) else None


def check_brief(catalog: Catalog, course: str) -> briefs.Completeness:
    """How complete the brief is, reported in its language (the mind's when the brief does not say)."""
    text = read_brief(catalog, course)
    return briefs.completeness(text, mind_language(catalog, _brief_mind(text)))


@dataclass
class CourseResult:
    course: str
    mind: str | None
    lessons: int
    regenerated: list[str]
    fidelity: dict[str, Any]
    written: list[str] = field(default_factory=list)
    calls: list[Any] = field(default_factory=list)  # engine calls made by lesson jobs outside the run's session
    methods: dict[str, int] = field(default_factory=dict)  # lessons per method: written, extractive (guided reading), outline
    language: str = i18n.DEFAULT  # the course's: the language of its summary

    def summary(self) -> str:
        """One line in the course's language: the voice, the lessons, their fidelity and what was written."""
        text = i18n.texts(self.language)["summary"]
        if not self.mind:
            voice = text["voice_no_mind"]
        elif self.methods.get("written"):
            voice = text["voice_written"].format(mind=self.mind)
        else:
            voice = text["voice_passages"].format(mind=self.mind)
        counts = ", ".join(text["status"].format(count=n, status=text["statuses"].get(status, status))
                           for status, n in sorted(self.fidelity["statuses"].items()))
        changed = text["written"].format(count=len(self.written)) if self.written else text["unchanged"]
        guided = (text["guided"].format(count=self.methods["extractive"], mind=self.mind, engine_setting=lessons.ENGINE_SETTING)
                  if self.mind and self.methods.get("extractive") else "")
        return text["line"].format(course=self.course, voice=voice, lessons=self.lessons, generated=len(self.regenerated),
                                   unchanged=self.lessons - len(self.regenerated), statuses=counts, changed=changed, guided=guided)


def _mind_material(catalog: Catalog, mind: str | None) -> tuple[Any, str | None, str]:
    """(kb index of the mind's PUBLIC sources, system prompt text, mind's name) when the mind's MMOS
    outputs exist, else (None, None, "")."""
    from lendaria.packs import service

    if mind is None or not catalog.kb_chunks_file(mind).is_file() or not catalog.system_prompt_file(mind).is_file():
        return None, None, ""
    index = service("knowledge_base")(catalog.root, mind, public_only=True)  # a course is published: PUBLIC sources only
    _, raw = read_valid_file(catalog, catalog.system_prompt_file(mind), f"Run MMOS first: `lendaria run {mind} --stages mmos`.")
    prompt = raw.decode("utf-8")
    return index, prompt, parse_markdown(prompt).front_matter.get("name") or mind


LESSON_CODE = ("lessons.py", "writer.py", "i18n.py")  # the code that shapes a lesson from its plan (part of its inputs)


def _code_sha(language: str = i18n.DEFAULT) -> str:
    """The lesson code's sha256, with the text of the course's language (so a lesson is rewritten when
    its language's text changes, and only then)."""
    digest = hashlib.sha256()
    for path in (*(HERE / name for name in LESSON_CODE), i18n.data_file(i18n.supported(language) or i18n.DEFAULT)):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def lesson_inputs_sha(lesson: dict[str, Any], chunks: list[dict[str, Any]], prompt_sha: str | None, engine: str, code_sha: str,
                      module_title: str = "", sources: tuple[tuple[str, str, str], ...] = ()) -> str:
    shown = {"module": module_title, "sources": [list(s) for s in sources]} if module_title or sources else {}
    payload = json.dumps({"lesson": lesson, "chunks": [c["text"] for c in chunks], "prompt": prompt_sha, "engine": engine,
                          "code": code_sha, **shown}, sort_keys=True, ensure_ascii=False)
    return sha256_bytes(payload.encode("utf-8"))


def _existing_inputs_sha(path: Path) -> str | None:
    try:
        return parse_markdown(path.read_text(encoding="utf-8")).front_matter.get("inputs_sha256")
    except (OSError, InputError, UnicodeDecodeError):
        return None


@dataclass
class CoursePlan:
    """What the lessons are written from: the checked brief, the mind's material and the curriculum."""

    course: str
    brief: briefs.Brief
    mind: str | None
    name: str
    index: Any
    prompt: str | None
    plan: dict[str, Any]
    curriculum_sha: str
    written: list[str]
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)  # the mind's source id -> (type, title), for guided readings


def _source_titles(catalog: Catalog, mind: str | None) -> dict[str, dict[str, Any]]:
    """The type and title of each of the mind's sources (from ETL's metadata.yaml), or nothing."""
    if mind is None or not catalog.sources_metadata(mind).is_file():
        return {}
    return {e["source_id"]: {"type": e.get("type"), "title": e.get("title")} for e in read_metadata(catalog, mind).get("sources") or []}


class ReviewRequired(LendariaError):
    """The brief asks for a review of the curriculum, and the current curriculum has no approval."""


def build_course(course: str, outputs_root: Path, settings: Settings) -> CourseResult:
    """Brief → research → curriculum → (review) → lessons → fidelity summary."""
    planned = plan_course(course, outputs_root, settings)
    check_review(Catalog(outputs_root), planned)
    return write_course(planned, outputs_root, settings)


def check_review(catalog: Catalog, planned: CoursePlan) -> None:
    """Nothing when the brief asks for no review or the current curriculum is approved; otherwise
    :class:`ReviewRequired`, saying what to do."""
    if not planned.brief.review:
        return
    decision = recorded_review(catalog, planned)
    if decision is None:
        raise ReviewRequired(f"course {planned.course} asks for a review of its curriculum (review: true) and this curriculum "
                             "has none yet; no lesson was written.", file=catalog.relative(catalog.curriculum_file(planned.course)),
                             hint=f"Run it through the pipeline (`lendaria run {planned.mind or '<mind>'} --course {planned.course}`) "
                                  "and approve it in the Prefect UI, or set review: false in the brief.")
    if not decision["approved"]:
        raise ReviewRequired(f"the curriculum of {planned.course} was not approved: {decision['notes'] or 'no notes'}; no lesson "
                             "was written.", file=catalog.relative(review_file(catalog, planned.course)),
                             hint="Change the brief (the curriculum follows it) and run again.")


def review_file(catalog: Catalog, course: str) -> Path:
    return catalog.course_dir(course) / "review.yaml"


def recorded_review(catalog: Catalog, planned: CoursePlan) -> dict[str, Any] | None:
    """The review recorded for the current curriculum (a review of an older curriculum does not count)."""
    from lendaria.yamlio import load_yaml

    path = review_file(catalog, planned.course)
    if not path.is_file():
        return None
    _, raw = read_valid_file(catalog, path, "")
    review = load_yaml(raw.decode("utf-8"))
    return review if review.get("curriculum_sha256") == planned.curriculum_sha else None


def record_review(catalog: Catalog, planned: CoursePlan, approved: bool, notes: str, flow_run_id: str | None) -> str:
    path = review_file(catalog, planned.course)
    document = {"contract": get_registry().latest(REVIEW_CONTRACT).ref, "course": planned.course,
                "curriculum_sha256": planned.curriculum_sha, "approved": approved, "notes": notes, "flow_run_id": flow_run_id}
    write_text_if_changed(path, validated_text(catalog, path, dump_yaml(document)))
    return catalog.relative(path)


def plan_course(course: str, outputs_root: Path, settings: Settings | None = None) -> CoursePlan:
    """The checked brief, research and curriculum (written), and the mind's material. With a model
    engine (``settings``), the market research gains the model's checked analysis; it is asked again
    only when the research's inputs change."""
    catalog = Catalog(outputs_root)
    text = read_brief(catalog, course)
    declared = mind_language(catalog, _brief_mind(text))
    report = briefs.completeness(text, declared)
    if not report.passed:
        message, hint = report.refusal()
        raise BriefIncomplete(message, file=catalog.relative(catalog.brief_file(course)), hint=hint)
    brief = briefs.parse(text, declared)
    if brief.course != course:
        raise InputError(f"the brief names course {brief.course!r}, but it is in the folder of {course!r}.",
                         file=catalog.relative(catalog.brief_file(course)), hint="Make the front matter's course match the folder.")
    index, prompt, name = _mind_material(catalog, brief.mind)
    mind = brief.mind if index is not None else None
    registry = get_registry()
    texts: dict[Path, str] = {}
    session = current_session(settings) if settings is not None else None
    engine = engine_key(session, settings) if session is not None else "offline"
    research_code = (HERE / "research.py").read_bytes() + i18n.data_file(brief.language).read_bytes()  # with its language's text
    inputs = sha256_bytes(json.dumps({"brief": text, "engine": engine, "chunks": [r["id"] for r in index.records] if index else [],
                                      "code": sha256_bytes(research_code), "language": brief.language}).encode("utf-8"))
    market_path = catalog.research_file(course, "market")
    reuse = engine != "offline" and _existing_inputs_sha(market_path) == inputs  # the model's analysis of these inputs exists
    analysis = (lambda rows: research.model_analysis(brief, rows, text, session, mind)) if engine != "offline" and not reuse else None
    for kind, document in research.documents(brief, index, name, analysis).items():
        path = catalog.research_file(course, kind)
        if kind == "market" and reuse:
            texts[path] = path.read_text(encoding="utf-8")
            continue
        front = {"contract": registry.latest(research.CONTRACT).ref, "course": course, "kind": kind, "mind": mind, "engine": engine,
                 "inputs_sha256": inputs}
        texts[path] = validated_text(catalog, path, render_markdown(front, document))
    plan = curriculum.build(brief, index)
    curriculum_path = catalog.curriculum_file(course)
    texts[curriculum_path] = validated_text(catalog, curriculum_path, dump_yaml({"contract": registry.latest(curriculum.CONTRACT).ref, **plan}))
    written = [catalog.relative(p) for p, t in texts.items() if write_text_if_changed(p, t)]
    return CoursePlan(course, brief, mind, name, index, prompt, plan, sha256_bytes(texts[curriculum_path].encode("utf-8")), written,
                      _source_titles(catalog, mind))


@dataclass(frozen=True)
class LessonJob:
    """Everything one lesson is written from: a picklable unit of work (a Prefect task, on threads or
    on Dask workers). The file is written by the job itself, so a killed run keeps the finished ones."""

    course: str
    lesson: dict[str, Any]
    chunks: tuple[dict[str, Any], ...]
    mind: str | None
    name: str
    prompt: str | None
    prompt_sha: str | None
    engine: str
    curriculum_sha: str
    inputs_sha: str
    outputs_root: str
    writes: bool  # a model writes the lesson (else a guided reading, or an outline without material)
    module_title: str = ""
    sources: tuple[tuple[str, str, str], ...] = ()  # (source id, type, title) of the sources of the lesson's chunks
    language: str = i18n.DEFAULT  # the course's: the language of the lesson's own text


@dataclass(frozen=True)
class LessonDone:
    lesson_id: str
    fidelity: dict[str, Any]
    made: bool  # False: its inputs were unchanged, the existing file was kept
    text: str = ""  # the lesson file's text, when made
    calls: tuple[Any, ...] = ()  # engine calls made outside the run's own session (a Dask worker's)
    method: str = ""  # written, extractive (a guided reading) or outline


def lesson_jobs(planned: CoursePlan, outputs_root: Path, settings: Settings) -> tuple[list[LessonJob], list[LessonDone]]:
    """The lessons to (re)write, and those kept because their recorded inputs hash is unchanged."""
    catalog = Catalog(outputs_root)
    prompt_sha = sha256_bytes(planned.prompt.encode("utf-8")) if planned.prompt else None
    by_id = {r["id"]: r for r in planned.index.records} if planned.index is not None else {}
    engine = engine_key(current_session(settings), settings)  # "offline", or the model's engine and name
    code_sha = _code_sha(planned.brief.language)
    jobs, kept = [], []
    for module in planned.plan["modules"]:
        for lesson in module["lessons"]:
            path = catalog.lesson_file(planned.course, lesson["number"])
            chunks = tuple(by_id[c] for c in lesson["chunks"] if c in by_id)
            sources = tuple((sid, str(planned.sources[sid].get("type") or ""), str(planned.sources[sid].get("title") or ""))
                            for sid in sorted({c["source_id"] for c in chunks}) if sid in planned.sources)
            writes = engine != "offline" and planned.mind is not None
            inputs = (lesson_inputs_sha(lesson, list(chunks), prompt_sha, engine, code_sha) if writes else  # a guided reading also
                      lesson_inputs_sha(lesson, list(chunks), prompt_sha, engine, code_sha, module["title"], sources))  # shows these
            if _existing_inputs_sha(path) == inputs:
                front = parse_markdown(path.read_text(encoding="utf-8")).front_matter
                kept.append(LessonDone(lesson["id"], front["fidelity"], False, method=front.get("method", "")))
                continue
            jobs.append(LessonJob(planned.course, lesson, chunks, planned.mind, planned.name, planned.prompt, prompt_sha, engine,
                                  planned.curriculum_sha, inputs, str(outputs_root), writes, module["title"], sources,
                                  planned.brief.language))
    return jobs, kept


def lesson_request(job: LessonJob, previous: float | None = None) -> tuple[writer.LessonInput, dict[str, Any]]:
    """The model call that writes ``job``'s lesson (``previous``: the last draft's score, on a rewrite)."""
    lesson, objective = job.lesson, job.lesson["objectives"][0]
    return (writer.LessonInput(title=lesson["title"], objective=objective["text"], bloom=objective["bloom"],
                               key_concepts=lesson["key_concepts"], target_words=lesson["target_words"], passages=len(job.chunks),
                               previous_score=previous, language=job.language),
            {"step": "creatoros.lesson", "mind": job.mind, "stable_prefix": job.prompt, "passages": tuple(c["text"] for c in job.chunks)})


def prefetch_first_drafts(jobs: list[LessonJob]) -> None:
    """When the run batches: every lesson's first draft in one Message Batch, its answers kept in the
    response cache, where each lesson's own first call then finds them (a rewrite, which depends on the
    draft's score, is asked call by call). Without a readable response cache (--force) nothing is
    prefetched, so nothing is paid twice."""
    from lendaria.engines.session import current_session

    session = current_session()
    cache = getattr(session.choice.primary, "cache", None)
    writing = [job for job in jobs if job.writes]
    if session.batch_state is None or cache is None or not cache.read or not writing:
        return
    session.run_many(writer.WRITE_LESSON, [lesson_request(job) for job in writing])


def _written_by_model(job: LessonJob, session: Any, score: Any) -> tuple[str, dict[str, Any]]:
    """The lesson written by the model, rewritten while its own prose scores below the threshold."""
    lesson, chunks, previous = job.lesson, job.chunks, None
    for attempt in range(1, writer.MAX_ATTEMPTS + 1):
        payload, call = lesson_request(job, previous)
        written = session.run(writer.WRITE_LESSON, payload, **call)
        body = writer.render(lesson, written, job.name, job.engine, job.language)
        fidelity = lessons.fidelity_report(body, job.mind, score, [c["text"] for c in chunks], language=job.language)
        if fidelity["status"] != "scored" or fidelity["passed"]:
            break
        previous = fidelity["score"]
    fidelity["attempts"] = attempt
    if fidelity["status"] == "scored" and not fidelity["passed"]:
        fidelity["flagged"] = True  # still below the threshold after every attempt
    return body, fidelity


def compose_lesson(job: LessonJob, settings: Settings) -> LessonDone:
    """One lesson's file text (validated) and its fidelity; the caller writes it. Pure of side effects
    besides engine calls, so its result can be cached by ``job.inputs_sha`` and it can run anywhere."""
    from lendaria.engines.session import has_run_session
    from lendaria.packs import service

    outputs_root = Path(job.outputs_root)
    catalog = Catalog(outputs_root)
    lesson, chunks = job.lesson, list(job.chunks)
    score = (lambda texts_: service("fidelity")(outputs_root, job.mind, texts_)) if job.mind else None
    own_session = not has_run_session()
    session = current_session(settings) if job.writes else None
    if not chunks:
        body, method = lessons.neutral_body(lesson, job.language), "outline"
        fidelity = lessons.fidelity_report(body, job.mind, score, language=job.language)
    elif job.writes:
        (body, fidelity), method = _written_by_model(job, session, score), "written"
    else:
        sources = {sid: {"type": kind, "title": title} for sid, kind, title in job.sources}
        name = job.name or i18n.texts(job.language)["lesson"]["default_mind_name"]
        body, method = lessons.guided_reading(lesson, chunks, name, sources, job.module_title, job.language), "extractive"
        fidelity = lessons.fidelity_report(body, job.mind, score, [c["text"] for c in chunks], guided=True, language=job.language)
    front = {"contract": get_registry().latest(lessons.CONTRACT).ref, "course": job.course, "lesson": lesson["id"],
             "number": lesson["number"], "title": lesson["title"], "mind": job.mind, "engine": job.engine, "method": method,
             "curriculum_sha256": job.curriculum_sha, "system_prompt_sha256": job.prompt_sha, "inputs_sha256": job.inputs_sha,
             "fidelity": fidelity}
    text = validated_text(catalog, catalog.lesson_file(job.course, lesson["number"]), render_markdown(front, body))
    calls = tuple(session.ledger.calls) if session is not None and own_session else ()
    return LessonDone(lesson["id"], fidelity, True, text, calls, method)


def threads(settings: Settings) -> Callable[[list[LessonJob]], Iterator[LessonDone]]:
    """The default way to run lesson jobs: a bounded thread pool in this process (each job in a copy
    of the caller's context, so it uses the run's engine session); results as they finish."""
    def run(jobs: list[LessonJob]) -> Iterator[LessonDone]:
        with ThreadPoolExecutor(max_workers=max(1, settings.engine_concurrency), thread_name_prefix="lesson") as pool:
            futures = [pool.submit(contextvars.copy_context().run, compose_lesson, job, settings) for job in jobs]
            for future in as_completed(futures):
                yield future.result()
    return run


def write_course(planned: CoursePlan, outputs_root: Path, settings: Settings,
                 run_jobs: Callable[[list[LessonJob]], Iterable[LessonDone]] | None = None,
                 on_progress: Callable[[int, int], None] | None = None) -> CourseResult:
    """The lessons (only those whose inputs changed, in parallel through ``run_jobs``: by default a
    thread pool; the CreatorOS flow passes Prefect tasks) and the course's fidelity summary. Each lesson
    file is written as soon as it is done, so a killed run keeps the finished ones; ``on_progress``
    hears (lessons ready, lessons in all) after each."""
    from lendaria.engines.session import engine_session, has_run_session

    if not has_run_session():  # called alone (`lendaria course build`): one session for the whole course
        with engine_session(settings, "local"):
            return write_course(planned, outputs_root, settings, run_jobs, on_progress)
    catalog = Catalog(outputs_root)
    run_jobs = run_jobs or threads(settings)
    jobs, kept = lesson_jobs(planned, outputs_root, settings)
    prefetch_first_drafts(jobs)
    done = {d.lesson_id: d for d in kept}
    # with a model, the first lesson goes alone so the shared prefix (the system prompt) is cached for the rest
    batches = [jobs[:1], jobs[1:]] if jobs and jobs[0].writes else [jobs]
    for batch in batches:
        for finished in run_jobs(batch) if batch else ():
            atomic_write_bytes(catalog.lesson_file(planned.course, finished_number(finished)), finished.text.encode("utf-8"))
            done[finished.lesson_id] = finished
            if on_progress:
                on_progress(len(done), len(jobs) + len(kept))
    order = [lesson["id"] for module in planned.plan["modules"] for lesson in module["lessons"]]
    regenerated = [lesson_id for lesson_id in order if done[lesson_id].made]
    written = list(planned.written) + [catalog.relative(catalog.lesson_file(planned.course, finished_number(done[i]))) for i in regenerated]
    methods: dict[str, int] = {}
    for lesson_id in order:
        methods[done[lesson_id].method] = methods.get(done[lesson_id].method, 0) + 1
    summary = lessons.course_fidelity(planned.course, planned.mind, [(lesson_id, done[lesson_id].fidelity) for lesson_id in order],
                                      guided=methods.get("extractive", 0), language=planned.brief.language)
    fidelity_path = catalog.course_fidelity_file(planned.course)
    fidelity_text = validated_text(catalog, fidelity_path, dump_yaml({"contract": get_registry().latest(lessons.FIDELITY_CONTRACT).ref, **summary}))
    if write_text_if_changed(fidelity_path, fidelity_text):
        written.append(catalog.relative(fidelity_path))
    return CourseResult(planned.course, planned.mind, len(order), regenerated, summary, written,
                        [call for d in done.values() for call in d.calls], dict(sorted(methods.items())), planned.brief.language)


def finished_number(done: LessonDone) -> int:
    return int(done.lesson_id.split("-")[1])

def scope(slug: str, mind: str, outputs_root: Path, options: dict) -> list[Path]:
    """What CreatorOS reads and writes (lendaria.resume): the mind's folder and the folder of every
    course it builds (the given ones, else every course whose brief names the mind)."""
    catalog = Catalog(outputs_root)
    courses = options.get("courses") or courses_for_mind(catalog, slug)
    return [catalog.mind_dir(slug), *(catalog.course_dir(course) for course in courses)]
