"""The embedded server's configuration rules, checked without starting anything (unit)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from riskgraph.errors import ConfigError
from riskgraph.graph.server import (
    APOC_ALLOWLIST,
    EmbeddedServer,
    check_config,
    is_loopback,
    tx_memory,
)
from tests.conftest import make_settings

REPO = Path(__file__).resolve().parents[2]
PEM_CERT = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
PEM_KEY = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n"


def _pem_pair(directory: Path, key_text: str = PEM_KEY) -> tuple[Path, Path]:
    cert, key = directory / "bolt.crt", directory / "bolt.key"
    cert.write_text(PEM_CERT)
    key.write_text(key_text)
    return cert, key


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.53", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.10", False),
        ("no-such-host.invalid", False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_non_loopback_without_tls_names_both_ways_out(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as refused:
        check_config(make_settings(tmp_path, neo4j_host="0.0.0.0"))
    assert "not a loopback address" in str(refused.value)
    assert "unset RISKGRAPH_NEO4J_HOST" in str(refused.value)
    assert "set RISKGRAPH_NEO4J_TLS_CERT and" in str(refused.value)


def test_non_loopback_with_tls_is_allowed(tmp_path: Path) -> None:
    cert, key = _pem_pair(tmp_path)
    settings = make_settings(tmp_path, neo4j_host="0.0.0.0", neo4j_tls_cert=cert, neo4j_tls_key=key)
    check_config(settings)
    assert settings.bolt_uri == f"bolt+s://127.0.0.1:{settings.neo4j_port}"


def test_tls_needs_both_halves_and_readable_pem(tmp_path: Path) -> None:
    cert, key = _pem_pair(tmp_path)
    with pytest.raises(
        ConfigError, match="RISKGRAPH_NEO4J_TLS_CERT is set, RISKGRAPH_NEO4J_TLS_KEY"
    ):
        check_config(make_settings(tmp_path, neo4j_tls_cert=cert))
    with pytest.raises(
        ConfigError, match="RISKGRAPH_NEO4J_TLS_KEY is set, RISKGRAPH_NEO4J_TLS_CERT"
    ):
        check_config(make_settings(tmp_path, neo4j_tls_key=key))
    missing = tmp_path / "nope.crt"
    with pytest.raises(ConfigError, match=r"RISKGRAPH_NEO4J_TLS_CERT=.*nope.crt cannot be read"):
        check_config(make_settings(tmp_path, neo4j_tls_cert=missing, neo4j_tls_key=key))
    with pytest.raises(ConfigError, match="holds no PEM certificate"):
        check_config(make_settings(tmp_path, neo4j_tls_cert=key, neo4j_tls_key=key))
    encrypted = PEM_KEY.replace("PRIVATE KEY", "ENCRYPTED PRIVATE KEY")
    cert, key = _pem_pair(tmp_path, encrypted)
    with pytest.raises(ConfigError, match="is encrypted: give Neo4j an unencrypted PKCS#8 key"):
        check_config(make_settings(tmp_path, neo4j_tls_cert=cert, neo4j_tls_key=key))


@pytest.mark.parametrize(
    ("overrides", "uri"),
    [
        ({}, "bolt://127.0.0.1:7687"),
        ({"tls": True}, "bolt+s://127.0.0.1:7687"),
        ({"tls": True, "neo4j_tls_verify": False}, "bolt+ssc://127.0.0.1:7687"),
        ({"tls": True, "neo4j_host": "::"}, "bolt+s://[::1]:7687"),
        ({"neo4j_host": "::1"}, "bolt://[::1]:7687"),
        ({"tls": True, "neo4j_uri": "neo4j://graph:7687"}, "neo4j://graph:7687"),
    ],
)
def test_bolt_uri_follows_tls(tmp_path: Path, overrides: dict[str, object], uri: str) -> None:
    values = {"neo4j_port": 7687, **overrides}
    if values.pop("tls", False):
        values["neo4j_tls_cert"], values["neo4j_tls_key"] = _pem_pair(tmp_path)
    assert make_settings(tmp_path, **values).bolt_uri == uri


def test_tx_memory_is_a_size_or_a_share_of_the_heap(tmp_path: Path) -> None:
    assert tx_memory(make_settings(tmp_path, neo4j_heap="2g")) == "1024m"  # default 50%
    assert tx_memory(make_settings(tmp_path, neo4j_heap="8g", neo4j_tx_memory="25%")) == "2048m"
    assert tx_memory(make_settings(tmp_path, neo4j_tx_memory="3g")) == "3g"
    with pytest.raises(ValueError):
        make_settings(tmp_path, neo4j_tx_memory="lots")
    with pytest.raises(ValueError):
        make_settings(tmp_path, neo4j_tx_memory="150%")


def test_launcher_properties_follow_apoc(tmp_path: Path) -> None:
    """APOC off: no procedure allowed and an empty plugins folder; on: just the allow-list."""
    off = dict(p.split("=", 1) for p in EmbeddedServer(make_settings(tmp_path))._properties())
    assert off["-Driskgraph.procedures"] == ""
    assert off["-Driskgraph.plugins"] == str(tmp_path.resolve() / "plugins")
    assert off["-Driskgraph.tx_timeout_s"] == "600"
    assert off["-Driskgraph.tls_cert"] == off["-Driskgraph.tls_key"] == ""
    server = EmbeddedServer(make_settings(tmp_path, neo4j_apoc=True))
    on = dict(p.split("=", 1) for p in server._properties())
    assert on["-Driskgraph.procedures"] == "apoc.version"
    assert on["-Driskgraph.plugins"] == str(server.build_dir / "plugins")


def test_apoc_is_off_by_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("RISKGRAPH_NEO4J_APOC", raising=False)
    assert make_settings(tmp_path).neo4j_apoc is False


def test_the_allowlist_covers_every_apoc_call() -> None:
    """A query calling an APOC procedure not in APOC_ALLOWLIST would fail on the server."""
    called: set[str] = set()
    sources = [*REPO.glob("cypher/*.cypher"), *REPO.glob("riskgraph/**/*.py")]
    for path in sources:
        called |= set(re.findall(r"\b(apoc(?:\.\w+)+)\s*\(", path.read_text(encoding="utf-8")))
    assert called and called <= set(APOC_ALLOWLIST), called - set(APOC_ALLOWLIST)
    compose = (REPO / "docker-compose.yml").read_text()
    assert f"NEO4J_dbms_security_procedures_allowlist={','.join(APOC_ALLOWLIST)}" in compose
