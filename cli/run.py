"""Running a mind: `init` scaffolds its spec, `run` drives the pipeline through Prefect, `runs` lists the
history, `persist` writes a mind's contract files into the database."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from cli.common import (courses_option, listed, 
    Format,
    OutputsOption,
    app,
    collect_garbage_again,
    configure_prefect_logging,
    outputs_root,
    print_rows,
    say,
    skip_teardown_at_exit,
)
from lendaria.errors import InputError


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

    path = Catalog(outputs_root(outputs)).mind_spec(slug)
    if path.exists() and not force:
        raise InputError("already exists.", file=path, hint="Edit it, or pass --force to overwrite.")
    atomic_write_bytes(path, render_new_spec(slug, name, language).encode("utf-8"))
    note = path.parent / RAW_FOLDER / "README"
    if not note.exists():
        atomic_write_bytes(note, render_raw_readme(slug, name).encode("utf-8"))
    typer.echo(f"wrote {path} and {note.parent}/\nnext: put {name}'s texts in {note.parent}/ (or list other sources "
               f"in mind.yaml), then `lendaria run {slug}`")


def _stage_list(values: Optional[List[str]]) -> Optional[List[str]]:
    """The stages the user named, checked against the pipeline (a usage error otherwise); None: all."""
    from lendaria.packs import check_stages

    names = listed(values)
    try:
        return check_stages(names) if names else None
    except InputError as exc:
        raise typer.BadParameter(exc.render()) from None


def _persisted_stage_list(values: Optional[List[str]]) -> Optional[List[str]]:
    """The stages with a persist step the user named (a usage error for others); None: every one."""
    from lendaria.packs import persisted_stages

    known, names = persisted_stages(), listed(values)
    unknown = [v for v in names if v not in known]
    if unknown:
        raise typer.BadParameter(f"no persist step for stage(s): {', '.join(unknown)}. Stages with one: {', '.join(known)}.")
    return [name for name in known if name in names] if names else None


StagesOption = typer.Option(None, "--stages", "--stage", "-s", callback=_stage_list, metavar="STAGE",
                            help="Stages to run: --stages etl,mmos or --stage etl --stage mmos; default all.")
CoursesOption = courses_option("Course(s) CreatorOS builds (default: every course whose brief names the mind).")


@app.command()
def run(
    mind: str = typer.Argument(..., metavar="MIND", help="Slug (outputs/minds/<slug>/mind.yaml) or path to a mind.yaml."),
    stages: Optional[List[str]] = StagesOption,
    outputs: Optional[Path] = OutputsOption,
    persist: bool = typer.Option(True, "--persist/--no-persist", help="Persist each stage's outputs into the database."),
    course: Optional[List[str]] = CoursesOption,
    force: bool = typer.Option(False, "--force", help="Run every stage even when its inputs, parameters and code are unchanged, "
                               "and ask the engine again instead of reading paid answers from the response cache."),
    max_cost: Optional[float] = typer.Option(None, "--max-cost", min=0, metavar="USD",
                                             help="The run's cost budget (default LENDARIA_MAX_COST_USD): a call that could "
                                                  "exceed it is not sent and the run stops, saying what was left undone."),
    batch: bool = typer.Option(False, "--batch", help="Send bulk work (layer analysis, research, lesson drafts) to Claude as Message Batches, at "
                               "half price; a run stopped while it is pending resumes it (LENDARIA_ENGINE_BATCH)."),
    estimate: bool = typer.Option(False, "--estimate", help="Print, per stage, the Claude calls the run would make, their tokens "
                                  "and cost (interactive and batched), and exit without sending any message."),
) -> None:
    """Run the pipeline for one mind through Prefect: a local server started on first use and reused
    (PREFECT_API_URL: your server; LENDARIA_PREFECT=ephemeral: a temporary API). A stage whose inputs,
    parameters and code are unchanged since its last run is skipped and says so (--force runs it).
    An optional stage (InnerLens, MMOS, CreatorOS) that cannot complete is skipped with a warning, unless
    you named it (--stages, or --course for CreatorOS): then the run fails and exits 1."""
    from lendaria.orchestrator.connect import select_target
    from lendaria.packs import check_stages, get_pack, load
    from lendaria.settings import get_settings

    settings = get_settings()
    root = outputs_root(outputs)
    if estimate:
        from flows.estimate import estimate_run
        from lendaria.engines.estimate import render

        for line in render(estimate_run(mind, check_stages(stages), root, settings, course)):
            typer.echo(line)
        return
    for name in check_stages(stages):  # each pack's pre-flight: bad local input fails here, before Prefect
        if get_pack(name).preflight:
            load(get_pack(name).preflight)(mind, root, settings)
    if persist:
        from lendaria.db.target import open_repository

        open_repository(settings)  # reachable and migrated before any stage writes (exit 4 otherwise)
    _check_engine(settings)
    skip_teardown_at_exit()
    target = select_target(settings, say=say)
    if target.note:
        say(target.note)
    configure_prefect_logging()
    from flows.pipeline import pipeline
    from lendaria.orchestrator.connect import flow_run_url, run_settings

    say(f"running {', '.join(check_stages(stages))} for {mind} into {root}/ …")
    collect_garbage_again()
    with run_settings(settings):
        state = pipeline(mind=mind, stages=stages, outputs=str(root), persist=persist, courses=course, force=force,
                         max_cost=max_cost, batch=batch or None, return_state=True)
    link = flow_run_url(state.state_details.flow_run_id) if target.keeps_history else None
    try:
        results = state.result()
    finally:
        if link:
            say(f"run: {link}")
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
    print_rows(rows, format, render_runs, f"no pipeline run{' of ' + mind if mind else ''} recorded yet.")


def describe_engine_totals(totals: dict) -> str:
    """One line of a run's engine use: calls, tokens (with cache writes and reads) and cost."""
    counts = [f"{totals[key]} {label}" for key, label in (("cached", "from the response cache"), ("batched", "in Message Batches"),
                                                          ("skipped", "not sent (budget)"), ("rate_limited", "HTTP 429 retried"))
              if totals.get(key)]
    return (f"{totals['calls']} engine call{'s' if totals['calls'] != 1 else ''}"
            + (f" ({', '.join(counts)})" if counts else "") + ", "
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
    stage: Optional[List[str]] = typer.Option(None, "--stages", "--stage", "-s", callback=_persisted_stage_list, metavar="STAGE",
                                              help="Stage(s) whose outputs to persist: --stages etl,mmos or --stage etl "
                                                   "--stage mmos (default: every stage whose outputs exist)."),
    outputs: Optional[Path] = OutputsOption,
) -> None:
    """Persist a mind's contract files into the database (re-runnable alone; idempotent). By default
    every stage whose outputs exist is persisted and the others are named as skipped; a stage you name
    that has no outputs is an error (exit 1)."""
    from lendaria.catalog import check_slug
    from lendaria.db.persist import new_run_id, persist_available
    from lendaria.db.target import open_repository
    from lendaria.packs import persisted_stages
    from lendaria.settings import get_settings
    from stages.etl.run import load_spec_for_run

    root = outputs_root(outputs)
    is_path = "/" in mind or mind.endswith((".yaml", ".yml"))
    slug = load_spec_for_run(mind, root).slug if is_path else check_slug(mind)
    repository = open_repository(get_settings())
    collect_garbage_again()
    for line in persist_available(stage or persisted_stages(), set(stage or []), slug, root, repository, run_id=new_run_id()):
        typer.echo(line)
