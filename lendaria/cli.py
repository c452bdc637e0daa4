"""The ``lendaria`` command: one small function per command over the packs and the registry.

Errors are one paragraph on stderr and a non-zero exit code (``--debug`` shows the traceback):
1 bad input or contract violation, 2 usage, 3 nothing collected.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from lendaria.errors import InputError, LendariaError

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Lendária: sources → mind → voice → courses, as contract files.")
contracts_app = typer.Typer(no_args_is_help=True, help="List and compare contracts.")
app.add_typer(contracts_app, name="contracts")
db_app = typer.Typer(no_args_is_help=True, help="The database: embedded server, migrations.")
app.add_typer(db_app, name="db")

_state = {"debug": False}
OutputsOption = typer.Option(None, "--outputs", "-o", envvar="LENDARIA_OUTPUTS", help="Outputs root (default ./outputs).")


class Format(str, Enum):
    text = "text"
    json = "json"


def _outputs_root(outputs: Optional[Path]) -> Path:
    from lendaria.settings import get_settings

    return outputs if outputs is not None else get_settings().outputs


def _echo_err(message: str) -> None:
    typer.secho(message, err=True, fg=typer.colors.RED)


@app.callback()
def _main(debug: bool = typer.Option(False, "--debug", help="Show tracebacks and debug logs.")) -> None:
    _state["debug"] = debug


@app.command()
def init(
    slug: str = typer.Argument(..., help="Lowercase id of the mind, e.g. iris-valente."),
    name: str = typer.Option(..., "--name", help="Display name of the person."),
    language: Optional[str] = typer.Option(None, "--language", help="ISO 639 code, e.g. en."),
    outputs: Optional[Path] = OutputsOption,
    force: bool = typer.Option(False, "--force", help="Overwrite an existing mind.yaml."),
) -> None:
    """Scaffold outputs/minds/<slug>/mind.yaml."""
    from lendaria.catalog import Catalog
    from lendaria.fileio import atomic_write_bytes
    from stages.etl.spec import render_new_spec

    path = Catalog(_outputs_root(outputs)).mind_spec(slug)
    if path.exists() and not force:
        raise InputError("already exists.", file=path, hint="Edit it, or pass --force to overwrite.")
    atomic_write_bytes(path, render_new_spec(slug, name, language).encode("utf-8"))
    typer.echo(f"wrote {path}\nnext: list the sources in it, then `lendaria run {slug}`")


@app.command()
def run(
    mind: str = typer.Argument(..., help="Slug (outputs/minds/<slug>/mind.yaml) or path to a mind.yaml."),
    stages: Optional[List[str]] = typer.Option(None, "--stages", "-s", help="Stages to run (repeatable or comma-separated); default all."),
    outputs: Optional[Path] = OutputsOption,
    persist: bool = typer.Option(True, "--persist/--no-persist", help="Persist each stage's outputs into the database."),
) -> None:
    """Run the pipeline for one mind through Prefect (ephemeral API unless PREFECT_API_URL is set)."""
    _prepare_prefect()
    from flows.pipeline import check_stages, pipeline

    from stages.etl.run import check_local_paths, load_spec_for_run

    wanted = check_stages([s.strip() for value in stages or [] for s in value.split(",") if s.strip()] or None)
    root = _outputs_root(outputs)
    check_local_paths(load_spec_for_run(mind, root))  # fail fast on a bad spec, before Prefect starts
    typer.echo(f"running {', '.join(wanted)} for {mind} into {root}/ …", err=True)
    results = pipeline(mind=mind, stages=wanted, outputs=str(root), persist=persist)
    for name, result in results.items():
        typer.echo(f"[{name}] {result.get('summary', 'done')}")
        for line in result.get("failures", []):
            typer.secho(f"  failed: {line}", fg=typer.colors.YELLOW)
        if result.get("persisted"):
            typer.echo(f"[{name}] {result['persisted']}")


@app.command()
def persist(
    mind: str = typer.Argument(..., help="Slug, or path to its mind.yaml."),
    stage: List[str] = typer.Option(["etl"], "--stage", "-s", help="Stage(s) whose outputs to persist."),
    outputs: Optional[Path] = OutputsOption,
) -> None:
    """Persist a mind's contract files into the database (re-runnable alone; idempotent)."""
    from lendaria.catalog import check_slug
    from lendaria.db.persist import new_run_id, persist_stage
    from lendaria.db.target import open_repository
    from lendaria.settings import get_settings
    from stages.etl.run import load_spec_for_run

    root = _outputs_root(outputs)
    is_path = "/" in mind or mind.endswith((".yaml", ".yml"))
    slug = load_spec_for_run(mind, root).slug if is_path else check_slug(mind)
    repository = open_repository(get_settings())
    run_id = new_run_id()
    for name in stage:
        result = persist_stage(name, slug, root, repository, run_id=run_id)
        typer.echo(result.summary())


# ---- database ------------------------------------------------------------------------------------
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
def db_migrate(to: Optional[str] = typer.Option(None, "--to", help="Apply up to this version (inclusive).")) -> None:
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
def db_status(format: Format = typer.Option(Format.text, "--format", "-f")) -> None:
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
def db_rollback(to: Optional[str] = typer.Option(None, "--to", help="Roll back every migration newer than this version (0 = all).")) -> None:
    """Roll back the newest migration (or down to --to VERSION), each in its own transaction."""
    from lendaria.db import migrations
    from lendaria.db.connect import connect
    from lendaria.settings import get_settings

    url, _ = _direct_url()
    with connect(url, get_settings(), autocommit=True) as conn:
        done = migrations.rollback(conn, to=to)
    for migration in done:
        typer.echo(f"rolled back {migration.filename}")
    if not done:
        typer.echo("nothing to roll back")


@app.command()
def validate(
    paths: Optional[List[Path]] = typer.Argument(None, help="Files or folders (default: the whole outputs root)."),
    format: Format = typer.Option(Format.text, "--format", "-f", help="text or json."),
    outputs: Optional[Path] = OutputsOption,
) -> None:
    """Validate contract files; exit 1 on any violation."""
    from contracts import get_registry

    root = _outputs_root(outputs)
    targets = list(paths) if paths else [root]
    if not paths and not root.is_dir():
        raise InputError("outputs root does not exist.", file=root, hint="Run the pipeline first or pass --outputs.")
    result = get_registry().validate_paths(targets)
    if format is Format.json:
        typer.echo(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
    else:
        for violation in result.violations:
            typer.echo(violation.render())
        for path in result.unrecognised:
            typer.echo(f"{path}: not a contract file (no contract key, no matching location); skipped", err=True)
        typer.echo(f"{len(result.checked)} file(s) checked, {len(result.violations)} violation(s).")
    raise typer.Exit(0 if result.ok else 1)


@contracts_app.command("list")
def contracts_list(format: Format = typer.Option(Format.text, "--format", "-f")) -> None:
    """Every contract this installation knows, with status, provider → consumer and location."""
    from contracts import get_registry

    contracts = get_registry().all()
    if format is Format.json:
        typer.echo(json.dumps([{"contract": c.ref, "status": c.status, "provider": c.provider, "consumer": c.consumer,
                                "format": c.format, "location": c.location} for c in contracts], indent=2))
        return
    width = max(len(c.ref) for c in contracts)
    for c in contracts:
        typer.echo(f"{c.ref:<{width}}  {c.status:<12} {c.provider:>9} → {c.consumer:<10} {c.location or ''}")


def _load_schema_arg(value: str) -> tuple[dict, str | None, str]:
    """A schema from a contract ref (name@x.y.z), a descriptor YAML or a JSON Schema file."""
    from contracts import get_registry, parse_ref
    from lendaria.documents import read_text_file
    from lendaria.yamlio import load_yaml

    if "@" in value and not Path(value).exists():
        name, version = parse_ref(value)
        try:
            contract = get_registry().get(name, version)
        except KeyError as exc:
            raise InputError(str(exc).strip('"')) from None
        return contract.schema or {}, contract.version, contract.ref
    path = Path(value)
    data = load_yaml(read_text_file(path)) if path.suffix in (".yaml", ".yml") else json.loads(read_text_file(path))
    if isinstance(data, dict) and isinstance(data.get("contract"), dict):  # a descriptor: load its schema beside it
        body = data["contract"]
        schema_file = (body.get("interface") or {}).get("schema")
        if not schema_file:
            raise InputError("descriptor has no interface.schema.", file=path)
        return json.loads(read_text_file(path.parent / schema_file)), str(body.get("version")), f"{body.get('name')}@{body.get('version')}"
    if not isinstance(data, dict):
        raise InputError("is not a JSON Schema object.", file=path)
    return data, None, str(path)


@contracts_app.command("check")
def contracts_check(
    old: str = typer.Argument(..., help="Old version: name@x.y.z, a descriptor .yaml or a schema .json."),
    new: str = typer.Argument(..., help="New version, same forms."),
    format: Format = typer.Option(Format.text, "--format", "-f"),
) -> None:
    """Classify the change OLD → NEW (breaking / minor / patch) and check the version bump.
    Exit 1 when the change is breaking without a MAJOR bump (or breaking, when versions are unknown)."""
    from contracts.compat import check_bump, compare_schemas

    old_schema, old_version, old_label = _load_schema_arg(old)
    new_schema, new_version, new_label = _load_schema_arg(new)
    report = compare_schemas(old_schema, new_schema)
    problem = None
    if old_version and new_version:
        problem = check_bump(old_version, new_version, report.level)
    elif report.level == "breaking":
        problem = "breaking change (versions unknown: compare descriptors or name@version refs to check the bump)"
    if format is Format.json:
        typer.echo(json.dumps({**report.as_dict(), "old": old_label, "new": new_label, "bump_problem": problem}, indent=2))
    else:
        typer.echo(f"{old_label} → {new_label}: {report.level}")
        for change in report.changes:
            typer.echo(f"  {change.render()}")
        if problem:
            typer.secho(f"refused: {problem}", fg=typer.colors.RED, err=True)
    raise typer.Exit(1 if problem else 0)


# ------------------------------------------------------------------------------------------------
class _QuietKnownErrors(logging.Filter):
    """Drop tracebacks of our own user-facing errors from Prefect's console logs (the CLI prints them once)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], LendariaError):
            record.exc_info = None
            record.exc_text = None
        return True


def _prepare_prefect() -> None:
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "DEBUG" if _state["debug"] else "INFO")
    from prefect.logging.configuration import setup_logging

    setup_logging()
    if not _state["debug"]:
        quiet = _QuietKnownErrors()
        loggers = [logging.getLogger()] + [logging.getLogger(name) for name in list(logging.root.manager.loggerDict)]
        for logger in loggers:
            for handler in getattr(logger, "handlers", []):
                handler.addFilter(quiet)


def main() -> None:
    """Console entry point: run the Typer app, turning our errors into one clear paragraph."""
    try:
        code = app(standalone_mode=False)  # click returns Exit codes instead of raising here
    except LendariaError as exc:
        if _state["debug"]:
            raise
        _echo_err(f"error: {exc.render()}")
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        _echo_err("aborted")
        sys.exit(130)
    except Exception as exc:  # click usage errors and anything unexpected
        import click

        if isinstance(exc, click.exceptions.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if _state["debug"]:
            raise
        _echo_err(f"error: unexpected {type(exc).__name__}: {exc} (run with --debug for the traceback)")
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
