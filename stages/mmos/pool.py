"""The reference pool: writers of several languages and genres, shipped as derived statistics only.

``data/pool.json`` lists every writer (id, name, language, genre, era, words, the sources its numbers
come from) and, per language, the candidate features (the language's function words, its 1,000 most
frequent words and 1,000 most frequent character 3-grams, every writer weighing the same);
``data/pool-<language>.npz`` holds, for each 2,000-word chunk of each writer, the counts of those
features and the chunk's totals. Numbers only, never text: ``_build/make_pool.py`` builds them from
``../shared/corpus`` (its benchmark chunks left out) and from the public-domain texts recorded in
``_build/pool-sources.yaml``.

A language's :class:`~stages.mmos.space.Space` is chosen from the candidates on the writers in use
(:meth:`LanguagePool.space`), so a benchmark that leaves a writer out chooses its features and z-score
statistics without that writer.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from stages.mmos.impostors import Platt
from stages.mmos.space import FUNCTION_WORDS, NGRAM_FEATURES, SD_FLOOR, WORD_FEATURES, Doc, Space, Tally, total

DATA = Path(__file__).parent / "data"
POOL_FILE = DATA / "pool.json"


BENCH_HELD_OUT_EVERY, BENCH_HELD_OUT_AT = 7, 3


def counts_file(language: str) -> Path:
    return DATA / f"pool-{language}.npz"


def is_bench_held_out(index: int) -> bool:
    """Every seventh 2,000-word chunk of a corpus author is the benchmark's, never in the pool."""
    return index % BENCH_HELD_OUT_EVERY == BENCH_HELD_OUT_AT


def corpus_texts(corpus: Path) -> dict[str, str]:
    """Author folder -> its text (the folder's files in name order, a blank line between them)."""
    return {folder.name: "\n\n".join(p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt")))
            for folder in sorted(p for p in corpus.iterdir() if p.is_dir())}


@dataclass(frozen=True)
class Writer:
    """A writer that can stand as an impostor: a pool writer or another mind, with its profile (all its
    text) and its chunks (what calibration scores), as counts in one space."""

    id: str
    name: str
    kind: str  # pool | mind
    genre: str
    era: str
    profile: Doc
    chunks: tuple[Doc, ...]

    def describe(self) -> dict:
        return {"id": self.id, "kind": self.kind, "name": self.name, "genre": self.genre, "era": self.era}


@dataclass(frozen=True, eq=False)  # hashed by identity: one per language, cached
class LanguagePool:
    language: str
    words: tuple[str, ...]  # candidate features
    ngrams: tuple[str, ...]
    writers: tuple[dict, ...]  # metadata, in writer index order
    counts: np.ndarray  # chunks x (words + ngrams)
    totals: np.ndarray  # chunks x 2 (words, 3-grams)
    writer_of: np.ndarray  # chunk -> writer index
    sketches: np.ndarray  # chunks x SKETCH_SIZE: the smallest 5-word shingle hashes of each chunk

    def sharing_texts(self, hashes: np.ndarray, share: float = 0.5) -> set[str]:
        """Writers with a chunk of which at least ``share`` of the sketch is among ``hashes`` (a text's
        shingle hashes): their texts are in that text, so the text is theirs (or quotes them at length)."""
        if len(hashes) == 0:
            return set()
        present = np.isin(self.sketches, hashes).mean(axis=1)
        return {self.writers[i]["id"] for i in set(self.writer_of[present >= share].tolist())}

    def ids(self) -> list[str]:
        return [w["id"] for w in self.writers]

    def _kept(self, exclude: frozenset[str]) -> list[int]:
        return [i for i, w in enumerate(self.writers) if w["id"] not in exclude]

    def _relative(self, rows: np.ndarray) -> np.ndarray:
        n = len(self.words)
        words = self.counts[rows, :n] / np.maximum(self.totals[rows, 0:1], 1)
        ngrams = self.counts[rows, n:] / np.maximum(self.totals[rows, 1:2], 1)
        return np.hstack([words, ngrams])

    def space(self, exclude: frozenset[str] = frozenset(), words: int = WORD_FEATURES, ngrams: int = NGRAM_FEATURES,
              function_words: bool = True) -> Space:
        """The space chosen on every writer but ``exclude``: the language's function words first (unless
        ``function_words`` is false: plain most frequent words), then the most frequent words and 3-grams."""
        return _space(self, exclude, words, ngrams, function_words)

    def tallies(self, writer_id: str) -> list[Tally]:
        """A writer's chunks as tallies over the candidate features (with their true totals)."""
        index = self.ids().index(writer_id)
        n = len(self.words)
        result = []
        for r in np.flatnonzero(self.writer_of == index):
            row = self.counts[r]
            result.append(Tally(Counter({w: int(c) for w, c in zip(self.words, row[:n]) if c}),
                                Counter({g: int(c) for g, c in zip(self.ngrams, row[n:]) if c}),
                                int(self.totals[r, 0]), int(self.totals[r, 1])))
        return result

    def pool_writers(self, space: Space, exclude: frozenset[str] = frozenset()) -> list[Writer]:
        """The pool's writers (but ``exclude``) as counts in ``space``."""
        words = {f: i for i, f in enumerate(self.words)}
        ngrams = {f: len(self.words) + i for i, f in enumerate(self.ngrams)}
        columns = [words[w] for w in space.words] + [ngrams[g] for g in space.ngrams]
        result = []
        for i in self._kept(exclude):
            rows = np.flatnonzero(self.writer_of == i)
            chunks = tuple(Doc(self.counts[r, columns].astype(float), int(self.totals[r, 0]), int(self.totals[r, 1])) for r in rows)
            profile = total(chunks)
            meta = self.writers[i]
            result.append(Writer(meta["id"], meta["name"], "pool", meta["genre"], meta["era"], profile, chunks))
        return result


@lru_cache(maxsize=32)
def _space(pool: LanguagePool, exclude: frozenset[str], words: int, ngrams: int, function_words: bool) -> Space:
    kept = pool._kept(exclude)
    rows = np.flatnonzero(np.isin(pool.writer_of, kept))
    relative = pool._relative(rows)
    n = len(pool.words)
    # every writer weighs the same in the choice of features: the mean of its chunks' relative frequencies
    weight = np.mean([relative[pool.writer_of[rows] == i].mean(axis=0) for i in kept], axis=0)
    function = [pool.words.index(w) for w in FUNCTION_WORDS.get(pool.language, ()) if w in pool.words][:words] if function_words else []
    ranked = [i for i in sorted(range(n), key=lambda i: (-weight[i], pool.words[i])) if i not in function]
    word_columns = function + ranked[:words - len(function)]
    gram_columns = sorted(range(n, n + len(pool.ngrams)), key=lambda i: (-weight[i], pool.ngrams[i - n]))[:ngrams]
    columns = word_columns + gram_columns
    chosen = relative[:, columns]
    names = ", ".join(sorted({pool.writers[i]["genre"] for i in kept}))
    return Space(pool.language, tuple(pool.words[i] for i in word_columns), tuple(pool.ngrams[i - n] for i in gram_columns),
                 chosen.mean(axis=0), np.maximum(chosen.std(axis=0), SD_FLOOR),
                 f"reference pool ({pool.language}): {len(kept)} writers ({names}), {len(rows)} chunks of 2,000 words")


@dataclass(frozen=True)
class Pool:
    languages: dict[str, LanguagePool]
    meta: dict

    def get(self, language: str) -> LanguagePool | None:
        return self.languages.get(language)

    def calibration(self) -> tuple[Platt, str] | None:
        """The map from distance to the boundary to P(mind), one for every mind, and what it was fitted on
        (None for a pool built without it)."""
        entry = self.meta.get("calibration")
        if entry is None:
            return None
        platt = Platt(entry["slope"], entry["intercept"], entry["own_examples"], entry["other_examples"])
        return platt, (f"one map for every mind, fitted on the pool's {entry['writers']} dev writers ({', '.join(entry['languages'])}) "
                       f"verified as minds: {entry['own_examples']} own held-out chunks, {entry['other_examples']} impostor chunks")

    def coverage(self) -> dict[str, dict]:
        """Per language: writers and genres (what the pool covers)."""
        return {lang: {"writers": len(p.writers), "genres": sorted({w["genre"] for w in p.writers})}
                for lang, p in sorted(self.languages.items())}


@lru_cache(maxsize=1)
def load_pool() -> Pool:
    meta = json.loads(POOL_FILE.read_text(encoding="utf-8"))
    languages = {}
    for language, entry in meta["languages"].items():
        arrays = np.load(counts_file(language), allow_pickle=False)
        languages[language] = LanguagePool(language, tuple(entry["words"]), tuple(entry["ngrams"]), tuple(entry["writers"]),
                                           arrays["counts"], arrays["totals"], arrays["writer"], arrays["sketch"])
    return Pool(languages, meta)
