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
