"""Secrets: which password to use with Neo4j, and the salt for resident ID hashes.

An external server's password comes from ``NEO4J_PASSWORD``. The embedded server gets
``NEO4J_PASSWORD`` when set; otherwise a random password is made on first use and kept,
readable by its owner only, in the server's directory, so no default secret exists.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from riskgraph.errors import ConfigError
from riskgraph.settings import Settings


def password_file(settings: Settings) -> Path:
    return settings.neo4j_dir / "auth" / "password"


def _kept_secret(path: Path) -> str:
    """Read a generated secret, making it (owner-readable only) on first use."""
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(24)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(value + "\n")
    return value


def password_for(settings: Settings) -> str:
    if settings.neo4j_password is not None:
        return settings.neo4j_password.get_secret_value()
    if not settings.embedded:
        return ""
    return _kept_secret(password_file(settings))


def id_salt_for(settings: Settings) -> str:
    """The salt must stay the same for a graph's lifetime, or one person's hashes differ."""
    if settings.id_salt is not None:
        return settings.id_salt.get_secret_value()
    if not settings.embedded:
        raise ConfigError("set RISKGRAPH_ID_SALT (a long random secret) to load into NEO4J_URI")
    return _kept_secret(settings.neo4j_dir / "auth" / "id_salt")
