"""A learned combination of the score components: what a back-test fits in place of the
hand-weighted noisy-OR (``riskgraph.risk.calibration`` fits it).

A logistic regression over the components and their pairwise products, every coefficient
at least 0: more evidence never lowers a score (monotone where it should be), and the
logit splits exactly into one share per component (a product's share is halved between
its two components), so the score stays explainable per component. Its probability is
of failing within the back-test's horizon. The 0-100 score is ``100 expit(slope z +
offset)`` of that logit ``z``, anchored so that in the back-test as many companies reach
red, and as many yellow, as with the hand-set score: the levels keep their workload while
who is red follows the fitted model, and the score keeps the logit's whole order (no
ties from the map).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize
from scipy.special import expit

FloatArray = npt.NDArray[np.float64]
RULES = ("contagion", "ring", "events", "structure")  # scoring.COMPONENTS: the rules' four


def terms_of(components: Sequence[str]) -> tuple[tuple[str, ...], ...]:
    """Each component alone, then each pair of them."""
    singles = tuple((c,) for c in components)
    return singles + tuple(itertools.combinations(components, 2))


def design(components: Mapping[str, FloatArray], terms: Sequence[tuple[str, ...]]) -> FloatArray:
    """Companies x terms: a term is the product of its components' values (clipped to
    [0, 1])."""
    columns = []
    for term in terms:
        column = np.ones_like(np.asarray(components[term[0]], dtype=np.float64))
        for name in term:
            column = column * np.clip(np.asarray(components[name], dtype=np.float64), 0.0, 1.0)
        columns.append(column)
    return np.column_stack(columns) if columns else np.zeros((0, 0))


@dataclass(frozen=True)
class Combination:
    terms: tuple[tuple[str, ...], ...]
    coefficients: tuple[float, ...]  # one per term, each >= 0
    intercept: float
    slope: float = 1.0  # the 0-100 score is 100 expit(slope * logit + offset)
    offset: float = 0.0

    @property
    def components(self) -> tuple[str, ...]:
        seen = dict.fromkeys(name for term in self.terms for name in term)
        return tuple(seen)

    def logit(self, components: Mapping[str, FloatArray]) -> FloatArray:
        x = design(components, self.terms)
        out: FloatArray = self.intercept + x @ np.asarray(self.coefficients)
        return out

    def probability(self, components: Mapping[str, FloatArray]) -> FloatArray:
        """Of failing within the back-test's horizon."""
        out: FloatArray = expit(self.logit(components))
        return out

    def score(self, components: Mapping[str, FloatArray]) -> FloatArray:
        """0-100 (before exposure, which scores 100 whatever the components)."""
        out: FloatArray = 100.0 * expit(self.slope * self.logit(components) + self.offset)
        return out

    def contributions(self, components: Mapping[str, FloatArray]) -> dict[str, FloatArray]:
        """Per component, its share of the logit above the intercept (a pair's term split
        evenly between its two components): they add up to ``logit - intercept``."""
        x = design(components, self.terms)
        shares = {name: np.zeros(len(x)) for name in self.components}
        for j, term in enumerate(self.terms):
            for name in term:
                shares[name] += self.coefficients[j] * x[:, j] / len(term)
        return shares

    def to_dict(self) -> dict[str, Any]:
        return {
            "terms": [list(t) for t in self.terms],
            "coefficients": list(self.coefficients),
            "intercept": self.intercept,
            "slope": self.slope,
            "offset": self.offset,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Combination:
        terms = tuple(tuple(str(n) for n in t) for t in data["terms"])
        coefficients = tuple(float(c) for c in data["coefficients"])
        if len(terms) != len(coefficients) or any(c < 0 for c in coefficients):
            raise ValueError("a combination needs one coefficient >= 0 per term")
        return cls(
            terms,
            coefficients,
            float(data["intercept"]),
            float(data.get("slope", 1.0)),
            float(data.get("offset", 0.0)),
        )


def fit_logistic(
    x: FloatArray, y: npt.NDArray[np.bool_], penalty: float = 1e-3
) -> tuple[float, FloatArray]:
    """(intercept, coefficients >= 0) minimising the mean log loss plus ``penalty`` times
    the squared coefficients: bounded L-BFGS, as the constraint rules out the usual
    solvers' closed paths."""
    target = np.asarray(y, dtype=np.float64)
    m = x.shape[1]

    def loss(theta: FloatArray) -> tuple[float, FloatArray]:
        z = theta[0] + x @ theta[1:]
        p = expit(z)
        # log(1 + e^z) - y z, stably
        value = float(np.mean(np.logaddexp(0.0, z) - target * z))
        residual = (p - target) / len(target)
        grad = np.concatenate([[residual.sum()], x.T @ residual])
        value += penalty * float(theta[1:] @ theta[1:])
        grad[1:] += 2 * penalty * theta[1:]
        return value, grad

    base = float(np.clip(target.mean(), 1e-6, 1 - 1e-6))
    start = np.concatenate([[np.log(base / (1 - base))], np.zeros(m)])
    bounds = [(None, None)] + [(0.0, None)] * m
    result = minimize(loss, start, jac=True, method="L-BFGS-B", bounds=bounds)
    theta = np.asarray(result.x, dtype=np.float64)
    return float(theta[0]), np.maximum(theta[1:], 0.0)


def score_map(
    logits: FloatArray, reference: FloatArray, red: float, yellow: float
) -> tuple[float, float]:
    """(slope, offset) that send the logit at the hand-set red share (``reference >= red``)
    to ``red`` and at its yellow share to ``yellow``: the same number of companies at each
    end of the levels. Shares are kept within [1/n, 1/2] and [red share, 9/10]."""
    n = max(len(logits), 1)
    high = float(np.clip(np.mean(reference >= red), 1.0 / n, 0.5)) if len(reference) else 0.01
    low = float(np.clip(np.mean(reference >= yellow), high, 0.9)) if len(reference) else 0.05
    z_high = float(np.quantile(logits, 1.0 - high)) if len(logits) else 0.0
    z_low = float(np.quantile(logits, 1.0 - low)) if len(logits) else 0.0
    top, bottom = _logit(red / 100.0), _logit(yellow / 100.0)
    slope = (top - bottom) / (z_high - z_low) if z_high - z_low > 1e-9 else 1.0
    return slope, top - slope * z_high


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return float(np.log(p / (1 - p)))


def fit_combination(
    components: Mapping[str, FloatArray],
    failed: npt.NDArray[np.bool_],
    fit: npt.NDArray[np.bool_],
    reference: FloatArray,
    among: npt.NDArray[np.bool_],
    levels: tuple[float, float],
    names: Sequence[str] = RULES,
) -> Combination:
    """Fitted on the companies of ``fit``; its score anchored on those of ``among`` against
    ``reference`` (their hand-set scores) at ``levels`` (red, yellow)."""
    terms = terms_of([n for n in names if n in components])
    x = design(components, terms)
    intercept, coefficients = fit_logistic(x[fit], failed[fit])
    logits = intercept + x @ coefficients
    slope, offset = score_map(logits[among], reference[among], *levels)
    return Combination(terms, tuple(coefficients.tolist()), intercept, slope, offset)
