"""Offline Big Five from a person's own words: open lexical features, z-scored against a reference,
weighted by the direction of published correlations. Pure functions.

Honesty first: text-based Big Five agrees only modestly with questionnaires (r ≈ .2–.4 in the
literature). The scores say where this person's *writing* sits relative to the reference writers,
on features that the studies below found to go with each trait; nothing more.

Features (rates per 1,000 words):
* **Empath categories** (Fast et al. 2016; MIT licence, its lexicon ships with the ``empath`` package),
  standing in for the LIWC categories the studies used (LIWC, NRC and WWBP lexicons are not used: their
  licences forbid it).
* **Function-word and style rates** from our own short lists: first-person singular, articles,
  negations, tentative words, words longer than six letters.

Weights: the sign of each published trait–feature correlation, scaled by its rough size (Pennebaker &
King 1999; Yarkoni 2010; Mairesse et al. 2007). A trait's raw value is the weighted mean of the
feature z-scores; the score is 100·Φ(raw / sd), where sd is that raw value's spread over the
reference chunks, so 50 is the reference average.

Reference: derived statistics only (mean and standard deviation of each feature over 5,000-word
chunks of a reference corpus), never its texts: ``data/reference-rates.json``, rebuilt by
``reference_statistics``.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Iterable

TRAITS = ("openness", "conscientiousness", "extraversion", "agreeableness", "neuroticism")
CHUNK_WORDS = 5000
INSUFFICIENT_BELOW = 600
FULL_FROM = 3000
LEVELS = ((10, "very low"), (30, "low"), (70, "average"), (90, "high"), (101, "very high"))

# feature -> weight per trait (sign of the published correlation, scaled by its rough size)
WEIGHTS: dict[str, dict[str, float]] = {
    "openness": {"articles": 1.0, "long_words": 1.0, "art": 0.6, "music": 0.5, "reading": 0.5, "writing": 0.5,
                 "philosophy": 0.5, "science": 0.4, "i_words": -0.5, "family": -0.4, "positive_emotion": -0.3},
    "conscientiousness": {"achievement": 0.6, "work": 0.5, "order": 0.4, "negations": -0.6, "negative_emotion": -0.5,
                          "swearing_terms": -0.5, "anger": -0.4, "death": -0.3},
    "extraversion": {"positive_emotion": 0.6, "friends": 0.6, "party": 0.5, "celebration": 0.4, "communication": 0.4,
                     "meeting": 0.3, "tentative": -0.4, "long_words": -0.3},
    "agreeableness": {"positive_emotion": 0.5, "family": 0.5, "affection": 0.5, "sympathy": 0.4, "warmth": 0.3,
                      "anger": -0.6, "swearing_terms": -0.5, "hate": -0.5, "aggression": -0.4},
    "neuroticism": {"negative_emotion": 0.6, "nervousness": 0.5, "sadness": 0.5, "fear": 0.4, "anger": 0.3,
                    "i_words": 0.4, "suffering": 0.3, "positive_emotion": -0.3},
}
_STYLE = {
    "i_words": frozenset("i me my mine myself".split()),
    "articles": frozenset("a an the".split()),
    "negations": frozenset("no not never none nothing nobody neither nor cannot can't don't doesn't didn't won't isn't "
                           "aren't wasn't weren't".split()),
    "tentative": frozenset("maybe perhaps possibly probably seems seem guess might somewhat unsure apparently".split()),
}
_TOKEN = re.compile(r"[a-z][a-z']*")


@lru_cache(maxsize=1)
def empath_lexicon() -> dict[str, frozenset[str]]:
    """Empath's categories that the weights use: category -> words (single words only)."""
    wanted = {f for weights in WEIGHTS.values() for f in weights} - set(_STYLE) - {"long_words"}
    text = (resources.files("empath") / "data" / "categories.tsv").read_text(encoding="utf-8")
    lexicon = {}
    for line in text.splitlines():
        name, *words = line.split("\t")
        if name in wanted:
            lexicon[name] = frozenset(w for w in words if w and " " not in w)
    missing = wanted - set(lexicon)
    if missing:
        raise RuntimeError(f"Empath lexicon lacks categories {sorted(missing)}: reinstall empath==0.89")
    return lexicon


@lru_cache(maxsize=1)
def _word_index() -> dict[str, tuple[str, ...]]:
    """word -> the features it counts for (one lookup per token)."""
    index: dict[str, list[str]] = {}
    for name, words in {**empath_lexicon(), **_STYLE}.items():
        for word in words:
            index.setdefault(word, []).append(name)
    return {word: tuple(names) for word, names in index.items()}


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def feature_counts(words: Iterable[str]) -> tuple[Counter, int]:
    """(feature -> count, number of words)."""
    index = _word_index()
    counts: Counter = Counter()
    total = 0
    for word in words:
        total += 1
        for name in index.get(word, ()):
            counts[name] += 1
        if len(word) > 6:
            counts["long_words"] += 1
    return counts, total


def rates(counts: Counter, total: int) -> dict[str, float]:
    features = {f for weights in WEIGHTS.values() for f in weights}
    return {f: 1000.0 * counts.get(f, 0) / total if total else 0.0 for f in sorted(features)}


def raw_traits(feature_rates: dict[str, float], reference: dict) -> dict[str, float]:
    """Weighted mean z-score per trait."""
    stats = reference["features"]
    result = {}
    for trait, weights in WEIGHTS.items():
        total = sum(abs(w) for w in weights.values())
        result[trait] = sum(w * (feature_rates[f] - stats[f]["mean"]) / stats[f]["sd"] for f, w in weights.items()) / total
    return result


def reference_statistics(texts: Iterable[str], *, source: str) -> dict:
    """Derived statistics of a reference corpus: per-feature mean and sd over 5,000-word chunks, and the
    sd of each trait's raw value over the same chunks (for the 0-100 scale)."""
    chunk_rates = []
    for text in texts:
        words = tokens(text)
        for start in range(0, len(words) - CHUNK_WORDS + 1, CHUNK_WORDS):
            counts, total = feature_counts(words[start:start + CHUNK_WORDS])
            chunk_rates.append(rates(counts, total))
    if len(chunk_rates) < 10:
        raise ValueError("a reference needs at least ten 5,000-word chunks")
    features = {}
    for name in chunk_rates[0]:
        values = [r[name] for r in chunk_rates]
        mean = sum(values) / len(values)
        sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1)) or 1e-6
        features[name] = {"mean": round(mean, 6), "sd": round(max(sd, 1e-3), 6)}
    reference = {"source": source, "chunk_words": CHUNK_WORDS, "chunks": len(chunk_rates), "features": features}
    raws = [raw_traits(r, reference) for r in chunk_rates]
    reference["trait_sd"] = {t: round(math.sqrt(sum(r[t] ** 2 for r in raws) / (len(raws) - 1)), 6) for t in TRAITS}
    return reference


REFERENCE_FILE = Path(__file__).with_name("data") / "reference-rates.json"


@lru_cache(maxsize=1)
def default_reference() -> dict:
    return json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))


def _phi(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def level_of(score: float) -> str:
    return next(name for bound, name in LEVELS if score < bound)


@dataclass(frozen=True)
class TraitScore:
    score: float
    level: str
    confidence: float


def score_words(words: list[str], reference: dict | None = None) -> dict[str, float]:
    """0-100 per trait for a list of tokens (no gate: callers apply :func:`assess`)."""
    reference = reference or default_reference()
    counts, total = feature_counts(words)
    raw = raw_traits(rates(counts, total), reference)
    return {t: round(100 * _phi(raw[t] / reference["trait_sd"][t]), 1) for t in TRAITS}


def assess(text_parts: list[str], reference: dict | None = None) -> tuple[str, dict[str, TraitScore] | None, str]:
    """(gate, scores or None, reason). Gate: ``insufficient`` below 600 words, ``low`` to 3,000,
    ``full`` from 3,000. Confidence combines the amount of text with split-half agreement (the parts
    alternately in two halves, each scored alone)."""
    words_by_part = [tokens(p) for p in text_parts]
    words = [w for part in words_by_part for w in part]
    count = sum(len(p.split()) for p in text_parts)  # words as the project counts them everywhere
    if count < INSUFFICIENT_BELOW:
        return "insufficient", None, (f"only {count:,} words of the person's own; at least {INSUFFICIENT_BELOW:,} "
                                      "are needed for any estimate")
    gate = "full" if count >= FULL_FROM else "low"
    scores = score_words(words, reference)
    halves = ([w for part in words_by_part[0::2] for w in part], [w for part in words_by_part[1::2] for w in part])
    half_scores = [score_words(h, reference) for h in halves] if all(halves) else [scores, scores]
    amount = min(1.0, count / (4 * FULL_FROM))
    result = {}
    for trait in TRAITS:
        agreement = 1 - abs(half_scores[0][trait] - half_scores[1][trait]) / 100
        result[trait] = TraitScore(scores[trait], level_of(scores[trait]), round(max(0.05, amount * agreement), 2))
    reason = f"{count:,} words" + ("" if gate == "full" else f" (under {FULL_FROM:,}: low confidence)")
    return gate, result, reason


def fragment_contributions(text: str, trait: str, reference: dict | None = None) -> float:
    """How much one fragment pushes ``trait`` up (positive) or down: its feature counts, weighted and
    scaled by each feature's reference spread."""
    reference = reference or default_reference()
    counts, _ = feature_counts(tokens(text))
    stats = reference["features"]
    return sum(w * counts.get(f, 0) / stats[f]["sd"] for f, w in WEIGHTS[trait].items())
