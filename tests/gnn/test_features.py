"""Feature extraction on hand-built graphs whose values are known by construction."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pytest
import torch

from riskgraph.gnn.features import (
    FEATURE_VERSION,
    FeatureSchema,
    GraphFeatures,
    SchemaMismatchError,
    build_features,
    edge_types,
)
from riskgraph.graph.snapshot import Snapshot
from riskgraph.risk.analysis import analyze
from tests.risk.tiny import TinyGraph, day

AS_OF = "2023-06-01"  # the latest event below: the features' reference date


def _graph() -> Snapshot:
    g = TinyGraph()
    g.company("A", established="2020-01-01", registered_capital=1e6, industry="投资管理")
    g.company("B", status="abnormal", established="2021-06-01")
    g.company("C")
    g.phone("A", "+8613800000001")
    g.phone("C", "+8613800000001")  # A shares its phone with C
    g.address("A", "addr-1")
    g.officer("p1", "A")
    g.officer("p1", "B")  # p1 fronts A and B
    g.holds("p1", "A", 0.6)
    g.event("A", "complaint", AS_OF)
    g.event("A", "litigation", "2021-01-01")
    g.event("B", "complaint", "2022-12-01")
    g.event("B", "exposure", "2023-03-01")
    g.event("B", "case_filed", "2023-04-01")  # after the exposure: its consequence
    return g.build()


def _row(
    features: GraphFeatures, node_type: str, key: str, hidden: npt.NDArray[np.bool_] | None = None
) -> dict[str, float]:
    names, values = features.raw(hidden)[node_type]
    label = {"company": "Company", "person": "Person", "phone": "Phone"}[node_type]
    row = values[features.snapshot.nodes[label].index[key]]
    return dict(zip(names, row.tolist(), strict=True))


def test_company_features_have_their_known_values() -> None:
    features = GraphFeatures(_graph())
    a = _row(features, "company", "A")
    assert a["age_years"] == pytest.approx((day(AS_OF) - day("2020-01-01")) / 365.25)
    assert a["log_capital"] == pytest.approx(math.log1p(100.0))
    assert a["high_risk_industry"] == 1.0
    assert a["status_active"] == 1.0
    assert a["events_complaint"] == pytest.approx(math.log1p(1))
    assert a["events_complaint_recent"] == pytest.approx(math.log1p(1))
    assert a["events_litigation"] == pytest.approx(math.log1p(1))
    assert a["events_litigation_recent"] == 0.0  # more than a year before AS_OF
    assert a["phone_sharing_max"] == pytest.approx(math.log1p(1))  # one other user
    assert a["legal_rep_fronts"] == pytest.approx(math.log1p(2))
    assert a["in_HOLDS_person"] == pytest.approx(math.log1p(1))
    assert a["exposed"] == 0.0
    c = _row(features, "company", "C")
    assert c["age_missing"] == 1.0 and c["capital_missing"] == 1.0
    assert math.isnan(c["age_years"])
    assert c["address_sharing_max"] == 0.0 and c["out_REGISTERED_AT_address"] == 0.0


def test_exposure_is_an_input_only_where_it_is_not_hidden() -> None:
    features = GraphFeatures(_graph())
    b = _row(features, "company", "B")
    assert b["exposed"] == 1.0
    assert b["status_abnormal"] == 1.0
    assert b["events_case_filed"] == pytest.approx(math.log1p(1))
    assert "events_exposure" not in b  # exposures are the label, never an event count
    hidden = features.exposed.copy()
    hidden_b = _row(features, "company", "B", hidden)
    assert hidden_b["exposed"] == 0.0
    assert hidden_b["status_abnormal"] == 0.0 and hidden_b["status_active"] == 1.0
    assert hidden_b["events_case_filed"] == 0.0  # it followed the exposure
    assert hidden_b["events_complaint"] == pytest.approx(math.log1p(1))  # it came before
    assert _row(features, "person", "p1")["exposed_ties"] == pytest.approx(math.log1p(1))
    assert _row(features, "person", "p1", hidden)["exposed_ties"] == 0.0


def test_people_and_identifiers_count_their_ties() -> None:
    features = GraphFeatures(_graph())
    p1 = _row(features, "person", "p1")
    assert p1["officer_legal_representative"] == pytest.approx(math.log1p(2))
    assert p1["out_HOLDS_company"] == pytest.approx(math.log1p(1))
    assert p1["age_missing"] == 1.0
    phone = _row(features, "phone", "+8613800000001")
    assert phone["in_HAS_PHONE_company"] == pytest.approx(math.log1p(2))


def test_hetero_data_has_every_edge_type_both_ways_and_standardised_features() -> None:
    snapshot = _graph()
    data, schema = build_features(snapshot)
    assert set(data.edge_types) == set(edge_types())
    forward = data["person", "OFFICER_OF", "company"].edge_index
    backward = data["company", "rev_OFFICER_OF", "person"].edge_index
    assert forward.shape == (2, 2)
    assert torch.equal(forward.flip(0), backward)
    assert data["company", "BRANCH", "company"].edge_index.shape == (2, 0)  # none, still typed
    names, raw = GraphFeatures(snapshot).raw()["company"]
    assert list(schema.features["company"]) == names
    j = names.index("age_years")  # known for A and B, unknown for C
    values = data["company"].x[:, j].double().numpy()
    column = raw[:, j]
    expected = (column - np.nanmean(column)) / np.nanstd(column)
    assert np.allclose(values, np.nan_to_num(expected, nan=0.0), atol=1e-5)


def test_analysis_adds_the_propagation_inputs() -> None:
    snapshot = _graph()
    features = GraphFeatures(snapshot, analyze(snapshot))
    for node_type in ("company", "person", "address", "phone"):
        assert "contagion" in features.names[node_type]
    assert {"ring_score", "ring_exposed", "burst"} <= set(features.names["company"])
    b = _row(features, "company", "B")
    assert b["contagion"] == pytest.approx(0.0)  # log10 of 1: B is the seed
    hidden = _row(features, "company", "B", features.exposed.copy())
    assert hidden["contagion"] == pytest.approx(-6.0)  # no seed left: the floor


def test_a_graph_with_another_layout_is_refused_with_the_difference() -> None:
    snapshot = _graph()
    plain = GraphFeatures(snapshot).fit()
    with_analysis = GraphFeatures(snapshot, analyze(snapshot))
    with pytest.raises(SchemaMismatchError, match=r"missing.*contagion"):
        GraphFeatures(snapshot).data(with_analysis.fit())
    with pytest.raises(SchemaMismatchError, match=r"unexpected.*contagion"):
        with_analysis.data(plain)
    with pytest.raises(SchemaMismatchError, match="feature version"):
        plain.check(FeatureSchema.from_dict({**plain.to_dict(), "version": FEATURE_VERSION + 1}))
    again = FeatureSchema.from_dict(plain.to_dict())
    assert again == plain and again.fingerprint() == plain.fingerprint()


def test_a_graph_without_addresses_or_phones_still_gets_the_propagation_inputs() -> None:
    # like SMEsD: companies, people and events only
    g = TinyGraph()
    g.company("A")
    g.company("B")
    g.officer("p1", "A")
    g.officer("p1", "B")
    g.event("B", "exposure", AS_OF)
    snapshot = g.build()
    features = GraphFeatures(snapshot, analyze(snapshot))
    names, values = features.raw(None)["address"]
    assert "contagion" in names and values.shape[0] == 0
    a = _row(features, "company", "A")
    assert -6.0 < a["contagion"] < 0.0  # reached from B through p1
