"""/companies/{id}: the company file, its risk with the evidence, the explanation subgraph
(JSON and a pyvis page) and its controllers. Viewers and up."""

from __future__ import annotations

import datetime as dt
import re
import threading
from typing import Annotated, Any
from urllib.parse import quote

import orjson
from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from riskgraph.api.deps import ApiContext, Context, Graph, Viewer, Words, shown, shown_async
from riskgraph.api.explain import build_subgraph, company_paths, path_keys, path_out
from riskgraph.api.models import (
    AsOf,
    CompanyFile,
    CompanyRisk,
    Controllers,
    GnnSummary,
    PersonEntry,
    Subgraph,
    SubgraphQuery,
)
from riskgraph.api.printable import render_company_file
from riskgraph.api.problems import Problem, ProblemError
from riskgraph.api.security import Principal
from riskgraph.api.worded import reasons_fields, ring_summary
from riskgraph.chromium import ChromiumMissing, find_chromium, print_pdf
from riskgraph.engine.names import NAMED
from riskgraph.engine.state import EngineState
from riskgraph.errors import RiskgraphError
from riskgraph.graph import investigate
from riskgraph.graph.gateway import Gateway
from riskgraph.i18n.locale import Locale, negotiate
from riskgraph.i18n.render import Renderer

router = APIRouter(prefix="/companies", tags=["companies"])

ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "description": text}
    for status, text in (
        (401, "no or unknown API key"),
        (403, "the key's role may not call this"),
        (404, "no company has this id"),
        (422, "bad parameters"),
        (503, "Neo4j is unreachable"),
    )
}
CompanyId = Annotated[str, Path(min_length=1, max_length=200, description="Company.id (USCC)")]
PER_LIST = 500
# the printable page: its own styles only; no script, nothing from elsewhere
PRINT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _not_found(company_id: str) -> ProblemError:
    return ProblemError(404, f"no company has the id {company_id!r}", "not-found")


@router.get("/{id}", response_model=CompanyFile, responses=ERRORS)
def company_file(
    id: CompanyId, caller: Viewer, graph: Graph, ctx: Context, as_of: AsOf = None
) -> Any:
    """The company file (一企一档): registry attributes, people and their roles,
    shareholders and holdings, business ties, phones and addresses with how many entities
    share each, events, and the score. With `as_of`, the people, holdings, ties and
    identifiers in force on that day (a former officer is not listed today). The score is
    the one of the run this worker serves (the graph's copy until its state is loaded), so
    a write-back under way never mixes two runs into one answer."""
    day = as_of or dt.date.today()
    rows = graph.read("api_company_file", id=id, per_list=PER_LIST, as_of=day)
    if not rows:
        raise _not_found(id)
    row = rows[0]
    people: dict[str, PersonEntry] = {}
    for officer in row["officers"]:
        entry = people.setdefault(
            officer["id"], PersonEntry(id=officer["id"], name=officer["name"], roles=[])
        )
        if officer["role"] and officer["role"] not in entry.roles:
            entry.roles.append(officer["role"])
    for holder in row["shareholders"]:
        if holder["label"] == "Person":
            entry = people.setdefault(
                holder["id"], PersonEntry(id=holder["id"], name=holder["name"], roles=[])
            )
            entry.roles.append("shareholder")
            entry.share = (entry.share or 0.0) + (holder["share"] or 0.0)
    state = ctx.state.loaded
    from_run = None if state is None else state.scores_of(id)
    stored = row["score"]
    if from_run is not None:
        score = {k: from_run[k] for k in ("score", "level", "tier", "scored_at", "ring_id")}
    elif stored.get("risk_score") is not None:
        score = {
            "score": stored["risk_score"],
            "level": stored["risk_level"],
            "tier": stored["risk_tier"],
            "scored_at": stored["scored_at"],
            "ring_id": stored["ring_id"],
        }
    else:
        score = None
    body = CompanyFile(
        company=row["company"],
        score=score,
        people=list(people.values()),
        shareholders=row["shareholders"],
        holdings=row["holdings"],
        ties=row["ties"],
        identifiers=row["identifiers"],
        events=row["events"],
    )
    return shown(body.model_dump(mode="json"), caller, graph)


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _gnn(row: dict[str, Any]) -> GnnSummary | None:
    """The GNN's view; None until a model has written one."""
    if row["gnn"] is None and row["gnn_probability"] is None and not row["gnn_details"]:
        return None
    return GnnSummary(
        component=_number(row["gnn"]),
        probability=_number(row["gnn_probability"]),
        details={str(k): v for k, v in row["gnn_details"]},
    )


def _state(ctx: Context) -> EngineState | None:
    """The engine state if it can be had (evidence needs it; a risk answer does not)."""
    try:
        return ctx.state.get()
    except RiskgraphError:
        return None


@router.get("/{id}/risk", response_model=CompanyRisk, responses=ERRORS)
async def company_risk(
    id: CompanyId, caller: Viewer, graph: Graph, ctx: Context, words: Words
) -> Any:
    """The 0-100 score, level, tier, its four components, the reasons, the strongest
    evidence paths from exposed companies, the ring, and the GNN's view (null until a
    model has written one). 409 before `riskgraph analyze` has run."""
    payload = await risk_payload(id, caller, graph, ctx, words)
    # validated as CompanyRisk; masking only rewrote strings: sent as is, not validated
    # and serialised a second time against the response model
    return Response(orjson.dumps(payload), media_type="application/json")


async def risk_payload(
    id: str, caller: Principal, graph: Gateway, ctx: ApiContext, words: Renderer
) -> dict[str, Any]:
    """The company's risk as ``company_risk`` answers it, masked for ``caller``."""
    # async: the most asked-for answer skips the thread pool (the evidence is a few
    # array lookups; only a first request waits, in a thread, for the state to load)
    state = ctx.state.loaded or await run_in_threadpool(_state, ctx)
    paths = [] if state is None else company_paths(state, id)
    # the evidence is known before the query: which of its phones are personal, and the
    # names of its companies and people, come back in the same round trip
    keys = [] if state is None else path_keys(state, paths)
    numbers = [key for label, key in keys if label == "Phone"]
    entities = [{"label": label, "id": key} for label, key in keys if label in NAMED]
    rows = await graph.read_async("api_company_risk", id=id, numbers=numbers, entities=entities)
    if not rows:
        raise _not_found(id)
    # the scores of the run this worker serves, whole, even while a newer run's
    # write-back is under way; the graph's copy when the state cannot be had
    from_run = None if state is None else state.scores_of(id)
    row = {**rows[0], **(from_run or {})}
    names = {(n["label"], n["id"]): n["name"] for n in row["names"] if n["name"]}
    evidence = [] if state is None else [path_out(state, p, words, names) for p in paths]
    if row["score"] is None:
        raise ProblemError(
            409, f"company {id} has no score yet: run `riskgraph analyze`", "not-scored"
        )
    body = CompanyRisk(
        company_id=row["id"],
        name=row["name"],
        score=row["score"],
        level=row["level"],
        tier=row["tier"],
        scored_at=row["scored_at"],
        contagion=row["contagion"],
        components=row["components"],
        contributions=row.get("contributions"),
        level_name=words.level_or_none(row["level"]),
        tier_name=words.tier_or_none(row["tier"]),
        **reasons_fields(list(row["reasons"]), words),
        evidence=evidence,
        ring=None if row["ring"] is None else ring_summary(row["ring"], words),
        gnn=_gnn(row),
    )
    personal = set(row["personal_phones"])
    known = {n: n in personal for n in numbers}
    payload: dict[str, Any] = await shown_async(body.model_dump(mode="json"), caller, graph, known)
    return payload


def _subgraph(
    graph: Gateway, ctx: Context, company_id: str, query: SubgraphQuery, words: Renderer
) -> Subgraph:
    if not graph.read("api_entity_cards", nodes=[{"label": "Company", "key": company_id}]):
        raise _not_found(company_id)
    return build_subgraph(
        graph,
        _state(ctx),
        company_id,
        query.hops,
        query.types,
        query.limit,
        words,
        as_of=query.as_of,
    )


@router.get("/{id}/subgraph", response_model=Subgraph, responses=ERRORS)
def subgraph(
    id: CompanyId,
    query: Annotated[SubgraphQuery, Query()],
    caller: Viewer,
    graph: Graph,
    ctx: Context,
    words: Words,
) -> Any:
    """The explanation subgraph as JSON: the company, its evidence paths (edges marked
    `evidence`) and its neighbourhood up to `hops`, at most `limit` nodes (`left_out` says
    how many were not shown)."""
    body = _subgraph(graph, ctx, id, query, words)
    return shown(body.model_dump(mode="json"), caller, graph)


@router.get(
    "/{id}/subgraph.html",
    response_class=HTMLResponse,
    responses={**ERRORS, 200: {"content": {"text/html": {}}, "description": "a pyvis page"}},
)
def subgraph_page(
    id: CompanyId,
    query: Annotated[SubgraphQuery, Query()],
    caller: Viewer,
    graph: Graph,
    ctx: Context,
    words: Words,
) -> HTMLResponse:
    """The same subgraph as a self-contained interactive page (pyvis)."""
    try:
        from riskgraph.api.visual import render_subgraph
    except ImportError as exc:  # the page renderer ships separately
        raise ProblemError(
            501, "the HTML rendering of subgraphs is not installed", "not-implemented"
        ) from exc
    body = shown(_subgraph(graph, ctx, id, query, words).model_dump(mode="json"), caller, graph)
    return HTMLResponse(render_subgraph(body, words))


@router.get("/{id}/controllers", response_model=Controllers, responses=ERRORS)
def controllers(
    id: CompanyId,
    caller: Viewer,
    graph: Graph,
    threshold: Annotated[
        float, Query(ge=0.0, le=1.0, description="least effective share (fraction)")
    ] = 0.25,
    max_chains: Annotated[int, Query(ge=1, le=100, description="chains listed per holder")] = 5,
    as_of: AsOf = None,
) -> Any:
    """Equity penetration (股权穿透): every direct and indirect holder with its effective
    share (the product of shares along each chain, summed), and the ultimate controllers;
    with `as_of`, from the shares in force on that day. Bounded: chains weaker than a
    floor (1% of the threshold) are not followed further and at most 20,000 chains are
    examined; `pruned_share` and `capped` say what that may have cut."""
    if not graph.read("api_entity_cards", nodes=[{"label": "Company", "key": id}]):
        raise _not_found(id)
    params = investigate.OwnershipParams(
        id=id, threshold=threshold, max_chains=max_chains, as_of=as_of
    )
    found = investigate.penetrate(graph, params)
    body = Controllers(
        company_id=id,
        threshold=threshold,
        holders=found.holders,
        ultimate=[h for h in found.holders if h.ultimate],
        capped=found.capped,
        examined=found.examined,
        pruned_chains=found.pruned_chains,
        pruned_share=found.pruned_share,
        floor=found.floor,
    )
    return shown(body.model_dump(mode="json"), caller, graph)


async def _printable(
    id: str, caller: Principal, graph: Gateway, ctx: ApiContext, words: Renderer
) -> tuple[str, str]:
    """(the printable page, the company's name) from the API's own answers."""
    file = await run_in_threadpool(company_file, id, caller, graph, ctx, None)
    try:
        risk: dict[str, Any] | None = await risk_payload(id, caller, graph, ctx, words)
    except ProblemError as exc:
        if exc.status != 409:  # not scored yet: the file says so
            raise
        risk = None
    held = await run_in_threadpool(controllers, id, caller, graph, 0.25, 5, None)
    page = render_company_file(file, risk, held, words, caller.who)
    return page, file["company"].get("name") or id


def page_words(
    request: Request,
    ctx: Context,
    lang: Annotated[
        Locale | None,
        Query(description="zh-CN or en: overrides Accept-Language (for links and downloads)"),
    ] = None,
) -> Renderer:
    """The language of a page opened by a link, which cannot set Accept-Language."""
    accept = request.headers.get("accept-language")
    return Renderer(lang or negotiate(accept, ctx.settings().locale))


PageWords = Annotated[Renderer, Depends(page_words)]
PDF_SLOTS = threading.BoundedSemaphore(2)  # Chromium processes printing at once, per worker
SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")


@router.get(
    "/{id}/file.html",
    response_class=HTMLResponse,
    responses={**ERRORS, 200: {"content": {"text/html": {}}, "description": "a printable page"}},
)
async def company_file_page(
    id: CompanyId, caller: Viewer, graph: Graph, ctx: Context, words: PageWords
) -> HTMLResponse:
    """The company file as one printable page (no script, nothing loaded from elsewhere)."""
    page, _ = await _printable(id, caller, graph, ctx, words)
    return HTMLResponse(page, headers={"Content-Security-Policy": PRINT_CSP})


@router.get(
    "/{id}/file.pdf",
    response_class=Response,
    responses={
        **ERRORS,
        200: {"content": {"application/pdf": {}}, "description": "the company file as a PDF"},
        501: {"model": Problem, "description": "no headless Chromium on the server"},
        503: {"model": Problem, "description": "PDFs are being printed: try again shortly"},
    },
)
async def company_file_pdf(
    id: CompanyId, caller: Viewer, graph: Graph, ctx: Context, words: PageWords
) -> Response:
    """The printable company file as a PDF, printed by headless Chromium on the server
    with the network cut off (two at a time per worker). Where no Chromium is installed:
    501, and the printable page (`file.html`) printed from the browser gives the same
    document."""
    page, name = await _printable(id, caller, graph, ctx, words)
    try:
        chromium = await run_in_threadpool(find_chromium, ctx.settings())
    except ChromiumMissing as exc:
        raise ProblemError(
            501,
            f"this server cannot make PDFs ({exc}); open /companies/{id}/file.html and print "
            "it from the browser (Print, then Save as PDF)",
            "not-implemented",
        ) from exc
    if not PDF_SLOTS.acquire(blocking=False):
        raise ProblemError(
            503,
            "other PDFs are being printed: try again in a few seconds",
            "unavailable",
            {"Retry-After": "5"},
        )
    try:
        pdf = await run_in_threadpool(print_pdf, chromium, page)
    finally:
        PDF_SLOTS.release()
    ascii_name = SAFE_NAME.sub("_", id)[:100] or "company"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{ascii_name}.pdf"; '
            f"filename*=UTF-8''{quote(f'{name}.pdf', safe='')}"
        },
    )
