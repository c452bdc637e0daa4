"""The engine interface: a step asks for a *capability* with a typed input and gets a typed output.

A :class:`Capability` names one piece of analysis ("summarise these passages", later "rate Big
Five from these fragments"), with pydantic models for its input and output, the instructions a
language model gets, and, when one exists, the deterministic offline method. An :class:`Engine`
fulfils capabilities: ``offline`` runs the method, ``anthropic`` asks Claude. Analysis code never
imports an SDK: the orchestration layer picks the engine (``lendaria.engines.select``) and pure
steps receive structured inputs.

Every call returns an :class:`EngineCall` record (engine, model, tokens, cost, duration, cache hits,
step, mind, correlation id) so a run can say what each output cost and who produced it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Callable, Generic, Protocol, TypeVar

from pydantic import BaseModel

from lendaria.errors import LendariaError

In = TypeVar("In", bound=BaseModel)
Out = TypeVar("Out", bound=BaseModel)


class CapabilityUnavailableError(LendariaError):
    """The chosen engine cannot do this capability (e.g. no offline method exists)."""


class EngineUnavailableError(LendariaError):
    """The engine was asked for and cannot be reached or used (no key, API down, invalid output)."""

    exit_code = 5


@dataclass(frozen=True)
class Capability(Generic[In, Out]):
    """One kind of analysis. ``offline`` is ``None`` when there is no honest offline method."""

    name: str  # snake_case, stable: it names tool calls and metrics
    description: str  # one line, shown in errors and summaries
    input_model: type[In]
    output_model: type[Out]
    instructions: str  # what a language model is asked to do with the input
    offline: Callable[[In], Out] | None = None

    def check_input(self, payload: BaseModel) -> In:
        if not isinstance(payload, self.input_model):
            raise TypeError(f"{self.name} takes {self.input_model.__name__}, got {type(payload).__name__}")
        return payload  # type: ignore[return-value]


@dataclass(frozen=True)
class CallContext:
    """Who is asking: the step and mind, the run's correlation id, and text to share across calls.

    ``stable_prefix`` is long text that stays the same across calls for one mind (its system prompt,
    its corpus context): the Anthropic engine marks it for prompt caching. ``passages`` are source
    texts handed over as material to analyse, never as instructions."""

    step: str
    mind: str | None = None
    correlation_id: str = "local"
    stable_prefix: str | None = None
    passages: tuple[str, ...] = ()
    budget: object | None = None  # the run's lendaria.engines.budget.Budget, when it has a cost limit


@dataclass
class EngineCall:
    """What one capability call cost. Tokens and cost are 0 for the offline engine."""

    capability: str
    engine: str
    model: str | None
    step: str
    mind: str | None
    correlation_id: str
    input_tokens: int = 0
    output_tokens: int = 0
    cache_write_tokens: int = 0
    cache_read_tokens: int = 0
    cost_usd: float = 0.0
    duration_ms: int = 0
    repairs: int = 0  # extra turns spent fixing invalid structured output
    note: str | None = None  # e.g. "auto: no ANTHROPIC_API_KEY, used offline"
    cached: bool = False  # answered from the response cache: no request, nothing paid in this run
    batched: bool = False  # sent in a Message Batch (priced at the batch discount)
    skipped: bool = False  # not sent: it could have taken the run over its cost budget
    rate_limited: int = 0  # HTTP 429 answers the SDK retried during this call

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class CallLedger:
    """Engine calls of one run (or stage), summed for summaries and artifacts."""

    calls: list[EngineCall] = field(default_factory=list)

    def add(self, call: EngineCall) -> None:
        self.calls.append(call)

    def totals(self) -> dict[str, float | int]:
        keys = ("input_tokens", "output_tokens", "cache_write_tokens", "cache_read_tokens", "duration_ms", "repairs")
        totals: dict[str, float | int] = {key: sum(getattr(c, key) for c in self.calls) for key in keys}
        totals["cost_usd"] = round(sum(c.cost_usd for c in self.calls), 6)
        totals["calls"] = len(self.calls)
        totals["sent"] = sum(1 for c in self.calls if c.engine != "offline" and not c.cached and not c.skipped)
        totals["cached"] = sum(1 for c in self.calls if c.cached)
        totals["batched"] = sum(1 for c in self.calls if c.batched)
        totals["skipped"] = sum(1 for c in self.calls if c.skipped)
        totals["rate_limited"] = sum(c.rate_limited for c in self.calls)
        return totals

    def engines(self) -> list[str]:
        return sorted({c.engine for c in self.calls})


class Engine(Protocol):
    name: str

    def run(self, capability: Capability[In, Out], payload: In, context: CallContext) -> tuple[Out, EngineCall]:
        """Fulfil ``capability`` for ``payload``; raise CapabilityUnavailableError or EngineUnavailableError."""
        ...
