"""`lendaria db …`: the embedded PostgreSQL, migrations, reset, seed and snapshots."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from cli.common import (
    Format,
    typer_app,
)
from lendaria.errors import InputError

db_app = typer_app("The database: embedded server, migrations.")


def _direct_url(start: bool = True) -> tuple[str, bool]:
    from lendaria.db.target import direct_url
    from lendaria.settings import get_settings

    settings = get_settings()
    if settings.database_url is None and settings.supabase_url:
        raise InputError("migrations need a direct connection to the database.",
                         hint="Set DATABASE_URL to Supabase's direct connection string, or use `supabase db push`.")
    return direct_url(settings, start=start)


@db_app.command("start")
def db_start() -> None:
    """Start the embedded PostgreSQL (and apply migrations); prints its URL."""
    from lendaria.db.target import embedded, prepare
    from lendaria.settings import get_settings

    settings = get_settings()
    url = embedded(settings).start()
    _, applied = prepare(url, settings)
    typer.echo(url)
    if applied:
        typer.echo(f"applied {len(applied)} migration(s)", err=True)


@db_app.command("stop")
def db_stop() -> None:
    """Stop the embedded PostgreSQL."""
    from lendaria.db.target import embedded
    from lendaria.settings import get_settings

    typer.echo("stopped" if embedded(get_settings()).stop() else "not running")


@db_app.command("url")
def db_url() -> None:
    """Print the connection string (use it with psql)."""
    from lendaria.db.connect import describe_url

    url, is_embedded = _direct_url(start=False)
    typer.echo(url if is_embedded else f"DATABASE_URL ({describe_url(url)})")


@db_app.command("migrate")
def db_migrate(to: Optional[str] = typer.Option(None, "--to", metavar="VERSION", help="Apply up to this version (inclusive).")) -> None:
    """Apply pending migrations, each in its own transaction."""
    from lendaria.db.target import prepare
    from lendaria.settings import get_settings

    url, _ = _direct_url()
    bootstrapped, applied = prepare(url, get_settings(), target=to)
    if bootstrapped:
        typer.echo("applied the local bootstrap (Supabase roles and auth helpers)", err=True)
    for filename in applied:
        typer.echo(f"applied {filename}")
    if not applied:
        typer.echo("nothing to apply")


@db_app.command("status")
def db_status(format: Format = typer.Option(Format.text, "--format", "-f", metavar="text|json")) -> None:
    """List migrations: applied, pending, changed (file edited after it ran) or missing (file gone)."""
    from lendaria.db import migrations
    from lendaria.db.connect import connect
    from lendaria.settings import get_settings

    url, _ = _direct_url()
    with connect(url, get_settings(), autocommit=True) as conn:
        states = migrations.status(conn)
    if format is Format.json:
        typer.echo(json.dumps([{"version": s.version, "name": s.name, "state": s.state} for s in states], indent=2))
    else:
        for state in states:
            typer.echo(f"{state.version}  {state.state:<8} {state.name}")
    raise typer.Exit(1 if any(s.state in ("changed", "missing") for s in states) else 0)


@db_app.command("rollback")
def db_rollback(to: Optional[str] = typer.Option(None, "--to", metavar="VERSION", help="Roll back every migration newer than this version (0 = all).")) -> None:
    """Roll back the newest migration (or down to --to VERSION), each in its own transaction."""
    from lendaria.db import migrations
    from lendaria.db.connect import connect
    from lendaria.settings import get_settings

    url, _ = _direct_url()
    with connect(url, get_settings(), autocommit=True) as conn, migrations.schema_lock(conn):
        done = migrations.rollback(conn, to=to)
    for migration in done:
        typer.echo(f"rolled back {migration.filename}")
    if not done:
        typer.echo("nothing to roll back")


def _embedded_only(command: str) -> str:
    """The embedded database's URL (started); with DATABASE_URL set these commands are refused."""
    url, is_embedded = _direct_url()
    if not is_embedded:
        raise InputError(f"`lendaria db {command}` works on the embedded database only.",
                         hint="Unset DATABASE_URL; on Supabase use `supabase db reset` (it applies supabase/seed.sql) "
                              "and Supabase's backups.")
    return url


@db_app.command("reset")
def db_reset(seed: bool = typer.Option(False, "--seed", help="Then apply supabase/seed.sql (a small reference mind)."),
             yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask; every row is deleted.")) -> None:
    """Rebuild the embedded database from its migrations (every row is lost), optionally seeded."""
    from lendaria.db.connect import connect
    from lendaria.db.snapshots import reset
    from lendaria.db.target import prepare
    from lendaria.settings import get_settings

    url = _embedded_only("reset")
    prepare(url, get_settings())  # a database never used yet gets its bootstrap (roles) first
    if not yes and not typer.confirm("Every row of the embedded database is deleted. Go on?", default=False):
        raise typer.Exit(1)
    with connect(url, get_settings(), autocommit=True) as conn:
        applied, seeded = reset(conn, seed=seed)
    typer.echo(f"reset: {applied} migrations applied" + ("; seeded from supabase/seed.sql" if seeded else ""))


@db_app.command("snapshot")
def db_snapshot(output: Optional[Path] = typer.Option(None, "--output", "-o", metavar="FILE",
                                                      help="Default: $LENDARIA_HOME/snapshots/lendaria-<UTC time>.dump")) -> None:
    """Save the whole embedded database (pg_dump, custom format)."""
    from lendaria.db.snapshots import default_snapshot, snapshot
    from lendaria.settings import get_settings

    url = _embedded_only("snapshot")
    path = snapshot(url, output or default_snapshot(get_settings().home))
    typer.echo(f"snapshot: {path} ({path.stat().st_size:,} bytes)")


@db_app.command("restore")
def db_restore(snapshot_file: Path = typer.Argument(..., metavar="FILE", help="A file written by `lendaria db snapshot`."),
               yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask; the current data is replaced.")) -> None:
    """Replace the embedded database with a snapshot (pg_restore, in one transaction)."""
    from lendaria.db.snapshots import restore

    url = _embedded_only("restore")
    if not yes and not typer.confirm("The embedded database's current data is replaced by the snapshot's. Go on?", default=False):
        raise typer.Exit(1)
    restore(url, snapshot_file)
    typer.echo(f"restored {snapshot_file}")
