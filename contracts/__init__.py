"""Versioned contracts between packs: descriptors, JSON Schemas, the registry and the compatibility checker."""

from contracts.registry import (
    Contract,
    ContractViolationError,
    Registry,
    ValidationResult,
    Violation,
    get_registry,
    parse_ref,
)

__all__ = [
    "Contract",
    "ContractViolationError",
    "Registry",
    "ValidationResult",
    "Violation",
    "get_registry",
    "parse_ref",
]
