"""GET /search: find companies and people by name, the way investigators type one
(traditional or simplified characters, with or without the legal form, pinyin initials), or
by company id, USCC or person id. The name forms are ``riskgraph.search_text``'s, stored at
ingest; the matching is Neo4j's (cjk full-text and range indexes)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from stdnum.cn import uscc

from riskgraph.api.deps import Graph, Viewer, shown_async
from riskgraph.api.models import SearchHit, SearchResults
from riskgraph.api.privacy import mask_numbers
from riskgraph.api.routes_companies import ERRORS
from riskgraph.api.security import Role
from riskgraph.search_text import is_initials, search_name

router = APIRouter(tags=["search"])

# exact id or USCC first, then an exact name, then names containing the query (by the
# index's relevance), then pinyin initials; within each, the riskier company first
_TIER = {"id": 0, "uscc": 0, "name_exact": 1, "name": 2, "initials": 3}


def lucene_phrase(form: str) -> str:
    """A Lucene phrase query for a search form: inside quotes only ``"`` and ``\\`` are
    special."""
    return '"' + form.replace("\\", "\\\\").replace('"', '\\"') + '"'


def as_uscc(text: str) -> str | None:
    code = uscc.compact(text)
    return code if uscc.is_valid(code) else None


def ranked(exact: list[dict[str, Any]], names: list[dict[str, Any]], limit: int) -> list[SearchHit]:
    """Exact hits before name hits, each entity once, at its best match."""
    best: dict[tuple[str, str], tuple[tuple[float, ...], dict[str, Any]]] = {}
    rows = [(r, "name_exact" if r["matched"] == "name" else r["matched"], 0.0) for r in exact]
    rows += [(r, r["matched"], float(r.get("relevance") or 0.0)) for r in names]
    for row, tier, relevance in rows:
        key = (row["label"], row["id"])
        order = (_TIER[tier], -relevance, -(row.get("score") or -1.0))
        if key not in best or order < best[key][0]:
            best[key] = (order, row)
    hits = sorted(best.values(), key=lambda item: (item[0], item[1]["label"], item[1]["id"]))
    return [
        SearchHit(
            label=row["label"],
            id=row["id"],
            name=row["name"],
            level=row.get("level"),
            score=row.get("score"),
            matched=row["matched"],
        )
        for _, row in hits[:limit]
    ]


@router.get("/search", response_model=SearchResults, responses=ERRORS)
async def search(
    caller: Viewer,
    graph: Graph,
    q: Annotated[str, Query(min_length=1, max_length=100, description="a name, id or USCC")],
    kind: Annotated[
        Literal["all", "company", "person"], Query(description="what to look for")
    ] = "all",
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> Any:
    """Companies and people by name (simplified or traditional characters, with or without
    有限公司 and other legal forms, or pinyin initials such as `hzjxkj`), or by company
    id, USCC or person id. Ranked: exact id or USCC, exact name, names containing the
    query, initials; the riskier company first among equals."""
    text = q.strip()
    form = search_name(text)
    exact = await graph.read_async(
        "search_exact", q=text, uscc=as_uscc(text), form=form or None, limit=limit
    )
    names: list[dict[str, Any]] = []
    initials = text.lower() if is_initials(text) else None
    if form or initials:
        names = await graph.read_async(
            "search_names",
            lucene=lucene_phrase(form) if form else '""',
            initials=initials,
            limit=limit,
        )
    wanted = {"all": {"Company", "Person"}, "company": {"Company"}, "person": {"Person"}}[kind]
    hits = ranked(
        [r for r in exact if r["label"] in wanted],
        [r for r in names if r["label"] in wanted],
        limit,
    )
    # the query is echoed with any phone number in it masked for a viewer, personal or not:
    # masking only personal ones would tell which numbers are
    echo = mask_numbers(text) if caller.role is Role.VIEWER else text
    body = SearchResults(query=echo, items=hits)
    return await shown_async(body.model_dump(mode="json"), caller, graph)
