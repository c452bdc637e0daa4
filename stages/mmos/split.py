"""The person's text as passages, and the deterministic build / held-out split (pure functions).

A **passage** is a run of whole paragraphs of one source, about :data:`PASSAGE_WORDS` words, cited by
(source id, start, end) offsets into the source body. A paragraph longer than one and a half passages
(a book extracted with one paragraph per chapter, a transcript without breaks) is cut at sentence ends,
and a sentence longer than that at spaces, so every source, even a single book, yields passages.

The **held-out set** is made of **chunks**: consecutive passages of one source of about
:func:`chunk_words` words (2,000, the length fidelity is calibrated on; shorter for a small mind, so
that it still has two). Chunks are dealt to the sources in turn (those with most chunks first) and spread
evenly over each source's length, as many as it takes for the held-out set to hold
``held_out_target(words)``: at least 15 % and at least 2,500 words, and never more than 30 %. The split
is therefore inside sources as well as across them, interleaved over each source's length. The
held-out text is never used to build a profile, prompt, knowledge base or example; the fidelity
self-check scores it.

**Passages in another language** than the mind's (detected on passages of :data:`LANGUAGE_MIN_WORDS`
words or more) are set aside before the split: they are in neither set, and the split counts their
words per language, so a mind whose sources mix languages is analysed in its own language only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

PASSAGE_WORDS = 250
CHUNK_WORDS = 2_000
MIN_CHUNK_WORDS = 1_000
HELD_OUT_SHARE = 0.15
HELD_OUT_MIN_WORDS = 2_500
HELD_OUT_MAX_SHARE = 0.30
_PARAGRAPH = re.compile(r"\S(?:.*?\S)?(?=[ \t]*\n[ \t]*\n|\s*\Z)", re.DOTALL)  # trailing blanks stay outside
_SENTENCE = re.compile(r"\S.*?(?:[.!?…][\"'”’)\]]*(?=\s)|\Z)", re.DOTALL)
_WORD = re.compile(r"\S+")
LANGUAGE_MIN_WORDS = 50  # a shorter passage (a greeting, a list of names) does not name its language reliably


@dataclass(frozen=True)
class Passage:
    source_id: str
    start: int
    end: int
    words: int

    def span(self) -> dict:
        return {"source_id": self.source_id, "start": self.start, "end": self.end, "words": self.words}

    def fragment_ids(self, fragments: dict[str, list[tuple[int, int, str]]]) -> list[str]:
        """Ids of the fragments (per source: start, end, id) that lie inside this passage."""
        return [fid for start, end, fid in fragments.get(self.source_id, ()) if self.start <= start and end <= self.end]


def _pieces(body: str, start: int, end: int, limit: int) -> list[tuple[int, int, int]]:
    """(start, end, words) of the paragraph ``body[start:end]`` cut so no piece exceeds ``limit`` words:
    at sentence ends, and a sentence longer than that at spaces."""
    text = body[start:end]
    count = len(text.split())
    if count <= limit:
        return [(start, end, count)]
    units: list[tuple[int, int, int]] = []
    for sentence in _SENTENCE.finditer(text):
        words = list(_WORD.finditer(sentence.group()))
        base = start + sentence.start()
        for i in range(0, len(words), limit):
            group = words[i:i + limit]
            units.append((base + group[0].start(), base + group[-1].end(), len(group)))
    return units


def passages(source_id: str, body: str, target: int = PASSAGE_WORDS) -> list[Passage]:
    """Whole paragraphs (or, for an over-long paragraph, whole sentences) grouped into passages of
    about ``target`` words, in order."""
    result: list[Passage] = []
    start = end = words = 0
    limit = int(target * 1.5)
    for match in _PARAGRAPH.finditer(body):
        for piece_start, piece_end, count in _pieces(body, match.start(), match.end(), limit):
            if words and words + count > limit:
                result.append(Passage(source_id, start, end, words))
                words = 0
            if not words:
                start = piece_start
            end, words = piece_end, words + count
            if words >= target:
                result.append(Passage(source_id, start, end, words))
                words = 0
    if words:
        result.append(Passage(source_id, start, end, words))
    return result


def held_out_target(total_words: int) -> int:
    return int(min(max(HELD_OUT_SHARE * total_words, HELD_OUT_MIN_WORDS), HELD_OUT_MAX_SHARE * total_words))


def chunk_words(total_words: int) -> int:
    """The held-out chunks' length: 2,000 words, or half the held-out target when that is smaller (at
    least 1,000), so that even a mind at the gate holds out two chunks."""
    return max(MIN_CHUNK_WORDS, min(CHUNK_WORDS, held_out_target(total_words) // 2))


def group_chunks(source: list[Passage], size: int) -> list[list[Passage]]:
    """Consecutive passages of one source grouped into chunks of at least ``size`` words (a last,
    shorter remainder joins the chunk before it)."""
    groups: list[list[Passage]] = []
    current: list[Passage] = []
    for passage in source:
        current.append(passage)
        if sum(p.words for p in current) >= size:
            groups.append(current)
            current = []
    if current:
        if groups and sum(p.words for p in current) < size:
            groups[-1] = groups[-1] + current
        else:
            groups.append(current)
    return groups


def spread_positions(count: int, picks: int) -> list[int]:
    """``picks`` positions out of ``count``, evenly spread (the middle of each of ``picks`` equal parts)."""
    return [int((i + 0.5) * count / picks) for i in range(picks)]


def pick_chunks(by_source: list[list[list[Passage]]], picks: int) -> list[list[Passage]]:
    """``picks`` chunks: dealt to the sources in turn (the ones with most chunks first), and spread evenly
    over each source's length, so the held-out set is interleaved across sources and inside them."""
    order = sorted(range(len(by_source)), key=lambda i: (-len(by_source[i]), i))
    dealt = [0] * len(by_source)
    left = picks
    while left and any(dealt[i] < len(by_source[i]) for i in order):
        for i in order:
            if left and dealt[i] < len(by_source[i]):
                dealt[i] += 1
                left -= 1
    return [by_source[i][j] for i in range(len(by_source)) if dealt[i] for j in spread_positions(len(by_source[i]), dealt[i])]


@dataclass(frozen=True)
class Split:
    build: list[Passage]  # in source order
    held_out: list[Passage]  # in source order
    chunks: list[Passage]  # the held-out chunks as spans (consecutive passages of one source), in source order
    set_aside: dict[str, int] = field(default_factory=dict)  # words of passages in another language, per language


def set_aside_other_languages(by_source: list[list[Passage]], text: Callable[[Passage], str], language: str | None,
                              detect: Callable[[str], str | None]) -> tuple[list[list[Passage]], dict[str, int]]:
    """The passages of each source in ``language`` (or too short to tell), and the words of the others
    per detected language. ``detect`` names a text's language (None when unsure); no ``language``, no
    filtering."""
    if not language:
        return by_source, {}
    kept: list[list[Passage]] = []
    aside: dict[str, int] = {}
    for source in by_source:
        kept.append([])
        for passage in source:
            found = detect(text(passage)) if passage.words >= LANGUAGE_MIN_WORDS else None
            if found and found != language:
                aside[found] = aside.get(found, 0) + passage.words
            else:
                kept[-1].append(passage)
    return kept, dict(sorted(aside.items()))


def split(by_source: list[list[Passage]]) -> Split:
    """The build set and the held-out chunks (see the module's docstring)."""
    total = sum(p.words for source in by_source for p in source)
    target = held_out_target(total)
    size = chunk_words(total)
    grouped = [group_chunks(source, size) for source in by_source]
    available = sum(len(g) for g in grouped)
    held: list[list[Passage]] = []
    if available > 1 and target:
        for picks in range(max(1, round(target / size)), available):  # never every chunk: the build set keeps one
            held = pick_chunks(grouped, picks)
            if sum(p.words for chunk in held for p in chunk) >= target:
                break
    held_set = {p for chunk in held for p in chunk}
    in_order = [p for source in by_source for p in source]
    position = {p: i for i, p in enumerate(in_order)}
    spans = [Passage(c[0].source_id, c[0].start, c[-1].end, sum(p.words for p in c)) for c in sorted(held, key=lambda c: position[c[0]])]
    return Split([p for p in in_order if p not in held_set], [p for p in in_order if p in held_set], spans)


def text_of(bodies: dict[str, str], chosen: list[Passage]) -> list[str]:
    return [bodies[p.source_id][p.start:p.end] for p in chosen]
