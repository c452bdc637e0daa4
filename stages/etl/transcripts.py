"""SRT and WebVTT transcripts -> the words people said, as plain text of speaker turns.

Pure functions, no I/O. :func:`extract_transcript` is the entry point (:func:`transcript_to_text`
returns just its text); :func:`parse_cues` and :func:`turns` are its intermediate steps. WebVTT is read
after the W3C WebVTT parsing rules; SRT, which has no spec, with the same line-based rules.

Reading cues
    * A BOM is dropped; CRLF and CR become LF. A WebVTT file must start with ``WEBVTT`` (then a space,
      a tab or the end of the line); the header after it runs to the first empty line. ``NOTE``,
      ``STYLE`` and ``REGION`` blocks and text outside cues are skipped.
    * A *timing line* contains ``-->`` and parses as ``[hh:]mm:ss.ttt --> [hh:]mm:ss.ttt`` (``.`` or
      ``,`` before the milliseconds; cue settings after the end time are ignored). A timing line
      always STARTS a new cue, even straight after the previous cue's text (yt-dlp writes no blank
      line). Only a truly empty line ends a cue; a line of whitespace is skipped inside the cue.
    * The line just before a timing line is the cue number / identifier, not text: any line after an
      empty line, and inside the previous cue's text a bare integer (SRT) or, in WebVTT, one token
      holding a digit (``12``, ``cue-7``).
    * A line with ``-->`` that does not parse (``00:00:0x,500``, no milliseconds) is skipped and
      counted; the text after it stays in the current cue, or starts a cue timed at the previous
      cue's end.

Cleaning a line
    ASS override blocks (``{\\an8}``) are removed; ``\\N`` is a line break, ``\\n`` and ``\\h`` a space.
    Tags (``<i>``, ``<c.yellow>``, ``<font …>``, ``<00:00:01.000>``, ``<ruby>``) are removed keeping
    their text, except ruby annotations ``<rt>``/``<rp>`` which are dropped; entities are unescaped. A
    leading ``- `` (one speaker of a two-person SRT cue) or ``>>`` is dropped and the line stays its
    own segment.

Rolling captions (carry-over)
    Cue *C* repeats lines of the cue *P* just before it when it is shown while *P* is still on screen:
    ``C.start <= P.end + 0.05 s``. Then, with *k* the longest run (at most 3 lines) of *C*'s first
    lines equal to *P*'s last lines, those *k* lines are dropped when *C* has new lines after them
    (``A/B`` then ``B/C``), or when *C* repeats nothing but them and *P* or *C* is a flash cue
    shorter than 0.05 s (yt-dlp's duplicates). A cue repeating its predecessor after a pause, or
    for a normal length of time, is a real repetition and is kept.

Speakers
    * ``<v Name>`` / ``<v.class Name>`` voice tags always name the speaker.
    * A label — ``Name: text``, ``>> Name: text``, a line ``[Name]`` / ``(Name)``, or ``[Name] text`` /
      ``(Name) text`` — names the speaker only when it is *accepted*. A candidate is 1-4 capitalised
      words (``Iris``, ``DR. LEE``, ``Speaker 2``, ``Ana da Silva``) holding no sound word. It is
      accepted when it is the requested ``speaker`` or a voice-tag name; or, unless it starts with a
      prose word (``Note``, ``Digo``, ``Bueno``…), when it follows ``>>``, or is an ALL-CAPS
      ``NAME:`` (not bracketed: ``[DOOR SLAMS]`` is a description), or is used as a label at least
      twice in the file (counted after carry-over lines are dropped). Otherwise
      ``Digo: algo`` stays text, and a bracketed candidate is dropped as a caption description.
    * A line without a label continues the previous speaker (also across cues).

Non-speech captions
    Square brackets (``[laughs]``, ``[MUSIC]``) never hold speech. Parentheses do not when they hold a
    sound word (``(applause)``, ``(risas)``; inline at most 4 words) or are ALL-CAPS (inline: 2+
    words), or are a whole line starting in lowercase; ``(which we built)`` inside a sentence stays.
    ``*laughs*`` is non-speech when it holds a sound word (or is a short lowercase whole line);
    ``<i>Laughs</i>`` when it is the whole line, at most 3 words and holds a sound word (other
    italics are emphasis). Music lines start or end with ♪/♫ (a song opened on one line runs to the
    line closing it within the cue). All are removed — inside a speech line only the description
    goes — and their words are counted in :attr:`TranscriptText.non_speech_words` (with ``speaker``
    set, only those in that speaker's turns).

Output
    Consecutive segments of one speaker merge into a turn; a silence of 2 s or more starts a new
    paragraph. With several speakers and no filter each turn reads ``Name: text``; otherwise plain
    paragraphs. With ``speaker`` set only that speaker's turns are kept (the person's own words).
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from stages.etl.errors import ExtractionError

_PARAGRAPH_GAP_SECONDS = 2.0
_FLASH_SECONDS = 0.05
_MAX_CARRY_LINES = 3

# ---- reading -----------------------------------------------------------------------------------------
_TIMESTAMP = r"(?:(\d+):)?([0-5]?\d):([0-5]\d)[.,](\d{3})"
_TIMING = re.compile(rf"\s*{_TIMESTAMP}\s*-->\s*{_TIMESTAMP}(?:\s|$)")
_WEBVTT = re.compile(r"WEBVTT(?:[ \t]|$)")
_VTT_SKIPPED_BLOCK = re.compile(r"(?:NOTE|STYLE|REGION)(?:[ \t]|$)")
_SRT_NUMBER = re.compile(r"\d+")
_VTT_IDENTIFIER = re.compile(r"(?=[^\d]*\d)[\w.-]+")

# ---- markup ------------------------------------------------------------------------------------------
_ASS_BLOCK = re.compile(r"\{\\[^{}]*\}")
_ASS_ESCAPE = re.compile(r"\\([Nnh])")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?(?:[ \t]+([^>]*))?>", re.IGNORECASE)
_RUBY_TEXT = re.compile(r"<(rt|rp)\b[^>]*>.*?(?:</\1\s*>|(?=</ruby)|$)", re.IGNORECASE)
_TAG = re.compile(r"</?(?:[A-Za-z][^<>]*|\d[\d:.]*)>")
_TAG_BUT_ITALIC = re.compile(r"</?(?!i[\s.>])(?:[A-Za-z][^<>]*|\d[\d:.]*)>", re.IGNORECASE)
_WHOLE_ITALIC = re.compile(r"\s*<i(?:\.[^\s>]*)?>(.*)</i>\s*", re.IGNORECASE | re.DOTALL)

# ---- speakers ----------------------------------------------------------------------------------------
_DASH = re.compile(r"[-–—](?:\s+|(?=[^\W\d_]))")
_CHEVRONS = re.compile(r">>+\s*")
_COLON_LABEL = re.compile(r"([^:\[\]()<>]{1,60}?)\s*:(?:\s+|$)(.*)", re.DOTALL)
_BRACKET_LABEL = re.compile(r"(?:\[([^\[\]]{1,60})\]|\(([^()]{1,60})\))\s*:?\s*(.*)", re.DOTALL)
_NAME_WORD = re.compile(r"[^\W\d_][\w.'’-]*|\d+")
_NAME_PARTICLES = frozenset("da das de del della der di do dos du e la le van von y".split())
_PROSE_WORDS = frozenset(
    "note notes nota notas digo dice dijo disse diz dizia example ejemplo exemplo warning aviso "
    "atención atenção important importante tip step paso passo chapter capítulo update edit ps p.s. re fyi "
    "bueno pues mira oye bem olha well so ok okay".split()
)

# ---- non-speech --------------------------------------------------------------------------------------
_SOUND_WORDS = frozenset(
    # English
    "laugh laughs laughing laughter chuckle chuckles chuckling giggle giggles giggling applause "
    "applauding clapping claps cheering cheers music musical song singing sings humming hums sigh "
    "sighs sighing cough coughs coughing sneezes sniffs sniffles gasp gasps groan groans crying cries "
    "sobbing sobs whistling whistles murmuring murmurs mumbles mumbling crosstalk inaudible indistinct "
    "unintelligible silence pause pauses noise static beep beeps bleep bleeping throat scoffs snorts "
    "screams screaming shouting yelling chatter chattering footsteps ringing knocking "
    # Spanish
    "risa risas carcajadas aplauso aplausos música musica canción cancion suspira suspiro suspiros "
    "tos tose silencio ruido ininteligible llanto llora gritos "
    # Portuguese
    "riso risos risadas gargalhadas palmas canção cancao suspiros tosse silêncio ruído inaudível "
    "ininteligível choro chora".split()
)
_MUSIC_NOTES = "♪♫♬♩"
_SQUARE = re.compile(r"\[([^\[\]]*)\]")
_PAREN = re.compile(r"\(([^()]*)\)")
_ASTERISKS = re.compile(r"\*([^*\s][^*]*)\*")
_WORD = re.compile(r"[^\s\w]*\w\S*")


@dataclass(slots=True)
class Segment:
    """One line of speech (or, internally, of removed non-speech) with its speaker and cue timing."""

    speaker: str | None
    text: str
    start: float
    end: float
    non_speech_words: int = 0


@dataclass(frozen=True)
class TranscriptText:
    text: str  # the same as transcript_to_text returns
    speakers: tuple[str, ...]  # speakers recognised, sorted casefold
    non_speech_words: int  # words of non-speech captions removed ([laughs], ♪ …, <i>Laughs</i>)
    skipped_timing_lines: int  # malformed timing lines skipped


@dataclass(slots=True)
class _Line:
    """A piece of cue text without markup; ``voice`` is its ``<v Name>`` tag, if any."""

    voice: str | None
    text: str


@dataclass(slots=True)
class _Cue:
    start: float
    end: float
    timed: bool = True  # False: its timing line was malformed, it borrows the previous cue's end
    raw: list[str] = field(default_factory=list)
    lines: list[_Line] = field(default_factory=list)

    @property
    def flash(self) -> bool:
        return self.timed and self.end - self.start < _FLASH_SECONDS


@dataclass(slots=True)
class _Label:
    name: str
    rest: str  # the line's text after the label
    bracketed: bool
    chevrons: bool


# ---- reading cues ------------------------------------------------------------------------------------
def parse_timing(line: str) -> tuple[float, float] | None:
    """``(start, end)`` seconds of a cue timing line, or None when it does not parse."""
    match = _TIMING.match(line)
    if not match:
        return None
    h1, m1, s1, ms1, h2, m2, s2, ms2 = match.groups()
    start = int(h1 or 0) * 3600 + int(m1) * 60 + int(s1) + int(ms1) / 1000
    return start, int(h2 or 0) * 3600 + int(m2) * 60 + int(s2) + int(ms2) / 1000


def _source_lines(text: str, fmt: str) -> list[str]:
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if fmt == "vtt":
        first = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
        if first == len(lines) or not _WEBVTT.match(lines[first].strip()):
            raise ExtractionError("is not a WebVTT file (the first line must be 'WEBVTT')")
        lines = lines[first:]
    return lines


def _read_cues(text: str, fmt: str) -> tuple[list[_Cue], int]:
    """Cues with their raw text lines, and the number of malformed timing lines skipped."""
    is_identifier = _VTT_IDENTIFIER.fullmatch if fmt == "vtt" else _SRT_NUMBER.fullmatch
    cues: list[_Cue] = []
    skipped = 0
    state = "skip" if fmt == "vtt" else "gap"  # "skip": header/NOTE/STYLE/REGION; "gap": between cues
    for line in _source_lines(text, fmt):
        if not line:
            state = "gap"
        elif "-->" in line:
            timing = parse_timing(line)
            if timing is None and state == "skip":
                continue
            if state == "cue" and cues[-1].raw and is_identifier(cues[-1].raw[-1].strip()):
                cues[-1].raw.pop()  # the next cue's number, written with no blank line before it
            if timing is not None:
                cues.append(_Cue(*timing))
            else:
                skipped += 1
                if state == "gap":
                    end = cues[-1].end if cues else 0.0
                    cues.append(_Cue(end, end, timed=False))
            state = "cue"
        elif state == "cue":
            if line.strip():
                cues[-1].raw.append(line)
        elif state == "gap" and fmt == "vtt" and _VTT_SKIPPED_BLOCK.match(line):
            state = "skip"
    return cues, skipped


# ---- cleaning markup ---------------------------------------------------------------------------------
def _plain(text: str) -> str:
    return " ".join((html.unescape(text) if "&" in text else text).split())


def _word_count(text: str) -> int:
    """Whitespace-separated tokens holding a letter or digit (``♪`` and ``-`` are not words)."""
    return len(_WORD.findall(text))


@lru_cache(maxsize=4096)
def _is_sound_word(word: str) -> bool:
    return re.sub(r"\W", "", word.casefold()) in _SOUND_WORDS


def _has_sound_word(text: str) -> bool:
    return any(_is_sound_word(w) for w in text.split())


def _is_sound_description(text: str, max_words: int) -> bool:
    return 0 < _word_count(text) <= max_words and _has_sound_word(text)


def _clean_markup(chunk: str) -> str:
    """Text of a piece of cue text; a whole-line italic sound description becomes ``[Laughs]``."""
    if "<" not in chunk:
        return _plain(chunk)
    if "<r" in chunk or "<R" in chunk:
        chunk = _RUBY_TEXT.sub("", chunk)
    text = _plain(_TAG.sub("", chunk))
    if "<i" not in chunk and "<I" not in chunk:
        return text
    italic = _WHOLE_ITALIC.fullmatch(_TAG_BUT_ITALIC.sub("", chunk))
    if italic and text and text[0] not in "[(*" + _MUSIC_NOTES:
        if _is_sound_description(_plain(_TAG.sub("", italic.group(1))), max_words=3):
            return f"[{text}]"
    return text


def _clean_lines(raw_lines: Iterable[str]) -> list[_Line]:
    """Raw cue lines -> pieces of text: ASS blocks and escapes, voice tags and other tags resolved."""
    lines: list[_Line] = []
    for raw in raw_lines:
        if "\\" in raw:
            raw = _ASS_ESCAPE.sub(lambda m: "\n" if m.group(1) == "N" else " ", _ASS_BLOCK.sub("", raw))
        for part in raw.split("\n"):
            # text, voice name, text, voice name, text…
            chunks = _VOICE.split(part) if "<" in part else [part]
            voice = None
            for index, chunk in enumerate(chunks):
                if index % 2:
                    voice = _plain(chunk or "") or None
                    continue
                text = _clean_markup(chunk)
                if text or voice:
                    lines.append(_Line(voice, text))
    return lines


# ---- rolling captions --------------------------------------------------------------------------------
def _carried_over(previous: list[str], current: list[str]) -> int:
    """The longest k (<= 3) with the first k lines of ``current`` equal to the last k of ``previous``."""
    for k in range(min(len(previous), len(current), _MAX_CARRY_LINES), 0, -1):
        if previous[-k:] == current[:k]:
            return k
    return 0


def _drop_carry_over(cues: list[_Cue]) -> None:
    """Remove rolling-caption repeats in place (the rule is in the module docstring)."""
    previous: _Cue | None = None
    previous_texts: list[str] = []
    for cue in cues:
        texts = [line.text for line in cue.lines]
        if previous is not None and cue.start <= previous.end + _FLASH_SECONDS:
            k = _carried_over(previous_texts, texts)
            if k and (k < len(texts) or cue.flash or previous.flash):
                cue.lines = cue.lines[k:]
        previous, previous_texts = cue, texts


# ---- speakers ----------------------------------------------------------------------------------------
@lru_cache(maxsize=4096)
def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


@lru_cache(maxsize=4096)
def _is_name(candidate: str) -> bool:
    words = candidate.split()
    if not 1 <= len(words) <= 4 or not all(_NAME_WORD.fullmatch(w) for w in words):
        return False
    if not words[0][0].isupper() or _has_sound_word(candidate):
        return False
    return all(w[0].isupper() or w.isdigit() or w.casefold() in _NAME_PARTICLES for w in words[1:])


def _strip_prefixes(text: str) -> tuple[str, bool]:
    """Text without a leading dialogue dash or ``>>``; and whether ``>>`` was there."""
    if not text or text[0] not in "-–—>":
        return text, False
    dash = _DASH.match(text)
    if dash:
        text = text[dash.end():]
    chevrons = _CHEVRONS.match(text)
    return (text[chevrons.end():], True) if chevrons else (text, False)


def _find_label(text: str, chevrons: bool) -> _Label | None:
    """A speaker-label candidate at the start of ``text`` (not yet accepted)."""
    if not text or (text[0] not in "[(" and ":" not in text[:62]):
        return None
    colon = _COLON_LABEL.match(text)
    if colon and _is_name(colon.group(1)):
        return _Label(" ".join(colon.group(1).split()), colon.group(2).strip(), False, chevrons)
    bracket = _BRACKET_LABEL.match(text)
    if bracket:
        name = (bracket.group(1) or bracket.group(2)).strip()
        if _is_name(name):
            return _Label(" ".join(name.split()), bracket.group(3).strip(), True, chevrons)
    return None


def _is_all_caps(name: str) -> bool:
    return name.isupper() and sum(c.isalpha() for c in name) >= 2


def _accepted_names(labels: Iterable[_Label], voices: Iterable[str], speaker: str | None) -> set[str]:
    """Keys of the label names that name a speaker (see the module docstring)."""
    labels = list(labels)
    accepted = {_key(v) for v in voices}
    if speaker is not None:
        accepted.add(_key(speaker))
    prose = {label.name for label in labels if label.name.split()[0].casefold() in _PROSE_WORDS}
    counts = Counter(_key(label.name) for label in labels if label.name not in prose)
    accepted |= {key for key, count in counts.items() if count >= 2}
    accepted |= {_key(label.name) for label in labels if label.name not in prose
                 and (label.chevrons or (not label.bracketed and _is_all_caps(label.name)))}
    return accepted


# ---- non-speech --------------------------------------------------------------------------------------
def _music_line(text: str, in_song: bool) -> tuple[bool, bool]:
    """Whether ``text`` is sung/music, and whether a song is still open after it."""
    if not text or not (in_song or text[0] in _MUSIC_NOTES or text[-1] in _MUSIC_NOTES):
        return False, in_song
    if not text.strip(_MUSIC_NOTES + " "):
        return True, not in_song  # a line of only notes opens or closes a song
    ends = text[-1] in _MUSIC_NOTES
    if in_song or text[0] in _MUSIC_NOTES:
        return True, not ends
    return True, False  # "… last lyric ♪"


def _paren_is_description(content: str, whole_line: bool) -> bool:
    """``(content)`` describes a sound: it holds a sound word, or is ALL-CAPS (inline: 2+ words),
    or is a whole line starting in lowercase. ``(which we built)`` inside a sentence is speech."""
    words = _word_count(content)
    if _has_sound_word(content) and (whole_line or words <= 4):
        return True
    if content.isupper():
        return whole_line or words >= 2
    return whole_line and content[:1].islower()


def _stars_is_description(content: str, whole_line: bool) -> bool:
    """``*content*`` describes a sound (``*laughs*``), not emphasis (``*really*``)."""
    words = _word_count(content)
    if _has_sound_word(content) and words <= 3:
        return True
    return whole_line and content[:1].islower() and words <= 3


def _remove_non_speech(text: str) -> tuple[str, int]:
    """``text`` without caption descriptions, and the number of words removed."""
    if "[" not in text and "(" not in text and "*" not in text:
        return text, 0
    for pattern, is_description in ((_PAREN, _paren_is_description), (_ASTERISKS, _stars_is_description)):
        whole = pattern.fullmatch(text) if text[0] in "(*" else None
        if whole and is_description(whole.group(1), True):
            return "", _word_count(whole.group(1))
    removed = 0

    def drop(match: re.Match[str]) -> str:
        nonlocal removed
        removed += _word_count(match.group(1))
        return " "

    if "[" in text:
        text = _SQUARE.sub(drop, text)
    if "(" in text:
        text = _PAREN.sub(lambda m: drop(m) if _paren_is_description(m.group(1), False) else m.group(0), text)
    if "*" in text:
        text = _ASTERISKS.sub(lambda m: drop(m) if _stars_is_description(m.group(1), False) else m.group(0), text)
    return " ".join(text.split()), removed


# ---- segments ----------------------------------------------------------------------------------------
def _prepared(cues: list[_Cue]) -> Iterator[tuple[_Cue, list[tuple[_Line, str, _Label | None]]]]:
    for cue in cues:
        prepared = []
        for line in cue.lines:
            text, chevrons = _strip_prefixes(line.text)
            prepared.append((line, text, None if line.voice else _find_label(text, chevrons)))
        yield cue, prepared


def _segments(cues: list[_Cue], speaker: str | None) -> list[Segment]:
    """One segment per line of speech (empty text: a removed non-speech line), speakers resolved."""
    prepared = list(_prepared(cues))
    labels = [label for _, lines in prepared for _, _, label in lines if label]
    voices = [line.voice for _, lines in prepared for line, _, _ in lines if line.voice]
    accepted = _accepted_names(labels, voices, speaker)
    display: dict[str, str] = {}  # key -> first spelling seen
    current: str | None = None
    segments: list[Segment] = []
    for cue, lines in prepared:
        in_song = False
        for line, text, label in lines:
            removed = 0
            if line.voice:
                current = display.setdefault(_key(line.voice), line.voice)
            elif label and _key(label.name) in accepted:
                current = display.setdefault(_key(label.name), label.name)
                text = label.rest
            elif label and label.bracketed:
                text, removed = label.rest, _word_count(label.name)
            music, in_song = _music_line(text, in_song)
            if music:
                removed += _word_count(text)
                text = ""
            else:
                text, more = _remove_non_speech(text)
                removed += more
            if text or removed:
                segments.append(Segment(current, text, cue.start, cue.end, removed))
    return segments


def _read(text: str, fmt: str, speaker: str | None) -> tuple[list[Segment], int]:
    cues, skipped = _read_cues(text, fmt)
    for cue in cues:
        cue.lines = _clean_lines(cue.raw)
    _drop_carry_over(cues)
    return _segments(cues, speaker), skipped


def parse_cues(text: str, fmt: str, *, speaker: str | None = None) -> list[Segment]:
    """Segments of speech (one per line of cue text) in file order; raises ExtractionError if there
    are none. ``speaker`` is the requested speaker: its ``Name:`` label is accepted even if used once."""
    segments = [s for s in _read(text, fmt, speaker)[0] if s.text]
    if not segments:
        raise ExtractionError(f"has no {fmt.upper()} cues with text")
    return segments


def _same_speaker(a: str | None, b: str | None) -> bool:
    return _key(a or "") == _key(b or "")


def turns(segments: list[Segment]) -> list[tuple[str | None, str]]:
    """Merge consecutive segments of one speaker into turns; a silence of 2 s or more starts a new
    paragraph (a new turn of the same speaker)."""
    result: list[tuple[str | None, list[str], float]] = []
    for segment in segments:
        if not segment.text:
            continue
        pause = segment.start - result[-1][2] if result else 0.0
        if result and _same_speaker(result[-1][0], segment.speaker) and pause < _PARAGRAPH_GAP_SECONDS:
            result[-1][1].append(segment.text)
            result[-1] = (result[-1][0], result[-1][1], segment.end)
        else:
            result.append((segment.speaker, [segment.text], segment.end))
    return [(speaker, " ".join(parts)) for speaker, parts, _ in result]


# ---- entry points ------------------------------------------------------------------------------------
def extract_transcript(text: str, fmt: str, *, speaker: str | None = None) -> TranscriptText:
    """Text of a transcript (one paragraph per turn; ``Name: text`` when several speakers and no
    filter) with what was recognised and removed on the way. ``speaker`` keeps only that speaker's
    turns; non-speech words are counted within the kept turns."""
    from lendaria.text import normalize_text

    segments, skipped = _read(text, fmt, speaker)
    spoken = [s for s in segments if s.text]
    if not spoken:
        raise ExtractionError(f"has no {fmt.upper()} cues with text")
    all_turns = turns(spoken)
    speakers = tuple(sorted({s.speaker for s in spoken if s.speaker}, key=str.casefold))
    if speaker is not None:
        kept = [t for s, t in all_turns if _same_speaker(s, speaker)]
        if not kept:
            found = ", ".join(speakers) if speakers else "none (no voice tags or 'Name:' labels)"
            raise ExtractionError(f"speaker {speaker!r} not found; speakers in this transcript: {found}")
        body = "\n\n".join(kept)
        non_speech = sum(s.non_speech_words for s in segments if _same_speaker(s.speaker, speaker))
    else:
        labelled = len(speakers) > 1
        body = "\n\n".join(f"{s}: {t}" if s and labelled else t for s, t in all_turns)
        non_speech = sum(s.non_speech_words for s in segments)
    return TranscriptText(normalize_text(body), speakers, non_speech, skipped)


def transcript_to_text(text: str, fmt: str, *, speaker: str | None = None) -> str:
    """Text of a transcript: one paragraph per turn; ``Name: text`` when several speakers and no filter."""
    return extract_transcript(text, fmt, speaker=speaker).text
