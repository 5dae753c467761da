"""Web app sessions: a signed-in browser holds a random token in an HttpOnly cookie; the
graph keeps only the token's hash (``Session`` nodes) with who it names and when it
expires, so signing out, or removing the key from ``RISKGRAPH_API_KEYS``, ends it on every
worker at once. A change made through a session must echo the session's CSRF token in the
``X-CSRF-Token`` header, which a page on another site cannot read."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from riskgraph.api.security import KeyRing, Principal, Role
from riskgraph.graph.gateway import Gateway

COOKIE = "riskgraph_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Session:
    principal: Principal
    csrf: str
    expires_at: datetime


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _iso(moment: datetime) -> str:
    """One fixed format, so the graph compares expiry times as strings correctly."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def open_session(
    graph: Gateway, principal: Principal, ttl_s: int, now: datetime | None = None
) -> tuple[str, Session]:
    """A new session for ``principal``: the cookie's token (returned once, never stored)
    and the session."""
    now = now or datetime.now(UTC)
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    expires = now + timedelta(seconds=ttl_s)
    graph.write(
        "session_open",
        token_hash=_digest(token),
        role=principal.role.value,
        user_name=principal.name,
        key_hash=principal.key_hash,
        csrf=csrf,
        now=_iso(now),
        expires_at=_iso(expires),
    )
    return token, Session(principal, csrf, expires)


async def find_session(
    graph: Gateway, keys: KeyRing, token: str, now: datetime | None = None
) -> Session | None:
    """The live session ``token`` opens; None when it is unknown, expired, closed, or its
    key is no longer configured with the same role."""
    if not token or len(token) > 200:
        return None
    rows = await graph.read_async(
        "session_find", token_hash=_digest(token), now=_iso(now or datetime.now(UTC))
    )
    if not rows:
        return None
    row = rows[0]
    try:
        role = Role(row["role"])
    except ValueError:
        return None
    holder = keys.holder(row["key_hash"], role)
    if holder is None:
        return None
    return Session(holder, row["csrf"], datetime.fromisoformat(row["expires_at"]))


def close_session(graph: Gateway, token: str) -> None:
    graph.write("session_close", token_hash=_digest(token))


def csrf_ok(session: Session, sent: str | None) -> bool:
    """Whether a change carries the session's CSRF token (constant-time comparison)."""
    return sent is not None and hmac.compare_digest(sent.encode(), session.csrf.encode())
