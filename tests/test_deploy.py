"""The production path (docker compose) is written for users; here we check it is sound."""

from __future__ import annotations

from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]


def test_compose_names_neo4j_and_the_api() -> None:
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    services = compose["services"]
    assert services["neo4j"]["image"] == "neo4j:5.26-community"
    assert any("NEO4J_AUTH" in str(env) for env in services["neo4j"]["environment"])
    assert services["api"]["build"]["dockerfile"] == "Dockerfile"
    assert (REPO / services["api"]["build"]["context"] / "Dockerfile").is_file()
    api_env = services["api"]["environment"]
    assert api_env["NEO4J_URI"] == "bolt://neo4j:7687"
    assert "neo4j" in services["api"]["depends_on"]
    assert set(compose["volumes"]) >= {"neo4j-data"}
