"""The snapshot of a tiny graph whose arrays are known by construction.

P1 ─0.6▶ C1 ─0.5▶ C2,  P1 ─legal rep▶ C2,  C1 ─phone▶ T ◀─phone─ C2
C2 has an exposure event (2023-05-01); C1 a litigation.
"""

from __future__ import annotations

import datetime as dt

import neo4j
import numpy as np
import pytest

from riskgraph.graph import cypher
from riskgraph.graph.gateway import Gateway
from riskgraph.graph.schema import (
    EventType,
    OfficerRole,
    source_labels,
    source_relationship_types,
)
from riskgraph.graph.snapshot import (
    EVENT_TYPES,
    OWN_READS,
    ROLES,
    Snapshot,
    SortedIndex,
    _canonical,
    attributes,
    build_snapshot,
    snapshot_reads,
)

STATEMENTS = [
    "CREATE (:Person {id: 'P1', name: '王伟', birth_year: 1980})",
    "CREATE (:Company {id: 'C1', status: 'active', established: date('2020-01-02'),"
    " registered_capital: 1.0e6})",
    "CREATE (:Company {id: 'C2', status: 'revoked'})",
    "CREATE (:Phone {number: '+8613800000001'})",
    "MATCH (p:Person {id: 'P1'}), (c:Company {id: 'C1'})"
    " CREATE (p)-[:HOLDS {share: 0.6, since: date('2021-01-01')}]->(c)",
    "MATCH (a:Company {id: 'C1'}), (b:Company {id: 'C2'}) CREATE (a)-[:HOLDS {share: 0.5}]->(b)",
    "MATCH (p:Person {id: 'P1'}), (c:Company {id: 'C2'})"
    " CREATE (p)-[:OFFICER_OF {role: 'legal_representative'}]->(c)",
    "MATCH (c:Company), (t:Phone) CREATE (c)-[:HAS_PHONE]->(t)",
    "MATCH (c:Company {id: 'C2'}) CREATE (c)-[:HAS_EVENT]->"
    "(:Event {id: 'e1', type: 'exposure', date: date('2023-05-01'), severity: 5})",
    "MATCH (c:Company {id: 'C1'}) CREATE (c)-[:HAS_EVENT]->(:Event {id: 'e2', type: 'litigation'})",
]


def _snapshot(graph: Gateway, driver: neo4j.Driver, statements: list[str]) -> Snapshot:
    for statement in statements:
        driver.execute_query(statement)
    return build_snapshot(graph)


def test_tables_and_matrices(graph: Gateway, driver: neo4j.Driver) -> None:
    snap = _snapshot(graph, driver, STATEMENTS)
    assert {label: len(t) for label, t in snap.nodes.items()} == {
        "Person": 1, "Company": 2, "Phone": 1, "Event": 2
    }  # fmt: skip
    companies = snap.nodes["Company"]
    assert list(companies.keys) == ["C1", "C2"]
    assert companies.columns["established"][0] == (dt.date(2020, 1, 2) - dt.date(1970, 1, 1)).days
    assert np.isnan(companies.columns["established"][1])
    assert list(companies.columns["status"]) == [0, 1]  # active, revoked
    assert snap.nodes["Person"].columns["birth_year"][0] == 1980

    person_holds = snap.edges[("Person", "HOLDS", "Company")]
    held = snap.adjacency(("Person", "HOLDS", "Company"), person_holds.share).toarray()
    assert held.tolist() == [[0.6, 0.0]]
    assert person_holds.since[0] == (dt.date(2021, 1, 1) - dt.date(1970, 1, 1)).days
    chain = snap.adjacency(
        ("Company", "HOLDS", "Company"), snap.edges[("Company", "HOLDS", "Company")].share
    )
    assert chain.toarray().tolist() == [[0.0, 0.5], [0.0, 0.0]]
    office = snap.edges[("Person", "OFFICER_OF", "Company")]
    assert ROLES[office.role[0]] == OfficerRole.LEGAL_REPRESENTATIVE
    phones = snap.adjacency(("Company", "HAS_PHONE", "Phone")).toarray()
    assert phones.tolist() == [[1.0], [1.0]]


def test_events_and_exposures(graph: Gateway, driver: neo4j.Driver) -> None:
    snap = _snapshot(graph, driver, STATEMENTS)
    assert snap.exposed().tolist() == [False, True]
    counts = snap.event_counts()
    assert counts[0, EVENT_TYPES.index(EventType.LITIGATION)] == 1
    assert counts[1, EVENT_TYPES.index(EventType.EXPOSURE)] == 1
    assert counts.sum() == 2
    severity = snap.nodes["Event"].columns["severity"]
    assert severity[0] == 5 and np.isnan(severity[1])  # e1, e2 in key order


def test_independent_of_insertion_order(graph: Gateway, driver: neo4j.Driver) -> None:
    forward = _snapshot(graph, driver, STATEMENTS)
    driver.execute_query("MATCH (n) DETACH DELETE n")
    nodes, relationships = STATEMENTS[:4], STATEMENTS[4:]
    backward = _snapshot(graph, driver, nodes[::-1] + relationships[::-1])
    assert forward.nodes.keys() == backward.nodes.keys()
    for label, table in forward.nodes.items():
        assert list(table.keys) == list(backward.nodes[label].keys)
    assert forward.edges.keys() == backward.edges.keys()
    for key in forward.edges:
        a, b = forward.adjacency(key), backward.adjacency(key)
        assert (a != b).nnz == 0


@pytest.mark.parametrize("label", ["Company", "Person"])
def test_empty_graph(graph: Gateway, label: str) -> None:
    snap = build_snapshot(graph)
    assert snap.size(label) == 0 and snap.edges == {}


def test_the_node_reads_cover_every_source_label() -> None:
    """snapshot_companies and snapshot_nodes name each label (a scan each, reading only its
    own attributes): a label added to the schema must be added there too."""
    text = cypher.load("snapshot_companies").text + cypher.load("snapshot_nodes").text
    for label in source_labels():
        assert f"MATCH (n:{label})" in text


def test_the_relationship_reads_cover_every_source_type_once() -> None:
    """Each source relationship type is read by exactly one of the snapshot's reads, and
    that read returns every attribute the type has."""
    read_by: dict[str, list[str]] = {}
    for name, params in snapshot_reads(dt.date.today()):
        text = cypher.load(name).text
        for rel_type in params.get("types", []):
            read_by.setdefault(rel_type, []).append(name)
        for rel_type in OWN_READS:
            if f"[r:{rel_type}]" in text:
                read_by.setdefault(rel_type, []).append(name)
    assert read_by == {t: [read_by[t][0]] for t in source_relationship_types()}
    for rel_type, (name,) in read_by.items():
        text = cypher.load(name).text
        for attribute in attributes(rel_type):
            assert f"r.{attribute})" in text or f"r.{attribute}," in text, (rel_type, attribute)


def test_reading_apart_gives_the_same_snapshot(graph: Gateway, driver: neo4j.Driver) -> None:
    together = _snapshot(graph, driver, STATEMENTS)
    apart = build_snapshot(graph, exclusive=True)  # three transactions at once
    assert together.nodes.keys() == apart.nodes.keys()
    for label, table in together.nodes.items():
        assert list(table.keys) == list(apart.nodes[label].keys), label
    assert together.edges.keys() == apart.edges.keys()
    for key, edges in together.edges.items():
        other = apart.edges[key]
        assert edges.source.tolist() == other.source.tolist(), key
        assert edges.target.tolist() == other.target.tolist(), key
        assert np.array_equal(edges.share, other.share, equal_nan=True), key


def test_parallel_edges_and_keys_in_a_canonical_order(graph: Gateway, driver: neo4j.Driver) -> None:
    """Two offices of one person in one company come out in role order however they were
    created; keys (Chinese addresses included) come out sorted and findable by key."""
    base = [
        "CREATE (:Person {id: 'P1'})",
        "CREATE (:Company {id: 'C9'}), (:Company {id: 'C1'})",
        "CREATE (:Address {key: '浙江省舟山市定海区'}), (:Address {key: '北京市朝阳区'})",
        "MATCH (c:Company), (a:Address) CREATE (c)-[:REGISTERED_AT]->(a)",
    ]
    offices = [
        "MATCH (p:Person), (c:Company {id: 'C1'}) CREATE (p)-[:OFFICER_OF {role: 'director'}]->(c)",
        "MATCH (p:Person), (c:Company {id: 'C1'})"
        " CREATE (p)-[:OFFICER_OF {role: 'legal_representative'}]->(c)",
    ]
    first = _snapshot(graph, driver, base + offices)
    driver.execute_query("MATCH (n) DETACH DELETE n")
    second = _snapshot(graph, driver, base + offices[::-1])
    for snap in (first, second):
        office = snap.edges[("Person", "OFFICER_OF", "Company")]
        assert [ROLES[r] for r in office.role] == sorted(
            [OfficerRole.DIRECTOR, OfficerRole.LEGAL_REPRESENTATIVE], key=ROLES.index
        )
        addresses = snap.nodes["Address"]
        assert list(addresses.keys) == sorted(["浙江省舟山市定海区", "北京市朝阳区"])
        assert addresses.index["浙江省舟山市定海区"] == list(addresses.keys).index(
            "浙江省舟山市定海区"
        )
        assert "上海市" not in addresses.index and addresses.index.get("上海市") is None
        assert snap.adjacency(("Company", "REGISTERED_AT", "Address")).sum() == 4


def test_canonical_order_is_a_full_lexicographic_sort() -> None:
    """The fast order (one key sort, then the runs of parallel edges by attribute) is the
    order of one lexsort over (source, target, role, share, amount, since)."""
    rng = np.random.default_rng(7)
    n = 5000
    source = rng.integers(0, 40, n)
    target = rng.integers(0, 30, n)  # many parallel edges
    role = rng.integers(-1, 3, n).astype(np.int8)
    share = rng.choice([np.nan, 0.1, 0.5], n)
    amount = rng.choice([np.nan, 1.0], n)
    since = rng.choice([np.nan, 100.0, 200.0], n)
    rows = rng.permutation(n)  # the attribute columns are read at these rows
    full = np.lexsort((since[rows], amount[rows], share[rows], role[rows], target, source))
    fast = _canonical(source, target, (since, amount, share, role), rows)
    for column in (source, target):
        assert column[fast].tolist() == column[full].tolist()
    for column in (role, share, amount, since):
        assert np.array_equal(column[rows[fast]], column[rows[full]], equal_nan=True)


def test_sorted_index() -> None:
    index = SortedIndex(np.array(["A1", "B2", "北京"], dtype=object))
    assert [index.get(k) for k in ("A1", "B2", "北京", "A0", "Z", "")] == [
        0,
        1,
        2,
        None,
        None,
        None,
    ]
    assert index["B2"] == 1 and "北京" in index and 3 not in index and len(index) == 3
    with pytest.raises(KeyError):
        index["nope"]
    assert SortedIndex(np.array([], dtype=object)).get("A1") is None


def test_exposure_days_first_latest_and_undated() -> None:
    """A: exposed twice (2021, 2023); B: once, undated; C: once plus an undated one; D:
    never. Days since 1970, NaN where none counts."""
    from tests.risk.tiny import TinyGraph, day

    g = TinyGraph()
    for key in ("A", "B", "C", "D"):
        g.company(key)
    g.event("A", "exposure", "2021-01-01")
    g.event("A", "exposure", "2023-01-01")
    g.event("A", "complaint", "2024-01-01")  # not an exposure
    g.event("B", "exposure", None)
    g.event("C", "exposure", "2022-06-01")
    g.event("C", "exposure", None)
    snapshot = g.build()
    a, c = [day("2021-01-01"), day("2023-01-01")], day("2022-06-01")
    nan = float("nan")
    np.testing.assert_array_equal(snapshot.exposure_days(), [a[0], nan, c, nan])
    np.testing.assert_array_equal(snapshot.exposure_days(latest=True), [a[1], nan, c, nan])
    np.testing.assert_array_equal(
        snapshot.exposure_days(latest=True, undated=np.inf), [a[1], np.inf, np.inf, nan]
    )
