"""/alerts: the closed loop. Viewers read alerts; analysts assign, confirm, dismiss and
dispose of them, and what they confirm or dismiss becomes a label for the GNN."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from riskgraph.api.deps import Analyst, Context, Graph, Viewer, Words, shown
from riskgraph.api.models import AlertList, AlertOut, AlertPatch
from riskgraph.api.problems import Problem, ProblemError
from riskgraph.api.routes_companies import ERRORS
from riskgraph.api.worded import worded
from riskgraph.engine.alerts import AlertState, list_alerts, update_alert
from riskgraph.graph.gateway import Gateway
from riskgraph.graph.schema import Level
from riskgraph.i18n.render import Renderer

router = APIRouter(prefix="/alerts", tags=["alerts"])

AlertId = Annotated[str, Path(min_length=1, max_length=64, description="Alert.id")]


def _one(graph: Gateway, alert: str, words: Renderer) -> AlertOut:
    _, items = list_alerts(graph, alert=alert, limit=1)
    if not items:
        raise ProblemError(404, f"no alert has the id {alert!r}", "not-found")
    return AlertOut.model_validate(worded(items[0], words))


@router.get("", response_model=AlertList, responses=ERRORS)
def alerts(
    caller: Viewer,
    graph: Graph,
    words: Words,
    state: Annotated[AlertState | None, Query(description="only alerts in this state")] = None,
    level: Annotated[Level | None, Query(description="only alerts raised at this level")] = None,
    company_id: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Any:
    """Alerts, newest first, each with its company's current level and score."""
    total, items = list_alerts(
        graph,
        state=state,
        level=None if level is None else level.value,
        company_id=company_id,
        skip=offset,
        limit=limit,
    )
    body = AlertList(total=total, items=[AlertOut.model_validate(worded(i, words)) for i in items])
    return shown(body.model_dump(mode="json"), caller, graph)


@router.get("/{id}", response_model=AlertOut, responses=ERRORS)
def alert(id: AlertId, caller: Viewer, graph: Graph, words: Words) -> Any:
    """One alert with its history."""
    return shown(_one(graph, id, words).model_dump(mode="json"), caller, graph)


@router.patch(
    "/{id}",
    response_model=AlertOut,
    responses={**ERRORS, 409: {"model": Problem, "description": "the state forbids it"}},
)
def patch_alert(
    id: AlertId, change: AlertPatch, caller: Analyst, graph: Graph, words: Words, ctx: Context
) -> Any:
    """Move an alert along new -> assigned -> confirmed / dismissed -> disposed, and/or set
    its note. Confirmed (and disposed) alerts label their company risky for the next GNN
    training, dismissed ones not risky. Analysts and admins; 409 when the alert's state
    does not allow the change (disposed is final). Assigning names a user: `assignee`, one
    of the named analyst and admin keys, else the caller."""
    if change.state is None and change.note is None and change.assignee is None:
        raise ProblemError(422, "nothing to change: give a state, a note or an assignee", "invalid")
    assignee = change.assignee
    if assignee is None and change.state is AlertState.ASSIGNED:
        assignee = caller.name
    if assignee is not None and assignee not in ctx.keys().assignees():
        raise ProblemError(
            422,
            f"{assignee!r} is not a named analyst or admin (role:name:key in RISKGRAPH_API_KEYS)",
            "invalid",
        )
    update_alert(graph, id, change.state, change.note, by=caller.who, assignee=assignee)
    return shown(_one(graph, id, words).model_dump(mode="json"), caller, graph)
