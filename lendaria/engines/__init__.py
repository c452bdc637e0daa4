"""Engines: offline-first analysis with an optional Anthropic engine (see :mod:`lendaria.engines.base`)."""

from lendaria.engines.base import (Capability, CallContext, CallLedger, CapabilityUnavailableError, EngineCall,
                                   EngineUnavailableError)

__all__ = ["Capability", "CallContext", "CallLedger", "CapabilityUnavailableError", "EngineCall", "EngineUnavailableError"]
