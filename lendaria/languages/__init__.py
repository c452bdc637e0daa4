"""Per-language resources in data files, one folder per language (``<code>/<pack>.yaml`` beside this
module): ``mmos.yaml`` holds the patterns of MMOS's statement layers written for that language (not
translated word for word), ``creatoros.yaml`` CreatorOS's text (brief, lessons, research). Adding a
language adds a folder and touches no pack code.

English keeps MMOS's richer statement rules in code (stages/mmos/meaning.py); a language without an
``mmos.yaml`` has no statement layers, and says so.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

FOLDER = Path(__file__).parent


def resource_file(language: str, pack: str) -> Path:
    """The file of ``pack``'s resources in ``language`` (it may not exist)."""
    return FOLDER / language / f"{pack}.yaml"


@lru_cache(maxsize=None)
def resources(language: str, pack: str = "mmos") -> dict[str, Any] | None:
    """``pack``'s resources in ``language`` (a two-letter code), or None when there is no file for it."""
    if not language or not re.fullmatch(r"[a-z]{2}", language):
        return None
    path = resource_file(language, pack)
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else None


def languages(pack: str) -> list[str]:
    """The languages with a resource file for ``pack``."""
    return sorted(p.parent.name for p in FOLDER.glob(f"*/{pack}.yaml"))
