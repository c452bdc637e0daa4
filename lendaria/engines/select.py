"""Which engine a run uses: ``LENDARIA_ENGINE=offline|anthropic|auto`` (default ``offline``).

* ``offline`` - deterministic methods only; a capability without one fails clearly.
* ``anthropic`` - Claude for every capability; no key, or an unreachable API, fails the step with one
  clear message (never a silent fallback).
* ``auto`` - Claude when ``ANTHROPIC_API_KEY`` is set, offline otherwise; when the API fails during a
  call, that call falls back to offline *because the user asked for auto*, and the call record says so.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from lendaria.engines.base import Capability, CallContext, EngineCall, EngineUnavailableError, In, Out
from lendaria.engines.offline import OfflineEngine
from lendaria.settings import Settings


@dataclass
class EngineChoice:
    """The engine a run uses, and for ``auto`` the fallback and why it was (or would be) taken."""

    primary: object
    fallback: OfflineEngine | None = None
    note: str | None = None
    broken: str | None = None  # auto: why the API failed; later calls go offline straight away

    @property
    def name(self) -> str:
        return self.primary.name  # type: ignore[attr-defined]

    def run(self, capability: Capability[In, Out], payload: In, context: CallContext) -> tuple[Out, EngineCall]:
        if self.broken is not None and self.fallback is not None:
            result, call = self.fallback.run(capability, payload, context)
            return result, replace(call, note=f"auto: fell back to offline ({self.broken})")
        try:
            result, call = self.primary.run(capability, payload, context)  # type: ignore[attr-defined]
        except EngineUnavailableError as exc:
            if self.fallback is None:
                raise
            self.broken = exc.message
            result, call = self.fallback.run(capability, payload, context)
            return result, replace(call, note=f"auto: fell back to offline ({exc.message})")
        if self.note and call.note is None:
            call = replace(call, note=self.note)
        return result, call


def choose_engine(settings: Settings) -> EngineChoice:
    """The engine for ``settings.engine``; raises EngineUnavailableError when ``anthropic`` cannot run."""
    mode = settings.engine
    has_key = settings.anthropic_api_key is not None and bool(settings.anthropic_api_key.get_secret_value())
    if mode == "offline":
        return EngineChoice(OfflineEngine())
    if mode == "auto" and not has_key:
        return EngineChoice(OfflineEngine(), note="auto: no ANTHROPIC_API_KEY, used offline")
    if not has_key:
        raise EngineUnavailableError("LENDARIA_ENGINE=anthropic but ANTHROPIC_API_KEY is not set.",
                                     hint="Set the key, or use LENDARIA_ENGINE=offline (or auto).")
    from lendaria.engines.anthropic_engine import AnthropicEngine

    from lendaria.engines.cache import cache_for

    engine = AnthropicEngine(settings, cache=cache_for(settings))
    return EngineChoice(engine, fallback=OfflineEngine() if mode == "auto" else None)
