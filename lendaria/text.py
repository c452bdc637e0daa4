"""Text utilities shared by the packs: normalisation, word counts, language guess, slugs.

All functions are pure and deterministic.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from lendaria.languages import text_languages, text_resources

_TRAILING_WS = re.compile(r"[ \t\u00a0]+$", re.MULTILINE)
_MANY_BLANK_LINES = re.compile(r"\n{3,}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ZERO_WIDTH = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")


def normalize_text(text: str) -> str:
    """Canonical form of extracted text, so equal content hashes equally.

    NFC; newlines unified to ``\\n``; control and zero-width characters removed; trailing spaces
    dropped; runs of blank lines collapsed to one; no leading/trailing blank lines; one final newline
    (empty text stays empty).
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text)
    text = _ZERO_WIDTH.sub("", text)
    text = _CONTROL.sub("", text)
    text = text.replace("\t", " ")
    text = _TRAILING_WS.sub("", text)
    text = _MANY_BLANK_LINES.sub("\n\n", text)
    text = text.strip("\n")
    return text + "\n" if text.strip() else ""


def word_count(text: str) -> int:
    """Whitespace-separated tokens (the same rule as the corpus manifest: ``len(text.split())``)."""
    return len(text.split())


_SLUG_STRIP = re.compile(r"[^a-z0-9]+")


def slugify(value: str, *, max_length: int = 48) -> str:
    """ASCII, lowercase, hyphen-separated slug of ``value`` (may be empty)."""
    ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    slug = _SLUG_STRIP.sub("-", ascii_text.lower()).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rstrip("-")
    return slug


_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def stopwords_for(language: str | None) -> frozenset[str]:
    """Frequent function words of ``language`` (ISO 639-1), or of every language we know when unknown
    (``lendaria/languages/<code>/text.yaml``)."""
    return text_resources(language).stop_words


def detect_language(text: str, *, sample_words: int = 5000) -> str | None:
    """Guess an ISO 639-1 code from function-word frequencies; ``None`` when unsure.

    Counts how many of the first ``sample_words`` words are frequent function words of each
    language; the winner must cover at least 15% of the sample and lead the runner-up clearly.
    """
    words = [w.lower() for w in _WORD.findall(text[: sample_words * 12])][:sample_words]
    if len(words) < 5:
        return None
    counts = Counter(words)
    scores = {lang: sum(counts[w] for w in text_resources(lang).stop_words) for lang in text_languages()}
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    (best, best_score), (_, second_score) = ranked[0], ranked[1]
    if best_score < 0.15 * len(words) or best_score < 1.3 * second_score:
        return None
    return best


# A transcript's speaker turn: a paragraph opening with "Name:" (one to four capitalised words). A label
# counts as a speaker when it is a full name (two words or more) or opens two or more paragraphs of the
# body: "Definitely: the sand is lower" or "Note: …" once is the writer's own paragraph, not a voice.
SPEAKER_LABEL = re.compile(r"([A-Z][\w.'’-]*(?:[ \t]+[A-Z][\w.'’-]*){0,3}):[ \t]+")
_PARAGRAPH = re.compile(r"[^\n]+(?:\n(?![ \t]*\n)[^\n]*)*")


def speaker_turns(body: str) -> list[tuple[int, int, str]]:
    """(start, end, label) of each paragraph of ``body`` opened by a speaker label (a full name, or a
    label that opens two or more of its paragraphs), in order."""
    paragraphs = []
    for match in _PARAGRAPH.finditer(body):
        start = match.start() + len(match.group(0)) - len(match.group(0).lstrip(" \t"))
        label = SPEAKER_LABEL.match(body, start)
        if label:
            paragraphs.append((match.start(), match.end(), label.group(1)))
    counts: dict[str, int] = {}
    for _, _, label in paragraphs:
        counts[label] = counts.get(label, 0) + 1
    return [p for p in paragraphs if counts[p[2]] >= 2 or len(p[2].split()) >= 2]


def speaker_labels(body: str) -> frozenset[str]:
    """The speaker labels of ``body`` (see :func:`speaker_turns`)."""
    return frozenset(label for _, _, label in speaker_turns(body))


# What people write in mind.yaml's ``language`` besides a two-letter code.
LANGUAGE_ALIASES = {"eng": "en", "english": "en", "inglês": "en", "ingles": "en",
                    "por": "pt", "portuguese": "pt", "português": "pt", "portugues": "pt"}


def language_code(declared: str | None) -> str | None:
    """The two-letter code of a declared language: ``pt-BR`` and ``pt_PT`` are ``pt``, ``por`` and
    ``Português`` too; None when nothing (or ``und``) is declared."""
    value = (declared or "").strip().lower().replace("_", "-").split("-")[0]
    value = LANGUAGE_ALIASES.get(value, value)
    return value if value and value != "und" else None
