"""A ``neo4j://`` routing URI (a cluster's, where reads go to followers and writes to the
leader) works for every kind of query the gateway runs: against a single server the
driver fetches the same routing table a cluster gives, with one member in every role."""

from __future__ import annotations

import asyncio

import neo4j
from pydantic import SecretStr

from riskgraph.graph.credentials import password_for
from riskgraph.graph.gateway import Gateway
from riskgraph.graph.migrate import migrate
from riskgraph.settings import Settings


def _routed(settings: Settings) -> Settings:
    uri = settings.bolt_uri.replace("bolt://", "neo4j://", 1)
    assert uri.startswith("neo4j://")
    return settings.model_copy(
        update={"neo4j_uri": uri, "neo4j_password": SecretStr(password_for(settings))}
    )


def test_every_kind_of_query_runs_through_a_routing_uri(
    neo4j_settings: Settings, graph: Gateway
) -> None:
    settings = _routed(neo4j_settings)
    assert not settings.embedded
    with Gateway(settings) as routed:
        assert isinstance(routed._driver, neo4j.Neo4jDriver)  # routing, not a direct Bolt driver
        migrate(routed)  # schema statements: auto-commit, to the leader
        routed.write("id_key_record", fingerprint="routing-test")  # managed write
        assert routed.read("id_key_state")[0]["fingerprint"] == "routing-test"  # routed read
        rows = routed.read_consistent([("label_counts", {"labels": ["Company"]})])
        assert rows == [[{"label": "Company", "count": 0}]]

        async def read_async() -> list[dict[str, object]]:
            routed.open_async(asyncio.get_running_loop())
            try:
                return await routed.read_async("id_key_state")
            finally:
                await routed.aclose()

        assert asyncio.run(read_async())[0]["fingerprint"] == "routing-test"
