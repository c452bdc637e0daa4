"""The Prefect wiring, under prefect_test_harness (one test API for the session)."""

from __future__ import annotations

import json
import logging

import pytest

from lendaria.errors import InputError
from tests.conftest import COMMITTED_OUTPUTS, DEMO_SLUG, DEMO_SPEC, add_source, run_cli, snapshot, write_spec

pytestmark = pytest.mark.flow


def test_pipeline_flow_runs_etl_then_persists_and_matches_golden(prefect_harness, use_database, tmp_path):
    import psycopg

    from flows.pipeline import pipeline

    result = pipeline(mind=str(DEMO_SPEC), outputs=str(tmp_path))
    assert result["etl"]["totals"]["collected"] == 11
    assert "sources 11/11 written" in result["etl"]["persisted"]
    assert result["etl"]["engine"] == "offline" and result["run"]["engine"] == "offline"
    assert result["run"]["totals"]["calls"] == 0 and result["run"]["totals"]["cost_usd"] == 0
    run_id = result["run"]["correlation_id"]
    with psycopg.connect(use_database) as conn:  # one run id returns what the run did, wrote and cost
        jobs_of_run = conn.execute("select stage, status from job_executions where run_id = %s", (run_id,)).fetchall()
        metrics_of_run = {(stage, task, metric): value for stage, task, metric, value in conn.execute(
            "select stage, task, metric, value from task_metrics where run_id = %s", (run_id,))}
        rows_of_run = conn.execute("select count(*) from sources where run_id = %s", (run_id,)).fetchone()[0]
        fragments_of_run = conn.execute("select count(*) from fragments where run_id = %s", (run_id,)).fetchone()[0]
    assert sorted(jobs_of_run) == [("creatoros", "completed"), ("etl", "completed"), ("innerlens", "completed"), ("mmos", "completed")] and rows_of_run == 11
    assert fragments_of_run == result["innerlens"]["totals"]["fragments"] > 0
    assert result["innerlens"]["engine"] == "offline"
    assert metrics_of_run[("etl", "stage", "collected")] == 11 and metrics_of_run[("etl", "stage", "words")] == 18249
    assert metrics_of_run[("pipeline", "run", "calls")] == 0 and ("pipeline", "run", "cost_usd") in metrics_of_run
    assert snapshot(tmp_path / "minds" / DEMO_SLUG) == snapshot(COMMITTED_OUTPUTS / "minds" / DEMO_SLUG)
    again = pipeline(mind=str(DEMO_SPEC), outputs=str(tmp_path), stages=["etl"])  # unchanged: skipped, not persisted again
    assert again["etl"]["status"] == "skipped" and again["etl"]["summary"].startswith("skipped: unchanged inputs")
    assert "Last run: " in again["etl"]["summary"] and "11 collected" in again["etl"]["summary"]
    assert again["etl"]["totals"]["collected"] == 11 and again["etl"]["persisted"] == f"already persisted by run {run_id} " \
        f"({again['etl']['persisted'].split('(', 1)[1]}"
    forced = pipeline(mind=str(DEMO_SPEC), outputs=str(tmp_path), stages=["etl"], force=True)
    assert forced["etl"]["status"] == "ran" and forced["etl"]["written"] == [] and "sources 0/11 written" in forced["etl"]["persisted"]
    with psycopg.connect(use_database) as conn:
        jobs = conn.execute("select run_id, status from job_executions order by started_at").fetchall()
        source_runs = {r[0] for r in conn.execute("select run_id from sources")}
        history = conn.execute("select run_id, status, forced, stages from pipeline_runs order by started_at").fetchall()
    assert [status for _, status in jobs] == ["completed"] * 5  # etl + innerlens + mmos + creatoros, then etl forced
    assert [(r[0], r[1], r[2]) for r in history] == [(run_id, "completed", False), (again["run"]["correlation_id"], "completed", False),
                                                     (forced["run"]["correlation_id"], "completed", True)]
    assert [s["status"] for s in history[0][3]] == ["ran"] * 4 and [s["status"] for s in history[1][3]] == ["skipped"]
    listed = run_cli("runs", "--mind", DEMO_SLUG, "--format", "json", env={"DATABASE_URL": use_database})
    assert listed.returncode == 0, listed.stderr
    runs = json.loads(listed.stdout)
    assert [r["run_id"] for r in runs] == [forced["run"]["correlation_id"], again["run"]["correlation_id"], run_id]
    assert runs[2]["stages"][0]["stage"] == "etl" and runs[2]["duration_ms"] > 0 and runs[2]["cost_usd"] == 0
    text = run_cli("runs", env={"DATABASE_URL": use_database}).stdout
    assert f"correlation id {run_id}" in text and "etl skipped" in text and "(forced)" in text
    assert run_cli("runs", "--mind", "nobody-here", env={"DATABASE_URL": use_database}).stdout.startswith("no pipeline run of nobody-here")
    assert source_runs == {jobs[0][0]}  # rows carry the id of the pipeline run that wrote them
    assert len(jobs[0][0]) == 36  # a Prefect flow run id


def test_pipeline_without_persist_touches_no_database(prefect_harness, tmp_path, monkeypatch):
    from flows.pipeline import pipeline
    from lendaria.settings import get_settings

    monkeypatch.setenv("DATABASE_URL", f"postgresql://nobody@/none?host={tmp_path}/no-server")
    get_settings.cache_clear()
    try:
        result = pipeline(mind=str(DEMO_SPEC), outputs=str(tmp_path / "out"), persist=False)
    finally:
        get_settings.cache_clear()
    assert "persisted" not in result["etl"]


def test_failed_stage_is_recorded_as_failed(prefect_harness, use_database, tmp_path):
    import psycopg

    from flows.pipeline import pipeline

    (tmp_path / "bad.txt").write_bytes(b"\x00binary\x00")
    spec = write_spec(tmp_path, [{"path": "bad.txt"}], slug="broken-mind")
    with pytest.raises(InputError):
        pipeline(mind=str(spec), outputs=str(tmp_path / "out"))
    with psycopg.connect(use_database) as conn:
        assert conn.execute("select stage, mind_slug, status from job_executions").fetchall() == [("etl", "broken-mind", "failed")]


def test_flow_failure_leaves_outputs_untouched(prefect_harness, tmp_path):
    from flows.etl import etl_flow

    (tmp_path / "good.txt").write_text("Some good words here.")
    spec = write_spec(tmp_path, [{"path": "good.txt"}])
    etl_flow(mind=str(spec), outputs=str(tmp_path / "out"))
    before = snapshot(tmp_path / "out")
    (tmp_path / "bad.txt").write_bytes(b"\x00\x00binary")
    write_spec(tmp_path, [{"path": "good.txt"}, {"path": "bad.txt"}])
    with pytest.raises(InputError, match="binary"):
        etl_flow(mind=str(spec), outputs=str(tmp_path / "out"))
    assert snapshot(tmp_path / "out") == before


def test_unknown_stage_is_refused(prefect_harness):
    from flows.pipeline import check_stages

    assert check_stages(None) == ["etl", "innerlens", "mmos", "creatoros"]
    assert check_stages(["innerlens", "etl"]) == ["etl", "innerlens"]  # pipeline order, whatever the request order
    with pytest.raises(InputError, match="Available stages: etl, innerlens"):
        check_stages(["etl", "nope"])


def _progress_artifacts(flow_run_id) -> list:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId, ArtifactFilterType

    with get_client(sync_client=True) as client:
        return client.read_artifacts(artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]),
                                                                    type=ArtifactFilterType(any_=["progress"])))


def test_progress_artifact_only_for_collections_that_take_a_while(prefect_harness, tmp_path, monkeypatch):
    import flows.etl as etl
    import lendaria.orchestrator.progress as progress_module

    monkeypatch.setattr(progress_module, "PROGRESS_EVERY_SECONDS", 3600.0)  # "fast": finished before the first update is due
    quick = etl.etl_flow(mind=str(DEMO_SPEC), outputs=str(tmp_path / "a"), return_state=True)
    assert quick.is_completed() and _progress_artifacts(quick.state_details.flow_run_id) == []
    monkeypatch.setattr(progress_module, "PROGRESS_EVERY_SECONDS", 0.0)  # "slow": every item is due
    slow = etl.etl_flow(mind=str(DEMO_SPEC), outputs=str(tmp_path / "b"), return_state=True)
    [progress] = _progress_artifacts(slow.state_details.flow_run_id)
    assert progress.data == 100.0 and "items collected" in progress.description


def test_the_api_key_never_reaches_logs_outputs_artifacts_or_the_database(prefect_harness, use_database, tmp_path,
                                                                          monkeypatch, caplog, anthropic_stub):
    """auto + a key the API rejects: the run falls back to offline, says why, and the key is nowhere."""
    import psycopg
    from prefect.client.orchestration import get_client

    from flows.pipeline import pipeline
    from lendaria.settings import get_settings
    from tests.support.anthropic_stub import error_body

    key = "sk-ant-test-NEVER-PRINT-ME-0123456789"
    anthropic_stub.model_answers.append((401, {}, error_body("authentication_error", "invalid x-api-key"), 0.0))
    for name, value in {"ANTHROPIC_API_KEY": key, "LENDARIA_ENGINE": "auto",
                        "LENDARIA_ANTHROPIC_BASE_URL": anthropic_stub.base_url}.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        with caplog.at_level(logging.DEBUG):
            result = pipeline(mind=str(DEMO_SPEC), outputs=str(tmp_path))
    finally:
        get_settings.cache_clear()
    assert result["etl"]["engine"].startswith("offline (auto: engine check: the Anthropic API rejected the API key")
    places = {"logs": caplog.text, "result": repr(result)}
    places.update({f"outputs/{name}": data.decode("utf-8", "replace") for name, data in snapshot(tmp_path).items()})
    with psycopg.connect(use_database) as conn:
        tables = [r[0] for r in conn.execute("select tablename from pg_tables where schemaname = 'public'")]
        for table in tables:
            places[f"db/{table}"] = " ".join(r[0] for r in conn.execute(f"select row_to_json(t)::text from public.{table} t"))

    async def artifacts() -> str:
        async with get_client() as client:
            return " ".join(f"{a.key} {a.data} {a.description}" for a in await client.read_artifacts())

    import asyncio

    places["artifacts"] = asyncio.run(artifacts())
    assert "run-iris-valente" in places["artifacts"] and "Pipeline run of iris-valente" in places["artifacts"]
    assert [where for where, text in places.items() if key in text or key[-12:] in text] == []
    assert any(r["headers"].get("x-api-key") == key for r in anthropic_stub.requests)  # the key went where it belongs


def test_refresh_all_runs_every_mind_with_a_spec_and_reports_the_one_that_failed(prefect_harness, tmp_path):
    from flows.pipeline import refresh_all
    from lendaria.resume import StageState
    from lendaria.settings import get_settings

    root = tmp_path / "outputs"
    for slug in ("mind-a", "mind-b"):
        spec = write_spec(root / "minds" / slug, [], slug=slug)
        add_source(spec, "notes.txt", f"{slug} wrote these notes about tides, weather and the long patience of shores.")
    assert refresh_all(stages=["etl"], outputs=str(root), persist=False) == {"mind-a": "completed", "mind-b": "completed"}
    assert (root / "minds" / "mind-b" / "sources" / "metadata.yaml").is_file()
    assert StageState(get_settings().home, root, "mind-a").decide("etl", "unused", False).reason != "no earlier run"
    (root / "minds" / "mind-a" / "notes.txt").unlink()  # mind-a's spec now names a missing file
    with pytest.raises(Exception, match="the refresh failed for mind-a; the other minds were refreshed"):
        refresh_all(stages=["etl"], outputs=str(root), persist=False)


def test_collect_tasks_are_cached_by_content_so_only_a_changed_source_is_extracted_again(prefect_harness, tmp_path):
    import shutil

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    from flows.etl import etl_flow

    folder = tmp_path / "mind"
    shutil.copytree(DEMO_SPEC.parent, folder)

    def collect_states(outputs: str) -> dict[str, str]:
        state = etl_flow(mind=str(folder / "mind.yaml"), outputs=outputs, return_state=True)
        with get_client(sync_client=True) as client:
            runs = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[state.state_details.flow_run_id])))
        return {r.name: r.state.name for r in runs if r.name.startswith("collect ")}

    collect_states(str(tmp_path / "a"))
    again = collect_states(str(tmp_path / "b"))  # another outputs folder: the same content, so the same keys
    assert len(again) == 11 and set(again.values()) == {"Cached"}, again
    notes = folder / "notes-on-uncertainty.txt"
    notes.write_text(notes.read_text(encoding="utf-8") + "\nOne more line about the tide.\n", encoding="utf-8")
    changed = collect_states(str(tmp_path / "c"))
    assert [name for name, state in changed.items() if state != "Cached"] == ["collect notes-on-uncertainty.txt"], changed
    assert "One more line about the tide." in next((tmp_path / "c" / "minds" / DEMO_SLUG / "sources").glob("notes-on-uncertainty-*.md")).read_text()


def test_a_run_over_its_budget_stops_at_the_first_call_even_in_an_optional_stage(prefect_harness, tmp_path, monkeypatch,
                                                                                   anthropic_stub):
    """`max_cost` (lendaria run --max-cost): InnerLens's Claude rating could exceed $0.001, so it is not sent
    and the whole run stops there (an optional stage stopped by the budget does not let later stages spend),
    with ETL's files complete and no InnerLens file written."""
    from flows.pipeline import pipeline
    from lendaria.engines.budget import BudgetExceeded
    from lendaria.settings import get_settings

    for name, value in {"ANTHROPIC_API_KEY": "sk-ant-test-budget-0123456789", "LENDARIA_ENGINE": "anthropic",
                        "LENDARIA_ANTHROPIC_BASE_URL": anthropic_stub.base_url}.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        with pytest.raises(BudgetExceeded, match="innerlens.big_five .*was not sent"):
            pipeline(mind=str(DEMO_SPEC), outputs=str(tmp_path), persist=False, max_cost=0.001)
    finally:
        get_settings.cache_clear()
    assert anthropic_stub.messages_sent() == 0
    mind = tmp_path / "minds" / "iris-valente"
    assert (mind / "sources" / "metadata.yaml").is_file() and not (mind / "analysis").exists()
