from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from riskgraph.settings import Settings


def test_environment_names(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("RISKGRAPH_NEO4J_DIR", str(tmp_path))
    monkeypatch.setenv("RISKGRAPH_NEO4J_PORT", "17001")
    monkeypatch.setenv("RISKGRAPH_NEO4J_HEAP", "3g")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.neo4j_dir == tmp_path
    assert settings.bolt_uri == "bolt://127.0.0.1:17001"
    assert settings.neo4j_heap == "3g"
    assert settings.embedded


def test_external_uri_means_not_embedded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEO4J_URI", "neo4j://graph.example:7687")
    monkeypatch.setenv("NEO4J_PASSWORD", "s3cret")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert not settings.embedded
    assert settings.bolt_uri == "neo4j://graph.example:7687"
    assert "s3cret" not in repr(settings)


def test_bad_memory_size_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RISKGRAPH_NEO4J_HEAP", "lots")
    with pytest.raises(ValidationError):
        Settings(_env_file=None)  # type: ignore[call-arg]


def test_secrets_from_files(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Docker secrets: the file's content, without the newline an editor or echo adds."""
    (tmp_path / "password").write_text("pa ss/word\n")
    (tmp_path / "keys").write_text("viewer:ops:0123456789abcdef\r\n")
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    monkeypatch.delenv("RISKGRAPH_API_KEYS", raising=False)
    monkeypatch.setenv("NEO4J_PASSWORD_FILE", str(tmp_path / "password"))
    monkeypatch.setenv("RISKGRAPH_API_KEYS_FILE", str(tmp_path / "keys"))
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.neo4j_password is not None and settings.api_keys is not None
    assert settings.neo4j_password.get_secret_value() == "pa ss/word"
    assert settings.api_keys.get_secret_value() == "viewer:ops:0123456789abcdef"
    assert "pa ss" not in repr(settings)


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("both", "NEO4J_PASSWORD and NEO4J_PASSWORD_FILE are both set: keep one"),
        ("empty", "is empty: write the secret into it"),
        ("missing", "cannot be read"),
    ],
)
def test_bad_secret_files_are_rejected(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, setup: str, message: str
) -> None:
    path = tmp_path / "password"
    if setup != "missing":
        path.write_text("\n" if setup == "empty" else "s3cret-password\n")
    if setup == "both":
        monkeypatch.setenv("NEO4J_PASSWORD", "another-password")
    else:
        monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    monkeypatch.setenv("NEO4J_PASSWORD_FILE", str(path))
    with pytest.raises(ValidationError, match=message):
        Settings(_env_file=None)  # type: ignore[call-arg]


def test_embedded_tls_and_limits_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("NEO4J_URI", raising=False)
    monkeypatch.setenv("RISKGRAPH_NEO4J_HOST", "0.0.0.0")
    monkeypatch.setenv("RISKGRAPH_NEO4J_TLS_CERT", str(tmp_path / "bolt.crt"))
    monkeypatch.setenv("RISKGRAPH_NEO4J_TLS_KEY", str(tmp_path / "bolt.key"))
    monkeypatch.setenv("RISKGRAPH_NEO4J_TX_TIMEOUT_S", "900")
    monkeypatch.setenv("RISKGRAPH_NEO4J_TX_MEMORY", "3g")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.bolt_uri == f"bolt+s://127.0.0.1:{settings.neo4j_port}"
    assert (settings.neo4j_tx_timeout_s, settings.neo4j_tx_memory) == (900, "3g")
