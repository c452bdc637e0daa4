"""Rebuild stages/mmos/data/reference-{space.json,chunks.npz} from ../shared/corpus (numbers only).

Usage: python stages/mmos/_build/make_reference.py [--corpus PATH] [--words 300] [--ngrams 300]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO))

from stages.mmos.reference import CHUNKS_FILE, SPACE_FILE, corpus_chunks  # noqa: E402
from stages.mmos.stylometry import CHUNK_WORDS, char_ngrams, words_of  # noqa: E402

SD_FLOOR = 1e-6  # a feature constant across the reference would divide by zero


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument("--words", type=int, default=300)
    parser.add_argument("--ngrams", type=int, default=300)
    args = parser.parse_args()
    if not (args.corpus / "MANIFEST.yaml").is_file():
        sys.exit(f"corpus not found at {args.corpus}")
    by_author = corpus_chunks(args.corpus)
    names = sorted(by_author)
    reference = [(author, text) for author in names for text, held_out in by_author[author] if not held_out]
    word_counts = [Counter(words_of(text)) for _, text in reference]
    gram_counts = [char_ngrams(text) for _, text in reference]
    words = [w for w, _ in sum(word_counts, Counter()).most_common(args.words)]
    grams = [g for g, _ in sum(gram_counts, Counter()).most_common(args.ngrams)]
    word_rel = np.array([[c.get(w, 0) / max(sum(c.values()), 1) for w in words] for c in word_counts])
    gram_rel = np.array([[c.get(g, 0) / max(sum(c.values()), 1) for g in grams] for c in gram_counts])
    space = {
        "source": f"../shared/corpus: {len(names)} authors, {len(reference)} reference chunks of {CHUNK_WORDS:,} words "
                  "(every 7th chunk held out for benchmarks)",
        "chunk_words": CHUNK_WORDS, "authors": names, "words": words, "ngrams": grams,
        "word_mean": [round(float(v), 8) for v in word_rel.mean(axis=0)],
        "word_sd": [round(max(float(v), SD_FLOOR), 8) for v in word_rel.std(axis=0)],
        "ngram_mean": [round(float(v), 8) for v in gram_rel.mean(axis=0)],
        "ngram_sd": [round(max(float(v), SD_FLOOR), 8) for v in gram_rel.std(axis=0)],
    }
    SPACE_FILE.parent.mkdir(parents=True, exist_ok=True)
    SPACE_FILE.write_text(json.dumps(space, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    np.savez_compressed(CHUNKS_FILE, author=np.array([names.index(a) for a, _ in reference], dtype=np.int16),
                        word_rel=word_rel.astype(np.float32), ngram_rel=gram_rel.astype(np.float32))
    print(f"wrote {SPACE_FILE.name} and {CHUNKS_FILE.name}: {len(reference)} chunks, {len(words)} words, {len(grams)} 3-grams")


if __name__ == "__main__":
    main()
