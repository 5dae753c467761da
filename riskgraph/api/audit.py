"""The audit log: two JSON lines per request. The first is written before the route runs
(who, from where, what: method, path, parameters), so a request that never finishes, or
takes the worker down, is still on record; the second, with the same ``id``, completes it
(the caller as the route identified them, the status, bytes sent, time, a bounded prefix
of the body). Requests refused before any route ran (a body too large, a worker full, no
key) have both lines too.

The file is created mode 0600, rotated by size (``RISKGRAPH_AUDIT_MAX_BYTES``, keeping
``RISKGRAPH_AUDIT_BACKUPS`` old files), and every field is bounded, so no request can make
a line, or the log, grow without limit. Several workers append to one file: each reopens
it when another has rotated it, so no line is lost.
"""

from __future__ import annotations

import fcntl
import json
import logging
import logging.handlers
import os
import secrets
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from riskgraph.api.security import HEADER, KeyRing, key_hash

log = logging.getLogger(__name__)

MAX_LOGGED_BODY = 4096  # bytes of a request body kept in the log
MAX_FIELD = 512  # characters of a path, a parameter or a user agent
MAX_PARAMS = 32  # parameters logged per request
SECRET_BODIES = frozenset({"/session"})  # bodies that carry a key: never logged


class _PrivateRotatingHandler(logging.handlers.RotatingFileHandler):
    """Rotating by size; files 0600; each line written, and the file rotated, under an
    exclusive lock on a lock file beside it, so workers sharing it never rotate twice or
    write into a file being renamed; reopened when another worker rotated it."""

    def _open(self) -> Any:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.fchmod(fd, 0o600)  # a file left by an older version may have been 0644
        return os.fdopen(fd, "a", encoding="utf-8")

    def emit(self, record: logging.LogRecord) -> None:
        lock = os.open(f"{self.baseFilename}.lock", os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            self._emit_locked(record)
        finally:
            os.close(lock)  # releases the lock

    def _emit_locked(self, record: logging.LogRecord) -> None:
        if self.stream is not None:
            try:
                moved = os.fstat(self.stream.fileno()).st_ino != os.stat(self.baseFilename).st_ino
            except FileNotFoundError:
                moved = True
            if moved:
                self.stream.close()
                self.stream = None  # reopened by emit
        super().emit(record)


class AuditLog:
    """One audit file: lines through a rotating, private handler of its own."""

    def __init__(self, path: Path, max_bytes: int = 50_000_000, backups: int = 10) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._handler = _PrivateRotatingHandler(
            path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8", delay=True
        )
        self._handler.setFormatter(logging.Formatter("%(message)s"))
        self._logger = logging.Logger(f"riskgraph.audit.{path}", logging.INFO)
        self._logger.propagate = False
        self._logger.addHandler(self._handler)
        self._lock = threading.Lock()

    def write(self, entry: dict[str, Any]) -> None:
        # ASCII only: a U+2028 in a parameter must not split a line for line-based tools
        with self._lock:
            self._logger.info(json.dumps(entry, ensure_ascii=True, default=str))

    def close(self) -> None:
        with self._lock:
            self._handler.close()


def _cut(text: str, limit: int = MAX_FIELD) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


def _who(keys: KeyRing | None, key: str | None, cookie: bool) -> str:
    if not key:
        return "session" if cookie else "anonymous"
    principal = keys.identify(key) if keys is not None else None
    return principal.who if principal is not None else f"unknown:{key_hash(key)}"


def _params(query: str) -> dict[str, Any]:
    """Query parameters, bounded; a repeated one (types=A&types=B) as a list."""
    params: dict[str, list[str]] = {}
    for name, value in parse_qsl(query, keep_blank_values=True)[: MAX_PARAMS * 4]:
        if len(params) >= MAX_PARAMS and name not in params:
            continue
        params.setdefault(_cut(name, 64), []).append(_cut(value))
    return {name: values[0] if len(values) == 1 else values[:8] for name, values in params.items()}


def _body(raw: bytes, complete: bool) -> Any:
    if not raw:
        return None
    if complete:
        try:
            return json.loads(raw)
        except ValueError:
            pass
    return raw.decode("utf-8", errors="replace") + ("" if complete else "...")


def _client(scope: Scope) -> str | None:
    client = scope.get("client")
    return None if not client else str(client[0])


class AuditMiddleware:
    """Logs each HTTP request to the ``AuditLog`` that ``context`` returns (with the key
    ring that names the caller); read per request, so settings can change under tests.
    The outermost layer of the app (``app.RiskgraphApi``): it sees every request."""

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
        request_id = secrets.token_hex(8)
        headers = {k.decode("latin-1").lower(): v for k, v in scope.get("headers", [])}
        raw_key = headers.get(HEADER.lower())
        key = raw_key.decode("latin-1") if raw_key is not None else None
        cookie = b"riskgraph_session=" in headers.get("cookie", b"")
        head = {
            "id": request_id,
            "when": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "client": _client(scope),
            "method": scope.get("method"),
            "path": _cut(str(scope.get("path", ""))),
            "params": _params(scope.get("query_string", b"").decode("latin-1")),
            "agent": _cut(headers.get("user-agent", b"").decode("latin-1"), 200) or None,
        }
        self._write({"event": "start", **head}, key, cookie)
        kept = bytearray()
        complete = True
        sent = {"status": 500, "bytes": 0}

        async def receive_logged() -> Message:
            nonlocal complete
            message = await receive()
            if message["type"] == "http.request":
                room = MAX_LOGGED_BODY - len(kept)
                chunk = message.get("body", b"")
                kept.extend(chunk[: max(room, 0)])
                complete = complete and len(chunk) <= room
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
            secret = scope.get("path") in SECRET_BODIES and kept
            entry = {
                "event": "end",
                **head,
                "body": "(not logged: credentials)" if secret else _body(bytes(kept), complete),
                "status": sent["status"],
                "bytes": sent["bytes"],
                "ms": round((time.perf_counter() - started) * 1000, 1),
            }
            self._write(entry, key, cookie, state.get("who"))

    def _write(
        self, entry: dict[str, Any], key: str | None, cookie: bool, who: str | None = None
    ) -> None:
        try:
            audit, keys = self.context()
            audit.write({**entry, "who": _cut(who or _who(keys, key, cookie), 100)})
        except Exception:  # a broken log must not take the API down; it is logged
            log.exception("could not write the audit log")
