"""The analysis parameters, built from the settings in this one function."""

from __future__ import annotations

from riskgraph.risk.analysis import AnalysisParams
from riskgraph.risk.scoring import ScoringParams
from riskgraph.settings import Settings


def analysis_params(settings: Settings) -> AnalysisParams:
    """What every analysis of this deployment uses (today: the level thresholds)."""
    levels = ScoringParams(
        red=settings.level_red, orange=settings.level_orange, yellow=settings.level_yellow
    )
    return AnalysisParams(scoring=levels)
