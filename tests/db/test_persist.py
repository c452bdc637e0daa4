"""The persist step against a real PostgreSQL: rows, lineage, idempotency, sync, bad input, outages,
and a kill in the middle of a batch."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import psycopg
import pytest

from contracts import ContractViolationError, get_registry
from lendaria.db.connect import DatabaseUnavailableError
from lendaria.db.persist import new_run_id, persist_stage
from lendaria.db.repository import PostgresRepository
from lendaria.db.target import SchemaNotReadyError, open_repository
from lendaria.settings import Settings
from stages.etl.run import run_etl
from tests.conftest import DEMO_SPEC, REPO_ROOT, snapshot
from tests.db.conftest import counts, dump


@pytest.fixture
def demo_outputs(tmp_path, settings):
    run_etl(DEMO_SPEC, tmp_path / "outputs", settings)
    return tmp_path / "outputs"


def test_persist_writes_minds_sources_batches_with_lineage(database, db_settings, demo_outputs):
    repository = open_repository(db_settings)
    run_id = new_run_id()
    result = persist_stage("etl", "iris-valente", demo_outputs, repository, run_id=run_id)
    assert result.counts["sources"] == {"rows": 11, "written": 11, "deleted": 0}
    with psycopg.connect(database) as conn:
        mind = conn.execute("select slug, display_name, language, contract_path, run_id from minds").fetchone()
        assert mind == ("iris-valente", "Iris Valente", "en", "minds/iris-valente/sources/metadata.yaml", run_id)
        rows = conn.execute("select source_id, words, contract_path, contract_sha256, run_id from sources order by source_id").fetchall()
        for source_id, _words, path, sha, row_run in rows:
            file = demo_outputs / path
            import hashlib

            assert hashlib.sha256(file.read_bytes()).hexdigest() == sha and row_run == run_id
            assert path == f"minds/iris-valente/sources/{source_id}.md"
        assert sum(r[1] for r in rows) == conn.execute("select words from ingestion_batches").fetchone()[0]
        job = conn.execute("select run_id, stage, mind_slug, status, duration_ms, counts -> 'sources' ->> 'written' from job_executions").fetchone()
        assert job[:4] == (run_id, "etl", "iris-valente", "completed") and job[4] >= 0 and job[5] == "11"


def test_persisting_twice_changes_nothing(database, db_settings, demo_outputs):
    repository = open_repository(db_settings)
    persist_stage("etl", "iris-valente", demo_outputs, repository, run_id="run-1")
    before = {t: dump(database, t) for t in ("minds", "sources", "ingestion_batches")}
    again = persist_stage("etl", "iris-valente", demo_outputs, repository, run_id="run-2")
    assert all(c["written"] == 0 and c["deleted"] == 0 for c in again.counts.values())
    assert {t: dump(database, t) for t in ("minds", "sources", "ingestion_batches")} == before  # same values, same run_id
    assert counts(database)["job_executions"] == 2  # one row per stage run, by design
    retry = persist_stage("etl", "iris-valente", demo_outputs, repository, run_id="run-2")  # a retried run
    assert counts(database)["job_executions"] == 2 and retry.counts["sources"]["written"] == 0


def test_removed_source_is_deleted_and_changed_one_updated(database, db_settings, demo_copy, tmp_path, settings):
    outputs = tmp_path / "outputs"
    run_etl(demo_copy, outputs, settings)
    repository = open_repository(db_settings)
    persist_stage("etl", "iris-valente", outputs, repository, run_id="run-1")
    text = demo_copy.read_text().replace("  - path: notes-on-uncertainty.txt\n    type: notes\n    title: Notes on Uncertainty\n", "")
    demo_copy.write_text(text.replace("type: letter", "type: letter\n    title: Letter (revised title)"))
    run_etl(demo_copy, outputs, settings)
    result = persist_stage("etl", "iris-valente", outputs, repository, run_id="run-2")
    assert result.counts["sources"] == {"rows": 10, "written": 1, "deleted": 1}
    with psycopg.connect(database) as conn:
        assert conn.execute("select count(*) from sources").fetchone()[0] == 10
        assert conn.execute("select run_id from sources where title = 'Letter (revised title)'").fetchone()[0] == "run-2"
        assert conn.execute("select count(*) from ingestion_batches").fetchone()[0] == 2  # history of collections


def test_invalid_contract_file_is_never_persisted(database, db_settings, demo_outputs):
    victim = next((demo_outputs / "minds" / "iris-valente" / "sources").glob("essay-field-notebook-*.md"))
    victim.write_text(victim.read_text().replace("words: 1481", "words: 1482"))
    before = snapshot(demo_outputs)
    with pytest.raises(ContractViolationError) as info:
        persist_stage("etl", "iris-valente", demo_outputs, open_repository(db_settings), run_id="run-x")
    assert "/front_matter/words" in str(info.value) and get_registry().latest("etl-mmos").ref in str(info.value)
    assert counts(database) == {"minds": 0, "sources": 0, "ingestion_batches": 0, "job_executions": 0, "fragments": 0}
    assert snapshot(demo_outputs) == before


def test_database_down_gives_a_clear_error_after_bounded_retries(tmp_path, demo_outputs):
    settings = Settings(database_url=f"postgresql://postgres@/lendaria?host={tmp_path}/nowhere", db_connect_retries=2,
                        db_connect_backoff=0.01, home=tmp_path / "home")
    before = snapshot(demo_outputs)
    started = time.monotonic()
    with pytest.raises(DatabaseUnavailableError) as info:
        persist_stage("etl", "iris-valente", demo_outputs, PostgresRepository(settings.database_url.get_secret_value(), settings), run_id="r")
    assert "after 3 attempt(s)" in str(info.value) and info.value.exit_code == 4
    assert time.monotonic() - started < 30
    assert snapshot(demo_outputs) == before


def test_password_never_appears_in_errors(tmp_path):
    settings = Settings(database_url="postgresql://u:s3cr3t-pw@127.0.0.1:1/db", db_connect_retries=0, db_connect_timeout=1)
    with pytest.raises(DatabaseUnavailableError) as info:
        PostgresRepository(settings.database_url.get_secret_value(), settings).persist("etl", {})
    assert "s3cr3t-pw" not in str(info.value) and "127.0.0.1:1/db" in str(info.value)
    assert "s3cr3t-pw" not in repr(settings)


def test_unmigrated_database_is_refused(empty_database, tmp_path):
    settings = Settings(database_url=empty_database, db_connect_retries=0, home=tmp_path)
    with pytest.raises(SchemaNotReadyError, match="lendaria db migrate"):
        open_repository(settings)


def test_other_packs_need_the_mind_first(database, db_settings):
    repository = open_repository(db_settings)
    from lendaria.db.repository import PersistError

    with pytest.raises(PersistError, match="persist its etl stage first"):
        repository.persist("innerlens", {"run_id": "r", "mind": {"slug": "nobody"}, "tables": []})


KILL_SCRIPT = r"""
import sys
from lendaria.db.repository import PostgresRepository
from lendaria.settings import Settings
url, rows = sys.argv[1], int(sys.argv[2])
sha = "a" * 64
sources = [{"source_id": f"s-{i:06d}", "status": "collected", "type": "book", "title": "T" * 200, "format": "txt",
            "origin_kind": "file", "origin_location": f"f{i}.txt", "language": "en", "words": i, "content_sha256": sha,
            "contract_path": f"minds/big/sources/s-{i:06d}.md", "contract_sha256": sha} for i in range(rows)]
payload = {"run_id": "kill-test", "mind": {"slug": "big", "row": {"display_name": "Big", "contract_path": "m", "contract_sha256": sha}},
           "tables": [{"table": "sources", "key": ["source_id"], "rows": sources, "sync": True}]}
print("persisting", flush=True)
print(PostgresRepository(url, Settings()).persist("etl", payload)["counts"], flush=True)
"""


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_killed_mid_persist_leaves_no_partial_batch_and_next_run_completes(database, tmp_path, sig):
    script = tmp_path / "persist_big.py"
    script.write_text(KILL_SCRIPT)
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    process = subprocess.Popen([sys.executable, str(script), database, "60000"], stdout=subprocess.PIPE, text=True, env=env)
    assert process.stdout.readline().strip() == "persisting"
    # wait until the batch is inside the database, then kill the client mid-transaction
    deadline = time.monotonic() + 60
    with psycopg.connect(database, autocommit=True) as watcher:
        while time.monotonic() < deadline:
            active = watcher.execute("select count(*) from pg_stat_activity where query like '%lendaria_persist%' and state = 'active' and pid <> pg_backend_pid()").fetchone()[0]
            if active:
                break
            time.sleep(0.02)
        assert active, "the persist never reached the database"
        os.kill(process.pid, sig)
        process.wait(timeout=30)
        # the server notices the dead client and rolls back; nothing of the batch is visible
        deadline = time.monotonic() + 60
        while watcher.execute("select count(*) from pg_stat_activity where query like '%lendaria_persist%' and pid <> pg_backend_pid()").fetchone()[0]:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    assert counts(database)["sources"] == 0 and counts(database)["minds"] == 0
    done = subprocess.run([sys.executable, str(script), database, "60000"], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert counts(database)["sources"] == 60000


def test_batch_is_deduplicated_on_its_natural_key_last_wins(database, db_settings):
    repository = open_repository(db_settings)
    sha = "c" * 64
    row = {"status": "collected", "type": "essay", "format": "txt", "origin_kind": "file", "origin_location": "a.txt",
           "language": "en", "words": 1, "content_sha256": sha, "contract_path": "p", "contract_sha256": sha}
    result = repository.persist("etl", {
        "run_id": "dedupe", "mind": {"slug": "dedupe", "row": {"display_name": "D", "contract_path": "m", "contract_sha256": sha}},
        "tables": [{"table": "sources", "key": ["source_id"], "sync": True, "rows": [
            {**row, "source_id": "same", "title": "first"}, {**row, "source_id": "other", "title": "x"},
            {**row, "source_id": "same", "title": "last"}]}]})
    assert result["counts"]["sources"] == {"rows": 3, "written": 2, "deleted": 0}
    with psycopg.connect(database) as conn:
        assert conn.execute("select title from sources where source_id = 'same'").fetchall() == [("last",)]


def test_metadata_disagreeing_with_its_files_is_never_persisted(database, db_settings, demo_outputs):
    metadata = demo_outputs / "minds" / "iris-valente" / "sources" / "metadata.yaml"
    metadata.write_text(metadata.read_text().replace("words: 1481", "words: 1480", 1).replace("words: 5141", "words: 5140"))
    with pytest.raises(ContractViolationError) as info:
        persist_stage("etl", "iris-valente", demo_outputs, open_repository(db_settings), run_id="run-x")
    assert "/sources/0/words" in str(info.value) and "metadata.yaml" in str(info.value)
    assert counts(database)["sources"] == 0
