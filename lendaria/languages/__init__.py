"""Per-language resources in data files, one folder per language (``<code>/<pack>.yaml`` beside this
module): ``mmos.yaml`` holds the patterns of MMOS's statement layers written for that language (not
translated word for word), ``creatoros.yaml`` CreatorOS's text (brief, lessons, research), ``text.yaml``
the text resources every pack shares (stop words, function words, connectives, abbreviations, first-person
pronouns), read through :func:`text_resources`. Adding a language adds a folder and touches no pack code.

English keeps MMOS's richer statement rules in code (stages/mmos/meaning.py); a language without an
``mmos.yaml`` has no statement layers, and says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
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


TEXT = "text"  # the shared text resources: <code>/text.yaml


@dataclass(frozen=True)
class TextResources:
    """A language's shared text resources (``<code>/text.yaml``); for no language, or one without a
    ``text.yaml``, the union of every language's (``language`` is then None).

    * ``stop_words``: its most frequent function words (language detection, stop words);
    * ``function_words``: MMOS's closed-class stylometric features, in their fixed order (empty when the
      language has none);
    * ``connectives``: phrases that, opening a sentence, carry the previous thought on;
    * ``abbreviations``: lowercase, without the final dot (``"p. ex"``, ``"e.g"``);
    * ``first_person``: first-person pronouns.
    """

    language: str | None
    stop_words: frozenset[str]
    function_words: tuple[str, ...]
    connectives: tuple[str, ...]
    abbreviations: tuple[str, ...]
    first_person: tuple[str, ...]


_TEXT_LISTS = ("stop_words", "function_words", "connectives", "abbreviations", "first_person")


def text_languages() -> list[str]:
    """The languages with shared text resources (a ``text.yaml``)."""
    return languages(TEXT)


def _listed(data: dict[str, Any], key: str, path: Path) -> tuple[str, ...]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise ValueError(f"{path}: {key} must be a list of non-empty strings")
    return tuple(value)


def _union(lists: list[tuple[str, ...]]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(item for items in lists for item in items))


@lru_cache(maxsize=None)
def text_resources(language: str | None) -> TextResources:
    """The shared text resources of ``language`` (a code; ``pt-BR`` reads ``pt``); None, or a language
    without a ``text.yaml``, gives the union of every language's lists (languages in code order)."""
    code = (language or "").strip().lower().replace("_", "-").split("-")[0]
    if code in text_languages():
        data = resources(code, TEXT) or {}
        lists = {key: _listed(data, key, resource_file(code, TEXT)) for key in _TEXT_LISTS}
        return TextResources(code, frozenset(lists.pop("stop_words")), **lists)
    each = [text_resources(other) for other in text_languages()]
    return TextResources(None, frozenset().union(*(r.stop_words for r in each)),
                         *(_union([getattr(r, key) for r in each]) for key in _TEXT_LISTS[1:]))
