"""Propagation on tiny snapshots built from arrays, with answers known by construction."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.linalg import spsolve

from riskgraph.graph.snapshot import EdgeTable, NodeTable, Snapshot
from riskgraph.risk.propagation import (
    Propagator,
    contagion_graph,
    leak_scale,
    propagate,
    rarity,
    seed_strength,
)
from tests.risk.tiny import TinyGraph, day


def node_table(label: str, keys: list[str]) -> NodeTable:
    ordered = np.array(sorted(keys), dtype=object)
    return NodeTable(label, ordered, {})


def edge_table(
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


def snapshot_of(nodes: dict[str, NodeTable], *tables: EdgeTable) -> Snapshot:
    return Snapshot(nodes, {(e.source_label, e.type, e.target_label): e for e in tables})


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
        "Company": node_table("Company", ["S", "A", "B", *others]),
        "Phone": node_table("Phone", ["rare"]),
        "Address": node_table("Address", ["hub"]),
    }
    phones = edge_table(nodes, ("Company", "HAS_PHONE", "Phone"), [("S", "rare"), ("A", "rare")])
    at_hub = [(c, "hub") for c in ["S", "B", *others]]
    address = edge_table(nodes, ("Company", "REGISTERED_AT", "Address"), at_hub)
    scores = _score(
        Snapshot(nodes, {(e.source_label, e.type, e.target_label): e for e in (phones, address)}),
        ["S"],
    )
    assert scores["S"] == 1.0
    assert scores["A"] > 50 * scores["B"] > 0


def test_a_chain_decays_with_length() -> None:
    chain = ["S", "C1", "C2", "C3"]
    nodes = {"Company": node_table("Company", chain)}
    links = list(itertools.pairwise(chain))
    holds = edge_table(nodes, ("Company", "HOLDS", "Company"), links, [1.0] * 3)
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
    nodes = {"Company": node_table("Company", ["A", "B"]), "Person": node_table("Person", ["P"])}
    holds = edge_table(nodes, ("Person", "HOLDS", "Company"), [("P", "A"), ("P", "B")], [0.6, 0.2])
    graph = contagion_graph(Snapshot(nodes, {("Person", "HOLDS", "Company"): holds}))
    dense = graph.adjacency.toarray()
    assert (dense == dense.T).all() and dense.max() <= 1.0
    p, a = graph.offsets["Person"], graph.offsets["Company"]
    assert dense[p, a] == pytest.approx(0.8 * 0.6)  # PATH_WEIGHTS["HOLDS"] × share


def test_no_seeds_no_risk() -> None:
    assert propagate(sp.csr_array((3, 3)), np.array([], dtype=np.int64)).tolist() == [0, 0, 0]


def _random_graph(n: int, density: float, seed: int) -> sp.csr_array:
    """Symmetric, weights in [0, 1), about ``density * n * n`` edges each way."""
    rng = np.random.default_rng(seed)
    m = int(density * n * n)
    rows, cols = rng.integers(0, n, m), rng.integers(0, n, m)
    upper = sp.coo_array((rng.random(m), (rows, cols)), shape=(n, n))
    return sp.csr_array(upper + upper.T)


def _exact(adjacency: sp.csr_array, seeds: np.ndarray, alpha: float) -> np.ndarray:
    """The PageRank vector by a direct solve of (I - alpha A S) x = (1 - alpha) r."""
    n = adjacency.shape[0]
    restart = np.zeros(n)
    restart[seeds] = 1.0 / len(seeds)
    system = sp.identity(n, format="csc") - alpha * sp.csc_array(
        adjacency @ sp.diags_array(leak_scale(adjacency))
    )
    return np.asarray(spsolve(system, (1.0 - alpha) * restart))


@pytest.mark.parametrize("alpha", [0.5, 0.85, 0.95])
def test_the_solve_matches_a_direct_solve(alpha: float) -> None:
    adjacency = _random_graph(300, 0.02, 11)
    seeds = np.array([3, 40, 41, 250])
    exact = _exact(adjacency, seeds, alpha)
    solved = Propagator(adjacency, alpha).solve(seeds, tolerance=1e-16, max_iterations=500)
    assert solved == pytest.approx(exact, rel=1e-9, abs=1e-14)


def test_the_error_stays_within_the_documented_bound_in_single_precision() -> None:
    """At the usual tolerance the solve runs in float32 and stops on the L1 residual, so the
    L1 error is at most n * tolerance / (1 - alpha)."""
    n, alpha, tolerance = 5000, 0.85, 1e-8
    adjacency = _random_graph(n, 0.001, 5)
    seeds = np.arange(0, n, 97)
    propagator = Propagator(adjacency, alpha)
    # float64 to rounding (checked against a direct solve above)
    exact = propagator.solve(seeds, tolerance=1e-18, max_iterations=1000)
    solved = propagator.solve(seeds, tolerance=tolerance)
    assert solved.dtype == np.float64 and not np.array_equal(solved, exact)
    assert np.abs(solved - exact).sum() <= n * tolerance / (1 - alpha)


def test_the_power_iteration_and_the_solve_agree() -> None:
    """The scores of the power iteration the solve replaced, within its tolerance."""
    n, alpha = 2000, 0.85
    adjacency = _random_graph(n, 0.002, 9)
    seeds = np.array([1, 500, 1500])
    transition_t = sp.csr_array(adjacency @ sp.diags_array(leak_scale(adjacency)))
    restart = np.zeros(n)
    restart[seeds] = 1.0 / len(seeds)
    rank = restart.copy()
    for _ in range(1000):
        updated = (1 - alpha) * restart + alpha * (transition_t @ rank)
        done = np.abs(updated - rank).sum() < n * 1e-14
        rank = updated
        if done:
            break
    expected = rank / rank[seeds].max()
    assert propagate(adjacency, seeds, tolerance=1e-14) == pytest.approx(expected, abs=1e-9)


def test_a_propagator_serves_several_seed_sets() -> None:
    adjacency = _random_graph(200, 0.03, 2)
    propagator = Propagator(adjacency)
    for seeds in (np.array([0]), np.array([5, 6, 7]), np.array([199])):
        assert propagator.scores(seeds) == pytest.approx(propagate(adjacency, seeds))
        assert propagator.scores(seeds)[seeds].max() == 1.0


def test_alpha_must_leave_restart_mass() -> None:
    with pytest.raises(ValueError, match="alpha"):
        Propagator(sp.csr_array((2, 2)), alpha=1.0)


def test_parallel_relationships_add_up_and_the_heaviest_names_the_pair() -> None:
    """A holds a quarter of B (0.8 × 0.25) and guarantees it (0.7): tied by 0.9, through a
    guarantee that points from A to B."""
    nodes = {"Company": node_table("Company", ["A", "B", "C"])}
    holds = edge_table(nodes, ("Company", "HOLDS", "Company"), [("A", "B"), ("C", "B")], [0.25, 1])
    guarantee = edge_table(nodes, ("Company", "GUARANTEE", "Company"), [("A", "B")])
    graph = contagion_graph(snapshot_of(nodes, holds, guarantee))
    a, b, c = (graph.offsets["Company"] + nodes["Company"].index[k] for k in "ABC")
    adjacency = graph.adjacency
    assert adjacency.has_canonical_format
    assert adjacency[a, b] == pytest.approx(0.8 * 0.25 + 0.7) == adjacency[b, a]

    def entry(u: int, v: int) -> tuple[str, bool]:
        position = adjacency.indptr[u] + list(adjacency.indices[adjacency.indptr[u] :]).index(v)
        kind = graph.relationships[graph.edge_types[position]]
        return kind, bool(graph.edge_forward[position])

    assert entry(a, b) == ("GUARANTEE", True) and entry(b, a) == ("GUARANTEE", False)
    assert entry(c, b) == ("HOLDS", True) and entry(b, c) == ("HOLDS", False)


def test_label_of_inverts_the_offsets() -> None:
    nodes = {"Company": node_table("Company", ["A", "B"]), "Person": node_table("Person", ["P"])}
    holds = edge_table(nodes, ("Person", "HOLDS", "Company"), [("P", "A")])
    graph = contagion_graph(snapshot_of(nodes, holds))
    assert graph.label_of(graph.offsets["Person"]) == ("Person", 0)
    assert graph.label_of(graph.offsets["Company"] + 1) == ("Company", 1)
    with pytest.raises(IndexError):
        graph.label_of(3)


def test_seeds_in_a_small_part_of_the_graph_are_solved_there_alone() -> None:
    """A large component and a small one (well under ``Propagator.LOCAL`` of the edges):
    seeds in the small one give the direct solve's answer, and exact zeros elsewhere."""
    large, small = _random_graph(2000, 0.002, 3), _random_graph(30, 0.1, 4)
    adjacency = sp.csr_array(sp.block_diag([large, small]))
    assert small.nnz < Propagator.LOCAL * adjacency.nnz
    propagator = Propagator(adjacency)
    reach = propagator._reach(np.array([2001]))
    assert reach is not None and reach.tolist() == list(range(2000, 2030))
    assert propagator._reach(np.array([5])) is None  # the large part: all of the graph
    for seeds in (np.array([2001, 2010]), np.array([5, 2001])):
        exact = _exact(adjacency, seeds, 0.85)
        solved = propagator.solve(seeds, tolerance=1e-16)
        assert solved == pytest.approx(exact, rel=1e-9, abs=1e-14)
    assert not propagator.solve(np.array([2001]))[:2000].any()


def test_a_weaker_seed_passes_on_less_in_proportion() -> None:
    """Two separate pairs S1-A and S2-B: with S2 at a quarter of S1's strength, B gets a
    quarter of A's contagion; with equal strength, the same."""
    nodes = {"Company": node_table("Company", ["A", "B", "S1", "S2"])}
    graph = contagion_graph(
        snapshot_of(nodes, edge_table(nodes, ("Company", "GUARANTEE", "Company"),
                                      [("S1", "A"), ("S2", "B")]))
    )  # fmt: skip
    seeds = np.array([2, 3], dtype=np.int64)
    equal = propagate(graph.adjacency, seeds)
    assert equal[0] == pytest.approx(equal[1])
    faded = propagate(graph.adjacency, seeds, strength=np.array([1.0, 0.25]))
    assert faded[2] == pytest.approx(1.0)  # the strongest seed scores 1
    assert faded[1] == pytest.approx(0.25 * faded[0])
    with pytest.raises(ValueError):
        propagate(graph.adjacency, seeds, strength=np.array([0.0, 0.0]))


def test_seed_strength_halves_every_half_life_and_counts_the_latest_exposure() -> None:
    g = TinyGraph()
    for key in ("A", "B", "C", "D"):
        g.company(key)
    g.event("A", "exposure", "2024-01-01")
    g.event("B", "exposure", "2023-01-01")
    g.event("C", "exposure", "2021-01-01")
    g.event("C", "exposure", "2023-12-01")  # exposed again: the latest counts
    snapshot = g.build()
    exposed = snapshot.exposed()
    assert exposed.tolist() == [True, True, True, False]
    today = day("2024-01-01")
    assert seed_strength(snapshot, exposed, None, today) is None
    strength = seed_strength(snapshot, exposed, 365.0, today)
    assert strength is not None
    assert strength == pytest.approx([1.0, 0.5, 2 ** (-31 / 365)])


def test_whole_number_weights_are_weights_too() -> None:
    """A weights mapping written by hand ({"HAS_PHONE": 1}) gives the graph of the floats."""
    g = TinyGraph()
    g.phone(g.company("A"), "13800000000")
    g.phone(g.company("B"), "13800000000")
    g.phone(g.company("C"), "13800000000")
    snapshot = g.build()
    whole = contagion_graph(snapshot, {"HAS_PHONE": 1, "HOLDS": 0})
    floats = contagion_graph(snapshot, {"HAS_PHONE": 1.0, "HOLDS": 0.0})
    assert whole.adjacency.dtype == np.float64
    assert (whole.adjacency != floats.adjacency).nnz == 0
    assert whole.adjacency.sum() == pytest.approx(floats.adjacency.sum()) and whole.adjacency.nnz
