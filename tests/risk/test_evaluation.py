"""Evaluation metrics on hand-made assignments whose figures are worked out by hand."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from riskgraph.graph.snapshot import NodeTable, Snapshot
from riskgraph.risk.evaluation import (
    PRF,
    contagion_metrics,
    match_rings,
    read_future_exposures,
    read_ring_truth,
    ring_metrics,
    ring_metrics_by_type,
)
from riskgraph.risk.evaluation_report import _gnn_rankings

TRUTH = {
    **{e: "R1" for e in ["a", "b", "c", "d"]},
    **{e: "R2" for e in ["e", "f"]},
}


def test_prf_of_counts() -> None:
    prf = PRF.of(hits=2, predicted=4, actual=8)
    assert (prf.precision, prf.recall) == (0.5, 0.25)
    assert prf.f1 == pytest.approx(2 * 0.5 * 0.25 / 0.75)
    assert PRF.of(0, 0, 0).f1 == 0.0


def test_a_perfect_prediction_scores_one_whatever_the_ring_ids() -> None:
    renamed = {e: {"R1": "x", "R2": "y"}[r] for e, r in TRUTH.items()}
    metrics = ring_metrics(renamed, TRUTH)
    for prf in (metrics.members, metrics.rings):
        assert (prf.precision, prf.recall, prf.f1) == (1.0, 1.0, 1.0)
    assert {(m.predicted, m.true, m.jaccard) for m in metrics.matches} == {
        ("x", "R1", 1.0),
        ("y", "R2", 1.0),
    }


def test_half_a_ring_plus_junk() -> None:
    """P = {a, b, x, y} against R1 = {a, b, c, d}: Jaccard 2/6, no match; 2 of 4 flagged
    entities are ring entities, 2 of 6 ring entities are flagged."""
    predicted = {"a": "P", "b": "P", "x": "P", "y": "P"}
    metrics = ring_metrics(predicted, TRUTH)
    assert (metrics.members.precision, metrics.members.recall) == (2 / 4, 2 / 6)
    assert metrics.rings.hits == 0 and metrics.rings.precision == 0.0
    assert match_rings(predicted, TRUTH, jaccard=0.3)[0].jaccard == pytest.approx(2 / 6)


def test_jaccard_threshold_is_inclusive() -> None:
    exactly_half = {"a": "P", "b": "P"}  # 2 / 4
    below = {"a": "P", "b": "P", "x": "P"}  # 2 / 5
    assert ring_metrics(exactly_half, TRUTH).rings.hits == 1
    assert ring_metrics(below, TRUTH).rings.hits == 0


def test_ring_level_precision_and_recall() -> None:
    """Two predicted rings, one matching R1 (3/4), one junk; R2 missed."""
    predicted = {"a": "P1", "b": "P1", "c": "P1", "x": "P2", "y": "P2"}
    rings = ring_metrics(predicted, TRUTH).rings
    assert (rings.hits, rings.predicted, rings.actual) == (1, 2, 2)
    assert (rings.precision, rings.recall) == (0.5, 0.5)


def test_matching_is_one_to_one() -> None:
    """With entity -> ring maps, two candidates for one ring can only tie at exactly 0.5:
    {a, b} and {c, d} both have Jaccard 1/2 with R1 = {a, b, c, d}, and only one may take
    it; likewise {a, b, c, d} against R1 = {a, b} and R2 = {c, d}."""
    truth = {e: "R1" for e in ["a", "b", "c", "d"]}
    halves_predicted = {"a": "P1", "b": "P1", "c": "P2", "d": "P2"}
    split = ring_metrics(halves_predicted, truth).rings
    assert (split.hits, split.precision, split.recall) == (1, 0.5, 1.0)
    matches = match_rings(halves_predicted, truth)
    assert [(m.predicted, m.true) for m in matches] == [("P1", "R1")]  # tie: by ring id
    halves = {"a": "R1", "b": "R1", "c": "R2", "d": "R2"}
    merged = ring_metrics(dict.fromkeys(halves, "P"), halves).rings
    assert (merged.hits, merged.precision, merged.recall) == (1, 1.0, 0.5)


def test_a_giant_component_has_member_recall_but_no_rings() -> None:
    predicted = {e: "G" for e in [*TRUTH, *(f"n{i}" for i in range(20))]}
    metrics = ring_metrics(predicted, TRUTH)
    assert metrics.members.recall == 1.0
    assert metrics.members.precision == pytest.approx(6 / 26)
    assert metrics.rings.hits == 0


def test_restricting_to_entities() -> None:
    """Companies a, b, c; persons d, e, f. The prediction gets companies right only."""
    predicted = {"a": "P", "b": "P", "c": "P", "e": "Q"}
    companies = {"a", "b", "c", "x"}
    company_only = ring_metrics(predicted, TRUTH, only=companies)
    assert company_only.members.f1 == 1.0
    assert company_only.rings.hits == 1  # {a, b, c} = R1 ∩ companies
    everything = ring_metrics(predicted, TRUTH)
    assert everything.members.recall == pytest.approx(4 / 6)


def _labels_only(company: list[str], person: list[str]) -> Snapshot:
    def table(label: str, keys: list[str]) -> NodeTable:
        ordered = np.array(sorted(keys), dtype=object)
        return NodeTable(label, ordered, {})

    return Snapshot({"Company": table("Company", company), "Person": table("Person", person)}, {})


def test_by_type_takes_types_from_the_snapshot() -> None:
    snapshot = _labels_only(["a", "b", "c", "x"], ["d", "e", "f", "y"])
    predicted = {"a": "P", "b": "P", "c": "P", "y": "Q"}
    result = ring_metrics_by_type(predicted, TRUTH, snapshot)
    assert result["company"].members.f1 == 1.0
    assert result["person"].members.precision == 0.0
    assert result["person"].members.actual == 3  # d, e, f
    assert result["all"].members.hits == 3


def test_contagion_perfect_and_reversed_rankings() -> None:
    scores = {"p1": 0.9, "p2": 0.8, "n1": 0.3, "n2": 0.2, "n3": 0.1}
    good = contagion_metrics(scores, {"p1", "p2"})
    assert (good.roc_auc, good.average_precision, good.precision_at_k) == (1.0, 1.0, 1.0)
    assert (good.positives, good.negatives) == (2, 3)
    bad = contagion_metrics({k: -v for k, v in scores.items()}, {"p1", "p2"})
    assert bad.roc_auc == 0.0 and bad.precision_at_k == 0.0


def test_contagion_exclusions_and_missing_scores() -> None:
    """'seed' is already exposed (excluded); 'p2' has no score, so it scores 0 and ranks
    below n1 (0.5) and level with n2 (0): of the 2 × 2 pairs p1 wins two, p2 ties one."""
    scores = {"seed": 1.0, "p1": 0.9, "n1": 0.5, "n2": 0.0}
    m = contagion_metrics(scores, {"p1", "p2", "seed"}, exclude={"seed"})
    assert (m.positives, m.negatives) == (2, 2)
    assert m.roc_auc == pytest.approx(2.5 / 4)
    assert m.precision_at_k == pytest.approx(1 / 2)  # top 2: p1, n1


def test_precision_at_k_shares_ties_out() -> None:
    """All scores equal: the top k is a random draw, so precision is the base rate."""
    companies = [f"c{i}" for i in range(10)]
    m = contagion_metrics(dict.fromkeys(companies, 0.25), set(companies[:3]))
    assert m.precision_at_k == pytest.approx(0.3)
    assert m.roc_auc == pytest.approx(0.5)


def test_universe_drops_positives_outside_it() -> None:
    m = contagion_metrics({"p": 1.0, "n": 0.0}, {"p", "gone"}, universe=["p", "n"])
    assert (m.positives, m.negatives, m.roc_auc) == (1, 1, 1.0)
    assert contagion_metrics({"p": 1.0, "n": 0.0}, {"p", "gone"}).positives == 2


def test_one_class_only_is_nan() -> None:
    m = contagion_metrics({"a": 1.0}, set())
    assert math.isnan(m.roc_auc) and math.isnan(m.average_precision)


def test_read_truth(tmp_path: Path) -> None:
    rings = tmp_path / "rings.csv"
    rings.write_text(
        "ring_id,entity_id,entity_type,role\n"
        "R1,C1,company,member\nR1,C2,company,shell\nR1,P1,person,nominee\n"
        "R2,C3,company,member\n",
        encoding="utf-8",
    )
    truth = read_ring_truth(rings)
    assert dict(truth) == {"C1": "R1", "C2": "R1", "P1": "R1", "C3": "R2"}
    assert truth.of_type("person") == {"P1": "R1"}
    assert truth.roles["C2"] == "shell"
    assert ring_metrics(dict(truth), truth).rings.f1 == 1.0
    future = tmp_path / "future.csv"
    future.write_text("company_id,date,cause\nC1,2024-01-02,background\n", encoding="utf-8")
    assert read_future_exposures(future) == {"C1"}


def test_an_entity_in_two_rings_is_refused(tmp_path: Path) -> None:
    rings = tmp_path / "rings.csv"
    rings.write_text(
        "ring_id,entity_id,entity_type,role\nR1,C1,company,member\nR2,C1,company,member\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="C1"):
        read_ring_truth(rings)


def test_with_a_gnn_the_rules_only_score_is_rebuilt_from_the_stored_components() -> None:
    def row(company: str, score: float, contagion: float, gnn: float | None) -> dict[str, Any]:
        parts = {"risk_contagion": contagion, "risk_ring": 0.0, "risk_events": None}
        return {"company_id": company, "score": score, "risk_structure": 0.0, **parts,
                "gnn_probability": gnn}  # fmt: skip

    assert _gnn_rankings([row("A", 40.0, 0.0, None)]) == {}  # no model ran: nothing to add
    rankings = _gnn_rankings(
        [row("A", 97.0, 1.0, 0.5), row("B", 100.0, 0.0, 0.0), row("C", 8.0, 0.0, 0.1)]
    )
    # contagion alone at full strength is 95 (its weight); exposed stays 100; nothing is 0
    assert rankings["riskgraph score, rules only"] == pytest.approx(
        {"A": 95.0, "B": 100.0, "C": 0.0}
    )
    assert rankings["riskgraph GNN alone"] == {"A": 0.5, "B": 0.0, "C": 0.1}
