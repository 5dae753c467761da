from __future__ import annotations

import asyncio
import time
from pathlib import Path

import neo4j
import pytest
from neo4j.exceptions import ClientError, TransientError
from pydantic import SecretStr

from riskgraph.errors import (
    ConfigError,
    Neo4jUnavailable,
    QueryFailed,
    QueryNotFound,
    QueryTimeout,
)
from riskgraph.graph import cypher
from riskgraph.graph.gateway import Gateway, retrying
from riskgraph.graph.server import free_port
from riskgraph.settings import Settings
from tests.conftest import make_settings


def test_named_query_with_parameters(graph: Gateway, driver: neo4j.Driver) -> None:
    driver.execute_query("CREATE (:Company {id: 'A'}), (:Company {id: 'B'}), (:Person {id: 'P'})")
    rows = graph.read("label_counts", labels=["Company", "Person", "Phone"])
    assert {r["label"]: r["count"] for r in rows} == {"Company": 2, "Person": 1, "Phone": 0}


def test_server_info(graph: Gateway, driver: neo4j.Driver) -> None:
    driver.execute_query("CREATE (:Company {id: 'A'})-[:HOLDS]->(:Company {id: 'B'})")
    info = graph.read("server_info")[0]
    assert info["version"].startswith("5.26")
    assert (info["nodes"], info["relationships"]) == (2, 1)


def test_unknown_query_name(graph: Gateway) -> None:
    with pytest.raises(QueryNotFound):
        graph.read("no_such_query")
    with pytest.raises(QueryNotFound):
        graph.read("../etc/passwd")


def test_failing_query_names_itself(graph: Gateway) -> None:
    with pytest.raises(QueryFailed, match=r"'await_indexes'.*timeout_s"):
        graph.read("await_indexes", timeout_s="not a number")


def test_async_reads_match_sync_reads_in_and_out_of_the_opened_loop(
    graph: Gateway, driver: neo4j.Driver
) -> None:
    """In the loop given to open_async the async driver answers; in another loop the sync
    driver does (in a thread); both give read's rows, and failures name the query."""
    driver.execute_query("CREATE (:Company {id: 'A'}), (:Company {id: 'B'}), (:Person {id: 'P'})")
    expected = graph.read("label_counts", labels=["Company", "Person"])

    async def served() -> tuple[list[dict[str, object]], bool]:
        graph.open_async(asyncio.get_running_loop())
        try:
            rows = await graph.read_async("label_counts", labels=["Company", "Person"])
            with pytest.raises(QueryFailed, match="await_indexes"):
                await graph.read_async("await_indexes", timeout_s="not a number")
            return rows, graph._async is not None
        finally:
            await graph.aclose()

    async def elsewhere() -> list[dict[str, object]]:
        return await graph.read_async("label_counts", labels=["Company", "Person"])

    rows, opened = asyncio.run(served())
    assert opened and rows == expected
    assert asyncio.run(elsewhere()) == expected  # no async driver for this loop: sync path
    assert graph._async is None


def test_nothing_listening_gives_one_clear_error(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, neo4j_port=free_port())
    with pytest.raises(Neo4jUnavailable) as info:
        Gateway(settings)
    assert str(info.value) == (
        f"Neo4j is not running at {settings.bolt_uri}: start it with `riskgraph db start`"
    )


def test_wrong_password_is_a_config_error(neo4j_settings: Settings) -> None:
    wrong = neo4j_settings.model_copy(update={"neo4j_password": SecretStr("not-the-password")})
    with pytest.raises(ConfigError, match="NEO4J_PASSWORD"):
        Gateway(wrong)


def test_retrying_retries_only_retryable_errors() -> None:
    calls: list[int] = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise TransientError("deadlock")
        return "done"

    assert retrying(flaky, first_delay_s=0.0) == "done"
    assert len(calls) == 3

    calls.clear()

    def broken() -> str:
        calls.append(1)
        raise ClientError("syntax error")

    with pytest.raises(ClientError):
        retrying(broken, first_delay_s=0.0)
    assert len(calls) == 1


def test_retrying_gives_up_after_the_last_attempt() -> None:
    calls: list[int] = []

    def always() -> None:
        calls.append(1)
        raise TransientError("still locked")

    with pytest.raises(TransientError):
        retrying(always, attempts=4, first_delay_s=0.0)
    assert len(calls) == 4


SLOW = "UNWIND range(1, 400000000) AS x WITH x WHERE x < 0 RETURN count(x) AS n"


def test_a_query_past_its_timeout_is_ended_by_neo4j(
    graph: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The header's timeout reaches the server: the transaction is ended there (the
    database and the caller's thread are free again), and the error names the query."""
    slow = cypher.NamedQuery("slow", SLOW, "p", "none", "n", timeout_s=0.5)
    real = cypher.load
    monkeypatch.setattr(cypher, "load", lambda name: slow if name == "slow" else real(name))
    started = time.perf_counter()
    with pytest.raises(QueryTimeout, match="'slow'"):
        graph.read("slow")
    assert time.perf_counter() - started < 20  # far below the query's own minutes
    with pytest.raises(QueryTimeout):
        asyncio.run(graph.read_async("slow"))
    with pytest.raises(QueryTimeout):
        graph.read_consistent([("slow", {})])
