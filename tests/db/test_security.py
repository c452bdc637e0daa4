"""Ownership and Row Level Security, enforced by the database (direct connections and a real PostgREST)."""

from __future__ import annotations

import httpx
import psycopg
import pytest

from lendaria.db.persist import persist_stage
from lendaria.db.repository import PostgresRepository, SupabaseRepository
from lendaria.db.target import open_repository
from lendaria.settings import Settings
from stages.etl.run import run_etl
from tests.conftest import DEMO_SPEC, write_spec
from tests.db.conftest import as_role, counts, dump, make_jwt

SHA = "a" * 64
PACK_TABLES = {
    "lendaria_etl": ["minds", "sources", "ingestion_batches"],
    "lendaria_innerlens": ["fragments", "fragment_tags", "fragment_quality_audits", "big_five_profiles"],
    "lendaria_mmos": ["mind_profiles"],
    "lendaria_creatoros": ["content_projects", "content_pieces", "content_lessons", "content_minds", "audience_profiles", "content_performance"],
    "lendaria_ops": ["schema_versions", "migration_log", "db_audit_events", "job_executions", "task_metrics", "pipeline_runs"],
}
LATER_TABLES = {"pipeline_runs": "pipeline_runs"}  # table -> the migration that creates it
ALL_TABLES = sorted(t for tables in PACK_TABLES.values() for t in tables)


@pytest.fixture
def two_minds(database, db_settings, tmp_path, settings):
    """Mind A (the demo) and mind B (one text file), persisted; returns (url, id_a, id_b)."""
    run_etl(DEMO_SPEC, tmp_path / "outputs", settings)
    (tmp_path / "b.txt").write_text("Mind B wrote these words and nobody else's.")
    run_etl(write_spec(tmp_path / "b", [{"path": "../b.txt"}], slug="mind-b"), tmp_path / "outputs", settings)
    repository = open_repository(db_settings)
    a = persist_stage("etl", "iris-valente", tmp_path / "outputs", repository, run_id="run-a").mind_id
    b = persist_stage("etl", "mind-b", tmp_path / "outputs", repository, run_id="run-b").mind_id
    return database, a, b


def visible(conn, table: str) -> int:
    return conn.execute(f"select count(*) from public.{table}").fetchone()[0]


# ---- ownership ------------------------------------------------------------------------------------
def test_ownership_table_matches_the_migration_header():
    from lendaria.db.migrations import discover

    header = next(m for m in discover() if m.name == "pack_roles_and_rls").sql
    for role, tables in PACK_TABLES.items():
        line = next(line for line in header.splitlines() if line.startswith(f"--   {role}"))
        assert all(t in header for t in tables if t not in LATER_TABLES), role
        assert line.split()[1] == role
    for table, migration in LATER_TABLES.items():  # tables added after the roles: their own migration grants them
        sql = next(m for m in discover() if m.name == migration).sql
        owner = next(role for role, tables in PACK_TABLES.items() if table in tables)
        assert f"create table public.{table}" in sql and f"on public.{table} to {owner};" in sql


@pytest.mark.parametrize("role", sorted(PACK_TABLES))
def test_each_pack_writes_only_its_own_tables_and_reads_all(database, role):
    with psycopg.connect(database, autocommit=True) as owner:
        privileges = {
            (table, privilege): owner.execute("select has_table_privilege(%s, %s, %s)", (role, f"public.{table}", privilege)).fetchone()[0]
            for table in ALL_TABLES for privilege in ("SELECT", "INSERT", "UPDATE", "DELETE")
        }
    for table in ALL_TABLES:
        assert privileges[(table, "SELECT")], f"{role} cannot read {table}"
        for privilege in ("INSERT", "UPDATE", "DELETE"):
            assert privileges[(table, privilege)] == (table in PACK_TABLES[role]), f"{role} {privilege} {table}"


def test_innerlens_cannot_write_sources_and_etl_cannot_write_fragments(two_minds):
    url, mind_a, _ = two_minds
    with as_role(url, "lendaria_innerlens") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege, match="sources"):
        conn.execute("update public.sources set title = 'hijacked'")
    with as_role(url, "lendaria_etl") as conn:
        source_row = conn.execute("select id from public.sources limit 1").fetchone()[0]
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="fragments"):
            conn.execute("insert into public.fragments (mind_id, source_row_id, fragment_id, start_offset, end_offset, content, content_sha256, words, contract_path, contract_sha256, run_id) "
                         "values (%s, %s, 'f1', 0, 5, 'hello', %s, 1, 'p', %s, 'r')", (mind_a, source_row, SHA, SHA))
    with as_role(url, "lendaria_mmos") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege, match="minds"):
        conn.execute("delete from public.minds")
    with as_role(url, "lendaria_creatoros") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege, match="job_executions"):
        conn.execute("delete from public.job_executions")


def test_persist_through_a_pack_that_does_not_own_the_table_is_refused(two_minds, db_settings):
    from lendaria.db.repository import PersistError

    url, _, _ = two_minds
    before = dump(url, "sources")
    repository = open_repository(db_settings)
    with pytest.raises(PersistError, match="permission denied for table sources"):
        repository.persist("innerlens", {"run_id": "evil", "mind": {"slug": "iris-valente"},
                                         "tables": [{"table": "sources", "key": ["source_id"], "rows": [], "sync": True}]})
    assert dump(url, "sources") == before


# ---- row level security -------------------------------------------------------------------------
def test_session_for_mind_a_sees_none_of_mind_b(two_minds):
    url, mind_a, mind_b = two_minds
    for scope in ({"mind_id": mind_a}, {"claims": {"role": "authenticated", "mind_id": mind_a}},
                  {"claims": {"role": "authenticated", "app_metadata": {"mind_id": mind_a}}}):
        with as_role(url, "authenticated", **scope) as conn:
            ids = {str(r[0]) for r in conn.execute("select mind_id from public.sources")}
            assert ids == {mind_a}
            assert [str(r[0]) for r in conn.execute("select id from public.minds")] == [mind_a]
            assert visible(conn, "ingestion_batches") == 1


def test_authenticated_without_a_mind_sees_nothing_and_cannot_write(two_minds):
    url, mind_a, _ = two_minds
    with as_role(url, "authenticated") as conn:
        assert visible(conn, "sources") == 0 and visible(conn, "minds") == 0
    with as_role(url, "authenticated", mind_id=mind_a) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("delete from public.sources")
    with as_role(url, "authenticated") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("select count(*) from public.job_executions")


def test_anon_sees_nothing_private(two_minds):
    url, _, _ = two_minds
    with as_role(url, "anon") as conn:
        for table in ALL_TABLES:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f"select 1 from public.{table} limit 1")


def test_service_role_sees_everything(two_minds):
    url, mind_a, mind_b = two_minds
    with as_role(url, "service_role", mind_id=mind_a) as conn:
        assert {str(r[0]) for r in conn.execute("select mind_id from public.sources")} == {mind_a, mind_b}


def test_pack_session_scoped_to_a_mind_cannot_touch_another(two_minds):
    url, mind_a, mind_b = two_minds
    with as_role(url, "lendaria_etl", mind_id=mind_a) as conn:
        assert {str(r[0]) for r in conn.execute("select mind_id from public.sources")} == {mind_a}
        assert conn.execute("update public.sources set title = 'x' where mind_id = %s", (mind_b,)).rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute("update public.sources set mind_id = %s where mind_id = %s", (mind_b, mind_a))
    with as_role(url, "lendaria_etl") as conn:  # no mind named: the whole table (backend jobs)
        assert {str(r[0]) for r in conn.execute("select mind_id from public.sources")} == {mind_a, mind_b}


# ---- supabase-py against a real PostgREST ----------------------------------------------------------
def test_supabase_py_path_persists_idempotently(postgrest, database, tmp_path, settings):
    run_etl(DEMO_SPEC, tmp_path / "outputs", settings)
    key = make_jwt("service_role")
    config = Settings(supabase_url=postgrest, supabase_service_role_key=key, supabase_rest_url=postgrest, db_connect_retries=0)
    repository = open_repository(config)
    assert isinstance(repository, SupabaseRepository)
    first = persist_stage("etl", "iris-valente", tmp_path / "outputs", repository, run_id="sb-1")
    assert first.counts["sources"]["written"] == 11
    before = {t: dump(database, t) for t in ("minds", "sources", "ingestion_batches")}
    again = persist_stage("etl", "iris-valente", tmp_path / "outputs", repository, run_id="sb-2")
    assert all(c["written"] == 0 for c in again.counts.values())
    assert {t: dump(database, t) for t in ("minds", "sources", "ingestion_batches")} == before
    assert counts(database)["job_executions"] == 2


def test_postgrest_enforces_rls_from_jwt_claims(postgrest, two_minds):
    url, mind_a, mind_b = two_minds

    def get(path: str, token: str | None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.get(postgrest + path, headers=headers, timeout=10)

    own = get("/sources?select=mind_id", make_jwt("authenticated", mind_id=mind_a))
    assert own.status_code == 200 and {r["mind_id"] for r in own.json()} == {mind_a}
    other = get(f"/sources?select=mind_id&mind_id=eq.{mind_b}", make_jwt("authenticated", mind_id=mind_a))
    assert other.status_code == 200 and other.json() == []
    anonymous = get("/sources", None)
    assert anonymous.status_code in (401, 403)
    service = get("/sources?select=mind_id", make_jwt("service_role"))
    assert {r["mind_id"] for r in service.json()} == {mind_a, mind_b}
    rpc = httpx.post(postgrest + "/rpc/lendaria_persist", json={"p_pack": "etl", "p_payload": {}},
                     headers={"Authorization": f"Bearer {make_jwt('authenticated', mind_id=mind_a)}"}, timeout=10)
    assert rpc.status_code in (401, 403, 404)  # signed-in users cannot call the persist function


def test_supabase_unreachable_gives_a_clear_error(tmp_path):
    from lendaria.db.connect import DatabaseUnavailableError
    from tests.db.conftest import free_port

    dead = f"http://127.0.0.1:{free_port()}"
    config = Settings(supabase_url=dead, supabase_service_role_key=make_jwt("service_role"), supabase_rest_url=dead,
                      db_connect_retries=1, db_connect_backoff=0.01)
    with pytest.raises(DatabaseUnavailableError, match="after 2 attempt"):
        open_repository(config).persist("etl", {"run_id": "r", "mind": {"slug": "x"}})


# ---- privacy classes ------------------------------------------------------------------------------
def test_non_public_fragments_stay_within_their_mind_even_for_signed_in_readers_of_other_minds(postgrest, database, tmp_path, settings):
    """Mind A (the demo: its Word draft is PRIVATE) and mind B (one CLINICAL note). A session for one mind
    reads every fragment of its own and only the PUBLIC fragments of the other (direct SQL and PostgREST)."""
    from stages.innerlens.run import run_innerlens

    out = tmp_path / "outputs"
    run_etl(DEMO_SPEC, out, settings)
    (tmp_path / "b.txt").write_text("The session notes describe a long winter of poor sleep and slow recovery after the storm.\n\n"
                                    "Walking by the harbour every morning helped more than any of the other advice I was given.\n")
    run_etl(write_spec(tmp_path / "b", [{"path": "../b.txt", "classification": "CLINICAL"}], slug="mind-b", language="en"), out, settings)
    repository = PostgresRepository(database, settings)
    ids = {}
    for slug in ("iris-valente", "mind-b"):
        run_innerlens(slug, out, settings)
        ids[slug] = persist_stage("etl", slug, out, repository, run_id="run-p").mind_id
        persist_stage("innerlens", slug, out, repository, run_id="run-p")
    a, b = ids["iris-valente"], ids["mind-b"]
    with psycopg.connect(database) as conn:
        classes = dict(conn.execute("select classification, count(*) from fragments where mind_id = %s group by 1", (a,)).fetchall())
        b_total = conn.execute("select count(*) from fragments where mind_id = %s", (b,)).fetchone()[0]
        sources = dict(conn.execute("select source_id, classification from sources where mind_id = %s", (a,)).fetchall())
    assert classes["PRIVATE"] > 0 and classes["PUBLIC"] > 0 and b_total == 2
    assert sources["field-guide-draft-d8da885a"] == "PRIVATE"

    def seen(conn) -> dict[tuple[str, str], int]:
        return {(str(m), c): n for m, c, n in conn.execute(
            "select mind_id, classification, count(*) from public.fragments group by 1, 2")}

    with as_role(database, "authenticated", claims={"role": "authenticated", "mind_id": b}) as conn:
        assert seen(conn) == {(a, "PUBLIC"): classes["PUBLIC"], (b, "CLINICAL"): 2}
        assert {str(r[0]) for r in conn.execute("select mind_id from public.fragment_tags")} <= {b}
    with as_role(database, "authenticated", claims={"role": "authenticated", "mind_id": a}) as conn:
        assert seen(conn) == {(a, "PUBLIC"): classes["PUBLIC"], (a, "PRIVATE"): classes["PRIVATE"]}
    with as_role(database, "anon") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("select 1 from public.fragments limit 1")

    rows = httpx.get(f"{postgrest}/fragments?select=mind_id,classification", timeout=10,
                     headers={"Authorization": f"Bearer {make_jwt('authenticated', mind_id=b)}"}).json()
    assert {(r["mind_id"], r["classification"]) for r in rows} == {(a, "PUBLIC"), (b, "CLINICAL")}
    assert sum(r["mind_id"] == a for r in rows) == classes["PUBLIC"]


def test_fidelity_checks_are_written_by_mmos_only_and_read_by_every_pack(database):
    """The table MMOS added later (migration 20261122110000) follows the same ownership rule."""
    with psycopg.connect(database, autocommit=True) as owner:
        def can(role: str, privilege: str) -> bool:
            return owner.execute("select has_table_privilege(%s, 'public.fidelity_checks', %s)", (role, privilege)).fetchone()[0]

        for role in PACK_TABLES:
            assert can(role, "SELECT"), role
            for privilege in ("INSERT", "UPDATE", "DELETE"):
                assert can(role, privilege) == (role == "lendaria_mmos"), (role, privilege)
        assert can("authenticated", "SELECT") and not can("authenticated", "INSERT") and not can("anon", "SELECT")
        assert owner.execute("select relrowsecurity from pg_class where oid = 'public.fidelity_checks'::regclass").fetchone()[0]


def test_profile_versions_are_appended_by_the_trigger_only_and_never_edited(database):
    """mind_profile_versions (migration 20261122120000): only MMOS's trigger appends; nobody inserts, updates or deletes."""
    with psycopg.connect(database, autocommit=True) as owner:
        def can(role: str, privilege: str) -> bool:
            return owner.execute("select has_table_privilege(%s, 'public.mind_profile_versions', %s)", (role, privilege)).fetchone()[0]

        for role in PACK_TABLES:
            assert can(role, "SELECT") and not can(role, "INSERT"), role  # appended by MMOS's trigger only
            assert not can(role, "UPDATE") and not can(role, "DELETE"), role
        assert can("authenticated", "SELECT") and not can("authenticated", "INSERT") and not can("anon", "SELECT")
        assert owner.execute("select relrowsecurity from pg_class where oid = 'public.mind_profile_versions'::regclass").fetchone()[0]
