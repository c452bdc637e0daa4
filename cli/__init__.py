"""The ``lendaria`` command line: one module per command group, each command a thin function over the
packs' and the shared package's functions. This layer sits on top: it may import ``flows/``, ``stages/``
and ``lendaria/``; nothing below imports it.

Errors are one paragraph on stderr and a non-zero exit code (``--debug`` shows the traceback):
1 bad input or contract violation, 2 usage, 3 nothing collected, 4 database unreachable, 5 engine
unavailable (Claude asked for and not reachable), 130 interrupted.
Bare ``lendaria`` (or a bare command group) prints its help and exits 0.

| module | commands |
|---|---|
| ``run`` | ``init``, ``run``, ``runs``, ``persist`` |
| ``bundle`` | ``export``, ``import``, ``audit`` |
| ``server`` | ``serve``, ``server start|stop|status|url`` |
| ``contracts`` | ``validate``, ``contracts list|check`` |
| ``voice`` | ``fidelity``, ``ask`` |
| ``db`` | ``db start|stop|url|migrate|status|rollback|reset|snapshot|restore`` |
| ``profile`` | ``profile history|diff`` |
| ``course`` | ``course init|check|build`` |
"""

from __future__ import annotations

import sys

import typer

from cli import run, bundle, server, contracts, voice  # noqa: F401,I001 - the top-level commands, in help order
from cli.common import app, echo_err, state
from cli.contracts import contracts_app
from cli.course import course_app
from cli.db import db_app
from cli.profile import profile_app
from cli.server import server_app
from lendaria.errors import LendariaError

for group, name in ((contracts_app, "contracts"), (db_app, "db"), (server_app, "server"), (profile_app, "profile"),
                    (course_app, "course")):
    app.add_typer(group, name=name)


@app.callback()
def _main(debug: bool = typer.Option(False, "--debug", help="Show tracebacks and debug logs.")) -> None:
    state["debug"] = debug


def _usage_error(exc: Exception):
    """The click usage error inside ``exc`` (typer raises its bundled click's classes), or None."""
    import click

    if isinstance(exc, (click.exceptions.ClickException, typer.TyperException)) and hasattr(exc, "show"):
        return exc
    return None


def _exit(code: int) -> None:
    state["exit_code"] = code
    sys.exit(code)


def main() -> None:
    """Run the Typer app, turning our errors into one clear paragraph and an exit code."""
    try:
        code = app(standalone_mode=False)  # click returns Exit codes instead of raising here
    except LendariaError as exc:
        if state["debug"]:
            raise
        echo_err(f"error: {exc.render()}")
        _exit(exc.exit_code)
    except typer.Exit as exc:
        _exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        echo_err("aborted")
        _exit(130)
    except Exception as exc:  # click usage errors and anything unexpected
        usage = _usage_error(exc)
        if usage is not None and type(usage).__name__ == "NoArgsIsHelpError":
            typer.echo(usage.ctx.get_help())  # bare `lendaria` or a bare group: help, exit 0
            _exit(0)
        if usage is not None:
            usage.show()
            _exit(usage.exit_code)
        if state["debug"]:
            raise
        echo_err(f"error: unexpected {type(exc).__name__}: {exc} (run with --debug for the traceback)")
        _exit(1)
    _exit(code if isinstance(code, int) else 0)


def console() -> None:
    """The ``lendaria`` console script (and ``python -m lendaria``).

    Start-up imports build about a million long-lived objects (Prefect's and pydantic's models).
    Cyclic garbage collection while they are built frees nothing and costs about 0.4 s of a 5 s
    run (measured), so the GC is off until a command's imports are done; then those objects are
    frozen out of future collections and the GC is turned back on (`collect_garbage_again`).
    """
    import gc

    gc.disable()
    state["fast_exit"] = True
    main()
