"""Investigation queries: typed parameters in, typed records out.

Each investigation is a named query in ``cypher/`` plus a parameter model that validates
what a user typed (hop bounds, relationship types checked against the schema) before it
reaches Neo4j as query parameters, and a record model that the CLI prints and the API
serves. User input never becomes Cypher text.

Every investigation reads the graph as of a day (``as_of``, default today): only the
relationships in force on it count (``since <= as_of < until``, either end open), so a
holding that ended or an officer who left is gone today and there as of before.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from riskgraph.errors import RiskgraphError
from riskgraph.graph.gateway import Gateway
from riskgraph.graph.schema import relationship_types
from riskgraph.weights import PATH_WEIGHTS


class EntityNotFound(RiskgraphError):
    """No company, person, address or phone has this id."""


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    as_of: date | None = Field(
        default_factory=date.today, description="the day the graph is read as of; None = today"
    )

    @field_validator("as_of", mode="before")
    @classmethod
    def _today(cls, value: object) -> object:
        """None (or nothing) is today, made a date here so that the dumped parameters can go
        straight to the query, which takes a date."""
        return date.today() if value is None or value == "" else value


def known_types(types: list[str]) -> list[str]:
    unknown = sorted(set(types) - relationship_types())
    if unknown:
        raise ValueError(
            f"unknown relationship type(s) {unknown}; known: {sorted(relationship_types())}"
        )
    return types


class NeighbourhoodParams(Params):
    id: str = Field(min_length=1, description="Company/Person id, address key or phone")
    hops: int = Field(2, ge=1, le=3)
    types: list[str] = Field(default_factory=list, description="relationship types; [] = all")
    per_node: int = Field(25, ge=1, le=1000, description="neighbours taken per expanded node")
    frontier: int = Field(100, ge=1, le=10_000, description="nodes of a hop expanded further")
    skip: int = Field(0, ge=0)
    limit: int = Field(100, ge=1, le=5000)

    _types = field_validator("types")(known_types)


class PathsParams(Params):
    from_: str = Field(alias="from", min_length=1)
    to: str = Field(min_length=1)
    max_hops: int = Field(4, ge=1, le=4)
    types: list[str] = Field(default_factory=list)
    max_degree: int = Field(50, ge=1, description="intermediate nodes above it are not crossed")
    limit: int = Field(20, ge=1, le=500)

    _types = field_validator("types")(known_types)


class OwnershipParams(Params):
    id: str = Field(min_length=1)
    threshold: float = Field(0.25, ge=0.0, le=1.0)
    max_chains: int = Field(5, ge=1, le=100)


class SharedParams(Params):
    id: str = Field(min_length=1)
    per_identifier: int = Field(20, ge=1, le=1000)


class CyclesParams(Params):
    id: str | None = None
    max_length: int = Field(6, ge=1, le=6)


class ContagionParams(Params):
    id: str = Field(min_length=1)
    max_hops: int = Field(4, ge=1, le=4)
    weights: dict[str, float] = Field(default_factory=lambda: dict(PATH_WEIGHTS))
    max_degree: int = Field(50, ge=1)
    limit: int = Field(10, ge=1, le=500)

    @field_validator("weights")
    @classmethod
    def _weights(cls, weights: dict[str, float]) -> dict[str, float]:
        known_types(list(weights))
        if any(not 0.0 <= w <= 1.0 for w in weights.values()):
            raise ValueError("weights must lie in [0, 1]")
        return weights


class TimelineParams(Params):
    """A timeline is history: without ``as_of`` it has no cut-off (future-dated items too)."""

    id: str = Field(min_length=1)
    limit: int = Field(200, ge=1, le=10_000)
    as_of: date | None = Field(None, description="the cut-off day (inclusive); None = no limit")

    @field_validator("as_of", mode="before")
    @classmethod
    def _today(cls, value: object) -> object:
        """Unlike the other investigations, no day means no cut-off."""
        return None if value == "" else value


# --- records ---------------------------------------------------------------------------------
class Entity(BaseModel):
    id: str
    label: str
    name: str | None = None


class ReachedNode(Entity):
    hop: int
    parent_id: str
    via: str
    outgoing: bool


class NeighbourhoodPage(BaseModel):
    start: Entity
    total: int
    nodes: list[ReachedNode]
    left_out: list[int]
    unexpanded: list[int]


class Hop(BaseModel):
    type: str
    forward: bool
    share: float | None = None
    role: str | None = None
    weight: float | None = None


class Path(BaseModel):
    length: int
    shortest: bool
    nodes: list[Entity]
    hops: list[Hop]


class ChainLink(BaseModel):
    id: str
    name: str | None = None
    share: float | None = None


class _Ownership(BaseModel):
    effective_share: float  # Σ over simple chains of Π shares
    chains: int
    paths: list[list[ChainLink]]  # the strongest chains, holder first


class Holder(_Ownership):
    holder_id: str
    holder_label: str
    holder_name: str | None = None
    ultimate: bool  # nobody holds the holder


class Holding(_Ownership):
    company_id: str
    company_name: str | None = None


class Penetration(BaseModel):
    """Equity penetration of one company (``equity_penetration_page``): the holders at or
    above the threshold and how far the bounded search went. The search follows chains
    strongest first; a chain whose product is under ``floor`` or that is 10 hops long is
    counted for its holder but not followed on, and it stops after 20,000 chains. What
    that cut is reported here rather than silently lost."""

    holders: list[Holder]  # effective share descending, then id
    capped: bool  # the 20,000-chain cap stopped the search: any holder may lack share
    examined: int  # chains examined (at most 20,000)
    pruned_chains: int  # chains not followed on (floor, 10 hops) whose top is itself held
    pruned_share: float  # Σ of their products: the most one holder may lack through them
    floor: float  # chains under it are not followed on: max(threshold / 100, 0.0001)


class CompanyRef(BaseModel):
    id: str
    name: str | None = None


class SharedIdentifier(BaseModel):
    kind: str
    identifier: str
    name: str | None = None
    degree: int
    shared_with: int
    companies: list[CompanyRef]
    roles: list[str]


class Cycle(BaseModel):
    cycle: list[str]
    names: list[str | None]
    length: int
    shares: list[float | None]


class ContagionPath(BaseModel):
    source_id: str
    source_name: str | None = None
    strength: float
    length: int
    nodes: list[Entity]
    hops: list[Hop]


class TimelineItem(BaseModel):
    date: date | None
    kind: str
    subject_id: str | None = None
    subject_name: str | None = None
    object_id: str | None = None
    object_name: str | None = None
    detail: Any = None
    is_self: bool


@dataclass(frozen=True)
class Investigation:
    name: str  # the .cypher file
    params: type[Params]
    record: type[BaseModel]
    entities: tuple[str, ...]  # parameters that must name existing entities (when given)


INVESTIGATIONS: dict[str, Investigation] = {
    i.name: i
    for i in (
        Investigation("neighbourhood", NeighbourhoodParams, NeighbourhoodPage, ("id",)),
        Investigation("connection_paths", PathsParams, Path, ("from", "to")),
        Investigation("equity_penetration", OwnershipParams, Holder, ("id",)),
        Investigation("controlled_by", OwnershipParams, Holding, ("id",)),
        Investigation("shared_identifiers", SharedParams, SharedIdentifier, ("id",)),
        Investigation("circular_holdings", CyclesParams, Cycle, ("id",)),
        Investigation("contagion_paths", ContagionParams, ContagionPath, ("id",)),
        Investigation("timeline", TimelineParams, TimelineItem, ("id",)),
    )
}


def entity_label(graph: Gateway, ident: str) -> str:
    rows = graph.read("entity_label", id=ident)
    if not rows:
        raise EntityNotFound(f"no company, person, address or phone has the id {ident!r}")
    return str(rows[0]["label"])


def penetrate(graph: Gateway, raw: Mapping[str, Any] | OwnershipParams) -> Penetration:
    """Equity penetration of a company with the search's totals, which ``run(graph,
    "equity_penetration", ...)`` cannot give when no holder reaches the threshold."""
    params = raw if isinstance(raw, OwnershipParams) else OwnershipParams.model_validate(raw)
    entity_label(graph, params.id)
    (page,) = graph.read("equity_penetration_page", **params.model_dump())
    return Penetration.model_validate(page)


def run(graph: Gateway, name: str, raw: Mapping[str, Any] | Params) -> list[BaseModel]:
    """Validate the parameters, check the starting entities exist, run, type the rows."""
    if name not in INVESTIGATIONS:
        raise RiskgraphError(f"no investigation named {name!r}; see `riskgraph query --list`")
    investigation = INVESTIGATIONS[name]
    params = raw if isinstance(raw, Params) else investigation.params.model_validate(raw)
    values = params.model_dump(by_alias=True)
    for key in investigation.entities:
        if values.get(key) is not None:
            entity_label(graph, values[key])
    rows = graph.read(name, **values)
    return [investigation.record.model_validate(row) for row in rows]
