from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from riskgraph.api.app import create_app
from riskgraph.graph.credentials import password_for
from riskgraph.graph.server import free_port
from riskgraph.settings import Settings, get_settings


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str, str], TestClient]]:
    """An app started with NEO4J_URI and NEO4J_PASSWORD set: settings are read at start-up
    (the run watcher starts then), so the environment is set first."""
    started: list[TestClient] = []

    def start(uri: str, password: str) -> TestClient:
        monkeypatch.setenv("NEO4J_URI", uri)
        monkeypatch.setenv("NEO4J_PASSWORD", password)
        get_settings.cache_clear()
        test_client = TestClient(create_app())
        started.append(test_client.__enter__())
        return test_client

    yield start
    for test_client in started:
        test_client.__exit__(None, None, None)
    get_settings.cache_clear()


def test_health_is_liveness_and_says_nothing_of_the_configuration(
    neo4j_settings: Settings, client: Callable[[str, str], TestClient]
) -> None:
    api = client(neo4j_settings.bolt_uri, password_for(neo4j_settings))
    response = api.get("/health")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    ready = api.get("/ready").json()
    assert ready["neo4j"] is True and ready["status"] in ("ready", "loading")
    assert "bolt" not in response.text + str(ready) and "7687" not in response.text


def test_ready_is_503_when_neo4j_is_down(client: Callable[[str, str], TestClient]) -> None:
    uri = f"bolt://127.0.0.1:{free_port()}"
    api = client(uri, "x")
    assert api.get("/health").json() == {"status": "ok"}  # the process lives
    ready = api.get("/ready")
    assert ready.status_code == 503
    body = ready.json()
    assert body["status"] == "unavailable" and body["error"] == "neo4j-unavailable"
    assert body["neo4j"] is False and uri not in ready.text


def test_routes_answer_503_when_neo4j_is_down(neo4j_settings: Settings, tmp_path: Path) -> None:
    """The async risk route and a thread-pool route alike: a clear problem, not a 500."""
    key = "viewer-key-for-the-down-test"
    settings = neo4j_settings.model_copy(
        update={
            "neo4j_uri": f"bolt://127.0.0.1:{free_port()}",
            "api_keys": SecretStr(f"viewer:{key}"),
            "audit_log": tmp_path / "audit.log",
        }
    )
    with TestClient(create_app(settings)) as client:
        for url in ("/companies/X/risk", "/companies/X", "/rings"):
            response = client.get(url, headers={"X-API-Key": key})
            assert response.status_code == 503, (url, response.text)
            assert response.headers["content-type"] == "application/problem+json"
            assert "Neo4j" in response.json()["detail"]
