"""The timeline query on a small graph whose answer is known by construction."""

from __future__ import annotations

from datetime import date
from typing import Any

import neo4j
import pytest

from riskgraph.graph.gateway import Gateway

# Company C: held by person P since 2019-03-01 (0.6) and by person Q since 2023-06-01
# (0.4); P is its legal representative since 2019-03-01; C guarantees D. D had a court
# judgment on 2021-05-10; C an administrative penalty on 2022-01-15 and an undated
# abnormal-operation listing. P also holds E (no date) — E is two hops from C, so its
# events never show in C's timeline, but P's holding of E does (P is a neighbour).
GRAPH = """
CREATE (c:Company {id: 'C', name: '丙公司'}),
       (d:Company {id: 'D', name: '丁公司'}),
       (e:Company {id: 'E', name: '戊公司'}),
       (p:Person {id: 'P', name: '张三'}),
       (q:Person {id: 'Q', name: '李四'}),
       (p)-[:HOLDS {share: 0.6, amount: 600000.0, since: date('2019-03-01')}]->(c),
       (q)-[:HOLDS {share: 0.4, since: date('2023-06-01')}]->(c),
       (p)-[:OFFICER_OF {role: 'legal_representative', since: date('2019-03-01')}]->(c),
       (p)-[:HOLDS {share: 1.0}]->(e),
       (c)-[:GUARANTEE {amount: 5000000.0}]->(d),
       (c)-[:HAS_EVENT]->(:Event {id: 'ev1', type: 'penalty', date: date('2022-01-15'),
                                  severity: 2, description: '行政处罚'}),
       (c)-[:HAS_EVENT]->(:Event {id: 'ev2', type: 'abnormal', severity: 1}),
       (d)-[:HAS_EVENT]->(:Event {id: 'ev3', type: 'judgment', date: date('2021-05-10'),
                                  severity: 3, description: '判决'}),
       (e)-[:HAS_EVENT]->(:Event {id: 'ev4', type: 'penalty', date: date('2020-01-01')})
"""


def timeline(
    graph: Gateway, entity: str, as_of: date | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    return graph.read("timeline", id=entity, as_of=as_of, limit=limit)


def brief(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(r["date"], r["kind"], r["subject_id"], r["object_id"], r["is_self"]) for r in rows]


def test_company_timeline_in_date_order(graph: Gateway, driver: neo4j.Driver) -> None:
    driver.execute_query(GRAPH)
    rows = timeline(graph, "C")
    assert brief(rows) == [
        (date(2019, 3, 1), "holding", "P", "C", True),
        (date(2019, 3, 1), "office", "P", "C", True),
        (date(2021, 5, 10), "event", "D", "ev3", False),
        (date(2022, 1, 15), "event", "C", "ev1", True),
        (date(2023, 6, 1), "holding", "Q", "C", True),
        (None, "event", "C", "ev2", True),
        (None, "holding", "P", "E", False),
    ]
    by_object = {r["object_id"]: r for r in rows if r["kind"] == "event"}
    assert by_object["ev1"]["subject_name"] == "丙公司"
    assert by_object["ev1"]["object_name"] == "penalty"
    assert by_object["ev1"]["detail"] == {
        "type": "penalty",
        "severity": 2,
        "description": "行政处罚",
    }
    assert by_object["ev3"]["subject_name"] == "丁公司"
    first = rows[0]
    assert (first["subject_name"], first["object_name"]) == ("张三", "丙公司")
    assert first["detail"] == {"share": pytest.approx(0.6), "amount": pytest.approx(600000.0)}
    assert rows[1]["detail"] == {"role": "legal_representative"}


def test_as_of_hides_later_holdings_and_events(graph: Gateway, driver: neo4j.Driver) -> None:
    driver.execute_query(GRAPH)
    rows = timeline(graph, "C", as_of=date(2021, 12, 31))
    assert brief(rows) == [
        (date(2019, 3, 1), "holding", "P", "C", True),
        (date(2019, 3, 1), "office", "P", "C", True),
        (date(2021, 5, 10), "event", "D", "ev3", False),
        (None, "event", "C", "ev2", True),
        (None, "holding", "P", "E", False),
    ]
    # The cut-off day itself is included.
    on_the_day = timeline(graph, "C", as_of=date(2022, 1, 15))
    assert "ev1" in {r["object_id"] for r in on_the_day}
    assert "Q" not in {r["subject_id"] for r in on_the_day}


def test_person_timeline_reaches_its_companies(graph: Gateway, driver: neo4j.Driver) -> None:
    driver.execute_query(GRAPH)
    rows = timeline(graph, "P", as_of=date(2022, 6, 30))
    assert brief(rows) == [
        (date(2019, 3, 1), "holding", "P", "C", True),
        (date(2019, 3, 1), "office", "P", "C", True),
        (date(2020, 1, 1), "event", "E", "ev4", False),
        (date(2022, 1, 15), "event", "C", "ev1", False),
        (None, "holding", "P", "E", True),
        (None, "event", "C", "ev2", False),
    ]


def test_limit_and_unknown_id(graph: Gateway, driver: neo4j.Driver) -> None:
    driver.execute_query(GRAPH)
    assert brief(timeline(graph, "C", limit=2)) == brief(timeline(graph, "C"))[:2]
    assert timeline(graph, "nobody") == []
