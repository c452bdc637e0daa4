"""Connections with bounded retries and errors that never reveal credentials."""

from __future__ import annotations

import logging
import time

import psycopg
from psycopg.conninfo import conninfo_to_dict

from lendaria.errors import LendariaError
from lendaria.settings import Settings

log = logging.getLogger(__name__)


class DatabaseUnavailableError(LendariaError):
    """The database could not be reached after bounded retries; outputs are untouched."""

    exit_code = 4


def describe_url(url: str) -> str:
    """``host:port/dbname`` of a connection string, without user or password."""
    try:
        info = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "(unparseable connection string)"
    host = info.get("host") or "localhost"
    port = f":{info['port']}" if info.get("port") else ""
    return f"{host}{port}/{info.get('dbname', '')}"


def connect(url: str, settings: Settings, *, autocommit: bool = False) -> psycopg.Connection:
    """Open a connection, retrying ``settings.db_connect_retries`` times with exponential backoff."""
    attempts = settings.db_connect_retries + 1
    last = ""
    for attempt in range(attempts):
        try:
            return psycopg.connect(url, autocommit=autocommit, connect_timeout=settings.db_connect_timeout)
        except psycopg.OperationalError as exc:
            last = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            if attempt + 1 < attempts:
                delay = settings.db_connect_backoff * (2**attempt)
                log.info("database not reachable (%s); retrying in %.1fs", describe_url(url), delay)
                time.sleep(delay)
    raise DatabaseUnavailableError(
        f"cannot reach the database at {describe_url(url)} after {attempts} attempt(s): {_redact(last, url)}.",
        hint="Start it (`lendaria db start` for the embedded one) or fix DATABASE_URL; no output was changed.",
    )


def _redact(message: str, url: str) -> str:
    try:
        password = conninfo_to_dict(url).get("password")
    except psycopg.ProgrammingError:
        password = None
    return message.replace(password, "***") if password else message
