"""Shared fixtures: one real Neo4j for the whole test session, started by riskgraph itself.

The server runs in a temporary directory on a free port and is stopped at the end; tests
that need an empty graph use ``graph`` (which wipes it first). It starts only when the first
test that needs it runs (``neo4j_settings`` is a session fixture that no autouse fixture
requests), so a run of tests that do not need it starts no Java at all.

Two tiers. A test that uses ``neo4j_settings`` (directly or through ``graph``, ``driver``,
``server_env`` or a fixture built on them) is marked ``db``; every other test that is not
marked ``db``, ``browser`` or ``slow`` is marked ``unit``. ``pytest -m unit`` is the fast
tier: no database, no Java, no browser; pure logic that talks to the graph gets the
recording gateway of ``tests/fakes.py`` instead. A module that starts servers of its own
says so with ``pytestmark = pytest.mark.db``. A unit test that starts Neo4j anyway fails.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import neo4j
import pytest

from riskgraph.graph import server as server_module
from riskgraph.graph.credentials import id_key_file, id_key_for, password_for
from riskgraph.graph.gateway import Gateway
from riskgraph.graph.migrate import migrate
from riskgraph.graph.server import EmbeddedServer, free_port
from riskgraph.settings import Settings, get_settings

SERVER_FIXTURE = "neo4j_settings"  # every fixture that reaches the database needs it
NOT_UNIT = ("db", "browser", "slow")


@pytest.hookimpl(tryfirst=True)  # before -m selects on the marks
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test ``db`` (it uses the session server) or ``unit`` (it cannot)."""
    for item in items:
        uses_server = SERVER_FIXTURE in getattr(item, "fixturenames", ())
        if uses_server and item.get_closest_marker("unit") is not None:
            raise pytest.UsageError(f"{item.nodeid} is marked unit but uses {SERVER_FIXTURE}")
        if uses_server:
            item.add_marker(pytest.mark.db)
        elif not any(item.get_closest_marker(mark) for mark in NOT_UNIT):
            item.add_marker(pytest.mark.unit)


@pytest.fixture(autouse=True)
def _unit_tests_start_no_server(request: pytest.FixtureRequest) -> Iterator[None]:
    """In a unit test, starting Neo4j (or building its launcher with Maven) fails loudly."""
    if request.node.get_closest_marker("unit") is None:
        yield
        return

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError(
            f"{request.node.nodeid} is a unit test but starts Neo4j: use the fixtures of "
            "tests/conftest.py (that makes it a db test) or tests/fakes.py"
        )

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(EmbeddedServer, "start", refuse)
        patch.setattr(EmbeddedServer, "build", refuse)
        patch.setattr(server_module, "build_launcher", refuse)
        yield


def make_settings(home: Path, **overrides: object) -> Settings:
    """Settings for a throwaway embedded server; the environment is ignored on purpose."""
    values: dict[str, object] = {
        "neo4j_dir": home,
        "neo4j_port": free_port(),
        "neo4j_heap": "1g",
        "neo4j_pagecache": "256m",
        "neo4j_uri": None,
        "neo4j_password": None,
        "runs_dir": home / "runs",
        "lock_file": home / "pipeline.lock",
        "calibration": home / "calibration.json",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture(scope="session")
def neo4j_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    settings = make_settings(tmp_path_factory.mktemp("neo4j"))
    server = EmbeddedServer(settings)
    server.start()
    try:
        with Gateway(settings) as graph:
            migrate(graph)
        yield settings
    finally:
        server.stop()


@pytest.fixture
def driver(neo4j_settings: Settings) -> Iterator[neo4j.Driver]:
    """The official driver, straight to the test server (for building fixture graphs)."""
    auth = (neo4j_settings.neo4j_user, password_for(neo4j_settings))
    with neo4j.GraphDatabase.driver(neo4j_settings.bolt_uri, auth=auth) as drv:
        yield drv


@pytest.fixture
def graph(neo4j_settings: Settings, driver: neo4j.Driver) -> Iterator[Gateway]:
    """A gateway to an empty graph (schema in place)."""
    driver.execute_query("MATCH (n) DETACH DELETE n")
    with Gateway(neo4j_settings) as gateway:
        yield gateway


@pytest.fixture
def server_env(
    neo4j_settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[None]:
    """The CLI (which reads the environment) pointed at the session server, with no GNN
    model and no calibration (a developer's own must not leak into the tests)."""
    monkeypatch.setenv("NEO4J_URI", neo4j_settings.bolt_uri)
    monkeypatch.setenv("NEO4J_PASSWORD", password_for(neo4j_settings))
    id_key_for(neo4j_settings)  # the session's ID key, made on first use
    monkeypatch.setenv("RISKGRAPH_ID_KEY_FILE", str(id_key_file(neo4j_settings)))
    monkeypatch.setenv("RISKGRAPH_GNN_MODEL", str(tmp_path / "no-model.pt"))
    monkeypatch.setenv("RISKGRAPH_CALIBRATION", str(tmp_path / "calibration.json"))
    monkeypatch.setenv("RISKGRAPH_RUNS_DIR", str(neo4j_settings.runs_dir))
    monkeypatch.setenv("RISKGRAPH_LOCK_FILE", str(neo4j_settings.lock_file))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
