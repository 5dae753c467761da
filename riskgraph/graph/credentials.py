"""Secrets: which password to use with Neo4j, and the key of the resident-ID hashes.

An external server's password comes from ``NEO4J_PASSWORD``. The embedded server gets
``NEO4J_PASSWORD`` when set; otherwise a random password is made on first use and kept,
readable by its owner only, in the server's directory, so no default secret exists.
"""

from __future__ import annotations

import hashlib
import hmac
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


def id_key_file(settings: Settings) -> Path:
    """Where the ID key lives: outside Neo4j's folder, so a copy of the database (a backup,
    a dump handed over) does not carry the key that would let its hashes be tested."""
    return settings.id_key_file or settings.neo4j_dir.parent / "keys" / "id-key"


def id_key_for(settings: Settings) -> bytes:
    """The HMAC key of resident-ID hashes; it must stay the same for a graph's lifetime."""
    if settings.id_key is not None:
        return settings.id_key.get_secret_value().encode()
    path = id_key_file(settings)
    if settings.embedded:
        return _kept_secret(path).encode()
    if not path.is_file():
        raise ConfigError(
            f"no resident-ID key: set RISKGRAPH_ID_KEY (a long random secret) or "
            f"RISKGRAPH_ID_KEY_FILE (a file holding one; {path} does not exist)"
        )
    value = path.read_text(encoding="utf-8").strip()
    if len(value) < 16:
        raise ConfigError(f"{path}: the resident-ID key must be at least 16 characters")
    return value.encode()


def key_fingerprint(key: bytes) -> str:
    """Names a key without revealing it: stored in the graph to refuse loads under another."""
    return hmac.new(key, b"riskgraph id-key fingerprint", hashlib.sha256).hexdigest()[:16]
