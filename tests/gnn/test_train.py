"""Training on a planted province: it must find the pattern, and the trained model must be
reproducible, portable (save/load) and blind to how keys happen to sort."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from sklearn.metrics import roc_auc_score

from riskgraph.gnn.combine import FULL_AT, combined_score, with_gnn
from riskgraph.gnn.explain import _Ensemble, explain, explain_company
from riskgraph.gnn.features import GraphFeatures, SchemaMismatchError
from riskgraph.gnn.fields import Fields
from riskgraph.gnn.model import ARCHITECTURES, ModelConfig
from riskgraph.gnn.train import TrainConfig, TrainedModel, folds_of, train
from riskgraph.graph.snapshot import Snapshot
from riskgraph.risk.analysis import analyze
from tests.gnn.toy import EXPOSED, HUBS, ORDINARY, PATTERN, planted, planted_truth

CONFIG = TrainConfig(
    model=ModelConfig(hidden=16, dropout=0.1), learning_rate=0.01, max_epochs=60, patience=15
)


def _reversed(key: str) -> str:
    return key[::-1]


@pytest.fixture(scope="module")
def province() -> Snapshot:
    return planted()[1]


@pytest.fixture(scope="module")
def model(province: Snapshot) -> TrainedModel:
    return train(province, config=CONFIG)


def _by_key(snapshot: Snapshot, values: np.ndarray) -> dict[str, float]:
    return dict(zip(snapshot.nodes["Company"].keys.tolist(), values.tolist(), strict=True))


def test_every_fold_holds_exposed_companies(province: Snapshot) -> None:
    fold = folds_of(province.nodes["Company"].keys, CONFIG.folds)
    assert set(fold[province.exposed()].tolist()) == set(range(CONFIG.folds))


def test_training_separates_the_planted_pattern(province: Snapshot, model: TrainedModel) -> None:
    probability = _by_key(province, model.predict(province))
    truth = planted_truth()
    keys = sorted(truth)
    auc = roc_auc_score([truth[k] for k in keys], [probability[k] for k in keys])
    assert auc > 0.95
    # the exposures themselves, each predicted by a network that never trained on it
    assert model.metrics["validation_roc_auc"] > 0.9
    assert model.metrics["members"] == CONFIG.folds


def test_predictions_do_not_depend_on_how_keys_sort(
    province: Snapshot, model: TrainedModel
) -> None:
    renamed = planted(_reversed)[1]
    original_order = province.nodes["Company"].keys.tolist()
    renamed_order = [_reversed(k) for k in renamed.nodes["Company"].keys.tolist()]
    assert original_order != renamed_order  # the rows really are permuted
    before = _by_key(province, model.predict(province))
    after = _by_key(renamed, model.predict(renamed))
    keys = sorted(before)
    assert np.allclose(
        [before[k] for k in keys], [after[_reversed(k)] for k in keys], rtol=1e-5, atol=1e-7
    )


def test_training_is_reproducible(province: Snapshot, model: TrainedModel) -> None:
    config = TrainConfig(
        model=CONFIG.model, max_epochs=3, patience=3, learning_rate=CONFIG.learning_rate
    )
    first, second = train(province, config=config), train(province, config=config)
    assert np.allclose(first.predict(province), second.predict(province))
    assert first.fingerprint == second.fingerprint == model.fingerprint


def test_a_saved_model_loads_and_predicts_the_same(
    province: Snapshot, model: TrainedModel, tmp_path: Path
) -> None:
    path = tmp_path / "gnn.pt"
    model.save(path)
    loaded = TrainedModel.load(path)
    assert loaded.config == model.config and loaded.schema == model.schema
    assert loaded.fingerprint == model.fingerprint and loaded.metrics == model.metrics
    assert np.array_equal(loaded.predict(province), model.predict(province))


def test_a_file_that_is_no_model_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.pt"
    torch.save({"weights": torch.zeros(2)}, path)
    with pytest.raises(ValueError, match="not a riskgraph GNN model"):
        TrainedModel.load(path)


def test_a_model_refuses_a_graph_of_another_schema(province: Snapshot, model: TrainedModel) -> None:
    with pytest.raises(SchemaMismatchError, match=r"unexpected.*contagion"):
        model.predict(province, analyze(province))  # trained without the analysis inputs


def test_the_gnn_only_raises_scores_and_exposed_stay_at_100(
    province: Snapshot, model: TrainedModel
) -> None:
    analysis = analyze(province)
    probability = model.predict(province)
    combined = combined_score(analysis, probability)
    assert np.all(combined >= analysis.score - 1e-9)
    assert np.all(combined[analysis.exposed] == 100.0)
    assert np.array_equal(combined_score(analysis, np.zeros_like(probability)), analysis.score)
    with pytest.raises(ValueError, match="one probability per company"):
        combined_score(analysis, probability[:-1])


def test_the_explanation_names_the_planted_edge(province: Snapshot, model: TrainedModel) -> None:
    company = "pattern45"  # not exposed; guarantees hub0 (45 % HUBS == 0)
    evidence = explain_company(model, province, company, top=None)
    assert evidence, "an explanation names at least one relationship"
    planted_edge = [
        e
        for e in evidence
        if (e.source_key, e.relationship, e.target_key) == (company, "GUARANTEE", "hub0")
    ]
    assert evidence[0] == planted_edge[0]
    assert planted_edge[0].weight > 0  # without the tie, the company would score lower
    # the pattern is the hub's: every tie not leading to hub0 (the company's own phone,
    # officer, address) counts for at most half as much
    others = [e.weight for e in evidence if "hub0" not in (e.source_key, e.target_key)]
    assert max(others, default=0.0) <= 0.5 * planted_edge[0].weight


@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_every_architecture_trains_and_scores_every_company(
    province: Snapshot, architecture: str
) -> None:
    config = TrainConfig(
        model=ModelConfig(architecture, hidden=8), max_epochs=2, patience=2, cross_fit=False
    )
    trained = train(province, config=config)
    probability = trained.predict(province)
    assert probability.shape == (province.size("Company"),)
    assert np.all((probability >= 0.0) & (probability <= 1.0))
    assert trained.metrics["members"] == 1


def test_the_receptive_field_predicts_as_the_whole_graph(
    province: Snapshot, model: TrainedModel
) -> None:
    features = GraphFeatures(province)
    x, edges = features.matrices(model.schema), features.edge_index()
    fields = Fields(features.edge_arrays(), features.sizes)
    ensemble = _Ensemble(model.networks())
    with torch.no_grad():
        whole = ensemble(x, edges)
        for company in ("pattern45", "ordinary7", "hub1"):
            index = province.nodes["Company"].index[company]
            field = fields.field(
                "company", np.array([index]), model.config.model.layers, closed=True
            )
            assert len(field.rows["company"]) < province.size("Company")  # it is a real cut
            sub_x = features.matrices(model.schema, rows=field.rows)
            row = int(field.targets[0])
            assert float(ensemble(sub_x, field.edge_index)[row]) == pytest.approx(
                float(whole[index])
            )


def test_one_explanation_merges_the_gnn_and_the_rules(
    province: Snapshot, model: TrainedModel
) -> None:
    analysis = analyze(province)
    analysis = with_gnn(analysis, model.predict(province, None))
    result = explain(analysis, "pattern45", model, top=5)
    assert result.probability is not None and result.components["gnn"] > 0
    assert (result.edges[0].relationship, result.edges[0].target_key) == ("GUARANTEE", "hub0")
    assert any(e.key == "hub0" for e in result.entities[:3])
    # the hub's complaints reach pattern45 only through the graph: its own features are
    # all alike, so none of them may outweigh the planted tie
    assert all(abs(f.attribution) < result.edges[0].weight for f in result.features)
    assert result.to_dict()["company"] == "pattern45"


def test_training_on_outcomes_learns_failure_and_leaves_the_exposed_out(
    province: Snapshot, tmp_path: Path
) -> None:
    # the planted province as last year's graph: its unexposed pattern companies failed
    # since (and one company unknown to the graph is listed, as registers do)
    failed = [f"pattern{i}" for i in range(EXPOSED, PATTERN)] + ["pattern0", "NOT-IN-THE-GRAPH"]
    past = train(province, analyze(province), CONFIG, outcomes=failed)
    assert past.target == "outcome"
    # pattern0 was exposed before: neither a positive nor a negative
    assert past.metrics["validation_positives"] == PATTERN - EXPOSED
    assert past.metrics["validation_negatives"] == ORDINARY + HUBS
    # this year's graph, keys renamed: the model trained on last year ranks its pattern
    present = planted(_reversed)[1]
    now = analyze(present)
    probability = _by_key(present, past.predict(present, now))
    truth = planted_truth(_reversed)
    keys = sorted(truth)
    assert roc_auc_score([truth[k] for k in keys], [probability[k] for k in keys]) > 0.95

    path = tmp_path / "outcome.pt"
    past.save(path)
    assert TrainedModel.load(path).target == "outcome"
    # its component is full at FULL_AT["outcome"], not at the exposure model's 0.5 (with a
    # combination fitted on its held-out folds, p / (p + that point): its coefficients
    # weigh it)
    analysis = past.add_to(now)
    p = past.predict(present, now)
    full = FULL_AT["outcome"]
    expected = np.minimum(p / full, 1.0) if past.combination is None else p / (p + full)
    assert np.allclose(analysis.components["gnn"], expected)
    assert analysis.gnn_target == "outcome"


def test_an_unknown_target_is_refused(province: Snapshot, model: TrainedModel) -> None:
    analysis = analyze(province)
    with pytest.raises(ValueError, match="target must be one of exposure, outcome"):
        with_gnn(analysis, model.predict(province), "failure")
