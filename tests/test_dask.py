"""Scale-out on Prefect's Dask task runner (prefect-dask): a local `distributed` cluster whose workers
are separate processes runs the per-source, per-fragment-batch and per-lesson tasks, and the outputs
are byte-identical to the committed demo (which the default thread pool wrote)."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.conftest import COMMITTED_OUTPUTS, DEMO_SLUG, DEMO_SPEC, snapshot

pytestmark = pytest.mark.flow

COURSE = "shore-counting"


def test_pipeline_on_a_local_dask_cluster_of_worker_processes(prefect_harness, tmp_path, monkeypatch):
    from distributed import Client, LocalCluster, get_task_stream

    from flows.pipeline import pipeline
    from lendaria.settings import get_settings

    monkeypatch.setenv("LENDARIA_HOME", str(tmp_path / "home"))  # no cache of earlier tests: every unit is computed
    brief = tmp_path / "courses" / COURSE / "COURSE-BRIEF.md"
    brief.parent.mkdir(parents=True)
    shutil.copyfile(COMMITTED_OUTPUTS / "courses" / COURSE / "COURSE-BRIEF.md", brief)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        workers = client.run(os.getpid)
        assert len(workers) == 2 and os.getpid() not in workers.values()  # separate processes
        monkeypatch.setenv("LENDARIA_DASK", cluster.scheduler_address)
        get_settings.cache_clear()
        try:
            with get_task_stream(client) as stream:
                result = pipeline(mind=str(DEMO_SPEC), outputs=str(tmp_path), persist=False)
        finally:
            get_settings.cache_clear()
    ran = {}
    for item in stream.data:
        ran.setdefault(item["key"].split("-")[0], set()).add(item["worker"])
    assert {"collect_local_task", "fragment_batch_task", "lesson_task"} <= set(ran), sorted(ran)
    assert all(worker in workers for where in ran.values() for worker in where)
    assert len(ran["collect_local_task"] | ran["lesson_task"]) == 2  # the work was spread over both workers
    assert result["creatoros"]["totals"]["lessons_generated"] == 6
    assert snapshot(tmp_path / "minds" / DEMO_SLUG) == snapshot(COMMITTED_OUTPUTS / "minds" / DEMO_SLUG)
    assert snapshot(tmp_path / "courses" / COURSE) == snapshot(COMMITTED_OUTPUTS / "courses" / COURSE)


def test_local_setting_starts_and_closes_its_own_cluster(prefect_harness, tmp_path, monkeypatch):
    from flows.pipeline import pipeline
    from lendaria.settings import get_settings

    monkeypatch.setenv("LENDARIA_DASK", "local")
    get_settings.cache_clear()
    try:
        result = pipeline(mind=str(DEMO_SPEC), outputs=str(tmp_path), stages=["etl"], persist=False)
    finally:
        get_settings.cache_clear()
    assert result["etl"]["status"] == "ran" and result["etl"]["totals"]["collected"] == 11
    assert snapshot(tmp_path / "minds" / DEMO_SLUG / "sources") == snapshot(COMMITTED_OUTPUTS / "minds" / DEMO_SLUG / "sources")
