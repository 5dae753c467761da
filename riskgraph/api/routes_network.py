"""The network as a whole: how two entities are connected (/paths), what-if contagion
(/propagate, analysts) and the detected rings (/rings)."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Path, Query

from riskgraph.api.deps import (
    Analyst,
    ApiContext,
    Context,
    Graph,
    State,
    Viewer,
    Words,
    shown,
)
from riskgraph.api.explain import build_ring_subgraph, path_out
from riskgraph.api.models import (
    Impacted,
    Paths,
    PathsQuery,
    PropagateRequest,
    PropagateResult,
    RingDetail,
    RingHistory,
    RingList,
    RingRunOut,
    Subgraph,
)
from riskgraph.api.privacy import PHONE, hide_personal
from riskgraph.api.problems import ProblemError
from riskgraph.api.routes_companies import ERRORS
from riskgraph.api.security import Role
from riskgraph.api.worded import ring_summary
from riskgraph.engine.writeback import SCORE_DECIMALS
from riskgraph.graph import investigate
from riskgraph.graph.gateway import Gateway
from riskgraph.risk.evidence import evidence_paths, evidence_tree
from riskgraph.risk.reasons import mask_phone

PATH_FLOOR = 1e-6  # what-if paths contributing less are not searched for

router = APIRouter(tags=["network"])

HIT_FLOOR = 1e-4  # contagion below this is PageRank dust, not a hit (scoring.contagion_floor)


@router.get("/paths", response_model=Paths, responses=ERRORS)
def paths(query: Annotated[PathsQuery, Query()], caller: Viewer, graph: Graph) -> Any:
    """How two entities (companies, people, addresses, phones) are connected: the shortest
    paths first, then longer simple ones up to `max_hops`, never through hubs. To a viewer,
    a natural person's phone number is no endpoint: it answers as an unknown one does."""
    for ident in (query.from_, query.to):
        if (
            caller.role is Role.VIEWER
            and PHONE.fullmatch(ident)
            and (hide_personal(ident, caller, graph) or not graph.read("entity_label", id=ident))
        ):  # personal or unknown: one answer, the number masked as a viewer sees it
            raise investigate.EntityNotFound(
                f"no company, person, address or phone has the id {mask_phone(ident)!r}"
            )
    params = investigate.PathsParams.model_validate(
        {
            "from": query.from_,
            "to": query.to,
            "max_hops": query.max_hops,
            "types": query.types,
            "limit": query.limit,
            "as_of": query.as_of,
        }
    )
    found = investigate.run(graph, "connection_paths", params)
    body = Paths.model_validate(
        {"from": query.from_, "to": query.to, "paths": [p.model_dump() for p in found]}
    )
    return shown(body.model_dump(mode="json", by_alias=True), caller, graph)


@router.post("/propagate", response_model=PropagateResult, responses=ERRORS, tags=["what-if"])
def propagate(
    body: PropagateRequest, caller: Analyst, graph: Graph, state: State, words: Words
) -> Any:
    """What-if: if these companies blew up, who would be hit, how hard, and by which paths.
    Solved on the in-memory graph (no re-read of Neo4j). Analysts and admins."""
    started = time.perf_counter()
    analysis = state.analysis
    index = analysis.snapshot.nodes["Company"].index
    given = list(dict.fromkeys(body.seeds))
    unknown = [s for s in given if s not in index]
    if unknown:
        shown_ids = ", ".join(repr(s) for s in unknown[:10])
        raise ProblemError(404, f"no company has the seed id(s) {shown_ids}", "not-found")
    seeds = state.company_nodes(given)
    if body.include_exposed:
        seeds = np.union1d(seeds, analysis.seeds)
    alpha = body.alpha if body.alpha is not None else analysis.params.alpha
    scores = state.propagator_for(alpha).scores(seeds)[analysis.graph.indices("Company")]
    offset = analysis.graph.offsets["Company"]
    ranked = scores.copy()
    ranked[seeds - offset] = -1.0  # seeds are hit by definition
    hit = int((ranked > HIT_FLOOR).sum())
    order = np.argsort(-ranked, kind="stable")[: body.top]
    rows = [int(r) for r in order if ranked[r] > 0.0]
    tree = (
        evidence_tree(analysis.graph, seeds, alpha, floor=PATH_FLOOR)
        if body.paths and rows
        else None
    )
    keys = analysis.snapshot.nodes["Company"].keys
    cards = {
        c["key"]: c
        for c in graph.read(
            "api_entity_cards", nodes=[{"label": "Company", "key": str(keys[r])} for r in rows]
        )
    }
    companies = []
    for r in rows:
        key = str(keys[r])
        found = [] if tree is None else evidence_paths(tree, offset + r, k=body.paths)
        companies.append(
            Impacted(
                id=key,
                name=cards.get(key, {}).get("name"),
                contagion=float(scores[r]),
                baseline=float(analysis.contagion[r]),
                level=str(analysis.level[r]),
                score=round(float(analysis.score[r]), SCORE_DECIMALS),
                paths=[path_out(state, p, words) for p in found],
            )
        )
    result = PropagateResult(
        seeds=given,
        alpha=alpha,
        hit=hit,
        took_ms=round((time.perf_counter() - started) * 1000, 1),
        companies=companies,
    )
    return shown(result.model_dump(mode="json"), caller, graph)


@router.get("/rings", response_model=RingList, responses=ERRORS, tags=["rings"])
def rings(
    caller: Viewer,
    graph: Graph,
    words: Words,
    min_score: Annotated[float, Query(ge=0.0, le=1.0, description="least ring score")] = 0.0,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Any:
    """Detected rings (团伙), riskiest first, with why each scored."""
    row = graph.read("api_rings", min_score=min_score, skip=offset, limit=limit)[0]
    body = RingList(total=row["total"], items=[ring_summary(i, words) for i in row["items"]])
    return shown(body.model_dump(mode="json"), caller, graph)


def _ring_row(
    graph: Gateway, ctx: ApiContext, ring_id: str, limit: int
) -> tuple[dict[str, Any], dt.date]:
    """The ``api_ring`` row of a ring and the day it was read as of: the day the served
    run read the graph as of, today before a run is loaded. 404 for an unknown ring."""
    state = ctx.state.loaded
    day = state.analysis.snapshot.as_of if state is not None else dt.date.today()
    rows = graph.read("api_ring", id=ring_id, limit=limit, as_of=day)
    if not rows:
        raise ProblemError(404, f"no ring has the id {ring_id!r}", "not-found")
    return rows[0], day


@router.get("/rings/{id}", response_model=RingDetail, responses=ERRORS, tags=["rings"])
def ring(
    id: Annotated[str, Path(min_length=1, max_length=50, description="ring id, e.g. R0001")],
    caller: Viewer,
    graph: Graph,
    words: Words,
    ctx: Context,
    limit: Annotated[int, Query(ge=1, le=2000, description="most members listed")] = 500,
) -> Any:
    """One ring: its score and reasons, the features behind them, its member companies and
    people, and the phones, addresses and people its companies share (the ties in force on
    the day the served run read the graph as of, today before a run is loaded)."""
    row, _ = _ring_row(graph, ctx, id, limit)
    summary = ring_summary(row["ring"], words)
    shared = sorted(row["shared"], key=lambda s: (-s["members"], s["degree"], s["value"]))
    body = RingDetail(
        **summary.model_dump(),
        features=json.loads(row["ring"].get("features") or "{}"),
        members=row["companies"],
        people=row["persons"],
        shared=shared[:limit],
    )
    return shown(body.model_dump(mode="json"), caller, graph)


@router.get("/rings/{id}/subgraph", response_model=Subgraph, responses=ERRORS, tags=["rings"])
def ring_subgraph(
    id: Annotated[str, Path(min_length=1, max_length=50, description="ring id, e.g. R0001")],
    caller: Viewer,
    graph: Graph,
    ctx: Context,
    words: Words,
    limit: Annotated[int, Query(ge=1, le=500, description="most nodes drawn")] = 200,
) -> Any:
    """The ring as a graph: member companies and people, the phones, addresses and people
    they share, and the relationships among them (what the web app draws)."""
    row, day = _ring_row(graph, ctx, id, limit)
    body = build_ring_subgraph(graph, row, limit, day, words)
    return shown(body.model_dump(mode="json"), caller, graph)


@router.get("/rings/{id}/history", response_model=RingHistory, responses=ERRORS, tags=["rings"])
def ring_history(
    id: Annotated[str, Path(min_length=1, max_length=50, description="ring id, e.g. R0001")],
    caller: Viewer,
    graph: Graph,
) -> Any:
    """The ring in every run it was found in, oldest first: its score and size, and the
    companies and people that joined or left it since the run before. A ring keeps its id
    while its membership stays mostly the same (docs/risk-model.md, "Ring ids")."""
    rows = graph.read("ring_history", id=id)
    if not rows:
        raise ProblemError(404, f"no ring has had the id {id!r}", "not-found")
    runs: list[RingRunOut] = []
    companies: set[str] = set()
    persons: set[str] = set()
    for row in rows:
        now_c, now_p = set(row["company_ids"] or []), set(row["person_ids"] or [])
        runs.append(
            RingRunOut(
                run_id=row["run_id"],
                at=row["at"],
                score=row["score"],
                companies=row["companies"],
                persons=row["persons"],
                companies_added=sorted(now_c - companies),
                companies_removed=sorted(companies - now_c),
                persons_added=sorted(now_p - persons),
                persons_removed=sorted(persons - now_p),
            )
        )
        companies, persons = now_c, now_p
    body = RingHistory(id=id, runs=runs)
    return shown(body.model_dump(mode="json"), caller, graph)
