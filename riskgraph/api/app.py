"""The FastAPI application: wiring only. Routes live in ``routes_*``, keys and roles in
``security``, errors in ``problems``, the audit log in ``audit``, the engine state in
``state``; the work lives in the library."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline

from riskgraph import __version__
from riskgraph.api import (
    contract,
    problems,
    routes_admin,
    routes_alerts,
    routes_companies,
    routes_entities,
    routes_explain,
    routes_model,
    routes_network,
    routes_search,
    routes_session,
    routes_ui,
)
from riskgraph.api.audit import AuditMiddleware
from riskgraph.api.deps import ApiContext
from riskgraph.api.limits import BodyLimit, InFlightLimit, SecurityHeaders
from riskgraph.api.models import Health, Ready
from riskgraph.settings import Settings

DESCRIPTION = """\
Risk scores with their explanations, the company file, ownership, connections, rings,
what-if contagion and alerts.

Every call but `/health` and these docs needs an API key in the `X-API-Key` header
(`RISKGRAPH_API_KEYS`), or the session cookie of the web app at `/ui` (`POST /session`):
**viewer** reads, **analyst** also runs what-ifs (`POST /propagate`) and handles alerts
(`PATCH /alerts/{id}`), **admin** also reloads the engine state.
Errors are problem details (RFC 9457). Every request is written to the audit log.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app; ``settings`` fixes the configuration, else it is read from the environment
    (per request, through ``get_settings``)."""
    context = ApiContext(settings)
    fixed = context.settings()  # limits are set once, as the app is made

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await context.start()
        yield
        await context.aclose()
        context.close()

    # /docs and /redoc with their Swagger UI and ReDoc assets served from the package (no
    # CDN: users are on air-gapped networks); no validator badge (it would call
    # validator.swagger.io), no Google fonts
    app = FastAPIOffline(
        title="riskgraph",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        swagger_ui_parameters={"validatorUrl": None},
    )
    app.state.context = context
    problems.install(app)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(InFlightLimit, limit=lambda: fixed.max_in_flight)
    app.add_middleware(BodyLimit, limit=fixed.max_body_bytes)

    @app.get("/health", response_model=Health, tags=["health"])
    async def health() -> Health:
        """Liveness: the process answers (for load balancers and orchestrators; needs no key,
        says nothing of the configuration, touches nothing). Readiness is `/ready`."""
        return Health(status="ok")

    @app.get(
        "/ready",
        response_model=Ready,
        tags=["health"],
        responses={503: {"model": Ready, "description": "Neo4j or the engine state is not usable"}},
    )
    async def ready() -> JSONResponse:
        """Readiness: Neo4j answers (checked on the app's own driver, at most every few
        seconds) and this worker serves the current run's state. 503 until both hold, with
        a short reason (for load balancers; needs no key)."""
        body, ok = await context.readiness()
        return JSONResponse(body.model_dump(mode="json"), status_code=200 if ok else 503)

    for module in (
        routes_session,
        routes_companies,
        routes_search,
        routes_entities,
        routes_explain,
        routes_model,
        routes_network,
        routes_alerts,
        routes_admin,
    ):
        app.include_router(module.router)
    # the web app: its assets first, then its page for every other address under /ui
    app.mount("/ui/static/vendor", routes_ui.vendor_files(), name="ui-vendor")
    app.mount("/ui/static", routes_ui.static_files(), name="ui-static")
    app.include_router(routes_ui.router)
    contract.install(app, lambda: context.keys().assignees())
    # The audit log outermost of all, around even Starlette's error and body-limit layers,
    # so that every request has its audit lines, refused or crashed. Built last: the stack
    # takes the exception handlers registered by then.
    app.middleware_stack = AuditMiddleware(app.build_middleware_stack(), context=context.audit)
    return app
