"""Secrets: which password to use with Neo4j, and the key of the resident-ID hashes.

An external server's password comes from ``NEO4J_PASSWORD``. The embedded server gets
``NEO4J_PASSWORD`` when set; otherwise a random password is made on first use and kept,
readable by its owner only, in the server's directory, so no default secret exists. It is
never empty: an empty one is refused, not taken as "no authentication". Secret files are
written whole and private from their first byte (``write_secret``).
"""

from __future__ import annotations

import errno
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from riskgraph.errors import ConfigError
from riskgraph.settings import Settings

MIN_PASSWORD_LENGTH = 8  # Neo4j's dbms.security.auth_minimum_password_length default


def password_file(settings: Settings) -> Path:
    return settings.neo4j_dir / "auth" / "password"


def _fsync_dir(directory: Path) -> None:
    """Make a rename in ``directory`` durable (a crash after it cannot bring back the old name)."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _link_if_absent(source: Path, path: Path) -> None:
    """``os.link``: atomic and never over an existing file. Where the file system has no
    hard links, a rename after an existence check (a tiny race, the file still whole)."""
    try:
        os.link(source, path)
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS}:
            raise
        if path.exists():
            raise FileExistsError(errno.EEXIST, "exists", str(path)) from exc
        os.replace(source, path)


def write_secret(path: Path, text: str, *, replace: bool = True) -> None:
    """Write a secret so that no one else can read it at any moment and no reader ever finds
    it empty or half written, even after a crash: a temporary file in the same directory,
    mode 0600 from its creation, fsynced, then renamed over ``path``. With ``replace=False``
    it is linked into place only if ``path`` does not exist yet (FileExistsError otherwise),
    so two processes making the same secret at once cannot hand out different values."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            os.replace(temporary, path)
        else:
            _link_if_absent(temporary, path)
        _fsync_dir(path.parent)
    finally:
        temporary.unlink(missing_ok=True)


def _kept_secret(path: Path, if_empty: str) -> str:
    """Read a generated secret, making it (owner-readable only) on first use. A file that
    exists but is blank is refused with ``if_empty`` (what to do), never taken as a secret."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        value = secrets.token_urlsafe(24)
        try:
            write_secret(path, value + "\n", replace=False)
            return value
        except FileExistsError:  # another process made it first: use theirs
            text = path.read_text(encoding="utf-8")
    value = text.strip()
    if not value:
        raise ConfigError(f"{path} exists but is empty: {if_empty}")
    return value


def password_for(settings: Settings) -> str:
    """The Neo4j password. The embedded server never runs without one: an empty
    NEO4J_PASSWORD or an empty password file is an error, not authentication turned off."""
    if settings.neo4j_password is not None:
        value = settings.neo4j_password.get_secret_value()
        if settings.embedded:
            _check_embedded_password(value, "NEO4J_PASSWORD")
        return value
    if not settings.embedded:
        return ""
    path = password_file(settings)
    value = _kept_secret(
        path,
        "the embedded Neo4j never starts without a password. Delete the file and run "
        "`riskgraph db start` again (a new random password is made and set as the server "
        "starts; stop a running server first with `riskgraph db stop`), or set NEO4J_PASSWORD",
    )
    _check_embedded_password(value, str(path))
    return value


def _check_embedded_password(value: str, source: str) -> None:
    if not value.strip():
        raise ConfigError(
            f"{source} is empty: the embedded Neo4j never starts without authentication. "
            "Unset NEO4J_PASSWORD to use a generated password, or set it to a secret of "
            f"{MIN_PASSWORD_LENGTH}+ characters"
        )
    if len(value) < MIN_PASSWORD_LENGTH:
        raise ConfigError(
            f"the password in {source} is shorter than Neo4j's minimum of "
            f"{MIN_PASSWORD_LENGTH} characters: set a longer one, or unset NEO4J_PASSWORD to "
            "use a generated password"
        )


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
        return _kept_secret(
            path,
            "the resident-ID key cannot be blank. Restore the file from a backup (the graph "
            "refuses loads under another key), or, for a graph with no people loaded yet, "
            "delete it and a new key is made",
        ).encode()
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
