"""The offline engine: each capability's deterministic method, no network, no cost."""

from __future__ import annotations

import time

from lendaria.engines.base import Capability, CallContext, CapabilityUnavailableError, EngineCall, In, Out


class OfflineEngine:
    name = "offline"

    def run(self, capability: Capability[In, Out], payload: In, context: CallContext) -> tuple[Out, EngineCall]:
        if capability.offline is None:
            raise CapabilityUnavailableError(
                f"{context.step}: '{capability.description}' has no offline method.",
                hint="Set ANTHROPIC_API_KEY and LENDARIA_ENGINE=anthropic (or auto) to run this step with Claude.")
        started = time.perf_counter()
        result = capability.offline(capability.check_input(payload))
        call = EngineCall(capability=capability.name, engine=self.name, model=None, step=context.step,
                          mind=context.mind, correlation_id=context.correlation_id,
                          duration_ms=int((time.perf_counter() - started) * 1000))
        return capability.output_model.model_validate(result.model_dump()), call
