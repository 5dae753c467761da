"""What ``gnn train`` chooses on its held-out folds: the tabular member's blend weight and
the combination with the rules. Small arrays whose answer is known, then the planted
province trained with the analysis."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from riskgraph.gnn.combine import OUTCOME, choose_combination, fitted_input, with_gnn
from riskgraph.gnn.tabular import C_GRID, Tabular, choose_weight, fit_tabular
from riskgraph.gnn.train import TrainConfig, TrainedModel, train
from riskgraph.graph.snapshot import Snapshot
from riskgraph.risk import scoring
from riskgraph.risk.analysis import analyze
from riskgraph.risk.combination import Combination
from tests.gnn.test_train import CONFIG
from tests.gnn.toy import planted

N = 600


@pytest.fixture(scope="module")
def labels() -> np.ndarray:
    return np.random.default_rng(0).random(N) < 0.3


def _signal(labels: np.ndarray, noise: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return labels.astype(np.float64) + noise * rng.standard_normal(len(labels))


def test_the_weight_follows_whichever_member_ranks_better(labels: np.ndarray) -> None:
    sharp, blurred = _signal(labels, 0.3, 1), _signal(labels, 3.0, 2)
    assert choose_weight(sharp, blurred, labels)[0] == 1.0  # the networks
    assert choose_weight(blurred, sharp, labels)[0] == 0.0  # the tabular member
    # two halves of the evidence, each noisy: the blend ranks better than either
    first, second = _signal(labels, 1.0, 3), _signal(labels, 1.0, 4)
    weight, scores = choose_weight(first, second, labels)
    assert 0.0 < weight < 1.0 and scores[weight] > max(scores[0.0], scores[1.0])


def test_equal_members_keep_the_networks(labels: np.ndarray) -> None:
    same = _signal(labels, 1.0, 5)
    assert choose_weight(same, same, labels)[0] == 1.0


def test_the_tabular_member_is_cross_fitted_on_the_signal_column(labels: np.ndarray) -> None:
    rng = np.random.default_rng(6)
    x = np.column_stack([_signal(labels, 0.5, 7), rng.standard_normal(N)])
    fold = np.arange(N) % 3
    rows = np.ones(N, dtype=bool)
    rows[:30] = False  # left out: no out-of-fold logit
    oof, member, by_c = fit_tabular(x, labels, rows, fold, [0, 1, 2])
    assert set(by_c) == set(C_GRID) and member.c in C_GRID
    assert np.all(oof[~rows] == 0.0)
    assert by_c[member.c] == max(by_c.values()) > 0.9
    assert member.coefficients[0] > 5 * abs(member.coefficients[1])
    assert Tabular.from_dict(member.to_dict()) == member


def _rules(n: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {name: rng.random(n) for name in scoring.COMPONENTS}


def test_uninformative_rules_leave_the_score_to_the_model(labels: np.ndarray) -> None:
    probability = 1.0 / (1.0 + np.exp(-2.0 * _signal(labels, 0.7, 8)))
    fold = np.arange(N) % 3
    combination, figures = choose_combination(
        _rules(N, 9), probability, labels, fold, [0, 1, 2], scoring.ScoringParams()
    )
    assert combination is not None
    assert figures["combination_fitted_roc_auc"] > figures["combination_noisy_or_roc_auc"]
    weights = dict(zip(combination.terms, combination.coefficients, strict=True))
    assert weights[("gnn",)] > 3 * max(weights[(name,)] for name in scoring.COMPONENTS)
    assert all(c >= 0 for c in combination.coefficients)


def test_a_rare_outcome_s_small_probability_still_weighs_in_the_combination() -> None:
    """A model of failure within a period: about 1 % fail, its probabilities are a few
    percent and rank them well, the rules are noise. The combination must see it."""
    rng = np.random.default_rng(13)
    n = 6000
    risk = rng.standard_normal(n)
    probability = 0.01 * np.exp(1.2 * risk - 0.72)  # mean 0.01
    failed = rng.random(n) < probability
    fold = np.arange(n) % 3
    combination, figures = choose_combination(
        _rules(n, 14), probability, failed, fold, [0, 1, 2], scoring.ScoringParams(), OUTCOME
    )
    assert combination is not None, figures
    weights = dict(zip(combination.terms, combination.coefficients, strict=True))
    assert weights[("gnn",)] > 3 * max(weights[(name,)] for name in scoring.COMPONENTS)


def test_the_fitted_input_of_a_failure_probability_is_half_at_the_full_point() -> None:
    p = np.array([0.0, 0.05, 0.1, 0.5, 1.0])
    assert fitted_input(p, OUTCOME)[2] == pytest.approx(0.5)
    assert np.all(np.diff(fitted_input(p, OUTCOME)) > 0) and fitted_input(p, OUTCOME)[-1] < 1
    assert np.array_equal(fitted_input(p), p)  # a probability of exposure: as it is


def test_rules_that_carry_the_answer_keep_the_noisy_or(labels: np.ndarray) -> None:
    """The rules alone rank perfectly and the model's probability is noise: the fitted
    combination can do no better on the held-out folds than the noisy-OR (ties keep it)
    or does worse; either way nothing worse than the noisy-OR is kept."""
    rules = {name: np.zeros(N) for name in scoring.COMPONENTS}
    rules["events"] = np.where(labels, 0.9, 0.1)
    noise = 0.01 * np.random.default_rng(11).random(N)
    fold = np.arange(N) % 3
    combination, figures = choose_combination(
        rules, noise, labels, fold, [0, 1, 2], scoring.ScoringParams()
    )
    assert figures["combination_noisy_or_roc_auc"] == 1.0
    if combination is not None:
        assert figures["combination_fitted_roc_auc"] == 1.0


def test_a_fold_without_positives_fits_no_combination() -> None:
    labels = np.zeros(30, dtype=bool)
    labels[:5] = True
    fold = np.where(labels, 0, 1)
    combination, _ = choose_combination(
        _rules(30, 12), np.full(30, 0.5), labels, fold, [0, 1], scoring.ScoringParams()
    )
    assert combination is None


def test_a_fitted_combination_orders_by_the_model_and_keeps_exposed_at_100() -> None:
    _, province = planted()
    analysis = analyze(province)
    n = len(analysis.score)
    probability = np.linspace(0.0, 1.0, n)
    terms = tuple((name,) for name in (*scoring.COMPONENTS, "gnn"))
    combination = Combination(terms, (0.0, 0.0, 0.0, 0.0, 4.0), -2.0, 1.0, 0.0)
    scored = with_gnn(analysis, probability, combination=combination)
    assert np.all(scored.score[analysis.exposed] == 100.0)
    open_ = ~analysis.exposed
    assert np.all(np.diff(scored.score[open_]) > 0)  # the probability's order, no ties
    assert scored.params.scoring.combination == combination
    assert np.array_equal(scored.components["gnn"], fitted_input(probability))


def test_held_out_events_leave_out_what_followed_the_exposure() -> None:
    _, province = planted()
    params = scoring.ScoringParams()
    exposed = province.exposed()
    visible = scoring.event_component(province, params)
    hidden = scoring.event_component(province, params, exposed)
    assert np.all(hidden <= visible + 1e-12)
    assert np.array_equal(hidden[~exposed], visible[~exposed])


@pytest.fixture(scope="module")
def province() -> Snapshot:
    return planted()[1]


@pytest.fixture(scope="module")
def with_rules(province: Snapshot) -> TrainedModel:
    config = TrainConfig(**{**CONFIG.__dict__, "max_epochs": 20})
    return train(province, analyze(province), config)


def test_training_with_the_analysis_records_its_choices(
    province: Snapshot, with_rules: TrainedModel, tmp_path: Path
) -> None:
    metrics = with_rules.metrics
    assert metrics["blend_weight"] in (1.0, 0.75, 0.5, 0.25, 0.0)
    assert "combination_fitted" in metrics and "tabular_validation_roc_auc" in metrics
    assert (with_rules.combination is not None) == bool(metrics["combination_fitted"])
    analysis = analyze(province)
    scored = with_rules.add_to(analysis)
    assert np.all(scored.score[analysis.exposed] == 100.0)
    path = tmp_path / "gnn.pt"
    with_rules.save(path)
    loaded = TrainedModel.load(path)
    assert loaded.tabular == with_rules.tabular and loaded.blend == with_rules.blend
    assert loaded.combination == with_rules.combination
    assert np.array_equal(loaded.add_to(analysis).score, scored.score)


def test_without_the_options_the_model_is_the_networks_and_the_noisy_or(
    province: Snapshot,
) -> None:
    config = TrainConfig(
        **{**CONFIG.__dict__, "max_epochs": 3, "tabular": False, "combination": False}
    )
    model = train(province, analyze(province), config)
    assert model.tabular is None and model.blend == 1.0 and model.combination is None
    assert "blend_weight" in model.metrics and "combination_fitted" not in model.metrics
