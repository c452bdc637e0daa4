"""Real PostgreSQL (the embedded server, started once per session) and real PostgREST fixtures."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import uuid

import psycopg
import pytest

from lendaria.db import migrations
from lendaria.db.embedded import EmbeddedPostgres
from lendaria.settings import Settings

JWT_SECRET = "lendaria-test-secret-with-at-least-32-characters"


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory):
    """The embedded PostgreSQL, started once for the session in its own folder."""
    server = EmbeddedPostgres(tmp_path_factory.mktemp("pg") / "home")
    server.start()
    yield server
    server.stop()


def create_database(server: EmbeddedPostgres, *, migrate: bool = True) -> str:
    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server.url("postgres"), autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    url = server.url(name)
    if migrate:
        with psycopg.connect(url, autocommit=True) as conn:
            migrations.apply_bootstrap(conn)
            migrations.migrate(conn)
    return url


def database_name(url: str) -> str:
    return url.split("?")[0].rsplit("/", 1)[-1]


def drop_database(server: EmbeddedPostgres, url: str) -> None:
    name = database_name(url)
    with psycopg.connect(server.url("postgres"), autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}" with (force)')


@pytest.fixture
def database(pg_server):
    """A fresh, migrated database; dropped afterwards."""
    url = create_database(pg_server)
    yield url
    drop_database(pg_server, url)


@pytest.fixture
def empty_database(pg_server):
    """A fresh database with nothing applied (not even the bootstrap)."""
    url = create_database(pg_server, migrate=False)
    yield url
    drop_database(pg_server, url)


@pytest.fixture
def db_settings(database, tmp_path):
    return Settings(database_url=database, home=tmp_path / "home", db_connect_retries=0)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_jwt(role: str, **claims) -> str:
    import jwt

    return jwt.encode({"role": role, "iss": "lendaria-tests", "exp": int(time.time()) + 3600, **claims}, JWT_SECRET, algorithm="HS256")


@pytest.fixture
def postgrest(pg_server, database):
    """A real PostgREST in front of ``database``; yields its base URL (routes at /, no /rest/v1)."""
    from tests.support.postgrest import ensure_postgrest

    binary = ensure_postgrest()
    port = free_port()
    name = database_name(database)
    env = {
        **os.environ,
        "PGRST_DB_URI": f"postgresql://authenticator@/{name}?host={pg_server.socket_dir}",
        "PGRST_DB_SCHEMAS": "public",
        "PGRST_DB_ANON_ROLE": "anon",
        "PGRST_JWT_SECRET": JWT_SECRET,
        "PGRST_SERVER_HOST": "127.0.0.1",
        "PGRST_SERVER_PORT": str(port),
        "PGRST_DB_CHANNEL_ENABLED": "false",
        "PGRST_LOG_LEVEL": "error",
    }
    process = subprocess.Popen([str(binary)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    import httpx

    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(base + "/", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            output = process.stdout.read().decode(errors="replace") if process.stdout else ""
            pytest.fail(f"PostgREST did not start: {output[:3000]}")
        time.sleep(0.1)
    yield base
    process.terminate()
    process.wait(timeout=10)


def counts(url: str) -> dict[str, int]:
    tables = ["minds", "sources", "ingestion_batches", "job_executions", "fragments"]
    with psycopg.connect(url) as conn:
        return {t: conn.execute(f"select count(*) from public.{t}").fetchone()[0] for t in tables}


def dump(url: str, table: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(f"select * from public.{table} order by 1").fetchall()


def as_role(url: str, role: str, *, mind_id: str | None = None, claims: dict | None = None):
    """A connection acting as ``role`` (SET ROLE), optionally scoped to a mind by setting or JWT claims."""
    conn = psycopg.connect(url, autocommit=True)
    conn.execute(f"set role {role}")
    if mind_id is not None:
        conn.execute("select set_config('lendaria.mind_id', %s, false)", (mind_id,))
    if claims is not None:
        import json

        conn.execute("select set_config('request.jwt.claims', %s, false)", (json.dumps(claims),))
    return conn
