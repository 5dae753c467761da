"""equity_penetration, controlled_by and circular_holdings on small graphs whose answers
are known by construction."""

from __future__ import annotations

from datetime import date
from typing import Any

import neo4j
import pytest

from riskgraph.graph.gateway import Gateway

# P holds A 0.6, A holds T 0.5, P holds T 0.4: P owns T through two chains,
# 0.6 × 0.5 + 0.4 = 0.7; A owns T 0.5 through one.
TWO_CHAINS = """
CREATE (p:Person {id: 'P', name: '张三'}),
       (a:Company {id: 'A', name: '甲公司'}),
       (t:Company {id: 'T', name: '目标公司'}),
       (p)-[:HOLDS {share: 0.6}]->(a),
       (a)-[:HOLDS {share: 0.5}]->(t),
       (p)-[:HOLDS {share: 0.4}]->(t)
"""


def penetrate(graph: Gateway, company: str, threshold: float = 0.25) -> dict[str, Any]:
    rows = graph.read(
        "equity_penetration", id=company, threshold=threshold, max_chains=5, as_of=date.today()
    )
    return {row["holder_id"]: row for row in rows}


def owned(graph: Gateway, holder: str, threshold: float = 0.25) -> dict[str, Any]:
    rows = graph.read(
        "controlled_by", id=holder, threshold=threshold, max_chains=5, as_of=date.today()
    )
    return {row["company_id"]: row for row in rows}


def cycles(graph: Gateway, company: str | None = None, max_length: int = 6) -> list[Any]:
    return graph.read("circular_holdings", id=company, max_length=max_length, as_of=date.today())


def test_penetration_sums_products_over_two_chains(graph: Gateway, driver: neo4j.Driver) -> None:
    driver.execute_query(TWO_CHAINS)
    rows = graph.read(
        "equity_penetration", id="T", threshold=0.25, max_chains=5, as_of=date.today()
    )
    assert [r["holder_id"] for r in rows] == ["P", "A"]
    person, company = rows
    assert person["effective_share"] == pytest.approx(0.7)
    assert person["chains"] == 2
    assert (person["holder_label"], person["holder_name"], person["ultimate"]) == (
        "Person",
        "张三",
        True,
    )
    assert person["paths"] == [
        [
            {"id": "P", "name": "张三", "share": pytest.approx(0.4)},
            {"id": "T", "name": "目标公司", "share": None},
        ],
        [
            {"id": "P", "name": "张三", "share": pytest.approx(0.6)},
            {"id": "A", "name": "甲公司", "share": pytest.approx(0.5)},
            {"id": "T", "name": "目标公司", "share": None},
        ],
    ]
    assert company["effective_share"] == pytest.approx(0.5)
    assert company["chains"] == 1
    assert (company["holder_label"], company["holder_name"], company["ultimate"]) == (
        "Company",
        "甲公司",
        False,
    )
    assert company["paths"] == [
        [
            {"id": "A", "name": "甲公司", "share": pytest.approx(0.5)},
            {"id": "T", "name": "目标公司", "share": None},
        ]
    ]


def test_max_chains_keeps_the_strongest(graph: Gateway, driver: neo4j.Driver) -> None:
    driver.execute_query(TWO_CHAINS)
    (person, _) = graph.read(
        "equity_penetration", id="T", threshold=0.25, max_chains=1, as_of=date.today()
    )
    assert person["chains"] == 2
    assert [[hop["id"] for hop in path] for path in person["paths"]] == [["P", "T"]]


def test_threshold_filters_small_holders(graph: Gateway, driver: neo4j.Driver) -> None:
    driver.execute_query(
        """
        CREATE (t:Company {id: 'T'}),
               (:Person {id: 'BIG'})-[:HOLDS {share: 0.9}]->(t),
               (:Person {id: 'SMALL'})-[:HOLDS {share: 0.1}]->(t)
        """
    )
    assert set(penetrate(graph, "T", 0.25)) == {"BIG"}
    at_five = penetrate(graph, "T", 0.05)
    assert set(at_five) == {"BIG", "SMALL"}
    assert at_five["SMALL"]["effective_share"] == pytest.approx(0.1)
    assert set(owned(graph, "SMALL", 0.25)) == set()
    assert owned(graph, "SMALL", 0.05)["T"]["effective_share"] == pytest.approx(0.1)


# A → B → C → A is a cycle (each holds the next 0.5); outsider O holds A 0.8; C also
# holds target T 0.6. Simple chains to T: C→T, B→C→T, A→B→C→T, O→A→B→C→T — the loop is
# never walked twice.
CIRCLE = """
CREATE (a:Company {id: 'A', name: 'A公司'}),
       (b:Company {id: 'B', name: 'B公司'}),
       (c:Company {id: 'C', name: 'C公司'}),
       (t:Company {id: 'T', name: 'T公司'}),
       (o:Person {id: 'O', name: '外部人'}),
       (a)-[:HOLDS {share: 0.5}]->(b),
       (b)-[:HOLDS {share: 0.5}]->(c),
       (c)-[:HOLDS {share: 0.5}]->(a),
       (o)-[:HOLDS {share: 0.8}]->(a),
       (c)-[:HOLDS {share: 0.6}]->(t)
"""


def test_circular_holding_terminates_without_double_counting(
    graph: Gateway, driver: neo4j.Driver
) -> None:
    driver.execute_query(CIRCLE)
    holders = penetrate(graph, "T", 0.0)
    assert {h: (r["effective_share"], r["chains"]) for h, r in holders.items()} == {
        "C": (pytest.approx(0.6), 1),
        "B": (pytest.approx(0.3), 1),
        "A": (pytest.approx(0.15), 1),
        "O": (pytest.approx(0.12), 1),
    }
    assert [hop["id"] for hop in holders["O"]["paths"][0]] == ["O", "A", "B", "C", "T"]
    assert holders["O"]["ultimate"] is True
    assert not any(holders[h]["ultimate"] for h in "ABC")

    # Inside the cycle: A's holders are C (0.5), B (0.25 via C), and O (0.8 direct);
    # A never holds itself.
    of_a = penetrate(graph, "A", 0.0)
    assert {h: r["effective_share"] for h, r in of_a.items()} == {
        "O": pytest.approx(0.8),
        "C": pytest.approx(0.5),
        "B": pytest.approx(0.25),
    }
    assert list(penetrate(graph, "A", 0.25)) == ["O", "C", "B"]


def test_holding_without_share_contributes_zero(graph: Gateway, driver: neo4j.Driver) -> None:
    # P holds A with no share recorded, A holds T 0.5, P holds T 0.3 directly.
    driver.execute_query(
        """
        CREATE (p:Person {id: 'P'}), (a:Company {id: 'A'}), (t:Company {id: 'T'}),
               (p)-[:HOLDS {amount: 1000000.0}]->(a),
               (a)-[:HOLDS {share: 0.5}]->(t),
               (p)-[:HOLDS {share: 0.3}]->(t)
        """
    )
    holders = penetrate(graph, "T", 0.0)
    assert holders["P"]["effective_share"] == pytest.approx(0.3)
    assert holders["P"]["chains"] == 2
    # The zero chain is listed last, with its missing share shown as null.
    assert [[hop["share"] for hop in path] for path in holders["P"]["paths"]] == [
        [pytest.approx(0.3), None],
        [None, pytest.approx(0.5), None],
    ]
    assert penetrate(graph, "A", 0.0)["P"]["effective_share"] == 0.0
    assert "P" not in penetrate(graph, "A", 0.25)


def test_controlled_by_mirrors_penetration(graph: Gateway, driver: neo4j.Driver) -> None:
    driver.execute_query(TWO_CHAINS)
    of_p = owned(graph, "P")
    assert list(of_p) == ["T", "A"]
    assert of_p["T"]["effective_share"] == pytest.approx(0.7)
    assert of_p["T"]["chains"] == 2
    assert of_p["T"]["company_name"] == "目标公司"
    assert of_p["T"]["paths"] == penetrate(graph, "T")["P"]["paths"]
    assert of_p["A"]["effective_share"] == pytest.approx(0.6)
    assert of_p["A"]["chains"] == 1
    assert of_p["A"]["paths"] == [
        [
            {"id": "P", "name": "张三", "share": pytest.approx(0.6)},
            {"id": "A", "name": "甲公司", "share": None},
        ]
    ]
    # A company as the holder, and one that owns nothing.
    assert {c: r["effective_share"] for c, r in owned(graph, "A").items()} == {
        "T": pytest.approx(0.5)
    }
    assert owned(graph, "T") == {}
    assert owned(graph, "nobody") == {}


def test_controlled_by_through_a_cycle(graph: Gateway, driver: neo4j.Driver) -> None:
    driver.execute_query(CIRCLE)
    of_o = owned(graph, "O", 0.0)
    assert {c: (r["effective_share"], r["chains"]) for c, r in of_o.items()} == {
        "A": (pytest.approx(0.8), 1),
        "B": (pytest.approx(0.4), 1),
        "C": (pytest.approx(0.2), 1),
        "T": (pytest.approx(0.12), 1),
    }
    # A owns B and C through the ring but never itself.
    assert set(owned(graph, "A", 0.0)) == {"B", "C", "T"}


def test_three_cycle_found_once(graph: Gateway, driver: neo4j.Driver) -> None:
    driver.execute_query(CIRCLE)
    expected = {
        "cycle": ["A", "B", "C"],
        "names": ["A公司", "B公司", "C公司"],
        "length": 3,
        "shares": [pytest.approx(0.5)] * 3,
    }
    assert cycles(graph) == [expected]
    # Restricted to a member it is the same cycle, still anchored at its smallest id.
    assert cycles(graph, "C") == [expected]
    assert cycles(graph, "T") == []
    assert cycles(graph, "A", max_length=2) == []


def test_two_cycle_once_and_none_when_acyclic(graph: Gateway, driver: neo4j.Driver) -> None:
    driver.execute_query(TWO_CHAINS)
    assert cycles(graph) == []
    assert cycles(graph, "T") == []
    # Now add X ⇄ Y, with two tranches on one side: still one cycle, tranches summed.
    driver.execute_query(
        """
        CREATE (x:Company {id: 'X', name: 'X公司'}), (y:Company {id: 'Y', name: 'Y公司'}),
               (y)-[:HOLDS {share: 0.2}]->(x),
               (y)-[:HOLDS {share: 0.1}]->(x),
               (x)-[:HOLDS]->(y)
        """
    )
    expected = {"cycle": ["X", "Y"], "names": ["X公司", "Y公司"], "length": 2}
    rows = cycles(graph)
    assert len(rows) == 1
    assert {k: rows[0][k] for k in expected} == expected
    assert rows[0]["shares"] == [None, pytest.approx(0.3)]
    assert cycles(graph, "Y") == rows
    assert cycles(graph, "A") == []


def test_cycles_ordered_by_length_then_ids(graph: Gateway, driver: neo4j.Driver) -> None:
    # A 2-cycle Q ⇄ R and two 3-cycles sharing R: R → S → T → R and M → N → R → M.
    driver.execute_query(
        """
        CREATE (q:Company {id: 'Q'}), (r:Company {id: 'R'}), (s:Company {id: 'S'}),
               (t:Company {id: 'T'}), (m:Company {id: 'M'}), (n:Company {id: 'N'}),
               (q)-[:HOLDS {share: 0.1}]->(r), (r)-[:HOLDS {share: 0.2}]->(q),
               (r)-[:HOLDS {share: 0.3}]->(s), (s)-[:HOLDS {share: 0.4}]->(t),
               (t)-[:HOLDS {share: 0.5}]->(r),
               (m)-[:HOLDS {share: 0.6}]->(n), (n)-[:HOLDS {share: 0.7}]->(r),
               (r)-[:HOLDS {share: 0.8}]->(m)
        """
    )
    every = [(row["cycle"], row["length"]) for row in cycles(graph)]
    assert every == [(["Q", "R"], 2), (["M", "N", "R"], 3), (["R", "S", "T"], 3)]
    assert [row["cycle"] for row in cycles(graph, "R")] == [c for c, _ in every]
    assert [row["cycle"] for row in cycles(graph, "S")] == [["R", "S", "T"]]
    assert [row["cycle"] for row in cycles(graph, "R", max_length=2)] == [["Q", "R"]]
    assert cycles(graph, "M")[0]["shares"] == [
        pytest.approx(0.6),
        pytest.approx(0.7),
        pytest.approx(0.8),
    ]


def test_self_holding_is_a_cycle_of_one(graph: Gateway, driver: neo4j.Driver) -> None:
    # K holds 5% of itself (treasury shares) and sits in a 2-cycle with L.
    driver.execute_query(
        """
        CREATE (k:Company {id: 'K'}), (l:Company {id: 'L'}),
               (k)-[:HOLDS {share: 0.05}]->(k),
               (k)-[:HOLDS {share: 0.3}]->(l), (l)-[:HOLDS {share: 0.4}]->(k)
        """
    )
    rows = cycles(graph)
    assert [(r["cycle"], r["shares"]) for r in rows] == [
        (["K"], [pytest.approx(0.05)]),
        (["K", "L"], [pytest.approx(0.3), pytest.approx(0.4)]),
    ]
    assert cycles(graph, "L") == rows[1:]
    # The self-holding is no chain: K is not its own holder.
    assert set(penetrate(graph, "K", 0.0)) == {"L"}
    assert penetrate(graph, "K", 0.0)["L"]["effective_share"] == pytest.approx(0.4)
