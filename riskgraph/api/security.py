"""API keys and roles: who may call what.

Keys come only from ``RISKGRAPH_API_KEYS`` (comma-separated ``role:name:key`` entries, or
``role:key`` without a name); none is built in, so an API without configured keys refuses
every data request. A key is compared in constant time against every configured key, and is
known afterwards only as its role and its user's name, or a short hash of it when unnamed
(the audit log's and the alerts' "who").
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from riskgraph.errors import ConfigError

HEADER = "X-API-Key"
MIN_KEY_LENGTH = 16
HOW_TO_CONFIGURE = (
    "set RISKGRAPH_API_KEYS to comma-separated role:name:key entries, e.g. "
    "RISKGRAPH_API_KEYS=viewer:wang.wei:<random key>,analyst:li.na:<another> (roles: "
    "viewer, analyst, admin; the name, which may be left out as in role:key, is who the "
    "audit log and the alerts record; keys of at least 16 characters, e.g. from "
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
    name: str | None = None  # the user the key was issued to (role:name:key)

    @property
    def who(self) -> str:
        """``analyst:li.na``, or ``analyst:<key hash>`` for an unnamed key."""
        return f"{self.role.value}:{self.name or self.key_hash}"


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class KeyRing:
    """The configured keys, kept as SHA-256 digests (equal length: compare_digest's
    timing then says nothing about the key)."""

    entries: tuple[tuple[bytes, Role, str, str | None], ...]  # (digest, role, hash, name)

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
        for known, role, short, name in self.entries:
            if hmac.compare_digest(digest, known) and found is None:
                found = Principal(role, short, name)
        return found

    def holder(self, short_hash: str, role: Role) -> Principal | None:
        """The caller a web app session names, if its key is still configured with the same
        role (removing or demoting a key ends its sessions)."""
        for _, known_role, short, name in self.entries:
            if short == short_hash and known_role == role:
                return Principal(role, short, name)
        return None

    def assignees(self) -> list[str]:
        """Names of the users alerts can be assigned to: named analyst and admin keys."""
        return sorted(
            {name for _, role, _, name in self.entries if name and role.allows(Role.ANALYST)}
        )


NAME = re.compile(r"^[\w.@-]{1,64}$")  # letters (CJK too), digits, _ . @ -


@lru_cache(maxsize=8)
def parse_keys(text: str | None) -> KeyRing:
    """``viewer:wang.wei:k1,analyst:k2`` -> a KeyRing; a malformed entry is a
    ``ConfigError`` that names it by position (never by its key). Keys never contain a
    colon (``secrets.token_urlsafe`` gives none), so two colons mean a name."""
    entries: list[tuple[bytes, Role, str, str | None]] = []
    seen: set[bytes] = set()
    names: set[str] = set()
    for position, raw in enumerate((text or "").split(","), start=1):
        item = raw.strip()
        if not item:
            continue
        parts = [p.strip() for p in item.split(":")]
        if len(parts) not in (2, 3) or parts[0].lower() not in {r.value for r in Role}:
            raise ConfigError(
                f"RISKGRAPH_API_KEYS entry {position} is not role:name:key (or role:key) "
                f"with a role among viewer, analyst, admin; {HOW_TO_CONFIGURE}"
            )
        role_text, name, key = parts[0].lower(), (parts[1] if len(parts) == 3 else None), parts[-1]
        if name is not None and not NAME.match(name):
            raise ConfigError(
                f"RISKGRAPH_API_KEYS entry {position} ({role_text}) has a name that is not "
                "1-64 letters, digits or _ . @ -"
            )
        if len(key) < MIN_KEY_LENGTH:
            raise ConfigError(
                f"RISKGRAPH_API_KEYS entry {position} ({role_text}) has a key shorter than "
                f"{MIN_KEY_LENGTH} characters"
            )
        digest = hashlib.sha256(key.encode()).digest()
        if digest in seen:
            raise ConfigError(f"RISKGRAPH_API_KEYS entry {position} repeats a key")
        if name is not None and name in names:
            raise ConfigError(f"RISKGRAPH_API_KEYS entry {position} repeats the name {name}")
        seen.add(digest)
        if name is not None:
            names.add(name)
        entries.append((digest, Role(role_text), key_hash(key), name))
    return KeyRing(tuple(entries))
