"""The reference set fidelity is calibrated against: derived statistics of ``../shared/corpus``.

Each corpus author's text is cut into 2,000-word chunks; every seventh chunk (index % 7 == 3) is held
out (kept for benchmarks, never shipped), the others are the reference. What ships
(``data/reference-space.json`` and ``data/reference-chunks.npz``, rebuilt by ``_build/make_reference.py``)
is numbers only: the feature space (the reference's 300 most frequent words and 300 most frequent
character 3-grams, with their mean and sd over chunks) and each reference chunk's relative
frequencies with its author's name. No text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from stages.mmos.stylometry import CHUNK_WORDS, FeatureSpace, chunks

DATA = Path(__file__).parent / "data"
SPACE_FILE = DATA / "reference-space.json"
CHUNKS_FILE = DATA / "reference-chunks.npz"
HELD_OUT_EVERY, HELD_OUT_AT = 7, 3


def is_held_out(index: int) -> bool:
    return index % HELD_OUT_EVERY == HELD_OUT_AT


def corpus_chunks(corpus: Path) -> dict[str, list[tuple[str, bool]]]:
    """Author folder -> its 2,000-word chunks in file order, each with its held-out flag."""
    authors: dict[str, list[tuple[str, bool]]] = {}
    for folder in sorted(p for p in corpus.iterdir() if p.is_dir()):
        text = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt")))
        authors[folder.name] = [(chunk, is_held_out(i)) for i, chunk in enumerate(chunks(text, CHUNK_WORDS))]
    return authors


@dataclass(frozen=True)
class Reference:
    space: FeatureSpace
    authors: tuple[str, ...]  # per chunk
    word_rel: np.ndarray  # chunks x words
    ngram_rel: np.ndarray  # chunks x n-grams
    source: str

    def z_rows(self, exclude: frozenset[str] = frozenset(), part: str = "all") -> tuple[np.ndarray, np.ndarray, list[str]]:
        """z-scored chunk vectors of every author not in ``exclude``: all chunks, or one half of each
        author's chunks (``calibration``: even positions, ``check``: odd), so that a mind's self-check
        never scores the reference chunks its calibration saw."""
        position: dict[str, int] = {}
        keep = []
        for i, author in enumerate(self.authors):
            index = position[author] = position.get(author, -1) + 1
            if author not in exclude and (part == "all" or (index % 2 == 0) == (part == "calibration")):
                keep.append(i)
        words = (self.word_rel[keep] - self.space.word_mean) / self.space.word_sd
        ngrams = (self.ngram_rel[keep] - self.space.ngram_mean) / self.space.ngram_sd
        return words, ngrams, [self.authors[i] for i in keep]


@lru_cache(maxsize=1)
def load_reference() -> Reference:
    meta = json.loads(SPACE_FILE.read_text(encoding="utf-8"))
    arrays = np.load(CHUNKS_FILE, allow_pickle=False)
    space = FeatureSpace(tuple(meta["words"]), tuple(meta["ngrams"]), np.array(meta["word_mean"]), np.array(meta["word_sd"]),
                         np.array(meta["ngram_mean"]), np.array(meta["ngram_sd"]))
    authors = tuple(meta["authors"][i] for i in arrays["author"])
    return Reference(space, authors, arrays["word_rel"].astype(float), arrays["ngram_rel"].astype(float), meta["source"])
