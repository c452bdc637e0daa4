"""Evidence for MMOS's analysis: the build set's sentences as citable spans, and the mechanical check
that a claim's span holds its support (pure functions).

Every claim of every analysis layer cites spans of the **build set** only: sentences inside the build
passages (``split.py``), each as (source id, start, end) into the source body plus its verbatim text
and, when InnerLens ran, the ids of the fragments it overlaps. A span resolves when
``body[start:end] == text``; :func:`supports` is the check a language model's claim must pass (its
quoted support must be inside the span it cites), and :func:`is_instruction` keeps text that talks to
a model ("ignore your instructions …") out of the evidence a prompt is built from.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from lendaria.engines.capabilities import sentences_with_offsets
from lendaria.text import speaker_turns
from stages.mmos.meaning import in_dialogue_line, inside_quotation, not_own, speaker_at
from stages.mmos.split import Passage

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*", re.UNICODE)
_INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b[^.!?\n]{0,40}\b(?:instructions?|prompts?|rules|guidelines|everything above)\b"
    r"|\b(?:you are now|from now on,? you|system prompt|describe yourself as|pretend (?:to be|you are)|act as an?\b)",
    re.IGNORECASE)


@dataclass(frozen=True)
class Sentence:
    """One sentence of the build set: its span in the source body and its text."""

    index: int
    source_id: str
    start: int
    end: int
    text: str
    other: str = ""  # why it is not the person's own words (another speaker, a quotation, reported speech); "" = own

    def tokens(self) -> list[str]:
        return [w.lower().replace("’", "'") for w in _WORD.findall(self.text)]

    def span(self, fragments: dict[str, list[tuple[int, int, str]]] | None = None) -> dict[str, Any]:
        cited: dict[str, Any] = {"source_id": self.source_id, "start": self.start, "end": self.end, "text": self.text}
        if fragments is not None:
            cited["fragment_ids"] = [fid for start, end, fid in fragments.get(self.source_id, ())
                                     if start < self.end and self.start < end]
        return cited


def build_sentences(build: list[Passage], bodies: dict[str, str], person: str | None = None, language: str = "en") -> list[Sentence]:
    """The sentences (of four or more words) of the build passages, in source order, each marked when
    it is not ``person``'s own words (:func:`stages.mmos.meaning.not_own`)."""
    result: list[Sentence] = []
    turns = {source_id: speaker_turns(body) for source_id, body in bodies.items()}
    for passage in build:
        body = bodies[passage.source_id]
        text = body[passage.start:passage.end]
        for start, end in sentences_with_offsets(text):
            sentence = text[start:end]
            if sentence.lstrip().startswith("#"):
                continue  # a heading is not a statement
            speaker = speaker_at(turns[passage.source_id], passage.start + start)
            if speaker and sentence.startswith(f"{speaker}:"):  # the turn's label is not part of what was said
                start += len(sentence) - len(sentence[len(speaker) + 1:].lstrip())
                sentence = text[start:end]
            result.append(Sentence(len(result), passage.source_id, passage.start + start, passage.start + end, sentence,
                                   not_own(sentence, speaker, person,
                                           inside_quotation(body, passage.start + start, passage.start + end), language,
                                           in_dialogue_line(body, passage.start + start))))
    return result


def is_instruction(text: str) -> bool:
    """True when ``text`` addresses a language model (a prompt-injection attempt), not a reader."""
    return bool(_INSTRUCTION.search(text))


def normalised(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return " ".join(folded.lower().split())


def supports(quote: str, span_text: str) -> bool:
    """A claim's quoted support is inside the span it cites (case, quotes and spacing folded), and is
    long enough to mean something (three words or more)."""
    quote = normalised(quote).strip(" .,;:!?\"'")
    return len(quote.split()) >= 3 and quote in normalised(span_text)
