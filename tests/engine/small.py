"""A six-company province loaded into the real Neo4j, and a GNN model for it made without
training (random weights: which model a run applies needs no good one)."""

from __future__ import annotations

from pathlib import Path

import torch

from riskgraph.engine.engine import Engine
from riskgraph.gnn.features import GraphFeatures
from riskgraph.gnn.model import ModelConfig, build_model
from riskgraph.gnn.train import Calibration, TrainConfig, TrainedModel, snapshot_fingerprint
from riskgraph.graph.gateway import Gateway
from riskgraph.ingest.pipeline import ingest_bundle
from riskgraph.settings import Settings
from tests.ingest.conftest import make_resident_id, make_uscc, write_bundle

COMPANIES = [make_uscc(40 + i) for i in range(6)]


def load_small(graph: Gateway, settings: Settings, folder: Path) -> None:
    """C0 blew up; one person runs C0, C1 and C2; C3 guarantees C1; C4, C5 stand alone."""
    bundle = write_bundle(
        folder,
        companies=[
            {"id": c, "name": f"某某公司{i}", "established": "2019-01-01"}
            for i, c in enumerate(COMPANIES)
        ],
        persons=[{"id": "P1", "name": "王伟", "id_number": make_resident_id(41)}],
        officers=[
            {"person_id": "P1", "company_id": c, "role": "legal_representative"}
            for c in COMPANIES[:3]
        ],
        phones=[{"entity_id": c, "phone": "13800000000"} for c in COMPANIES[:2]],
        addresses=[{"entity_id": c, "address": "杭州市西湖区某路1号"} for c in COMPANIES[3:5]],
        links=[{"source_id": COMPANIES[3], "target_id": COMPANIES[1], "type": "guarantee"}],
        events=[{"company_id": COMPANIES[0], "date": "2024-01-10", "type": "exposure"}],
    )
    assert ingest_bundle(bundle, graph, settings).rejected == 0


def untrained_model(graph: Gateway, settings: Settings, graph_id: str | None) -> TrainedModel:
    """A model whose features are this graph's (the analysis' included), recording
    ``graph_id`` as the graph it was trained on."""
    engine = Engine(graph, settings, gnn=False)
    snapshot = engine.snapshot()
    schema = GraphFeatures(snapshot, engine.analyze(snapshot)).fit()
    config = ModelConfig(hidden=4)
    torch.manual_seed(0)
    return TrainedModel(
        config=TrainConfig(model=config),
        schema=schema,
        states=[build_model(config, schema).state_dict()],
        calibration=Calibration("platt", a=1.0, b=-2.0),
        metrics={},
        fingerprint=snapshot_fingerprint(snapshot, schema),
        graph_id=graph_id,
    )
