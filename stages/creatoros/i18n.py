"""CreatorOS in the course's language: its own text per language, in the shared per-language data
files (``lendaria/languages/<code>/creatoros.yaml``: the brief template and its check, the brownfield extraction's
patterns, the curriculum's lesson titles, Bloom verbs and method, the offline lessons' connective text, the research
pages, the fidelity notes and methods, the build's summary line). Adding a language adds a file
with the same keys as the English one, and its headings to the brief and lesson contracts; no code.

The course's language is the brief's ``language:`` (front matter) when it declares one, else the
mind's declared language (ETL's metadata, else ``mind.yaml``), else the language of the brief's
headings, else English. A language without a file is written in English.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable


from lendaria import languages as shared
from lendaria.text import language_code

DEFAULT = "en"
PACK = "creatoros"


def data_file(language: str) -> Path:
    return shared.resource_file(language, PACK)


@lru_cache(maxsize=None)
def languages() -> tuple[str, ...]:
    """The languages CreatorOS writes in (English first)."""
    return tuple(sorted(shared.languages(PACK), key=lambda code: (code != DEFAULT, code)))


def supported(declared: str | None) -> str | None:
    """The two-letter code of ``declared`` ("pt-BR", "Português"…) when CreatorOS has its text, else None."""
    code = language_code(declared)
    return code if code in languages() else None


@lru_cache(maxsize=None)
def texts(language: str | None = DEFAULT) -> dict[str, Any]:
    """The text of ``language`` (English for a language without a file)."""
    return shared.resources(supported(language) or DEFAULT, PACK)


def brief_headings(language: str | None) -> dict[str, str]:
    """Canonical brief section -> its heading in ``language``."""
    return {key: entry["heading"] for key, entry in texts(language)["brief"]["sections"].items()}


def brief_guidance(language: str | None) -> dict[str, str]:
    """Canonical brief section -> the template's guidance in ``language``."""
    return {key: entry["guidance"] for key, entry in texts(language)["brief"]["sections"].items()}


@lru_cache(maxsize=None)
def heading_keys(kind: str) -> dict[str, tuple[str, str]]:
    """Every language's heading of a ``kind`` of section (``brief``, ``guided``, ``sections``: a lesson's
    six) -> (canonical key, language)."""
    found: dict[str, tuple[str, str]] = {}
    for code in languages():
        lesson = texts(code)["lesson"]
        names = (brief_headings(code) if kind == "brief" else lesson["guided"]["headings"] if kind == "guided" else lesson["sections"])
        for key, heading in names.items():
            found.setdefault(heading, (key, code))
    return found


def headings_of(kind: str, key: str) -> frozenset[str]:
    """The headings of canonical section ``key`` in every language."""
    return frozenset(heading for heading, (k, _) in heading_keys(kind).items() if k == key)


def headings_language(titles: Iterable[str], kind: str = "brief") -> str | None:
    """The language most of the known headings among ``titles`` are in (None: none known, or a tie)."""
    counts: dict[str, int] = {}
    for title in titles:
        if title in heading_keys(kind):
            language = heading_keys(kind)[title][1]
            counts[language] = counts.get(language, 0) + 1
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    if not ranked or (len(ranked) > 1 and ranked[0][1] == ranked[1][1]):
        return None
    return ranked[0][0]


def first_supported(*candidates: str | None) -> str:
    """The first of ``candidates`` CreatorOS has text for, else English."""
    return next((code for code in map(supported, candidates) if code), DEFAULT)


def course_language(declared: str | None, mind_language: str | None, headings: str | None = None) -> str:
    """The course's language: the brief's declared one, else the mind's, else its headings', else English
    (each only when CreatorOS has its text)."""
    return first_supported(declared, mind_language, headings)


def listed(words: list[str], language: str | None, mark: str = "*") -> str:
    """``*a*, *b* and *c*`` in ``language``."""
    marked = [f"{mark}{w}{mark}" for w in words]
    return marked[0] if len(marked) == 1 else ", ".join(marked[:-1]) + f" {texts(language)['and']} " + marked[-1]


def number(value: float, language: str | None, digits: int | None = None) -> str:
    """A number as written in ``language`` (its decimal mark); ``digits``: fixed decimals."""
    text = f"{value:.{digits}f}" if digits is not None else f"{value}"
    return text.replace(".", texts(language)["decimal_mark"])


@lru_cache(maxsize=None)
def pattern(language: str | None, *path: str) -> re.Pattern[str]:
    """A regex of ``language``'s text (``path``: its keys), compiled once."""
    node: Any = texts(language)
    for key in path:
        node = node[key]
    return re.compile(node)
