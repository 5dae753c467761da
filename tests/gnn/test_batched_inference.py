"""Batched inference: layer by layer, nodes a few at a time, each batch on its one-hop
field, must give the probabilities of one pass over the whole graph; and the fields
themselves (multi-hop, as explanations read them), on a hand-built graph whose answer is
known."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
import pytest
import torch

import riskgraph.gnn.train as train_module
from riskgraph.gnn.explain import EdgeEvidence, _Field, explain_company
from riskgraph.gnn.features import GraphFeatures
from riskgraph.gnn.fields import Field, Fields
from riskgraph.gnn.model import ModelConfig, build_model
from riskgraph.gnn.train import (
    Calibration,
    TrainConfig,
    TrainedModel,
    TrainingError,
    check_memory,
    snapshot_fingerprint,
    train,
    training_bytes,
)
from riskgraph.graph.snapshot import IntArray, Snapshot
from riskgraph.risk.analysis import Analysis, analyze
from riskgraph.settings import get_settings
from tests.gnn.toy import planted

BATCH = 7  # companies per batch: the province's 223 make 32 batches


@pytest.fixture(scope="module")
def province() -> Snapshot:
    """The planted province with degrees that vary: a person in two roles at a hub (two
    edges, as in the whole graph's mean), officer of ten companies, and an address shared
    by thirty."""
    g, _ = planted()
    g.officer("person-hub0", "hub0", role="supervisor")
    for i in range(10):
        g.officer("person-hub0", f"ordinary{i}", role="director")
    for i in range(10, 40):
        g.address(f"ordinary{i}", "address-shared")
    g.holds("person-pattern3", "ordinary50", 0.4)
    return g.build()


@pytest.fixture(scope="module")
def analysis(province: Snapshot) -> Analysis:
    return analyze(province)


def _untrained(
    snapshot: Snapshot, analysis: Analysis | None, config: ModelConfig, members: int = 2
) -> TrainedModel:
    """A model with random weights (equality needs no training), ``members`` of them."""
    schema = GraphFeatures(snapshot, analysis).fit()
    states = []
    for seed in range(members):
        torch.manual_seed(seed)
        states.append(build_model(config, schema).state_dict())
    return TrainedModel(
        config=TrainConfig(model=config),
        schema=schema,
        states=states,
        calibration=Calibration("platt", a=0.7, b=-1.0),
        metrics={},
        fingerprint=snapshot_fingerprint(snapshot, schema),
    )


@pytest.mark.parametrize(
    ("architecture", "layers"), [("rgcn", 2), ("rgcn", 3), ("sage", 2), ("hgt", 2)]
)
def test_batches_give_the_whole_graphs_probabilities(
    province: Snapshot, architecture: str, layers: int
) -> None:
    model = _untrained(province, None, ModelConfig(architecture, hidden=8, layers=layers))
    whole = model.predict(province, batch_size=0)
    batched = model.predict(province, batch_size=BATCH)
    np.testing.assert_allclose(batched, whole, rtol=1e-5, atol=1e-6)
    assert np.ptp(whole) > 0.01  # the companies do differ: the comparison means something


def test_batches_with_the_analysis_inputs_and_any_batch_size(
    province: Snapshot, analysis: Analysis
) -> None:
    model = _untrained(province, analysis, ModelConfig(hidden=8))
    assert model.uses_analysis
    whole = model.logits(province, analysis, batch_size=0)
    for size in (1, BATCH, province.size("Company")):
        batched = model.logits(province, analysis, batch_size=size)
        np.testing.assert_allclose(batched, whole, rtol=1e-5, atol=1e-6)


def _as_is(field: Field) -> Field:
    return field


def _outward(field: Field) -> Field:
    """Only the edges leading away from the targets (as a search tree would find them): a
    node's mean then misses its in-neighbours nearer the targets, its degree the
    subgraph's and not the whole graph's."""
    index, hop = {}, {}
    for edge_type, pairs in field.edge_index.items():
        source_hop = field.hop[edge_type[0]][pairs[0].numpy()]
        keep = source_hop == field.edge_hop[edge_type] + 1
        index[edge_type] = pairs[:, torch.from_numpy(keep)]
        hop[edge_type] = field.edge_hop[edge_type][keep]
    return dataclasses.replace(field, edge_index=index, edge_hop=hop)


@pytest.mark.parametrize(
    ("shortfall", "change"), [(1, _as_is), (0, _outward)], ids=["one-hop-short", "outward"]
)
def test_fields_that_miss_an_edge_would_be_caught(
    province: Snapshot,
    monkeypatch: pytest.MonkeyPatch,
    shortfall: int,
    change: Callable[[Field], Field],
) -> None:
    """The comparison above can fail: with fields missing edges the layers read (cut one
    hop short, or outward edges only), the batched logits move far beyond its tolerance."""
    model = _untrained(province, None, ModelConfig(hidden=8))
    whole = model.logits(province, batch_size=0)

    class Broken(Fields):
        def field(
            self, node_type: str, targets: IntArray, hops: int, *, closed: bool = False
        ) -> Field:
            cut = super().field(node_type, targets, hops - shortfall, closed=closed)
            return change(dataclasses.replace(cut, hops=hops))  # read by every layer

    monkeypatch.setattr(train_module, "Fields", Broken)
    batched = model.logits(province, batch_size=BATCH)
    assert np.abs(batched - whole).max() > 1e-3


def test_the_default_batch_is_the_setting(
    province: Snapshot, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = _untrained(province, None, ModelConfig(hidden=8), members=1)
    calls: list[tuple[str, int]] = []

    class Counting(Fields):
        def field(
            self, node_type: str, targets: IntArray, hops: int, *, closed: bool = False
        ) -> Field:
            calls.append((node_type, len(targets)))
            return super().field(node_type, targets, hops, closed=closed)

    monkeypatch.setattr(train_module, "Fields", Counting)
    monkeypatch.setenv("RISKGRAPH_GNN_BATCH", "100")

    try:
        get_settings.cache_clear()
        model.logits(province)
    finally:
        get_settings.cache_clear()
    # every layer reads the nodes 100 at a time, on one-hop fields cut once and read by
    # every layer (and member)
    companies = [n for t, n in calls if t == "company"]
    assert companies == [100, 100, province.size("Company") - 200]
    assert max(n for _, n in calls) == 100


def test_an_explanation_on_the_field_is_the_whole_graphs_and_repeats(
    province: Snapshot,
) -> None:
    """One company's explanation reads its closed receptive field only, and says what the
    same explanation over the whole province says (the ties beyond the field weigh
    nothing there); asked twice, it answers the same (dropout stays off)."""
    model = _untrained(province, None, ModelConfig(hidden=8, dropout=0.3))
    features = GraphFeatures(province)
    company = "pattern45"
    index = province.nodes["Company"].index[company]
    rows = {t: np.arange(n) for t, n in features.sizes.items()}
    whole = _Field(features.matrices(model.schema), features.edge_index(), rows, index)
    on_field = explain_company(model, province, company, top=None, features=features)
    on_whole = explain_company(model, province, company, top=None, field=whole)

    def weights(evidence: list[EdgeEvidence]) -> dict[tuple[str, ...], float]:
        return {
            (e.source_key, e.relationship, e.target_key): e.weight
            for e in evidence
            if abs(e.weight) > 1e-9
        }

    assert weights(on_field)  # something to compare
    assert weights(on_field).keys() == weights(on_whole).keys()
    for key, weight in weights(on_field).items():
        assert weight == pytest.approx(weights(on_whole)[key], rel=1e-4, abs=1e-6)
    again = explain_company(model, province, company, top=None, features=features)
    assert again == on_field


# --- the fields, on a path whose answer is known ---------------------------------------

EDGE = ("company", "GUARANTEE", "company")


def _path() -> Fields:
    """a -> b -> c -> d, and c -> d twice (two ties between the same companies)."""
    source = np.array([0, 1, 2, 2], dtype=np.int64)
    target = np.array([1, 2, 3, 3], dtype=np.int64)
    return Fields({EDGE: (source, target)}, {"company": 4})


def _pairs(field: Field, index: torch.Tensor) -> list[tuple[int, int]]:
    rows = field.rows["company"]
    return sorted((int(rows[s]), int(rows[t])) for s, t in index.t().tolist())


def test_a_field_holds_what_its_layers_read() -> None:
    field = _path().field("company", np.array([3]), 2)
    assert field.rows["company"].tolist() == [1, 2, 3]  # a is 3 hops away
    assert field.hop["company"].tolist() == [2, 1, 0]
    assert field.targets.tolist() == [2]
    # every edge into a node within one hop, duplicates kept (the whole graph's degree)
    assert _pairs(field, field.edge_index[EDGE]) == [(1, 2), (2, 3), (2, 3)]
    first, last = field.layers()
    assert _pairs(field, first[EDGE]) == [(1, 2), (2, 3), (2, 3)]
    assert _pairs(field, last[EDGE]) == [(2, 3), (2, 3)]  # the last layer: into d only


def test_a_closed_field_holds_every_edge_between_its_nodes() -> None:
    field = _path().field("company", np.array([2]), 1, closed=True)
    assert field.rows["company"].tolist() == [1, 2]
    assert _pairs(field, field.edge_index[EDGE]) == [(1, 2)]  # not a -> b: a is outside


# --- training's memory check ------------------------------------------------------------


def test_training_that_would_not_fit_is_refused_at_once(province: Snapshot) -> None:
    config = ModelConfig(hidden=32, layers=2)
    assert training_bytes(1000, config) == 1000 * 32 * 2 * 160
    check_memory(1000, config, None)  # no budget known: no check
    with pytest.raises(TrainingError, match=r"full-batch training of 1,000 nodes"):
        check_memory(1000, config, training_bytes(1000, config) - 1)
    with pytest.raises(TrainingError, match="needs about"):
        train(province, config=TrainConfig(model=config), memory_budget=1)
