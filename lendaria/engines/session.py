"""The engine a pipeline run uses, shared by its stages and tasks, and the record of every call.

The pipeline opens one :class:`EngineSession` per run (:func:`engine_session`); a stage's step asks
:func:`current_session` to fulfil a capability. The session is a context variable, so Prefect's task
threads see it. Each call is appended to the session's ledger; the pipeline sums the ledger per stage
and per run, prints it, publishes it as an artifact and stores it in ``task_metrics``.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from pydantic import BaseModel

from lendaria.engines.base import Capability, CallContext, CallLedger, EngineCall, EngineUnavailableError, Out
from lendaria.engines.budget import Budget, BudgetExceeded
from lendaria.engines.offline import OfflineEngine
from lendaria.engines.select import EngineChoice, choose_engine
from lendaria.settings import Settings
from lendaria.tracing import current_correlation_id

_SESSION: ContextVar["EngineSession | None"] = ContextVar("lendaria_engine_session", default=None)


@dataclass
class EngineSession:
    choice: EngineChoice
    correlation_id: str
    ledger: CallLedger = field(default_factory=CallLedger)
    budget: Budget | None = None  # the run's cost limit (LENDARIA_MAX_COST_USD / --max-cost)
    batch_state: "Path | None" = None  # where pending Message Batches are recorded, when the run batches
    batch_poll_seconds: float = 30.0
    batch_wait: float = 86_400.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def engine(self) -> str:
        """What the run's calls use: ``offline``, ``anthropic``, or ``offline (auto: …)``."""
        if self.choice.fallback is not None and self.choice.broken:
            return f"offline (auto: {self.choice.broken})"
        if self.choice.note:
            return f"{self.choice.name} ({self.choice.note})"
        return self.choice.name

    def run(self, capability: Capability, payload: BaseModel, *, step: str, mind: str | None = None,
            stable_prefix: str | None = None, passages: tuple[str, ...] = ()) -> Out:
        context = CallContext(step=step, mind=mind, correlation_id=self.correlation_id,
                              stable_prefix=stable_prefix, passages=passages, budget=self.budget)
        try:
            result, call = self.choice.run(capability, payload, context)
        except BudgetExceeded as exc:  # the call that was not sent is on the ledger too
            with self._lock:
                self.ledger.add(EngineCall(capability=capability.name, engine=self.choice.name, model=None, step=step, mind=mind,
                                           correlation_id=self.correlation_id, skipped=True, note=exc.message))
            raise
        with self._lock:
            self.ledger.add(call)
        return result

    def run_many(self, capability: Capability, items: list[tuple[BaseModel, dict]]) -> list[Out]:
        """Answers to several independent calls of ``capability`` (``(payload, run's keyword arguments)``
        each), in order: one Message Batch when the run batches and the engine can, else one call after
        another (as :meth:`run`)."""
        engine = self.choice.primary
        if self.batch_state is None or not hasattr(engine, "request_for") or self.choice.broken is not None or not items:
            return [self.run(capability, payload, **kwargs) for payload, kwargs in items]
        from lendaria.engines.batches import run_batch

        contexts = [(payload, CallContext(step=kw["step"], mind=kw.get("mind"), correlation_id=self.correlation_id,
                                          stable_prefix=kw.get("stable_prefix"), passages=kw.get("passages", ()),
                                          budget=self.budget)) for payload, kw in items]
        answers = run_batch(engine, capability, contexts, self.batch_state, self.batch_poll_seconds, self.batch_wait)
        with self._lock:
            for _, call in answers:
                self.ledger.add(call)
        return [answer for answer, _ in answers]

    def calls_since(self, index: int) -> list[EngineCall]:
        with self._lock:
            return list(self.ledger.calls[index:])


def engine_key(session: EngineSession, settings: Settings) -> str:
    """What of the engine a stage's outputs depend on (part of its no-op fingerprint): offline, or
    the model's engine and name."""
    return "offline" if session.choice.name == "offline" else f"{session.choice.name} {settings.engine_model or ''}"


def open_session(settings: Settings, correlation_id: str) -> EngineSession:
    """The run's engine, checked before any stage starts.

    ``anthropic``: the key and the API are checked now (one free request), so a bad key or an
    unreachable API fails the run with one clear message before any work. ``auto``: the same check,
    and on failure the run uses offline and says why."""
    choice = choose_engine(settings)
    check = getattr(choice.primary, "check", None)
    if check is not None:
        try:
            check()
        except EngineUnavailableError as exc:
            if choice.fallback is None:
                raise
            choice = EngineChoice(OfflineEngine(), note=f"auto: {exc.message.rstrip('.')}; used offline")
    budget = Budget(settings.max_cost_usd) if settings.max_cost_usd is not None and choice.name != "offline" else None
    batches = settings.home / "cache" / "engine-batches" if settings.engine_batch and choice.name != "offline" else None
    return EngineSession(choice, correlation_id, budget=budget, batch_state=batches,
                         batch_poll_seconds=settings.engine_batch_poll_seconds, batch_wait=settings.engine_batch_wait)


@contextmanager
def engine_session(settings: Settings, correlation_id: str) -> Iterator[EngineSession]:
    with installed(open_session(settings, correlation_id)) as session:
        yield session


@contextmanager
def installed(session: EngineSession) -> Iterator[EngineSession]:
    """``session`` as the one the stages called in this block use."""
    token = _SESSION.set(session)
    try:
        yield session
    finally:
        _SESSION.reset(token)


def has_run_session() -> bool:
    """Whether a pipeline run's session is installed here (False in a Dask worker process)."""
    return _SESSION.get() is not None


def adopt_calls(calls: list[EngineCall]) -> None:
    """Add calls made in another process (a Dask worker's lesson) to this run's ledger."""
    session = _SESSION.get()
    if session is not None and calls:
        with session._lock:
            for call in calls:
                session.ledger.add(call)


def current_session(settings: Settings | None = None) -> EngineSession:
    """The run's session; outside a pipeline run (a stage called alone), a fresh one from ``settings``,
    used by that caller only (never installed, so it cannot leak into later, unrelated calls)."""
    session = _SESSION.get()
    if session is None:
        from lendaria.settings import get_settings

        session = open_session(settings or get_settings(), current_correlation_id() or "local")
    return session
