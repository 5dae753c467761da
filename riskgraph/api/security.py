"""API keys and roles: who may call what.

Keys come only from ``RISKGRAPH_API_KEYS`` (``role:key`` pairs, comma-separated); none is
built in, so an API without configured keys refuses every data request. A key is compared
in constant time against every configured key, and is known afterwards only as its role and
a short hash (the audit log's "who").
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from riskgraph.errors import ConfigError

HEADER = "X-API-Key"
MIN_KEY_LENGTH = 16
HOW_TO_CONFIGURE = (
    "set RISKGRAPH_API_KEYS to comma-separated role:key pairs, e.g. "
    "RISKGRAPH_API_KEYS=viewer:<random key>,analyst:<another>,admin:<another> (roles: "
    "viewer, analyst, admin; keys of at least 16 characters, e.g. from "
    "`python -c 'import secrets; print(secrets.token_urlsafe(24))'`), then send a key in the "
    "X-API-Key header"
)


class Role(StrEnum):
    """Viewers read; analysts also run what-ifs and handle alerts; admins do everything."""

    VIEWER = "viewer"
    ANALYST = "analyst"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def allows(self, needed: Role) -> bool:
        return self.rank >= needed.rank


@dataclass(frozen=True)
class Principal:
    """An authenticated caller, as the audit log names it."""

    role: Role
    key_hash: str  # first 12 hex digits of the key's SHA-256

    @property
    def who(self) -> str:
        return f"{self.role.value}:{self.key_hash}"


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class KeyRing:
    """The configured keys, kept as SHA-256 digests (equal length: compare_digest's
    timing then says nothing about the key)."""

    entries: tuple[tuple[bytes, Role, str], ...]  # (digest, role, short hash)

    @property
    def empty(self) -> bool:
        return not self.entries

    def identify(self, key: str | None) -> Principal | None:
        """The caller holding ``key``; None when it is missing or unknown. Every entry is
        compared, whatever matched first."""
        if not key:
            return None
        digest = hashlib.sha256(key.encode()).digest()
        found: Principal | None = None
        for known, role, short in self.entries:
            if hmac.compare_digest(digest, known) and found is None:
                found = Principal(role, short)
        return found


@lru_cache(maxsize=8)
def parse_keys(text: str | None) -> KeyRing:
    """``viewer:k1,analyst:k2`` -> a KeyRing; a malformed entry is a ``ConfigError`` that
    names it by position (never by its key)."""
    entries: list[tuple[bytes, Role, str]] = []
    seen: set[bytes] = set()
    for position, raw in enumerate((text or "").split(","), start=1):
        item = raw.strip()
        if not item:
            continue
        role_text, sep, key = item.partition(":")
        role_text, key = role_text.strip().lower(), key.strip()
        if not sep or role_text not in {r.value for r in Role}:
            raise ConfigError(
                f"RISKGRAPH_API_KEYS entry {position} is not role:key with a role among "
                f"viewer, analyst, admin; {HOW_TO_CONFIGURE}"
            )
        if len(key) < MIN_KEY_LENGTH:
            raise ConfigError(
                f"RISKGRAPH_API_KEYS entry {position} ({role_text}) has a key shorter than "
                f"{MIN_KEY_LENGTH} characters"
            )
        digest = hashlib.sha256(key.encode()).digest()
        if digest in seen:
            raise ConfigError(f"RISKGRAPH_API_KEYS entry {position} repeats a key")
        seen.add(digest)
        entries.append((digest, Role(role_text), key_hash(key)))
    return KeyRing(tuple(entries))
