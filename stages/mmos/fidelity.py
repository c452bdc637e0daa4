"""Voice fidelity: does a text read like this mind rather than like the writers nearest to it?

A mind is verified against **impostors** (``impostors.py``: a linear classifier of the mind's chunks
against its impostors' chunks) in the feature space of its **language** (``space.py``). The impostors are chosen when a text is
scored, nearest to the mind first, from

* the shipped reference pool of that language (``pool.py``), and
* every other mind of that language under the same outputs root,

so the result depends only on which minds exist, never on the order they were built in. The text's
signed distance to the mind's boundary becomes a probability through **one map for every mind** (Platt scaling fitted
when the pool is built, on held-out chunks and impostors' chunks of the pool's dev writers verified
exactly as minds are: ``pool.py``). Every mind uses the same features, the same classifier settings,
the same impostor policy and the same map, so scores of different minds are on one scale and the highest-scoring mind is the
attribution (:func:`attribute`). The mind's own held-out chunks and its impostors' chunks make its
self-check (:func:`self_check`).

A language with no pool is verified against the other minds of that language only, and says so; a
mind with no impostor at all is **not measured** (with the reason), never given a number. A text in another language than the mind's is **not comparable**: it is never scored with
the wrong language's features.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from stages.mmos import impostors as gi
from stages.mmos.pool import Pool, Writer
from stages.mmos.space import (CHUNK_WORDS, Space, Tally, choose_features, language_of, shingle_hashes, space_from_relative,
                               training_chunks)

THRESHOLD = 50.0
FULL_CONFIDENCE_WORDS = CHUNK_WORDS
MIN_WORDS = 50  # below this a text is not scored (too short to say anything)
CALIBRATION_CHUNKS = 3  # per impostor
METHOD = gi.METHOD


@dataclass(frozen=True)
class MindText:
    """What fidelity needs of a mind, in no particular space: full word and 3-gram counts of its build
    set, of the 2,000-word chunks of it that its classifier learns from, and of each held-out chunk."""

    slug: str
    name: str
    language: str
    build: Tally
    held_out: tuple[Tally, ...]
    shingles: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))  # of all its text
    build_chunks: tuple[Tally, ...] = ()

    @classmethod
    def of(cls, slug: str, name: str, language: str, build_texts: list[str], held_out_chunks: list[str]) -> "MindText":
        joined = "\n\n".join(build_texts)
        pieces = [Tally.of(t) for t in training_chunks(joined)] or [Tally.of("")]
        chunks = pieces if len(pieces) == 1 or pieces[-1].total_words >= CHUNK_WORDS // 2 else pieces[:-1]
        return cls(slug, name, language, added(pieces), tuple(Tally.of(t) for t in held_out_chunks),
                   shingle_hashes("\n\n".join([joined, *held_out_chunks])), tuple(chunks))

    @classmethod
    def from_chunks(cls, slug: str, language: str, tallies: list[Tally], every: int = 6) -> "MindText":
        """A mind made of 2,000-word chunk tallies (a pool writer standing as a mind): every ``every``-th
        chunk held out (at least two), the rest its build set."""
        held = [t for i, t in enumerate(tallies) if i % every == 2] or tallies[-2:]
        build = [t for t in tallies if not any(t is h for h in held)]
        return cls(slug, slug, language, added(build), tuple(held), build_chunks=tuple(build))

    def writer(self, space: Space) -> Writer:
        """The mind standing as another mind's impostor: all its chunks."""
        return Writer(self.slug, self.name, "mind", "mind", "", space.doc_of(self.build),
                      tuple(space.doc_of(t) for t in (*self.training, *self.held_out)))

    @property
    def training(self) -> tuple[Tally, ...]:
        return self.build_chunks or (self.build,)


def added(tallies: list[Tally]) -> Tally:
    total = tallies[0]
    for t in tallies[1:]:
        total = total + t
    return total


def minds_space(language: str, minds: list[MindText]) -> Space:
    """The feature space of a language the pool does not have: chosen on the minds of that language."""
    words, ngrams = choose_features([[m.build] for m in minds], language)
    probe = Space(language, words, ngrams, np.zeros(len(words) + len(ngrams)), np.ones(len(words) + len(ngrams)), "")
    rows = np.vstack([probe.relative(probe.doc_of(t)) for m in minds for t in (m.held_out or (m.build,))])
    return space_from_relative(language, words, ngrams, rows, f"the {len(minds)} mind(s) of language {language} (no reference pool)")


def language_space(mind: MindText, pool: Pool | None) -> Space:
    """The feature space of the mind's language: the pool's, or one chosen on the mind alone."""
    language_pool = pool.get(mind.language) if pool else None
    return language_pool.space() if language_pool is not None else minds_space(mind.language, [mind])


@dataclass(frozen=True)
class Fidelity:
    status: str  # scored | not comparable | not measured | too short
    score: float | None
    passed: bool | None
    words: int
    confidence: float
    distance: float | None  # signed distance to the mind's boundary, rounded (positive: the mind's side)
    language: str | None
    note: str = ""
    raw: float | None = field(default=None, repr=False)  # the unrounded distance: what ranks minds

    def as_dict(self) -> dict[str, Any]:
        data = {"status": self.status, "score": self.score, "passed": self.passed, "words": self.words,
                "confidence": self.confidence, "distance": self.distance, "language": self.language, "method": METHOD}
        if self.note:
            data["note"] = self.note
        return data


@dataclass
class Verifier:
    """A mind ready to score texts: its space, chosen impostors, its boundary against them (learnt on all
    its chunks) and the calibration. :meth:`own_distances` and :meth:`impostor_distances`, the
    self-check's material, train their boundaries only when asked (scoring texts never needs them)."""

    mind: str
    language: str
    space: Space
    impostors: list[Writer]
    platt: gi.Platt | None
    reason: str = ""  # why it is not measured, when platt is None
    basis: str = ""
    calibration: str = ""  # what the distance-to-probability map was fitted on
    boundary: gi.Linear | None = None
    training: np.ndarray | None = field(default=None, repr=False)  # the build set's chunks as z rows: what the self-check's boundaries learn
    held_out: np.ndarray | None = field(default=None, repr=False)  # the held-out chunks as z rows
    impostor_rows: list[np.ndarray] = field(default_factory=list, repr=False)  # each impostor's chunks as z rows
    own_words: list[int] = field(default_factory=list)
    threshold: float = THRESHOLD
    _own_distances: list[float] | None = field(default=None, repr=False)
    _impostor_distances: list[tuple[str, float]] | None = field(default=None, repr=False)

    @property
    def measured(self) -> bool:
        return self.platt is not None and self.boundary is not None

    def distance(self, z: np.ndarray) -> float:
        assert self.boundary is not None
        return self.boundary.decision(z)

    def probability(self, distance: float) -> float:
        assert self.platt is not None
        return 100.0 * self.platt.probability(distance)

    def own_distances(self) -> list[float]:
        """The held-out chunks scored by a boundary learnt on the build set only, which never saw them (a
        conservative estimate: texts are scored by the boundary that learnt all the mind's chunks)."""
        if self._own_distances is None:
            result: list[float] = []
            if self.training is not None and self.held_out is not None and len(self.held_out):
                check = gi.fit_linear(self.training, np.vstack(self.impostor_rows))
                result = [check.decision(z) for z in self.held_out]
            self._own_distances = result
        return self._own_distances

    def impostor_distances(self) -> list[tuple[str, float]]:
        """Up to three chunks of each impostor, each scored by a boundary trained without that impostor
        (so no chunk is scored by a classifier that learnt it); none with a single impostor."""
        if self._impostor_distances is None:
            result: list[tuple[str, float]] = []
            if self.boundary is not None and self.training is not None and len(self.impostors) > 1:
                rows = self.impostor_rows
                for rank, writer in enumerate(self.impostors):
                    boundary = gi.fit_linear(self.training, np.vstack([r for i, r in enumerate(rows) if i != rank]))
                    result += [(writer.id, boundary.decision(self.space.z(chunk))) for chunk in spread(writer.chunks, CALIBRATION_CHUNKS)]
            self._impostor_distances = result
        return self._impostor_distances

    def score(self, text: str) -> Fidelity:
        words = len(text.split())
        confidence = round(min(1.0, words / FULL_CONFIDENCE_WORDS), 2)
        language = language_of(text)
        if words < MIN_WORDS:
            return Fidelity("too short", None, None, words, 0.0, None, language, f"under {MIN_WORDS} words")
        if language != self.language:
            return Fidelity("not comparable", None, None, words, 0.0, None, language,
                            f"the text is in {language or 'an undetermined language'}, the mind in {self.language}: "
                            "it is not scored with another language's features")
        if not self.measured:
            return Fidelity("not measured", None, None, words, 0.0, None, language, self.reason)
        value = self.distance(self.space.z(self.space.doc(text)))
        score = round(self.probability(value), 1)
        return Fidelity("scored", score, score >= self.threshold, words, confidence, round(value, 3), language, raw=value)

    def describe(self) -> dict[str, Any]:
        """The impostor policy as applied: for run summaries and ``lendaria attribute``."""
        return {"language": self.language, "space": self.space.basis, "impostors": [w.describe() for w in self.impostors],
                "calibration": {**self.platt.as_dict(), "fitted_on": self.calibration} if self.platt else None,
                "measured": self.measured,
                **({"reason": self.reason} if self.reason else {})}


def cosines(rows: np.ndarray, vector: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=1) * np.linalg.norm(vector)
    return np.divide(rows @ vector, norms, out=np.zeros(len(rows)), where=norms > 0)


def indistinguishable(mind: MindText, writers: list[Writer], space: Space) -> set[str]:
    """Pool writers the mind cannot be told from on its own held-out chunks: for at least half of them
    the chunk is nearer (cosine of z-scores, all features) to the writer than to the mind's own build
    profile. Such a writer is the mind's author under other texts (or a twin voice), not an impostor."""
    if not mind.held_out:
        return set()
    chunks = space.z_rows(space.doc_of(t) for t in mind.held_out)
    own = cosines(chunks, space.z(space.doc_of(mind.build)))
    return {w.id for w in writers if w.kind == "pool" and float(np.mean(cosines(chunks, space.z(w.profile)) > own)) >= 0.5}


def candidates(mind: MindText, others: list[MindText], pool: Pool | None, exclude: frozenset[str] = frozenset()
               ) -> tuple[Space, list[Writer], str]:
    """The space of the mind's language and every writer that may be its impostor (pool writers but
    ``exclude`` and but the mind's own author, other minds of the language), with a note on where they
    come from."""
    peers = [o for o in others if o.language == mind.language and o.slug != mind.slug]
    language_pool = pool.get(mind.language) if pool else None
    itself = language_pool.sharing_texts(mind.shingles) - exclude if language_pool is not None else set()
    exclude = exclude | itself  # a pool writer whose texts are the mind's own is the mind, not an impostor
    if language_pool is not None and set(language_pool.ids()) - exclude:
        space = language_pool.space(exclude)
        writers = language_pool.pool_writers(space, exclude)
        twins = indistinguishable(mind, writers, space)
        writers = [w for w in writers if w.id not in twins]
        note = f"reference pool of {mind.language} ({len(writers)} writers) and {len(peers)} other mind(s)"
        if itself:
            note += f"; left out as the mind itself (its texts are in the pool): {', '.join(sorted(itself))}"
        if twins:
            note += f"; left out as the mind's own voice (nearer than the mind to its own held-out text): {', '.join(sorted(twins))}"
    else:
        space = minds_space(mind.language, [mind, *peers])
        writers = []
        note = f"no reference pool for {mind.language}: verified against the other minds of {mind.language} only ({len(peers)})"
    writers += [p.writer(space) for p in peers]
    return space, writers, note


def prepare(mind: MindText, others: list[MindText], pool: Pool | None, exclude: frozenset[str] = frozenset()) -> Verifier:
    """Choose the impostors nearest to the mind, train its boundary against their chunks, take the
    distance-to-probability map and score its own held-out chunks (the self-check's material, with
    :meth:`Verifier.impostor_distances`); ``exclude``: pool writers that are the mind itself (a
    benchmark author) or must stay unseen."""
    space, writers, note = candidates(mind, others, pool, exclude)
    profile = space.z(space.doc_of(mind.build))
    all_z = space.z_rows(w.profile for w in writers)
    order = gi.nearest(profile, all_z)
    chosen = [writers[i] for i in order]
    verifier = Verifier(mind.slug, mind.language, space, chosen, None, basis=note)
    if not chosen:
        verifier.reason = f"no impostor in {mind.language}: the pool has no writer of it and no other mind of it exists"
        return verifier
    verifier.training = space.z_rows(space.doc_of(t) for t in mind.training)
    verifier.held_out = space.z_rows(space.doc_of(chunk) for chunk in mind.held_out)
    verifier.impostor_rows = [space.z_rows(w.chunks) for w in chosen]
    verifier.own_words = [chunk.total_words for chunk in mind.held_out]
    # texts are scored by a boundary that learnt all the mind's text (the held-out chunks too); the
    # self-check measures the build-only boundary (own_distances), a conservative estimate
    # (bench/fidelity.py --dev: open-set AUC 0.9984 -> 0.9991, own passages passing in symmetric pairs 97.9 % -> 99.1 %)
    verifier.boundary = gi.fit_linear(np.vstack([verifier.training, verifier.held_out]), np.vstack(verifier.impostor_rows))
    calibration = pool.calibration() if pool is not None else None
    if calibration is None:
        verifier.reason = "no distance-to-probability map: the reference pool was built without one"
        return verifier
    verifier.platt, verifier.calibration = calibration
    return verifier


def spread(items: tuple | list, limit: int) -> list:
    """At most ``limit`` items, evenly spread (deterministic)."""
    items = list(items)
    if len(items) <= limit:
        return items
    return [items[round(i * (len(items) - 1) / (limit - 1))] for i in range(limit)] if limit > 1 else items[:1]


def self_check(verifier: Verifier) -> dict[str, Any]:
    """How well the mind tells its own held-out chunks from its impostors' chunks: AUC of the distances,
    and the pass rates of both at the threshold. Neither was learnt by the boundary that scores it, and
    the distance-to-probability map was fitted on other writers, so no example grades itself. Not
    measured, with the reason, when there is nothing to compare."""
    if not verifier.measured:
        return {"status": "not measured", "reason": verifier.reason}
    own, other = verifier.own_distances(), [s for _, s in verifier.impostor_distances()]
    if not own or not other:
        return {"status": "not measured",
                "reason": "the mind has no held-out chunk" if not own else "a single impostor: its own chunks cannot be scored with it left out"}
    from sklearn.metrics import roc_auc_score

    own_scores = [verifier.probability(s) for s in own]
    other_scores = [verifier.probability(s) for s in other]
    auc = float(roc_auc_score([1] * len(own) + [0] * len(other), own + other))
    return {
        "status": "measured",
        "own_held_out": [{"words": w, "distance": round(s, 3), "score": round(p, 1), "passed": p >= verifier.threshold}
                         for w, s, p in zip(verifier.own_words, own, own_scores)],
        "impostor_chunks": len(other), "impostors_passed": sum(p >= verifier.threshold for p in other_scores),
        "impostor_mean_score": round(float(np.mean(other_scores)), 1),
        "auc": round(auc, 4),
        "true_positive_rate": round(sum(p >= verifier.threshold for p in own_scores) / len(own), 4),
        "false_positive_rate": round(sum(p >= verifier.threshold for p in other_scores) / len(other), 4),
    }


def attribute(verifiers: dict[str, Verifier], text: str) -> dict[str, Any]:
    """The minds ranked for one text (highest score first: the map is the same for every mind, so this is
    the order of their unrounded distances; ties by slug), with the margin between the first
    two. Minds whose score is not a number (another language, not measured) are listed after."""
    results = {slug: v.score(text) for slug, v in verifiers.items()}
    scored = sorted((s for s in results if results[s].status == "scored"), key=lambda s: (-results[s].raw, s))
    rest = sorted(s for s in results if results[s].status != "scored")
    ranked = [{"mind": s, **results[s].as_dict()} for s in scored + rest]
    for row in ranked:
        row.pop("method")
    margin = round(results[scored[0]].score - results[scored[1]].score, 1) if len(scored) > 1 else None
    return {"attribution": scored[0] if scored else None, "margin": margin, "ranking": ranked, "method": METHOD}
