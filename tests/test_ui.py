"""End to end through the Prefect UI: `lendaria serve` deploys prefect.yaml and runs a worker; the demo
pipeline is triggered through its deployment (as the UI's Run button does), and its pages are read
in a real headless Chromium (Debian's package, driven by Playwright; no browser download).

Screenshots are kept under test-results/ui/ (git-ignored)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import DEMO_SLUG, REPO_ROOT, run_cli
from tests.support.api import get_json, post_json
from tests.support.serve import Serve, wait_final

pytestmark = pytest.mark.ui

SCREENSHOTS = REPO_ROOT / "test-results" / "ui"
# Without the networking flags Chromium keeps trying to reach Google's services (no network here).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's Chromium, installed with apt-get when missing and the user may (tests/support/chromium.py)."""
    from tests.support.chromium import ChromiumUnavailable, ensure_chromium

    try:
        return ensure_chromium()
    except ChromiumUnavailable as exc:
        pytest.fail(str(exc))


def test_run_from_the_deployment_is_completed_in_the_ui_with_its_summary_and_the_etl_artifact(chromium, stack_home, tmp_path):
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
        deployment = get_json(f"{api}/deployments/name/pipeline/lendaria-pipeline")
        created = post_json(f"{api}/deployments/{deployment['id']}/create_flow_run",
                            {"parameters": {"outputs": str(tmp_path / "out")}})
        run = wait_final(api, created["id"])
        assert run["state_type"] == "COMPLETED", run["state"]
        subflows = post_json(f"{api}/flow_runs/filter", {"flow_runs": {"parent_flow_run_id": {"any_": [run["id"]]}}})
        etl = next(r for r in subflows if r["flow_id"] == get_json(f"{api}/flows/name/etl")["id"])
        assert (tmp_path / "out" / "minds" / DEMO_SLUG / "sources" / "metadata.yaml").is_file()

        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.goto(f"{ui}/runs/flow-run/{run['id']}")
                page.get_by_text(run["name"], exact=True).first.wait_for(timeout=60_000)
                page.get_by_text("Completed", exact=True).first.wait_for(timeout=60_000)
                page.get_by_text("lendaria-pipeline", exact=True).first.wait_for()  # started from its deployment
                page.screenshot(path=SCREENSHOTS / "pipeline-run.png")

                # the run's summary: the stage table, the Big Five radar
                page.get_by_text("Artifacts", exact=True).first.click()
                page.get_by_text(f"run-{DEMO_SLUG}", exact=True).first.click()
                page.get_by_text(f"Pipeline run of {DEMO_SLUG}: completed").first.wait_for(timeout=30_000)
                table = page.locator("table").filter(has_text="cost (USD)").first
                table.wait_for(timeout=30_000)
                rows = [r.inner_text() for r in table.locator("tr").all()]
                assert [r.split()[0] for r in rows[1:]] == ["etl", "innerlens", "mmos", "creatoros"], rows
                assert all(r.split()[1] == "ran" for r in rows[1:]), rows
                radar = page.locator(f'img[alt="Big Five radar of {DEMO_SLUG}"]')
                radar.wait_for(timeout=30_000)
                assert radar.evaluate("image => image.complete && image.naturalWidth") > 0  # the SVG rendered
                page.screenshot(path=SCREENSHOTS / "pipeline-summary.png", full_page=True)
                page.goto(f"{ui}/runs/flow-run/{run['id']}")
                page.get_by_text("Completed", exact=True).first.wait_for(timeout=60_000)

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
