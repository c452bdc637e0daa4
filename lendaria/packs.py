"""Packs plug in through one declaration each, in their own folder: ``stages/<pack>/pack.py`` defines
``PACK = Pack(...)``. The pipeline, the persist step and the CLI read the declarations in pipeline
order; this module names no pack.

A declaration holds import paths as strings (``"module:attribute"``), so reading it imports neither
Prefect nor a pack's libraries: the CLI checks stage names and runs pre-flight checks before Prefect
starts.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from lendaria.errors import InputError

PACKS_PACKAGE = "stages"


@dataclass(frozen=True)
class Pack:
    """One pack: its stage name, where it runs in the pipeline, and what it plugs in."""

    name: str  # the stage name (``lendaria run --stages NAME``)
    flow: str  # "module:flow" - the Prefect flow, called with (mind=, outputs=) and returning a dict
    after: tuple[str, ...] = ()  # packs that must run before this one
    payload_builder: str | None = None  # "module:function" (catalog, slug) -> persist payload; None: nothing to persist
    role: str | None = None  # database role suffix it writes as (``lendaria_<role>``)
    contracts: tuple[str, ...] = ()  # contract names it writes
    preflight: str | None = None  # "module:function" (mind, outputs_root, settings) -> None; raises on bad local input
    optional: bool = False  # when it fails on its own terms, the pipeline goes on without it and says so
    services: tuple[tuple[str, str], ...] = ()  # (name, "module:function") other packs may call without importing this one
    options: tuple[str, ...] = ()  # pipeline parameters passed on to its flow besides mind and outputs (e.g. "courses")
    scope: str | None = None  # "module:function" (slug, mind, outputs_root, options) -> paths it reads and writes, or
    #                           None when its inputs cannot be fingerprinted (lendaria.resume); no scope: always runs
    description: str = field(default="", compare=False)


def load(path: str) -> Any:
    """The object named by ``"module:attribute"``."""
    module, _, attribute = path.partition(":")
    return getattr(importlib.import_module(module), attribute)


def _declared() -> list[Pack]:
    package = importlib.import_module(PACKS_PACKAGE)
    packs = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if not info.ispkg or importlib.util.find_spec(f"{PACKS_PACKAGE}.{info.name}.pack") is None:
            continue
        pack = getattr(importlib.import_module(f"{PACKS_PACKAGE}.{info.name}.pack"), "PACK", None)
        if not isinstance(pack, Pack):
            raise TypeError(f"{PACKS_PACKAGE}/{info.name}/pack.py must define PACK = Pack(...)")
        packs.append(pack)
    return packs


def pipeline_order(packs: list[Pack]) -> list[Pack]:
    """Packs sorted so each comes after the ones it names in ``after`` (ties by name); a missing or
    circular dependency raises."""
    by_name = {p.name: p for p in packs}
    for pack in packs:
        missing = [d for d in pack.after if d not in by_name]
        if missing:
            raise TypeError(f"pack {pack.name!r} runs after unknown pack(s): {', '.join(missing)}")
    ordered: list[Pack] = []
    done: set[str] = set()
    while len(ordered) < len(packs):
        ready = sorted((p for p in packs if p.name not in done and set(p.after) <= done), key=lambda p: p.name)
        if not ready:
            raise TypeError("packs depend on each other in a circle: "
                            + ", ".join(p.name for p in packs if p.name not in done))
        ordered.append(ready[0])
        done.add(ready[0].name)
    return ordered


@lru_cache(maxsize=1)
def packs() -> tuple[Pack, ...]:
    """Every declared pack, in pipeline order."""
    return tuple(pipeline_order(_declared()))


def pack_names() -> list[str]:
    return [p.name for p in packs()]


def get_pack(name: str) -> Pack:
    for pack in packs():
        if pack.name == name:
            return pack
    raise InputError(f"unknown stage {name!r}.", hint=f"Available stages: {', '.join(pack_names())}.")


def check_stages(stages: list[str] | None) -> list[str]:
    """The requested stages in pipeline order (default: all); unknown names raise :class:`InputError`."""
    names = pack_names()
    if not stages:
        return names
    unknown = [s for s in stages if s not in names]
    if unknown:
        raise InputError(f"unknown stage(s): {', '.join(unknown)}.", hint=f"Available stages: {', '.join(names)}.")
    return [s for s in names if s in stages]


def service(name: str) -> Any:
    """The function a pack offers to the others under ``name`` (``Pack.services``): how one pack scores a
    text's voice fidelity without importing the pack that computes it."""
    for pack in packs():
        for offered, path in pack.services:
            if offered == name:
                return load(path)
    raise InputError(f"no pack offers the service {name!r}.")


def persisted_stages() -> list[str]:
    """Stages with a persist step, in pipeline order."""
    return [p.name for p in packs() if p.payload_builder]
