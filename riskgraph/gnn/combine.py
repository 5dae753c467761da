"""The GNN as a fifth score component.

The risk score is a noisy-OR of its components (``riskgraph.risk.scoring``); the GNN's
calibrated probability joins it the same way, ``1 - (1 - score) (1 - w p)``, so the GNN
can raise a score that the rules left low but never lowers one they found high (the rules'
reasons stay true), and the result stays within 0-100. Exposed companies stay at 100.
"""

from __future__ import annotations

import numpy as np

from riskgraph.graph.snapshot import FloatArray
from riskgraph.risk.analysis import Analysis

GNN_WEIGHT = 0.8  # as strong as the strongest rules short of contagion and rings


def gnn_component(probability: FloatArray, full: float = 0.5) -> FloatArray:
    """The probability as a component in [0, 1], full at ``full``: exposure is rare, so a
    company with an even chance of it is as much evidence as the component can give."""
    return np.clip(np.asarray(probability, dtype=np.float64) / full, 0.0, 1.0)


def combined_score(
    analysis: Analysis, probability: FloatArray, weight: float = GNN_WEIGHT
) -> FloatArray:
    """0-100 score: the analysis' score with the GNN's probability OR-ed in."""
    if probability.shape != analysis.score.shape:
        raise ValueError("one probability per company of the analysis is needed")
    keep = (1.0 - analysis.score / 100.0) * (1.0 - weight * gnn_component(probability))
    return np.where(analysis.exposed, 100.0, 100.0 * (1.0 - keep))
