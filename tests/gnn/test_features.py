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
    assert "age_years" not in a  # measured from 'now': not a feature (module docstring)
    assert a["log_capital"] == pytest.approx(math.log1p(100.0))
    assert a["high_risk_industry"] == 1.0
    assert a["status_active"] == 1.0
    assert a["events_complaint"] == pytest.approx(math.log1p(1))
    assert a["events_litigation"] == pytest.approx(math.log1p(1))
    assert a["phone_sharing_max"] == pytest.approx(math.log1p(1))  # one other user
    assert a["legal_rep_fronts"] == pytest.approx(math.log1p(2))
    assert a["in_HOLDS_person"] == pytest.approx(math.log1p(1))
    assert a["exposed"] == 0.0
    c = _row(features, "company", "C")
    assert c["age_missing"] == 1.0 and c["capital_missing"] == 1.0
    assert math.isnan(c["age_at_first_event"])
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


def test_event_history_is_measured_from_the_company_s_own_dates() -> None:
    g = TinyGraph()
    g.company("A", established="2015-01-01")
    g.event("A", "litigation", "2018-01-01", severity=2)
    g.event("A", "litigation", "2020-03-01", severity=1)
    g.event("A", "litigation", "2020-06-01", severity=4)
    g.event("A", "exposure", "2020-07-01")  # the label: never part of the history
    g.event("A", "complaint", "2021-01-01")  # after the exposure
    g.company("Z")  # no events at all
    g.event("Z", "exposure", None)
    features = GraphFeatures(g.build())
    a = _row(features, "company", "A")
    assert a["events_span_years"] == pytest.approx((day("2021-01-01") - day("2018-01-01")) / 365.25)
    assert a["events_share_own_last_12m"] == pytest.approx(3 / 4)
    assert a["events_share_own_last_24m"] == pytest.approx(3 / 4)
    assert a["events_max_12m"] == pytest.approx(math.log1p(3))
    assert a["age_at_first_event"] == pytest.approx(
        (day("2018-01-01") - day("2015-01-01")) / 365.25
    )
    assert a["events_severity_max"] == 4.0
    hidden = _row(features, "company", "A", features.exposed.copy())
    # what followed the exposure is out of a world that does not know it
    assert hidden["events_span_years"] == pytest.approx(
        (day("2020-06-01") - day("2018-01-01")) / 365.25
    )
    assert hidden["events_share_own_last_12m"] == pytest.approx(2 / 3)
    assert hidden["events_severity_sum"] == pytest.approx(math.log1p(2 + 1 + 4))
    # shifting every date of a company moves none of it
    shifted = TinyGraph()
    shifted.company("A", established="2017-01-01")
    for when, severity in (("2020-01-01", 2), ("2022-03-01", 1), ("2022-06-01", 4)):
        shifted.event("A", "litigation", when, severity=severity)
    shifted.event("A", "complaint", "2023-01-01")
    moved = _row(GraphFeatures(shifted.build()), "company", "A")
    for name in ("events_share_own_last_12m", "events_max_12m", "age_at_first_event"):
        assert moved[name] == pytest.approx(a[name], abs=0.01), name
    z = _row(features, "company", "Z")
    assert math.isnan(z["events_span_years"]) and z["events_max_12m"] == 0.0


def test_neighbours_say_how_many_around_are_exposed_three_ways() -> None:
    g = TinyGraph()
    for key in ("A", "B", "C", "D", "E"):
        g.company(key)
    g.link("GUARANTEE", "B", "A")  # direct, either direction
    g.link("LOAN", "A", "B")  # a parallel tie counts once
    g.officer("p1", "A")
    g.holds("p1", "A", 0.5)  # two ties to one person: one path
    g.officer("p1", "C")
    g.phone("A", "+8613800000009")
    g.phone("D", "+8613800000009")
    g.phone("E", "+8613800000009")
    g.event("B", "exposure", "2023-01-01")
    g.event("C", "exposure", "2023-01-01")
    g.event("C", "litigation", "2022-01-01")
    g.event("C", "litigation", "2022-02-01")
    features = GraphFeatures(g.build())
    a = _row(features, "company", "A")
    assert a["neighbours_direct"] == pytest.approx(math.log1p(1))
    assert a["neighbours_direct_exposed_share"] == 1.0
    assert a["neighbours_people"] == pytest.approx(math.log1p(1))
    assert a["neighbours_people_exposed"] == pytest.approx(math.log1p(1))
    assert a["neighbours_people_events"] == pytest.approx(math.log1p(2))  # C's lawsuits
    assert a["neighbours_identifiers"] == pytest.approx(math.log1p(2))
    assert a["neighbours_identifiers_exposed_share"] == 0.0
    hidden = features.exposed.copy()
    hidden[features.snapshot.nodes["Company"].index["B"]] = False  # only C hidden
    seen = _row(features, "company", "A", hidden)
    assert seen["neighbours_direct_exposed"] == pytest.approx(math.log1p(1))
    assert seen["neighbours_people_exposed"] == 0.0
    d = _row(features, "company", "D")
    assert math.isnan(d["neighbours_direct_exposed_share"])  # nobody around directly


def test_a_category_s_exposure_rate_leaves_the_company_out_and_starts_from_the_province() -> None:
    g = TinyGraph()
    for key, industry in (("X1", "租赁"), ("X2", "租赁"), ("X3", "租赁"), ("X4", "租赁")):
        g.company(key, industry=industry)
    g.company("Y1", industry="制造")
    g.company("Y2", industry="")
    g.event("X1", "exposure", "2023-01-01")
    g.event("X2", "exposure", "2023-01-01")
    features = GraphFeatures(g.build())
    province = 2 / 6
    x1, x3 = _row(features, "company", "X1"), _row(features, "company", "X3")
    assert x3["industry_exposed_rate"] == pytest.approx((2 + 20 * province) / (3 + 20))
    assert x1["industry_exposed_rate"] == pytest.approx((1 + 20 * province) / (3 + 20))
    assert _row(features, "company", "Y1")["industry_exposed_rate"] == pytest.approx(province)
    assert math.isnan(_row(features, "company", "Y2")["industry_exposed_rate"])
    hidden = np.zeros(6, dtype=bool)
    hidden[features.snapshot.nodes["Company"].index["X1"]] = True
    x3_hidden = _row(features, "company", "X3", hidden)
    assert x3_hidden["industry_exposed_rate"] == pytest.approx((1 + 20 / 6) / (3 + 20))


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
    j = names.index("age_at_first_event")  # known for A and B, unknown for C (no events)
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
