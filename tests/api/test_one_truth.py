"""One truth: with a trained GNN, every way of reading a company's risk — the what-if's
current score and level, GET /companies/{id}/risk, `riskgraph export scores` and the HTML
page — reports the same score and level, because the API's state and `analyze` are one
engine call."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from riskgraph.cli import app
from riskgraph.engine.engine import Engine
from riskgraph.gnn.model import ModelConfig
from riskgraph.gnn.train import TrainConfig, train
from riskgraph.graph.gateway import Gateway
from riskgraph.graph.identity import graph_identity
from riskgraph.i18n.locale import Locale
from riskgraph.i18n.render import Renderer
from riskgraph.settings import Settings
from tests.api.conftest import Province, headers

COMPANIES = 50


def test_every_reader_reports_the_gnn_inclusive_score(
    api: TestClient, province: Province, api_settings: Settings, server_env: None, tmp_path: Path
) -> None:
    with Gateway(api_settings) as graph:
        engine = Engine(graph, api_settings, gnn=False)
        snapshot = engine.snapshot()
        config = TrainConfig(model=ModelConfig(hidden=8), max_epochs=3, folds=2, cross_fit=False)
        # trained on this graph, as `riskgraph gnn train` records it (else it is refused)
        trained = replace(
            train(snapshot, engine.analyze(snapshot), config), graph_id=graph_identity(graph)
        )
    trained.save(api_settings.gnn_model)
    try:
        with Gateway(api_settings) as graph:  # what `riskgraph analyze` runs, model and all
            run = Engine(graph, api_settings).run(raise_alerts=False)
        assert "gnn" in run.analysis.components
        assert api.post("/admin/state/refresh", headers=headers("admin")).status_code == 200

        exposed = [str(r["company_id"]) for r in province.scored if r["score"] == 100.0][:5]
        what_if = api.post(
            "/propagate",
            headers=headers("analyst"),
            json={"seeds": exposed, "top": 500, "paths": 0, "include_exposed": True},
        )
        assert what_if.status_code == 200, what_if.text
        hit = {c["id"]: c for c in what_if.json()["companies"]}
        chosen = sorted(hit)[:COMPANIES]
        assert len(chosen) == COMPANIES

        out = tmp_path / "scores.csv"
        result = CliRunner().invoke(app, ["export", "scores", "--out", str(out)])
        assert result.exit_code == 0, result.output
        with out.open(encoding="utf-8-sig", newline="") as handle:
            exported = {r["company_id"]: r for r in csv.DictReader(handle)}

        words = Renderer(Locale.ZH_CN)
        row_of = run.analysis.snapshot.nodes["Company"].index
        moved = 0
        for company in chosen:
            risk = api.get(f"/companies/{company}/risk", headers=headers("viewer")).json()
            score, level = risk["score"], risk["level"]
            assert risk["gnn"] is not None
            assert (hit[company]["score"], hit[company]["level"]) == (score, level), company
            assert (float(exported[company]["score"]), exported[company]["level"]) == (
                score,
                level,
            )
            page = api.get(f"/companies/{company}/subgraph.html", headers=headers("viewer"))
            assert page.status_code == 200
            tooltip = f"风险 {score:.2f}（{words.level(level)}）"  # in the page's node data
            assert tooltip in page.text or json.dumps(tooltip)[1:-1] in page.text, company
            row = row_of[company]
            moved += run.analysis.components["gnn"][row] > 0
        assert moved > 0  # the GNN's component is part of what they agree on
    finally:
        api_settings.gnn_model.unlink()
        with Gateway(api_settings) as graph:  # the province as the other tests know it
            Engine(graph, api_settings, gnn=False).run(raise_alerts=False)
        assert api.post("/admin/state/refresh", headers=headers("admin")).status_code == 200
