"""A language's stylometric feature space, and texts as count vectors in it (pure functions).

The features of a language are its **function words** (a fixed list per language, in
``lendaria/languages/<code>/text.yaml``), then its most frequent words, then its most frequent character
3-grams, chosen on a set of writers with every writer weighing the same (so one prolific writer does not
pick the vocabulary). A text becomes a :class:`Doc`: raw counts of those features plus its totals,
additive, so a profile is a sum of chunks.
Relative frequencies are z-scored with the mean and standard deviation of the writers' 2,000-word
chunks; two z-score vectors are compared by their cosine (Cosine Delta: Smith & Aldridge 2011, Evert et
al. 2017).

English features are never applied to another language: every space names its language, and a text
is scored only in the space of its own language.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

import numpy as np

from lendaria.languages import text_languages, text_resources

CHUNK_WORDS = 2_000
WORD_FEATURES = 600  # chosen on the dev writers (bench/fidelity.py --dev): 400 + 400 gave 97.7 %, 600 + 600 98.2 %
NGRAM_FEATURES = 600
SD_FLOOR = 1e-6
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*", re.UNICODE)
_SPACES = re.compile(r"\s+")

# Closed-class words (articles, pronouns, prepositions, conjunctions, auxiliaries, frequent adverbs) of
# each language that has them, in their fixed feature order (lendaria/languages/<code>/text.yaml).
FUNCTION_WORDS: dict[str, tuple[str, ...]] = {
    code: text_resources(code).function_words for code in text_languages() if text_resources(code).function_words}


LANGUAGE_MIN_WORDS = 20
LANGUAGE_SAMPLE_CHARS = 20_000


def language_of(text: str) -> str | None:
    """ISO 639-1 code of the text (py3langid's naive Bayes model, on its first 20,000 characters);
    None under 20 words."""
    if len(text.split()) < LANGUAGE_MIN_WORDS:
        return None
    import py3langid

    return py3langid.classify(text[:LANGUAGE_SAMPLE_CHARS])[0]


@lru_cache(maxsize=1)
def detectable_languages() -> frozenset[str]:
    """The languages :func:`language_of` can name (py3langid's model's classes)."""
    import py3langid
    from py3langid import langid

    py3langid.classify("a")  # loads the model
    return frozenset(str(code) for code in langid.IDENTIFIER.nb_classes)


def words_of(text: str) -> list[str]:
    return [w.lower().replace("’", "'") for w in _WORD.findall(text)]


def char_ngrams(text: str, n: int = 3) -> Counter:
    """Counts of character n-grams of the lower-cased text with runs of white space made one space."""
    flat = _SPACES.sub(" ", text.lower())
    return Counter(flat[i:i + n] for i in range(len(flat) - n + 1))


def chunks(text: str, size: int = CHUNK_WORDS) -> list[str]:
    """Consecutive whole-word chunks of ``size`` words (a last, shorter remainder is dropped when
    there is at least one full chunk)."""
    tokens = text.split()
    pieces = [" ".join(tokens[i:i + size]) for i in range(0, len(tokens), size)]
    if len(pieces) > 1 and len(pieces[-1].split()) < size:
        pieces.pop()
    return pieces


def training_chunks(text: str, size: int = CHUNK_WORDS) -> list[str]:
    """Consecutive whole-word chunks of ``size`` words, the last remainder with them (a mind's text as
    its classifier learns from it; the caller decides whether a short remainder stands as a chunk)."""
    tokens = text.split()
    return [" ".join(tokens[i:i + size]) for i in range(0, len(tokens), size)]


@dataclass(frozen=True)
class Tally:
    """Word and 3-gram counts of a text with its totals: what feature vocabularies are chosen from and
    what a text becomes in any space. Additive."""

    words: Counter
    ngrams: Counter
    total_words: int
    total_ngrams: int

    @classmethod
    def of(cls, text: str) -> "Tally":
        words, ngrams = Counter(words_of(text)), char_ngrams(text)
        return cls(words, ngrams, sum(words.values()), sum(ngrams.values()))

    def __add__(self, other: "Tally") -> "Tally":
        return Tally(self.words + other.words, self.ngrams + other.ngrams, self.total_words + other.total_words,
                     self.total_ngrams + other.total_ngrams)


def choose_features(writers: Iterable[list[Tally]], language: str, words: int = WORD_FEATURES,
                    ngrams: int = NGRAM_FEATURES) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The language's function words, then its most frequent words up to ``words``, and its ``ngrams``
    most frequent 3-grams, each writer's relative frequencies weighing the same (ties by the feature)."""
    word_weight: Counter = Counter()
    ngram_weight: Counter = Counter()
    for tallies in writers:
        w_total = sum(t.total_words for t in tallies) or 1
        g_total = sum(t.total_ngrams for t in tallies) or 1
        for t in tallies:
            for key, value in t.words.items():
                word_weight[key] += value / w_total
            for key, value in t.ngrams.items():
                ngram_weight[key] += value / g_total
    chosen = [w for w in FUNCTION_WORDS.get(language, ()) if w in word_weight][:words]
    taken = set(chosen)
    for word, _ in sorted(word_weight.items(), key=lambda kv: (-kv[1], kv[0])):
        if len(chosen) >= words:
            break
        if word not in taken:
            chosen.append(word)
            taken.add(word)
    grams = [g for g, _ in sorted(ngram_weight.items(), key=lambda kv: (-kv[1], kv[0]))[:ngrams]]
    return tuple(chosen), tuple(grams)


SHINGLE_WORDS = 5
SKETCH_SIZE = 32


def shingle_hashes(text: str, n: int = SHINGLE_WORDS) -> np.ndarray:
    """The distinct 64-bit hashes (blake2b) of the text's runs of ``n`` words, sorted: what tells whether two
    texts share passages, without keeping either text."""
    import hashlib

    tokens = words_of(text)
    hashes = {int.from_bytes(hashlib.blake2b(" ".join(tokens[i:i + n]).encode("utf-8"), digest_size=8).digest(), "big")
              for i in range(len(tokens) - n + 1)}
    return np.array(sorted(hashes), dtype=np.uint64)


def sketch(text: str, size: int = SKETCH_SIZE) -> np.ndarray:
    """The ``size`` smallest shingle hashes of the text (a bottom-k sketch, Broder 1997)."""
    hashes = shingle_hashes(text)[:size]
    return np.pad(hashes, (0, size - len(hashes)), constant_values=np.iinfo(np.uint64).max)


@dataclass(frozen=True)
class Doc:
    """A text (or a set of texts) as raw feature counts plus its totals; additive."""

    counts: np.ndarray
    total_words: int
    total_ngrams: int

    def __add__(self, other: "Doc") -> "Doc":
        return Doc(self.counts + other.counts, self.total_words + other.total_words, self.total_ngrams + other.total_ngrams)

    @property
    def words(self) -> int:
        return self.total_words


def total(docs: Iterable[Doc]) -> Doc:
    docs = list(docs)
    return Doc(np.sum([d.counts for d in docs], axis=0), sum(d.total_words for d in docs), sum(d.total_ngrams for d in docs))


@dataclass(frozen=True)
class Space:
    """The feature space of one language: features, and the mean and sd of their relative frequencies
    over writers' chunks. ``basis`` says which writers it was built on."""

    language: str
    words: tuple[str, ...]
    ngrams: tuple[str, ...]
    mean: np.ndarray
    sd: np.ndarray
    basis: str

    @property
    def size(self) -> int:
        return len(self.words) + len(self.ngrams)

    def doc(self, text: str) -> Doc:
        return self.doc_of(Tally.of(text))

    def doc_of(self, tally: Tally) -> Doc:
        counts = [tally.words.get(w, 0) for w in self.words] + [tally.ngrams.get(g, 0) for g in self.ngrams]
        return Doc(np.array(counts, dtype=float), tally.total_words, tally.total_ngrams)

    def relative(self, doc: Doc) -> np.ndarray:
        n = len(self.words)
        return np.concatenate([doc.counts[:n] / max(doc.total_words, 1), doc.counts[n:] / max(doc.total_ngrams, 1)])

    def z(self, doc: Doc) -> np.ndarray:
        return (self.relative(doc) - self.mean) / self.sd

    def z_rows(self, docs: Iterable[Doc]) -> np.ndarray:
        rows = [self.z(d) for d in docs]
        return np.vstack(rows) if rows else np.zeros((0, self.size))


def space_from_relative(language: str, words: tuple[str, ...], ngrams: tuple[str, ...], relative_rows: np.ndarray,
                        basis: str) -> Space:
    """A space whose mean and sd come from chunk rows of relative frequencies (features in order)."""
    return Space(language, words, ngrams, relative_rows.mean(axis=0), np.maximum(relative_rows.std(axis=0), SD_FLOOR), basis)


def cosine_distance(a: np.ndarray, b: np.ndarray) -> float:
    norm = float(np.linalg.norm(a) * np.linalg.norm(b))
    return 1.0 - float(a @ b) / norm if norm else 1.0
