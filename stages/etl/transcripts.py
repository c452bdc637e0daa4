"""SRT and WebVTT transcripts -> text of speaker turns, timestamps and markup dropped.

Speakers are read from WebVTT voice tags (``<v Iris Valente>``) or from a ``Name:`` / ``>> Name:``
prefix at the start of a cue line. A cue without a label continues the previous speaker's turn.
With ``speaker`` set, only that speaker's turns are kept (the person's own words).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from stages.etl.errors import ExtractionError

_TIMING = re.compile(r"^\s*(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{3})\s*-->\s*(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{3})")
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+([^>]+)>", re.IGNORECASE)
_TAG = re.compile(r"</?[^>]+>")
_LABEL = re.compile(r"^(?:>>\s*)?([A-Z][\w.'\-]*(?:\s+[A-Z][\w.'\-]*){0,3})\s*:\s+(.+)$")
_PARAGRAPH_GAP_SECONDS = 2.0


@dataclass
class Segment:
    speaker: str | None
    text: str
    start: float
    end: float


def _seconds(h: str | None, m: str, s: str, ms: str) -> float:
    return int(h or 0) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000


def parse_cues(text: str, fmt: str) -> list[Segment]:
    """Segments (one per labelled line or cue) in file order; raises ExtractionError if there are none."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    if fmt == "vtt" and not text.lstrip().startswith("WEBVTT"):
        raise ExtractionError("is not a WebVTT file (the first line must be 'WEBVTT')")
    segments: list[Segment] = []
    speaker: str | None = None
    for block in re.split(r"\n\s*\n", text):
        lines = block.split("\n")
        timing_index = next((i for i, line in enumerate(lines) if "-->" in line), None)
        if timing_index is None:
            continue  # header, NOTE, STYLE, REGION or a stray number
        match = _TIMING.match(lines[timing_index])
        if not match:
            continue
        start = _seconds(*match.group(1, 2, 3, 4))
        end = _seconds(*match.group(5, 6, 7, 8))
        for raw in lines[timing_index + 1 :]:
            voice = _VOICE.search(raw)
            if voice:
                speaker = " ".join(voice.group(1).split())
            line = html.unescape(_TAG.sub("", raw)).strip()
            if not voice:
                label = _LABEL.match(line)
                if label:
                    speaker, line = label.group(1).strip(), label.group(2).strip()
            line = line.lstrip("-– ").strip() if line.startswith(("- ", "– ")) else line
            if line:
                segments.append(Segment(speaker, line, start, end))
    if not segments:
        raise ExtractionError(f"has no {fmt.upper()} cues with text")
    return segments


def _same_speaker(a: str | None, b: str | None) -> bool:
    return (a or "").casefold() == (b or "").casefold()


def turns(segments: list[Segment]) -> list[tuple[str | None, str]]:
    """Merge consecutive segments of one speaker into turns; repeated (rolling-caption) lines dropped.
    A long silence starts a new paragraph within a speaker's turn."""
    result: list[tuple[str | None, list[str], float]] = []
    previous_text = None
    for segment in segments:
        if segment.text == previous_text:
            continue
        previous_text = segment.text
        if result and _same_speaker(result[-1][0], segment.speaker) and segment.start - result[-1][2] < _PARAGRAPH_GAP_SECONDS:
            result[-1][1].append(segment.text)
            result[-1] = (result[-1][0], result[-1][1], segment.end)
        else:
            result.append((segment.speaker, [segment.text], segment.end))
    return [(speaker, " ".join(parts)) for speaker, parts, _ in result]


def transcript_to_text(text: str, fmt: str, *, speaker: str | None = None) -> str:
    """Text of a transcript: one paragraph per turn; ``Name: text`` when several speakers and no filter."""
    from lendaria.text import normalize_text

    all_turns = turns(parse_cues(text, fmt))
    speakers = sorted({s for s, _ in all_turns if s}, key=str.casefold)
    if speaker is not None:
        wanted = " ".join(speaker.split())
        kept = [t for s, t in all_turns if _same_speaker(s, wanted)]
        if not kept:
            found = ", ".join(speakers) if speakers else "none (no voice tags or 'Name:' labels)"
            raise ExtractionError(f"speaker {speaker!r} not found; speakers in this transcript: {found}")
        return normalize_text("\n\n".join(kept))
    if len(speakers) > 1:
        return normalize_text("\n\n".join(f"{s}: {t}" if s else t for s, t in all_turns))
    return normalize_text("\n\n".join(t for _, t in all_turns))
