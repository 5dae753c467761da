"""/admin: what only admins do: reload the in-memory engine state after a new analysis, and
raise alerts on demand (``riskgraph analyze`` raises them too)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from riskgraph.api.deps import Admin, Context, Graph
from riskgraph.api.models import Raised, StateInfo
from riskgraph.api.routes_companies import ERRORS
from riskgraph.engine.alerts import raise_alerts
from riskgraph.engine.state import EngineState
from riskgraph.graph.schema import Level

router = APIRouter(prefix="/admin", tags=["admin"])


def _info(state: EngineState) -> StateInfo:
    analysis = state.analysis
    return StateInfo(
        loaded_at=state.loaded_at,
        load_seconds=round(state.load_seconds, 3),
        companies=len(analysis.score),
        exposed=int(analysis.exposed.sum()),
        rings=len(analysis.rings.rings),
    )


@router.get("/state", response_model=StateInfo, responses=ERRORS)
def state_info(caller: Admin, ctx: Context) -> StateInfo:
    """The in-memory state what-ifs and evidence use (loaded now if it was not). Admins."""
    return _info(ctx.state.get())


@router.post("/state/refresh", response_model=StateInfo, responses=ERRORS)
def refresh(caller: Admin, ctx: Context) -> StateInfo:
    """Re-read the graph and re-analyse it in memory (after a new `riskgraph analyze`).
    Admins."""
    return _info(ctx.state.refresh())


MinLevel = Literal["yellow", "orange", "red"]


@router.post("/alerts/raise", response_model=Raised, responses=ERRORS)
def raise_now(
    caller: Admin,
    graph: Graph,
    min_level: Annotated[MinLevel, Query(description="least level that raises an alert")] = (
        "orange"
    ),
) -> Any:
    """Raise alerts for companies whose written-back level is new material risk. Admins."""
    report = raise_alerts(graph, Level(min_level))
    return Raised(candidates=report.candidates, raised=list(report.raised))
