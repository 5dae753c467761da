"""What a serving process answers for one company, from its in-memory analysis."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import numpy as np
import pytest

from riskgraph.engine.state import EngineState
from riskgraph.risk import scoring
from riskgraph.risk.analysis import AnalysisParams, analyze
from riskgraph.risk.combination import Combination, terms_of
from riskgraph.risk.propagation import Propagator
from tests.risk.test_calibration import guarantee_province


def _state(params: AnalysisParams) -> EngineState:
    snapshot, _ = guarantee_province(6)
    analysis = analyze(snapshot, params)
    return EngineState(
        analysis=analysis,
        propagator=Propagator(analysis.graph.adjacency, analysis.params.alpha),
        tree=analysis.evidence_tree(),
        loaded_at=datetime.now(UTC),
        load_seconds=0.0,
        run_id="run-1",
    )


def test_a_fitted_combination_explains_each_company_by_component() -> None:
    combination = Combination(terms_of(scoring.COMPONENTS), (2.0, 1.0, 0.5, 0.5) + (0.3,) * 6,
                              -4.0, 1.0, 0.0)  # fmt: skip
    params = AnalysisParams()
    state = _state(replace(params, scoring=replace(params.scoring, combination=combination)))
    answer = state.scores_of("G0000")
    assert answer is not None and answer["contributions"] is not None
    row = state.company_row("G0000")
    assert row is not None
    one = {k: v[row : row + 1] for k, v in state.analysis.components.items()}
    logit = float(combination.logit(one)[0])
    assert sum(answer["contributions"].values()) == pytest.approx(logit + 4.0, abs=1e-3)
    assert answer["contributions"]["contagion"] > 0
    assert answer["score"] == pytest.approx(float(np.round(combination.score(one)[0], 2)))


def test_the_hand_set_weights_have_no_contributions() -> None:
    answer = _state(AnalysisParams()).scores_of("G0000")
    assert answer is not None and answer["contributions"] is None
