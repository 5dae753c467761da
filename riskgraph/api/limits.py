"""Bounds on what one request may cost, enforced before any route or parser runs:

- ``BodyLimit``: a body over ``RISKGRAPH_MAX_BODY_BYTES`` is refused with 413 as soon as its
  ``Content-Length`` says so, before any route or key check, or as soon as a streamed body
  passes it: no body is ever read whole, whoever sends it. (Starlette's own
  ``RequestBodyLimitMiddleware`` answers in plain text and only once the app reads.)
- ``InFlightLimit``: at most ``RISKGRAPH_MAX_IN_FLIGHT`` requests at once per worker; past
  that, 503 with ``Retry-After`` at once, instead of a queue that stalls every route.

Both answer problem+json (RFC 9457) and sit inside the audit middleware (outermost of all,
``app.RiskgraphApi``), so every refusal has its audit line.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re
import time
from collections.abc import Callable
from http import HTTPStatus
from typing import NoReturn

import orjson
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from riskgraph.api.problems import MEDIA_TYPE

# /health and /ready answer load balancers even when the worker is full
ALWAYS = frozenset({"/health", "/ready"})


async def send_problem(
    scope: Scope,
    send: Send,
    status: int,
    detail: str,
    kind: str,
    headers: dict[str, str] | None = None,
) -> None:
    """A problem answer straight onto the ASGI channel (no app, no parser involved)."""
    title = "Content Too Large" if status == 413 else HTTPStatus(status).phrase
    body = orjson.dumps(
        {
            "type": f"/problems/{kind}",
            "title": title,
            "status": status,
            "detail": detail,
            "instance": scope.get("path"),
        }
    )
    raw = [
        (b"content-type", MEDIA_TYPE.encode()),
        (b"content-length", str(len(body)).encode()),
        *((k.lower().encode(), v.encode()) for k, v in (headers or {}).items()),
    ]
    if status == 413:
        raw.append((b"connection", b"close"))  # the rest of the body is not read
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


BODY_SECONDS = 30.0  # a body must have arrived by then (a slow sender holds a worker slot)


class BodyTooLarge(Exception):
    """Raised into the app when a streamed body passes the limit, or its time (the 413 or
    408 is already sent)."""


class BodyLimit:
    """A body over the limit gets 413 without being read: refused before the app runs when
    its Content-Length says so (or is unreadable), else as soon as the streamed chunks
    pass the limit. In that case the 413 goes out at once and whatever the app answers
    afterwards is dropped."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        detail = f"the request body is larger than {self.limit} bytes"
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > self.limit
            except ValueError:
                too_big = True  # an unreadable length is refused rather than trusted
            if too_big:
                await send_problem(scope, send, 413, detail, "too-large")
                return
        received = 0
        refused = False
        started = False
        whole = False  # the body has ended: waits after it (for a disconnect) are not timed
        deadline = time.monotonic() + BODY_SECONDS

        async def refuse(status: int, why: str, kind: str) -> NoReturn:
            nonlocal refused
            refused = True
            if not started:
                await send_problem(scope, send, status, why, kind)
            raise BodyTooLarge

        async def counted() -> Message:
            nonlocal received, whole
            if whole:
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), max(deadline - time.monotonic(), 0))
            except TimeoutError:
                slow = f"the request body did not arrive within {BODY_SECONDS:.0f} s"
                await refuse(408, slow, "body-timeout")
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                whole = not message.get("more_body", False)
                if received > self.limit:
                    await refuse(413, detail, "too-large")
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if refused:
                return  # the 413 went out already
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, guarded)
        except Exception:
            if not refused:
                raise


class InFlightLimit:
    def __init__(self, app: ASGIApp, limit: Callable[[], int]) -> None:
        self.app = app
        self.limit = limit
        self.in_flight = 0  # one event loop per worker: no lock needed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in ALWAYS:
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.limit():
            await send_problem(
                scope,
                send,
                503,
                "this worker is answering as many requests as it may: try again shortly",
                "busy",
                {"Retry-After": "1"},
            )
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1


class SecurityHeaders:
    """Headers every answer carries (``nosniff``, no referrer, no framing), and for an HTML
    page without a policy of its own, a Content-Security-Policy allowing its own inline
    scripts by hash only (the pyvis page, the API docs): an injected script runs nowhere."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def secured(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = MutableHeaders(raw=list(message.get("headers", [])))
                for name, value in COMMON_HEADERS.items():
                    headers.setdefault(name, value)
                message = {**message, "headers": headers.raw}
                html = headers.get("content-type", "").startswith("text/html")
                head = scope.get("method") == "HEAD"  # no body to hash: sent as it is
                if html and not head and "content-security-policy" not in headers:
                    start = message  # held until the page is whole: its hashes go first
                    return
                await send(message)
            elif start is not None and message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                page = b"".join(chunks)
                headers = MutableHeaders(raw=start["headers"])
                headers["content-security-policy"] = page_policy(page)
                headers["content-length"] = str(len(page))
                await send({**start, "headers": headers.raw})
                await send({"type": "http.response.body", "body": page})
            else:
                await send(message)

        await self.app(scope, receive, secured)


COMMON_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}
INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc\s*=)[^>]*>(.*?)</script\s*>", re.S | re.I)


def page_policy(page: bytes) -> str:
    """The CSP of a page: its own scripts (by URL or, inline, by SHA-256), styles inline
    (vis-network and Swagger UI style elements they draw), nothing from elsewhere."""
    hashes = sorted(
        {
            "'sha256-" + base64.b64encode(hashlib.sha256(body).digest()).decode() + "'"
            for body in INLINE_SCRIPT.findall(page)
        }
    )
    return (
        f"default-src 'self'; script-src 'self' {' '.join(hashes)}; "
        "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; "
        "font-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    ).replace("'self' ;", "'self';")
