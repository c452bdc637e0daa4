"""Rebuilding and saving a database: reset (all migrations down, then up) with the seed
(``supabase/seed.sql``, Supabase CLI's convention: `supabase db reset` applies the same file on
Supabase), and whole-database snapshots of the embedded PostgreSQL with its own ``pg_dump`` /
``pg_restore`` (custom format)."""

from __future__ import annotations

import subprocess
from datetime import datetime, timezone
from pathlib import Path

from lendaria.db import migrations
from lendaria.db.embedded import find_bin_dir
from lendaria.errors import LendariaError


class SnapshotError(LendariaError):
    """pg_dump or pg_restore failed."""


def seed_file() -> Path:
    return migrations.supabase_dir() / "seed.sql"


def reset(conn, *, seed: bool) -> tuple[int, bool]:
    """Every migration rolled back, then applied again; then ``seed.sql`` when asked. ``conn`` is an
    autocommit connection as the owner. Returns (migrations applied, seeded)."""
    with migrations.schema_lock(conn):
        migrations.rollback(conn, to="0")
        applied = migrations.migrate(conn)
        if seed:
            with conn.transaction():
                conn.execute(seed_file().read_text(encoding="utf-8"))
    return len(applied), seed


def default_snapshot(home: Path) -> Path:
    return home / "snapshots" / f"lendaria-{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}.dump"


def snapshot(url: str, target: Path) -> Path:
    """The whole database in pg_dump's custom format, written next to ``target`` then renamed."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    _run([str(find_bin_dir() / "pg_dump"), "--format=custom", "--no-owner", "--file", str(partial), "--dbname", url], "pg_dump")
    partial.replace(target)
    return target


def restore(url: str, source: Path) -> None:
    """Replace the database's objects and data with the snapshot's (in one transaction)."""
    if not source.is_file():
        raise SnapshotError("snapshot not found.", file=source, hint="Give a file written by `lendaria db snapshot`.")
    _run([str(find_bin_dir() / "pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
          "--exit-on-error", "--dbname", url, str(source)], "pg_restore")


def _run(args: list[str], what: str) -> None:
    result = subprocess.run(args, capture_output=True, text=True, timeout=3600)
    if result.returncode != 0:
        tail = " | ".join(line for line in result.stderr.strip().splitlines()[-5:])
        raise SnapshotError(f"{what} failed: {tail}", hint="Nothing was changed when the restore runs in one transaction; "
                                                            "check the message, the file and that the database is running.")
