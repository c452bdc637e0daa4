"""The voice profile document (contract mmos-voice-profile): a reviewable summary of the stylometric
model built from the build set, the parameters fidelity uses, and the held-out spans (pure)."""

from __future__ import annotations

import statistics
from collections import Counter
from typing import Any

from stages.mmos.fidelity import METHOD, Counts, z_of
from stages.mmos.reference import Reference
from stages.mmos.split import Passage
from stages.mmos.stylometry import CHUNK_WORDS, FUNCTION_WORDS, PUNCTUATION, sentence_lengths, words_of

TOP_FEATURES = 20


def _cited(passage: Passage, fragments: dict[str, list[tuple[int, int, str]]] | None) -> dict[str, Any]:
    span = passage.span()
    if fragments is not None:
        span["fragment_ids"] = passage.fragment_ids(fragments)
    return span


def _rate(count: float, words: int) -> float:
    return round(1000.0 * count / max(words, 1), 2)


def voice_profile(slug: str, reference: Reference, build: Counts, build_texts: list[str], build_passages: list[Passage],
                  held_out: list[Passage], gate: dict[str, Any], with_innerlens: bool,
                  fragments: dict[str, list[tuple[int, int, str]]] | None = None) -> dict[str, Any]:
    """The document; ``fragments`` (InnerLens's, per source) adds to each held-out span the ids of the
    fragments inside it."""
    text = "\n\n".join(build_texts)
    tokens = words_of(text)
    counts = Counter(tokens)
    lengths = sentence_lengths(text)
    word_z, gram_z = z_of(reference.space, build)

    def distinctive(names: tuple[str, ...], z: Any) -> list[dict[str, Any]]:
        ranked = sorted(range(len(names)), key=lambda i: (-abs(float(z[i])), names[i]))[:TOP_FEATURES]
        return [{"feature": names[i], "z": round(float(z[i]), 2)} for i in ranked]

    deciles = statistics.quantiles(lengths, n=10) if len(lengths) >= 10 else []
    return {
        "mind": slug,
        "gate": gate,
        "inputs": "sources and InnerLens fragments" if with_innerlens else "sources only (no InnerLens outputs)",
        "method": {
            "features": f"relative frequencies of the reference's {len(reference.space.words)} most frequent words and "
                        f"{len(reference.space.ngrams)} most frequent character 3-grams, z-scored against "
                        f"{CHUNK_WORDS:,}-word reference chunks",
            "reference": reference.source,
            "fidelity": METHOD,
        },
        "split": {
            "build_words": sum(p.words for p in build_passages), "build_passages": len(build_passages),
            "held_out_words": sum(p.words for p in held_out), "held_out_passages": len(held_out),
            "rule": "round-robin over sources, every k-th passage, about 15% and at least 2,500 words when possible",
            "held_out": [_cited(p, fragments) for p in held_out],
        },
        "distinctive_words": distinctive(reference.space.words, word_z),
        "distinctive_ngrams": distinctive(reference.space.ngrams, gram_z),
        "sentences": {"count": len(lengths), "mean_words": round(statistics.fmean(lengths), 2) if lengths else 0.0,
                      "sd_words": round(statistics.pstdev(lengths), 2) if lengths else 0.0,
                      "deciles": [round(d, 1) for d in deciles]},
        "function_words_per_1000": {w: _rate(counts.get(w, 0), len(tokens)) for w in FUNCTION_WORDS},
        "punctuation_per_1000_words": {name: _rate(text.count(mark), len(tokens)) for name, mark in PUNCTUATION.items()},
        "vocabulary": {"words": len(tokens), "types": len(counts), "hapax_share": round(sum(1 for c in counts.values() if c == 1) / max(len(counts), 1), 3)},
    }
