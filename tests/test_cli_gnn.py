"""`riskgraph gnn train | predict | explain` end to end on a generated province in the real
Neo4j: the model file carries what it needs, its component reaches the stored scores, and
a model whose features differ is refused."""

from __future__ import annotations

import json
from pathlib import Path

import neo4j
import pytest
from typer.testing import CliRunner

from riskgraph.cli import app
from riskgraph.gnn.model import ModelConfig
from riskgraph.gnn.train import TrainConfig, TrainedModel, train
from riskgraph.graph.gateway import Gateway
from riskgraph.graph.snapshot import build_snapshot
from riskgraph.ingest.generator import generate
from riskgraph.ingest.pipeline import ingest_bundle
from riskgraph.settings import Settings, get_settings
from tests.engine.small import load_small, untrained_model

runner = CliRunner()
# 3,000 companies, 4 of them exposed, one or more in each of the 3 folds (seed 8)
COMPANIES, SEED = 3000, 8


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("province")
    generate(COMPANIES, SEED, out)
    return out


@pytest.fixture
def loaded(province: Path, graph: Gateway, neo4j_settings: Settings, server_env: None) -> Path:
    ingest_bundle(province, graph, neo4j_settings)
    return province


def _gnn_columns(driver: neo4j.Driver) -> list[tuple[float | None, float | None, float]]:
    records = driver.execute_query(
        "MATCH (c:Company) RETURN c.risk_gnn AS g, c.gnn_probability AS p, c.risk_score AS s"
    ).records
    return [(r["g"], r["p"], r["s"]) for r in records]


def test_train_predict_explain(
    loaded: Path, tmp_path: Path, driver: neo4j.Driver, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = tmp_path / "models" / "gnn.pt"
    result = runner.invoke(app, ["gnn", "train", "--model", str(model), "--epochs", "8"])
    assert result.exit_code == 0, result.output
    trained = TrainedModel.load(model)
    assert trained.metrics["members"] == 3 and trained.metrics["validation_positives"] >= 3
    assert trained.uses_analysis and len(trained.fingerprint) == 16
    assert trained.fingerprint in result.output

    result = runner.invoke(app, ["gnn", "predict", "--model", str(model), "--top", "5"])
    assert result.exit_code == 0, result.output
    assert "GNN 暴雷概率最高" in result.output  # zh-CN by default
    rows = _gnn_columns(driver)
    assert len(rows) >= COMPANIES * 0.95
    assert all(g is not None and p is not None and 0.0 <= p <= 1.0 for g, p, _ in rows)
    # the component only ever raises a score (noisy-OR): none falls below the rules' alone
    with_gnn = {s for _, _, s in rows}
    assert runner.invoke(app, ["analyze", "--no-gnn"]).exit_code == 0
    rules_only = _gnn_columns(driver)
    assert all(g is None and p is None for g, p, _ in rules_only)  # removed, not left stale
    assert sum(s for *_, s in rows) >= sum(s for *_, s in rules_only)
    assert with_gnn

    # `analyze` picks the model up from RISKGRAPH_GNN_MODEL by itself
    monkeypatch.setenv("RISKGRAPH_GNN_MODEL", str(model))
    from riskgraph.settings import get_settings

    get_settings.cache_clear()
    assert runner.invoke(app, ["analyze"]).exit_code == 0
    assert all(g is not None for g, _, _ in _gnn_columns(driver))

    company = driver.execute_query(
        "MATCH (c:Company) WHERE c.gnn_probability IS NOT NULL AND NOT (c)-[:HAS_EVENT]->"
        "(:Event {type: 'exposure'}) RETURN c.id AS id ORDER BY c.gnn_probability DESC LIMIT 1"
    ).records[0]["id"]
    result = runner.invoke(app, ["gnn", "explain", company, "--json", "--top", "4"])
    assert result.exit_code == 0, result.output
    explanation = json.loads(result.output)
    assert explanation["company"] == company and explanation["probability"] is not None
    assert set(explanation["components"]) == {"contagion", "ring", "events", "structure", "gnn"}
    assert 0 < len(explanation["edges"]) <= 4 and explanation["features"]
    assert all(e["weight"] == pytest.approx(e["weight"]) for e in explanation["edges"])

    result = runner.invoke(app, ["gnn", "explain", "NO-SUCH-COMPANY"])
    assert result.exit_code == 1 and "no company 'NO-SUCH-COMPANY'" in result.output


def test_a_model_with_other_features_is_refused(
    loaded: Path, graph: Gateway, tmp_path: Path
) -> None:
    # trained without the propagation inputs: its feature schema lacks contagion and rings
    snapshot = build_snapshot(graph)
    config = TrainConfig(model=ModelConfig(hidden=8), max_epochs=1, cross_fit=False, folds=2)
    other = tmp_path / "other.pt"
    train(snapshot, None, config).save(other)
    result = runner.invoke(app, ["gnn", "predict", "--model", str(other)])
    assert result.exit_code == 1
    assert "do not match the model's schema" in result.output
    assert "unexpected ['burst', 'contagion', 'ring_exposed', 'ring_score']" in result.output


def test_missing_model_says_how_to_make_one(loaded: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["gnn", "predict", "--model", str(tmp_path / "none.pt")])
    assert result.exit_code == 1 and "riskgraph gnn train" in result.output


def test_train_on_a_past_period_outcomes(
    loaded: Path, tmp_path: Path, graph: Gateway, driver: neo4j.Driver
) -> None:
    # the generated province's failures after t0 play the outcomes of a past period
    failures = loaded / "truth" / "future_exposures.csv"
    listed = failures.read_text(encoding="utf-8").count("\n") - 1
    exposed = {
        r["id"]
        for r in driver.execute_query(
            "MATCH (c:Company)-[:HAS_EVENT]->(:Event {type: 'exposure'}) RETURN c.id AS id"
        ).records
    }
    model = tmp_path / "outcomes.pt"
    result = runner.invoke(
        app,
        ["gnn", "train", "--model", str(model), "--epochs", "4", "--outcomes", str(failures)],
    )
    assert result.exit_code == 0, result.output
    assert f"{listed} / {listed}" in result.output  # every listed company is in the graph
    trained = TrainedModel.load(model)
    assert trained.target == "outcome"
    assert trained.config.model.architecture == "rgcn"  # the outcome target's default
    # the positives are the outcomes; the companies exposed at t0 are neither class
    assert trained.metrics["validation_positives"] == listed
    companies = len(build_snapshot(graph).nodes["Company"].keys)
    assert trained.metrics["validation_negatives"] == companies - len(exposed) - listed

    result = runner.invoke(app, ["gnn", "predict", "--model", str(model), "--top", "3"])
    assert result.exit_code == 0, result.output
    assert "GNN 出险概率最高" in result.output


def test_an_outcomes_file_without_company_ids_is_refused(loaded: Path, tmp_path: Path) -> None:
    bad = tmp_path / "failures.csv"
    bad.write_text("company,date\nX,2024-01-01\n", encoding="utf-8")
    result = runner.invoke(
        app, ["gnn", "train", "--model", str(tmp_path / "m.pt"), "--outcomes", str(bad)]
    )
    assert result.exit_code == 1
    assert "failures.csv: no company_id column" in result.output
    assert not (tmp_path / "m.pt").exists()


def test_an_unknown_device_is_refused(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["gnn", "train", "--model", str(tmp_path / "m.pt"), "--device", "tpu"]
    )
    assert result.exit_code == 2 and "cpu, cuda or cuda:N" in result.output


def test_a_model_from_another_graph_is_refused_unless_named(
    graph: Gateway,
    neo4j_settings: Settings,
    server_env: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    load_small(graph, neo4j_settings, tmp_path / "bundle")
    model = tmp_path / "models" / "gnn.pt"
    model.parent.mkdir()
    untrained_model(graph, neo4j_settings, "another-graph").save(model)
    monkeypatch.setenv("RISKGRAPH_GNN_MODEL", str(model))
    get_settings.cache_clear()

    result = runner.invoke(app, ["analyze"])
    assert result.exit_code == 0, result.output
    assert "警告：" in result.stderr and f"GNN 模型 {model} 训练于图 another-graph" in result.stderr
    assert f"riskgraph analyze --model {model}" in result.stderr
    assert "RISKGRAPH_GNN_ANY_GRAPH=true" in result.stderr and "评分仅依据规则" in result.stderr

    result = runner.invoke(app, ["daily", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["model"]["status"] == "foreign"  # stdout: the JSON only
    assert "警告" in result.stderr

    result = runner.invoke(app, ["gnn", "predict"])
    assert result.exit_code == 1
    assert f"riskgraph gnn predict --model {model}" in result.output
    result = runner.invoke(app, ["gnn", "explain", "X"])
    assert result.exit_code == 1 and "riskgraph gnn explain --model" in result.output

    result = runner.invoke(app, ["analyze", "--model", str(model)])
    assert result.exit_code == 0, result.output
    assert f"GNN 模型：{model}" in result.output and "按要求采用" in result.output
    result = runner.invoke(app, ["analyze", "--model", str(model), "--no-gnn"])
    assert result.exit_code == 2 and "contradict" in result.output

    monkeypatch.setenv("RISKGRAPH_LOCALE", "en")
    get_settings.cache_clear()
    result = runner.invoke(app, ["analyze"])
    assert "warning: the GNN model" in result.stderr and "not applied" in result.stderr
    monkeypatch.setenv("RISKGRAPH_GNN_ANY_GRAPH", "true")
    get_settings.cache_clear()
    result = runner.invoke(app, ["analyze"])
    assert result.exit_code == 0 and "applied as asked" in result.output
