"""/companies/{id}/explanation: the GNN's and the rules' explanation of one score, as
``riskgraph gnn explain`` gives it. Viewers and up.

The model is the engine state's own (the one the state's scores came from); an explanation
costs its receptive field: a few hundred milliseconds to a few seconds for a hub, which is
why ``/risk`` (served in milliseconds) links here rather than embedding it. Without a model
the rules' part (paths, reasons) is still given."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from riskgraph.api.deps import Graph, State, Viewer, Words, shown
from riskgraph.api.models import Explanation
from riskgraph.api.problems import ProblemError
from riskgraph.api.routes_companies import ERRORS
from riskgraph.engine.names import named_values
from riskgraph.risk.codes import Reason

router = APIRouter(prefix="/companies", tags=["companies"])


@router.get("/{id}/explanation", response_model=Explanation, responses=ERRORS)
def explanation(
    id: Annotated[str, Path(min_length=1, max_length=200, description="Company.id (USCC)")],
    caller: Viewer,
    state: State,
    graph: Graph,
    words: Words,
    top: Annotated[int, Query(ge=1, le=20, description="ties, entities, features")] = 8,
) -> Any:
    """Why the company scores what it does: the ties, entities and own features the GNN's
    prediction rests on (when a model is trained), the propagation's evidence paths and the
    reasons."""
    if state.company_row(id) is None:
        raise ProblemError(404, f"no company has the id {id!r}", "not-found")
    from riskgraph.gnn.explain import explain  # torch: imported on the first explanation

    result = explain(state.analysis, id, state.model, top=top, tree=state.tree)
    paths = named_values(graph, [p.path for p in result.paths])
    reasons = [
        Reason.from_dict(r) for r in named_values(graph, [r.to_dict() for r in result.reasons])
    ]
    body = result.to_dict()
    body["paths"] = [
        {"text": words.path(path), "hops": p.hops, "contribution": p.contribution}
        for path, p in zip(paths, result.paths, strict=True)
    ]
    body["reasons"] = words.reasons(reasons)
    body["reason_codes"] = [r.to_dict() for r in reasons]
    body["model"] = None if state.model is None else state.model.fingerprint
    return shown(Explanation.model_validate(body).model_dump(mode="json"), caller, graph)
