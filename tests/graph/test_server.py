"""The embedded Neo4j's lifecycle, on servers of their own (not the session server)."""

from __future__ import annotations

import socket
from pathlib import Path

import neo4j
import pytest

from riskgraph.errors import ConfigError
from riskgraph.graph.credentials import password_for
from riskgraph.graph.server import EmbeddedServer
from tests.conftest import make_settings

pytestmark = pytest.mark.db  # servers of their own, started with Java


def _driver(server: EmbeddedServer) -> neo4j.Driver:
    auth = (server.settings.neo4j_user, password_for(server.settings))
    return neo4j.GraphDatabase.driver(server.uri, auth=auth)


def test_lifecycle_start_twice_stop_restart_keeps_data(tmp_path: Path) -> None:
    server = EmbeddedServer(make_settings(tmp_path / "db"))
    status, started = server.start()
    try:
        assert started and status.running and status.pid is not None
        assert status.version is not None and status.version.startswith("5.26")
        assert status.edition == "community"
        with _driver(server) as driver:
            assert driver.execute_query("RETURN 1 AS one").records[0]["one"] == 1
            driver.execute_query("CREATE (:Probe {name: $name})", name="survives restarts")

        again, started_again = server.start()
        assert not started_again
        assert again.pid == status.pid  # no second server

        assert server.stop() is True
        assert not server.status().running
        assert server.stop() is False  # nothing running: says so, no error

        restarted, started = server.start()
        assert started and restarted.pid != status.pid
        with _driver(server) as driver:
            names = driver.execute_query("MATCH (p:Probe) RETURN p.name AS name").records
            assert [r["name"] for r in names] == ["survives restarts"]
    finally:
        server.stop()


def test_port_taken_by_another_process_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        server = EmbeddedServer(make_settings(tmp_path / "db", neo4j_port=port))
        with pytest.raises(ConfigError, match=rf"port {port} on 127.0.0.1 is already in use"):
            server.start()
    assert server.pid() is None


def test_external_uri_starts_nothing(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, neo4j_uri="bolt://127.0.0.1:1")
    with pytest.raises(ConfigError, match="NEO4J_URI is set"):
        EmbeddedServer(settings)


def test_embedded_password_is_random_private_and_stable(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    first = password_for(settings)
    assert len(first) >= 24 and first == password_for(settings)
    assert (tmp_path / "auth" / "password").stat().st_mode & 0o077 == 0
    assert password_for(make_settings(tmp_path / "other")) != first
