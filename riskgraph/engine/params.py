"""The analysis parameters, built from the settings in this one function."""

from __future__ import annotations

from riskgraph.engine import calibrate
from riskgraph.risk.analysis import AnalysisParams
from riskgraph.risk.scoring import ScoringParams
from riskgraph.settings import Settings


def hand_set_params(settings: Settings) -> AnalysisParams:
    """The hand-set weights with this deployment's level thresholds."""
    levels = ScoringParams(
        red=settings.level_red, orange=settings.level_orange, yellow=settings.level_yellow
    )
    return AnalysisParams(scoring=levels)


def analysis_params(settings: Settings) -> AnalysisParams:
    """What every analysis of this deployment uses: the level thresholds, and what the
    back-test (``riskgraph calibrate``) fitted and kept, when it has run."""
    params = hand_set_params(settings)
    calibration = calibrate.load(settings.calibration)
    return params if calibration is None else calibration.apply(params)
