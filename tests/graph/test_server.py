"""The embedded Neo4j's lifecycle, on servers of their own (not the session server)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from pathlib import Path

import neo4j
import pytest

from riskgraph.errors import ConfigError
from riskgraph.graph import server as server_module
from riskgraph.graph.credentials import password_file, password_for
from riskgraph.graph.server import EmbeddedServer, describe
from riskgraph.settings import Settings
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


# --- refusals: checked before anything starts -------------------------------------------------


def _nothing_may_start(monkeypatch: pytest.MonkeyPatch) -> None:
    """Building the launcher or spawning Java fails the test: a refusal must come first."""

    def started(*_: object, **__: object) -> None:
        raise AssertionError("something was started before the configuration was refused")

    monkeypatch.setattr(EmbeddedServer, "build", started)
    monkeypatch.setattr(subprocess, "Popen", started)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10"])
def test_plaintext_beyond_loopback_is_refused_before_anything_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, host: str
) -> None:
    _nothing_may_start(monkeypatch)
    server = EmbeddedServer(make_settings(tmp_path / "db", neo4j_host=host))
    with pytest.raises(ConfigError) as refused:
        server.start()
    message = str(refused.value)
    assert f"RISKGRAPH_NEO4J_HOST={host} is not a loopback address" in message
    assert "unset RISKGRAPH_NEO4J_HOST" in message  # way out 1: loopback
    assert "RISKGRAPH_NEO4J_TLS_CERT and RISKGRAPH_NEO4J_TLS_KEY" in message  # way out 2
    assert server.pid() is None and not (tmp_path / "db" / "logs").exists()


@pytest.mark.parametrize("password", ["", "   ", "\n"])
def test_empty_neo4j_password_is_refused_not_auth_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, password: str
) -> None:
    _nothing_may_start(monkeypatch)
    server = EmbeddedServer(make_settings(tmp_path / "db", neo4j_password=password))
    with pytest.raises(ConfigError, match="NEO4J_PASSWORD is empty: the embedded Neo4j never"):
        server.start()
    assert server.pid() is None


def test_empty_password_file_is_refused_and_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An empty file (a crash in an older version's write) used to start Neo4j without auth."""
    _nothing_may_start(monkeypatch)
    settings = make_settings(tmp_path / "db")
    path = password_file(settings)
    path.parent.mkdir(parents=True)
    path.write_text(" \n")
    with pytest.raises(ConfigError, match=r"exists but is empty: .* Delete the file"):
        EmbeddedServer(settings).start()
    assert path.read_text() == " \n"  # not replaced behind the user's back


def test_the_launcher_itself_refuses_no_password_and_plaintext_on_the_network(
    tmp_path: Path,
) -> None:
    """Defence in depth: started by hand, the Java launcher applies the same two rules."""
    settings = make_settings(tmp_path / "db")
    server = EmbeddedServer(settings)
    server.build()

    def launch(host: str, password: str) -> subprocess.CompletedProcess[str]:
        properties = [p for p in server._properties() if not p.startswith("-Driskgraph.host=")]
        command = [settings.java, *properties, f"-Driskgraph.host={host}", "-cp"]
        command += [server.classpath(), server_module.LAUNCHER_MAIN]
        env = {**os.environ, "RISKGRAPH_NEO4J_INITIAL_PASSWORD": password}
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)

    no_password = launch("127.0.0.1", "")
    assert no_password.returncode == 78, no_password.stderr
    assert "never run without authentication" in no_password.stderr
    plaintext = launch("0.0.0.0", "a-long-enough-password")
    assert plaintext.returncode == 78, plaintext.stderr
    assert "listening on 0.0.0.0 without TLS" in plaintext.stderr


# --- what the running server is configured with ------------------------------------------------

SETTINGS_SHOWN = (
    "SHOW SETTINGS YIELD name, value WHERE name IN $names RETURN name, value"  # Community has it
)
CHECKED = [
    "db.transaction.timeout",
    "db.memory.transaction.max",
    "dbms.security.auth_enabled",
    "dbms.security.procedures.allowlist",
    "dbms.security.procedures.unrestricted",
    "server.bolt.tls_level",
]


def _server_settings(driver: neo4j.Driver) -> dict[str, str]:
    records = driver.execute_query(SETTINGS_SHOWN, names=CHECKED).records
    return {r["name"]: r["value"] for r in records}


def test_default_server_has_limits_auth_and_no_apoc(
    neo4j_settings: Settings, driver: neo4j.Driver
) -> None:
    """The session server runs with the defaults (heap 1g there, so 50% is 512 MiB)."""
    assert _server_settings(driver) == {
        "db.transaction.timeout": "10m",  # RISKGRAPH_NEO4J_TX_TIMEOUT_S=600
        "db.memory.transaction.max": "512.00MiB",  # RISKGRAPH_NEO4J_TX_MEMORY=50% of 1g
        "dbms.security.auth_enabled": "true",
        "dbms.security.procedures.allowlist": "",  # APOC off: no extension procedure at all
        "dbms.security.procedures.unrestricted": "",
        "server.bolt.tls_level": "DISABLED",  # loopback only
    }
    status = describe(neo4j_settings)  # copes with APOC absent
    assert status.running and status.apoc is None


def _self_signed(directory: Path) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    cert, key = directory / "bolt.crt", directory / "bolt.key"
    request = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=x"]
    names = ["-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"]
    files = ["-keyout", str(key), "-out", str(cert)]
    subprocess.run(["openssl", *request, *names, *files], check=True, capture_output=True)
    return cert, key


def test_tls_apoc_allowlist_and_limits_on_a_real_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cert, key = _self_signed(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the driver trusts our own CA (bolt+s)
    settings = make_settings(
        tmp_path / "db",
        neo4j_tls_cert=cert,
        neo4j_tls_key=key,
        neo4j_apoc=True,
        neo4j_tx_timeout_s=123,
        neo4j_tx_memory="256m",
    )
    server = EmbeddedServer(settings)
    status, started = server.start()
    try:
        assert started and status.uri.startswith("bolt+s://127.0.0.1:")
        assert status.apoc is not None and status.apoc.startswith("5.26")
        with _driver(server) as driver:
            assert _server_settings(driver) == {
                "db.transaction.timeout": "2m3s",
                "db.memory.transaction.max": "256.00MiB",
                "dbms.security.auth_enabled": "true",
                "dbms.security.procedures.allowlist": "apoc.version",
                "dbms.security.procedures.unrestricted": "",
                "server.bolt.tls_level": "REQUIRED",
            }
            with pytest.raises(neo4j.exceptions.ClientError, match="Unknown function"):
                driver.execute_query("RETURN apoc.coll.sum([1, 2]) AS not_allowed")
        plaintext = settings.bolt_uri.replace("bolt+s://", "bolt://")
        auth = (settings.neo4j_user, password_for(settings))
        with (
            neo4j.GraphDatabase.driver(plaintext, auth=auth, connection_timeout=5) as driver,
            pytest.raises(neo4j.exceptions.ServiceUnavailable),
        ):
            driver.verify_connectivity()
    finally:
        server.stop()
