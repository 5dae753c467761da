"""Which GNN a run applies, against the real Neo4j: the graph's identity is kept across
loads and deltas and made anew by a wipe; the model file at the default path is applied
to the graph it was trained on only; one named on purpose is applied anyway; the run (its
report, the Run node, its saved state) names the model it used or why none."""

from __future__ import annotations

from pathlib import Path

import neo4j
import pytest
import torch

from riskgraph.engine.engine import Engine
from riskgraph.engine.models import ForeignModel, ModelStatus, ModelUse
from riskgraph.engine.runs import RunStore
from riskgraph.gnn.train import TrainedModel
from riskgraph.graph.gateway import Gateway
from riskgraph.graph.identity import graph_identity
from riskgraph.ingest.pipeline import ingest_bundle
from riskgraph.settings import Settings
from tests.engine.small import COMPANIES, load_small, untrained_model
from tests.ingest.conftest import make_uscc, write_bundle


@pytest.fixture
def small(graph: Gateway, neo4j_settings: Settings, tmp_path: Path) -> Settings:
    """The six-company province loaded; this test's runs folder and model path."""
    load_small(graph, neo4j_settings, tmp_path / "bundle")
    return neo4j_settings.model_copy(
        update={
            "runs_dir": tmp_path / "runs",
            "lock_file": tmp_path / "pipeline.lock",
            "gnn_model": tmp_path / "models" / "gnn.pt",
        }
    )


def _saved(graph: Gateway, settings: Settings, graph_id: str | None) -> TrainedModel:
    model = untrained_model(graph, settings, graph_id)
    settings.gnn_model.parent.mkdir(parents=True, exist_ok=True)
    model.save(settings.gnn_model)
    return model


def _run_node(driver: neo4j.Driver, run_id: str) -> dict[str, object]:
    records = driver.execute_query(
        "MATCH (r:Run {id: $id}) RETURN r.model AS model, r.model_path AS path, "
        "r.model_graph AS graph, r.model_trained_at AS trained_at, r.model_target AS target",
        id=run_id,
    ).records
    return dict(records[0])


def test_the_graph_keeps_its_id_across_a_delta_and_a_wipe_makes_a_new_one(
    graph: Gateway, small: Settings, driver: neo4j.Driver, tmp_path: Path
) -> None:
    first = graph_identity(graph)
    assert len(first) == 36 and graph_identity(graph) == first  # made once, then read
    delta = write_bundle(
        tmp_path / "delta",
        companies=[{"id": make_uscc(60), "name": "新公司", "established": "2024-02-01"}],
        events=[{"company_id": COMPANIES[4], "date": "2024-02-01", "type": "exposure"}],
    )
    assert ingest_bundle(delta, graph, small).rejected == 0
    assert graph_identity(graph) == first
    count = driver.execute_query("MATCH (m:Meta {name: 'graph'}) RETURN count(m) AS n")
    assert count.records[0]["n"] == 1
    graph.run_autocommit("wipe_graph", batch=1000)
    assert graph_identity(graph) not in ("", first)  # a wiped graph is a new graph


def test_a_model_trained_on_this_graph_is_applied_and_the_run_names_it(
    graph: Gateway, small: Settings, driver: neo4j.Driver
) -> None:
    here = graph_identity(graph)
    model = _saved(graph, small, here)
    assert model.trained_at is not None
    report = Engine(graph, small).run(raise_alerts=False)
    assert "gnn" in report.analysis.components
    assert report.model == ModelUse(
        ModelStatus.APPLIED, small.gnn_model, here, model.trained_at, "exposure", here
    )
    assert _run_node(driver, report.run_id) == {
        "model": "applied",
        "path": str(small.gnn_model),
        "graph": here,
        "trained_at": model.trained_at,
        "target": "exposure",
    }
    saved = RunStore(small.runs_dir).load(report.run_id)
    assert saved.model == report.model


def test_a_model_from_another_graph_at_the_default_path_is_refused(
    graph: Gateway, small: Settings, driver: neo4j.Driver
) -> None:
    _saved(graph, small, "another-graph")
    report = Engine(graph, small).run(raise_alerts=False)
    assert "gnn" not in report.analysis.components  # the rules only
    assert report.analysis.gnn_probability is None
    use = report.model
    assert use.status is ModelStatus.FOREIGN and not use.applied
    assert (use.path, use.graph_id, use.graph) == (
        small.gnn_model,
        "another-graph",
        graph_identity(graph),
    )
    node = _run_node(driver, report.run_id)
    assert (node["model"], node["graph"]) == ("foreign", "another-graph")
    # required (`gnn predict`, `gnn explain`, the demo): an error that says what to do
    with pytest.raises(ForeignModel, match="RISKGRAPH_GNN_ANY_GRAPH=true") as refused:
        Engine(graph, small, gnn=True).model()
    assert f"--model {small.gnn_model}" in str(refused.value)


def test_a_model_file_from_before_graph_ids_counts_as_foreign(
    graph: Gateway, small: Settings
) -> None:
    _saved(graph, small, graph_identity(graph))
    payload = torch.load(small.gnn_model, weights_only=True)
    del payload["graph_id"], payload["trained_at"]  # as files saved before them
    torch.save(payload, small.gnn_model)
    old = TrainedModel.load(small.gnn_model)
    assert (old.graph_id, old.trained_at) == (None, None)
    engine = Engine(graph, small)
    assert engine.model() is None
    assert engine.model_use.status is ModelStatus.FOREIGN and engine.model_use.graph_id is None


def test_a_model_named_on_purpose_is_applied_whatever_its_graph(
    graph: Gateway, small: Settings, tmp_path: Path
) -> None:
    model = _saved(graph, small, "another-graph")
    elsewhere = tmp_path / "elsewhere.pt"
    model.save(elsewhere)
    here = graph_identity(graph)
    by_file = Engine(graph, small, gnn=elsewhere)  # --model FILE
    assert by_file.model() is not None
    assert by_file.model_use.status is ModelStatus.APPLIED and by_file.model_use.forced
    assert (by_file.model_use.path, by_file.model_use.graph) == (elsewhere, here)
    given = Engine(graph, small, gnn=model)  # a model object
    assert given.model() is model and given.model_use.path is None
    anyway = Engine(graph, small.model_copy(update={"gnn_any_graph": True}))
    assert anyway.model() is not None
    assert anyway.model_use.forced and anyway.model_use.path == small.gnn_model
    assert "gnn" in anyway.analyze().components


def test_no_model_file_and_no_gnn_say_so(graph: Gateway, small: Settings) -> None:
    absent = Engine(graph, small)
    assert absent.model() is None
    assert absent.model_use == ModelUse(ModelStatus.ABSENT, small.gnn_model)
    _saved(graph, small, graph_identity(graph))
    assert Engine(graph, small, gnn=False).model_use == ModelUse(ModelStatus.DISABLED)
