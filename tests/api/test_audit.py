"""The audit log file itself: private (0600 even over an older 0644 file), rotated by size,
shared by workers without losing a line, and bounded whatever a request carries."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import pytest
from starlette.types import Message, Receive, Scope, Send

from riskgraph.api.audit import MAX_FIELD, MAX_LOGGED_BODY, AuditLog, AuditMiddleware

pytestmark = pytest.mark.unit


def _lines(directory: Path) -> list[dict[str, object]]:
    out = []
    for path in sorted(directory.glob("audit.log*")):
        if not path.name.endswith(".lock"):
            out += [json.loads(line) for line in path.read_text("ascii").splitlines()]
    return out


def test_the_file_is_private_even_where_an_older_one_was_not(tmp_path: Path) -> None:
    path = tmp_path / "audit.log"
    path.write_text("")
    os.chmod(path, 0o644)
    log = AuditLog(path)
    log.write({"event": "start", "n": 1})
    log.close()
    assert path.stat().st_mode & 0o777 == 0o600


def test_two_workers_rotate_one_file_and_lose_no_line(tmp_path: Path) -> None:
    path = tmp_path / "audit.log"
    first, second = AuditLog(path, 2_000, 50), AuditLog(path, 2_000, 50)
    for n in range(200):
        (first if n % 2 else second).write({"event": "end", "n": n, "pad": "x" * 40})
    first.close()
    second.close()
    written = sorted(int(str(line["n"])) for line in _lines(tmp_path))
    assert written == list(range(200))  # every line, once
    files = [p for p in tmp_path.glob("audit.log*") if not p.name.endswith(".lock")]
    assert len(files) > 3  # it rotated
    assert all(p.stat().st_size <= 2_000 + 200 for p in files)
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in files)


def test_a_request_cannot_make_a_long_line(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.log")
    sent: list[Message] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        while (await receive()).get("more_body"):
            pass
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    chunks = [b"a" * 100_000] * 5
    scope: Scope = {
        "type": "http",
        "method": "POST",
        "path": "/p" * 10_000,
        "query_string": "&".join(f"k{i}={'v' * 5000}" for i in range(500)).encode(),
        "headers": [(b"user-agent", b"u" * 10_000)],
        "client": ("10.0.0.1", 1234),
    }

    async def receive() -> Message:
        body = chunks.pop() if chunks else b""
        return {"type": "http.request", "body": body, "more_body": bool(chunks)}

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(AuditMiddleware(app, lambda: (log, None))(scope, receive, send))
    log.close()
    start, end = _lines(tmp_path)
    assert start["event"] == "start" and end["event"] == "end" and start["id"] == end["id"]
    line = (tmp_path / "audit.log").read_text("ascii").splitlines()[1]
    assert len(line) < MAX_LOGGED_BODY + 40 * MAX_FIELD  # not the 500 kB that came in
    assert len(str(end["path"])) <= MAX_FIELD + 3 and len(end["params"]) <= 32  # type: ignore[arg-type]
    assert end["client"] == "10.0.0.1" and end["status"] == 200
