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

**A combination fitted on held-out data.** The noisy-OR trusts the rules' components at
their hand-set weights. Where they carry nothing the model lacks (on SMEsD they rank
bankruptcies no better than chance, and OR-ing them in cost the GNN's 0.85 ROC-AUC a
tenth), ``gnn train`` fits instead a monotone combination (``riskgraph.risk.combination``:
coefficients >= 0, the rules' four and the model's probability, with their pairs) on the
out-of-fold predictions: every company with its components *as they were before its own
exposure* (``held_out_components``) and the probability of the member that never fitted
it. It is kept only when, fitted on the other folds, it ranks each fold's companies at
least as well as the noisy-OR by ROC-AUC and by average precision (``choose_combination``);
``with_gnn`` then scores with it, the GNN's component being ``fitted_input``: the
probability itself, or for a probability of failing within a period ``p / (p + full)``
(the combination's coefficients weigh it).
Exposed companies still score 100.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from riskgraph.graph.snapshot import FloatArray, IntArray
from riskgraph.risk import scoring
from riskgraph.risk.analysis import Analysis
from riskgraph.risk.combination import Combination, fit_combination
from riskgraph.risk.evaluation import ranking_quality

EXPOSURE, OUTCOME = "exposure", "outcome"  # what a model was trained to predict
FULL_AT = {EXPOSURE: 0.5, OUTCOME: 0.1}  # probability at which the component is full


def gnn_component(probability: FloatArray, full: float = FULL_AT[EXPOSURE]) -> FloatArray:
    """The probability as a component in [0, 1], full at ``full``: exposure is rare, so a
    company with an even chance of it is as much evidence as the component can give."""
    return np.clip(np.asarray(probability, dtype=np.float64) / full, 0.0, 1.0)


def fitted_input(probability: FloatArray, target: str = EXPOSURE) -> FloatArray:
    """The probability as the fitted combination's GNN input. A probability of exposure
    spans 0 to 1 and is used as it is. A probability of failing within a period (about 1 %
    at its base rate) becomes ``p / (p + full)``: half at the noisy-OR's full point,
    monotone, never clipped. The combination's terms live in [0, 1] under one penalty,
    and a few percent used as it is left the model a term too small to weigh: on the
    validation province 20k seed 4 its held-out folds kept the noisy-OR (docs/gnn.md,
    "Score component")."""
    p: FloatArray = np.clip(np.asarray(probability, dtype=np.float64), 0.0, 1.0)
    if target == EXPOSURE:
        return p
    out: FloatArray = p / (p + FULL_AT[target])
    return out


def with_gnn(
    analysis: Analysis,
    probability: FloatArray,
    target: str = EXPOSURE,
    combination: Combination | None = None,
) -> Analysis:
    """The analysis with the GNN's component added and its scores, levels and tiers
    recomputed (the rules' components, rings and evidence are unchanged); ``target`` is
    what the model predicts (``TrainedModel.target``). With a ``combination`` (fitted by
    ``gnn train``: ``choose_combination``) the score is that combination's, the GNN's
    component ``fitted_input``, and the analysis' scoring parameters carry it."""
    if probability.shape != analysis.score.shape:
        raise ValueError("one probability per company of the analysis is needed")
    if target not in FULL_AT:
        raise ValueError(f"target must be one of {', '.join(FULL_AT)}")
    gnn = (
        gnn_component(probability, FULL_AT[target])
        if combination is None
        else fitted_input(probability, target)
    )
    components = {**analysis.components, "gnn": gnn}
    params = analysis.params.scoring
    if combination is not None:
        params = dataclasses.replace(params, combination=combination)
    score = scoring.combine(components, analysis.exposed, params)
    level = scoring.levels(score, params)
    return dataclasses.replace(
        analysis,
        params=dataclasses.replace(analysis.params, scoring=params),
        components=components,
        score=score,
        level=level,
        tier=scoring.tiers(level),
        gnn_probability=np.asarray(probability, dtype=np.float64),
        gnn_target=target,
    )


def held_out_components(
    analysis: Analysis,
    hidden: npt.NDArray[np.bool_],
    contagion: FloatArray,
    ring_score: FloatArray,
    ring_exposed: FloatArray,
) -> dict[str, FloatArray]:
    """The rules' four components of a world where the ``hidden`` companies' exposures are
    not known, from that world's GNN inputs (``GraphFeatures.raw``: log10 contagion, ring
    score, the ring's visible exposures) and its events (``scoring.event_component``)."""
    params = analysis.params.scoring
    return {
        "contagion": scoring.contagion_component(np.power(10.0, contagion), params),
        "ring": scoring.ring_component(ring_score, ring_exposed > 0, params),
        "events": scoring.event_component(analysis.snapshot, params, hidden),
        "structure": analysis.components["structure"],
    }


def choose_combination(
    components: Mapping[str, FloatArray],
    probability: FloatArray,
    labels: npt.NDArray[np.bool_],
    fold: IntArray,
    held_out: Sequence[int],
    params: scoring.ScoringParams,
    target: str = EXPOSURE,
) -> tuple[Combination | None, dict[str, float]]:
    """A monotone combination of the rules' ``components`` and the model's ``probability``
    (every company's out-of-fold values, ``labels`` its class), or None where, fitted on
    the other folds, it ranks the held-out folds worse than the noisy-OR by ROC-AUC or by
    average precision; and those four figures. Its score is anchored to the noisy-OR's
    workload among the negatives (``combination.score_map``)."""
    zero = np.zeros(len(labels), dtype=bool)
    hand = scoring.combine(
        {**components, "gnn": gnn_component(probability, FULL_AT[target])}, zero, params
    )
    fitted_inputs = {**components, "gnn": fitted_input(probability, target)}
    names = (*scoring.COMPONENTS, "gnn")
    levels = (params.red, params.yellow)
    cross = np.zeros(len(labels))
    scored = np.isin(fold, held_out)
    for k in held_out:
        fit = fold != k
        if labels[fit].all() or not labels[fit].any():
            return None, {}
        combination = fit_combination(
            fitted_inputs, labels, fit, hand, fit & ~labels, levels, names
        )
        mine = fold == k
        cross[mine] = combination.logit({n: v[mine] for n, v in fitted_inputs.items()})
    hand_auc, hand_ap = ranking_quality(labels[scored], hand[scored])
    fitted_auc, fitted_ap = ranking_quality(labels[scored], cross[scored])
    figures = {
        "combination_noisy_or_roc_auc": hand_auc,
        "combination_noisy_or_average_precision": hand_ap,
        "combination_fitted_roc_auc": fitted_auc,
        "combination_fitted_average_precision": fitted_ap,
    }
    if not (fitted_auc >= hand_auc and fitted_ap >= hand_ap):  # NaN: not better
        return None, figures
    everyone = np.ones(len(labels), dtype=bool)
    chosen = fit_combination(fitted_inputs, labels, everyone, hand, ~labels, levels, names)
    return chosen, figures


def combined_score(
    analysis: Analysis, probability: FloatArray, target: str = EXPOSURE
) -> FloatArray:
    """0-100 score: the analysis' score with the GNN's probability OR-ed in."""
    return with_gnn(analysis, probability, target).score
