from __future__ import annotations

import neo4j
import pytest
from neo4j.exceptions import ConstraintError

from riskgraph.graph import schema
from riskgraph.graph.gateway import Gateway
from riskgraph.graph.migrate import migrate, statements


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
