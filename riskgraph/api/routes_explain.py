"""/companies/{id}/explanation: the GNN's and the rules' explanation of one score, as
``riskgraph gnn explain`` gives it. Viewers and up.

The model is read once per file version, and its probabilities for the loaded state once
per state (seconds on a province); an explanation then costs its receptive field: a few
hundred milliseconds to a few seconds for a hub, which is why ``/risk`` (served in
milliseconds) links here rather than embedding it. Without a model file the rules' part
(paths, reasons) is still given."""

from __future__ import annotations

import threading
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from riskgraph.api.deps import Context, Graph, State, Viewer, shown
from riskgraph.api.problems import ProblemError
from riskgraph.api.routes_companies import ERRORS
from riskgraph.api.state import EngineState
from riskgraph.gnn.train import TrainedModel
from riskgraph.risk.analysis import Analysis

router = APIRouter(prefix="/companies", tags=["companies"])


class Tie(BaseModel):
    source_label: str
    source_key: str
    relationship: str
    target_label: str
    target_key: str
    weight: float = Field(description="drop of the GNN's logit without this tie")


class Entity(BaseModel):
    label: str
    key: str
    weight: float


class Feature(BaseModel):
    name: str
    value: float | None
    attribution: float = Field(description="input x gradient, in logit units")


class EvidencePathOut(BaseModel):
    text: str
    hops: int
    contribution: float


class Explanation(BaseModel):
    company: str
    score: float
    level: str
    components: dict[str, float]
    probability: float | None = Field(description="the GNN's; null without a model")
    model: str | None = Field(description="fingerprint of the model's training graph")
    edges: list[Tie]
    entities: list[Entity]
    features: list[Feature]
    paths: list[EvidencePathOut]
    reasons: list[str]


class _Cache:
    """The model of one file version and the state's analysis with its component."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple[int, str, float] | None = None
        self._value: tuple[TrainedModel, Analysis] | None = None

    def get(self, state: EngineState, path: FilePath) -> tuple[TrainedModel, Analysis] | None:
        if not path.exists():
            return None
        key = (id(state.analysis), str(path), path.stat().st_mtime)
        with self._lock:
            if key != self._key or self._value is None:
                model = TrainedModel.load(path)
                analysis = model.add_to(state.analysis)
                self._key, self._value = key, (model, analysis)
            return self._value


_cache = _Cache()


@router.get("/{id}/explanation", response_model=Explanation, responses=ERRORS)
def explanation(
    id: Annotated[str, Path(min_length=1, max_length=200, description="Company.id (USCC)")],
    caller: Viewer,
    ctx: Context,
    state: State,
    graph: Graph,
    top: Annotated[int, Query(ge=1, le=20, description="ties, entities, features")] = 8,
) -> Any:
    """Why the company scores what it does: the ties, entities and own features the GNN's
    prediction rests on (when a model is trained), the propagation's evidence paths and the
    reasons."""
    from riskgraph.gnn.explain import explain

    if state.company_row(id) is None:
        raise ProblemError(404, f"no company has the id {id!r}", "not-found")
    cached = _cache.get(state, ctx.settings().gnn_model)
    model, analysis = (None, state.analysis) if cached is None else cached
    # the state's tree: same graph and seeds (the GNN only adds a score component)
    result = explain(analysis, id, model, top=top, tree=state.tree).to_dict()
    result["model"] = None if model is None else model.fingerprint
    return shown(result, caller, graph)
