"""Reference for bench/prefect_stack.py: the cheapest run of the same shape in plain Prefect (a flow
that calls a subflow of five trivial tasks), with no Lendária code, in a fresh process. Its wall time
against a running server versus Prefect's temporary API is Prefect's own floor for that ratio.
Heartbeats are off, as in `lendaria run`. Run by prefect_stack.py; not meant to be run alone."""

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings


@task(cache_policy=NO_CACHE)
def double(x: int) -> int:
    return 2 * x


@flow(name="floor-stage")
def stage(n: int) -> list[int]:
    return [future.result() for future in [double.submit(i) for i in range(n)]]


@flow(name="floor-pipeline")
def pipeline(n: int = 5) -> list[int]:
    return stage(n)


if __name__ == "__main__":
    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        assert pipeline() == [0, 2, 4, 6, 8]
