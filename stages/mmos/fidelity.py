"""Voice fidelity: how much a text reads like a mind, as a calibrated 0-100 score.

A text is compared with the mind's build set by two Cosine Delta distances in the reference feature
space (``stylometry.py``): one over the 300 most frequent words, one over the 300 most frequent
character 3-grams. The two distances go through a logistic model fitted, per mind, on

* **own** examples: each 2,000-word chunk of the mind's build set against the rest of the build set
  (leave-one-chunk-out, so a chunk never meets itself), and
* **other** examples: the reference authors' chunks (and, when given, other minds' chunks) against
  the whole build set,

with balanced class weights (scikit-learn's ``LogisticRegression``). The score is 100 x the model's
probability that the text is the mind's own: 50 means "as likely own as other", and the pass
threshold (:data:`THRESHOLD`) asks for more. The held-out set is never used here; it is what the
self-check scores.

Texts shorter than the 2,000 words the model was calibrated on are noisier: the confidence is
``min(1, words / 2,500)``, and the score itself is not adjusted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stages.mmos.reference import Reference
from stages.mmos.stylometry import CHUNK_WORDS, FeatureSpace, chunks, cosine_distance

THRESHOLD = 50.0
FULL_CONFIDENCE_WORDS = 2_500
METHOD = ("cosine Delta over the reference's 300 most frequent words and over its 300 most frequent character 3-grams "
          "(z-scores against 2,000-word reference chunks), combined by a logistic model calibrated per mind on its own "
          "build-set chunks (leave-one-out) against reference authors' chunks; score = 100 x P(own)")


@dataclass(frozen=True)
class Counts:
    """Raw counts of a text (or a set of texts) in the feature space: additive, so a build set minus
    one chunk is a subtraction."""

    words: np.ndarray
    ngrams: np.ndarray
    total_words: int
    total_ngrams: int

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(self.words + other.words, self.ngrams + other.ngrams, self.total_words + other.total_words,
                      self.total_ngrams + other.total_ngrams)

    def __sub__(self, other: "Counts") -> "Counts":
        return Counts(self.words - other.words, self.ngrams - other.ngrams, self.total_words - other.total_words,
                      self.total_ngrams - other.total_ngrams)


def join_texts(texts: list[str]) -> str:
    """The build set as one text (passages in source order, a blank line between them)."""
    return "\n\n".join(texts)


def counts_of(space: FeatureSpace, text: str) -> Counts:
    return Counts(*space.counts(text))


def z_of(space: FeatureSpace, counts: Counts) -> tuple[np.ndarray, np.ndarray]:
    return space.z(counts.words, counts.ngrams, counts.total_words, counts.total_ngrams)


def distances(space: FeatureSpace, mind: Counts, text: Counts) -> tuple[float, float]:
    mind_words, mind_grams = z_of(space, mind)
    text_words, text_grams = z_of(space, text)
    return cosine_distance(text_words, mind_words), cosine_distance(text_grams, mind_grams)


@dataclass(frozen=True)
class Calibration:
    intercept: float
    coef_words: float
    coef_ngrams: float
    own_examples: int
    other_examples: int

    def probability(self, d_words: float, d_ngrams: float) -> float:
        logit = self.intercept + self.coef_words * d_words + self.coef_ngrams * d_ngrams
        return float(1.0 / (1.0 + np.exp(-np.clip(logit, -60, 60))))

    def as_dict(self) -> dict:
        return {"intercept": round(self.intercept, 6), "coef_words": round(self.coef_words, 6),
                "coef_ngrams": round(self.coef_ngrams, 6), "own_examples": self.own_examples,
                "other_examples": self.other_examples}


def own_distances(space: FeatureSpace, build: Counts, build_chunks: list[Counts]) -> list[tuple[float, float]]:
    """Each build chunk against the build set without it (leave-one-chunk-out)."""
    return [distances(space, build - chunk, chunk) for chunk in build_chunks] if len(build_chunks) > 1 else []


def other_distances(space: FeatureSpace, mind: Counts, word_z: np.ndarray, ngram_z: np.ndarray) -> list[tuple[float, float]]:
    """Reference chunks (given as z-score rows) against the mind's build set."""
    mind_words, mind_grams = z_of(space, mind)

    def cosine_rows(rows: np.ndarray, target: np.ndarray) -> np.ndarray:
        norms = np.linalg.norm(rows, axis=1) * np.linalg.norm(target)
        return 1.0 - (rows @ target) / np.where(norms == 0, 1.0, norms)

    return list(zip(cosine_rows(word_z, mind_words).tolist(), cosine_rows(ngram_z, mind_grams).tolist()))


def calibrate(own: list[tuple[float, float]], other: list[tuple[float, float]]) -> Calibration:
    from sklearn.linear_model import LogisticRegression

    if len(own) < 2 or len(other) < 2:
        raise ValueError(f"calibration needs at least 2 own and 2 other examples (got {len(own)} and {len(other)})")
    features = np.array(own + other)
    labels = np.array([1] * len(own) + [0] * len(other))
    model = LogisticRegression(class_weight="balanced", C=10.0, max_iter=1000).fit(features, labels)
    return Calibration(float(model.intercept_[0]), float(model.coef_[0][0]), float(model.coef_[0][1]), len(own), len(other))


@dataclass(frozen=True)
class MindModel:
    """What scoring needs: the feature space, the build set's counts and the calibration."""

    space: FeatureSpace
    build: Counts
    calibration: Calibration
    threshold: float = THRESHOLD


def build_model(reference: Reference, build_texts: list[str], *, exclude_authors: frozenset[str] = frozenset(),
                other_texts: list[str] = (), part: str = "all") -> MindModel:
    """Calibrate a mind from its build-set texts. ``exclude_authors``: reference authors that are the
    mind itself (a corpus author in a benchmark); ``other_texts``: other minds' build sets (one text
    each, cut into 2,000-word chunks here); ``part``:
    which reference chunks calibrate (``calibration`` leaves the other half for the self-check)."""
    space = reference.space
    joined = join_texts(build_texts)
    build = counts_of(space, joined)
    build_chunks = [counts_of(space, c) for c in chunks(joined, CHUNK_WORDS)]
    word_z, ngram_z, _ = reference.z_rows(exclude_authors, part)
    other = other_distances(space, build, word_z, ngram_z)
    other += [distances(space, build, counts_of(space, c)) for text in other_texts for c in chunks(text, CHUNK_WORDS)]
    return MindModel(space, build, calibrate(own_distances(space, build, build_chunks), other))


@dataclass(frozen=True)
class Fidelity:
    score: float
    passed: bool
    words: int
    confidence: float
    distances: tuple[float, float]

    def as_dict(self) -> dict:
        return {"score": self.score, "passed": self.passed, "words": self.words, "confidence": self.confidence,
                "distance_words": round(self.distances[0], 4), "distance_ngrams": round(self.distances[1], 4), "method": METHOD}


def score(model: MindModel, text: str) -> Fidelity:
    counts = counts_of(model.space, text)
    d = distances(model.space, model.build, counts)
    value = round(100.0 * model.calibration.probability(*d), 1)
    words = len(text.split())
    return Fidelity(value, value >= model.threshold, words, round(min(1.0, words / FULL_CONFIDENCE_WORDS), 2), d)
