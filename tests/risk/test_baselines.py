"""Baselines on tiny snapshots whose components, degrees and distances are known."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import scipy.sparse as sp

from riskgraph.graph.schema import EventType
from riskgraph.graph.snapshot import EVENT_TYPES, EdgeTable, NodeTable, Snapshot
from riskgraph.risk.baselines import (
    entity_graph,
    hop_distance,
    identifier_incidence,
    shared_identifier_graph,
    shared_identifier_rings,
)

Pairs = list[tuple[str, str]]


def _nodes(label: str, keys: list[str], **columns: list[int]) -> NodeTable:
    order = np.argsort(np.array(keys, dtype=object), kind="stable")
    ordered = np.array(keys, dtype=object)[order]
    cols = {name: np.array(v, dtype=np.int8)[order] for name, v in columns.items()}
    return NodeTable(label, ordered, cols)


def _snapshot(nodes: dict[str, NodeTable], edges: dict[tuple[str, str, str], Pairs]) -> Snapshot:
    tables = {}
    for key, pairs in edges.items():
        source = np.array([nodes[key[0]].index[a] for a, _ in pairs], dtype=np.int64)
        target = np.array([nodes[key[2]].index[b] for _, b in pairs], dtype=np.int64)
        nan = np.full(len(pairs), np.nan)
        role = np.full(len(pairs), -1, dtype=np.int8)
        tables[key] = EdgeTable(key[1], key[0], key[2], source, target, nan, nan, nan, role)
    return Snapshot(nodes, tables)


def _two_groups(hub: bool) -> Snapshot:
    """A, B share a phone; C, D share a person (holder of C, officer of D); E alone.
    With ``hub``, B and C also share an address, merging the two groups."""
    nodes = {
        "Company": _nodes("Company", ["A", "B", "C", "D", "E"]),
        "Person": _nodes("Person", ["p", "q"]),
        "Phone": _nodes("Phone", ["t1", "t2"]),
        "Address": _nodes("Address", ["hub", "a1"]),
    }
    addresses = [("B", "hub"), ("C", "hub")] if hub else [("B", "hub"), ("C", "a1")]
    return _snapshot(
        nodes,
        {
            ("Company", "HAS_PHONE", "Phone"): [("A", "t1"), ("B", "t1"), ("E", "t2")],
            ("Company", "REGISTERED_AT", "Address"): addresses,
            ("Person", "HOLDS", "Company"): [("p", "C"), ("q", "E")],
            ("Person", "OFFICER_OF", "Company"): [("p", "D")],
        },
    )


def _ring_sets(rings: dict[str, str]) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for entity, ring in rings.items():
        groups.setdefault(ring, set()).add(entity)
    return {frozenset(g) for g in groups.values()}


def test_components_of_the_shared_identifier_graph() -> None:
    apart = shared_identifier_rings(_two_groups(hub=False))
    assert _ring_sets(apart.rings) == {frozenset("AB"), frozenset({"C", "D", "p"})}
    merged = shared_identifier_rings(_two_groups(hub=True))
    assert _ring_sets(merged.rings) == {frozenset({"A", "B", "C", "D", "p"})}
    assert "E" not in merged.rings and "q" not in merged.rings  # q is on E alone


def test_person_links_decides_which_persons_join() -> None:
    """q holds E only, and E is no ring: q joins nothing even at person_links=1; p has two
    ring companies and joins at 2; a person on one ring company joins at 1 only."""
    snapshot = _two_groups(hub=False)
    nodes = dict(snapshot.nodes, Person=_nodes("Person", ["p", "q", "r"]))
    edges = {
        ("Company", "HAS_PHONE", "Phone"): [("A", "t1"), ("B", "t1"), ("E", "t2")],
        ("Person", "HOLDS", "Company"): [("p", "C"), ("q", "E"), ("r", "A")],
        ("Person", "OFFICER_OF", "Company"): [("p", "D")],
    }
    with_r = _snapshot(nodes, edges)
    assert "r" not in shared_identifier_rings(with_r).rings
    loose = shared_identifier_rings(with_r, person_links=1).rings
    assert loose["r"] == loose["A"] and loose["p"] == loose["C"] and "q" not in loose


def test_weighted_degree_counts_shared_identifiers() -> None:
    """A and B share a phone and an address (2); p holds and serves both (one identifier,
    not two), so A-B is 3; C shares only the address with A and B."""
    nodes = {
        "Company": _nodes("Company", ["A", "B", "C"]),
        "Person": _nodes("Person", ["p"]),
        "Phone": _nodes("Phone", ["t"]),
        "Address": _nodes("Address", ["x"]),
    }
    snapshot = _snapshot(
        nodes,
        {
            ("Company", "HAS_PHONE", "Phone"): [("A", "t"), ("B", "t"), ("B", "t")],
            ("Company", "REGISTERED_AT", "Address"): [("A", "x"), ("B", "x"), ("C", "x")],
            ("Person", "HOLDS", "Company"): [("p", "A"), ("p", "B")],
            ("Person", "OFFICER_OF", "Company"): [("p", "A"), ("p", "B")],
        },
    )
    result = shared_identifier_rings(snapshot)
    assert result.scores == {"A": 4.0, "B": 4.0, "C": 2.0}
    assert result.company_graph.toarray().tolist() == [[0, 3, 1], [3, 0, 1], [1, 1, 0]]


def test_the_sparse_product_equals_counting_pairs() -> None:
    """B @ B.T against a plain loop over identifiers and their company pairs."""
    rng = np.random.default_rng(11)
    n_companies, n_identifiers = 40, 25
    pairs = {(int(rng.integers(n_companies)), int(rng.integers(n_identifiers))) for _ in range(90)}
    pairs |= {(c, 0) for c in range(0, n_companies, 2)}  # one hub identifier
    rows, cols = map(np.array, zip(*sorted(pairs), strict=True))
    incidence = sp.csr_array((np.ones(len(rows), np.int64), (rows, cols)),
                             shape=(n_companies, n_identifiers))  # fmt: skip
    expected = np.zeros((n_companies, n_companies), dtype=np.int64)
    for identifier in range(n_identifiers):
        holders = sorted(c for c, i in pairs if i == identifier)
        for a, b in itertools.permutations(holders, 2):
            expected[a, b] += 1
    assert (shared_identifier_graph(incidence).toarray() == expected).all()


def test_max_sharing_drops_hub_identifiers() -> None:
    snapshot = _two_groups(hub=True)
    assert identifier_incidence(snapshot).sum() == identifier_incidence(snapshot, 2).sum()
    capped = shared_identifier_rings(snapshot, max_sharing=1)
    assert capped.rings == {} and capped.scores == dict.fromkeys("ABCDE", 0.0)
    split = shared_identifier_rings(snapshot, max_sharing=2)
    assert len(_ring_sets(split.rings)) == 1  # the hub is on 2 companies: still shared


def _exposure_code() -> int:
    return EVENT_TYPES.index(EventType.EXPOSURE)


def _chain() -> Snapshot:
    """S -LOAN-> C1 <-OFFICER- p -OFFICER-> C2; C3 is tied to S only through S's event."""
    other = next(i for i in range(len(EVENT_TYPES)) if i != _exposure_code())
    nodes = {
        "Company": _nodes("Company", ["S", "C1", "C2", "C3"]),
        "Person": _nodes("Person", ["p"]),
        "Event": _nodes("Event", ["e1", "e2"], type=[_exposure_code(), other]),
    }
    return _snapshot(
        nodes,
        {
            ("Company", "LOAN", "Company"): [("S", "C1")],
            ("Person", "OFFICER_OF", "Company"): [("p", "C1"), ("p", "C2")],
            ("Company", "HAS_EVENT", "Event"): [("S", "e1"), ("C3", "e1"), ("C3", "e2")],
        },
    )


def test_hop_distance_on_a_chain() -> None:
    """C3 shares S's exposure event (which no real graph does), yet events are no path;
    C3 also counts as exposed through that event, so it is asked of a given seed set."""
    snapshot = _chain()
    companies = snapshot.nodes["Company"]
    seeds = np.zeros(len(companies), dtype=bool)
    seeds[companies.index["S"]] = True
    result = hop_distance(snapshot, seeds)
    hops = {k: result.hops[i] for i, k in enumerate(companies.keys)}
    assert hops == {"S": 0, "C1": 1, "C2": 3, "C3": math.inf}
    assert result.scores == {"S": 1.0, "C1": 0.5, "C2": 0.25, "C3": 0.0}


def test_hop_distance_takes_the_nearest_of_several_seeds() -> None:
    snapshot = _chain()
    by_default = hop_distance(snapshot)  # exposed: S, and C3 through the shared event
    assert by_default.scores == {"S": 1.0, "C1": 0.5, "C2": 0.25, "C3": 1.0}
    companies = snapshot.nodes["Company"]
    seeds = np.zeros(len(companies), dtype=bool)
    seeds[[companies.index["S"], companies.index["C2"]]] = True
    assert hop_distance(snapshot, seeds).scores["C1"] == 0.5
    assert hop_distance(snapshot, seeds).hops[companies.index["C2"]] == 0


def test_no_seeds_no_scores() -> None:
    snapshot = _chain()
    result = hop_distance(snapshot, np.zeros(snapshot.size("Company"), dtype=bool))
    assert set(result.scores.values()) == {0.0}


def test_entity_graph_leaves_events_out_and_is_symmetric() -> None:
    graph = entity_graph(_chain())
    assert "Event" not in graph.offsets
    dense = graph.adjacency.toarray()
    assert (dense == dense.T).all() and dense.sum() == 2 * 3  # LOAN + two offices


@pytest.mark.parametrize("hub", [False, True])
def test_every_ring_company_has_a_shared_identifier(hub: bool) -> None:
    result = shared_identifier_rings(_two_groups(hub))
    companies = _two_groups(hub).nodes["Company"].index
    for key in result.rings:
        if key in companies:
            assert result.scores[key] > 0
