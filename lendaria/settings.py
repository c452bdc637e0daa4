"""All configuration in one pydantic-settings class, read from the environment (prefix ``LENDARIA_``).

Secrets are ``SecretStr``: their values never appear in ``repr``, logs or outputs.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Iterator, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LENDARIA_", extra="ignore", populate_by_name=True)

    outputs: Path = Field(Path("outputs"), description="Root of the contract files (minds/, courses/).")
    home: Path = Field(Path(".lendaria"), description="Local state (embedded database, local Prefect server); git-ignored.")

    # Prefect (see lendaria/orchestrator/connect.py for the order of precedence)
    prefect: Literal["local", "ephemeral"] = Field(
        "local", description="local: start and reuse a Prefect server under `home`; ephemeral: Prefect's temporary API per run.")
    prefect_port: int = Field(4200, ge=1, le=65535, description="Port the local Prefect server prefers (another free one if taken).")
    prefect_start_timeout: float = Field(180.0, gt=0, description="Seconds to wait for the local Prefect server to become healthy.")
    prefect_heartbeats: bool = Field(False, description="Flow-run heartbeats for runs in the CLI process (about 0.8 s per flow).")
    crash_after_seconds: int = Field(
        90, description="`lendaria serve`: a run started by its worker that sends no heartbeat for this long (its process "
                        "died) is marked Crashed by a Prefect automation, so it can be retried. 0 turns it off; else at least 60.")

    # Scale-out (lendaria/orchestrator/runners.py): per-source, per-fragment-batch and per-lesson tasks
    dask: str | None = Field(None, description="Run those tasks on Dask: `local` (a local cluster of worker processes) or a "
                                               "scheduler address (tcp://host:8786). Unset: threads in the flow's process.")
    dask_workers: int = Field(2, ge=1, description="Worker processes of the `local` Dask cluster.")
    result_storage: str | None = Field(None, description="Prefect block (e.g. `s3-bucket/lendaria-results`) for persisted task "
                                                         "results; unset: `home`/prefect/results.")

    # ETL limits
    max_source_bytes: int = Field(64 * 1024 * 1024, gt=0, description="Largest local file or download accepted.")
    http_timeout: float = Field(20.0, gt=0, description="Seconds per HTTP request (connect + read).")
    http_concurrency: int = Field(8, ge=1, description="Simultaneous downloads in total.")
    http_per_host: int = Field(2, ge=1, description="Simultaneous downloads per host (politeness).")
    http_retries: int = Field(3, ge=0, description="Retries on 429/5xx/network errors, with backoff.")
    http_backoff: float = Field(0.5, ge=0, description="First backoff in seconds; doubles per retry.")
    http_max_backoff: float = Field(30.0, ge=0, description="Cap on one backoff, including Retry-After.")
    feed_max_entries: int = Field(50, ge=1, description="Entries taken from one RSS/Atom feed.")
    mmos_min_words: int = Field(10_000, ge=1, description="MMOS viability gate: the person's own words needed before analysis.")
    review_timeout: int = Field(3600, ge=1, description="Seconds a course's curriculum review waits in the Prefect UI before the run fails.")
    review_poll_seconds: int = Field(10, ge=1, description="How often a paused course review checks whether it was resumed.")
    user_agent: str = "Lendaria/0.1 (+offline-first mind pipeline)"

    # Engines (lendaria/engines): offline by default; Claude with a key
    engine: Literal["offline", "anthropic", "auto"] = Field(
        "offline", description="offline: deterministic methods; anthropic: Claude (needs ANTHROPIC_API_KEY); auto: Claude when a key is set.")
    engine_model: str = Field("claude-sonnet-4-5", description="Claude model for the anthropic engine.")
    engine_max_tokens: int = Field(4096, ge=1, description="Largest response of one engine call.")
    engine_timeout: float = Field(60.0, gt=0, description="Seconds per API attempt.")
    engine_max_retries: int = Field(3, ge=0, description="Retries the SDK makes on 408/409/429/5xx/529 and network errors.")
    engine_concurrency: int = Field(4, ge=1, description="Simultaneous API requests in one process, shared by parallel tasks.")
    engine_prices: dict[str, dict[str, float]] = Field(
        default_factory=dict, description="USD per million tokens by model ({input, output, cache_write, cache_read}); overrides the built-in list prices.")
    anthropic_base_url: str | None = Field(None, description="Messages API base URL (a proxy, or a local stub in tests).")
    engine_cache: bool = Field(True, description="Read engine answers paid for in an earlier run from the response cache (--force: false).")
    max_cost_usd: float | None = Field(None, ge=0, description="Cost budget of one run in USD: a call that could exceed it is not sent and the run stops.")
    engine_batch: bool = Field(False, description="Send bulk work (layer analysis, course research, lesson drafts) as Message Batches, at half price, instead of call by call.")
    engine_batch_poll_seconds: float = Field(30.0, gt=0, description="Seconds between two looks at a pending Message Batch.")
    engine_batch_wait: float = Field(86_400.0, gt=0, description="Seconds a run waits for its Message Batch; then it stops, and running it again resumes the same batch.")

    # Services used by later stages (never logged; see README "Configuration").
    anthropic_api_key: SecretStr | None = Field(None, validation_alias="ANTHROPIC_API_KEY")
    database_url: SecretStr | None = Field(None, validation_alias="DATABASE_URL")
    supabase_url: str | None = Field(None, validation_alias="SUPABASE_URL")
    supabase_service_role_key: SecretStr | None = Field(None, validation_alias="SUPABASE_SERVICE_ROLE_KEY")
    supabase_rest_url: str | None = Field(None, description="PostgREST base URL; default <SUPABASE_URL>/rest/v1.")

    # Database behaviour
    db_connect_retries: int = Field(3, ge=0, description="Retries when the database cannot be reached.")
    db_connect_backoff: float = Field(0.5, ge=0, description="First backoff in seconds between connection attempts.")
    db_connect_timeout: int = Field(5, ge=1, description="Seconds for one connection attempt.")

    @field_validator("crash_after_seconds")
    @classmethod
    def _crash_window(cls, value: int) -> int:
        # Prefect's heartbeats come at most every 30 s: a shorter window would crash runs that are alive
        if value != 0 and value < 60:
            raise ValueError("0 (off) or at least 60 seconds (two of Prefect's shortest heartbeat intervals)")
        return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings from the environment; a bad value is an :class:`InputError` naming its variable."""
    try:
        return Settings()
    except ValidationError as exc:
        from lendaria.errors import InputError

        problems = "; ".join(f"{env_name(str(error['loc'][0]))}={shown(str(error['loc'][0]), error.get('input'))}: {error['msg']}"
                             for error in exc.errors())
        raise InputError(f"bad setting: {problems}.", hint="Fix or unset the variable (see README, Configuration).") from None


def shown(field: str, value: object) -> str:
    """A bad value as an error message may show it: never a secret's."""
    info = Settings.model_fields.get(field)
    return "(hidden)" if info is not None and "SecretStr" in str(info.annotation) else repr(value)


def env_name(field: str) -> str:
    """The environment variable that sets ``field`` (or the alias it is read from)."""
    info = Settings.model_fields.get(field)
    alias = info.validation_alias if info is not None else None
    return alias if isinstance(alias, str) else f"LENDARIA_{field.upper()}"


@contextmanager
def overridden(**values: object) -> Iterator[Settings]:
    """The settings with ``values`` in place of the environment's for a block (a run's ``engine``
    parameter); None leaves a setting as it is. The environment is restored afterwards."""
    names = {f"LENDARIA_{key.upper()}": str(value) for key, value in values.items() if value is not None}
    before = {name: os.environ.get(name) for name in names}
    os.environ.update(names)
    get_settings.cache_clear()
    try:
        yield get_settings()
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        get_settings.cache_clear()
