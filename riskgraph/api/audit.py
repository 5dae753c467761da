"""The audit log: one JSON line per request, saying who (role and a short key hash), what
(method and path), when, with which parameters, and what came back (status, size, time).

A pure ASGI middleware, so that it sees every request, those refused before any route ran
included, and counts the bytes actually sent.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from riskgraph.api.security import HEADER, KeyRing, key_hash

log = logging.getLogger(__name__)

MAX_LOGGED_BODY = 4096  # characters of a request body kept in the log
SECRET_BODIES = frozenset({"/session"})  # bodies that carry a key: never logged


class AuditLog:
    """Appends JSON lines to a file, kept open (one open per request cost more than the
    write); each line is flushed as written, and one lock per process keeps lines whole."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._handle: TextIO | None = None

    def write(self, entry: dict[str, Any]) -> None:
        # ASCII only: a U+2028 in a parameter must not split a line for line-based tools
        line = json.dumps(entry, ensure_ascii=True, default=str) + "\n"
        with self._lock:
            if self._handle is None or self._handle.closed:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._handle = self.path.open("a", encoding="utf-8")
            self._handle.write(line)
            self._handle.flush()

    def close(self) -> None:
        with self._lock:
            if self._handle is not None:
                self._handle.close()
                self._handle = None


def _who(keys: KeyRing | None, key: str | None) -> str:
    if not key:
        return "anonymous"
    principal = keys.identify(key) if keys is not None else None
    return principal.who if principal is not None else f"unknown:{key_hash(key)}"


def _params(query: str) -> dict[str, Any]:
    """Query parameters; a repeated one (types=A&types=B) as a list."""
    params: dict[str, list[str]] = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        params.setdefault(name, []).append(value)
    return {name: values[0] if len(values) == 1 else values for name, values in params.items()}


def _body(raw: bytes) -> Any:
    if not raw:
        return None
    text = raw[:MAX_LOGGED_BODY].decode("utf-8", errors="replace")
    try:
        return json.loads(raw) if len(raw) <= MAX_LOGGED_BODY else text + "..."
    except ValueError:
        return text


class AuditMiddleware:
    """Logs each HTTP request to the ``AuditLog`` that ``context`` returns (with the key
    ring that names the caller); read per request, so settings can change under tests."""

    def __init__(
        self, app: ASGIApp, context: Callable[[], tuple[AuditLog, KeyRing | None]]
    ) -> None:
        self.app = app
        self.context = context

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        when = datetime.now(UTC).isoformat(timespec="milliseconds")
        received: list[bytes] = []
        sent = {"status": 500, "bytes": 0}

        async def receive_logged() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                received.append(message.get("body", b""))
            return message

        async def send_logged(message: Message) -> None:
            if message["type"] == "http.response.start":
                sent["status"] = int(message["status"])
            elif message["type"] == "http.response.body":
                sent["bytes"] += len(message.get("body", b""))
            await send(message)

        # the route's dependencies name a caller signed in by session cookie here
        state = scope.setdefault("state", {})
        try:
            await self.app(scope, receive_logged, send_logged)
        finally:
            self._log(scope, when, started, b"".join(received), sent, state.get("who"))

    def _log(
        self,
        scope: Scope,
        when: str,
        started: float,
        body: bytes,
        sent: dict[str, int],
        who: str | None,
    ) -> None:
        headers = {k.decode("latin-1").lower(): v for k, v in scope.get("headers", [])}
        raw_key = headers.get(HEADER.lower())
        query = scope.get("query_string", b"").decode("latin-1")
        try:
            audit, keys = self.context()
            key = raw_key.decode("latin-1") if raw_key is not None else None
            audit.write(
                {
                    "when": when,
                    "who": who or _who(keys, key),
                    "method": scope.get("method"),
                    "path": scope.get("path"),
                    "params": _params(query),
                    "body": "(not logged: credentials)"
                    if body and scope.get("path") in SECRET_BODIES
                    else _body(body),
                    "status": sent["status"],
                    "bytes": sent["bytes"],
                    "ms": round((time.perf_counter() - started) * 1000, 1),
                }
            )
        except Exception:  # the answer is already sent; a broken log must not hide it
            log.exception("could not write the audit log")
