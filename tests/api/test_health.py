from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from riskgraph.api.app import create_app
from riskgraph.graph.credentials import password_for
from riskgraph.graph.server import free_port
from riskgraph.settings import Settings, get_settings


@pytest.fixture
def client() -> Iterator[TestClient]:
    get_settings.cache_clear()
    with TestClient(create_app()) as test_client:
        yield test_client
    get_settings.cache_clear()


def test_health_reports_the_server(
    neo4j_settings: Settings, monkeypatch: pytest.MonkeyPatch, client: TestClient
) -> None:
    monkeypatch.setenv("NEO4J_URI", neo4j_settings.bolt_uri)
    monkeypatch.setenv("NEO4J_PASSWORD", password_for(neo4j_settings))
    body = client.get("/health").json()
    assert body["status"] == "ok" and body["neo4j_version"].startswith("5.26")


def test_health_degraded_when_neo4j_is_down(
    monkeypatch: pytest.MonkeyPatch, client: TestClient
) -> None:
    uri = f"bolt://127.0.0.1:{free_port()}"
    monkeypatch.setenv("NEO4J_URI", uri)
    monkeypatch.setenv("NEO4J_PASSWORD", "x")
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "neo4j_uri": uri, "neo4j_version": None}


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
