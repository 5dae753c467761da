"""Propagation on tiny snapshots built from arrays, with answers known by construction."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.sparse as sp

from riskgraph.graph.snapshot import EdgeTable, NodeTable, Snapshot
from riskgraph.risk.propagation import contagion_graph, propagate, rarity


def _nodes(label: str, keys: list[str]) -> NodeTable:
    ordered = np.array(sorted(keys), dtype=object)
    return NodeTable(label, ordered, {}, {k: i for i, k in enumerate(ordered)})


def _edges(
    nodes: dict[str, NodeTable],
    key: tuple[str, str, str],
    pairs: list[tuple[str, str]],
    share: list[float] | None = None,
) -> EdgeTable:
    source = np.array([nodes[key[0]].index[a] for a, _ in pairs], dtype=np.int64)
    target = np.array([nodes[key[2]].index[b] for _, b in pairs], dtype=np.int64)
    nan = np.full(len(pairs), np.nan)
    shares = nan if share is None else np.array(share)
    return EdgeTable(key[1], key[0], key[2], source, target, shares, nan, nan,
                     np.full(len(pairs), -1, dtype=np.int8))  # fmt: skip


def _score(snapshot: Snapshot, seeds: list[str]) -> dict[str, float]:
    graph = contagion_graph(snapshot)
    companies = snapshot.nodes["Company"]
    start = graph.offsets["Company"]
    seed_index = np.array([start + companies.index[s] for s in seeds], dtype=np.int64)
    scores = propagate(graph.adjacency, seed_index)
    return {k: float(scores[start + i]) for i, k in enumerate(companies.keys)}


def test_rarity() -> None:
    assert rarity(np.array([2, 3, 400])) == pytest.approx([1.0, 0.5, 1 / 399])


def test_a_hub_identifier_carries_almost_nothing() -> None:
    """S shares a rare phone with A, and an incubator address (400 companies) with B."""
    others = [f"H{i:03d}" for i in range(398)]
    nodes = {
        "Company": _nodes("Company", ["S", "A", "B", *others]),
        "Phone": _nodes("Phone", ["rare"]),
        "Address": _nodes("Address", ["hub"]),
    }
    phones = _edges(nodes, ("Company", "HAS_PHONE", "Phone"), [("S", "rare"), ("A", "rare")])
    at_hub = [(c, "hub") for c in ["S", "B", *others]]
    address = _edges(nodes, ("Company", "REGISTERED_AT", "Address"), at_hub)
    scores = _score(
        Snapshot(nodes, {(e.source_label, e.type, e.target_label): e for e in (phones, address)}),
        ["S"],
    )
    assert scores["S"] == 1.0
    assert scores["A"] > 50 * scores["B"] > 0


def test_a_chain_decays_with_length() -> None:
    chain = ["S", "C1", "C2", "C3"]
    nodes = {"Company": _nodes("Company", chain)}
    links = list(itertools.pairwise(chain))
    holds = _edges(nodes, ("Company", "HOLDS", "Company"), links, [1.0] * 3)
    scores = _score(Snapshot(nodes, {("Company", "HOLDS", "Company"): holds}), ["S"])
    assert scores["S"] > scores["C1"] > scores["C2"] > scores["C3"] > 0


def test_scores_follow_the_nodes_when_they_are_reordered() -> None:
    rng = np.random.default_rng(7)
    n = 60
    upper = sp.random(n, n, density=0.08, random_state=3, format="coo")
    adjacency = sp.csr_array(upper + upper.T)
    seeds = np.array([0, 5, 17])
    scores = propagate(adjacency, seeds)
    perm = rng.permutation(n)  # new position i holds old node perm[i]
    inverse = np.argsort(perm)
    permuted = sp.csr_array(adjacency[perm][:, perm])
    assert propagate(permuted, inverse[seeds]) == pytest.approx(scores[perm])


def test_graph_is_symmetric_and_weights_bounded() -> None:
    nodes = {"Company": _nodes("Company", ["A", "B"]), "Person": _nodes("Person", ["P"])}
    holds = _edges(nodes, ("Person", "HOLDS", "Company"), [("P", "A"), ("P", "B")], [0.6, 0.2])
    graph = contagion_graph(Snapshot(nodes, {("Person", "HOLDS", "Company"): holds}))
    dense = graph.adjacency.toarray()
    assert (dense == dense.T).all() and dense.max() <= 1.0
    p, a = graph.offsets["Person"], graph.offsets["Company"]
    assert dense[p, a] == pytest.approx(0.8 * 0.6)  # PATH_WEIGHTS["HOLDS"] × share


def test_no_seeds_no_risk() -> None:
    assert propagate(sp.csr_array((3, 3)), np.array([], dtype=np.int64)).tolist() == [0, 0, 0]
