"""Stylometric features of a text in a fixed feature space, and the distances fidelity is built on.

Pure functions over numpy arrays. A :class:`FeatureSpace` is the reference's most frequent words and
character 3-grams with their mean and standard deviation over 2,000-word reference chunks
(``data/reference-*.{json,npz}``, built by ``_build/make_reference.py``). A text becomes two vectors
of relative frequencies in that space, z-scored against the reference; two texts (or a text and a
mind) are compared with **Cosine Delta** (Smith & Aldridge 2011; Evert et al. 2017: the cosine
distance between z-score vectors, the best-tested member of Burrows' Delta family) on words and on
character 3-grams separately.

numpy does this in a few lines over a fixed vocabulary. ``faststylometry`` implements classic
Burrows' Delta over its own corpus object, which fits neither the fixed shared feature space nor the
calibration we need, so it is not used.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

CHUNK_WORDS = 2_000
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*", re.UNICODE)
_SPACES = re.compile(r"\s+")


def words_of(text: str) -> list[str]:
    return [w.lower().replace("’", "'") for w in _WORD.findall(text)]


def char_ngrams(text: str, n: int = 3) -> Counter:
    """Counts of character n-grams of the lower-cased text with runs of white space made one space."""
    flat = _SPACES.sub(" ", text.lower())
    return Counter(flat[i:i + n] for i in range(len(flat) - n + 1))


@dataclass(frozen=True)
class FeatureSpace:
    words: tuple[str, ...]
    ngrams: tuple[str, ...]
    word_mean: np.ndarray
    word_sd: np.ndarray
    ngram_mean: np.ndarray
    ngram_sd: np.ndarray

    def counts(self, text: str) -> tuple[np.ndarray, np.ndarray, int, int]:
        """Raw counts in this space, plus the text's total words and total n-grams."""
        tokens = words_of(text)
        word_counts = Counter(tokens)
        grams = char_ngrams(text)
        return (np.array([word_counts.get(w, 0) for w in self.words], dtype=float),
                np.array([grams.get(g, 0) for g in self.ngrams], dtype=float), len(tokens), sum(grams.values()))

    def z(self, word_counts: np.ndarray, ngram_counts: np.ndarray, total_words: int, total_ngrams: int) -> tuple[np.ndarray, np.ndarray]:
        """z-scored relative frequencies (words, n-grams)."""
        word_rel = word_counts / max(total_words, 1)
        ngram_rel = ngram_counts / max(total_ngrams, 1)
        return (word_rel - self.word_mean) / self.word_sd, (ngram_rel - self.ngram_mean) / self.ngram_sd


def cosine_distance(a: np.ndarray, b: np.ndarray) -> float:
    norm = float(np.linalg.norm(a) * np.linalg.norm(b))
    return 1.0 - float(a @ b) / norm if norm else 1.0


def chunks(text: str, size: int = CHUNK_WORDS) -> list[str]:
    """Consecutive whole-word chunks of ``size`` words (a last, shorter remainder is dropped when
    there is at least one full chunk)."""
    tokens = text.split()
    pieces = [" ".join(tokens[i:i + size]) for i in range(0, len(tokens), size)]
    if len(pieces) > 1 and len(pieces[-1].split()) < size:
        pieces.pop()
    return pieces


def sentence_lengths(text: str) -> list[int]:
    return [len(s.split()) for s in re.split(r"(?<=[.!?…])\s+", text) if s.strip()]


FUNCTION_WORDS = ("the", "of", "and", "to", "a", "in", "that", "it", "is", "i", "not", "but", "with", "as", "for",
                  "be", "we", "you", "on", "this", "which", "by", "or", "all", "so", "if", "what", "when", "my", "our")
PUNCTUATION = {"comma": ",", "semicolon": ";", "colon": ":", "dash": "—", "question": "?", "exclamation": "!",
               "quote": "\"", "parenthesis": "("}
