"""Near-duplicate fragments across sources collapse to one, keeping every provenance.

The same paragraph often reaches a mind twice: a talk and its transcript, a blog post and the book
chapter it became. Fragments are compared by the word 3-grams (shingles) of their normalised text.
MinHash signatures (datasketch, fixed seed and CRC-32 shingle hashes, so runs are deterministic) and LSH find candidate pairs
in near-linear time; a candidate is merged only when the exact Jaccard similarity of the two shingle
sets reaches ``THRESHOLD`` (so LSH's false positives never merge anything). The first fragment in
source order is kept; the others become entries of its ``also_in``.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field

from stages.innerlens.fragments import Fragment

THRESHOLD = 0.8
NUM_PERM = 64
SEED = 1
_TOKEN = re.compile(r"\w+", re.UNICODE)


@dataclass
class Kept:
    fragment: Fragment
    also_in: list[Fragment] = field(default_factory=list)


def shingles(text: str, size: int = 3) -> frozenset[str]:
    tokens = [t.lower() for t in _TOKEN.findall(text)]
    if len(tokens) < size:
        return frozenset([" ".join(tokens)]) if tokens else frozenset()
    return frozenset(" ".join(tokens[i:i + size]) for i in range(len(tokens) - size + 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def _hash32(data: bytes) -> int:
    """CRC-32: deterministic and several times faster than datasketch's default SHA-1 for short shingles."""
    return zlib.crc32(data)


def collapse(fragments: list[Fragment], *, threshold: float = THRESHOLD) -> list[Kept]:
    """Fragments in order with near-duplicates folded into the first of them."""
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    kept: list[Kept] = []
    sets: list[frozenset[str]] = []
    all_grams = [shingles(fragment.text) for fragment in fragments]
    # one set of permutations for every signature (MinHash.bulk); building them per signature dominated
    signatures = MinHash.bulk([[g.encode("utf-8") for g in sorted(grams)] for grams in all_grams],
                              num_perm=NUM_PERM, seed=SEED, hashfunc=_hash32) if fragments else []
    for fragment, grams, signature in zip(fragments, all_grams, signatures):
        match = None
        for key in sorted(lsh.query(signature), key=int):
            if jaccard(grams, sets[int(key)]) >= threshold:
                match = int(key)
                break
        if match is not None:
            kept[match].also_in.append(fragment)
            continue
        lsh.insert(str(len(kept)), signature)
        kept.append(Kept(fragment))
        sets.append(grams)
    return kept
