"""/model: the model card says how the current run's scores are made and, once the history
was back-tested, what each level meant, in the reader's language."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from riskgraph.api.app import create_app
from riskgraph.engine import calibrate
from riskgraph.graph.schema import Level
from riskgraph.risk.calibration import Calibration, FitStatus, LevelRate
from riskgraph.settings import Settings
from riskgraph.weights import PATH_WEIGHTS
from tests.api.conftest import Province, headers


def test_without_a_back_test_the_card_shows_the_hand_set_model(
    api: TestClient, province: Province
) -> None:
    answer = api.get("/model", headers=headers("viewer"))
    assert answer.status_code == 200, answer.text
    card = answer.json()
    assert card["combination"] == "hand_set"
    assert card["combination_fitted_by"] is None
    assert card["combination_terms"] == []
    assert card["backtest"] is None
    assert card["calibration_applied"] is False
    assert card["seed_half_life_days"] is None  # hand-set: exposures do not fade
    assert card["gnn"] is None
    weights = {w["relationship"]: w for w in card["relationship_weights"]}
    assert weights["GUARANTEE"]["hand_set"] == PATH_WEIGHTS["GUARANTEE"]
    assert weights["GUARANTEE"]["used"] == PATH_WEIGHTS["GUARANTEE"]
    assert weights["GUARANTEE"]["label"] == "担保"
    assert card["levels"] == {"red": 80.0, "orange": 60.0, "yellow": 40.0}
    assert api.get("/model").status_code == 401


@pytest.fixture
def backtested(province: Province, api_settings: Settings, tmp_path: Path) -> Iterator[TestClient]:
    """An app whose calibration file holds a thin back-test (nothing fitted): the card
    reports its level rates, and the run did not need it."""
    rates = (
        LevelRate(Level.RED, 31, 12),
        LevelRate(Level.ORANGE, 50, 5),
        LevelRate(Level.YELLOW, 0, 0),
        LevelRate(Level.NONE, 900, 3),
    )
    stored = Calibration(
        cutoff=date(2023, 1, 1),
        now=date(2024, 1, 1),
        horizon_days=365,
        seeds=4,
        companies=981,
        outcomes=20,
        held_out_outcomes=7,
        weights_status=FitStatus.THIN,
        combination_status=FitStatus.THIN,
        levels=rates,
        hand_set_levels=rates,
    )
    settings = api_settings.model_copy(update={"calibration": tmp_path / "calibration.json"})
    calibrate.save(stored, settings.calibration)
    with TestClient(create_app(settings)) as client:
        yield client


def test_the_card_reads_each_levels_failure_rate_in_both_languages(
    backtested: TestClient,
) -> None:
    card = backtested.get("/model", headers=headers("viewer")).json()
    backtest = card["backtest"]
    assert backtest["weights_status"] == "thin"
    red = next(x for x in backtest["levels"] if x["level"] == "red")
    assert red["rate"] == pytest.approx(12 / 31, abs=1e-4)
    assert red["text"] == "被标为红色的 31 家企业中，38.7%（12 家）在 365 天内失败"
    yellow = next(x for x in backtest["levels"] if x["level"] == "yellow")
    assert yellow["rate"] is None
    english = backtested.get("/model", headers={**headers("viewer"), "Accept-Language": "en"})
    red = next(x for x in english.json()["backtest"]["levels"] if x["level"] == "red")
    assert red["text"] == "of the 31 companies marked red, 38.7% (12) failed within 365 days"
    assert card["calibration_applied"] is False  # nothing fitted: nothing to apply
