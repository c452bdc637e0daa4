"""Claude at a team's scale (issue 25), against the local stand-in for the Messages API: answers paid
for once (the response cache), a cost budget that holds, pacing below the API's rate limits and 429s
counted, and the ledger that says which calls were cached, skipped or retried."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta, timezone

import pytest

from lendaria.engines import anthropic_engine
from lendaria.engines.anthropic_engine import AnthropicEngine, RateLimits
from lendaria.engines.batches import BatchPending
from lendaria.engines.budget import BudgetExceeded
from lendaria.engines.capabilities import SUMMARISE_PASSAGES, PassagesInput
from lendaria.engines.session import engine_session, open_session
from lendaria.settings import Settings
from tests.support.anthropic_stub import AUTO_USAGE, error_body, message_with_tool_use, ok

KEY = "sk-ant-test-scale-0123456789"
PASSAGE = ("The tide keeps better notes than we do. I walk the same strand every morning and count what the sea "
           "left, because a count written down is a memory that does not flatter. ")


def summary_answer(text: str = PASSAGE) -> tuple:
    point = {"text": text[:40], "passage": 0, "start": 0, "end": 40}
    return ok(message_with_tool_use("submit_summarise_passages", {"summary": "Counting the shore.", "key_points": [point]},
                                    usage=AUTO_USAGE))


def claude(stub, home, **values) -> Settings:
    return Settings(home=home, engine="anthropic", anthropic_api_key=KEY, anthropic_base_url=stub.base_url,
                    **{"engine_cache": True, **values})


def summarise(session, passage: str = PASSAGE) -> None:
    session.run(SUMMARISE_PASSAGES, PassagesInput(passages=[passage]), step="test.summary", mind="iris-valente",
                stable_prefix="You analyse the writing of Iris Valente. " * 50, passages=(passage,))


# ---- 1. answers paid for once ----------------------------------------------------------------------------------

def test_an_identical_call_in_a_later_run_is_read_back_and_costs_nothing(tmp_path, anthropic_stub):
    anthropic_stub.respond(summary_answer(), summary_answer(), summary_answer())
    first = open_session(claude(anthropic_stub, tmp_path / "home"), "run-1")
    summarise(first)
    paid = first.ledger.calls[0]
    assert paid.cost_usd > 0 and not paid.cached and anthropic_stub.messages_sent() == 1

    again = open_session(claude(anthropic_stub, tmp_path / "home"), "run-2")  # a later run, same call
    summarise(again)
    [call] = again.ledger.calls
    assert call.cached and call.cost_usd == 0 and call.input_tokens == 0 and anthropic_stub.messages_sent() == 1
    assert again.ledger.totals()["sent"] == 0 and again.ledger.totals()["cached"] == 1 and "paid $" in call.note

    changed = open_session(claude(anthropic_stub, tmp_path / "home"), "run-3")
    summarise(changed, PASSAGE + "One more sentence changes the input.")
    assert anthropic_stub.messages_sent() == 2 and not changed.ledger.calls[0].cached  # a new input is asked

    forced = open_session(claude(anthropic_stub, tmp_path / "home", engine_cache=False), "run-4")  # --force
    summarise(forced)
    assert anthropic_stub.messages_sent() == 3 and not forced.ledger.calls[0].cached


def test_a_second_identical_stage_run_makes_no_api_call_and_reports_nothing_spent(tmp_path, corpus, anthropic_stub):
    """InnerLens with Claude's Big Five rating, run again on the same inputs in a fresh outputs folder (so
    the stage itself runs again): the rating is read back, 0 messages, $0, the same profile byte for byte."""
    from stages.etl.run import run_etl
    from stages.innerlens import llm_rating
    from stages.innerlens.run import run_innerlens
    from tests.conftest import write_spec

    words = (corpus / "henry-david-thoreau" / "walden.txt").read_text().split()[:4000]
    (tmp_path / "walden.txt").write_text("\n\n".join(" ".join(words[i:i + 150]) for i in range(0, len(words), 150)) + "\n")
    home, out = tmp_path / "home", tmp_path / "out"
    run_etl(write_spec(tmp_path, [{"path": "walden.txt"}], language="en"), out, Settings(home=home))
    second = tmp_path / "second"
    shutil.copytree(out, second)
    offline = run_innerlens("test-mind", out, Settings(home=home))
    ids = [json.loads(line)["id"] for line in offline.fragments_path.read_text().splitlines()]
    answer = {trait: {"score": 55, "rationale": f"The material shows {trait}.", "evidence": ids[:2]} for trait in llm_rating.TRAITS}
    anthropic_stub.respond(ok(message_with_tool_use("submit_rate_big_five", answer, usage=AUTO_USAGE)))

    with engine_session(claude(anthropic_stub, home), "run-a") as session:
        run_innerlens("test-mind", out, claude(anthropic_stub, home))
    assert session.ledger.totals()["sent"] == 1 and session.ledger.totals()["cost_usd"] > 0
    with engine_session(claude(anthropic_stub, home), "run-b") as session:
        result = run_innerlens("test-mind", second, claude(anthropic_stub, home))
    totals = session.ledger.totals()
    assert anthropic_stub.messages_sent() == 1 and totals["sent"] == 0 and totals["cached"] == 1 and totals["cost_usd"] == 0
    assert result.written  # the stage ran, and wrote what the first run wrote
    profile = "minds/test-mind/analysis/psychometric-profile.yaml"
    assert (second / profile).read_bytes() == (out / profile).read_bytes()


# ---- 3. a budget that holds ------------------------------------------------------------------------------------

def test_a_run_stops_before_the_call_that_could_exceed_its_budget_and_never_overspends(tmp_path, anthropic_stub):
    limit = 0.05
    for _ in range(30):
        anthropic_stub.respond(summary_answer())
    session = open_session(claude(anthropic_stub, tmp_path / "home", engine_max_tokens=1000, max_cost_usd=limit), "run-b")
    sent = 0
    with pytest.raises(BudgetExceeded) as stopped:
        for n in range(30):
            summarise(session, f"{PASSAGE} Day {n}.")
            sent += 1
    assert 1 <= sent < 30 and anthropic_stub.messages_sent() == sent  # the refused request was never sent
    totals = session.ledger.totals()
    assert totals["cost_usd"] <= limit and totals["skipped"] == 1 and session.ledger.calls[-1].skipped
    message = str(stopped.value)
    assert "was not sent" in message and f"of the run's ${limit:.4f}" in message and "--max-cost" in message
    counted = [r for r in anthropic_stub.requests if r["path"].endswith("/count_tokens")]
    assert len(counted) == sent + 1  # each request's worst case was counted first, with the free counter


def test_a_stage_stopped_by_the_budget_writes_nothing_half_done(tmp_path, corpus, anthropic_stub):
    from stages.etl.run import run_etl
    from stages.innerlens.run import run_innerlens
    from tests.conftest import write_spec

    words = (corpus / "henry-david-thoreau" / "walden.txt").read_text().split()[:4000]
    (tmp_path / "walden.txt").write_text("\n\n".join(" ".join(words[i:i + 150]) for i in range(0, len(words), 150)) + "\n")
    home, out = tmp_path / "home", tmp_path / "out"
    run_etl(write_spec(tmp_path, [{"path": "walden.txt"}], language="en"), out, Settings(home=home))
    settings = claude(anthropic_stub, home, max_cost_usd=0.001)
    with engine_session(settings, "run-c"), pytest.raises(BudgetExceeded, match="Spent \\$0.0000 of the run's \\$0.0010"):
        run_innerlens("test-mind", out, settings)
    assert anthropic_stub.messages_sent() == 0
    assert not (out / "minds" / "test-mind" / "analysis").exists()  # no fragments, no profile: nothing half-written


# ---- 5. rate limits --------------------------------------------------------------------------------------------

def test_pacing_waits_for_the_reset_when_the_api_says_nothing_remains():
    now = [1_000.0]
    limits = RateLimits(clock=lambda: now[0])
    reset = datetime.fromtimestamp(now[0] + 7, tz=timezone.utc).isoformat().replace("+00:00", "Z")
    limits.update({"anthropic-ratelimit-requests-remaining": "2", "anthropic-ratelimit-requests-reset": reset,
                   "anthropic-ratelimit-input-tokens-remaining": "5000", "anthropic-ratelimit-input-tokens-reset": reset})
    assert limits.take(1000, 100) == 0 and limits.take(1000, 100) == 0  # two requests remain: no wait
    assert limits.take(1000, 100) == pytest.approx(7)  # the third waits for the reset
    limits.update({"anthropic-ratelimit-input-tokens-remaining": "500", "anthropic-ratelimit-input-tokens-reset": reset})
    assert limits.take(1000, 100) == pytest.approx(7)  # too few input tokens left for this request
    now[0] += 8
    assert limits.take(1000, 100) == 0  # past the reset


def test_the_engine_paces_below_the_headers_and_counts_429s(tmp_path, anthropic_stub, monkeypatch):
    waits: list[float] = []
    monkeypatch.setattr(anthropic_engine.time, "sleep", waits.append)
    reset = (datetime.now(timezone.utc) + timedelta(seconds=30)).isoformat().replace("+00:00", "Z")
    anthropic_stub.respond(
        (429, {"retry-after": "0", "x-should-retry": "true"}, error_body("rate_limit_error", "slow down")),
        (*summary_answer()[:1], {"anthropic-ratelimit-requests-remaining": "0", "anthropic-ratelimit-requests-reset": reset},
         *summary_answer()[2:]),
        summary_answer())
    engine = AnthropicEngine(claude(anthropic_stub, tmp_path / "home"), rate_limits=RateLimits())
    with engine_session(claude(anthropic_stub, tmp_path / "home"), "run-r") as session:
        session.choice.primary = engine
        summarise(session)
        summarise(session, PASSAGE + " Another day.")
    first, second = session.ledger.calls
    assert first.rate_limited == 1 and second.rate_limited == 0 and session.ledger.totals()["rate_limited"] == 1
    assert any(25 <= w <= 30 for w in waits)  # waited for the announced reset before the second call


# ---- 4. an estimate before the run -----------------------------------------------------------------------------

def test_the_estimate_sends_no_message_and_counts_the_input_of_the_real_run(tmp_path, anthropic_stub):
    """The demo's InnerLens and MMOS with Claude: estimated first (token counts only), then run for real
    against the stand-in; the estimate's input tokens (outside and inside the cached prefix) are the real
    run's within 5 %."""
    from flows.estimate import estimate_run
    from lendaria.engines.estimate import render
    from lendaria.engines.session import engine_session
    from stages.innerlens import llm_rating
    from stages.innerlens.run import run_innerlens
    from stages.mmos.run import run_mmos
    from tests.conftest import COMMITTED_OUTPUTS, DEMO_SLUG

    settings = claude(anthropic_stub, tmp_path / "home")
    report = estimate_run(DEMO_SLUG, ["innerlens", "mmos"], COMMITTED_OUTPUTS, settings)
    assert anthropic_stub.messages_sent() == 0 and report["problems"] == {} and "token counter" in report["counted"]
    estimated = {stage: row["input_tokens"] + row["cache_write_tokens"] + row["cache_read_tokens"]
                 for stage, row in report["stages"].items()}
    assert set(estimated) == {"innerlens", "mmos"} and report["stages"]["mmos"]["calls"] >= 3
    assert all(row["batched_usd"] == pytest.approx(row["cost_usd"] / 2, abs=1e-6) and row["cost_usd"] > 0
               for row in report["stages"].values())
    lines = render(report)
    assert lines[-1].startswith("No message was sent") and any(line.startswith("total") for line in lines)

    rating = {trait: {"score": 50, "rationale": "Typical.", "evidence": ["x"]} for trait in llm_rating.TRAITS}
    anthropic_stub.respond(ok(message_with_tool_use("submit_rate_big_five", rating, usage=AUTO_USAGE)))
    anthropic_stub.always(ok(message_with_tool_use("submit_analyse_layer", {"claims": []}, usage=AUTO_USAGE)))
    out = tmp_path / "out"
    shutil.copytree(COMMITTED_OUTPUTS / "minds" / DEMO_SLUG, out / "minds" / DEMO_SLUG)
    real = {}
    for stage, run in (("innerlens", run_innerlens), ("mmos", run_mmos)):
        with engine_session(settings, f"real-{stage}") as session:
            run(DEMO_SLUG, out, settings)
        real[stage] = sum(c.input_tokens + c.cache_write_tokens + c.cache_read_tokens for c in session.ledger.calls)
        assert len(session.ledger.calls) == report["stages"][stage]["calls"]
    for stage in real:
        assert abs(estimated[stage] - real[stage]) <= 0.05 * real[stage], (stage, estimated[stage], real[stage])


def test_the_estimate_without_a_key_says_it_approximates(tmp_path):
    from flows.estimate import estimate_run
    from tests.conftest import COMMITTED_OUTPUTS, DEMO_SLUG

    report = estimate_run(DEMO_SLUG, ["innerlens"], COMMITTED_OUTPUTS, Settings(home=tmp_path / "home", engine_cache=True))
    assert "local approximation" in report["counted"] and report["stages"]["innerlens"]["calls"] == 1
    assert report["stages"]["innerlens"]["input_tokens"] > 1000


# ---- 2. Message Batches ----------------------------------------------------------------------------------------

def scripted_layer_answers(out) -> list[tuple]:
    """For each layer MMOS would ask Claude about in the demo: an answer citing two of the sentences shown."""
    from lendaria.catalog import Catalog
    from lendaria.collected import read_metadata, read_sources
    from stages.mmos import analysis, layers
    from stages.mmos.evidence import build_sentences
    from stages.mmos.run import build_set
    from tests.conftest import DEMO_SLUG

    catalog = Catalog(out)
    metadata = read_metadata(catalog, DEMO_SLUG)
    cut, bodies = build_set(read_sources(catalog, DEMO_SLUG, metadata), "en")
    sentences = build_sentences(cut.build, bodies, metadata.get("name"))
    results = layers.analyse(sentences, [(p.source_id, bodies[p.source_id][p.start:p.end]) for p in cut.build], "en", len(bodies))
    answers = []
    for layer in layers.LAYERS:
        shown = analysis.candidates(layer, results[layer], sentences)
        if shown:
            claims = [{"label": f"finding {n}", "claim": f"A {layer} finding ({n}).",
                       "evidence": [{"sentence": n + 1, "quote": " ".join(shown[n].text.split()[:5])}]} for n in range(min(2, len(shown)))]
            answers.append(ok(message_with_tool_use("submit_analyse_layer", {"claims": claims}, usage=AUTO_USAGE)))
    return answers


def test_a_batched_run_killed_while_pending_resumes_its_batch_and_ends_as_the_interactive_run(tmp_path, anthropic_stub):
    from stages.mmos.run import run_mmos
    from tests.conftest import COMMITTED_OUTPUTS, DEMO_SLUG, snapshot

    def demo(name):
        out = tmp_path / name
        shutil.copytree(COMMITTED_OUTPUTS / "minds" / DEMO_SLUG, out / "minds" / DEMO_SLUG)
        return out

    interactive = demo("interactive")
    answers = scripted_layer_answers(interactive)
    anthropic_stub.respond(*answers)
    run_mmos(DEMO_SLUG, interactive, claude(anthropic_stub, tmp_path / "home-i"))
    sent_interactively = anthropic_stub.messages_sent()
    assert sent_interactively == len(answers) >= 3

    batched = demo("batched")
    anthropic_stub.respond(*answers)  # the same answers, given to the batch's requests in order
    anthropic_stub.batch_polls_pending = 10_000  # the batch stays pending: the first run gives up (as if killed)
    settings = claude(anthropic_stub, tmp_path / "home-b", engine_batch=True, engine_batch_poll_seconds=0.01,
                      engine_batch_wait=0.05)
    with pytest.raises(BatchPending, match="still being processed.*resumes this batch"):
        run_mmos(DEMO_SLUG, batched, settings)
    assert anthropic_stub.batch_submissions() == 1 and anthropic_stub.messages_sent() == sent_interactively

    anthropic_stub.batch_polls_pending = 0  # the batch has ended by the time the run is retried
    with engine_session(settings, "run-retry") as session:
        run_mmos(DEMO_SLUG, batched, settings)
    assert anthropic_stub.batch_submissions() == 1  # resumed by its id: no second batch
    calls = session.ledger.calls
    assert len(calls) == len(answers) and all(c.batched and c.cost_usd > 0 for c in calls)
    produced, expected = snapshot(batched / "minds" / DEMO_SLUG), snapshot(interactive / "minds" / DEMO_SLUG)
    assert produced.keys() == expected.keys()
    assert [name for name in expected if produced[name] != expected[name]] == []
    assert b"anthropic" in produced["analysis/layers/values-and-beliefs.yaml"]  # Claude's claims are in, as interactively


def test_a_batched_course_sends_its_research_and_first_drafts_as_batches_and_nothing_twice(tmp_path, anthropic_stub):
    """CreatorOS with --batch: the research call and the six lessons' first drafts go as two Message
    Batches; each lesson then finds its draft in the response cache (no interactive message), and the
    course ends as the interactive build of the same answers does."""
    from stages.creatoros.run import build_course
    from tests.conftest import COMMITTED_OUTPUTS, DEMO_SLUG, snapshot
    from tests.test_creatoros import COURSE, RESEARCH_ANSWER, held_out_text, lesson_answer

    def course(name):
        out = tmp_path / name
        shutil.copytree(COMMITTED_OUTPUTS / "minds" / DEMO_SLUG, out / "minds" / DEMO_SLUG)
        (out / "courses" / COURSE).mkdir(parents=True)
        shutil.copy(COMMITTED_OUTPUTS / "courses" / COURSE / "COURSE-BRIEF.md", out / "courses" / COURSE)
        return out

    interactive, batched = course("interactive"), course("batched")
    draft = ok(message_with_tool_use("submit_write_lesson", lesson_answer(held_out_text(interactive)), usage=AUTO_USAGE))
    research = ok(message_with_tool_use("submit_research_course", RESEARCH_ANSWER, usage=AUTO_USAGE))
    anthropic_stub.respond(research, *[draft] * 6)
    build_course(COURSE, interactive, claude(anthropic_stub, tmp_path / "home-i"))
    assert anthropic_stub.messages_sent() == 7

    anthropic_stub.respond(research, *[draft] * 6)
    settings = claude(anthropic_stub, tmp_path / "home-b", engine_batch=True, engine_batch_poll_seconds=0.01)
    with engine_session(settings, "run-course") as session:
        build_course(COURSE, batched, settings)
    assert anthropic_stub.batch_submissions() == 2 and anthropic_stub.messages_sent() == 7  # no interactive message
    calls = session.ledger.calls
    assert sum(c.batched for c in calls) == 7 and sum(c.cached for c in calls) == 6 and sum(c.cost_usd for c in calls if c.cached) == 0
    produced, expected = snapshot(batched / "courses"), snapshot(interactive / "courses")
    assert [name for name in expected if produced.get(name) != expected[name]] == []


def test_inside_a_prefect_run_the_batch_is_polled_as_a_task_with_its_progress(tmp_path, anthropic_stub, prefect_harness):
    from prefect import flow
    from prefect.client.orchestration import get_client

    from lendaria.engines.capabilities import SUMMARISE_PASSAGES

    anthropic_stub.respond(summary_answer(), summary_answer())
    anthropic_stub.batch_polls_pending = 1
    settings = claude(anthropic_stub, tmp_path / "home", engine_batch=True, engine_batch_poll_seconds=0.01)

    @flow(name="batch-in-a-flow")
    def summarise_twice() -> int:
        session = open_session(settings, "run-flow")
        answers = session.run_many(SUMMARISE_PASSAGES, [
            (PassagesInput(passages=[PASSAGE + f" Day {n}."]), {"step": "test.summary", "passages": (PASSAGE,)}) for n in range(2)])
        return len(answers)

    state = summarise_twice(return_state=True)
    assert state.result() == 2 and anthropic_stub.batch_submissions() == 1

    async def task_names():
        async with get_client() as client:
            runs = await client.read_task_runs()
            return [r.name for r in runs if r.flow_run_id == state.state_details.flow_run_id]

    import asyncio

    assert any(name.startswith("Message Batch msgbatch_stub") for name in asyncio.run(task_names()))
