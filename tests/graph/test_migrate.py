from __future__ import annotations

import neo4j
import pytest
from neo4j.exceptions import ConstraintError

from riskgraph.graph import schema
from riskgraph.graph.gateway import Gateway
from riskgraph.graph.migrate import fill_search_forms, migrate, statements


def test_show_constraints_lists_the_schema_constraints(graph: Gateway) -> None:
    rows = graph.read("show_constraints")
    unique = [r for r in rows if r["type"] == "UNIQUENESS"]
    found = {(tuple(r["labels"]), tuple(r["properties"])) for r in unique}
    for node in schema.NODES:
        assert ((node.label,), (node.key,)) in found


def test_migrate_is_idempotent(graph: Gateway) -> None:
    report = migrate(graph)  # the session fixture migrated already
    assert report.created == ()
    assert set(report.existing) == {s.name for s in statements()}
    online = {r["name"]: r["state"] for r in graph.read("show_indexes")}
    assert all(online[s.name] == "ONLINE" for s in statements() if s.kind == "index")


def test_uniqueness_is_enforced(graph: Gateway, driver: neo4j.Driver) -> None:
    driver.execute_query("CREATE (:Company {id: 'C1', uscc: '91330000MA27U1234X'})")
    with pytest.raises(ConstraintError):
        driver.execute_query("CREATE (:Company {id: 'C1'})")
    with pytest.raises(ConstraintError):
        driver.execute_query("CREATE (:Company {id: 'C2', uscc: '91330000MA27U1234X'})")


def test_stale_schema_is_listed_and_dropped_only_with_prune(
    graph: Gateway, driver: neo4j.Driver
) -> None:
    """An index and a constraint named like ours but no longer declared (as after an
    upgrade) are reported, left alone, then dropped by prune; a user's own, named
    otherwise, is never touched."""
    driver.execute_query("CREATE INDEX company_old_flag IF NOT EXISTS FOR (n:Company) ON (n.old)")
    driver.execute_query(
        "CREATE CONSTRAINT person_old_code_unique IF NOT EXISTS "
        "FOR (n:Person) REQUIRE n.old_code IS UNIQUE"
    )
    driver.execute_query("CREATE INDEX mine IF NOT EXISTS FOR (n:Company) ON (n.mine)")
    try:
        report = migrate(graph)
        assert set(report.stale) == {"company_old_flag", "person_old_code_unique"}
        assert report.dropped == ()
        assert {"company_old_flag", "person_old_code_unique", "mine"} <= _names(graph)
        pruned = migrate(graph, prune=True)
        assert set(pruned.dropped) == {"company_old_flag", "person_old_code_unique"}
        assert pruned.stale == () and pruned.created == ()
        names = _names(graph)
        assert "mine" in names and not {"company_old_flag", "person_old_code_unique"} & names
        assert {s.name for s in statements()} <= names
    finally:
        driver.execute_query("DROP INDEX mine IF EXISTS")
        driver.execute_query("DROP INDEX company_old_flag IF EXISTS")
        driver.execute_query("DROP CONSTRAINT person_old_code_unique IF EXISTS")


def _names(graph: Gateway) -> set[str]:
    rows = graph.read("show_indexes") + graph.read("show_constraints")
    return {str(r["name"]) for r in rows}


def test_a_graph_loaded_before_search_gets_its_names_search_forms(
    graph: Gateway, driver: neo4j.Driver
) -> None:
    """Nodes written without search forms (an older ingest) get them from the backfill
    that migrate runs when it creates the search indexes; the cjk index then finds them."""
    driver.execute_query(
        "CREATE (:Company {id: 'C1', name: '臺灣發展銀行股份有限公司'}),"
        " (:Company {id: 'C2', name: '杭州金鑫科技有限公司', search_name: 'kept'}),"
        " (:Person {id: 'P1', name: '王偉'}), (:Company {id: 'C3'})"
    )
    assert fill_search_forms(graph, batch=1) == 2  # C1 and P1, one of each label a batch
    rows = graph.read_raw("search_names", lucene='"发展"', initials=None, limit=5)
    assert [(r["label"], r["id"]) for r in rows] == [("Company", "C1")]
    records, _, _ = driver.execute_query(
        "MATCH (n) RETURN n.id AS id, n.search_name AS form, n.name_initials AS initials"
        " ORDER BY id"
    )
    assert [(r["id"], r["form"], r["initials"]) for r in records] == [
        ("C1", "台湾发展银行", "twfzyx"),
        ("C2", "kept", None),  # forms already there are not recomputed
        ("C3", None, None),  # no name, no forms
        ("P1", "王伟", "ww"),
    ]
    assert fill_search_forms(graph) == 0
