"""Verification against impostors: a linear classifier of the mind against the writers nearest to it (pure numpy + scikit-learn).

The question is not "is this text far from some reference authors?" but "does this text read like this
mind *rather than* like the writers nearest to it?". A mind's 2,000-word chunks (label 1) and the chunks
of its **impostors** (label 0: the writers nearest to the mind, same genre, era, register) train a
linear support-vector machine on their z-score vectors scaled to unit length (the geometry of Cosine
Delta), each class weighing the same; the text's signed distance to that boundary is the raw score.
This is the one-against-impostors setting of authorship verification (Koppel, Schler & Argamon 2009;
Koppel & Winter 2014 for the impostors), with the classifier that learns which features tell this mind
from these impostors instead of weighing every feature alike as a distance does: on the same writers and
texts it replaced General Impostors (nearest-profile trials), which it beat on bench/fidelity.py --dev
(open-set AUC and three of the four same-genre lines, the fourth 0.1 point lower) and on the external benchmark's
same-register speeches (docs/benchmarks.md).

Every mind uses the same features, the same C, the same impostor policy and one map from distance to
probability (:func:`fit_platt`, fitted on the pool's dev writers), so scores of different minds are on
one scale: 50 means "as likely this mind as one of the writers nearest to it".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAX_IMPOSTORS = 24
C = 10.0  # chosen on the dev writers (bench/fidelity.py --dev): symmetric pairs 99.5 % at C = 1, 99.6 % at 10 and at 100
METHOD = (f"Impostors verification: a linear SVM (C = {C:g}, classes weighing the same) trained on the mind's 2,000-word chunks "
          f"against the chunks of its impostors (the up to {MAX_IMPOSTORS} writers nearest to the mind: shipped reference pool and "
          "other minds of the language), on z-scores of frequent words, function words and character 3-grams scaled to unit "
          "length; the text's signed distance to the boundary is turned into P(mind) by one Platt map for every mind (fitted on "
          "held-out and impostor chunks of the pool's dev writers, balanced classes); score = 100 x P(mind)")


def unit(rows: np.ndarray) -> np.ndarray:
    """Rows (or one vector) scaled to unit length; a zero row stays zero."""
    norms = np.linalg.norm(rows, axis=-1, keepdims=True)
    return np.divide(rows, norms, out=np.zeros_like(rows, dtype=float), where=norms > 0)


@dataclass(frozen=True)
class Linear:
    """A trained boundary: decision(z) = weights . unit(z) + bias (positive: the mind's side)."""

    weights: np.ndarray
    bias: float

    def decision(self, z: np.ndarray) -> float:
        return float(self.weights @ unit(z) + self.bias)


def fit_linear(positives: np.ndarray, negatives: np.ndarray) -> Linear:
    """A linear SVM (liblinear, fixed seed: the same rows give the same boundary) separating the mind's
    chunks from its impostors' chunks, each class weighing the same whatever the counts."""
    if len(positives) == 0 or len(negatives) == 0:
        raise ValueError(f"a boundary needs chunks of the mind and of impostors (got {len(positives)} and {len(negatives)})")
    from sklearn.svm import LinearSVC

    rows = unit(np.vstack([positives, negatives]))
    labels = np.r_[np.ones(len(positives)), np.zeros(len(negatives))]
    model = LinearSVC(C=C, class_weight="balanced", dual="auto", random_state=0, max_iter=20_000).fit(rows, labels)
    return Linear(model.coef_[0].copy(), float(model.intercept_[0]))


@dataclass(frozen=True)
class Platt:
    """P(mind | distance) = 1 / (1 + exp(-(slope * distance + intercept)))."""

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
