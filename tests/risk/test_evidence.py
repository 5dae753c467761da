"""Evidence paths on tiny snapshots, with answers known by construction."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import scipy.sparse as sp

from riskgraph.graph.snapshot import NodeTable
from riskgraph.risk.evidence import (
    EvidencePath,
    evidence_paths,
    evidence_tree,
    strongest_path,
)
from riskgraph.risk.propagation import (
    ContagionGraph,
    contagion_graph,
    leak_scale,
)
from riskgraph.weights import PATH_WEIGHTS
from tests.risk.test_propagation import edge_table, node_table, snapshot_of

ALPHA = 0.85


def _index(graph: ContagionGraph, nodes: dict[str, NodeTable], label: str, key: str) -> int:
    return graph.offsets[label] + nodes[label].index[key]


def _nodes_of(path: EvidencePath) -> list[int]:
    return [path.seed, *(hop.target for hop in path.hops)]


def _chain() -> tuple[ContagionGraph, list[int]]:
    """S holds C1 holds C2 holds C3 (all of it); the graph and their indices."""
    chain = ["S", "C1", "C2", "C3"]
    nodes = {"Company": node_table("Company", chain)}
    holds = edge_table(nodes, ("Company", "HOLDS", "Company"), list(itertools.pairwise(chain)),
                       [1.0, 1.0, 1.0])  # fmt: skip
    graph = contagion_graph(snapshot_of(nodes, holds))
    return graph, [_index(graph, nodes, "Company", k) for k in chain]


def test_a_chain_has_exactly_its_one_path_with_the_product_contribution() -> None:
    graph, (s, c1, c2, c3) = _chain()
    tree = evidence_tree(graph, np.array([s]), ALPHA)
    paths = evidence_paths(tree, c3, k=5)
    assert len(paths) == 1
    (path,) = paths
    assert (path.seed, path.target) == (s, c3)
    assert [(h.source, h.target) for h in path.hops] == [(s, c1), (c1, c2), (c2, c3)]
    assert all(h.type == "HOLDS" and h.forward for h in path.hops)
    w = PATH_WEIGHTS["HOLDS"]
    assert all(h.weight == pytest.approx(w) for h in path.hops)
    # S passes on all of its 0.8; C1 and C2 hold 1.6 each and pass on at most 1
    transfers = [w, w / (2 * w), w / (2 * w)]
    assert [h.transfer for h in path.hops] == pytest.approx(transfers)
    assert path.contribution == pytest.approx(ALPHA**3 * math.prod(transfers))
    assert strongest_path(tree, c3) == path


def test_a_stronger_route_is_ranked_first() -> None:
    """S reaches T through A by guarantees (0.7 a hop) and through B by trade (0.2 a hop)."""
    nodes = {"Company": node_table("Company", ["S", "A", "B", "T"])}
    guarantees = edge_table(nodes, ("Company", "GUARANTEE", "Company"), [("S", "A"), ("A", "T")])
    trade = edge_table(nodes, ("Company", "TRADE", "Company"), [("S", "B"), ("B", "T")])
    graph = contagion_graph(snapshot_of(nodes, guarantees, trade))
    s, a, b, t = (_index(graph, nodes, "Company", k) for k in "SABT")
    tree = evidence_tree(graph, np.array([s]), ALPHA)
    first, second = evidence_paths(tree, t, k=3)
    assert _nodes_of(first) == [s, a, t] and [h.type for h in first.hops] == ["GUARANTEE"] * 2
    assert _nodes_of(second) == [s, b, t] and [h.type for h in second.hops] == ["TRADE"] * 2
    assert first.contribution > second.contribution > 0


def test_a_hub_identifier_path_ranks_below_a_direct_holding() -> None:
    """S holds a fifth of T, and both are registered at an address shared by 50 companies."""
    others = [f"H{i:02d}" for i in range(48)]
    nodes = {
        "Company": node_table("Company", ["S", "T", *others]),
        "Address": node_table("Address", ["hub"]),
    }
    holds = edge_table(nodes, ("Company", "HOLDS", "Company"), [("S", "T")], [0.2])
    at_hub = [(c, "hub") for c in ["S", "T", *others]]
    address = edge_table(nodes, ("Company", "REGISTERED_AT", "Address"), at_hub)
    graph = contagion_graph(snapshot_of(nodes, holds, address))
    s, t = (_index(graph, nodes, "Company", k) for k in "ST")
    hub = _index(graph, nodes, "Address", "hub")
    tree = evidence_tree(graph, np.array([s]), ALPHA)
    direct, via_hub = evidence_paths(tree, t, k=3)
    assert _nodes_of(direct) == [s, t] and direct.hops[0].type == "HOLDS"
    assert _nodes_of(via_hub) == [s, hub, t]
    assert [h.type for h in via_hub.hops] == ["REGISTERED_AT"] * 2
    assert [h.forward for h in via_hub.hops] == [True, False]  # S at hub, T at hub
    assert direct.contribution > 10 * via_hub.contribution


def test_a_seed_has_the_trivial_path_first_then_paths_from_other_seeds() -> None:
    nodes = {"Company": node_table("Company", ["S1", "S2", "X"])}
    loans = edge_table(nodes, ("Company", "LOAN", "Company"), [("S2", "S1"), ("S1", "X")])
    graph = contagion_graph(snapshot_of(nodes, loans))
    s1, s2, x = (_index(graph, nodes, "Company", k) for k in ["S1", "S2", "X"])
    tree = evidence_tree(graph, np.array([s1, s2]), ALPHA)
    trivial, other = evidence_paths(tree, s1, k=3)  # the path back from X would loop
    assert trivial == EvidencePath(s1, s1, (), 1.0)
    assert _nodes_of(other) == [s2, s1] and other.hops[0].forward  # S2 lends to S1
    assert evidence_paths(tree, s1, k=1) == [trivial]
    assert tree.origin[x] == s1


def test_an_unreached_node_has_no_path() -> None:
    nodes = {"Company": node_table("Company", ["S", "A", "Z"])}
    holds = edge_table(nodes, ("Company", "HOLDS", "Company"), [("S", "A")])
    graph = contagion_graph(snapshot_of(nodes, holds))
    s, z = (_index(graph, nodes, "Company", k) for k in "SZ")
    tree = evidence_tree(graph, np.array([s]), ALPHA)
    assert evidence_paths(tree, z) == [] and strongest_path(tree, z) is None
    assert evidence_paths(evidence_tree(graph, np.array([], dtype=np.int64)), s) == []


def _random_graph(n: int, m: int, seed: int) -> ContagionGraph:
    """A contagion graph straight from a random adjacency, all edges one type."""
    rng = np.random.default_rng(seed)
    upper = sp.coo_array((rng.random(m), (rng.integers(0, n, m), rng.integers(0, n, m))),
                         shape=(n, n))  # fmt: skip
    adjacency = sp.csr_array(upper + upper.T)
    adjacency.sum_duplicates()
    edge_types = np.zeros(adjacency.nnz, dtype=np.int8)
    forward = np.ones(adjacency.nnz, dtype=bool)
    return ContagionGraph({"Company": 0}, {"Company": n}, adjacency, edge_types, forward,
                          ("TRADE",))  # fmt: skip


def test_paths_are_consistent_with_the_tree_and_the_weights() -> None:
    """On a random graph: every path runs from a seed to its target through real edges,
    without repeating a node, with the product contribution; strongest first, the first
    one the tree's."""
    graph = _random_graph(300, 900, 4)
    seeds = np.array([7, 100, 101, 250])
    tree = evidence_tree(graph, seeds, ALPHA)
    scale = leak_scale(graph.adjacency)
    dense = graph.adjacency.toarray()
    for node in range(0, 300, 7):
        paths = evidence_paths(tree, node, k=4)
        contributions = [p.contribution for p in paths]
        assert contributions == sorted(contributions, reverse=True)
        for path in paths:
            chain = _nodes_of(path)
            assert path.seed in seeds and chain[-1] == node == path.target
            assert len(set(chain)) == len(chain)
            for hop in path.hops:
                assert hop.weight == dense[hop.source, hop.target] > 0
                assert hop.transfer == pytest.approx(hop.weight * scale[hop.source])
            expected = math.prod(ALPHA * h.transfer for h in path.hops)
            assert path.contribution == pytest.approx(expected)
        best = strongest_path(tree, node)
        if node in seeds:
            assert paths[0].hops == ()
        elif best is not None:
            assert paths[0] == best
            assert best.contribution == pytest.approx(math.exp(-tree.distance[node]))


def test_alpha_must_be_a_damping() -> None:
    graph = _random_graph(5, 5, 1)
    with pytest.raises(ValueError, match="alpha"):
        evidence_tree(graph, np.array([0]), alpha=1.0)


def test_a_floor_stops_the_search_where_paths_grow_weaker_than_it() -> None:
    graph, (s, c1, c2, c3) = _chain()
    full = evidence_tree(graph, np.array([s]), ALPHA)
    contributions = {c: strongest_path(full, c).contribution for c in (c1, c2, c3)}  # type: ignore[union-attr]
    # a floor between C2's and C3's contributions: C1 and C2 keep their paths, C3 has none
    floor = math.sqrt(contributions[c2] * contributions[c3])
    cut = evidence_tree(graph, np.array([s]), ALPHA, floor=floor)
    assert strongest_path(cut, c2) == strongest_path(full, c2)
    assert strongest_path(cut, c1) == strongest_path(full, c1)
    assert strongest_path(cut, c3) is None
