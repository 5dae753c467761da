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
    assert set(compose["volumes"]) >= {"neo4j-data", "riskgraph-data"}


def test_the_api_container_writes_only_to_its_volume() -> None:
    """The image runs as nobody: the audit log and the model must live on the mounted,
    nobody-owned volume, or every request's audit line is lost."""
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    api = compose["services"]["api"]
    mounted = {v.split(":")[1] for v in api["volumes"]}
    for variable in ("RISKGRAPH_AUDIT_LOG", "RISKGRAPH_GNN_MODEL"):
        path = Path(api["environment"][variable])
        assert any(path.is_relative_to(m) for m in mounted), variable
    dockerfile = (REPO / "Dockerfile").read_text()
    assert "USER nobody" in dockerfile
    assert any("chown" in line and m in line for line in dockerfile.splitlines() for m in mounted)
