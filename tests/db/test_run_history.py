"""Run history (pipeline_runs) and the persisted-run check through both repositories: psycopg on the
database, and supabase-py on a real PostgREST in front of it."""

from __future__ import annotations

import pytest

from lendaria.db.history import render_runs
from lendaria.db.persist import persist_stage
from lendaria.db.repository import PostgresRepository, SupabaseRepository
from lendaria.db.target import open_repository
from lendaria.settings import Settings
from stages.etl.run import run_etl
from tests.conftest import DEMO_SPEC
from tests.db.conftest import make_jwt


def run_row(run_id: str, slug: str, started: str, status: str = "completed", cost: float = 0.01, stages=None) -> dict:
    return {"run_id": run_id, "mind_slug": slug, "status": status, "started_at": started, "duration_ms": 1234, "engine": "offline",
            "cost_usd": cost, "force": False, "flow_run_url": f"http://127.0.0.1:4200/runs/flow-run/{run_id}", "error": None,
            "stages": stages or [{"stage": "etl", "status": "ran", "duration_ms": 1000, "summary": "collected 11"}]}


def check_history(repository) -> None:
    repository.record_run(run_row("run-1", "mind-a", "2026-11-20T10:00:00+00:00"))
    repository.record_run(run_row("run-2", "mind-b", "2026-11-21T10:00:00+00:00", status="failed"))
    # a retried run keeps its id: the row is updated, its attempts counted and its cost added up
    repository.record_run(run_row("run-1", "mind-a", "2026-11-20T10:00:00+00:00", cost=0.02,
                                  stages=[{"stage": "etl", "status": "skipped", "duration_ms": 10, "summary": "skipped"}]))
    everything = repository.recent_runs(None, 10)
    assert [r["run_id"] for r in everything] == ["run-2", "run-1"]
    [retried] = repository.recent_runs("mind-a", 10)
    assert retried["attempts"] == 2 and retried["cost_usd"] == pytest.approx(0.03) and retried["stages"][0]["status"] == "skipped"
    assert repository.recent_runs("mind-a", 10)[0]["flow_run_url"].endswith("/run-1")
    assert repository.recent_runs(None, 1)[0]["run_id"] == "run-2"
    lines = render_runs(everything)
    assert "mind-b  failed  1.2 s" in lines[0] and "etl skipped 0.0 s; correlation id run-1" in lines[3]


def test_history_and_persisted_check_through_psycopg(database, tmp_path, settings):
    repository = PostgresRepository(database, settings)
    check_history(repository)
    run_etl(DEMO_SPEC, tmp_path / "outputs", settings)
    persist_stage("etl", "iris-valente", tmp_path / "outputs", repository, run_id="run-p")
    assert repository.persisted("run-p", "etl", "iris-valente")
    assert not repository.persisted("run-p", "innerlens", "iris-valente") and not repository.persisted("run-x", "etl", "iris-valente")


def test_history_and_persisted_check_through_supabase_py(postgrest, database, tmp_path, settings):
    config = Settings(supabase_url=postgrest, supabase_service_role_key=make_jwt("service_role"), supabase_rest_url=postgrest,
                      db_connect_retries=0)
    repository = open_repository(config)
    assert isinstance(repository, SupabaseRepository)
    check_history(repository)
    run_etl(DEMO_SPEC, tmp_path / "outputs", settings)
    persist_stage("etl", "iris-valente", tmp_path / "outputs", repository, run_id="run-s")
    assert repository.persisted("run-s", "etl", "iris-valente") and not repository.persisted("run-s", "mmos", "iris-valente")


def test_signed_in_users_cannot_read_the_run_history(postgrest, database):
    import httpx

    PostgresRepository(database, Settings()).record_run(run_row("run-9", "mind-a", "2026-11-22T10:00:00+00:00"))
    response = httpx.get(f"{postgrest}/pipeline_runs", headers={"Authorization": f"Bearer {make_jwt('authenticated')}"})
    assert response.status_code in (401, 403), response.text
