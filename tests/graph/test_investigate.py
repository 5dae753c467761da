"""Investigation queries on a small world whose answers are known by construction.

P1 ─legal rep─▶ C1 ─phone─▶ T1 ◀─phone─ P2        (P1 to P2: exactly 3 hops)
P1 ─legal rep─▶ C2,  C1 ─phone─▶ T2 ◀─phone─ C2   (C1 and C2 share a rare phone)
P1 ─director──▶ E (exposed),  E ─GUARANTEE▶ C3
C1, E, C3 and H00..H59 are registered at HUB (an incubator: 63 companies)
"""

from __future__ import annotations

import neo4j
import pytest
from pydantic import ValidationError

from riskgraph.graph import investigate
from riskgraph.graph.gateway import Gateway
from riskgraph.graph.investigate import EntityNotFound, run

WORLD = """
CREATE (p1:Person {id: 'P1', name: '王伟'}), (p2:Person {id: 'P2', name: '李娜'})
CREATE (c1:Company {id: 'C1', name: '甲'}), (c2:Company {id: 'C2', name: '乙'}),
       (c3:Company {id: 'C3', name: '丙'}), (e:Company {id: 'E', name: '暴雷平台'})
CREATE (t1:Phone {number: '+8613800000001'}), (t2:Phone {number: '+8613800000002'})
CREATE (hub:Address {key: 'HUB', text: '科创园'})
CREATE (p1)-[:OFFICER_OF {role: 'legal_representative'}]->(c1),
       (p1)-[:OFFICER_OF {role: 'legal_representative'}]->(c2),
       (p1)-[:OFFICER_OF {role: 'director'}]->(e),
       (c1)-[:HAS_PHONE]->(t1), (p2)-[:HAS_PHONE]->(t1),
       (c1)-[:HAS_PHONE]->(t2), (c2)-[:HAS_PHONE]->(t2),
       (e)-[:GUARANTEE {amount: 1.0e7}]->(c3),
       (e)-[:HAS_EVENT]->(:Event {id: 'ev1', type: 'exposure'}),
       (c1)-[:REGISTERED_AT]->(hub), (e)-[:REGISTERED_AT]->(hub), (c3)-[:REGISTERED_AT]->(hub)
WITH hub
UNWIND range(0, 59) AS i
CREATE (:Company {id: 'H' + right('0' + toString(i), 2)})-[:REGISTERED_AT]->(hub)
"""


@pytest.fixture
def world(graph: Gateway, driver: neo4j.Driver) -> Gateway:
    driver.execute_query(WORLD)
    return graph


def test_neighbourhood_pages_are_disjoint_and_add_up(world: Gateway) -> None:
    params = {"id": "HUB", "hops": 1, "per_node": 1000, "limit": 25}
    pages = [run(world, "neighbourhood", params | {"skip": s})[0] for s in (0, 25, 50, 75)]
    ids = [[n.id for n in page.nodes] for page in pages]  # type: ignore[attr-defined]
    assert [len(p) for p in ids] == [25, 25, 13, 0]
    flat = [i for page in ids for i in page]
    assert len(flat) == len(set(flat)) == pages[0].total == 63  # type: ignore[attr-defined]


def test_neighbourhood_caps_hubs_and_says_so(world: Gateway) -> None:
    (page,) = run(world, "neighbourhood", {"id": "HUB", "hops": 1, "per_node": 10})
    assert page.total == 10 and page.left_out == [53]  # type: ignore[attr-defined]
    (two,) = run(world, "neighbourhood", {"id": "P2", "hops": 2, "per_node": 1000})
    reached = {(n.hop, n.id, n.via) for n in two.nodes}  # type: ignore[attr-defined]
    assert reached == {(1, "+8613800000001", "HAS_PHONE"), (2, "C1", "HAS_PHONE")}


def test_neighbourhood_type_filter(world: Gateway) -> None:
    (page,) = run(world, "neighbourhood", {"id": "P1", "hops": 1, "types": ["OFFICER_OF"]})
    assert {n.id for n in page.nodes} == {"C1", "C2", "E"}  # type: ignore[attr-defined]
    with pytest.raises(ValidationError, match="unknown relationship type"):
        run(world, "neighbourhood", {"id": "P1", "types": ["OWNS"]})


def test_two_people_are_three_hops_apart_through_a_shared_phone(world: Gateway) -> None:
    paths = run(world, "connection_paths", {"from": "P1", "to": "P2", "max_hops": 4})
    shortest = [p for p in paths if p.shortest]  # type: ignore[attr-defined]
    assert len(shortest) == 1
    path = shortest[0]
    assert path.length == 3  # type: ignore[attr-defined]
    assert [n.id for n in path.nodes] == ["P1", "C1", "+8613800000001", "P2"]  # type: ignore[attr-defined]
    assert [h.type for h in path.hops] == ["OFFICER_OF", "HAS_PHONE", "HAS_PHONE"]  # type: ignore[attr-defined]
    assert [h.forward for h in path.hops] == [True, True, False]  # type: ignore[attr-defined]
    # the incubator address (63 companies) is never crossed
    assert all(n.id != "HUB" for p in paths for n in p.nodes)  # type: ignore[attr-defined]
    assert run(world, "connection_paths", {"from": "P1", "to": "P2", "max_hops": 2}) == []


def test_shared_identifiers_show_hubs_as_hubs(world: Gateway) -> None:
    rows = run(world, "shared_identifiers", {"id": "C1", "per_identifier": 5})
    by_kind = {r.kind: r for r in rows}  # type: ignore[attr-defined]
    phone, rep, address = by_kind["phone"], by_kind["legal_representative"], by_kind["address"]
    assert (phone.identifier, phone.degree, phone.shared_with) == ("+8613800000002", 2, 1)
    assert [c.id for c in phone.companies] == ["C2"]
    # P1 represents C1 and C2; of E it is only a director: two kinds of tie
    assert (rep.identifier, [c.id for c in rep.companies]) == ("P1", ["C2"])
    officer = by_kind["officer"]
    assert (officer.identifier, [c.id for c in officer.companies], officer.degree) == (
        "P1",
        ["E"],
        3,
    )
    assert (address.degree, address.shared_with, len(address.companies)) == (63, 62, 5)
    assert rows[-1].kind == "address"  # rarest first, the hub last  # type: ignore[attr-defined]


def test_contagion_paths_strongest_first_and_not_through_hubs(world: Gateway) -> None:
    paths = run(world, "contagion_paths", {"id": "C3", "max_hops": 4, "max_degree": 50})
    assert paths[0].source_id == "E"  # type: ignore[attr-defined]
    assert [h.type for h in paths[0].hops] == ["GUARANTEE"]  # type: ignore[attr-defined]
    assert paths[0].strength == pytest.approx(0.7)  # type: ignore[attr-defined]
    assert all(n.id != "HUB" for p in paths for n in p.nodes)  # type: ignore[attr-defined]
    wider = run(world, "contagion_paths", {"id": "C3", "max_degree": 100})
    assert any(n.id == "HUB" for p in wider for n in p.nodes)  # type: ignore[attr-defined]
    assert [p.strength for p in wider] == sorted((p.strength for p in wider), reverse=True)  # type: ignore[attr-defined]


def test_unknown_entities_are_reported(world: Gateway) -> None:
    with pytest.raises(EntityNotFound, match="'NOPE'"):
        run(world, "neighbourhood", {"id": "NOPE"})
    with pytest.raises(EntityNotFound):
        run(world, "connection_paths", {"from": "P1", "to": "NOPE"})


def test_every_investigation_has_a_documented_query() -> None:
    from riskgraph.graph import cypher

    for name in investigate.INVESTIGATIONS:
        assert cypher.load(name).purpose
