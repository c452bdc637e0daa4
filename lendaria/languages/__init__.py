"""Per-language resources in data files (``<code>.yaml`` beside this module): adding a language adds a
file here and touches no pack code.

Each file may hold ``statements``: the patterns of MMOS's statement layers written for that language
(not translated word for word), read by :mod:`stages.mmos.meaning`'s pattern layers. English keeps its
own, richer rules in code (stages/mmos/meaning.py); a language without a file has no statement layers,
and says so.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

FOLDER = Path(__file__).parent


@lru_cache(maxsize=None)
def resources(language: str) -> dict[str, Any] | None:
    """The resources of ``language`` (a two-letter code), or None when there is no file for it."""
    path = FOLDER / f"{language}.yaml"
    if not language or not re.fullmatch(r"[a-z]{2}", language) or not path.is_file():
        return None
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def languages() -> list[str]:
    """The languages with a resource file."""
    return sorted(p.stem for p in FOLDER.glob("*.yaml"))
