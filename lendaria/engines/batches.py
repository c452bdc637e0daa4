"""Message Batches: bulk work that needs no answer at once, sent as one batch at half price.

With ``LENDARIA_ENGINE_BATCH=true`` (or ``lendaria run --batch``) a stage's bulk calls (MMOS's layer
analysis) go through :meth:`lendaria.engines.session.EngineSession.run_many`: answers already in the
response cache are read back, the rest are submitted as **one** batch through the SDK's Message
Batches API, polled (progress in the log and, in a Prefect run, as a progress artifact) and read back
by ``custom_id``. Each answer is checked like an interactive one and stored in the response cache;
costs are at batch prices (half of every token price). Inside a Prefect run the polling is a task of
its own, ``engine-batch``, with the batch's progress as its progress artifact.

**Resuming.** The batch's id is written, before the first poll, to ``LENDARIA_HOME/cache/engine-batches/``
under a key made of the calls it holds. A run stopped while the batch is pending (killed, or past
``LENDARIA_ENGINE_BATCH_WAIT``) and run again finds the id and polls the same batch: no second batch
is submitted. The entry is removed once the results are read (they are then in the response cache).
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from lendaria.engines.base import Capability, CallContext, EngineCall, EngineUnavailableError
from lendaria.engines.cache import sha256_text
from lendaria.errors import LendariaError

log = logging.getLogger(__name__)
BATCH_DISCOUNT = 0.5  # Message Batches: half the price of every token


class BatchPending(LendariaError):
    """The run stopped while its Message Batch was still being processed; running it again resumes it."""

    exit_code = 7
    stops_run = True


def _in_prefect_run() -> bool:
    try:
        from prefect.context import get_run_context

        get_run_context()
    except Exception:  # noqa: BLE001 - outside a flow or task run
        return False
    return True


def _progress(description: str, total: int) -> Any:
    """A Prefect progress artifact when this runs inside a Prefect run, else None (the log says it)."""
    if not _in_prefect_run():
        return None
    from lendaria.orchestrator.progress import Progress

    return Progress(description, total)


def _poll(engine: Any, batch_id: str, capability: Capability, poll_seconds: float, wait_seconds: float,
          context: CallContext) -> None:
    """:func:`_wait`, as a Prefect task of its own (its progress artifact on it) inside a Prefect run."""
    if not _in_prefect_run():
        return _wait(engine, batch_id, capability, poll_seconds, wait_seconds, context)
    from prefect import task
    from prefect.cache_policies import NO_CACHE

    polling = task(_wait, name="engine-batch", task_run_name=f"Message Batch {batch_id} ({capability.name})",
                   cache_policy=NO_CACHE, retries=0)
    return polling(engine, batch_id, capability, poll_seconds, wait_seconds, context)


def run_batch(engine: Any, capability: Capability, items: list[tuple[Any, CallContext]], state: Path,
              poll_seconds: float, wait_seconds: float) -> list[tuple[Any, EngineCall]]:
    """``(answer, call)`` for each ``(payload, context)``, in order: from the response cache, else from one
    Message Batch (resumed by id when one for the same calls is pending)."""
    started = time.perf_counter()
    requests = [engine.request_for(capability, capability.check_input(payload), context) for payload, context in items]
    keys = [engine.cache_key(capability, context, request, request["messages"][0]["content"])
            for (_, context), request in zip(items, requests)]
    done: dict[int, tuple[Any, EngineCall]] = {}
    for index, ((_, context), key) in enumerate(zip(items, keys)):
        hit = engine._cached(capability, context, key, started)
        if hit is not None:
            done[index] = hit
    pending = [i for i in range(len(items)) if i not in done]
    if pending:
        context = items[0][1]
        marker = state / f"{sha256_text(json.dumps([keys[i].digest for i in pending]))}.json"
        reserved = 0.0
        if context.budget is not None:  # the batch's worst case at batch prices, held until its results are in
            reserved = round(sum(engine.worst_case_usd(engine.count_tokens(requests[i])) for i in pending) * BATCH_DISCOUNT, 6)
            context.budget.reserve(reserved, f"{context.step} ({capability.name}, a Message Batch of {len(pending)})")
        try:
            batch_id = _submitted(engine, capability, [requests[i] for i in pending], pending, marker, context)
            _poll(engine, batch_id, capability, poll_seconds, wait_seconds, context)
            done.update(_results(engine, batch_id, capability, pending, items, keys, started))
        finally:
            if context.budget is not None:
                context.budget.settle(reserved, 0.0)  # each result's real cost was counted as it came in
        marker.unlink(missing_ok=True)
    return [done[i] for i in range(len(items))]


def _submitted(engine: Any, capability: Capability, requests: list[dict[str, Any]], pending: list[int], marker: Path,
               context: CallContext) -> str:
    """The id of the batch for these calls: the pending one recorded at ``marker``, else a new one."""
    try:
        batch_id = json.loads(marker.read_text(encoding="utf-8"))["id"]
        log.info("%s: resuming Message Batch %s (%d requests) [%s]", context.step, batch_id, len(requests), context.correlation_id)
        return batch_id
    except (OSError, ValueError, KeyError):
        pass
    import anthropic

    body = [{"custom_id": f"item-{index:05d}", "params": request} for index, request in zip(pending, requests)]
    try:
        batch = engine._client.messages.batches.create(requests=body)
    except anthropic.AnthropicError as exc:
        message, hint = engine._describe(f"{capability.name} batch", exc)
    else:
        message = None
    if message is not None:  # raised outside the except block: no chained SDK error with request details
        raise EngineUnavailableError(message, hint=hint)
    from lendaria.fileio import atomic_write_bytes

    atomic_write_bytes(marker, json.dumps({"id": batch.id, "capability": capability.name, "requests": len(requests)}).encode())
    log.info("%s: submitted Message Batch %s (%d requests) [%s]", context.step, batch.id, len(requests), context.correlation_id)
    return batch.id


def _wait(engine: Any, batch_id: str, capability: Capability, poll_seconds: float, wait_seconds: float,
          context: CallContext) -> None:
    deadline = time.monotonic() + wait_seconds
    progress = None
    while True:
        batch = engine._client.messages.batches.retrieve(batch_id)
        counts = batch.request_counts
        total = counts.processing + counts.succeeded + counts.errored + counts.canceled + counts.expired
        finished = total - counts.processing
        if progress is None:
            progress = _progress(f"{context.step}: Message Batch {batch_id}", total)
        if progress is not None:
            progress.advance(finished)
        log.info("%s: Message Batch %s %s, %d of %d done [%s]", context.step, batch_id, batch.processing_status, finished,
                 total, context.correlation_id)
        if batch.processing_status == "ended":
            return
        if time.monotonic() + poll_seconds > deadline:
            raise BatchPending(f"the Message Batch {batch_id} ({capability.name}, {total} requests) is still being processed "
                               f"({finished} of {total} done); the analysis waiting for it was not written",
                               hint="Run the same command again later: it resumes this batch instead of submitting a new one.")
        time.sleep(poll_seconds)


def _results(engine: Any, batch_id: str, capability: Capability, pending: list[int], items: list[tuple[Any, CallContext]],
             keys: list[Any], started: float) -> dict[int, tuple[Any, EngineCall]]:
    from lendaria.engines.anthropic_engine import cost_usd, prices_for, tool_name

    answers: dict[int, tuple[Any, EngineCall]] = {}
    name = tool_name(capability)
    budget = items[0][1].budget
    for entry in engine._client.messages.batches.results(batch_id):
        index = int(entry.custom_id.split("-")[1])
        context = items[index][1]
        if entry.result.type != "succeeded":
            raise EngineUnavailableError(f"{capability.name}: request {entry.custom_id} of Message Batch {batch_id} "
                                         f"{entry.result.type}", hint="Run again: the answers that succeeded are cached.")
        message = entry.result.message
        usage = {"input_tokens": 0, "output_tokens": 0, "cache_write_tokens": 0, "cache_read_tokens": 0}
        engine._add_usage(usage, getattr(message, "usage", None))
        prices = prices_for(getattr(message, "model", None) or engine.model, engine.prices)
        cost = round(cost_usd(prices, **usage) * BATCH_DISCOUNT, 6) if prices else 0.0
        if budget is not None:
            budget.settle(0.0, cost)
        tool_use = next((b for b in message.content if b.type == "tool_use" and b.name == name), None)
        try:
            if tool_use is None:
                raise ValueError(f"no call to the tool {name}")
            result = capability.output_model.model_validate(tool_use.input)
        except (ValidationError, ValueError) as exc:
            raise EngineUnavailableError(f"{capability.name}: Claude returned invalid output in Message Batch {batch_id} "
                                         f"({entry.custom_id}): {str(exc).splitlines()[0]}",
                                         hint="Run again without --batch: an interactive call gets one repair turn.") from None
        call = EngineCall(capability=capability.name, engine=engine.name, model=getattr(message, "model", None) or engine.model,
                          step=context.step, mind=context.mind, correlation_id=context.correlation_id, cost_usd=cost,
                          duration_ms=int((time.perf_counter() - started) * 1000), batched=True,
                          note=f"Message Batch {batch_id}", **usage)
        if engine.cache is not None:
            engine.cache.put(keys[index], {"model": call.model, "output": result.model_dump(mode="json"),
                                           "paid": {"cost_usd": cost, **usage}})
        answers[index] = (result, call)
    missing = [i for i in pending if i not in answers]
    if missing:
        raise EngineUnavailableError(f"{capability.name}: Message Batch {batch_id} has no result for {len(missing)} request(s)",
                                     hint="Run again: the answers that came back are cached.")
    return answers
