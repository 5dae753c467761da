"""The FastAPI application. Routes stay short; the work lives in the library."""

from __future__ import annotations

from fastapi import FastAPI
from pydantic import BaseModel

from riskgraph import __version__
from riskgraph.graph.server import describe
from riskgraph.settings import get_settings


class Health(BaseModel):
    status: str
    neo4j_uri: str
    neo4j_version: str | None


def create_app() -> FastAPI:
    app = FastAPI(title="riskgraph", version=__version__)

    @app.get("/health", response_model=Health)
    def health() -> Health:
        """Whether the API can reach Neo4j (for load balancers and compose health checks)."""
        status = describe(get_settings())
        return Health(
            status="ok" if status.running else "degraded",
            neo4j_uri=status.uri,
            neo4j_version=status.version,
        )

    return app
