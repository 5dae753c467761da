"""/companies/{id}/explanation: the rules' part without a model, the GNN's once one is
trained, under the same privacy rules as every answer."""

from __future__ import annotations

from dataclasses import replace

from fastapi.testclient import TestClient

from riskgraph.engine.engine import Engine
from riskgraph.gnn.model import ModelConfig
from riskgraph.gnn.train import TrainConfig, train
from riskgraph.graph.gateway import Gateway
from riskgraph.graph.identity import graph_identity
from riskgraph.graph.snapshot import build_snapshot
from riskgraph.risk.analysis import analyze
from riskgraph.settings import Settings
from tests.api.conftest import Province, headers


def test_explanation_without_then_with_a_model(
    api: TestClient, province: Province, api_settings: Settings, top_company: str
) -> None:
    url = f"/companies/{top_company}/explanation"
    body = api.get(url, headers=headers("viewer")).json()
    assert body["company"] == top_company and body["model"] is None
    assert body["probability"] is None and body["edges"] == [] and body["features"] == []
    assert body["paths"] and body["reasons"]  # the rules explain it already
    assert "gnn" not in body["components"]

    with Gateway(api_settings) as graph:
        snapshot = build_snapshot(graph)
        this_graph = graph_identity(graph)
    config = TrainConfig(model=ModelConfig(hidden=8), max_epochs=3, folds=2, cross_fit=False)
    # trained on this graph, as `riskgraph gnn train` records it (else it is refused)
    trained = replace(train(snapshot, analyze(snapshot), config), graph_id=this_graph)
    trained.save(api_settings.gnn_model)
    try:  # the API serves the current run: a run with the model, then the API's reload
        with Gateway(api_settings) as graph:
            Engine(graph, api_settings).run(raise_alerts=False)
        assert api.post("/admin/state/refresh", headers=headers("admin")).status_code == 200
        response = api.get(url, params={"top": 3}, headers=headers("viewer"))
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["model"] == trained.fingerprint and 0.0 <= body["probability"] <= 1.0
        assert "gnn" in body["components"]
        assert 0 < len(body["edges"]) <= 3 and 0 < len(body["features"]) <= 3
        assert all(e["relationship"] for e in body["edges"])
        text = response.text
        assert not any(number in text for number in province.id_numbers)
        assert not any(phone in text for phone in province.person_phones)
    finally:  # back to a run without the model, as the other tests expect
        api_settings.gnn_model.unlink()
        with Gateway(api_settings) as graph:
            Engine(graph, api_settings).run(raise_alerts=False)
        assert api.post("/admin/state/refresh", headers=headers("admin")).status_code == 200


def test_explanation_errors(api: TestClient) -> None:
    assert api.get("/companies/NOPE/explanation", headers=headers("viewer")).status_code == 404
    response = api.get("/companies/NOPE/explanation", params={"top": 99}, headers=headers("viewer"))
    assert response.status_code == 422
    assert api.get("/companies/NOPE/explanation").status_code == 401
