"""Which password to use with Neo4j.

An external server's password comes from ``NEO4J_PASSWORD``. The embedded server gets
``NEO4J_PASSWORD`` when set; otherwise a random password is made on first use and kept,
readable by its owner only, in the server's directory, so no default secret exists.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from riskgraph.settings import Settings


def password_file(settings: Settings) -> Path:
    return settings.neo4j_dir / "auth" / "password"


def password_for(settings: Settings) -> str:
    if settings.neo4j_password is not None:
        return settings.neo4j_password.get_secret_value()
    if not settings.embedded:
        return ""
    path = password_file(settings)
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(24)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(password + "\n")
    return password
