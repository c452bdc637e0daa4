"""The ``lendaria`` command: one small function per command over the packs and the registry.

Errors are one paragraph on stderr and a non-zero exit code (``--debug`` shows the traceback):
1 bad input or contract violation, 2 usage, 3 nothing collected, 4 database unreachable.
Bare ``lendaria`` (or a bare command group) prints its help and exits 0.
"""

from __future__ import annotations

import json
import os
import sys
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from lendaria.errors import InputError, LendariaError


def _typer(help: str, **extra) -> typer.Typer:
    # Plain click help: typer's rich panels render flags as "<bool>" and obscure --flag/--no-flag.
    return typer.Typer(no_args_is_help=True, help=help, rich_markup_mode=None, pretty_exceptions_enable=False, **extra)


app = _typer("Lendária: sources → mind → voice → courses, as contract files.", add_completion=False)
contracts_app = _typer("List and compare contracts.")
app.add_typer(contracts_app, name="contracts")
db_app = _typer("The database: embedded server, migrations.")
app.add_typer(db_app, name="db")
server_app = _typer("The local Prefect server (API + UI) that runs report to.")
app.add_typer(server_app, name="server")
profile_app = _typer("A mind's profile versions in the database (voice profile, analysis layers).")
app.add_typer(profile_app, name="profile")
course_app = _typer("Courses (CreatorOS): scaffold and check a course brief.")
app.add_typer(course_app, name="course")

_state = {"debug": False, "fast_exit": False, "exit_code": 0}
OutputsOption = typer.Option(None, "--outputs", "-o", envvar="LENDARIA_OUTPUTS", metavar="DIR", help="Outputs root (default ./outputs).")
# `export` uses -o for the bundle it writes (as `zip -o`, `pg_dump -f` users expect), so its outputs root is --outputs only
OutputsRootOnly = typer.Option(None, "--outputs", envvar="LENDARIA_OUTPUTS", metavar="DIR", help="Outputs root (default ./outputs).")


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
    slug: str = typer.Argument(..., metavar="SLUG", help="Lowercase id of the mind, e.g. iris-valente."),
    name: str = typer.Option(..., "--name", metavar="NAME", help="Display name of the person."),
    language: Optional[str] = typer.Option(None, "--language", metavar="CODE", help="ISO 639 code, e.g. en."),
    outputs: Optional[Path] = OutputsOption,
    force: bool = typer.Option(False, "--force", help="Overwrite an existing mind.yaml."),
) -> None:
    """Scaffold outputs/minds/<slug>/mind.yaml and the raw/ folder it lists."""
    from lendaria.catalog import Catalog
    from lendaria.fileio import atomic_write_bytes
    from stages.etl.spec import RAW_FOLDER, render_new_spec, render_raw_readme

    path = Catalog(_outputs_root(outputs)).mind_spec(slug)
    if path.exists() and not force:
        raise InputError("already exists.", file=path, hint="Edit it, or pass --force to overwrite.")
    atomic_write_bytes(path, render_new_spec(slug, name, language).encode("utf-8"))
    note = path.parent / RAW_FOLDER / "README"
    if not note.exists():
        atomic_write_bytes(note, render_raw_readme(slug, name).encode("utf-8"))
    typer.echo(f"wrote {path} and {note.parent}/\nnext: put {name}'s texts in {note.parent}/ (or list other sources "
               f"in mind.yaml), then `lendaria run {slug}`")


def _stage_list(values: Optional[List[str]]) -> Optional[List[str]]:
    """``--stages`` values (repeatable or comma-separated) checked against the pipeline: a usage error."""
    from lendaria.packs import check_stages

    names = [s.strip() for value in values or [] for s in value.split(",") if s.strip()]
    try:
        return check_stages(names or None)
    except InputError as exc:
        raise typer.BadParameter(exc.render()) from None


def _persisted_stage_list(values: Optional[List[str]]) -> List[str]:
    from lendaria.packs import persisted_stages

    known = persisted_stages()
    unknown = [v for v in values or [] if v not in known]
    if unknown:
        raise typer.BadParameter(f"no persist step for stage(s): {', '.join(unknown)}. Stages with one: {', '.join(known)}.")
    return [name for name in known if name in values] if values else known


@app.command()
def run(
    mind: str = typer.Argument(..., metavar="MIND", help="Slug (outputs/minds/<slug>/mind.yaml) or path to a mind.yaml."),
    stages: Optional[List[str]] = typer.Option(None, "--stages", "-s", callback=_stage_list, metavar="STAGE",
                                               help="Stages to run (repeatable or comma-separated); default all."),
    outputs: Optional[Path] = OutputsOption,
    persist: bool = typer.Option(True, "--persist/--no-persist", help="Persist each stage's outputs into the database."),
    course: Optional[List[str]] = typer.Option(None, "--course", "-c", metavar="COURSE",
                                               help="Course(s) CreatorOS builds (default: every course whose brief names the mind)."),
    force: bool = typer.Option(False, "--force", help="Run every stage even when its inputs, parameters and code are unchanged."),
) -> None:
    """Run the pipeline for one mind through Prefect: a local server started on first use and reused
    (PREFECT_API_URL: your server; LENDARIA_PREFECT=ephemeral: a temporary API). A stage whose inputs,
    parameters and code are unchanged since its last run is skipped and says so (--force runs it)."""
    from lendaria.orchestrator.connect import select_target
    from lendaria.packs import get_pack, load
    from lendaria.settings import get_settings

    settings = get_settings()
    root = _outputs_root(outputs)
    for name in stages:  # each pack's pre-flight: bad local input fails here, before Prefect
        if get_pack(name).preflight:
            load(get_pack(name).preflight)(mind, root, settings)
    if persist:
        from lendaria.db.target import open_repository

        open_repository(settings)  # reachable and migrated before any stage writes (exit 4 otherwise)
    _check_engine(settings)
    _skip_teardown_at_exit()
    target = select_target(settings, say=_say)
    if target.note:
        _say(target.note)
    _configure_prefect_logging()
    from lendaria.orchestrator.connect import flow_run_url, run_settings

    from flows.pipeline import pipeline

    _say(f"running {', '.join(stages)} for {mind} into {root}/ …")
    _collect_garbage_again()
    with run_settings(settings):
        state = pipeline(mind=mind, stages=stages, outputs=str(root), persist=persist, courses=course or None, force=force,
                         return_state=True)
    link = flow_run_url(state.state_details.flow_run_id) if target.keeps_history else None
    try:
        results = state.result()
    finally:
        if link:
            _say(f"run: {link}")
    run_info = results.pop("run", None)
    for name, result in results.items():
        typer.echo(f"[{name}] {result.get('summary', 'done')}")
        for line in result.get("failures", []):
            typer.secho(f"  failed: {line}", fg=typer.colors.YELLOW)
        if result.get("persisted"):
            typer.echo(f"[{name}] {result['persisted']}")
        typer.echo(f"[{name}] engine: {result.get('engine', 'offline')}")
    if run_info:
        typer.echo(f"[run] {describe_engine_totals(run_info['totals'])}; correlation id {run_info['correlation_id']}")


@app.command()
def runs(
    mind: Optional[str] = typer.Option(None, "--mind", "-m", metavar="SLUG", help="Only this mind's runs."),
    limit: int = typer.Option(20, "--limit", "-n", min=1, max=1000, help="How many runs (newest first)."),
    format: Format = typer.Option(Format.text, "--format", "-f", metavar="text|json"),
) -> None:
    """Recent pipeline runs from the database: stages (ran, skipped, failed), status, duration, cost,
    correlation id and the run's page in the Prefect UI."""
    from lendaria.catalog import check_slug
    from lendaria.db.history import render_runs
    from lendaria.db.target import open_repository
    from lendaria.settings import get_settings

    rows = open_repository(get_settings()).recent_runs(check_slug(mind) if mind else None, limit)
    _print_rows(rows, format, render_runs, f"no pipeline run{' of ' + mind if mind else ''} recorded yet.")


def _print_rows(rows: list[dict], format: "Format", render, empty: str) -> None:
    """Database rows as JSON (``--format json``) or as the lines ``render`` makes (``empty`` when none)."""
    from lendaria.db.history import json_ready

    if format is Format.json:
        typer.echo(json.dumps([json_ready(row) for row in rows], indent=2, ensure_ascii=False))
        return
    for line in render(rows) or [empty]:
        typer.echo(line)


def describe_engine_totals(totals: dict) -> str:
    """One line of a run's engine use: calls, tokens (with cache writes and reads) and cost."""
    return (f"{totals['calls']} engine call{'s' if totals['calls'] != 1 else ''}, "
            f"{totals['input_tokens']:,} input / {totals['output_tokens']:,} output tokens "
            f"({totals['cache_write_tokens']:,} cache write, {totals['cache_read_tokens']:,} cache read), "
            f"${totals['cost_usd']:.4f}")


def _check_engine(settings) -> None:
    """With LENDARIA_ENGINE=anthropic: the key and the API are checked before Prefect starts (one free
    request), so a missing key or an unreachable API fails in a second with one clear message. ``auto``
    is checked inside the run, where a failure falls back to offline and says so."""
    if settings.engine != "anthropic":
        return
    from lendaria.engines.select import choose_engine

    engine = choose_engine(settings).primary
    check = getattr(engine, "check", None)
    if check is not None:
        check()


@app.command()
def persist(
    mind: str = typer.Argument(..., metavar="MIND", help="Slug, or path to its mind.yaml."),
    stage: Optional[List[str]] = typer.Option(None, "--stage", "-s", callback=_persisted_stage_list, metavar="STAGE", help="Stage(s) whose outputs to persist (default: every stage with a persist step)."),
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
    _collect_garbage_again()
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


# ---- courses ---------------------------------------------------------------------------------------
@course_app.command("init")
def course_init(
    course: str = typer.Argument(..., help="The course slug (its folder under outputs/courses/)."),
    mind: Optional[str] = typer.Option(None, "--mind", "-m", help="The mind whose voice the lessons speak in (omit: neutral voice)."),
    title: Optional[str] = typer.Option(None, "--title", help="The course title (default: from the slug, or the materials)."),
    from_sources: bool = typer.Option(False, "--from-sources", help="Extract the brief from legacy materials in courses/<course>/sources/ (brownfield)."),
    outputs: Optional[Path] = OutputsOption,
) -> None:
    """Scaffold outputs/courses/<course>/COURSE-BRIEF.md for you to fill in, or extract it from legacy
    materials (--from-sources); never overwrites one."""
    from lendaria.catalog import Catalog, check_slug
    from stages.creatoros.run import init_brief

    path = init_brief(Catalog(_outputs_root(outputs)), check_slug(course), check_slug(mind) if mind else None, title, from_sources)
    typer.echo(f"wrote {path}: fill in its sections, then `lendaria course check {course}`")


@course_app.command("check")
def course_check(
    course: str = typer.Argument(..., help="The course slug."),
    format: Format = typer.Option(Format.text, "--format", "-f", metavar="text|json"),
    outputs: Optional[Path] = OutputsOption,
) -> None:
    """How complete the course brief is; exit 1 below 70%, with the sections still missing."""
    from lendaria.catalog import Catalog, check_slug
    from stages.creatoros.run import check_brief

    report = check_brief(Catalog(_outputs_root(outputs)), check_slug(course))
    if format is Format.json:
        typer.echo(json.dumps(report.as_dict(), indent=2))
    else:
        typer.echo(f"{course}: brief {report.percent:.0f}% complete (needs {report.as_dict()['minimum']:.0f}%)"
                   + (f"; missing: {', '.join(report.missing)}" if report.missing else ""))
    raise typer.Exit(0 if report.passed else 1)


@course_app.command("build")
def course_build(
    course: str = typer.Argument(..., help="The course slug (its brief must be at least 70% complete)."),
    outputs: Optional[Path] = OutputsOption,
) -> None:
    """Build a course from its brief and its mind's MMOS outputs: research, curriculum, lessons, fidelity."""
    from lendaria.catalog import check_slug
    from lendaria.settings import get_settings
    from stages.creatoros.run import build_course

    typer.echo(build_course(check_slug(course), _outputs_root(outputs), get_settings()).summary())


# ---- profile versions ------------------------------------------------------------------------------
def _direct_connection(what: str = "profile versions are read", *, migrate: bool = False):
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


@profile_app.command("history")
def profile_history(
    slug: str = typer.Argument(..., help="The mind."),
    layer: Optional[str] = typer.Option(None, "--layer", "-l", metavar="KIND", help="One profile kind: voice or a layer name."),
    format: Format = typer.Option(Format.text, "--format", "-f", metavar="text|json"),
) -> None:
    """Every version of the mind's profiles: when, by which run, and what changed."""
    from lendaria.catalog import check_slug
    from lendaria.db import profiles

    with _direct_connection() as conn:
        rows = profiles.history(conn, check_slug(slug), layer)
    if format is Format.json:
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for line in profiles.render_history(rows) or [f"{slug} has no profile versions yet."]:
        typer.echo(line)


@profile_app.command("diff")
def profile_diff(
    slug: str = typer.Argument(..., help="The mind."),
    layer: str = typer.Option(..., "--layer", "-l", metavar="KIND", help="The profile kind: voice or a layer name."),
    old: Optional[int] = typer.Option(None, "--from", min=0, help="Older version (default: the one before --to)."),
    new: Optional[int] = typer.Option(None, "--to", min=1, help="Newer version (default: the latest)."),
    format: Format = typer.Option(Format.text, "--format", "-f", metavar="text|json"),
) -> None:
    """What changed between two versions of a profile: claims added, removed, changed; fields."""
    from lendaria.catalog import check_slug
    from lendaria.db import profiles

    with _direct_connection() as conn:
        report = profiles.compare(conn, check_slug(slug), layer, old, new)
    if format is Format.json:
        typer.echo(json.dumps(report, indent=2, ensure_ascii=False))
        return
    for line in profiles.render_comparison(report):
        typer.echo(line)


# ---- portability and audit ---------------------------------------------------------------------------
@app.command("export")
def export_bundle(
    slug: str = typer.Argument(..., help="The mind."),
    output: Path = typer.Option(..., "--output", "-o", metavar="FILE.zip", help="Where to write the bundle."),
    course: Optional[List[str]] = typer.Option(None, "--course", "-c", metavar="COURSE", help="Courses to include (repeatable)."),
    include_private: bool = typer.Option(False, "--include-private", help="Include PRIVATE, SENSITIVE and CLINICAL material."),
    outputs: Optional[Path] = OutputsRootOnly,
) -> None:
    """One zip with the mind's files and database rows, checksummed (non-public material withheld
    unless --include-private; the manifest lists what)."""
    from contracts import get_registry
    from lendaria import __version__
    from lendaria.bundle import export_mind

    registry = get_registry()
    with _direct_connection("a mind is exported") as conn:
        manifest = export_mind(conn, _outputs_root(outputs), slug, course or [], output, include_private=include_private,
                               lendaria_version=__version__, contracts={n: registry.latest(n).ref for n in registry.names()})
    withheld = manifest["withheld"]
    typer.echo(f"exported {slug} to {output}: {sum(1 for n in manifest['files'] if n.startswith('files/'))} files, "
               f"{sum(manifest['records'].values())} rows; schema {manifest['schema_version']}."
               + (f" Withheld (non-public): {len(withheld['sources'])} source(s), {len(withheld['files'])} file(s), "
                  f"{sum(withheld['lines'].values())} line(s), {sum(withheld['rows'].values())} row(s)." if withheld["sources"] else ""))


@app.command("import")
def import_bundle_command(
    bundle: Path = typer.Argument(..., metavar="FILE.zip", help="A bundle written by `lendaria export`."),
    replace: bool = typer.Option(False, "--replace", help="Overwrite a different existing mind of the same slug."),
    outputs: Optional[Path] = OutputsOption,
) -> None:
    """Verify a bundle (checksums, manifest, schema), apply pending migrations, then write its rows in
    one transaction through the pack roles and its files atomically."""
    from lendaria.bundle import import_bundle, read_bundle
    from lendaria.db.migrations import discover

    manifest, members = read_bundle(bundle)
    latest = max(m.version for m in discover())
    with _direct_connection("a mind is imported", migrate=True) as conn:
        result = import_bundle(conn, _outputs_root(outputs), manifest, members, replace=replace, latest_schema=latest)
    typer.echo(result.summary())


@app.command()
def audit(
    mind: Optional[str] = typer.Option(None, "--mind", "-m", metavar="SLUG", help="Only events of this mind."),
    limit: int = typer.Option(50, "--limit", "-n", min=1, max=10000, help="How many events (newest first)."),
    format: Format = typer.Option(Format.text, "--format", "-f", metavar="text|json"),
) -> None:
    """The audit trail: every write to Lendária's tables (who, what, how many rows, which run)."""
    from lendaria.db.audit import events, render_events

    with _direct_connection("the audit trail is read") as conn:
        rows = events(conn, mind, limit)
    _print_rows(rows, format, render_events, "no audit events yet.")


# ---- Prefect ---------------------------------------------------------------------------------------
def _local_server():
    from lendaria.orchestrator.connect import local_server
    from lendaria.settings import get_settings

    return local_server(get_settings())


@server_app.command("start")
def server_start() -> None:
    """Start the local Prefect server (or reuse the running one); prints its UI address."""
    ensured = _local_server().ensure_running(_say)
    if ensured.note:
        _say(ensured.note)
    typer.echo(ensured.state.url)


@server_app.command("stop")
def server_stop() -> None:
    """Stop the local Prefect server (its run history stays for the next start)."""
    typer.echo("stopped" if _local_server().stop() else "not running")


@server_app.command("status")
def server_status(format: Format = typer.Option(Format.text, "--format", "-f", metavar="text|json")) -> None:
    """Whether the local Prefect server runs, where, and its pid; exit 1 when it does not run."""
    server = _local_server()
    found = server.probe()
    state = found.state
    status = "running" if found.running else ("not answering" if found.alive else "stopped")
    if format is Format.json:
        typer.echo(json.dumps({"status": status, "url": state.url if state else None, "api_url": state.api_url if state else None,
                               "pid": state.pid if state and found.alive else None, "started_at": state.started_at if state else None,
                               "prefect_version": state.prefect_version if state else None, "log": str(server.logfile)}, indent=2))
    elif state is not None and found.alive:
        typer.echo(f"{status}: {state.url} (pid {state.pid}, Prefect {state.prefect_version}, since {state.started_at}); log {server.logfile}")
    else:
        typer.echo(f"stopped (`lendaria server start` or any `lendaria run` starts it); log {server.logfile}")
    raise typer.Exit(0 if found.running else 1)


@server_app.command("url")
def server_url(api: bool = typer.Option(False, "--api", help="Print the API address (for PREFECT_API_URL) instead of the UI's.")) -> None:
    """Print the UI address of the running local server; exit 1 when it does not run."""
    found = _local_server().probe()
    if not (found.running and found.state):
        raise InputError("the local Prefect server is not running.", hint="Start it with `lendaria server start`.")
    typer.echo(found.state.api_url if api else found.state.url)


@app.command()
def serve() -> None:
    """Start (or reuse) the local Prefect server, deploy everything in prefect.yaml, and run a worker
    until Ctrl-C: afterwards "Run" in the Prefect UI works with no other step."""
    from lendaria.orchestrator import serve as serving
    from lendaria.orchestrator.connect import use_local_server
    from lendaria.settings import get_settings

    settings = get_settings()
    project = serving.find_project_dir()
    pools = serving.work_pool_names(project)
    ensured = use_local_server(settings, _say)  # also for the deploy and worker children
    if ensured.note:
        _say(ensured.note)
    _say(f"Prefect UI: {ensured.state.url}")
    created = serving.ensure_work_pools(pools)
    if created:
        _say(f"created work pool(s): {', '.join(created)} (type process)")
    _say(f"deploying {project / serving.PROJECT_FILE} …")
    serving.deploy_all(project)
    for link in serving.deployment_links(pools):
        typer.echo(f"deployment {link.name}: {link.url}")
    crash = serving.ensure_crash_automation(settings.crash_after_seconds)
    if settings.crash_after_seconds:
        _say(f"a run whose process dies is marked Crashed after {settings.crash_after_seconds} s without heartbeat "
             f"(automation {crash}; LENDARIA_CRASH_AFTER_SECONDS, 0 turns it off)")
    elif crash == "removed":
        _say("removed the automation that marked runs without heartbeat Crashed (LENDARIA_CRASH_AFTER_SECONDS=0)")
    _collect_garbage_again()
    _say(f"worker: pulling runs from {', '.join(pools)}; open a deployment above and click Run. Ctrl-C stops the "
         "worker; the server keeps running (`lendaria server stop`).")
    raise typer.Exit(serving.run_worker(pools, settings.crash_after_seconds))


@app.command()
def validate(
    paths: Optional[List[Path]] = typer.Argument(None, metavar="[PATH]...", help="Files or folders (default: the whole outputs root)."),
    format: Format = typer.Option(Format.text, "--format", "-f", metavar="text|json", help="text or json."),
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


@app.command()
def fidelity(
    slug: str = typer.Argument(..., help="The mind (its MMOS outputs must exist)."),
    files: List[Path] = typer.Argument(..., metavar="FILE...", help="Text files to score (UTF-8 text or Markdown)."),
    format: Format = typer.Option(Format.text, "--format", "-f", metavar="text|json", help="text or json."),
    outputs: Optional[Path] = OutputsOption,
) -> None:
    """Score how much each file reads like the mind: 0-100, pass/fail, words, confidence, method."""
    from lendaria.catalog import check_slug
    from lendaria.documents import read_text_file
    from lendaria.packs import service

    check_slug(slug)
    texts = [read_text_file(path) for path in files]  # a missing or binary file: InputError naming it, nothing scored
    results = service("fidelity")(_outputs_root(outputs), slug, texts)
    if format is Format.json:
        typer.echo(json.dumps([{"file": str(path), **result} for path, result in zip(files, results)], indent=2, ensure_ascii=False))
        return
    for path, result in zip(files, results):
        verdict = "pass" if result["passed"] else "fail"
        typer.echo(f"{path}: {result['score']:.1f} ({verdict}; {result['words']:,} words, confidence {result['confidence']:.2f})")


@app.command()
def ask(
    slug: str = typer.Argument(..., help="The mind (its MMOS outputs must exist)."),
    question: str = typer.Argument(..., help="What to ask."),
    top: int = typer.Option(3, "--top", min=1, max=20, help="How many passages."),
    format: Format = typer.Option(Format.text, "--format", "-f", metavar="text|json", help="text or json."),
    outputs: Optional[Path] = OutputsOption,
) -> None:
    """The passages of the mind's own words most relevant to a question, verbatim, with citations; with
    the Anthropic engine (LENDARIA_ENGINE), also an answer in the mind's voice citing them, and its
    voice-fidelity score."""
    from lendaria.catalog import check_slug
    from lendaria.settings import get_settings
    from stages.mmos.run import answer

    check_slug(slug)
    result = answer(_outputs_root(outputs), slug, question, top, get_settings())
    if format is Format.json:
        typer.echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    if "answer" in result:
        score = result["fidelity"]
        typer.echo(result["answer"].strip() + "\n")
        cited = ", ".join(f"[{c['passage']}] {c['source_id']}@{c['start']}:{c['end']}" for c in result["cited"]) or "none"
        typer.echo(f"({result['engine']}; cites {cited}; voice fidelity {score['score']:.1f}, "
                   f"{'pass' if score['passed'] else 'fail'}, {score['words']:,} words, confidence {score['confidence']:.2f})\n")
    if not result["passages"]:
        typer.echo("No passage of this mind shares a word with the question.")
    for number, passage in enumerate(result["passages"], start=1):
        typer.echo(f"[{number}] {passage['source_id']}@{passage['start']}:{passage['end']} (relevance {passage['score']:.2f})")
        typer.echo(passage["text"].strip() + "\n")


@contracts_app.command("list")
def contracts_list(format: Format = typer.Option(Format.text, "--format", "-f", metavar="text|json")) -> None:
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
    old: str = typer.Argument(..., metavar="OLD", help="Old version: name@x.y.z, a descriptor .yaml or a schema .json."),
    new: str = typer.Argument(..., metavar="NEW", help="New version, same forms."),
    format: Format = typer.Option(Format.text, "--format", "-f", metavar="text|json"),
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
def _say(line: str) -> None:
    """A progress line on stderr (stdout stays for results)."""
    typer.echo(line, err=True)


def _configure_prefect_logging() -> None:
    from lendaria.orchestrator.connect import configure_console_logging

    configure_console_logging(_state["debug"])


def _usage_error(exc: Exception):
    """The click usage error inside ``exc`` (typer raises its bundled click's classes), or None."""
    import click

    if isinstance(exc, (click.exceptions.ClickException, typer.TyperException)) and hasattr(exc, "show"):
        return exc
    return None


def _skip_teardown_at_exit() -> None:
    """After a Prefect run, end the process without the interpreter's module teardown (measured:
    0.5-0.8 s for Prefect's ~1,500 modules). Registered before ``import prefect``, so it runs last
    of the exit handlers: Prefect has drained its log and event queues (thread exit hooks and its
    own handlers run first) and nothing of ours is left open. Console runs only (not in-process
    callers such as tests)."""
    if not _state["fast_exit"]:
        return
    import atexit
    import logging

    def exit_now() -> None:
        logging.shutdown()  # registered before ours, so it would run after: flush it now
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(_state["exit_code"])

    atexit.register(exit_now)


def _exit(code: int) -> None:
    _state["exit_code"] = code
    sys.exit(code)


def main() -> None:
    """Run the Typer app, turning our errors into one clear paragraph and an exit code."""
    try:
        code = app(standalone_mode=False)  # click returns Exit codes instead of raising here
    except LendariaError as exc:
        if _state["debug"]:
            raise
        _echo_err(f"error: {exc.render()}")
        _exit(exc.exit_code)
    except typer.Exit as exc:
        _exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        _echo_err("aborted")
        _exit(130)
    except Exception as exc:  # click usage errors and anything unexpected
        usage = _usage_error(exc)
        if usage is not None and type(usage).__name__ == "NoArgsIsHelpError":
            typer.echo(usage.ctx.get_help())  # bare `lendaria` or a bare group: help, exit 0
            _exit(0)
        if usage is not None:
            usage.show()
            _exit(usage.exit_code)
        if _state["debug"]:
            raise
        _echo_err(f"error: unexpected {type(exc).__name__}: {exc} (run with --debug for the traceback)")
        _exit(1)
    _exit(code if isinstance(code, int) else 0)


def _collect_garbage_again() -> None:
    """End of start-up: freeze what the imports built and turn the cyclic GC back on (see console)."""
    import gc

    gc.freeze()
    gc.enable()


def console() -> None:
    """The ``lendaria`` console script (and ``python -m lendaria``).

    Start-up imports build about a million long-lived objects (Prefect's and pydantic's models).
    Cyclic garbage collection while they are built frees nothing and costs about 0.4 s of a 5 s
    run (measured), so the GC is off until a command's imports are done; then those objects are
    frozen out of future collections and the GC is turned back on (`_collect_garbage_again`).
    """
    import gc

    gc.disable()
    _state["fast_exit"] = True
    main()


if __name__ == "__main__":
    console()
