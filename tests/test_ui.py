"""End to end through the Prefect UI: `lendaria serve` deploys prefect.yaml and runs a worker; the demo
pipeline is triggered through its deployment (as the UI's Run button does), and its pages are read
in a real headless Chromium (Debian's package, driven by Playwright; no browser download).

Screenshots are kept under test-results/ui/ (git-ignored)."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import DEMO_SLUG, REPO_ROOT, run_cli

pytestmark = pytest.mark.ui

CHROMIUM = Path(os.environ.get("LENDARIA_CHROMIUM", "/usr/lib/chromium/chromium"))
SCREENSHOTS = REPO_ROOT / "test-results" / "ui"
# Without the networking flags Chromium keeps trying to reach Google's services (no network here).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


class Serve:
    """`lendaria serve` in its own process group (so the test can press Ctrl-C on it like a terminal)."""

    def __init__(self, env: dict[str, str], cwd: Path):
        # As from a terminal: its own process group, and Ctrl-C not ignored (a test runner started in the
        # background of a non-interactive shell inherits SIGINT ignored, and so would every child).
        self.process = subprocess.Popen([sys.executable, "-m", "lendaria", "serve"], cwd=cwd, env=env, text=True,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
                                        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, prefix: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            self.seen.append(line)
            if line.startswith(prefix):
                return line
        pytest.fail(f"`lendaria serve` never printed {prefix!r}; output:\n" + "\n".join(self.seen[-40:]))

    def ctrl_c(self) -> int:
        """Ctrl-C as a terminal sends it (to the whole process group); its exit code."""
        os.killpg(self.process.pid, signal.SIGINT)
        try:
            return self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            tree = subprocess.run(["ps", "-o", "pid,ppid,stat,etime,args", "-g", str(self.process.pid)],
                                  capture_output=True, text=True).stdout
            os.killpg(self.process.pid, signal.SIGKILL)
            time.sleep(1)
            while not self.lines.empty():
                self.seen.append(self.lines.get())
            pytest.fail("`lendaria serve` did not stop within 60 s of Ctrl-C; processes:\n" + tree
                        + "\noutput:\n" + "\n".join(self.seen[-40:]))


def wait_final(api: str, flow_run_id: str, timeout: float = 300) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = httpx.get(f"{api}/flow_runs/{flow_run_id}").json()
        if run["state_type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED"):
            return run
        time.sleep(1)
    pytest.fail(f"flow run {flow_run_id} did not finish in {timeout:.0f} s")


def test_run_from_the_deployment_is_completed_in_the_ui_with_the_etl_artifact(stack_home, tmp_path):
    if not CHROMIUM.is_file():
        pytest.fail(f"Chromium not found at {CHROMIUM}: .ci/run installs Debian's `chromium` (or set LENDARIA_CHROMIUM)")
    from playwright.sync_api import sync_playwright

    # Started from outside the checkout, as a shell would (PWD set): it still deploys the checkout's
    # prefect.yaml, and the flows still run in the checkout (the demo spec's path is relative to it).
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "LENDARIA_HOME": str(stack_home), "PREFECT_WORKER_QUERY_SECONDS": "1", "PWD": str(elsewhere)}
    serve = Serve(env, cwd=elsewhere)
    try:
        ui = serve.wait_for("Prefect UI: ", timeout=240).split(": ", 1)[1]
        serve.wait_for("deployment pipeline/lendaria-pipeline: ", timeout=240)
        serve.wait_for("worker: ", timeout=60)
        api = f"{ui}/api"

        # What the UI's Run button does, with the outputs kept out of the repository.
        deployment = httpx.get(f"{api}/deployments/name/pipeline/lendaria-pipeline").json()
        created = httpx.post(f"{api}/deployments/{deployment['id']}/create_flow_run",
                             json={"parameters": {"outputs": str(tmp_path / "out")}}).json()
        run = wait_final(api, created["id"])
        assert run["state_type"] == "COMPLETED", run["state"]
        subflows = httpx.post(f"{api}/flow_runs/filter", json={"flow_runs": {"parent_flow_run_id": {"any_": [run["id"]]}}}).json()
        etl = next(r for r in subflows if r["flow_id"] == httpx.get(f"{api}/flows/name/etl").json()["id"])
        assert (tmp_path / "out" / "minds" / DEMO_SLUG / "sources" / "metadata.yaml").is_file()

        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.goto(f"{ui}/runs/flow-run/{run['id']}")
                page.get_by_text(run["name"], exact=True).first.wait_for(timeout=60_000)
                page.get_by_text("Completed", exact=True).first.wait_for(timeout=60_000)
                page.get_by_text("lendaria-pipeline", exact=True).first.wait_for()  # started from its deployment
                page.screenshot(path=SCREENSHOTS / "pipeline-run.png")

                page.get_by_text("Subflow Runs", exact=True).first.click()
                page.get_by_text(etl["name"], exact=True).first.click()  # a user's click into the ETL run
                page.wait_for_url(f"**/runs/flow-run/{etl['id']}**", timeout=30_000)
                page.get_by_text("Completed", exact=True).first.wait_for(timeout=30_000)
                page.get_by_text("Artifacts", exact=True).first.click()
                page.get_by_text(f"etl-{DEMO_SLUG}-summary", exact=True).first.wait_for(timeout=30_000)
                page.get_by_text(f"etl-{DEMO_SLUG}-sources", exact=True).first.wait_for()
                page.screenshot(path=SCREENSHOTS / "etl-run-artifacts.png")
            finally:
                browser.close()
    finally:
        code = serve.ctrl_c() if serve.process.poll() is None else serve.process.returncode
    assert code == 0, "\n".join(serve.seen[-20:])
    assert (SCREENSHOTS / "etl-run-artifacts.png").stat().st_size > 10_000
    assert run_cli("server", "status", env={"LENDARIA_HOME": str(stack_home)}).returncode == 0  # Ctrl-C left the server up
