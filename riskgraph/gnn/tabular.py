"""A tabular member beside the networks: logistic regression on each company's own row.

The networks see a company through its neighbourhood; on some data a plain linear model
of the company's own feature row (the same standardised columns the networks start from:
its attributes, its degrees per relationship type, identifier sharing, the contagion and
ring inputs of its world) ranks as well or better, and the two err differently (on SMEsD
the study's blend of a GraphSAGE and a logistic regression beat either:
``bench/smesd_study.py``). So ``gnn train`` fits one, cross-fitted on the networks' folds
and worlds (each company's row from the world where its fold's exposures are hidden), and
blends its logit with the networks' mean logit: ``w * gnn + (1 - w) * tabular``.

Everything is chosen on the out-of-fold predictions, never on a company a member fitted:
the regularisation ``C`` from ``C_GRID`` by the tabular member's own held-out ROC-AUC, then
the weight ``w`` from ``WEIGHTS`` by the blend's (ties go to the larger weight on the
networks). ``w = 1`` is the networks alone, as before the member existed.

The member is stored as plain numbers (coefficients over the standardised company
columns, an intercept): the mean of the fold members' (their logits' mean, as for the
networks), so that the model file stays readable with ``torch.load(weights_only=True)``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.linear_model import LogisticRegression

from riskgraph.graph.snapshot import FloatArray, IntArray
from riskgraph.risk.evaluation import ranking_quality

C_GRID = (0.01, 0.1, 1.0)  # inverse L2 strength, on standardised columns
WEIGHTS = (1.0, 0.75, 0.5, 0.25, 0.0)  # on the networks' logit; the first wins ties
Mask = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Tabular:
    """Logistic regression over the standardised company columns (the model's schema)."""

    coefficients: tuple[float, ...]
    intercept: float
    c: float  # the regularisation chosen

    def logits(self, x: FloatArray) -> FloatArray:
        out: FloatArray = np.asarray(x, dtype=np.float64) @ np.asarray(self.coefficients)
        return out + self.intercept

    def to_dict(self) -> dict[str, Any]:
        return {"coefficients": list(self.coefficients), "intercept": self.intercept, "c": self.c}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Tabular:
        return cls(
            tuple(float(v) for v in data["coefficients"]),
            float(data["intercept"]),
            float(data["c"]),
        )


def auc(labels: Mask, values: FloatArray) -> float:
    """ROC-AUC, NaN when one class is missing."""
    return ranking_quality(labels, values)[0]


def cross_fit(
    x: FloatArray, positive: Mask, rows: Mask, fold: IntArray, held_out: Sequence[int], c: float
) -> tuple[FloatArray, Tabular]:
    """Out-of-fold logits (zero outside ``rows`` and the held-out folds) and the members'
    mean: member ``k`` fits the ``rows`` outside fold ``k`` (each class weighing half, as
    the networks' loss) and predicts fold ``k``."""
    oof = np.zeros(len(x))
    coefficients, intercepts = [], []
    for k in held_out:
        fit = rows & (fold != k)
        lr = LogisticRegression(C=c, class_weight="balanced", max_iter=2000)
        lr.fit(x[fit], positive[fit])
        coefficients.append(lr.coef_[0].astype(np.float64))
        intercepts.append(float(lr.intercept_[0]))
        mine = rows & (fold == k)
        oof[mine] = lr.decision_function(x[mine])
    mean = np.mean(coefficients, axis=0)
    return oof, Tabular(tuple(float(v) for v in mean), float(np.mean(intercepts)), c)


def fit_tabular(
    x: FloatArray, positive: Mask, rows: Mask, fold: IntArray, held_out: Sequence[int]
) -> tuple[FloatArray, Tabular, dict[float, float]]:
    """The member with the ``C`` of ``C_GRID`` whose out-of-fold logits rank the held-out
    folds' ``rows`` best: (its out-of-fold logits, the member, each C's held-out ROC-AUC)."""
    tried: dict[float, tuple[FloatArray, Tabular]] = {}
    scores: dict[float, float] = {}
    scored = rows & np.isin(fold, held_out)
    for c in C_GRID:
        tried[c] = cross_fit(x, positive, rows, fold, held_out, c)
        scores[c] = auc(positive[scored], tried[c][0][scored])
    best = max(C_GRID, key=lambda c: (np.nan_to_num(scores[c], nan=-1.0), -C_GRID.index(c)))
    return (*tried[best], scores)


def blend(gnn: FloatArray, tabular: FloatArray, weight: float) -> FloatArray:
    out: FloatArray = weight * gnn + (1.0 - weight) * tabular
    return out


def choose_weight(
    gnn: FloatArray, tabular: FloatArray, labels: Mask
) -> tuple[float, dict[float, float]]:
    """The weight of ``WEIGHTS`` whose blend of the out-of-fold logits ranks ``labels``
    best (the first of equals: the networks'), and each weight's ROC-AUC."""
    scores = {w: auc(labels, blend(gnn, tabular, w)) for w in WEIGHTS}
    best = WEIGHTS[0]
    for w in WEIGHTS[1:]:
        if np.nan_to_num(scores[w], nan=-1.0) > np.nan_to_num(scores[best], nan=-1.0):
            best = w
    return best, scores
