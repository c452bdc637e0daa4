"""Where persisted rows go: one small interface, two implementations.

Both call the same database function, ``public.lendaria_persist(pack, payload)`` (see
``supabase/migrations/*_persist_functions.sql``): one call is one transaction, runs as the pack's own
role (the database enforces table ownership), is scoped to one mind (RLS), and upserts on natural
keys so a repeat changes nothing.

* :class:`PostgresRepository` - psycopg 3 over a connection string (the embedded database, any
  PostgreSQL, or Supabase's direct connection).
* :class:`SupabaseRepository` - supabase-py over PostgREST (``SUPABASE_URL`` + service-role key).
"""

from __future__ import annotations

import logging
import time
from typing import Any, Protocol

import orjson
import psycopg

from lendaria.db.connect import connect, describe_url
from lendaria.errors import LendariaError
from lendaria.settings import Settings

log = logging.getLogger(__name__)


class PersistError(LendariaError):
    """The database refused a persist; nothing of that pack run was written."""


class Repository(Protocol):
    kind: str

    def persist(self, pack: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Write one pack run's rows atomically; returns ``{"mind_id": ..., "counts": {...}}``."""

    def record_job(self, job: dict[str, Any]) -> None:
        """Record a stage run in job_executions (used for failed runs; persist records its own)."""

    def record_metrics(self, rows: list[dict[str, Any]]) -> int:
        """Write task_metrics rows (see lendaria.db.metrics) as the operations role; returns rows written."""

    def persisted(self, run_id: str, stage: str, slug: str) -> bool:
        """Whether run ``run_id`` completed the persist of ``stage`` for ``slug`` (job_executions)."""

    def record_run(self, run: dict[str, Any]) -> None:
        """Upsert the run's pipeline_runs row (a retried run, same id, updates it) as the operations role."""

    def recent_runs(self, mind: str | None, limit: int) -> list[dict[str, Any]]:
        """The latest pipeline_runs rows (newest first), of one mind or all."""

    def describe(self) -> str: ...


RUN_COLUMNS = ("run_id", "mind_slug", "status", "started_at", "finished_at", "duration_ms", "engine", "cost_usd", "forced",
               "flow_run_url", "error", "stages", "attempts")
JOB_COMPLETED = "select exists (select 1 from public.job_executions where run_id = %s and stage = %s and mind_slug = %s and status = 'completed')"


def _json(payload: dict[str, Any]) -> str:
    return orjson.dumps(payload).decode("utf-8")


class PostgresRepository:
    kind = "postgres"

    def __init__(self, url: str, settings: Settings):
        self._url = url
        self._settings = settings

    def describe(self) -> str:
        return f"postgres {describe_url(self._url)}"

    def persist(self, pack: str, payload: dict[str, Any]) -> dict[str, Any]:
        with connect(self._url, self._settings) as conn:
            try:
                with conn.transaction():  # the run is named for the audit trail's deletes too
                    conn.execute("select set_config('lendaria.run_id', %s, true)", (str(payload.get("run_id") or ""),))
                    row = conn.execute("select public.lendaria_persist(%s, %s::jsonb)", (pack, _json(payload))).fetchone()
            except psycopg.Error as exc:
                raise PersistError(f"the database refused the {pack} persist: {_first_line(exc)}.",
                                   hint="Nothing of this run was written; fix the cause and run `lendaria persist` again.") from exc
        return row[0]

    def record_job(self, job: dict[str, Any]) -> None:
        with connect(self._url, self._settings) as conn, conn.transaction():
            conn.execute("select public.lendaria_record_job(%s::jsonb)", (_json(job),))

    def record_metrics(self, rows: list[dict[str, Any]]) -> int:
        if not rows:
            return 0
        with connect(self._url, self._settings) as conn, conn.transaction():
            return conn.execute("select public.lendaria_record_metrics(%s::jsonb)", (orjson.dumps(rows).decode(),)).fetchone()[0]

    def persisted(self, run_id: str, stage: str, slug: str) -> bool:
        with connect(self._url, self._settings) as conn:
            return bool(conn.execute(JOB_COMPLETED, (run_id, stage, slug)).fetchone()[0])

    def record_run(self, run: dict[str, Any]) -> None:
        with connect(self._url, self._settings) as conn, conn.transaction():
            conn.execute("select public.lendaria_record_run(%s::jsonb)", (_json(run),))

    def recent_runs(self, mind: str | None, limit: int) -> list[dict[str, Any]]:
        query = (f"select {', '.join(RUN_COLUMNS)} from public.pipeline_runs where (%(mind)s::text is null or mind_slug = %(mind)s) "
                 "order by started_at desc, run_id limit %(limit)s")
        with connect(self._url, self._settings) as conn:
            rows = conn.execute(query, {"mind": mind, "limit": limit}).fetchall()
        return [dict(zip(RUN_COLUMNS, row)) for row in rows]


class SupabaseRepository:
    kind = "supabase"

    def __init__(self, url: str, service_role_key: str, settings: Settings, *, rest_url: str | None = None):
        import httpx
        from supabase import ClientOptions, create_client

        http = httpx.Client(timeout=max(60.0, settings.http_timeout))
        self._client = create_client(url, service_role_key, ClientOptions(httpx_client=http, postgrest_client_retry=False))
        if rest_url:
            self._client.rest_url = rest_url  # e.g. a bare PostgREST without the /rest/v1 gateway prefix
        self._url = url
        self._settings = settings

    def describe(self) -> str:
        return f"supabase {self._url}"

    def _call(self, fn: str, params: dict[str, Any]) -> Any:
        import httpx
        from postgrest.exceptions import APIError

        attempts = self._settings.db_connect_retries + 1
        for attempt in range(attempts):
            try:
                return self._client.rpc(fn, params).execute().data
            except httpx.TransportError as exc:
                if attempt + 1 == attempts:
                    from lendaria.db.connect import DatabaseUnavailableError

                    raise DatabaseUnavailableError(
                        f"cannot reach Supabase at {self._url} after {attempts} attempt(s): {type(exc).__name__}.",
                        hint="Check SUPABASE_URL and your network; no output was changed.") from None
                time.sleep(self._settings.db_connect_backoff * (2**attempt))
            except APIError as exc:
                raise PersistError(f"Supabase refused {fn}: {exc.message or exc}.",
                                   hint="Nothing of this run was written; fix the cause and run `lendaria persist` again.") from None
        raise AssertionError("unreachable")

    def persist(self, pack: str, payload: dict[str, Any]) -> dict[str, Any]:
        return self._call("lendaria_persist", {"p_pack": pack, "p_payload": payload})

    def record_job(self, job: dict[str, Any]) -> None:
        self._call("lendaria_record_job", {"p_job": job})

    def record_metrics(self, rows: list[dict[str, Any]]) -> int:
        return int(self._call("lendaria_record_metrics", {"p_metrics": rows}) or 0) if rows else 0

    def persisted(self, run_id: str, stage: str, slug: str) -> bool:
        rows = (self._client.table("job_executions").select("status").eq("run_id", run_id).eq("stage", stage)
                .eq("mind_slug", slug).eq("status", "completed").execute().data)
        return bool(rows)

    def record_run(self, run: dict[str, Any]) -> None:
        self._call("lendaria_record_run", {"p_run": run})

    def recent_runs(self, mind: str | None, limit: int) -> list[dict[str, Any]]:
        query = self._client.table("pipeline_runs").select(",".join(RUN_COLUMNS))
        if mind:
            query = query.eq("mind_slug", mind)
        return query.order("started_at", desc=True).order("run_id").limit(limit).execute().data


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
