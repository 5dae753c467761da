"""`riskgraph calibrate` on a history loaded into the real Neo4j: the graph read as of the
cut-off, the failures in the horizon after it, the result stored and applied."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from riskgraph.cli import app
from riskgraph.engine.calibrate import CalibrationError, load, run_backtest, without_status
from riskgraph.engine.engine import Engine
from riskgraph.engine.params import analysis_params, hand_set_params
from riskgraph.graph.gateway import Gateway
from riskgraph.graph.snapshot import build_snapshot
from riskgraph.ingest.pipeline import ingest_bundle
from riskgraph.risk.calibration import FitStatus
from riskgraph.settings import Settings, get_settings
from riskgraph.weights import PATH_WEIGHTS
from tests.ingest.conftest import make_uscc, write_bundle

runner = CliRunner()
SEEDS = 40


def _id(kind: str, i: int, j: int = 0) -> str:
    return make_uscc({"S": 0, "G": 1, "H": 2, "L": 3}[kind] * 1000 + i * 10 + j)


def load_history(graph: Gateway, settings: Settings, folder: Path) -> None:
    """Forty companies blew up in June 2022. Each guarantees three companies, which blew up
    in March 2023 and were revoked since, and wholly owns three others, which did not.
    One more company blew up in March 2024, after the horizon of a cut-off on 1 January
    2023: it is neither a seed nor an outcome of that back-test."""
    companies, links, holdings, events = [], [], [], []
    for i in range(SEEDS):
        seed = _id("S", i)
        companies.append({"id": seed, "name": f"爆雷公司{i}", "established": "2015-01-01"})
        events.append({"company_id": seed, "date": "2022-06-01", "type": "exposure"})
        for j in range(3):
            guaranteed, owned = _id("G", i, j), _id("H", i, j)
            companies.append({"id": guaranteed, "name": f"担保公司{i}-{j}",
                              "established": "2016-01-01", "status": "revoked"})  # fmt: skip
            companies.append({"id": owned, "name": f"子公司{i}-{j}", "established": "2016-01-01"})
            links.append({"source_id": seed, "target_id": guaranteed, "type": "guarantee"})
            holdings.append({"holder_id": seed, "holder_type": "company", "company_id": owned,
                             "share": "1.0"})  # fmt: skip
            events.append({"company_id": guaranteed, "date": "2023-03-01", "type": "exposure"})
    late = _id("L", 0)
    companies.append({"id": late, "name": "晚爆雷公司", "established": "2016-01-01"})
    events.append({"company_id": late, "date": "2024-03-01", "type": "exposure"})
    bundle = write_bundle(
        folder, companies=companies, links=links, shareholdings=holdings, events=events
    )
    assert ingest_bundle(bundle, graph, settings).rejected == 0


@pytest.fixture
def history(graph: Gateway, neo4j_settings: Settings, tmp_path: Path) -> Gateway:
    load_history(graph, neo4j_settings, tmp_path / "bundle")
    return graph


def test_the_back_test_reads_the_graph_as_of_the_cut_off(history: Gateway) -> None:
    result = run_backtest(history, hand_set_params(get_settings()), date(2023, 1, 1), 365)
    assert result.now == date(2024, 3, 1)
    assert result.seeds == SEEDS
    assert result.outcomes == 3 * SEEDS  # the late failure is outside the horizon
    assert result.weights_status is FitStatus.FITTED
    assert result.weights is not None
    assert result.weights["GUARANTEE"] > PATH_WEIGHTS["GUARANTEE"]
    # the default cut-off: the horizon before the latest event; nothing failed after it
    # but the late one
    default = run_backtest(history, hand_set_params(get_settings()), None, 365)
    assert default.cutoff == date(2023, 3, 2)
    assert default.outcomes == 1
    assert default.weights_status is FitStatus.THIN


def test_the_past_keeps_no_registry_status(history: Gateway) -> None:
    snapshot = build_snapshot(history, as_of=date(2023, 1, 1))
    assert "status" in snapshot.nodes["Company"].columns
    assert "status" not in without_status(snapshot).nodes["Company"].columns


def test_a_cut_off_after_the_history_is_refused(history: Gateway) -> None:
    with pytest.raises(CalibrationError, match="not before the latest event"):
        run_backtest(history, hand_set_params(get_settings()), date(2025, 1, 1), 365)


def test_the_command_stores_the_calibration_and_every_analysis_applies_it(
    history: Gateway, server_env: None
) -> None:
    result = runner.invoke(app, ["calibrate", "--cutoff", "2023-01-01"])
    assert result.exit_code == 0, result.output
    assert "回溯检验" in result.output  # zh-CN by default
    settings = get_settings()
    stored = json.loads(settings.calibration.read_text(encoding="utf-8"))
    assert stored["outcomes"] == 3 * SEEDS
    calibration = load(settings.calibration)
    assert calibration is not None and calibration.weights is not None
    params = analysis_params(settings)
    assert params.weights["GUARANTEE"] == calibration.weights["GUARANTEE"]
    analysis = Engine(history, settings, gnn=False).analyze()
    keys = analysis.snapshot.nodes["Company"].index
    guaranteed = [keys[_id("G", i, j)] for i in range(SEEDS) for j in range(3)]
    owned = [keys[_id("H", i, j)] for i in range(SEEDS) for j in range(3)]
    assert analysis.contagion[guaranteed].min() > analysis.contagion[owned].max()


def test_a_damaged_calibration_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "calibration.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CalibrationError, match="riskgraph calibrate"):
        load(path)
    assert load(tmp_path / "absent.json") is None


@pytest.mark.parametrize("seed", [21])
def test_on_a_province_whose_failures_spread_through_guarantees_the_weight_rises(
    graph: Gateway, neo4j_settings: Settings, tmp_path: Path, seed: int
) -> None:
    """A generated province (the guarantee variant: failures spread only to the companies
    guaranteeing or guaranteed by a failed one, in its history as after t0)."""
    from riskgraph.ingest.generator import VARIANTS, generate

    generate(4000, seed, tmp_path / "province", variant=VARIANTS["guarantee"])
    ingest_bundle(tmp_path / "province", graph, neo4j_settings)
    result = run_backtest(graph, hand_set_params(get_settings()))
    assert result.weights_status is FitStatus.FITTED, result.to_dict()
    assert result.weights is not None
    assert result.weights["GUARANTEE"] > PATH_WEIGHTS["GUARANTEE"], (result.weights, result.ap)
    fitted, hand = result.ap["held_out_contagion_fitted"], result.ap["held_out_contagion_hand_set"]
    assert fitted > hand
