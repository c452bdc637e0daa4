"""A worker killed in the middle of a run, the run retried (`prefect flow-run retry`, as the UI's Retry):
the stages finished before the kill are not recomputed, and the outputs are byte-identical to an
uninterrupted run's (the committed demo, which the golden test checks).

Nobody tells the server about the kill: the heartbeat automation `lendaria serve` sets up marks the
dead runs Crashed, as it would for a machine that died.

Real parts throughout: `lendaria serve` (local Prefect server, process worker, prefect.yaml's
deployments, the crash automation), the embedded PostgreSQL, SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tests.conftest import COMMITTED_OUTPUTS, DEMO_SLUG, REPO_ROOT, snapshot
from tests.support.api import get_json, post_json, resume_with_input
from tests.support.serve import Serve, wait_final

pytestmark = pytest.mark.stack

COURSE = "shore-counting"
CRASH_AFTER = 60  # the shortest crash window (Prefect's shortest heartbeat interval is 30 s)


def flow_run_processes(flow_run_id: str) -> list[int]:
    """Pids of processes executing this flow run (the process worker starts each run in its own)."""
    wanted = f"PREFECT__FLOW_RUN_ID={flow_run_id}".encode()
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if wanted in (entry / "environ").read_bytes().split(b"\0"):
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def task_runs(api: str, flow_run_ids: list[str]) -> list[dict]:
    return post_json(f"{api}/task_runs/filter", {"flow_runs": {"id": {"any_": flow_run_ids}}, "limit": 200})


def subflow_ids(api: str, parent: str) -> list[str]:
    runs = post_json(f"{api}/flow_runs/filter", {"flow_runs": {"parent_flow_run_id": {"any_": [parent]}}})
    return [r["id"] for r in runs]


def wait_for_pause(api: str, run_id: str, timeout: float = 300, ignore: frozenset[str] = frozenset()) -> dict:
    """The paused flow run (the pipeline or its CreatorOS subflow; not one of ``ignore``) once the
    curriculum review waits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = [get_json(f"{api}/flow_runs/{run_id}")]
        runs += post_json(f"{api}/flow_runs/filter", {"flow_runs": {"parent_flow_run_id": {"any_": [run_id]}}})
        paused = [r for r in runs if r["state_type"] == "PAUSED" and r["id"] not in ignore]
        if paused:
            return paused[0]
        if runs[0]["state_type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED"):
            pytest.fail(f"the run ended ({runs[0]['state_type']}: {runs[0]['state']['message']}) instead of waiting for review")
        time.sleep(0.5)
    pytest.fail(f"the run did not pause for review within {timeout:.0f} s")


def wait_for_crash(api: str, flow_run_ids: list[str], timeout: float) -> list[dict]:
    """The runs among ``flow_run_ids`` that were not finished, once all of them are Crashed."""
    deadline = time.monotonic() + timeout
    while True:
        runs = [get_json(f"{api}/flow_runs/{run_id}") for run_id in flow_run_ids]
        open_runs = [r for r in runs if r["state_type"] != "COMPLETED"]
        if all(r["state_type"] == "CRASHED" for r in open_runs):
            return open_runs
        if time.monotonic() > deadline:
            events = {r["name"]: [(e["occurred"][11:19], e["event"]) for e in post_json(f"{api}/events/filter", {
                "filter": {"resource": {"id": [f"prefect.flow-run.{r['id']}"]}, "order": "ASC"}, "limit": 50})["events"]]
                for r in open_runs if r["state_type"] != "CRASHED"}
            pytest.fail(f"not marked Crashed within {timeout:.0f} s: {[(r['name'], r['state_type']) for r in open_runs]}; "
                        f"their events: {events}")
        time.sleep(2)


def test_killed_worker_then_retry_does_not_redo_finished_stages(stack_home, tmp_path):
    """The worker dies while the run waits in CreatorOS (its curriculum review): deterministic, and the
    case of a run that failed in CreatorOS. The retry skips ETL, InnerLens and MMOS, pauses for the
    review again, and once approved writes the lessons."""
    out = tmp_path / "out"
    brief = out / "courses" / COURSE / "COURSE-BRIEF.md"
    brief.parent.mkdir(parents=True)
    brief.write_text((COMMITTED_OUTPUTS / "courses" / COURSE / "COURSE-BRIEF.md").read_text().replace("review: false", "review: true"))
    env = {**os.environ, "LENDARIA_HOME": str(stack_home), "PREFECT_WORKER_QUERY_SECONDS": "1", "LENDARIA_REVIEW_POLL_SECONDS": "1",
           "LENDARIA_CRASH_AFTER_SECONDS": str(CRASH_AFTER)}

    serve = Serve(env, cwd=REPO_ROOT)
    try:
        ui = serve.wait_for("Prefect UI: ", timeout=240).split(": ", 1)[1]
        assert f"marked Crashed after {CRASH_AFTER} s without heartbeat" in serve.wait_for("a run whose process dies", timeout=240)
        serve.wait_for("worker: ", timeout=60)
        api = f"{ui}/api"
        deployment = get_json(f"{api}/deployments/name/pipeline/lendaria-pipeline")
        run = post_json(f"{api}/deployments/{deployment['id']}/create_flow_run", {"parameters": {"outputs": str(out)}})
        wait_for_pause(api, run["id"])
        victims = flow_run_processes(run["id"])
        assert victims, "the flow run's process was not found"
    finally:  # the worker dies: `lendaria serve`, its worker and the run's process, SIGKILL
        os.killpg(serve.process.pid, signal.SIGKILL)
    for pid in victims:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    serve.process.wait(timeout=30)
    time.sleep(1)
    assert get_json(f"{api}/flow_runs/{run['id']}")["state_type"] == "RUNNING"  # nobody told the server
    # the automation `lendaria serve` set up marks the runs whose heartbeats stopped Crashed: the pipeline
    # and its paused CreatorOS subflow (the finished subflows stay Completed)
    dead_subflows = frozenset(subflow_ids(api, run["id"]))
    crashed = wait_for_crash(api, [run["id"], *dead_subflows], timeout=CRASH_AFTER * 3)
    assert len(crashed) == 2 and all("no heartbeat" in r["state"]["message"] for r in crashed), crashed
    first_attempt = {t["id"] for t in task_runs(api, [run["id"], *dead_subflows])}

    retried_at = datetime.now(timezone.utc)
    serve = Serve(env, cwd=REPO_ROOT)
    try:
        serve.wait_for("worker: ", timeout=240)
        retry = subprocess.run([sys.executable, "-m", "prefect", "flow-run", "retry", run["id"]], env={**env, "PREFECT_API_URL": api},
                               capture_output=True, text=True, timeout=120)
        assert retry.returncode == 0, retry.stdout + retry.stderr
        paused = wait_for_pause(api, run["id"], ignore=dead_subflows)
        resume_with_input(api, paused["id"], {"approve": True, "notes": "after the crash"})
        final = wait_final(api, run["id"], timeout=600)
    finally:
        code = serve.ctrl_c() if serve.process.poll() is None else serve.process.returncode
    assert final["state_type"] == "COMPLETED", final["state"]
    assert final["id"] == run["id"] and final["run_count"] >= 2  # the same flow run, retried

    second = [t for t in task_runs(api, [run["id"], *subflow_ids(api, run["id"])]) if t["id"] not in first_attempt]
    states = {t["name"]: t["state_name"] for t in second}
    # ETL, InnerLens and MMOS finished before the kill: in the retry each is one resume check, Skipped, and no work
    for stage in ("etl", "innerlens", "mmos"):
        assert states[f"resume check of {stage}"] == "Skipped", states
    assert not [name for name in states if name.startswith(("collect ", "fragment ", "mind of"))], states
    assert states["resume check of creatoros"] == "Completed"  # CreatorOS (killed) ran
    assert sum(t["task_key"].startswith("lesson_task") for t in second) == 6
    assert all(t["start_time"] is None or datetime.fromisoformat(t["start_time"]) >= retried_at for t in second)

    assert snapshot(out / "minds" / DEMO_SLUG) == snapshot(COMMITTED_OUTPUTS / "minds" / DEMO_SLUG)
    # the lessons and curriculum are the committed demo's (its research records the brief's hash, and this
    # brief differs by its review flag)
    assert snapshot(out / "courses" / COURSE / "lessons") == snapshot(COMMITTED_OUTPUTS / "courses" / COURSE / "lessons")
    assert (out / "courses" / COURSE / "curriculum.yaml").read_bytes() == (COMMITTED_OUTPUTS / "courses" / COURSE / "curriculum.yaml").read_bytes()
    assert "approved: true" in (out / "courses" / COURSE / "review.yaml").read_text()
    assert code == 0
