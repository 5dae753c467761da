"""What routes depend on: the app's context (settings, one Gateway, the engine state, the
audit log) and the caller's role, checked before anything else runs.

The dependencies are ``async def`` and do no I/O in the event loop: FastAPI runs a plain
``def`` dependency in its thread pool, one hop per dependency per request, which cost more
than the checks themselves under load (``python -m bench api-load``)."""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Annotated, Any

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyCookie, APIKeyHeader
from starlette.concurrency import run_in_threadpool

from riskgraph.api import privacy
from riskgraph.api.audit import AuditLog
from riskgraph.api.models import Ready
from riskgraph.api.privacy import redact
from riskgraph.api.problems import ProblemError
from riskgraph.api.ratelimit import RateLimiter
from riskgraph.api.security import HEADER, HOW_TO_CONFIGURE, KeyRing, Principal, Role, parse_keys
from riskgraph.api.sessions import (
    COOKIE,
    CSRF_HEADER,
    SAFE_METHODS,
    Session,
    csrf_ok,
    find_session,
)
from riskgraph.api.state import StateHolder
from riskgraph.engine.engine import Engine
from riskgraph.engine.runs import current_run
from riskgraph.engine.state import EngineState
from riskgraph.graph.gateway import Gateway
from riskgraph.i18n.locale import negotiate
from riskgraph.i18n.render import Renderer
from riskgraph.settings import Settings, get_settings

log = logging.getLogger(__name__)

READY_CHECK_S = 3.0  # /ready asks Neo4j at most this often
PING_TIMEOUT_S = 2.5


class ApiContext:
    """Per app: settings (given, or read from the environment per request), a Gateway made
    on first use and kept, the engine state, the audit log."""

    def __init__(self, settings: Settings | None = None) -> None:
        self._settings = settings
        self._graph: Gateway | None = None
        self._lock = threading.Lock()
        self._audit: AuditLog | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready_lock = asyncio.Lock()
        self.rate = RateLimiter()  # per caller, in this worker
        self._neo4j_check: tuple[float, bool] = (-1e9, False)  # (when, answered)
        # the current run's saved state (what `riskgraph analyze` wrote back, GNN included),
        # kept on the current run by a watcher once the server starts
        self.state = StateHolder(
            lambda: Engine(self.graph(), self.settings()).current_state(),
            lambda: self._current_run_id(),
        )

    def _current_run_id(self) -> str | None:
        current = current_run(self.graph())
        return None if current is None else current.id

    def settings(self) -> Settings:
        return self._settings or get_settings()

    def spend(self, who: str) -> None:
        """Count a request of ``who`` against ``RISKGRAPH_RATE_LIMIT`` (429 past it)."""
        self.rate.spend(self.settings().rate_limit, who)

    def keys(self) -> KeyRing:
        """The configured keys; a malformed RISKGRAPH_API_KEYS is a ``ConfigError``."""
        secret = self.settings().api_keys
        return parse_keys(None if secret is None else secret.get_secret_value())

    def graph(self) -> Gateway:
        with self._lock:
            if self._graph is None:
                self._graph = Gateway(self.settings())
                if self._loop is not None:
                    self._graph.open_async(self._loop)
            return self._graph

    @property
    def made_graph(self) -> Gateway | None:
        """The Gateway if it has been made (no I/O)."""
        return self._graph

    async def start(self) -> None:
        """Called in the server's event loop as it starts: async reads run there."""
        self._loop = asyncio.get_running_loop()
        with self._lock:
            if self._graph is not None:
                self._graph.open_async(self._loop)
        self.state.watch(self.settings().run_poll_s)

    def audit(self) -> tuple[AuditLog, KeyRing | None]:
        settings = self.settings()
        path = settings.audit_log
        if self._audit is None or self._audit.path != path:
            if self._audit is not None:
                self._audit.close()
            self._audit = AuditLog(path, settings.audit_max_bytes, settings.audit_backups)
        try:
            keys: KeyRing | None = self.keys()
        except Exception:
            keys = None
        return self._audit, keys

    async def readiness(self) -> tuple[Ready, bool]:
        """(the /ready answer, whether ready): Neo4j checked on the app's own driver at
        most every ``READY_CHECK_S`` seconds, however many probes ask."""
        async with self._ready_lock:
            checked_at, answered = self._neo4j_check
            if time.monotonic() - checked_at > READY_CHECK_S:
                answered = await self._ping()
                self._neo4j_check = (time.monotonic(), answered)
        state = self.state.loaded
        if not answered:
            status, error = "unavailable", "neo4j-unavailable"
        elif state is None:
            status = "loading"
            error = "state-load-failed" if self.state.error else "state-not-loaded"
        else:
            status, error = "ready", None
        body = Ready(
            status=status,
            run_id=None if state is None else state.run_id,
            loaded_at=None if state is None else state.loaded_at,
            pid=os.getpid(),
            neo4j=answered,
            error=error,
        )
        return body, status == "ready"

    async def _ping(self) -> bool:
        try:
            made = self.made_graph
            gateway = (
                made
                if made is not None
                else await asyncio.wait_for(run_in_threadpool(self.graph), PING_TIMEOUT_S)
            )
            rows = await asyncio.wait_for(gateway.read_async("ping"), PING_TIMEOUT_S)
            return bool(rows and rows[0]["ok"])
        except Exception as exc:  # unreachable, refused, timed out: not ready, and why
            log.warning("readiness: Neo4j does not answer: %s", exc)
            return False

    async def aclose(self) -> None:
        """Close the Gateway's async driver, in the server's loop as it stops."""
        self._loop = None
        if self._graph is not None:
            await self._graph.aclose()

    def close(self) -> None:
        self.state.stop()
        if self._audit is not None:
            self._audit.close()
        with self._lock:
            if self._graph is not None:
                self._graph.close()
                self._graph = None


async def context(request: Request) -> ApiContext:
    ctx: ApiContext = request.app.state.context
    return ctx


api_key = APIKeyHeader(
    name=HEADER,
    auto_error=False,
    description="An API key from RISKGRAPH_API_KEYS; its role (viewer, analyst, admin) "
    "decides what it may call.",
)
session_cookie = APIKeyCookie(
    name=COOKIE,
    auto_error=False,
    description="The web app's session, from POST /session; changes (POST, PATCH, DELETE) "
    f"made with it must also send its CSRF token in the {CSRF_HEADER} header.",
)


async def session(
    request: Request,
    ctx: Annotated[ApiContext, Depends(context)],
    token: Annotated[str | None, Security(session_cookie)] = None,
) -> Session | None:
    """The web app session the request's cookie opens, when it sends no API key."""
    if not token or request.headers.get(HEADER):
        return None
    return await find_session(await graph(ctx), ctx.keys(), token)


async def principal(
    request: Request,
    ctx: Annotated[ApiContext, Depends(context)],
    signed_in: Annotated[Session | None, Depends(session)],
    key: Annotated[str | None, Security(api_key)] = None,
) -> Principal:
    """The caller: by the X-API-Key header, else by the web app's session cookie (with
    its CSRF token for a change). Recorded on the request for the audit log."""
    keys = ctx.keys()
    challenge = {"WWW-Authenticate": f'ApiKey header="{HEADER}"'}
    address = request.client.host if request.client else "unknown"
    if keys.empty:
        raise ProblemError(
            401, f"no API keys are configured: {HOW_TO_CONFIGURE}", "unauthorized", challenge
        )
    if key:
        found = keys.identify(key)
        if found is None:  # guessing keys: counted against the address
            ctx.spend(f"unknown-key:{address}")
            raise ProblemError(401, "unknown API key", "unauthorized", challenge)
    elif signed_in is not None:
        request.state.who = signed_in.principal.who
        if request.method not in SAFE_METHODS and not csrf_ok(
            signed_in, request.headers.get(CSRF_HEADER)
        ):
            raise ProblemError(
                403,
                f"a change made with the web app's session needs its {CSRF_HEADER} header "
                "(GET /session gives it)",
                "csrf",
            )
        found = signed_in.principal
    elif request.cookies.get(COOKIE):
        ctx.spend(f"dead-session:{address}")
        raise ProblemError(
            401, "your session has expired or was closed: sign in again", "unauthorized"
        )
    else:
        ctx.spend(f"anonymous:{address}")
        raise ProblemError(
            401, f"send an API key in the {HEADER} header", "unauthorized", challenge
        )
    request.state.who = found.who
    ctx.spend(found.who)
    return found


def require(role: Role) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that lets through callers whose role is ``role`` or above."""

    async def check(caller: Annotated[Principal, Depends(principal)]) -> Principal:
        if not caller.role.allows(role):
            raise ProblemError(
                403,
                f"this needs the {role.value} role or above; your key has {caller.role.value}",
                "forbidden",
            )
        return caller

    return check


Viewer = Annotated[Principal, Depends(require(Role.VIEWER))]
Analyst = Annotated[Principal, Depends(require(Role.ANALYST))]
Admin = Annotated[Principal, Depends(require(Role.ADMIN))]
Context = Annotated[ApiContext, Depends(context)]


async def graph(ctx: Context) -> Gateway:
    """The app's Gateway. Making one checks the connection (up to its timeout when Neo4j
    is unreachable), so that happens in a worker thread, never in the event loop."""
    made = ctx.made_graph
    return made if made is not None else await run_in_threadpool(ctx.graph)


def state(ctx: Context) -> EngineState:
    return ctx.state.get()


async def words(request: Request, ctx: Context) -> Renderer:
    """The request's language: its Accept-Language, else RISKGRAPH_LOCALE (zh-CN)."""
    return Renderer(negotiate(request.headers.get("accept-language"), ctx.settings().locale))


Graph = Annotated[Gateway, Depends(graph)]
State = Annotated[EngineState, Depends(state)]
Words = Annotated[Renderer, Depends(words)]


def shown(
    payload: Any, caller: Principal, gateway: Gateway, known: Mapping[str, bool] | None = None
) -> Any:
    """A route's answer as the caller may see it (``riskgraph.api.privacy``); ``known``:
    phone numbers the route already knows to be personal (True) or not (False)."""
    return redact(payload, caller, gateway, known)


async def shown_async(
    payload: Any, caller: Principal, gateway: Gateway, known: Mapping[str, bool] | None = None
) -> Any:
    """``shown`` for ``async`` routes: the same steps as ``redact``, with the owners of
    numbers not yet known looked up on the async driver, so masking never blocks the loop."""
    known = known or {}
    found = privacy.scan(payload)
    unknown = privacy.to_look_up(found, caller, known)
    rows = await gateway.read_async("api_personal_phones", numbers=unknown) if unknown else []
    return privacy.masked(payload, found, caller, privacy.personal_numbers(known, rows))
