"""Seeds and snapshots: supabase/seed.sql on a fresh database, `lendaria db reset --seed`, and
`lendaria db snapshot` / `restore` of the embedded database (its own pg_dump / pg_restore)."""

from __future__ import annotations

import psycopg

from lendaria.db.snapshots import seed_file
from tests.conftest import run_cli


def counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        return {t: conn.execute(f"select count(*) from public.{t}").fetchone()[0]
                for t in ("minds", "sources", "big_five_profiles", "mind_profiles", "mind_profile_versions", "db_audit_events")}


def test_seed_applies_on_a_fresh_database_as_supabase_db_reset_would(database):
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute(seed_file().read_text(encoding="utf-8"))
        slug, name = conn.execute("select slug, display_name from public.minds").fetchone()
        private = conn.execute("select count(*) from public.sources where classification <> 'PUBLIC'").fetchone()[0]
    seeded = counts(database)
    assert (slug, name) == ("iris-valente", "Iris Valente") and private == 0
    assert seeded["sources"] == 10 and seeded["big_five_profiles"] == 1 and seeded["mind_profiles"] >= 1
    assert seeded["mind_profile_versions"] == seeded["mind_profiles"]  # the trigger recorded each as version 1
    assert seeded["db_audit_events"] > 0


def test_reset_seed_snapshot_and_restore_on_the_embedded_database(tmp_path):
    env = {"LENDARIA_HOME": str(tmp_path / "home")}
    try:
        reset = run_cli("db", "reset", "--seed", "--yes", env=env)
        assert reset.returncode == 0 and "seeded from supabase/seed.sql" in reset.stdout, reset.stderr
        url = run_cli("db", "url", env=env).stdout.strip()
        seeded = counts(url)
        assert seeded["minds"] == 1 and seeded["sources"] == 10
        snap = tmp_path / "before.dump"
        made = run_cli("db", "snapshot", "-o", str(snap), env=env)
        assert made.returncode == 0 and snap.stat().st_size > 10_000, made.stderr
        with psycopg.connect(url, autocommit=True) as conn:  # a mistake after the snapshot
            conn.execute("delete from public.minds")
        assert counts(url)["sources"] == 0
        restored = run_cli("db", "restore", str(snap), "--yes", env=env)
        assert restored.returncode == 0, restored.stderr
        assert counts(url) == seeded
        assert run_cli("db", "status", env=env).returncode == 0  # migrations recorded as applied, none changed
        empty = run_cli("db", "reset", "--yes", env=env)
        assert empty.returncode == 0 and counts(url)["minds"] == 0
        missing = run_cli("db", "restore", str(tmp_path / "nope.dump"), "--yes", env=env)
        assert missing.returncode == 1 and "snapshot not found" in missing.stderr
    finally:
        run_cli("db", "stop", env=env)


def test_reset_and_snapshot_refuse_a_database_url(database):
    for command in (["db", "reset", "--yes"], ["db", "snapshot"]):
        result = run_cli(*command, env={"DATABASE_URL": database})
        assert result.returncode == 1 and "embedded database only" in result.stderr, result.stderr
    assert counts(database)["minds"] == 0
