"""Which database to use, decided once from the settings:

1. ``SUPABASE_URL`` + ``SUPABASE_SERVICE_ROLE_KEY`` -> the persist step writes through supabase-py;
2. ``DATABASE_URL`` -> any PostgreSQL, including Supabase's direct connection string;
3. neither -> the embedded local PostgreSQL under ``LENDARIA_HOME`` (started, bootstrapped and
   migrated automatically).
Migrations always need a direct connection (2 or 3).
"""

from __future__ import annotations

from lendaria.db import migrations
from lendaria.db.connect import connect
from lendaria.db.embedded import EmbeddedPostgres
from lendaria.db.repository import PostgresRepository, Repository, SupabaseRepository
from lendaria.errors import InputError, LendariaError
from lendaria.settings import Settings


class SchemaNotReadyError(LendariaError):
    """The database schema is older than this Lendária (pending migrations)."""


def embedded(settings: Settings) -> EmbeddedPostgres:
    return EmbeddedPostgres(settings.home)


def direct_url(settings: Settings, *, start: bool = True) -> tuple[str, bool]:
    """(connection string, is_embedded). Starts the embedded server when no DATABASE_URL is set."""
    if settings.database_url is not None:
        return settings.database_url.get_secret_value(), False
    server = embedded(settings)
    return (server.start() if start else server.url()), True


def needs_bootstrap(conn) -> bool:
    """True on a plain PostgreSQL that lacks Supabase's API roles or auth helpers."""
    roles = conn.execute(
        "select count(*) from pg_roles where rolname in ('anon', 'authenticated', 'service_role', 'authenticator')"
    ).fetchone()[0]
    has_jwt = conn.execute("select to_regprocedure('auth.jwt()') is not null").fetchone()[0]
    return roles < 4 or not has_jwt


def prepare(url: str, settings: Settings, *, target: str | None = None) -> tuple[bool, list[str]]:
    """Bootstrap (plain PostgreSQL only) and apply pending migrations (up to ``target``).
    Returns (bootstrapped, files applied)."""
    with connect(url, settings, autocommit=True) as conn, migrations.schema_lock(conn):
        bootstrapped = needs_bootstrap(conn)
        if bootstrapped:
            migrations.apply_bootstrap(conn)
        return bootstrapped, [m.filename for m in migrations.migrate(conn, target=target)]


def check_schema(url: str, settings: Settings) -> None:
    with connect(url, settings, autocommit=True) as conn:
        pending = [s for s in migrations.status(conn) if s.state != "applied"]
    if pending:
        states = ", ".join(f"{s.version} {s.state}" for s in pending)
        raise SchemaNotReadyError(f"the database schema is not current ({states}).",
                                  hint="Run `lendaria db migrate` (or `supabase db push` on hosted Supabase).")


def open_repository(settings: Settings) -> Repository:
    """The repository the persist step writes through (see the module docstring for the order)."""
    if settings.supabase_url or settings.supabase_service_role_key:
        if not (settings.supabase_url and settings.supabase_service_role_key):
            raise InputError("SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY must be set together.",
                             hint="Set both, or neither to use DATABASE_URL / the embedded database.")
        rest_url = settings.supabase_rest_url
        return SupabaseRepository(settings.supabase_url, settings.supabase_service_role_key.get_secret_value(), settings,
                                  rest_url=rest_url)
    url, is_embedded = direct_url(settings)
    if is_embedded:
        prepare(url, settings)
    else:
        check_schema(url, settings)
    return PostgresRepository(url, settings)
