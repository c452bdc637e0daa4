"""CreatorOS, offline: the brief's template and completeness check, research, the curriculum, lessons as
guided readings of the mind's PUBLIC passages with an honest fidelity report, and incremental lessons."""

from __future__ import annotations

import hashlib
import json
import re
import shutil

import pytest

from contracts import get_registry
from lendaria.documents import parse_markdown
from lendaria.settings import Settings
from lendaria.yamlio import load_yaml
from stages.creatoros import brief as briefs
from stages.creatoros import curriculum, lessons
from stages.creatoros.run import build_course
from tests.conftest import COMMITTED_OUTPUTS, DEMO_SLUG, run_cli
from tests.support.anthropic_stub import message_with_tool_use, ok, usage
from tests.support.api import resume_with_input

COURSE = "shore-counting"
BRIEF = COMMITTED_OUTPUTS / "courses" / COURSE / "COURSE-BRIEF.md"
KEYWORD_BULLET = re.compile(r"\*\*[^*\n]+\*\*\s*:")


@pytest.fixture
def course_outputs(tmp_path):
    """The committed demo mind (with its MMOS outputs) and the demo course's brief."""
    out = tmp_path / "out"
    shutil.copytree(COMMITTED_OUTPUTS / "minds" / DEMO_SLUG, out / "minds" / DEMO_SLUG)
    (out / "courses" / COURSE).mkdir(parents=True)
    shutil.copy(BRIEF, out / "courses" / COURSE / "COURSE-BRIEF.md")
    return out


def test_an_untouched_template_is_0_percent_and_building_it_is_refused_with_what_is_missing(tmp_path):
    out = tmp_path / "out"
    done = run_cli("course", "init", "my-course", "--mind", DEMO_SLUG, "--outputs", str(out))
    assert done.returncode == 0, done.stderr
    assert run_cli("course", "init", "my-course", "--outputs", str(out)).returncode == 1  # never overwritten
    check = run_cli("course", "check", "my-course", "--outputs", str(out))
    assert check.returncode == 1 and "0% complete" in check.stdout and "missing: Topic, Audience, Outcomes" in check.stdout
    brief = out / "courses" / "my-course" / "COURSE-BRIEF.md"
    text = brief.read_text()
    text = text.replace("## Topic\n\n", "## Topic\n\nCounting crabs in rock pools.\n\n")
    text = text.replace("## Outcomes\n\n", "## Outcomes\n\n- Count the crabs in one pool\n\n")
    brief.write_text(text)
    assert briefs.completeness(text).percent == round(100 * 2 / 7, 1)
    build = run_cli("course", "build", "my-course", "--outputs", str(out))
    assert build.returncode == 1 and "Traceback" not in build.stderr
    assert "29% complete" in build.stderr and "missing: Audience, Format, Length, Voice, Constraints" in build.stderr
    assert sorted(p.name for p in (out / "courses" / "my-course").iterdir()) == ["COURSE-BRIEF.md"]  # nothing written


def test_bloom_levels_and_lesson_plan():
    assert curriculum.bloom_level("Keep a field notebook") == "apply"
    assert curriculum.bloom_level("Explain why counts matter") == "understand"
    assert curriculum.bloom_level("Design a survey") == "create" and curriculum.bloom_level("Tide pools") == "apply"
    assert curriculum.lesson_plan(["a", "b", "c"], 7) == [3, 2, 2] and curriculum.lesson_plan(["a", "b"], None) == [1, 1]
    assert curriculum.lesson_plan(["a", "b", "c"], 2) == [1, 1, 1]  # every outcome gets a lesson


def test_the_demo_course_builds_offline_from_public_passages_validates_and_reports_fidelity_honestly(course_outputs, tmp_path):
    settings = Settings(home=tmp_path / "home")
    result = build_course(COURSE, course_outputs, settings)
    course = course_outputs / "courses" / COURSE
    plan = load_yaml((course / "curriculum.yaml").read_text())
    assert plan["lessons"] == 6 and len(plan["modules"]) == 5 and result.lessons == 6
    metadata = load_yaml((course_outputs / "minds" / DEMO_SLUG / "sources" / "metadata.yaml").read_text())
    private = {s["source_id"] for s in metadata["sources"] if s.get("classification", "PUBLIC") != "PUBLIC"}
    assert private  # the demo has a PRIVATE draft, and no course material comes from it
    bodies = {p.name.removesuffix(".md"): parse_markdown(p.read_text()).body for p in (course_outputs / "minds" / DEMO_SLUG / "sources").glob("*.md")}
    for path in sorted((course / "lessons").glob("lesson-*.md")):
        lesson = parse_markdown(path.read_text())
        assert lesson.sections == list(lessons.GUIDED_SECTIONS) and lesson.front_matter["method"] == "extractive"
        assert "A guided reading, built offline" in lesson.body and "needs the Anthropic engine (`LENDARIA_ENGINE=anthropic`)" in lesson.body
        assert not KEYWORD_BULLET.search(lesson.body)  # no "- **keyword**: quote" collage
        quotes = re.findall(r"“([^”]*)” \[([a-z0-9-]+)@(\d+):(\d+)\]", lesson.body)
        assert len(quotes) >= 3
        for text, source_id, start, end in quotes:
            assert source_id not in private and " ".join(bodies[source_id][int(start):int(end)].split()) == text
        fidelity = lesson.front_matter["fidelity"]
        assert fidelity["status"] == "too little own prose" and "score" not in fidelity and fidelity["verbatim_share"] > 0.3
        assert "not written in the person's voice" in fidelity["note"]
    for lesson in (lesson for module in plan["modules"] for lesson in module["lessons"]):
        assert lesson["objectives"][0]["bloom"] in curriculum.BLOOM and lesson["chunks"] and lesson["key_concepts"]
        assert not {e["source_id"] for e in lesson["evidence"]} & private
    coverage = (course / "research" / "coverage.md").read_text()
    assert coverage.count("- **") == 5 and "## Content gaps" in coverage
    market = (course / "research" / "market.md").read_text()
    measured = re.sub(r"\d+ of \d+ outcomes are well covered", "", parse_markdown(market).body)  # counted from the coverage above
    assert not re.search(r"\d", measured)  # no market figure: the brief's Audience and Format hold none
    summary = load_yaml((course / "fidelity.yaml").read_text())
    assert summary["statuses"] == {"too little own prose": 6} and summary["overall"]["scored"] == 0
    assert "6 of 6 lessons are offline guided readings" in summary["method"] and "Anthropic engine (LENDARIA_ENGINE=anthropic)" in summary["method"]
    assert result.methods == {"extractive": 6} and "from iris-valente's own passages" in result.summary()
    assert "lessons written in iris-valente's voice need the Anthropic engine (LENDARIA_ENGINE=anthropic)" in result.summary()
    assert run_cli("validate", str(course_outputs)).returncode == 0


def test_an_unchanged_rerun_rewrites_nothing_and_a_changed_lesson_input_regenerates_that_lesson_only(course_outputs, tmp_path):
    settings = Settings(home=tmp_path / "home")
    build_course(COURSE, course_outputs, settings)
    lessons_dir = course_outputs / "courses" / COURSE / "lessons"
    before = {p.name: p.read_bytes() for p in lessons_dir.glob("*.md")}
    again = build_course(COURSE, course_outputs, settings)
    assert again.written == [] and again.regenerated == []
    (lessons_dir / "lesson-004.md").unlink()  # as if a run was killed before this lesson landed
    brief = course_outputs / "courses" / COURSE / "COURSE-BRIEF.md"
    brief.write_text(brief.read_text().replace("- Write down uncertainty honestly instead of guessing",
                                               "- Write down uncertainty honestly, with a box around every guess"))
    third = build_course(COURSE, course_outputs, settings)
    assert third.regenerated == ["lesson-004", "lesson-005"]  # the missing lesson and the changed outcome's lesson
    after = {p.name: p.read_bytes() for p in lessons_dir.glob("*.md")}
    assert sorted(n for n in before if before[n] != after[n]) == ["lesson-004.md", "lesson-005.md"]
    same = parse_markdown(before["lesson-004.md"].decode()), parse_markdown(after["lesson-004.md"].decode())
    assert same[0].body == same[1].body and same[0].front_matter["inputs_sha256"] == same[1].front_matter["inputs_sha256"]  # only the curriculum hash moved


def test_without_a_mind_the_course_is_an_outline_in_a_neutral_voice_and_says_so(course_outputs, tmp_path):
    brief = course_outputs / "courses" / COURSE / "COURSE-BRIEF.md"
    brief.write_text(brief.read_text().replace("mind: iris-valente", "mind: null"))
    result = build_course(COURSE, course_outputs, Settings(home=tmp_path / "home"))
    assert "neutral voice (no mind)" in result.summary() and result.fidelity["statuses"] == {"no mind": 6}
    lesson = parse_markdown((course_outputs / "courses" / COURSE / "lessons" / "lesson-001.md").read_text())
    assert lesson.front_matter["method"] == "outline" and "neutral voice" in lesson.body and "“" not in lesson.body
    assert "every outcome is a gap" in (course_outputs / "courses" / COURSE / "research" / "coverage.md").read_text()


KEY = "sk-ant-test-creatoros-0123456789"
RESEARCH_ANSWER = {"audience": "Families and volunteers who live near the shore. The market for nature courses grows 23% a year.",
                   "gaps": "Honest uncertainty is covered thinly. The brief asks for 6 lessons, so one could go to it.",
                   "differentiation": "The course speaks with a counter's long experience of one beach.",
                   "citations": [{"passage": 1, "quote": "words that are in no passage at all"}]}


def script_research(stub) -> None:
    stub.respond(ok(message_with_tool_use("submit_research_course", RESEARCH_ANSWER, usage=usage(2000, 300))))


def lesson_answer(text: str) -> dict:
    """Six sections cut from ``text`` (about 60 words each)."""
    words = text.split()
    parts = [" ".join(words[i * 60:(i + 1) * 60]) for i in range(6)]
    return dict(zip(("hook", "concepts", "examples", "reflective_question", "summary", "action"), parts))


def held_out_text(out) -> str:
    """Iris's held-out words: her voice, but in none of the lessons' passages (a model that writes like her)."""
    mind = out / "minds" / DEMO_SLUG
    bodies = {p.name.removesuffix(".md"): parse_markdown(p.read_text()).body for p in (mind / "sources").glob("*.md")}
    held = load_yaml((mind / "analysis" / "voice-profile.yaml").read_text())["split"]["held_out"]
    return " ".join(bodies[h["source_id"]][h["start"]:h["end"]] for h in held if not h["source_id"].startswith("field-guide"))


def test_with_the_model_lessons_run_concurrently_after_a_cached_first_one_and_are_scored_on_own_prose(course_outputs, tmp_path, anthropic_stub):
    from lendaria.engines.session import engine_session
    from tests.support.anthropic_stub import AUTO_USAGE

    script_research(anthropic_stub)
    anthropic_stub.always(ok(message_with_tool_use("submit_write_lesson", lesson_answer(held_out_text(course_outputs)), usage=AUTO_USAGE), delay=0.4))
    claude = Settings(home=tmp_path / "home", engine="anthropic", anthropic_api_key=KEY, anthropic_base_url=anthropic_stub.base_url,
                      engine_concurrency=4)
    with engine_session(claude, "test-course") as session:
        result = build_course(COURSE, course_outputs, claude)
    research_call, *calls = session.ledger.calls
    assert research_call.capability == "research_course" and len(calls) == 6 and result.fidelity["statuses"] == {"scored": 6}
    assert anthropic_stub.max_in_flight >= 2  # lessons 2-6 overlapped
    assert calls[0].cache_write_tokens > 0 and all(c.cache_read_tokens > 0 for c in calls[1:])  # the system prompt, cached once
    research_body, *sent = [r["body"] for r in anthropic_stub.requests if r["path"].endswith("/messages")]
    assert all("## Cognitive Patterns" in json.dumps(body["system"]) for body in sent)
    assert all('"language": "en"' in json.dumps(body["messages"]).replace('\\"', '"') for body in [research_body, *sent])  # the course's language, named
    market = (course_outputs / "courses" / COURSE / "research" / "market.md").read_text()
    assert "## Analysis" in market and "23%" not in market and "6 lessons, so one could go to it" in market  # an invented figure is dropped
    assert "1 sentence(s) with a figure no input contains dropped, 1 citation(s)" in market
    for path in sorted((course_outputs / "courses" / COURSE / "lessons").glob("*.md")):
        lesson = parse_markdown(path.read_text())
        fidelity = lesson.front_matter["fidelity"]
        assert lesson.front_matter["method"] == "written" and lesson.front_matter["engine"].startswith("anthropic")
        assert lesson.sections == list(lessons.SECTIONS) and "guided reading" not in lesson.body  # the model's lesson is unchanged
        assert fidelity["passed"] and fidelity["attempts"] == 1 and fidelity["own_words"] >= 250 and fidelity["verbatim_share"] < 0.2
    again = build_course(COURSE, course_outputs, claude)
    assert again.regenerated == [] and len([r for r in anthropic_stub.requests if r["path"].endswith("/messages")]) == 7  # nothing asked again


def test_a_lesson_below_the_threshold_is_rewritten_then_flagged(course_outputs, tmp_path, anthropic_stub, corpus):
    emerson = " ".join((corpus / "ralph-waldo-emerson").glob("*.txt").__next__().read_text().split()[5000:5400])
    script_research(anthropic_stub)
    anthropic_stub.always(ok(message_with_tool_use("submit_write_lesson", lesson_answer(emerson), usage=usage(3000, 600))))
    claude = Settings(home=tmp_path / "home", engine="anthropic", anthropic_api_key=KEY, anthropic_base_url=anthropic_stub.base_url)
    result = build_course(COURSE, course_outputs, claude)
    sent = [r["body"] for r in anthropic_stub.requests if r["path"].endswith("/messages")][1:]  # after the research call
    assert len(sent) == 18 and result.fidelity["statuses"] == {"scored": 6}  # three attempts per lesson
    retries = [json.loads(re.search(r"<input_json>\n(.*?)\n</input_json>", json.dumps(b["messages"]).encode().decode("unicode_escape"), re.S).group(1))
               for b in sent]
    assert sum(r["previous_score"] is not None for r in retries) == 12  # each retry is told the previous score
    lesson = parse_markdown((course_outputs / "courses" / COURSE / "lessons" / "lesson-001.md").read_text())
    assert lesson.front_matter["fidelity"]["flagged"] and lesson.front_matter["fidelity"]["attempts"] == 3


def test_runs_copied_from_the_passages_count_as_verbatim_whatever_their_markup():
    source = "The tide was out and the pools were full of small crabs hiding under every green rock we turned."
    body = ("# T\n\n## Hook\n\nI went down early. the tide was out and the pools were full of small crabs hiding under every green rock "
            "and then I wrote it all down in my notebook before breakfast.\n")
    own, own_words, words = lessons.own_prose(body, [source])
    assert "crabs" not in own and "notebook" in own and (words, own_words) == (33, 16)  # the 17 copied words are not own prose


def demo_lessons():
    """(module, lesson, its kb chunks) of the committed demo curriculum, the sources' metadata and bodies."""
    plan = load_yaml((COMMITTED_OUTPUTS / "courses" / COURSE / "curriculum.yaml").read_text())
    mind = COMMITTED_OUTPUTS / "minds" / DEMO_SLUG
    records = {r["id"]: r for r in map(json.loads, (mind / "kb" / "chunks.jsonl").read_text().splitlines())}
    sources = {e["source_id"]: e for e in load_yaml((mind / "sources" / "metadata.yaml").read_text())["sources"]}
    bodies = {p.name.removesuffix(".md"): parse_markdown(p.read_text()).body for p in (mind / "sources").glob("*.md")}
    found = [(module, lesson, [records[c] for c in lesson["chunks"]]) for module in plan["modules"] for lesson in module["lessons"]]
    return found, sources, bodies


PASSAGE = re.compile(r"^(\d+)\. “([^”]*)” \[([a-z0-9-]+)@(\d+):(\d+)\]\n\n   (Why chosen: .*)$", re.M)


def test_an_offline_lesson_is_a_guided_reading_with_resolving_quotes_why_each_was_chosen_questions_and_an_exercise():
    from lendaria.documents import split_sections

    found, sources, bodies = demo_lessons()
    assert len(found) == 6
    for module, lesson, chunks in found:
        body = lessons.guided_reading(lesson, chunks, "Iris Valente", sources, module["title"])
        assert body == lessons.guided_reading(json.loads(json.dumps(lesson)), list(reversed(chunks)), "Iris Valente", dict(sources),
                                              module["title"])  # the same inputs give the same bytes, whatever their order
        titles, sections = split_sections(body)
        assert titles == list(lessons.GUIDED_SECTIONS) and not KEYWORD_BULLET.search(body)
        objective = lesson["objectives"][0]
        assert sections["Objective"].startswith(f"{objective['text'].rstrip('.')} (Bloom level: {objective['bloom']}).")
        passages = PASSAGE.findall(sections["Passages"])
        assert 3 <= len(passages) <= 4 and [int(p[0]) for p in passages] == list(range(1, len(passages) + 1))
        assert len(re.findall(r"^\d+\. ", sections["Passages"], re.M)) == len(passages)  # every passage has its why line
        assert len({p[2] for p in passages}) >= min(2, len({c["source_id"] for c in chunks}))  # spread over sources
        objective_terms = lessons.terms(objective["text"])
        ranks = [lessons.relevance(p[1], objective_terms, lesson["key_concepts"]) for p in passages]
        assert ranks == sorted(ranks, reverse=True) and ranks[0] > 0  # by relevance to the objective
        for _, text, source_id, start, end, why in passages:
            assert " ".join(bodies[source_id][int(start):int(end)].split()) == text and not re.search(r"[“”\"]", text)
            named = re.match(r"Why chosen: it uses (.*?) from the objective", why)
            assert named, why
            for word in re.findall(r"\*([^*]+)\*", named.group(1)):  # only words the objective and the passage both have
                assert word in objective_terms and lessons.shared(text, [word]) == [word]
            assert ("first person" in why) == bool(re.search(r"\b(?:I|me|my|we|us|our|Me|My|We|Us|Our)\b", text))
            assert why.endswith(f"from *{sources[source_id]['title']}* ({sources[source_id]['type'].replace('_', ' ')}).")
        questions = [q for q in sections["Questions"].splitlines() if q.startswith("- ")]
        assert len(questions) >= 2 and all(q.rstrip().endswith(("?", "]")) for q in questions)
        for text, source_id, start, end in re.findall(r"asks: “([^”]*)” \[([a-z0-9-]+)@(\d+):(\d+)\]", sections["Questions"]):
            assert " ".join(bodies[source_id][int(start):int(end)].split()) == text and text.endswith("?")
        assert sections["Exercise"] == lessons.EXERCISES[objective["bloom"]]
        assert lessons.own_prose(body, [c["text"] for c in chunks])[1] < lessons.MIN_OWN_WORDS


NOTEBOOK_TEXT = ("I keep my field notebook in a dry box, and I write the date and the tide at the top of every page. "
                 "Keep the notebook with you on every visit, even when the weather is poor and the count is short. "
                 "She always said “count twice” and the whole group laughed at the idea of counting anything twice. "
                 "What would a stranger make of your field notebook in twenty years from now? "
                 "A record that nobody else can read is a diary, however careful the handwriting in it may be. "
                 "My first notebooks were useless to anyone else, because I never wrote down where I had stood. "
                 "The squares on the north beach are marked with bolts so that the next counter finds the same place.")


def notebook_lesson(bloom: str = "analyse", title: str = "A Field Notebook") -> tuple[dict, list[dict], dict, str]:
    source = "x" * 100 + NOTEBOOK_TEXT
    chunk = {"id": "m-kb-0000", "source_id": "essay-notebook-0000aaaa", "start": 100, "end": len(source), "text": NOTEBOOK_TEXT}
    lesson = {"id": "lesson-001", "number": 1, "title": "Compare field notebooks", "key_concepts": ["record", "squares", "tide"],
              "objectives": [{"text": "Compare field notebooks that another person can read", "bloom": bloom}], "chunks": ["m-kb-0000"]}
    return lesson, [chunk], {"essay-notebook-0000aaaa": {"type": "essay", "title": title}}, source


def test_a_guided_reading_quotes_only_the_persons_own_sentences_and_states_only_observable_facts():
    from lendaria.documents import split_sections

    lesson, chunks, sources, source = notebook_lesson()
    body = lessons.guided_reading(lesson, chunks, "Iris", sources)
    _, sections = split_sections(body)
    assert "count twice" not in body and "laughed" not in body  # a sentence holding someone else's words is never quoted
    passages = PASSAGE.findall(sections["Passages"])
    assert len(passages) == 4
    for _, text, source_id, start, end, why in passages:
        assert " ".join(source[int(start):int(end)].split()) == text
    why = {" ".join(text.split()[:2]): line for _, text, *_, line in passages}
    assert why["I keep"] == ("Why chosen: it uses *field* and *notebooks* from the objective and *tide* from the key concepts; "
                             "first person; from *A Field Notebook* (essay).")  # "notebook" counts as the objective's "notebooks"
    assert why["Keep the"] == "Why chosen: it uses *notebooks* from the objective; an instruction; addressed to the reader; from *A Field Notebook* (essay)."
    assert [p[1].split()[0] for p in passages] == ["What", "I", "My", "Keep"]  # by relevance: 7, 5, 3, 2 (objective words twice)
    assert "Iris asks: “What would a stranger make of your field notebook in twenty years from now?” [essay-notebook-0000aaaa@" in body
    assert sections["Exercise"] == lessons.EXERCISES["analyse"] and "Compare the passages" in sections["Exercise"]
    assert "What do *record*, *squares* and *tide* mean in these passages?" in sections["Questions"]
    without_sources = lessons.guided_reading(lesson, chunks, "Iris")
    assert "from *" not in without_sources and without_sources.count("Why chosen:") == 4


def test_a_guided_readings_own_text_stays_under_the_scoring_threshold_and_the_report_says_whose_words_are_whose():
    long_title = "A rather long title for an essay about field notebooks and tides"  # four passages and a question: 172 words
    lesson, chunks, sources, _ = notebook_lesson("apply", long_title)
    body = lessons.guided_reading(lesson, chunks, "Iris", sources)
    own, own_words, words = lessons.own_prose(body, [chunks[0]["text"]])
    assert own_words < lessons.MIN_OWN_WORDS and 3 <= body.count("Why chosen:") < 4  # the least relevant passage left out to fit
    assert "Iris asks:" not in body  # the person's questions go first
    report = lessons.fidelity_report(body, "iris", lambda texts: pytest.fail("a guided reading's guidance is never scored"),
                                     [chunks[0]["text"]], guided=True)
    assert report["status"] == "too little own prose" and "not written in the person's voice" in report["note"]
    assert lessons.fidelity_report("# T\n\n## Hook\n\nShort.\n", "iris", lambda t: [], guided=False)["note"].endswith("not scored")


def test_courses_persist_as_the_creatoros_role_idempotently_with_lineage(course_outputs, tmp_path, database):
    import psycopg

    from lendaria.db.persist import persist_stage
    from lendaria.db.repository import PostgresRepository

    settings = Settings(home=tmp_path / "home")
    build_course(COURSE, course_outputs, settings)
    repository = PostgresRepository(database, settings)
    persist_stage("etl", DEMO_SLUG, course_outputs, repository, run_id="run-c")
    first = persist_stage("creatoros", DEMO_SLUG, course_outputs, repository, run_id="run-c")
    again = persist_stage("creatoros", DEMO_SLUG, course_outputs, repository, run_id="run-d")
    assert first.counts["content_projects"]["written"] == 1 and first.counts["content_lessons"]["written"] == 6
    assert first.counts["content_pieces"]["written"] == 11  # brief, curriculum, 2 research, fidelity, 6 lessons
    assert all(c["written"] == 0 and c.get("deleted", 0) == 0 for c in again.counts.values())
    with psycopg.connect(database) as conn:
        project, mind = conn.execute("select p.slug, m.slug from content_projects p join minds m on m.id = p.mind_id").fetchone()
        lessons_ = conn.execute("select lesson_number, voice_fidelity, contract_path, run_id from content_lessons order by 1").fetchall()
        voices = conn.execute("select role from content_minds").fetchall()
    assert (project, mind) == (COURSE, DEMO_SLUG) and voices == [("voice",)]
    assert [n for n, *_ in lessons_] == [1, 2, 3, 4, 5, 6] and all(v is None for _, v, _, _ in lessons_)  # extractive: not scored
    assert lessons_[0][2] == f"courses/{COURSE}/lessons/lesson-001.md" and lessons_[0][3] == "run-c"
    shutil.rmtree(course_outputs / "courses" / COURSE)  # the course is gone: its rows go too
    gone = persist_stage("creatoros", DEMO_SLUG, course_outputs, repository, run_id="run-e")
    assert gone.counts["content_projects"]["deleted"] == 1
    with psycopg.connect(database) as conn:
        assert conn.execute("select count(*) from content_lessons").fetchone()[0] == 0


def _run_until_paused(course_outputs, answer: dict):
    """Run the CreatorOS flow in a thread, wait for it to pause for review, resume it with ``answer``
    through the Prefect API; return (result or exception, the paused state's name)."""
    import threading
    import time

    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterState, FlowRunFilterStateType
    from prefect.client.schemas.objects import StateType
    from prefect.settings import PREFECT_API_URL

    from flows.creatoros import creatoros_flow

    outcome: dict = {}

    def run():
        try:
            outcome["result"] = creatoros_flow(mind=DEMO_SLUG, outputs=str(course_outputs), courses=[COURSE])
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    paused = None
    with get_client(sync_client=True) as client:
        for _ in range(240):
            runs = client.read_flow_runs(flow_run_filter=FlowRunFilter(state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.PAUSED]))))
            if runs:
                paused = runs[0]
                break
            time.sleep(0.25)
    assert paused is not None, outcome
    state_name = paused.state.name
    resume_with_input(PREFECT_API_URL.value(), str(paused.id), answer)
    thread.join(timeout=120)
    return outcome, state_name


def test_a_review_gate_pauses_after_the_curriculum_and_resumes_with_the_reviewers_input(course_outputs, tmp_path, prefect_harness, monkeypatch):
    from lendaria.settings import get_settings

    monkeypatch.setenv("LENDARIA_REVIEW_POLL_SECONDS", "1")
    monkeypatch.setenv("LENDARIA_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    brief = course_outputs / "courses" / COURSE / "COURSE-BRIEF.md"
    brief.write_text(brief.read_text().replace("review: false", "review: true"))
    course = course_outputs / "courses" / COURSE
    try:
        outcome, state = _run_until_paused(course_outputs, {"approve": False, "notes": "Too little on tides; add a lesson."})
        assert state == "Paused" and "ReviewRequired" in type(outcome.get("error")).__name__ and "Too little on tides" in str(outcome["error"])
        review = load_yaml((course / "review.yaml").read_text())
        assert review["approved"] is False and review["notes"].startswith("Too little") and len(review["flow_run_id"]) == 36
        assert (course / "curriculum.yaml").is_file() and not (course / "lessons").exists()  # stopped before any lesson

        brief.write_text(brief.read_text().replace("6 lessons of about", "7 lessons of about"))  # a new curriculum: a new review
        outcome, _ = _run_until_paused(course_outputs, {"approve": True, "notes": "Good."})
        assert "error" not in outcome, outcome
        assert outcome["result"]["totals"]["lessons"] == 7 and len(list((course / "lessons").glob("*.md"))) == 7
        review = load_yaml((course / "review.yaml").read_text())
        assert review["approved"] is True and review["curriculum_sha256"] == hashlib.sha256((course / "curriculum.yaml").read_bytes()).hexdigest()
        again = creatoros_flow_direct(course_outputs)  # approved already: no pause, nothing regenerated
        assert again["totals"]["lessons_generated"] == 0
    finally:
        get_settings.cache_clear()


def creatoros_flow_direct(course_outputs) -> dict:
    from flows.creatoros import creatoros_flow

    return creatoros_flow(mind=DEMO_SLUG, outputs=str(course_outputs), courses=[COURSE])


def test_outside_the_pipeline_a_course_that_asks_for_review_is_refused_with_what_to_do(course_outputs):
    brief = course_outputs / "courses" / COURSE / "COURSE-BRIEF.md"
    brief.write_text(brief.read_text().replace("review: false", "review: true"))
    done = run_cli("course", "build", COURSE, "--outputs", str(course_outputs))
    assert done.returncode == 1 and "asks for a review of its curriculum" in done.stderr and "Prefect UI" in done.stderr
    assert not (course_outputs / "courses" / COURSE / "lessons").exists()


def test_a_build_killed_during_lesson_generation_does_not_redo_finished_lessons(course_outputs, tmp_path, anthropic_stub):
    import os
    import signal
    import subprocess
    import sys
    import time

    from tests.support.anthropic_stub import AUTO_USAGE

    script_research(anthropic_stub)
    anthropic_stub.always(ok(message_with_tool_use("submit_write_lesson", lesson_answer(held_out_text(course_outputs)), usage=AUTO_USAGE), delay=0.8))
    env = {**os.environ, "LENDARIA_ENGINE": "anthropic", "ANTHROPIC_API_KEY": KEY, "LENDARIA_ANTHROPIC_BASE_URL": anthropic_stub.base_url,
           "LENDARIA_ENGINE_CONCURRENCY": "1", "LENDARIA_HOME": str(tmp_path / "home")}
    command = [sys.executable, "-m", "lendaria", "course", "build", COURSE, "--outputs", str(course_outputs)]
    lessons_dir = course_outputs / "courses" / COURSE / "lessons"
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(lessons_dir.glob("*.md"))) < 2:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    finished = {p.name: p.read_bytes() for p in lessons_dir.glob("*.md")}
    assert 2 <= len(finished) < 6, "the kill should land mid-way"
    before = len([r for r in anthropic_stub.requests if r["path"].endswith("/messages")])
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    after = len([r for r in anthropic_stub.requests if r["path"].endswith("/messages")])
    assert after - before == 6 - len(finished)  # only the unfinished lessons were written again
    assert all(lessons_dir.joinpath(name).read_bytes() == data for name, data in finished.items())
    assert f"{6 - len(finished)} generated, {len(finished)} unchanged" in done.stdout


LEGACY_PAGE = """<html><head><title>Rock Pool Club: course page</title></head><body>
<nav>Home | Courses | Contact</nav>
<article><h1>Rock Pool Club</h1>
<p>Rock Pool Club is a hands-on introduction to recording the animals of a rocky shore, month after month, so that
the records mean something years later.</p>
<p>This course is designed for families and volunteers with no experience of marine biology.</p>
<p>It runs as 5 weekly sessions on the shore, each followed by a short worksheet.</p>
<p>Please bring a pencil and a notebook; no collecting jars, and never take animals home.</p>
</article><footer>(c) Gullhaven Shore Group</footer></body></html>
"""
LEGACY_OUTLINE = """# Outline

## What you will learn

- Identify the ten commonest animals of a rock pool
- Keep a notebook record that someone else can check

By the end, you will be able to choose a square of shore and count it the same way every month.
"""


def test_a_brownfield_brief_is_extracted_from_legacy_materials_through_etl_and_builds(course_outputs, tmp_path):
    sources = course_outputs / "courses" / "rock-pool-club" / "sources"
    sources.mkdir(parents=True)
    (sources / "course-page.html").write_text(LEGACY_PAGE)
    (sources / "outline.md").write_text(LEGACY_OUTLINE)
    done = run_cli("course", "init", "rock-pool-club", "--mind", DEMO_SLUG, "--from-sources", "--outputs", str(course_outputs))
    assert done.returncode == 0, done.stderr
    text = (course_outputs / "courses" / "rock-pool-club" / "COURSE-BRIEF.md").read_text()
    brief = briefs.parse(text)
    assert parse_markdown(text).front_matter["mode"] == "brownfield" and brief.title == "Rock Pool Club"
    assert brief.outcomes == ["Identify the ten commonest animals of a rock pool", "Keep a notebook record that someone else can check",
                              "Choose a square of shore and count it the same way every month"]
    assert "designed for families and volunteers" in brief.sections["Audience"] and "5 weekly sessions" in brief.sections["Length"]
    assert "never take animals home" in brief.sections["Constraints"] and "Home | Courses" not in text  # site chrome left out by ETL
    assert "<!-- sources/course-page.html -->" in text and "Iris Valente's own voice" in brief.sections["Voice"]
    report = briefs.completeness(text)
    assert report.passed and report.missing == []
    result = build_course("rock-pool-club", course_outputs, Settings(home=tmp_path / "home"))
    assert result.lessons == 5 and result.mind == DEMO_SLUG  # "5 weekly sessions" over 3 outcomes
    empty = course_outputs / "courses" / "empty-course"
    (empty / "sources").mkdir(parents=True)
    refused = run_cli("course", "init", "empty-course", "--from-sources", "--outputs", str(course_outputs))
    assert refused.returncode == 1 and "no legacy materials" in refused.stderr


def test_validate_refuses_a_curriculum_span_outside_its_source_and_a_lesson_quote_that_moved(course_outputs, tmp_path):
    build_course(COURSE, course_outputs, Settings(home=tmp_path / "home"))
    course = course_outputs / "courses" / COURSE
    plan = (course / "curriculum.yaml").read_text()
    (course / "curriculum.yaml").write_text(plan.replace("      end: ", "      end: 9999999", 1))
    lesson = (course / "lessons" / "lesson-001.md").read_text()
    start = re.search(r"@(\d+):", lesson).group(1)
    (course / "lessons" / "lesson-001.md").write_text(lesson.replace(f"@{start}:", f"@{int(start) + 3}:", 1))
    done = run_cli("validate", str(course_outputs))
    assert done.returncode == 1
    assert "curriculum.yaml [creatoros-curriculum@1.0.0] /modules/0/lessons/0/evidence/0" in done.stdout
    assert f"lesson-001.md [{get_registry().latest(lessons.CONTRACT).ref}] /body/citations/0" in done.stdout


def test_the_run_summary_says_offline_lessons_are_guided_readings_and_what_writes_them_in_the_voice():
    from lendaria.catalog import Catalog
    from lendaria.orchestrator.summary import fidelity_section

    lines = "\n".join(fidelity_section(Catalog(COMMITTED_OUTPUTS), DEMO_SLUG, ["shore-counting"]))
    assert "Course **shore-counting**: 6 lessons, 0 scored" in lines
    assert "Offline lessons are guided readings" in lines and "`LENDARIA_ENGINE=anthropic`" in lines
