"""What every command shares: the root app, option types, output helpers, the state of one invocation."""

from __future__ import annotations

import json
import os
import sys
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from lendaria.errors import InputError


def typer_app(help: str, **extra) -> typer.Typer:
    # Plain click help: typer's rich panels render flags as "<bool>" and obscure --flag/--no-flag.
    return typer.Typer(no_args_is_help=True, help=help, rich_markup_mode=None, pretty_exceptions_enable=False, **extra)


app = typer_app("Lendária: sources → mind → voice → courses, as contract files.", add_completion=False)
state = {"debug": False, "fast_exit": False, "exit_code": 0}
OutputsOption = typer.Option(None, "--outputs", "-o", envvar="LENDARIA_OUTPUTS", metavar="DIR", help="Outputs root (default ./outputs).")
# `export` uses -o for the bundle it writes (as `zip -o`, `pg_dump -f` users expect), so its outputs root is --outputs only
OutputsRootOnly = typer.Option(None, "--outputs", envvar="LENDARIA_OUTPUTS", metavar="DIR", help="Outputs root (default ./outputs).")


class Format(str, Enum):
    text = "text"
    json = "json"


def listed(values: Optional[List[str]]) -> List[str]:
    """The values of a list option as the user wrote them, in either form every list option accepts:
    repeated (``--stage etl --stage mmos``) or comma-separated (``--stages etl,mmos``), or both."""
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


def courses_option(help: str):
    """``--courses a,b`` / ``--course a --course b`` (the list convention of :func:`listed`)."""
    return typer.Option(None, "--courses", "--course", "-c", callback=lambda values: listed(values) or None, metavar="COURSE",
                        help=f"{help} --courses a,b or --course a --course b.")


def outputs_root(outputs: Optional[Path]) -> Path:
    from lendaria.settings import get_settings

    return outputs if outputs is not None else get_settings().outputs


def echo_err(message: str) -> None:
    typer.secho(message, err=True, fg=typer.colors.RED)


def say(line: str) -> None:
    """A progress line on stderr (stdout stays for results)."""
    typer.echo(line, err=True)


def print_rows(rows: list[dict], format: "Format", render, empty: str) -> None:
    """Database rows as JSON (``--format json``) or as the lines ``render`` makes (``empty`` when none)."""
    from lendaria.db.history import json_ready

    if format is Format.json:
        typer.echo(json.dumps([json_ready(row) for row in rows], indent=2, ensure_ascii=False))
        return
    for line in render(rows) or [empty]:
        typer.echo(line)


def direct_connection(what: str = "profile versions are read", *, migrate: bool = False):
    """A direct connection (as the database owner): the embedded database is migrated first (as
    `persist` does); DATABASE_URL must already be current, unless ``migrate`` applies what is pending."""
    from lendaria.db.connect import connect
    from lendaria.db.target import check_schema, direct_url, prepare
    from lendaria.settings import get_settings

    settings = get_settings()
    if settings.database_url is None and settings.supabase_url:
        raise InputError(f"{what} through a direct connection to the database.",
                         hint="Set DATABASE_URL to Supabase's direct connection string.")
    url, is_embedded = direct_url(settings)
    if is_embedded or migrate:
        prepare(url, settings)
    else:
        check_schema(url, settings)
    return connect(url, settings, autocommit=True)


def configure_prefect_logging() -> None:
    from lendaria.orchestrator.connect import configure_console_logging

    configure_console_logging(state["debug"])


def skip_teardown_at_exit() -> None:
    """After a Prefect run, end the process without the interpreter's module teardown (measured:
    0.5-0.8 s for Prefect's ~1,500 modules). Registered before ``import prefect``, so it runs last
    of the exit handlers: Prefect has drained its log and event queues (thread exit hooks and its
    own handlers run first) and nothing of ours is left open. Console runs only (not in-process
    callers such as tests)."""
    if not state["fast_exit"]:
        return
    import atexit
    import logging

    def exit_now() -> None:
        logging.shutdown()  # registered before ours, so it would run after: flush it now
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(state["exit_code"])

    atexit.register(exit_now)


def collect_garbage_again() -> None:
    """End of start-up: freeze what the imports built and turn the cyclic GC back on (see console)."""
    import gc

    gc.freeze()
    gc.enable()
