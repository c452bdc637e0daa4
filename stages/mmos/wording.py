"""MMOS's words in the mind's language: layer titles, the sentences of the measured claims (themes,
sayings, style), the layers' method notes, number formatting, and the Markdown templates of the
system prompt and the synthesis.

The words live in the shared per-language files (``lendaria/languages/<code>/mmos.yaml``, key
``text``), written for each language rather than translated word for word; a language's own
templates, when it has them, in ``lendaria/languages/<code>/mmos-templates/`` (the pack's
``templates/`` are English and the fallback of any template a language does not write). A language
without a ``text`` section is described in English, and :attr:`Wording.language` says which language
the words are in.

Counts follow the language's plural: in a claim template, ``{n:time|times}`` gives "1 time" or
"9 times".
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from lendaria.languages import resource_file, resources

DEFAULT = "en"
PACK_TEMPLATES = Path(__file__).parent / "templates"


class _Formatter(string.Formatter):
    """str.format with plural fields: ``{n:one|many}`` -> "1 one" / "2 many"; ``{x:.1f}`` and the
    like use the language's decimal mark."""

    def __init__(self, decimal: str, thousands: str):
        self.decimal, self.thousands = decimal, thousands

    def format_field(self, value: Any, format_spec: str) -> str:
        if "|" in format_spec:
            one, many = format_spec.split("|", 1)
            return f"{self.number(value)} {one if value == 1 else many}"
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return self.number(value, format_spec)
        return super().format_field(value, format_spec)

    def number(self, value: float, format_spec: str = "") -> str:
        """``value`` formatted by ``format_spec`` with this language's decimal and thousands marks."""
        text = format(value, format_spec) if format_spec else str(value)
        return text.translate(str.maketrans({".": self.decimal, ",": self.thousands}))


@dataclass(frozen=True)
class Wording:
    language: str  # the language the words are in (the mind's, or English when it has none written)
    text: dict[str, Any]

    @property
    def _formatter(self) -> _Formatter:
        return _Formatter(self.text.get("decimal", "."), self.text.get("thousands", ","))

    def title(self, layer: str) -> str:
        return self.text["titles"][layer]

    def fill(self, template: str, **values: Any) -> str:
        """``template`` (str.format syntax, with plural fields) filled with ``values`` in this language."""
        return self._formatter.format(template, **values)

    def say(self, key: str, **values: Any) -> str:
        """The claim template ``key`` (``claims`` in the file) filled with ``values``."""
        return self.fill(self.text["claims"][key], **values)

    def method(self, key: str, **values: Any) -> str:
        """The method note ``key`` (``methods`` in the file) filled with ``values``."""
        return self.fill(self.text["methods"][key], **values)

    def word(self, group: str, key: str, default: str | None = None) -> str:
        """One word or phrase of a named group of the file (``bands``, ``devices``, ``measures`` …);
        ``default`` (else the key itself) when the group does not name it."""
        return (self.text.get(group) or {}).get(key, key if default is None else default)

    def number(self, value: float, format_spec: str = "") -> str:
        return self._formatter.number(value, format_spec)

    def template_folders(self) -> list[Path]:
        """Where this language's templates are looked up, its own first."""
        own = resource_file(self.language, "mmos").parent / "mmos-templates"
        return ([own] if own.is_dir() else []) + [PACK_TEMPLATES]


@lru_cache(maxsize=None)
def wording(language: str | None) -> Wording:
    """MMOS's words in ``language`` (a two-letter code), English when that language has none written."""
    for code in (language or DEFAULT, DEFAULT):
        text = (resources(code, "mmos") or {}).get("text")
        if text:
            return Wording(code, text)
    raise FileNotFoundError(f"{resource_file(DEFAULT, 'mmos')} has no `text` section: MMOS's English words are missing")
