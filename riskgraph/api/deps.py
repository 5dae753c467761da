"""What routes depend on: the app's context (settings, one Gateway, the engine state, the
audit log) and the caller's role, checked before anything else runs."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Annotated, Any

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader

from riskgraph.api.audit import AuditLog
from riskgraph.api.privacy import redact
from riskgraph.api.problems import ProblemError
from riskgraph.api.security import HEADER, HOW_TO_CONFIGURE, KeyRing, Principal, Role, parse_keys
from riskgraph.api.state import EngineState, StateHolder, load_state
from riskgraph.graph.gateway import Gateway
from riskgraph.settings import Settings, get_settings


class ApiContext:
    """Per app: settings (given, or read from the environment per request), a Gateway made
    on first use and kept, the engine state, the audit log."""

    def __init__(self, settings: Settings | None = None) -> None:
        self._settings = settings
        self._graph: Gateway | None = None
        self._lock = threading.Lock()
        self._audit: AuditLog | None = None
        self.state = StateHolder(lambda: load_state(self.graph(), self.settings()))

    def settings(self) -> Settings:
        return self._settings or get_settings()

    def keys(self) -> KeyRing:
        """The configured keys; a malformed RISKGRAPH_API_KEYS is a ``ConfigError``."""
        secret = self.settings().api_keys
        return parse_keys(None if secret is None else secret.get_secret_value())

    def graph(self) -> Gateway:
        with self._lock:
            if self._graph is None:
                self._graph = Gateway(self.settings())
            return self._graph

    def audit(self) -> tuple[AuditLog, KeyRing | None]:
        path = self.settings().audit_log
        if self._audit is None or self._audit.path != path:
            self._audit = AuditLog(path)
        try:
            keys: KeyRing | None = self.keys()
        except Exception:
            keys = None
        return self._audit, keys

    def close(self) -> None:
        with self._lock:
            if self._graph is not None:
                self._graph.close()
                self._graph = None


def context(request: Request) -> ApiContext:
    ctx: ApiContext = request.app.state.context
    return ctx


api_key = APIKeyHeader(
    name=HEADER,
    auto_error=False,
    description="An API key from RISKGRAPH_API_KEYS; its role (viewer, analyst, admin) "
    "decides what it may call.",
)


def principal(
    ctx: Annotated[ApiContext, Depends(context)],
    key: Annotated[str | None, Security(api_key)] = None,
) -> Principal:
    keys = ctx.keys()
    challenge = {"WWW-Authenticate": f'ApiKey header="{HEADER}"'}
    if keys.empty:
        raise ProblemError(
            401, f"no API keys are configured: {HOW_TO_CONFIGURE}", "unauthorized", challenge
        )
    if not key:
        raise ProblemError(
            401, f"send an API key in the {HEADER} header", "unauthorized", challenge
        )
    found = keys.identify(key)
    if found is None:
        raise ProblemError(401, "unknown API key", "unauthorized", challenge)
    return found


def require(role: Role) -> Callable[[Principal], Principal]:
    """A dependency that lets through callers whose role is ``role`` or above."""

    def check(caller: Annotated[Principal, Depends(principal)]) -> Principal:
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


def graph(ctx: Context) -> Gateway:
    return ctx.graph()


def state(ctx: Context) -> EngineState:
    return ctx.state.get()


Graph = Annotated[Gateway, Depends(graph)]
State = Annotated[EngineState, Depends(state)]


def shown(
    payload: Any, caller: Principal, gateway: Gateway, known: Mapping[str, bool] | None = None
) -> Any:
    """A route's answer as the caller may see it (``riskgraph.api.privacy``); ``known``:
    phone numbers the route already knows to be personal (True) or not (False)."""
    return redact(payload, caller, gateway, known)
