"""A source body -> fragments: one to a few sentences that keep a thought whole, cut verbatim.

Pure functions. Every fragment satisfies ``body[start:end] == text``: fragments are spans of the
body, never rewritten text.

How a body is cut:

1. **Blocks.** Paragraphs (blank-line separated). Markdown headings, front-matter-like lines and
   table rows are not the person's sentences and are skipped; each list item is its own block. In a
   transcript, a ``Name: …`` paragraph is a speaker turn when the label is a full name or opens two or
   more paragraphs (``lendaria.text.speaker_turns``; "Definitely: …" once is the writer's own
   paragraph): the label is outside the fragment and names its speaker.
2. **Sentences** inside a block, at ``.``/``!``/``?``/``…`` followed by a space and a capital, digit
   or quote, except after the language's abbreviations (``Mr.``, ``e.g.``; ``Sr.``, ``Dra.``,
   ``p. ex.``), initials and numbers (``3.5``).
3. **Fragments.** Sentences join the fragment before them while it is shorter than ``min_words``,
   or when they open with one of the language's connectives that carry the thought on (``because``,
   ``so``, ``this is why``; ``porque``, ``então``, ``por isso`` …) — a claim stays with its reason, a
   cause with its effect — as long as the fragment stays within ``max_words``. A paragraph end, a speaker
   change or a heading always ends a fragment. A single sentence longer than ``max_words`` is split
   at its clause boundaries (``;``, ``:``, ``,``) nearest the middle.

Features are observable, never inferred: a question, first person, quoting someone else, speaker.

The language's words (abbreviations, connectives, first-person pronouns) come from
``lendaria/languages/<code>/text.yaml`` (:func:`lendaria.languages.text_resources`); ``language=None``
uses every language's at once.
"""

from __future__ import annotations

import hashlib
import re

from dataclasses import dataclass
from functools import lru_cache

from lendaria.languages import text_resources
from lendaria.text import SPEAKER_LABEL, speaker_labels

MIN_WORDS = 12
MAX_WORDS = 120

_BLOCK_SPLIT = re.compile(r"\n[ \t]*\n")
_SKIPPED_LINE = re.compile(r"^\s*(?:#{1,6}\s|\|.*\|\s*$|[-*_]{3,}\s*$|```)")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+")
_QUOTE_MARK = re.compile(r"^\s*>\s?")
# used with pattern.match(body, pos): no "^", which would anchor at the start of the whole body
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s+[\"'“‘«(\[]?[A-Z0-9À-ÖØ-Þ])")
_WORD = re.compile(r"\S+")
_OPENING_QUOTES = "(\"'“‘"
_QUOTED = re.compile(r"[\"“«„]([^\"”»“„]{3,}?)[\"”»]")
_CLAUSE_BREAK = re.compile(r"[;:,]\s+")


def _phrase(phrase: str) -> str:
    """A word or phrase of the language's resources as a regex: any white space between its words,
    either apostrophe."""
    return r"\s+".join(re.escape(word).replace("'", "['’]") for word in phrase.split())


def _alternation(phrases: tuple[str, ...]) -> str:
    return "|".join(_phrase(p) for p in sorted(phrases, key=lambda p: (-len(p), p))) or "(?!)"


@lru_cache(maxsize=None)
def _connective(language: str | None) -> re.Pattern[str]:
    """A sentence opening with one of the language's connectives (after an opening quote or bracket)."""
    return re.compile(rf"[\"'“‘«(]?(?:{_alternation(text_resources(language).connectives)})\b", re.IGNORECASE)


@lru_cache(maxsize=None)
def _first_person(language: str | None) -> re.Pattern[str]:
    return re.compile(rf"\b(?:{_alternation(text_resources(language).first_person)})\b", re.IGNORECASE)


@lru_cache(maxsize=None)
def _abbreviations(language: str | None) -> dict[int, frozenset[tuple[str, ...]]]:
    """The language's abbreviations by their number of words, each as its words without dots
    (``"p. ex"`` -> ``("p", "ex")``, ``"e.g"`` -> ``("eg",)``)."""
    by_length: dict[int, set[tuple[str, ...]]] = {}
    for abbreviation in text_resources(language).abbreviations:
        words = tuple(w.replace(".", "") for w in abbreviation.lower().split())
        by_length.setdefault(len(words), set()).add(words)
    return {length: frozenset(found) for length, found in by_length.items()}


def _abbreviated(before: str, language: str | None) -> bool:
    """The dot right after ``before`` belongs to an abbreviation of the language or an initial."""
    words = before.split()
    if not words:
        return False
    last = words[-1].lower().strip(_OPENING_QUOTES)
    if len(last) == 1 and last.isalpha():
        return True
    for length, known in _abbreviations(language).items():
        tail = [w.lower() for w in words[-length:]]
        if len(tail) == length:
            tail[0], tail[-1] = tail[0].lstrip(_OPENING_QUOTES), tail[-1].strip(_OPENING_QUOTES)
            if tuple(w.replace(".", "") for w in tail) in known:
                return True
    return False


@dataclass(frozen=True)
class Fragment:
    id: str
    source_id: str
    start: int
    end: int
    text: str
    words: int
    is_question: bool
    first_person: bool
    quotes_other: bool
    speaker: str | None = None


def _trimmed(body: str, start: int, end: int) -> tuple[int, int]:
    while start < end and body[start].isspace():
        start += 1
    while end > start and body[end - 1].isspace():
        end -= 1
    return start, end


def blocks(body: str) -> list[tuple[int, int, str | None]]:
    """(start, end, speaker) of each block of prose in ``body`` (see the module docstring)."""
    result: list[tuple[int, int, str | None]] = []
    speakers = speaker_labels(body)
    position = 0
    for separator in [*_BLOCK_SPLIT.finditer(body), None]:
        end = separator.start() if separator else len(body)
        _lines_of_block(body, position, end, result, speakers)
        position = separator.end() if separator else len(body)
    return result


def _lines_of_block(body: str, start: int, end: int, result: list[tuple[int, int, str | None]], speakers: frozenset[str]) -> None:
    """A paragraph, or each list item of a list, as blocks; skipped lines end a block."""
    current: list[int] | None = None
    offset = start
    for line in body[start:end].split("\n"):
        line_start, line_end = offset, offset + len(line)
        offset = line_end + 1
        if _SKIPPED_LINE.match(line) or not line.strip():
            current = _flush(body, current, result, speakers)
            continue
        marker = _LIST_ITEM.match(line) or _QUOTE_MARK.match(line)
        if marker and _LIST_ITEM.match(line):
            current = _flush(body, current, result, speakers)
            current = [line_start + marker.end(), line_end]
            continue
        if current is None:
            current = [line_start + (marker.end() if marker else 0), line_end]
        else:
            current[1] = line_end
    _flush(body, current, result, speakers)


def _flush(body: str, current: list[int] | None, result: list[tuple[int, int, str | None]], speakers: frozenset[str]) -> None:
    if current is not None:
        start, end = _trimmed(body, current[0], current[1])
        speaker = None
        label = SPEAKER_LABEL.match(body, start, end)
        if label and label.group(1) in speakers:
            speaker = label.group(1)
            start, end = _trimmed(body, label.end(), end)
        if end > start:
            result.append((start, end, speaker))
    return None


def sentences(body: str, start: int, end: int, *, language: str | None = None) -> list[tuple[int, int]]:
    """Sentence spans of ``body[start:end]``; a dot after an abbreviation of ``language`` (of every
    language we know when None) does not end one."""
    spans = []
    position = start
    for match in _SENTENCE_END.finditer(body, start, end):
        if match.group().startswith(".") and _abbreviated(body[max(start, match.start() - 24):match.start()], language):
            continue
        spans.append(_trimmed(body, position, match.end()))
        position = match.end()
    if position < end:
        spans.append(_trimmed(body, position, end))
    return [(s, e) for s, e in spans if e > s]


def _word_count(body: str, start: int, end: int) -> int:
    return len(_WORD.findall(body, start, end))


def _split_long(body: str, start: int, end: int, max_words: int) -> list[tuple[int, int]]:
    """A sentence over ``max_words`` cut at clause breaks nearest the middle (recursively)."""
    if _word_count(body, start, end) <= max_words:
        return [(start, end)]
    middle = (start + end) // 2
    breaks = [m.end() for m in _CLAUSE_BREAK.finditer(body, start, end) if start < m.end() < end]
    if not breaks:
        words = [m.start() for m in _WORD.finditer(body, start, end)]
        breaks = [words[len(words) // 2]]
    cut = min(breaks, key=lambda b: abs(b - middle))
    left, right = _trimmed(body, start, cut), _trimmed(body, cut, end)
    return _split_long(body, *left, max_words) + _split_long(body, *right, max_words)


def fragment_spans(body: str, *, min_words: int = MIN_WORDS, max_words: int = MAX_WORDS,
                   language: str | None = None) -> list[tuple[int, int, str | None]]:
    """(start, end, speaker) of each fragment of ``body``, in order, cut with the abbreviations and
    connectives of ``language`` (of every language we know when None)."""
    connective = _connective(language)
    spans: list[tuple[int, int, str | None]] = []
    for block_start, block_end, speaker in blocks(body):
        current: list[int] | None = None
        for sentence in sentences(body, block_start, block_end, language=language):
            for start, end in _split_long(body, *sentence, max_words):
                if current is not None:
                    joined = _word_count(body, current[0], end)
                    short = _word_count(body, current[0], current[1]) < min_words
                    carries_on = bool(connective.match(body, start, end))
                    if joined <= max_words and (short or carries_on):
                        current[1] = end
                        continue
                    spans.append((current[0], current[1], speaker))
                current = [start, end]
        if current is not None:
            spans.append((current[0], current[1], speaker))
    return spans


def fragment_id(source_id: str, text: str, occurrence: int) -> str:
    """Stable id from the source and the fragment's own text (not its position, so an edit earlier in
    the source does not rename later fragments); ``occurrence`` tells repeats within one source apart."""
    digest = hashlib.sha256(f"{source_id}\n{occurrence}\n{text}".encode("utf-8")).hexdigest()[:12]
    return f"{source_id}-{digest}"


def fragment_source(source_id: str, body: str, *, min_words: int = MIN_WORDS, max_words: int = MAX_WORDS,
                    language: str | None = None) -> list[Fragment]:
    """Every fragment of one source body, with its features, in ``language`` (the mind's declared
    language; None: the resources of every language we know)."""
    first_person = _first_person(language)
    fragments = []
    seen: dict[str, int] = {}
    for start, end, speaker in fragment_spans(body, min_words=min_words, max_words=max_words, language=language):
        text = body[start:end]
        occurrence = seen[text] = seen.get(text, -1) + 1
        quoted = sum(len(m.group(1).split()) for m in _QUOTED.finditer(text))
        fragments.append(Fragment(
            id=fragment_id(source_id, text, occurrence), source_id=source_id, start=start, end=end, text=text,
            words=len(text.split()), is_question=text.rstrip("\"'”’»)] ").endswith("?"),
            first_person=bool(first_person.search(text)), quotes_other=quoted >= 3, speaker=speaker))
    return fragments
