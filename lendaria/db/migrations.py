"""The migration runner: ``supabase/migrations/<YYYYMMDDHHMMSS>_<name>.sql`` applied in order.

* Each migration runs in its own transaction together with its ``schema_versions`` row (version,
  name, sha256 of the file); a failure rolls back completely and is recorded in ``migration_log``.
* An applied migration whose file changed since is refused (checksums), before anything runs.
* Down migrations live beside the ups, in ``supabase/rollbacks/<same file name>``.
* The files are plain SQL without BEGIN/COMMIT, so ``supabase db push`` applies them unchanged.
  What plain PostgreSQL lacks compared with Supabase comes from ``supabase/local/bootstrap.sql``,
  applied (idempotently) only to local and test databases.
"""

from __future__ import annotations

import hashlib
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import psycopg

from lendaria.errors import LendariaError

_NAME_RE = re.compile(r"^(?P<version>\d{14})_(?P<name>[a-z0-9_]+)\.sql$")


class MigrationError(LendariaError):
    """A migration could not be applied or rolled back; the database is as it was before it."""


def supabase_dir() -> Path:
    """The project's ``supabase/`` folder (beside the package in a checkout)."""
    return Path(__file__).resolve().parents[2] / "supabase"


@dataclass(frozen=True)
class Migration:
    version: str
    name: str
    path: Path
    rollback_path: Path

    @property
    def filename(self) -> str:
        return self.path.name

    @property
    def sql(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class MigrationState:
    migration: Migration | None
    version: str
    name: str
    state: str  # applied | pending | changed | missing


def discover(folder: Path | None = None) -> list[Migration]:
    folder = folder or supabase_dir()
    migrations = []
    for path in sorted((folder / "migrations").glob("*.sql")):
        match = _NAME_RE.match(path.name)
        if not match:
            raise MigrationError("migration file names must be <YYYYMMDDHHMMSS>_<name>.sql.", file=path)
        migrations.append(Migration(match["version"], match["name"], path, folder / "rollbacks" / path.name))
    versions = [m.version for m in migrations]
    if len(set(versions)) != len(versions):
        raise MigrationError("two migration files share a version.", file=folder / "migrations")
    return migrations


# pg_advisory_lock key held while the schema changes, so concurrent runs on a fresh database
# (two `lendaria run` at once) apply the bootstrap and each migration exactly once.
SCHEMA_LOCK_KEY = 0x4C454E44  # "LEND"


@contextmanager
def schema_lock(conn: psycopg.Connection) -> Iterator[None]:
    """Hold the schema advisory lock for the session (released on exit or when the connection drops)."""
    conn.execute("select pg_advisory_lock(%s)", (SCHEMA_LOCK_KEY,))
    try:
        yield
    finally:
        conn.execute("select pg_advisory_unlock(%s)", (SCHEMA_LOCK_KEY,))


def apply_bootstrap(conn: psycopg.Connection, folder: Path | None = None) -> None:
    """Create the Supabase roles and auth helpers on a plain PostgreSQL (idempotent)."""
    sql = ((folder or supabase_dir()) / "local" / "bootstrap.sql").read_text(encoding="utf-8")
    with conn.transaction():
        conn.execute(sql)


def _has_table(conn: psycopg.Connection, name: str) -> bool:
    return conn.execute("select to_regclass(%s) is not null", (f"public.{name}",)).fetchone()[0]


def applied_versions(conn: psycopg.Connection) -> dict[str, tuple[str, str]]:
    """version -> (name, checksum) of applied migrations; empty on a fresh database."""
    if not _has_table(conn, "schema_versions"):
        return {}
    rows = conn.execute("select version, name, checksum from public.schema_versions order by version").fetchall()
    return {version: (name, checksum) for version, name, checksum in rows}


def status(conn: psycopg.Connection, migrations: list[Migration] | None = None) -> list[MigrationState]:
    migrations = discover() if migrations is None else migrations
    applied = applied_versions(conn)
    states = []
    for migration in migrations:
        if migration.version not in applied:
            states.append(MigrationState(migration, migration.version, migration.name, "pending"))
        elif applied[migration.version][1] != migration.checksum:
            states.append(MigrationState(migration, migration.version, migration.name, "changed"))
        else:
            states.append(MigrationState(migration, migration.version, migration.name, "applied"))
    known = {m.version for m in migrations}
    for version, (name, _) in applied.items():
        if version not in known:
            states.append(MigrationState(None, version, name, "missing"))
    return sorted(states, key=lambda s: s.version)


def _log(conn: psycopg.Connection, migration: Migration, direction: str, outcome: str, started: datetime, error: str | None = None) -> None:
    """Record an attempt in migration_log, in its own transaction (so failures are kept)."""
    if not _has_table(conn, "migration_log"):
        return
    with conn.transaction():
        conn.execute(
            "insert into public.migration_log (version, name, direction, status, checksum, error, started_at) values (%s, %s, %s, %s, %s, %s, %s)",
            (migration.version, migration.name, direction, outcome, migration.checksum, error, started),
        )


def _refuse_changed(states: list[MigrationState]) -> None:
    changed = [s for s in states if s.state == "changed"]
    if changed:
        names = ", ".join(s.migration.filename for s in changed if s.migration)
        raise MigrationError(
            f"applied migration file(s) changed since they ran: {names}.",
            hint="Never edit an applied migration: restore the file (git checkout) and add a new migration instead.",
        )


def migrate(conn: psycopg.Connection, *, target: str | None = None, migrations: list[Migration] | None = None) -> list[Migration]:
    """Apply pending migrations (up to ``target`` inclusive) in order; returns those applied."""
    conn.autocommit = True
    states = status(conn, migrations)
    _refuse_changed(states)
    done = []
    for state in states:
        migration = state.migration
        if state.state != "pending" or migration is None or (target and migration.version > target):
            continue
        started = datetime.now(timezone.utc)
        clock = time.perf_counter()
        try:
            with conn.transaction():
                conn.execute(migration.sql)
                conn.execute(
                    "insert into public.schema_versions (version, name, checksum, execution_ms) values (%s, %s, %s, %s)",
                    (migration.version, migration.name, migration.checksum, int((time.perf_counter() - clock) * 1000)),
                )
        except psycopg.Error as exc:
            message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            _log(conn, migration, "up", "failed", started, message)
            raise MigrationError(f"failed and was rolled back completely: {message}.", file=migration.path,
                                 hint="The database is as it was before this migration.") from exc
        _log(conn, migration, "up", "applied", started)
        done.append(migration)
    return done


def rollback(conn: psycopg.Connection, *, to: str | None = None, migrations: list[Migration] | None = None) -> list[Migration]:
    """Roll back the newest applied migration, or every one newer than ``to``; returns those rolled back."""
    conn.autocommit = True
    states = status(conn, migrations)
    _refuse_changed(states)
    applied = [s for s in states if s.state == "applied"]
    if to is not None:
        if to != "0" and to not in {s.version for s in applied}:
            raise MigrationError(f"version {to} is not applied.", hint="See `lendaria db status`; use --to 0 to roll back everything.")
        chosen = [s for s in applied if s.version > to]
    else:
        chosen = applied[-1:]
    done = []
    for state in reversed(chosen):
        migration = state.migration
        assert migration is not None
        if not migration.rollback_path.is_file():
            raise MigrationError("has no down migration.", file=migration.rollback_path)
        started = datetime.now(timezone.utc)
        try:
            with conn.transaction():
                conn.execute(migration.rollback_path.read_text(encoding="utf-8"))
                if _has_table(conn, "schema_versions"):
                    conn.execute("delete from public.schema_versions where version = %s", (migration.version,))
        except psycopg.Error as exc:
            message = str(exc).strip().splitlines()[0]
            _log(conn, migration, "down", "failed", started, message)
            raise MigrationError(f"rollback failed and was undone: {message}.", file=migration.rollback_path) from exc
        _log(conn, migration, "down", "rolled_back", started)
        done.append(migration)
    return done
