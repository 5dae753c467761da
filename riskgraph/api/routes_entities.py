"""/entities/{type}/{id}/neighbours: one page of any entity's direct neighbours, what the
web app's graph adds when an investigator expands a node. Hubs come a page at a time, so
an address shared by 300 companies is never drawn whole by accident. Viewers and up."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from riskgraph.api.deps import Graph, Viewer, shown
from riskgraph.api.explain import EXPLANATION_TYPES, edge_label
from riskgraph.api.models import AsOf, Neighbours, SubgraphEdge, SubgraphNode
from riskgraph.api.privacy import hide_personal
from riskgraph.api.problems import Problem, ProblemError
from riskgraph.api.security import Role
from riskgraph.risk.reasons import mask_phone

router = APIRouter(prefix="/entities", tags=["network"])

ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "description": text}
    for status, text in (
        (401, "no or unknown API key"),
        (403, "the key's role may not call this"),
        (404, "no entity of this type has this id"),
        (422, "bad parameters"),
        (503, "Neo4j is unreachable"),
    )
}


class EntityType(StrEnum):
    """The kinds of entity a graph node can be (the path's ``{type}``)."""

    COMPANY = "company"
    PERSON = "person"
    ADDRESS = "address"
    PHONE = "phone"
    EVENT = "event"
    RING = "ring"

    @property
    def label(self) -> str:
        return self.value.capitalize()


def _node(row: dict[str, Any]) -> SubgraphNode:
    return SubgraphNode(
        id=row["key"], type=row["label"], name=row["name"], level=row["level"], score=row["score"]
    )


@router.get("/{type}/{id:path}/neighbours", response_model=Neighbours, responses=ERRORS)
def neighbours(
    type: EntityType,
    id: Annotated[str, Path(min_length=1, max_length=200, description="id, key or number")],
    caller: Viewer,
    graph: Graph,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=200, description="neighbours per page")] = 25,
    as_of: AsOf = None,
) -> Any:
    """The entity and one page of its direct neighbours with the relationships to each
    (in force on `as_of`, today by default), ordered by type then id; `more` says how many
    follow. A natural person's phone comes back masked to viewers, and a masked number
    cannot be expanded: to a viewer, a natural person's number answers as an unknown one."""
    viewer_phone = type is EntityType.PHONE and caller.role is Role.VIEWER
    shown_id = mask_phone(id) if viewer_phone else id  # personal or unknown: one answer
    not_found = ProblemError(404, f"no {type.value} has the id {shown_id!r}", "not-found")
    if viewer_phone and hide_personal(id, caller, graph):
        raise not_found
    rows = graph.read(
        "entity_neighbours",
        label=type.label,
        key=id,
        types=list(EXPLANATION_TYPES),
        skip=offset,
        limit=limit,
        as_of=as_of or dt.date.today(),
    )
    if not rows:
        raise not_found
    row = rows[0]
    center = _node(row["center"])
    nodes = [_node(n) for n in row["nodes"]]
    edges = [
        SubgraphEdge(
            source=center.id if tie["outgoing"] else node["key"],
            target=node["key"] if tie["outgoing"] else center.id,
            source_type=center.type if tie["outgoing"] else node["label"],
            target_type=node["label"] if tie["outgoing"] else center.type,
            type=tie["type"],
            label=edge_label(tie["type"], tie["share"], tie["role"]),
            evidence=False,
        )
        for node in row["nodes"]
        for tie in node["ties"]
    ]
    body = Neighbours(
        center=center,
        nodes=nodes,
        edges=edges,
        total=row["total"],
        offset=offset,
        limit=limit,
        more=max(row["total"] - offset - len(nodes), 0),
    )
    return shown(body.model_dump(mode="json"), caller, graph)
