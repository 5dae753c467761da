"""The learned combination: monotone, explainable per component, anchored on the levels."""

from __future__ import annotations

import numpy as np
import pytest

from riskgraph.risk import scoring
from riskgraph.risk.combination import (
    Combination,
    design,
    fit_combination,
    fit_logistic,
    score_map,
    terms_of,
)
from riskgraph.risk.scoring import ScoringParams


def _components(n: int, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {name: rng.random(n) for name in scoring.COMPONENTS}


def test_logistic_fit_finds_the_signal_and_keeps_every_coefficient_non_negative() -> None:
    rng = np.random.default_rng(1)
    x = rng.random((4000, 3))
    # the first column raises the odds, the others do nothing
    y = rng.random(4000) < 1 / (1 + np.exp(-(-3.0 + 4.0 * x[:, 0])))
    intercept, coefficients = fit_logistic(x, y)
    assert coefficients[0] == pytest.approx(4.0, abs=0.8)
    assert intercept == pytest.approx(-3.0, abs=0.6)
    assert (coefficients[1:] < 0.5).all()
    # a column that lowers the odds gets 0: more evidence never lowers a score
    y = rng.random(4000) < 1 / (1 + np.exp(-(-1.0 + 2.0 * x[:, 0] - 3.0 * x[:, 1])))
    _, coefficients = fit_logistic(x, y)
    assert coefficients[0] > 1.0
    assert coefficients[1] == 0.0
    assert (coefficients >= 0).all()


def test_contributions_add_up_to_the_logit_and_a_pair_is_split_evenly() -> None:
    components = _components(50)
    terms = terms_of(scoring.COMPONENTS)
    assert len(terms) == 4 + 6
    combination = Combination(terms, tuple(np.linspace(0.1, 1.0, len(terms))), -2.0)
    shares = combination.contributions(components)
    total = sum(shares.values())
    np.testing.assert_allclose(total, combination.logit(components) - combination.intercept)
    only_pair = Combination((("ring", "events"),), (2.0,), 0.0)
    pair = only_pair.contributions(components)
    np.testing.assert_allclose(pair["ring"], pair["events"])
    np.testing.assert_allclose(pair["ring"], components["ring"] * components["events"])


def test_the_score_keeps_the_logits_order_and_stays_within_0_and_100() -> None:
    components = _components(500)
    combination = Combination(terms_of(scoring.COMPONENTS), (1.0,) * 10, -1.0, 0.7, -0.3)
    logit, score = combination.logit(components), combination.score(components)
    assert ((score > 0) & (score < 100)).all()
    order = np.argsort(logit)
    assert (np.diff(score[order]) >= 0).all()
    assert len(np.unique(np.round(score, 6))) == len(np.unique(np.round(logit, 9)))


def test_the_score_map_keeps_the_hand_set_number_of_red_and_yellow_companies() -> None:
    rng = np.random.default_rng(3)
    logits = rng.normal(size=10_000)
    reference = np.concatenate([np.full(200, 90.0), np.full(800, 50.0), np.full(9000, 5.0)])
    slope, offset = score_map(logits, reference, red=80.0, yellow=40.0)
    score = 100 / (1 + np.exp(-(slope * logits + offset)))
    assert (score >= 80).sum() == pytest.approx(200, abs=2)
    assert (score >= 40).sum() == pytest.approx(1000, abs=2)


def test_a_stored_combination_reads_back_and_a_negative_coefficient_is_refused() -> None:
    components = _components(100)
    failed = components["contagion"] + 0.1 * components["ring"] > 0.9
    every = np.ones(100, dtype=bool)
    learned = fit_combination(components, failed, every, 100 * components["contagion"], every,
                              (80.0, 40.0))  # fmt: skip
    again = Combination.from_dict(learned.to_dict())
    np.testing.assert_allclose(again.score(components), learned.score(components))
    broken = {**learned.to_dict(), "coefficients": [-1.0, *learned.coefficients[1:]]}
    with pytest.raises(ValueError, match=">= 0"):
        Combination.from_dict(broken)


def test_with_a_combination_the_gnn_is_or_ed_on_top_and_exposure_still_scores_100() -> None:
    components = _components(20)
    combination = Combination(terms_of(scoring.COMPONENTS), (1.0,) * 10, -2.0, 1.0, 0.0)
    params = ScoringParams(combination=combination)
    exposed = np.zeros(20, dtype=bool)
    exposed[0] = True
    rules = scoring.combine(components, exposed, params)
    np.testing.assert_allclose(rules[1:], combination.score(components)[1:])
    assert rules[0] == 100.0
    gnn = np.full(20, 0.5)
    both = scoring.combine({**components, "gnn": gnn}, exposed, params)
    expected = 100 * (1 - (1 - rules / 100) * (1 - params.weights["gnn"] * 0.5))
    np.testing.assert_allclose(both[1:], expected[1:])


def test_design_multiplies_the_components_of_a_term() -> None:
    components = {"a": np.array([0.5, 2.0]), "b": np.array([0.5, 0.5])}
    x = design(components, (("a",), ("a", "b")))
    np.testing.assert_allclose(x, [[0.5, 0.25], [1.0, 0.5]])  # clipped to [0, 1] first


def test_only_exposure_scores_100() -> None:
    components = {name: np.ones(3) for name in scoring.COMPONENTS}
    saturated = Combination(terms_of(scoring.COMPONENTS), (50.0,) * 10, 0.0, 5.0, 0.0)
    exposed = np.array([True, False, False])
    score = scoring.combine(components, exposed, ScoringParams(combination=saturated))
    assert score[0] == 100.0
    assert (score[1:] == scoring.UNEXPOSED_MAX).all()
    assert np.round(score[1:], 2).max() < 100.0
