"""General Impostors verification (Koppel & Winter 2014), over z-scored stylometric profiles (pure numpy).

The question is not "is this text far from some reference authors?" but "does this text read like this
mind *rather than* like the writers nearest to it?". For a text, the mind's profile and a set of
impostor profiles (the authors nearest to the mind: same genre, era, register), each **trial** keeps a
random half of the features and a random half of the impostors and asks whether the text is more
similar (cosine of z-score vectors, i.e. Cosine Delta) to the mind than to every impostor kept. The
**share** of trials the mind wins is the raw score, in [0, 1].

Every mind, every text and every run uses the same trials (a fixed seed, the same feature and
impostor masks by rank), so shares of different minds are on one footing. A share becomes a
probability by Platt scaling (:func:`fit_platt`) on the mind's own held-out chunks (label 1) and the
impostors' chunks (label 0, each scored with its own author left out of the impostors), with balanced
class weights: 50 means "as likely this mind as one of the writers nearest to it".
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

TRIALS = 100
FEATURE_SHARE = 0.5
IMPOSTOR_SHARE = 0.5
MAX_IMPOSTORS = 24
SEED = 2014  # fixed: the same trials for every mind and text
TIE_BREAK = 0.0049  # under half of one trial (1 / TRIALS): see share()
MARGIN_SCALE = 0.25  # a mean cosine margin of 0.25 (a typical own text: 0.07 to 0.37) takes three quarters of the tie-break
METHOD = (f"General Impostors (Koppel & Winter 2014): in each of {TRIALS} trials a random {FEATURE_SHARE:.0%} of the features "
          f"and {IMPOSTOR_SHARE:.0%} of the impostors (the up to {MAX_IMPOSTORS} writers nearest to the mind: shipped reference "
          "pool and other minds of the language) are kept, and the mind wins when the text is more similar (cosine of "
          "z-scores) to it than to every impostor kept; share of trials won, turned into P(mind) by one Platt map for every "
          "mind (fitted on held-out and impostor chunks of the pool's dev writers, balanced classes); score = 100 x P(mind)")


@dataclass(frozen=True)
class Trials:
    """Which features and which impostor ranks each trial keeps (rows: trials)."""

    features: np.ndarray  # trials x features, 0.0 / 1.0
    impostors: np.ndarray  # trials x MAX_IMPOSTORS, bool (rank 0 = the impostor nearest to the mind)


@lru_cache(maxsize=8)
def trials(features: int, count: int = TRIALS, seed: int = SEED) -> Trials:
    rng = np.random.default_rng(seed)
    feature_masks = (rng.random((count, features)) < FEATURE_SHARE).astype(float)
    impostor_masks = rng.random((count, MAX_IMPOSTORS)) < IMPOSTOR_SHARE
    return Trials(feature_masks, impostor_masks)


def cosine_rows(plan: Trials, text: np.ndarray, profiles: np.ndarray) -> np.ndarray:
    """trials x profiles: cosine similarity of ``text`` with each profile on each trial's features."""
    masks = plan.features
    numerator = masks @ (profiles * text).T
    text_norm = np.sqrt(masks @ (text * text))
    profile_norm = np.sqrt(masks @ (profiles * profiles).T)
    denominator = text_norm[:, None] * profile_norm
    return np.divide(numerator, denominator, out=np.zeros_like(numerator), where=denominator > 0)


def margins(plan: Trials, text: np.ndarray, mind: np.ndarray, impostors: np.ndarray, left_out: int | None = None) -> np.ndarray:
    """Per trial, how much more similar ``text`` is to ``mind`` than to the most similar impostor kept.
    ``left_out``: an impostor rank that takes no part (the text's own author, for calibration)."""
    count = len(impostors)
    if count == 0:
        raise ValueError("General Impostors needs at least one impostor")
    kept = plan.impostors[:, :count].copy()
    usable = np.ones(count, dtype=bool)
    if left_out is not None:
        kept[:, left_out] = False
        usable[left_out] = False
    if not usable.any():
        raise ValueError("no impostor left once the text's own author is left out")
    empty = ~kept.any(axis=1)
    kept[empty] = usable  # a trial that drew no impostor uses all of them
    similarity = cosine_rows(plan, text, np.vstack([mind[None, :], impostors]))
    return similarity[:, 0] - np.where(kept, similarity[:, 1:], -np.inf).max(axis=1)


def share(plan: Trials, text: np.ndarray, mind: np.ndarray, impostors: np.ndarray, left_out: int | None = None) -> float:
    """The share of trials in which ``text`` is more similar to ``mind`` than to every impostor kept, with
    ties between texts that win as many trials broken by their mean margin: the tie-break moves the value
    by less than half a trial, so ``round(share, 2)`` is the plain share of trials won, and texts that
    win more trials always come first. (Without it, the many texts that win every trial, or none, tie:
    bench/fidelity.py --dev measured the open-set AUC at 0.984 without and 0.988 with it.)"""
    won = margins(plan, text, mind, impostors, left_out)
    return float(np.mean(won > 0)) + TIE_BREAK * float(np.tanh(np.mean(won) / MARGIN_SCALE))


@dataclass(frozen=True)
class Platt:
    """P(mind | share) = 1 / (1 + exp(-(slope * share + intercept)))."""

    slope: float
    intercept: float
    own_examples: int
    other_examples: int

    def probability(self, value: float) -> float:
        return float(1.0 / (1.0 + np.exp(-np.clip(self.slope * value + self.intercept, -60, 60))))

    def as_dict(self) -> dict:
        return {"slope": round(self.slope, 6), "intercept": round(self.intercept, 6), "own_examples": self.own_examples,
                "other_examples": self.other_examples}


def fit_platt(own: list[float], other: list[float], iterations: int = 100) -> Platt:
    """Platt scaling (Platt 1999, with the targets of Lin, Lin & Weng 2007) by Newton's method, each class
    weighted to half the total so that 50 % means "as likely own as other" whatever the counts."""
    if not own or not other:
        raise ValueError(f"calibration needs own and other examples (got {len(own)} and {len(other)})")
    x = np.array(own + other, dtype=float)
    targets = np.array([(len(own) + 1) / (len(own) + 2)] * len(own) + [1 / (len(other) + 2)] * len(other))
    weights = np.array([0.5 / len(own)] * len(own) + [0.5 / len(other)] * len(other))
    slope, intercept = 0.0, 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(slope * x + intercept, -60, 60)))
        gradient = np.array([np.sum(weights * (p - targets) * x), np.sum(weights * (p - targets))])
        curvature = weights * p * (1 - p)
        hessian = np.array([[np.sum(curvature * x * x), np.sum(curvature * x)], [np.sum(curvature * x), np.sum(curvature)]])
        hessian += np.eye(2) * 1e-9
        step = np.linalg.solve(hessian, gradient)
        slope, intercept = slope - step[0], intercept - step[1]
        if np.max(np.abs(step)) < 1e-10:
            break
    return Platt(float(slope), float(intercept), len(own), len(other))


def nearest(mind: np.ndarray, profiles: np.ndarray, count: int = MAX_IMPOSTORS) -> list[int]:
    """Indices of the ``count`` profiles nearest to the mind (cosine of z-scores, all features), nearest
    first; ties by index, so the order is deterministic."""
    if len(profiles) == 0:
        return []
    norms = np.linalg.norm(profiles, axis=1) * np.linalg.norm(mind)
    similarity = np.divide(profiles @ mind, norms, out=np.zeros(len(profiles)), where=norms > 0)
    order = sorted(range(len(profiles)), key=lambda i: (-round(float(similarity[i]), 12), i))
    return order[:count]
