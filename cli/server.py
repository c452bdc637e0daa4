"""`lendaria server …` (the local Prefect server) and `lendaria serve` (deployments and a worker)."""

from __future__ import annotations

import json

import typer

from cli.common import (
    Format,
    app,
    collect_garbage_again,
    say,
    typer_app,
)
from lendaria.errors import InputError

server_app = typer_app("The local Prefect server (API + UI) that runs report to.")


def _local_server():
    from lendaria.orchestrator.connect import local_server
    from lendaria.settings import get_settings

    return local_server(get_settings())


@server_app.command("start")
def server_start() -> None:
    """Start the local Prefect server (or reuse the running one); prints its UI address."""
    ensured = _local_server().ensure_running(say)
    if ensured.note:
        say(ensured.note)
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
    ensured = use_local_server(settings, say)  # also for the deploy and worker children
    if ensured.note:
        say(ensured.note)
    say(f"Prefect UI: {ensured.state.url}")
    created = serving.ensure_work_pools(pools)
    if created:
        say(f"created work pool(s): {', '.join(created)} (type process)")
    say(f"deploying {project / serving.PROJECT_FILE} …")
    serving.deploy_all(project)
    for link in serving.deployment_links(pools):
        typer.echo(f"deployment {link.name}: {link.url}")
    crash = serving.ensure_crash_automation(settings.crash_after_seconds)
    if settings.crash_after_seconds:
        say(f"a run whose process dies is marked Crashed after {settings.crash_after_seconds} s without heartbeat "
             f"(automation {crash}; LENDARIA_CRASH_AFTER_SECONDS, 0 turns it off)")
    elif crash == "removed":
        say("removed the automation that marked runs without heartbeat Crashed (LENDARIA_CRASH_AFTER_SECONDS=0)")
    collect_garbage_again()
    say(f"worker: pulling runs from {', '.join(pools)}; open a deployment above and click Run. Ctrl-C stops the "
         "worker; the server keeps running (`lendaria server stop`).")
    raise typer.Exit(serving.run_worker(pools, settings.crash_after_seconds))
