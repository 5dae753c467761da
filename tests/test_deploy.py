"""The production path (docker compose) is written for users; here we check it is sound."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]


def test_compose_names_neo4j_and_the_api() -> None:
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    services = compose["services"]
    assert services["neo4j"]["image"] == "neo4j:5.26-community"
    assert "NEO4J_AUTH_FILE=/run/secrets/neo4j_auth" in services["neo4j"]["environment"]
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


def _compose() -> dict[str, Any]:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())  # type: ignore[no-any-return]


def test_secrets_come_from_files_not_the_environment() -> None:
    compose = _compose()
    neo4j, api = compose["services"]["neo4j"], compose["services"]["api"]
    declared = compose["secrets"]
    assert set(declared) == {"neo4j_auth", "neo4j_password", "api_keys"}
    assert all(set(entry) == {"file"} for entry in declared.values())
    assert neo4j["secrets"] == ["neo4j_auth"]
    assert set(api["secrets"]) == {"neo4j_password", "api_keys"}
    assert api["environment"]["NEO4J_PASSWORD_FILE"] == "/run/secrets/neo4j_password"
    assert api["environment"]["RISKGRAPH_API_KEYS_FILE"] == "/run/secrets/api_keys"
    everything = yaml.safe_dump(compose)
    for variable in ("NEO4J_AUTH=", "NEO4J_PASSWORD:", "RISKGRAPH_API_KEYS:", "${NEO4J_PASSWORD"):
        assert variable not in everything, variable
    # the health check reads the secret file too, and keeps the password off the command line
    check = " ".join(neo4j["healthcheck"]["test"])
    assert "/run/secrets/neo4j_auth" in check and " -p " not in check


def test_neo4j_limits_and_apoc_allowlist() -> None:
    environment = _compose()["services"]["neo4j"]["environment"]
    settings = dict(entry.split("=", 1) for entry in environment)
    assert settings["NEO4J_db_transaction_timeout"] == "${NEO4J_TX_TIMEOUT:-600s}"
    assert settings["NEO4J_db_memory_transaction_max"] == "${NEO4J_TX_MEMORY:-2g}"
    assert settings["NEO4J_dbms_security_procedures_allowlist"] == "apoc.version"
    assert "NEO4J_dbms_security_procedures_unrestricted" not in settings


def test_the_api_container_checks_ready() -> None:
    api = _compose()["services"]["api"]
    test = api["healthcheck"]["test"]
    assert test[0] == "CMD" and "http://127.0.0.1:8000/ready" in " ".join(test)
    # the slim image has Python but no curl
    assert test[1] == "python" and "FROM python:" in (REPO / "Dockerfile").read_text()
