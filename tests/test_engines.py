"""The engine layer: the offline method, engine choice (offline / anthropic / auto), the run's session
and ledger, the correlation id on log records, and engine calls stored in task_metrics."""

from __future__ import annotations

import logging

import psycopg
import pytest
from pydantic import BaseModel

from lendaria.db.metrics import engine_call_rows, run_total_rows, stage_rows
from lendaria.db.repository import PostgresRepository
from lendaria.engines.base import Capability, CallContext, CallLedger, CapabilityUnavailableError, EngineCall, EngineUnavailableError
from lendaria.engines.capabilities import SUMMARISE_PASSAGES, PassagesInput, Summary, sentences_with_offsets
from lendaria.engines.select import EngineChoice, choose_engine
from lendaria.engines.session import open_session
from lendaria.settings import Settings
from lendaria.tracing import correlation, install_log_records
from tests.conftest import COMMITTED_OUTPUTS, DEMO_SLUG
from tests.support.anthropic_stub import AUTO_USAGE, message_with_tool_use, ok

KEY = "sk-test-ENGINE-SECRET-77"


def demo_bodies() -> list[str]:
    from lendaria.documents import parse_markdown

    folder = COMMITTED_OUTPUTS / "minds" / DEMO_SLUG / "sources"
    return [parse_markdown(p.read_text(encoding="utf-8")).body for p in sorted(folder.glob("*.md"))]


# ---- the offline method ---------------------------------------------------------------------------------
def test_offline_summary_cites_verbatim_spans_and_is_deterministic():
    passages = demo_bodies()
    request = PassagesInput(passages=passages, max_points=6, language="en")
    first = SUMMARISE_PASSAGES.offline(request)
    assert first == SUMMARISE_PASSAGES.offline(request)
    assert len(first.key_points) == 6
    for point in first.key_points:
        assert passages[point.passage][point.start:point.end] == point.text
    assert len({p.text for p in first.key_points}) == 6
    assert len({p.passage for p in first.key_points}) >= 3  # maximal marginal relevance spreads the picks


def test_offline_summary_prefers_the_central_sentence_over_an_outlier():
    on_topic = ("Tide pools hold anemones and crabs at low water. " * 1).strip()
    passages = [
        "Tide pools hold anemones, crabs and snails at low water. Counting tide pools at low water shows the crabs.",
        "At low water the tide pools fill with crabs and anemones. My cousin sells bicycles in the city centre.",
    ]
    summary = SUMMARISE_PASSAGES.offline(PassagesInput(passages=passages, max_points=1, language="en"))
    assert "bicycles" not in summary.summary and "tide pools" in summary.summary.lower()
    assert on_topic  # the passages, not a canned answer, decide the pick


def test_sentences_skip_headings_and_fragments():
    text = "# Heading\n\nA real sentence with several words. Short one.\nAnother full sentence here, yes."
    spans = [text[s:e] for s, e in sentences_with_offsets(text)]
    assert spans == ["A real sentence with several words.", "Another full sentence here, yes."]


# ---- engine choice --------------------------------------------------------------------------------------
class Nothing(BaseModel):
    pass


NO_OFFLINE = Capability(name="write_lesson", description="write a lesson in a mind's voice", input_model=Nothing,
                        output_model=Nothing, instructions="Write it.")


def test_a_capability_without_an_offline_method_says_so():
    session = open_session(Settings(engine="offline"), "run-1")
    with pytest.raises(CapabilityUnavailableError, match="has no offline method") as info:
        session.run(NO_OFFLINE, Nothing(), step="creatoros")
    assert "LENDARIA_ENGINE=anthropic" in str(info.value)


def test_engine_choice_by_setting():
    assert choose_engine(Settings(engine="offline", anthropic_api_key=KEY)).name == "offline"
    auto = choose_engine(Settings(engine="auto"))
    assert auto.name == "offline" and "no ANTHROPIC_API_KEY" in auto.note
    with pytest.raises(EngineUnavailableError, match="ANTHROPIC_API_KEY is not set"):
        choose_engine(Settings(engine="anthropic"))
    assert choose_engine(Settings(engine="auto", anthropic_api_key=KEY)).name == "anthropic"


def test_anthropic_with_an_unreachable_api_fails_before_any_work():
    settings = Settings(engine="anthropic", anthropic_api_key=KEY, anthropic_base_url="http://127.0.0.1:9", engine_max_retries=0)
    with pytest.raises(EngineUnavailableError) as info:
        open_session(settings, "run-2")
    assert "cannot reach the Anthropic API at 127.0.0.1:9" in str(info.value) and KEY not in str(info.value)


def test_auto_falls_back_to_offline_and_says_why():
    settings = Settings(engine="auto", anthropic_api_key=KEY, anthropic_base_url="http://127.0.0.1:9", engine_max_retries=0)
    session = open_session(settings, "run-3")
    result = session.run(SUMMARISE_PASSAGES, PassagesInput(passages=demo_bodies()[:1], max_points=2), step="mmos")
    assert isinstance(result, Summary) and len(result.key_points) == 2
    assert session.engine.startswith("offline (auto: engine check: cannot reach")
    assert session.ledger.calls[0].engine == "offline" and "auto" in session.ledger.calls[0].note


def test_auto_falls_back_once_when_the_api_fails_mid_run():
    class Failing:
        name = "anthropic"
        calls = 0

        def run(self, capability, payload, context):
            Failing.calls += 1
            raise EngineUnavailableError("summarise_passages: the Anthropic API is overloaded (HTTP 529)")

    from lendaria.engines.offline import OfflineEngine

    choice = EngineChoice(Failing(), fallback=OfflineEngine())
    context = CallContext(step="mmos", correlation_id="run-4")
    for _ in range(3):
        _, call = choice.run(SUMMARISE_PASSAGES, PassagesInput(passages=demo_bodies()[:1]), context)
        assert call.engine == "offline" and "overloaded" in call.note
    assert Failing.calls == 1  # later calls go offline straight away


# ---- a run's session with Claude (local stub) --------------------------------------------------------------
def test_session_with_claude_accounts_calls_and_sends_the_correlation_id(anthropic_stub):
    passages = demo_bodies()[:2]
    point = {"text": passages[0][:40], "passage": 0, "start": 0, "end": 40}
    for _ in range(2):
        anthropic_stub.respond(ok(message_with_tool_use("submit_summarise_passages",
                                                        {"summary": "About looking slowly.", "key_points": [point]},
                                                        usage=AUTO_USAGE)))
    settings = Settings(engine="anthropic", anthropic_api_key=KEY, anthropic_base_url=anthropic_stub.base_url)
    session = open_session(settings, "run-claude-1")
    for _ in range(2):
        session.run(SUMMARISE_PASSAGES, PassagesInput(passages=passages), step="mmos", mind="iris-valente",
                    stable_prefix="You analyse the writing of Iris Valente. " * 200, passages=tuple(passages))
    first, second = session.ledger.calls
    assert first.cache_write_tokens > 0 and second.cache_read_tokens > 0 and second.cost_usd < first.cost_usd
    totals = session.ledger.totals()
    assert totals["calls"] == 2 and totals["cost_usd"] == round(first.cost_usd + second.cost_usd, 6)
    posts = [r for r in anthropic_stub.requests if r["path"].startswith("/v1/messages")]
    assert all(r["headers"]["x-lendaria-correlation-id"] == "run-claude-1" for r in posts)
    assert session.engine == "anthropic"


# ---- correlation id on log records --------------------------------------------------------------------------
def test_every_log_record_carries_the_correlation_id(caplog):
    install_log_records()
    log = logging.getLogger("lendaria.test")
    with caplog.at_level(logging.INFO, logger="lendaria.test"):
        log.info("outside")
        with correlation("run-5"):
            log.info("inside")
            with correlation("run-6"):
                log.info("nested")
            log.info("inside again")
    assert [(r.getMessage(), r.correlation_id) for r in caplog.records] == [
        ("outside", "-"), ("inside", "run-5"), ("nested", "run-6"), ("inside again", "run-5")]


@pytest.mark.flow
def test_prefect_task_threads_see_the_correlation_id(prefect_harness):
    from prefect import flow, task

    from lendaria.tracing import current_correlation_id

    @task
    def inner() -> str | None:
        return current_correlation_id()

    @flow
    def outer() -> list[str | None]:
        with correlation("run-7"):
            return [f.result() for f in [inner.submit() for _ in range(3)]]

    assert outer() == ["run-7"] * 3


# ---- task_metrics ---------------------------------------------------------------------------------------------
def test_engine_calls_are_stored_in_task_metrics_by_run_id(database):
    calls = [EngineCall("summarise_passages", "anthropic", "claude-sonnet-4-5", "mmos", "iris-valente", "run-8",
                        input_tokens=1200, output_tokens=300, cache_write_tokens=5000, cost_usd=0.0267, duration_ms=900),
             EngineCall("summarise_passages", "anthropic", "claude-sonnet-4-5", "mmos", "iris-valente", "run-8",
                        input_tokens=1200, output_tokens=280, cache_read_tokens=5000, cost_usd=0.0093, duration_ms=700)]
    ledger = CallLedger(calls)
    rows = (stage_rows("run-8", "mmos", "iris-valente", {"duration_ms": 2100, "fragments": 40}, "anthropic")
            + engine_call_rows("run-8", calls) + run_total_rows("run-8", "iris-valente", ledger.totals(), "anthropic"))
    repository = PostgresRepository(database, Settings())
    assert repository.record_metrics(rows) == len(rows)
    assert repository.record_metrics(rows) == len(rows)  # idempotent: re-recording replaces, never duplicates
    with psycopg.connect(database) as conn:
        stored = conn.execute("select stage, task, metric, value, mind_slug, details from task_metrics where run_id = 'run-8'").fetchall()
    assert len(stored) == len(rows)
    by_key = {(stage, task, metric): (value, details) for stage, task, metric, value, _, details in stored}
    assert by_key[("mmos", "summarise_passages#2", "cache_read_tokens")][0] == 5000
    assert by_key[("mmos", "summarise_passages#2", "cache_read_tokens")][1]["cache_hit"] is True
    assert by_key[("pipeline", "run", "cost_usd")][0] == pytest.approx(0.036)
    assert by_key[("mmos", "stage", "fragments")][0] == 40
