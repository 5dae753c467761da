"""The back-test's fit on hand-built histories whose right answer is known by construction."""

from __future__ import annotations

from datetime import date

import numpy as np
import numpy.typing as npt
import pytest

from riskgraph.graph.snapshot import Snapshot
from riskgraph.risk.analysis import AnalysisParams, analyze
from riskgraph.risk.calibration import (
    MIN_SEEDS,
    Calibration,
    FitStatus,
    Option,
    backtest,
    choose,
)
from riskgraph.risk.combination import Combination
from riskgraph.weights import PATH_WEIGHTS
from tests.risk.tiny import TinyGraph

CUTOFF, NOW = date(2023, 1, 1), date(2024, 1, 1)


def guarantee_province(seeds: int) -> tuple[Snapshot, npt.NDArray[np.bool_]]:
    """Each exposed company guarantees three companies, wholly owns three others and
    shares its legal representative with two more. Only the guaranteed ones failed after
    the cut-off: contagion ran through guarantees, while the hand-set weights rank
    ownership (0.8 times a share of 1) above a guarantee (0.7)."""
    g = TinyGraph()
    failed: list[str] = []
    for i in range(seeds):
        seed = g.company(f"S{i:03}")
        g.event(seed, "exposure", "2022-06-01")
        g.person(f"P{i:03}")
        g.officer(f"P{i:03}", seed)
        for j in range(3):
            failed.append(g.company(f"G{i:03}{j}"))
            g.link("GUARANTEE", seed, f"G{i:03}{j}")
            g.company(f"H{i:03}{j}")
            g.holds(seed, f"H{i:03}{j}", 1.0, by="Company")
        for j in range(2):
            g.company(f"O{i:03}{j}")
            g.officer(f"P{i:03}", f"O{i:03}{j}")
    snapshot = g.build()
    keys = snapshot.nodes["Company"].keys
    return snapshot, np.isin(keys, failed)


def _backtest(snapshot: Snapshot, failed: npt.NDArray[np.bool_]) -> Calibration:
    return backtest(snapshot, failed, cutoff=CUTOFF, now=NOW, horizon_days=365)


def test_contagion_through_guarantees_raises_the_guarantee_weight_and_the_held_out_ap() -> None:
    snapshot, failed = guarantee_province(40)
    result = _backtest(snapshot, failed)
    assert result.seeds == 40
    assert result.outcomes == 120
    assert result.weights_status is FitStatus.FITTED
    assert result.weights is not None
    assert result.weights["GUARANTEE"] > PATH_WEIGHTS["GUARANTEE"]
    held, hand = result.ap["held_out_contagion_fitted"], result.ap["held_out_contagion_hand_set"]
    assert held > hand + 0.2
    # what an analysis with the calibration applied ranks: every failed company first
    params = result.apply(AnalysisParams())
    assert params.weights["GUARANTEE"] == result.weights["GUARANTEE"]
    contagion = analyze(snapshot, params).contagion
    scored = ~snapshot.exposed()
    assert contagion[failed].min() > contagion[scored & ~failed].max()


def test_the_levels_count_every_held_out_company_once() -> None:
    snapshot, failed = guarantee_province(40)
    result = _backtest(snapshot, failed)
    for rates in (result.levels, result.hand_set_levels):
        assert sum(r.failed for r in rates) == result.held_out_outcomes
        assert all(0 <= r.failed <= r.companies for r in rates)
    held_out = sum(r.companies for r in result.levels)
    assert 0.2 * result.companies < held_out < 0.45 * result.companies


def test_a_kept_combination_did_at_least_as_well_on_the_held_out_companies() -> None:
    snapshot, failed = guarantee_province(40)
    result = _backtest(snapshot, failed)
    fitted = result.ap["held_out_score_fitted"]
    hand = result.ap["held_out_score_hand_set_combination"]
    if result.combination_status is FitStatus.FITTED:
        assert result.combination is not None
        assert fitted >= hand
    else:
        assert result.combination is None
        assert fitted < hand
    assert result.ap["held_out_score_kept"] >= result.ap["held_out_score_hand_set"]
    if result.weights_status is FitStatus.FITTED:
        assert result.ap["held_out_score_kept"] == result.ap["held_out_score_fitted_weights"]


def test_too_thin_a_history_keeps_the_hand_set_values() -> None:
    snapshot, failed = guarantee_province(MIN_SEEDS - 1)
    result = _backtest(snapshot, failed)
    assert result.weights_status is FitStatus.THIN
    assert result.combination_status is FitStatus.THIN
    assert not result.fitted
    params = AnalysisParams()
    assert result.apply(params).weights == params.weights
    assert result.apply(params).scoring.combination is None


def test_a_calibration_reads_back_as_it_was_stored() -> None:
    snapshot, failed = guarantee_province(40)
    result = _backtest(snapshot, failed)
    again = Calibration.from_dict(result.to_dict())
    assert again == result
    with pytest.raises(ValueError):
        Calibration.from_dict({**result.to_dict(), "weights_status": "guessed"})


def spent_seeds_province(seeds: int) -> tuple[Snapshot, npt.NDArray[np.bool_]]:
    """Every exposed company guarantees three companies. Half of them blew up in 2019 and
    their partners have stood since; the other half blew up two months before the cut-off,
    and only their partners failed after it. Nothing tells the two halves' partners apart
    but how long ago their guarantor blew up."""
    g = TinyGraph()
    failed: list[str] = []
    for i in range(seeds):
        fresh = i % 2 == 0
        seed = g.company(f"S{i:03}")
        g.event(seed, "exposure", "2022-11-01" if fresh else "2019-03-01")
        for j in range(3):
            partner = g.company(f"G{i:03}{j}")
            g.link("GUARANTEE", seed, partner)
            if fresh:
                failed.append(partner)
    snapshot = g.build()
    return snapshot, np.isin(snapshot.nodes["Company"].keys, failed)


def test_spent_exposures_fade_when_the_history_says_they_are_spent() -> None:
    snapshot, failed = spent_seeds_province(40)
    result = _backtest(snapshot, failed)
    assert result.weights_status is FitStatus.FITTED
    assert result.seed_half_life_days is not None
    held, hand = result.ap["held_out_contagion_fitted"], result.ap["held_out_contagion_hand_set"]
    assert held > hand + 0.2
    params = result.apply(AnalysisParams())
    assert params.seed_half_life_days == result.seed_half_life_days
    contagion = analyze(snapshot, params).contagion
    scored = ~snapshot.exposed()
    assert contagion[failed].min() > contagion[scored & ~failed].max()
    # the hand-set analysis cannot tell them apart: every partner scores alike
    hand_contagion = analyze(snapshot, AnalysisParams()).contagion
    assert np.ptp(hand_contagion[scored]) == pytest.approx(0.0, abs=1e-9)
    assert Calibration.from_dict(result.to_dict()) == result


def test_equal_seeds_keep_no_fading_where_age_tells_nothing() -> None:
    snapshot, failed = guarantee_province(40)  # every exposure on the same day
    result = _backtest(snapshot, failed)
    assert result.seed_half_life_days is None


def _options(hand: tuple[float, float], fitted: tuple[float, float]) -> list[Option]:
    """Held-out AP of (noisy-OR, fitted combination) with the hand-set and fitted weights."""
    learned = Combination((("contagion",),), (1.0,), 0.0)
    return [
        Option(weights, combination, np.zeros(1), ap, ap)
        for weights, pair in ((False, hand), (True, fitted))
        for combination, ap in zip((None, learned), pair, strict=True)
    ]


def test_weights_that_lower_the_whole_score_are_not_kept() -> None:
    # the fitted weights' contagion did better alone (eligible), but the score with them,
    # either way combined, ranks the held-out third worse than the hand-set weights'
    kept = choose(_options(hand=(0.12, 0.10), fitted=(0.11, 0.09)), weights_eligible=True)
    assert not kept.fitted_weights and kept.combination is None
    kept = choose(_options(hand=(0.10, 0.12), fitted=(0.11, 0.09)), weights_eligible=True)
    assert not kept.fitted_weights and kept.combination is not None


def test_fitted_parts_are_kept_when_they_do_as_well() -> None:
    kept = choose(_options(hand=(0.10, 0.12), fitted=(0.11, 0.12)), weights_eligible=True)
    assert kept.fitted_weights and kept.combination is not None
    kept = choose(_options(hand=(0.10, 0.09), fitted=(0.20, 0.15)), weights_eligible=True)
    assert kept.fitted_weights and kept.combination is None
    # weights whose contagion did worse alone are never kept, whatever the score says
    kept = choose(_options(hand=(0.10, 0.09), fitted=(0.20, 0.15)), weights_eligible=False)
    assert not kept.fitted_weights
