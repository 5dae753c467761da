"""Neo4j stopped and started again under a running API: clear 503 problems while it is
away, then answers again, without restarting the API."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx2 as httpx
import neo4j
import pytest
from pydantic import SecretStr

from riskgraph.api.app import create_app
from riskgraph.graph.credentials import password_for
from riskgraph.graph.gateway import Gateway
from riskgraph.graph.migrate import migrate
from riskgraph.graph.server import EmbeddedServer
from riskgraph.settings import Settings
from tests.adversarial.conftest import KEYS, headers
from tests.conftest import make_settings
from tests.live import served


@pytest.fixture
def own_server(
    neo4j_settings: Settings, tmp_path: Path
) -> Iterator[tuple[EmbeddedServer, Settings]]:
    """A Neo4j of this test's own, to stop and start (the session's must stay up)."""
    settings = make_settings(
        tmp_path / "neo4j",
        api_keys=SecretStr(f"viewer:{KEYS['viewer']}"),
        audit_log=tmp_path / "audit.log",
        run_poll_s=3600.0,
    )
    server = EmbeddedServer(settings)
    server.start()
    try:
        with Gateway(settings) as graph:
            migrate(graph)
        auth = (settings.neo4j_user, password_for(settings))
        with neo4j.GraphDatabase.driver(settings.bolt_uri, auth=auth) as driver:
            driver.execute_query("CREATE (:Company {id: 'C1', name: '重启测试有限公司'})")
        yield server, settings
    finally:
        server.stop()


def _until(check: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.5)
    return False


def test_neo4j_restarted_under_the_api(own_server: tuple[EmbeddedServer, Settings]) -> None:
    server, settings = own_server
    with served(create_app(settings)) as base, httpx.Client(base_url=base, timeout=60) as client:

        def company() -> httpx.Response:
            return client.get("/companies/C1", headers=headers("viewer"))

        assert company().status_code == 200
        server.stop()
        away = company()
        assert away.status_code == 503, away.text
        assert away.headers["content-type"] == "application/problem+json"
        assert _until(lambda: client.get("/ready").json()["error"] == "neo4j-unavailable", 10)
        assert client.get("/health").status_code == 200
        server.start()
        assert _until(lambda: company().status_code == 200, 60)
        assert _until(lambda: client.get("/ready").json()["neo4j"] is True, 10)
