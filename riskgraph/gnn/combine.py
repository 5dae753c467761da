"""The GNN as a fifth score component.

The risk score is a noisy-OR of its components (``riskgraph.risk.scoring``); the GNN's
calibrated probability joins it the same way, ``1 - (1 - score) (1 - w p)``, so the GNN
can raise a score that the rules left low but never lowers one they found high (the rules'
reasons stay true), and the result stays within 0-100. Exposed companies stay at 100.

How much probability fills the component depends on what the model predicts (its
``target``). A model trained on the exposures known at t0 gives a probability of exposure,
full at 0.5. A model trained on a past period's outcomes gives a probability of failing
within a period, whose base rate is about 1 %: full at 0.1, ten times that rate, chosen on
the validation provinces (``python -m bench gnn-lift``: 0.05 to 0.5 tried on six
train/score pairs of 20k seeds 4-6; 0.1 is the best on five).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from riskgraph.graph.snapshot import FloatArray
from riskgraph.risk import scoring
from riskgraph.risk.analysis import Analysis

EXPOSURE, OUTCOME = "exposure", "outcome"  # what a model was trained to predict
FULL_AT = {EXPOSURE: 0.5, OUTCOME: 0.1}  # probability at which the component is full


def gnn_component(probability: FloatArray, full: float = FULL_AT[EXPOSURE]) -> FloatArray:
    """The probability as a component in [0, 1], full at ``full``: exposure is rare, so a
    company with an even chance of it is as much evidence as the component can give."""
    return np.clip(np.asarray(probability, dtype=np.float64) / full, 0.0, 1.0)


def with_gnn(analysis: Analysis, probability: FloatArray, target: str = EXPOSURE) -> Analysis:
    """The analysis with the GNN's component added and its scores, levels and tiers
    recomputed (the rules' components, rings and evidence are unchanged); ``target`` is
    what the model predicts (``TrainedModel.target``)."""
    if probability.shape != analysis.score.shape:
        raise ValueError("one probability per company of the analysis is needed")
    if target not in FULL_AT:
        raise ValueError(f"target must be one of {', '.join(FULL_AT)}")
    components = {**analysis.components, "gnn": gnn_component(probability, FULL_AT[target])}
    params = analysis.params.scoring
    score = scoring.combine(components, analysis.exposed, params)
    level = scoring.levels(score, params)
    return dataclasses.replace(
        analysis,
        components=components,
        score=score,
        level=level,
        tier=scoring.tiers(level),
        gnn_probability=np.asarray(probability, dtype=np.float64),
        gnn_target=target,
    )


def combined_score(
    analysis: Analysis, probability: FloatArray, target: str = EXPOSURE
) -> FloatArray:
    """0-100 score: the analysis' score with the GNN's probability OR-ed in."""
    return with_gnn(analysis, probability, target).score
