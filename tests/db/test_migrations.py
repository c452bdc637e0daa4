"""The migration runner against a real PostgreSQL."""

from __future__ import annotations

import re
import shutil

import psycopg
import pytest

from lendaria.db import migrations
from lendaria.db.migrations import MigrationError, discover, supabase_dir
from lendaria.db.target import needs_bootstrap

TABLES = {"minds", "mind_profiles", "sources", "fragments", "fragment_tags", "fragment_quality_audits", "big_five_profiles", "fidelity_checks", "mind_profile_versions",
          "content_projects", "content_pieces", "content_lessons", "content_minds", "audience_profiles", "content_performance",
          "ingestion_batches", "job_executions", "task_metrics", "pipeline_runs", "schema_versions", "migration_log", "db_audit_events"}


def tables(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        return {r[0] for r in conn.execute("select tablename from pg_tables where schemaname = 'public'")}


def test_files_follow_supabase_cli_conventions():
    found = discover()
    assert found, "no migrations"
    for migration in found:
        assert re.fullmatch(r"\d{14}_[a-z0-9_]+\.sql", migration.filename)
        assert migration.rollback_path.is_file(), f"{migration.filename} has no down migration"
        sql = migration.sql.lower()
        # supabase db push wraps each file in its own transaction: no BEGIN/COMMIT inside
        assert not re.search(r"^\s*(begin|commit)\s*;", sql, re.MULTILINE), migration.filename
        # local-only objects come from the bootstrap, never from a migration
        assert "create role anon" not in sql and "create role service_role" not in sql and "create schema auth" not in sql


def test_up_down_up_on_a_real_database(empty_database):
    url = empty_database
    with psycopg.connect(url, autocommit=True) as conn:
        assert needs_bootstrap(conn)
        migrations.apply_bootstrap(conn)
        migrations.apply_bootstrap(conn)  # idempotent
        assert not needs_bootstrap(conn)
        applied = migrations.migrate(conn)
        assert [m.version for m in applied] == [m.version for m in discover()]
        assert tables(url) == TABLES
        rows = conn.execute("select version, name, checksum from schema_versions order by version").fetchall()
        assert rows == [(m.version, m.name, m.checksum) for m in discover()]
        assert migrations.migrate(conn) == []  # nothing pending

        migrations.rollback(conn)  # newest only
        assert [s.state for s in migrations.status(conn)][-1] == "pending"
        migrations.rollback(conn, to="0")
        assert tables(url) == set()
        migrations.migrate(conn)
        assert tables(url) == TABLES
        log = conn.execute("select direction, status from migration_log order by id").fetchall()
        assert ("up", "applied") in log


def test_changed_applied_migration_is_refused(database, tmp_path):
    folder = tmp_path / "supabase"
    shutil.copytree(supabase_dir(), folder)
    target = sorted((folder / "migrations").glob("*.sql"))[1]
    target.write_text(target.read_text() + "\n-- edited after it ran\n")
    with psycopg.connect(database, autocommit=True) as conn:
        states = migrations.status(conn, discover(folder))
        assert [s.state for s in states].count("changed") == 1
        with pytest.raises(MigrationError, match="changed since they ran"):
            migrations.migrate(conn, migrations=discover(folder))
        with pytest.raises(MigrationError, match="changed since they ran"):
            migrations.rollback(conn, migrations=discover(folder))


def test_failed_migration_rolls_back_completely_and_is_logged(database, tmp_path):
    folder = tmp_path / "supabase"
    shutil.copytree(supabase_dir(), folder)
    bad = folder / "migrations" / "29991231235959_broken.sql"
    bad.write_text("create table public.half_done (id int);\ninsert into public.half_done values (1);\nselect 1/0;\n")
    (folder / "rollbacks" / bad.name).write_text("drop table if exists public.half_done;\n")
    with psycopg.connect(database, autocommit=True) as conn:
        before = conn.execute("select count(*) from schema_versions").fetchone()[0]
        with pytest.raises(MigrationError, match="division by zero") as info:
            migrations.migrate(conn, migrations=discover(folder))
        assert "29991231235959_broken.sql" in str(info.value)
        assert conn.execute("select to_regclass('public.half_done')").fetchone()[0] is None
        assert conn.execute("select count(*) from schema_versions").fetchone()[0] == before
        failed = conn.execute("select version, status, error from migration_log where status = 'failed'").fetchall()
        assert failed and failed[0][0] == "29991231235959" and "division by zero" in failed[0][2]


def test_rollback_to_a_version(database):
    versions = [m.version for m in discover()]
    with psycopg.connect(database, autocommit=True) as conn:
        done = migrations.rollback(conn, to=versions[1])
        assert [m.version for m in done] == list(reversed(versions[2:]))
        assert [s.state for s in migrations.status(conn)] == ["applied", "applied"] + ["pending"] * (len(versions) - 2)
        with pytest.raises(MigrationError, match="not applied"):
            migrations.rollback(conn, to=versions[-1])
        migrations.migrate(conn)


def test_auth_helpers_read_jwt_claims(database):
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute("""select set_config('request.jwt.claims', '{"sub": "6f1c1d52-8a59-4c38-9b0e-1f6f1f8f2a11", "role": "authenticated"}', false)""")
        assert str(conn.execute("select auth.uid()").fetchone()[0]) == "6f1c1d52-8a59-4c38-9b0e-1f6f1f8f2a11"
        assert conn.execute("select auth.role()").fetchone()[0] == "authenticated"
        assert conn.execute("select auth.jwt() ->> 'role'").fetchone()[0] == "authenticated"
