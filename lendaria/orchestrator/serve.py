"""``lendaria serve``: make "Run" in the Prefect UI work with no other step.

It starts (or reuses) the local server, creates the work pools that ``prefect.yaml`` names (type
``process``), deploys every deployment of ``prefect.yaml`` with Prefect's own ``prefect deploy``,
and runs a Prefect worker in the foreground until Ctrl-C. The server keeps running afterwards.

A run whose process dies (the machine, an OOM kill, SIGKILL) cannot report its own end: Prefect's
documented answer is heartbeats plus an automation that marks a run Crashed when its heartbeats stop.
``lendaria serve`` sets both up, so such a run turns Crashed within ``crash_after_seconds`` and can be
retried from the UI (finished stages are then skipped, see ``lendaria/resume.py``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from lendaria.documents import read_yaml_file
from lendaria.errors import InputError, LendariaError

PROJECT_FILE = "prefect.yaml"
CRASH_AUTOMATION = "lendaria: runs without heartbeats are Crashed"
MIN_HEARTBEAT_SECONDS = 30  # Prefect's minimum flow-run heartbeat interval
# A run's silence is excused by its next heartbeat or a state that ends it or parks it without a process
# (Suspended). Not Paused: a paused run waits in its process and keeps beating, so one killed while
# paused must still be caught.
SETTLING_EVENTS = ("heartbeat", "Completed", "Failed", "Cancelled", "Crashed", "Suspended")


class DeployError(LendariaError):
    """``prefect deploy`` failed."""


@dataclass(frozen=True)
class DeployedLink:
    name: str  # flow/deployment
    url: str


def find_project_dir(cwd: Path | None = None) -> Path:
    """The folder holding ``prefect.yaml``: the current one, else this checkout's root."""
    for candidate in (cwd or Path.cwd(), Path(__file__).resolve().parents[2]):
        if (candidate / PROJECT_FILE).is_file():
            return candidate.resolve()
    raise InputError(f"no {PROJECT_FILE} here or in the Lendária checkout.", file=cwd or Path.cwd(),
                     hint="Run `lendaria serve` from the repository root.")


def work_pool_names(project_dir: Path) -> list[str]:
    """Work pools the deployments of ``prefect.yaml`` use, in order of first use."""
    data = read_yaml_file(project_dir / PROJECT_FILE) or {}
    names: list[str] = []
    for deployment in data.get("deployments") or []:
        pool = (deployment.get("work_pool") or {}).get("name")
        if pool and pool not in names:
            names.append(pool)
    if not names:
        raise InputError("no deployment names a work pool.", file=project_dir / PROJECT_FILE,
                         hint="Give each deployment a work_pool with a name.")
    return names


def ensure_work_pools(names: list[str]) -> list[str]:
    """Create the missing pools as ``process`` pools; returns the names created."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectNotFound

    created = []
    with get_client(sync_client=True) as client:
        for name in names:
            try:
                client.read_work_pool(name)
            except ObjectNotFound:
                client.create_work_pool(WorkPoolCreate(name=name, type="process"))
                created.append(name)
    return created


def heartbeat_seconds(crash_after: int) -> int:
    """Heartbeat interval of the worker's runs: three beats per crash window, never under Prefect's minimum."""
    return max(MIN_HEARTBEAT_SECONDS, crash_after // 3)


def crash_automation(crash_after: int):
    """Prefect's zombie-run automation: a flow run that sent a heartbeat and then, within ``crash_after``
    seconds, neither another heartbeat nor a state that ends or parks it, is set Crashed."""
    from datetime import timedelta

    from prefect.client.schemas.objects import StateType
    from prefect.events.actions import ChangeFlowRunState
    from prefect.events.schemas.automations import AutomationCore, EventTrigger, Posture
    from prefect.events.schemas.events import ResourceSpecification

    return AutomationCore(
        name=CRASH_AUTOMATION,
        description="Created by `lendaria serve` (LENDARIA_CRASH_AFTER_SECONDS). A run whose process died is marked Crashed, "
                    "so Retry in the UI resumes it.",
        trigger=EventTrigger(
            match=ResourceSpecification({"prefect.resource.id": ["prefect.flow-run.*"]}),
            after={"prefect.flow-run.heartbeat"},
            expect={f"prefect.flow-run.{event}" for event in SETTLING_EVENTS},
            for_each={"prefect.resource.id"},
            posture=Posture.Proactive,
            threshold=1,
            within=timedelta(seconds=crash_after),
        ),
        actions=[ChangeFlowRunState(state=StateType.CRASHED,  # unforced: Prefect refuses Crashed for a finished run
                                    message=f"no heartbeat for {crash_after} s: the run's process is gone")],
    )


def ensure_crash_automation(crash_after: int) -> str:
    """Make the server's crash automation match the setting (0: none); what was done, for one line of output."""
    from prefect.client.orchestration import get_client

    wanted = crash_automation(crash_after) if crash_after else None
    with get_client(sync_client=True) as client:
        existing = client.read_automations_by_name(CRASH_AUTOMATION)
        if wanted is None:
            for automation in existing:
                client.delete_automation(automation.id)
            return "removed" if existing else "off"
        if len(existing) == 1 and _comparable(existing[0]) == _comparable(wanted):
            return "unchanged"
        for extra in existing[1:]:
            client.delete_automation(extra.id)
        if existing:
            client.update_automation(existing[0].id, wanted)
            return "updated"
        client.create_automation(wanted)
        return "created"


def _comparable(automation) -> object:
    """What defines the automation: sets (serialised as lists in any order) sorted, generated ids left out."""
    def normal(value):
        if isinstance(value, dict):
            return {key: normal(item) for key, item in value.items() if key != "id"}
        if isinstance(value, list):
            items = [normal(item) for item in value]
            return sorted(items) if all(isinstance(item, str) for item in items) else items
        return value

    return normal(automation.model_dump(mode="json", include={"name", "description", "trigger", "actions", "enabled"}))


def deploy_all(project_dir: Path) -> None:
    """``prefect deploy --all`` from ``project_dir`` (no prompts); its output only on failure."""
    # prefect.yaml's pull step says `directory: "{{ $PWD }}"`: Prefect reads the PWD variable, which a
    # changed cwd alone does not update, so set it to the project folder the flows run from.
    env = {**os.environ, "PWD": str(project_dir)}
    result = subprocess.run([sys.executable, "-m", "prefect", "deploy", "--all", "--no-prompt"], cwd=project_dir,
                            capture_output=True, text=True, timeout=600, env=env)
    if result.returncode != 0:
        tail = " | ".join(line.strip() for line in (result.stdout + result.stderr).splitlines()[-12:] if line.strip())
        raise DeployError(f"`prefect deploy --all` failed: {tail}", file=project_dir / PROJECT_FILE,
                          hint="Fix prefect.yaml (see the message above) and run `lendaria serve` again.")


def deployment_links(pools: list[str]) -> list[DeployedLink]:
    """Every deployment on ``pools`` with its UI address, sorted by name."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import WorkPoolFilter, WorkPoolFilterName
    from prefect.utilities.urls import url_for

    links = []
    with get_client(sync_client=True) as client:
        deployments = client.read_deployments(work_pool_filter=WorkPoolFilter(name=WorkPoolFilterName(any_=pools)))
        flow_names = {d.flow_id: client.read_flow(d.flow_id).name for d in deployments}
        for deployment in deployments:
            links.append(DeployedLink(f"{flow_names[deployment.flow_id]}/{deployment.name}",
                                      url_for("deployment", obj_id=str(deployment.id)) or ""))
    return sorted(links, key=lambda link: link.name)


def run_worker(pools: list[str], crash_after: int = 0) -> int:
    """One Prefect process worker per pool in the foreground until Ctrl-C (or SIGTERM); returns the
    worst exit code. The workers get the interrupt too and finish cleanly before we return. With a
    crash window, the runs they start send heartbeats often enough for it."""
    env = os.environ.copy()
    if crash_after:
        env["PREFECT_FLOWS_HEARTBEAT_FREQUENCY"] = str(heartbeat_seconds(crash_after))
    workers = [subprocess.Popen([sys.executable, "-m", "prefect", "worker", "start", "--type", "process", "--pool", pool],
                                env=env) for pool in pools]

    def interrupted(signum, frame):  # SIGTERM (a service manager, a test): stop like Ctrl-C
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupted)
    try:
        return max(worker.wait() for worker in workers)
    except KeyboardInterrupt:
        return max(_stop_worker(worker) for worker in workers)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _stop_worker(worker: subprocess.Popen) -> int:
    """Ctrl-C in a terminal reaches the worker itself; a signal sent to us alone does not: forward it."""
    for sig, wait in ((None, 2.0), (signal.SIGINT, 20.0), (signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
        if sig is not None and worker.poll() is None:
            worker.send_signal(sig)
        try:
            code = worker.wait(timeout=wait)
            return 0 if code in (0, 130, -signal.SIGINT) else code
        except subprocess.TimeoutExpired:
            continue
    return worker.wait()
