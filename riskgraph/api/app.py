"""The FastAPI application: wiring only. Routes live in ``routes_*``, keys and roles in
``security``, errors in ``problems``, the audit log in ``audit``, the engine state in
``state``; the work lives in the library."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline

from riskgraph import __version__
from riskgraph.api import (
    problems,
    routes_admin,
    routes_alerts,
    routes_companies,
    routes_entities,
    routes_explain,
    routes_network,
    routes_search,
    routes_session,
    routes_ui,
)
from riskgraph.api.audit import AuditMiddleware
from riskgraph.api.deps import ApiContext
from riskgraph.api.models import Health, Ready
from riskgraph.graph.server import describe
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
    app.add_middleware(AuditMiddleware, context=context.audit)

    @app.get("/health", response_model=Health, tags=["health"])
    def health() -> Health:
        """Whether the API can reach Neo4j (for load balancers and compose health checks;
        needs no key)."""
        status = describe(context.settings())
        return Health(
            status="ok" if status.running else "degraded",
            neo4j_uri=status.uri,
            neo4j_version=status.version,
        )

    @app.get(
        "/ready",
        response_model=Ready,
        tags=["health"],
        responses={503: {"model": Ready, "description": "the engine state is still loading"}},
    )
    def ready() -> JSONResponse:
        """Whether this worker has loaded the current run's state and serves it (for load
        balancers: 503 until then; needs no key)."""
        holder = context.state
        state = holder.loaded
        body = Ready(
            status="ready" if state is not None else "loading",
            run_id=None if state is None else state.run_id,
            loaded_at=None if state is None else state.loaded_at,
            pid=os.getpid(),
            error=holder.error,
        )
        return JSONResponse(body.model_dump(mode="json"), status_code=200 if state else 503)

    for module in (
        routes_session,
        routes_companies,
        routes_search,
        routes_entities,
        routes_explain,
        routes_network,
        routes_alerts,
        routes_admin,
    ):
        app.include_router(module.router)
    # the web app: its assets first, then its page for every other address under /ui
    app.mount("/ui/static/vendor", routes_ui.vendor_files(), name="ui-vendor")
    app.mount("/ui/static", routes_ui.static_files(), name="ui-static")
    app.include_router(routes_ui.router)
    return app
