"""Prefect's own mechanisms for resume and scale-out, configured in one place.

* :data:`CONTENT_KEY`: a cache policy whose key is the task's ``key`` argument, a sha256 string the
  caller computes from the content the task reads, its parameters and the code version. Never a path
  or a client: a moved outputs folder still hits, a changed file never does.
* :func:`cached`: a task with that policy, its result persisted to the project's result storage
  (``$LENDARIA_HOME/prefect/results``, or the block ``LENDARIA_RESULT_STORAGE`` names), so a retried
  flow run, or a later one, gets the finished work back as a Cached state.
* :func:`dask_cluster` / :func:`task_runner`: Prefect's Dask task runner when ``LENDARIA_DASK`` is set
  (``local``: a local ``distributed`` cluster of worker processes started once per pipeline run; or a
  scheduler address). Unset: Prefect's default thread pool in the flow's process.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from prefect.cache_policies import CachePolicy

from lendaria.settings import Settings


@dataclass
class ContentKey(CachePolicy):
    """Cache key = the task's name and the content hash passed as its ``parameter`` argument."""

    parameter: str = "key"

    def compute_key(self, task_ctx: Any, inputs: dict[str, Any], flow_parameters: dict[str, Any], **kwargs: Any) -> str | None:
        value = (inputs or {}).get(self.parameter)
        if not isinstance(value, str) or not value:
            return None  # no content hash given: not cached
        return f"{task_ctx.task.name}-{value}"


CONTENT_KEY = ContentKey()


def result_storage(settings: Settings) -> Path | str:
    """Where persisted task results live: a Prefect block slug (``LENDARIA_RESULT_STORAGE``, e.g. an
    S3 bucket shared by remote workers), else a folder under ``LENDARIA_HOME``."""
    return settings.result_storage or (settings.home / "prefect" / "results").resolve()


def cached(task: Any, settings: Settings) -> Any:
    """``task`` cached by :data:`CONTENT_KEY`, its results persisted to :func:`result_storage`."""
    return task.with_options(cache_policy=CONTENT_KEY, persist_result=True, result_storage=result_storage(settings))


def task_runner(address: str | None) -> Any:
    """The task runner for a stage flow: Dask at ``address``, or None for Prefect's default."""
    if not address:
        return None
    from prefect_dask import DaskTaskRunner

    return DaskTaskRunner(address=address)


@contextmanager
def dask_cluster(settings: Settings) -> Iterator[str | None]:
    """The Dask scheduler address of this run: ``LENDARIA_DASK`` when it is an address; a local
    cluster of ``LENDARIA_DASK_WORKERS`` worker processes (one thread each) for ``local``, closed at
    the end; None when unset."""
    if not settings.dask:
        yield None
        return
    if settings.dask != "local":
        yield settings.dask
        return
    from distributed import LocalCluster

    with LocalCluster(n_workers=settings.dask_workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        yield cluster.scheduler_address
