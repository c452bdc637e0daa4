"""The person's text as passages, and the deterministic build / held-out split (pure functions).

A **passage** is a run of whole paragraphs of one source, about :data:`PASSAGE_WORDS` words (a
longer paragraph is a passage alone), cited by (source id, start, end) offsets into the source body.
The **held-out set** is every k-th passage of a round-robin walk over the sources (first passage of
each source, then the second of each, …), so it is interleaved across sources and periods, until it
holds ``held_out_target(words)`` words: about 15 %, at least 2,500 words when that is at most a
quarter of the text. It is never used to build a profile, prompt, knowledge base or example; the
fidelity self-check scores it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PASSAGE_WORDS = 250
HELD_OUT_SHARE = 0.15
HELD_OUT_MIN_WORDS = 2_500
HELD_OUT_MAX_SHARE = 0.25
_PARAGRAPH = re.compile(r"\S(?:.*?\S)?(?=[ \t]*\n[ \t]*\n|\s*\Z)", re.DOTALL)  # trailing blanks stay outside


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


def passages(source_id: str, body: str, target: int = PASSAGE_WORDS) -> list[Passage]:
    """Whole paragraphs grouped into passages of about ``target`` words, in order."""
    result: list[Passage] = []
    start = end = words = 0
    for match in _PARAGRAPH.finditer(body):
        count = len(match.group().split())
        if words and words + count > target * 1.5:
            result.append(Passage(source_id, start, end, words))
            words = 0
        if not words:
            start = match.start()
        end, words = match.end(), words + count
        if words >= target:
            result.append(Passage(source_id, start, end, words))
            words = 0
    if words:
        result.append(Passage(source_id, start, end, words))
    return result


def held_out_target(total_words: int) -> int:
    return int(min(max(HELD_OUT_SHARE * total_words, HELD_OUT_MIN_WORDS), HELD_OUT_MAX_SHARE * total_words))


def round_robin(by_source: list[list[Passage]]) -> list[Passage]:
    order, depth = [], max((len(p) for p in by_source), default=0)
    for i in range(depth):
        order += [p[i] for p in by_source if i < len(p)]
    return order


def split(by_source: list[list[Passage]]) -> tuple[list[Passage], list[Passage]]:
    """(build, held-out), each in source order."""
    walk = round_robin(by_source)
    total = sum(p.words for p in walk)
    target = held_out_target(total)
    held: set[Passage] = set()
    if walk and target:
        stride = max(2, round(total / target))
        offset, taken = stride // 2, 0
        while taken < target and len(held) < len(walk) - 1:
            for passage in walk[offset::stride]:
                if taken >= target:
                    break
                if passage not in held:
                    held.add(passage)
                    taken += passage.words
            offset = (offset + 1) % stride
    in_order = [p for source in by_source for p in source]
    return [p for p in in_order if p not in held], [p for p in in_order if p in held]


def text_of(bodies: dict[str, str], chosen: list[Passage]) -> list[str]:
    return [bodies[p.source_id][p.start:p.end] for p in chosen]
