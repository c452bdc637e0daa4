"""The voice profile document (contract mmos-voice-profile): a reviewable summary of the stylometric
model built from the build set in the feature space of the mind's language, and the held-out chunks
(pure)."""

from __future__ import annotations

import re
import statistics
from collections import Counter
from typing import Any

from stages.mmos.fidelity import METHOD, MindText, language_space
from stages.mmos.pool import load_pool
from stages.mmos.space import FUNCTION_WORDS, words_of
from stages.mmos.split import Passage, Split

TOP_FEATURES = 20
RATED_FUNCTION_WORDS = 30
PUNCTUATION = {"comma": ",", "semicolon": ";", "colon": ":", "dash": "—", "question": "?", "exclamation": "!",
               "quote": "\"", "parenthesis": "("}


def sentence_lengths(text: str) -> list[int]:
    return [len(s.split()) for s in re.split(r"(?<=[.!?…])\s+", text) if s.strip()]


def _cited(passage: Passage, fragments: dict[str, list[tuple[int, int, str]]] | None) -> dict[str, Any]:
    span = passage.span()
    if fragments is not None:
        span["fragment_ids"] = passage.fragment_ids(fragments)
    return span


def _rate(count: float, words: int) -> float:
    return round(1000.0 * count / max(words, 1), 2)


def voice_profile(slug: str, mind: MindText, build_texts: list[str], cut: Split, gate: dict[str, Any], with_innerlens: bool,
                  fragments: dict[str, list[tuple[int, int, str]]] | None = None) -> dict[str, Any]:
    """The document; ``fragments`` (InnerLens's, per source) adds to each held-out chunk the ids of the
    fragments inside it."""
    text = "\n\n".join(build_texts)
    tokens = words_of(text)
    counts = Counter(tokens)
    lengths = sentence_lengths(text)
    space = language_space(mind, load_pool())
    z = space.z(space.doc_of(mind.build))
    n = len(space.words)

    def distinctive(names: tuple[str, ...], values: Any) -> list[dict[str, Any]]:
        ranked = sorted(range(len(names)), key=lambda i: (-abs(float(values[i])), names[i]))[:TOP_FEATURES]
        return [{"feature": names[i], "z": round(float(values[i]), 2)} for i in ranked]

    deciles = statistics.quantiles(lengths, n=10) if len(lengths) >= 10 else []
    function_words = FUNCTION_WORDS.get(mind.language) or tuple(space.words)
    return {
        "mind": slug,
        "language": mind.language,
        "gate": gate,
        "inputs": "sources and InnerLens fragments" if with_innerlens else "sources only (no InnerLens outputs)",
        "method": {
            "features": f"relative frequencies of {len(space.words)} words ({mind.language} function words first, then the most "
                        f"frequent) and the {len(space.ngrams)} most frequent character 3-grams, z-scored against 2,000-word chunks",
            "reference": space.basis,
            "fidelity": METHOD,
        },
        "split": {
            "build_words": sum(p.words for p in cut.build), "build_passages": len(cut.build),
            "held_out_words": sum(p.words for p in cut.held_out), "held_out_passages": len(cut.held_out),
            "rule": "chunks of consecutive passages of one source (2,000 words, less for a small mind), dealt to the sources "
                    "in turn (most chunks first) and spread evenly over each source's length: at least 15% and 2,500 words, "
                    "at most 30%",
            "held_out": [_cited(c, fragments) for c in cut.chunks],
            **({"set_aside": cut.set_aside} if cut.set_aside else {}),
        },
        "distinctive_words": distinctive(space.words, z[:n]),
        "distinctive_ngrams": distinctive(space.ngrams, z[n:]),
        "sentences": {"count": len(lengths), "mean_words": round(statistics.fmean(lengths), 2) if lengths else 0.0,
                      "sd_words": round(statistics.pstdev(lengths), 2) if lengths else 0.0,
                      "deciles": [round(d, 1) for d in deciles]},
        "function_words_per_1000": {w: _rate(counts.get(w, 0), len(tokens)) for w in function_words[:RATED_FUNCTION_WORDS]},
        "punctuation_per_1000_words": {name: _rate(text.count(mark), len(tokens)) for name, mark in PUNCTUATION.items()},
        "vocabulary": {"words": len(tokens), "types": len(counts), "hapax_share": round(sum(1 for c in counts.values() if c == 1) / max(len(counts), 1), 3)},
    }
