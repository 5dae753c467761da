"""The API's request and response models: what OpenAPI at /docs documents and what every
route returns. Investigation records (paths, holders) are reused from
``riskgraph.graph.investigate``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import Query
from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.json_schema import SkipJsonSchema

from riskgraph.engine.alerts import AlertState
from riskgraph.graph import investigate
from riskgraph.graph.investigate import Holder, Path
from riskgraph.graph.schema import relationship_types


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- the company file (一企一档) -----------------------------------------------------------
class CompanyAttributes(BaseModel):
    id: str
    uscc: str | None = None
    name: str | None = None
    status: str | None = None
    established: dt.date | None = None
    registered_capital: float | None = None
    paid_in_capital: float | None = None
    industry: str | None = None
    region: str | None = None
    region_name: str | None = None


class ScoreSummary(BaseModel):
    score: float
    level: str
    tier: str | None = None
    scored_at: str | None = None
    ring_id: str | None = None


class PersonEntry(BaseModel):
    """A natural person tied to the company: offices held and the share held, if any."""

    id: str
    name: str | None = None
    roles: list[str] = Field(description="offices (OFFICER_OF roles), 'shareholder' if holding")
    share: float | None = None


class Shareholder(BaseModel):
    id: str
    label: str = Field(description="Person or Company")
    name: str | None = None
    share: float | None = None
    amount: float | None = None
    since: dt.date | None = None


class HoldingEntry(BaseModel):
    id: str
    name: str | None = None
    share: float | None = None
    amount: float | None = None
    since: dt.date | None = None


class BusinessTie(BaseModel):
    type: str = Field(description="GUARANTEE, LOAN, TRADE, BRANCH, RENT or CREDITOR")
    outgoing: bool = Field(description="the tie points from this company to the other")
    id: str
    name: str | None = None
    amount: float | None = None
    since: dt.date | None = None


class Identifier(BaseModel):
    kind: str = Field(description="phone or address")
    value: str
    text: str | None = None
    entities: int = Field(description="companies and people filed with it (this one included)")
    companies: int


class EventEntry(BaseModel):
    id: str
    type: str
    date: dt.date | None = None
    severity: int | None = None
    description: str | None = None


class CompanyFile(BaseModel):
    company: CompanyAttributes
    score: ScoreSummary | None = Field(None, description="null until `riskgraph analyze` ran")
    people: list[PersonEntry]
    shareholders: list[Shareholder]
    holdings: list[HoldingEntry] = Field(description="companies this one holds shares of")
    ties: list[BusinessTie]
    identifiers: list[Identifier]
    events: list[EventEntry]


# --- risk ------------------------------------------------------------------------------------
class Components(BaseModel):
    contagion: float | None = None
    ring: float | None = None
    events: float | None = None
    structure: float | None = None
    gnn: float | None = Field(None, description="null until a GNN model has run")


class NodeRef(BaseModel):
    id: str
    label: str


class EvidenceHop(BaseModel):
    type: str
    forward: bool = Field(description="the relationship points the way the risk travels")
    weight: float


class EvidencePathOut(BaseModel):
    seed_id: str = Field(description="the exposed (or what-if) company the path starts from")
    contribution: float = Field(description="the score this path alone would give, 0-1")
    text: str
    nodes: list[NodeRef]
    hops: list[EvidenceHop]


class ReasonOut(BaseModel):
    """A reason as data: a code of docs/reasons.md and its parameters (entities as
    {label, id, name})."""

    code: str
    params: dict[str, Any] = {}


class RingSummary(BaseModel):
    id: str
    score: float
    companies: int
    persons: int
    reasons: list[str] = Field([], description="why it scored, in the request's language")
    reason_codes: list[ReasonOut] = []


class GnnSummary(BaseModel):
    component: float | None = Field(None, description="the GNN component of the score, 0-1")
    probability: float | None = Field(
        None,
        description="calibrated probability of exposure (of failure within a period, for a "
        "model trained on a past period's outcomes)",
    )
    details: dict[str, Any] = Field(
        default_factory=dict, description="other gnn_* properties (attributions)"
    )


class CompanyRisk(BaseModel):
    company_id: str
    name: str | None = None
    score: float = Field(ge=0, le=100)
    level: str
    tier: str | None = None
    level_name: str | None = Field(None, description="the level in the request's language")
    tier_name: str | None = Field(None, description="the tier in the request's language")
    scored_at: str | None = None
    contagion: float | None = None
    components: Components
    contributions: Components | None = Field(
        None,
        description="with a back-tested combination (riskgraph calibrate, GET /model): each "
        "component's share of its log-odds for this company; null with the hand-set weights",
    )
    reasons: list[str] = Field(description="why, in the request's language (Accept-Language)")
    reason_codes: list[ReasonOut] = Field(description="the same reasons as data")
    evidence: list[EvidencePathOut] = Field(description="strongest paths from exposed companies")
    ring: RingSummary | None = None
    gnn: GnnSummary | None = Field(None, description="null until a GNN model wrote scores")


# --- subgraph --------------------------------------------------------------------------------
class SubgraphNode(BaseModel):
    id: str
    type: str
    name: str | None = None
    level: str | None = None
    score: float | None = None


class SubgraphEdge(BaseModel):
    source: str
    target: str
    source_type: str | None = Field(None, description="the source's label (Company, Person...)")
    target_type: str | None = Field(None, description="the target's label")
    type: str
    label: str
    evidence: bool = Field(description="on one of the company's evidence paths")


class Subgraph(BaseModel):
    center: str
    nodes: list[SubgraphNode]
    edges: list[SubgraphEdge]
    left_out: int = Field(description="nodes reached within the hops but not shown (caps)")
    note: str | None = Field(None, description="what the caps left out, in the request's language")


# --- ownership and paths ---------------------------------------------------------------------
class Controllers(BaseModel):
    company_id: str
    threshold: float
    holders: list[Holder] = Field(description="direct and indirect holders, largest first")
    ultimate: list[Holder] = Field(description="holders nobody holds: the ultimate controllers")
    capped: bool = Field(
        description="the search stopped at its cap of chains: a holder may be missing share"
    )
    examined: int = Field(description="ownership chains examined")
    pruned_chains: int = Field(
        description="chains not followed further (weaker than `floor`, or 10 hops long)"
    )
    pruned_share: float = Field(
        description="the most share any holder can be missing because of them (0: nothing cut)"
    )
    floor: float = Field(description="chains weaker than this were not followed further")


class Paths(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(alias="from")
    to: str
    paths: list[Path]


# --- what-if ---------------------------------------------------------------------------------
class PropagateRequest(Strict):
    seeds: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        min_length=1, max_length=1000, description="company ids assumed to blow up"
    )
    alpha: float | None = Field(
        None, gt=0.0, lt=1.0, description="share of risk passed on per hop (default 0.85)"
    )
    top: int = Field(20, ge=1, le=500, description="companies returned")
    paths: int = Field(1, ge=0, le=3, description="evidence paths per company")
    include_exposed: bool = Field(False, description="add today's exposed companies as seeds")


class Impacted(BaseModel):
    id: str
    name: str | None = None
    contagion: float = Field(description="contagion under the what-if, 0-1 (a seed is 1)")
    baseline: float = Field(description="contagion from today's exposed companies")
    level: str | None = Field(None, description="today's level")
    score: float | None = Field(None, description="today's score")
    paths: list[EvidencePathOut]


class PropagateResult(BaseModel):
    seeds: list[str]
    alpha: float
    hit: int = Field(description="companies (seeds aside) with contagion above 0.0001")
    took_ms: float
    companies: list[Impacted]


# --- rings -----------------------------------------------------------------------------------
class RingList(BaseModel):
    total: int
    items: list[RingSummary]


class RingCompany(BaseModel):
    id: str
    name: str | None = None
    score: float | None = None
    level: str | None = None
    status: str | None = None


class RingPerson(BaseModel):
    id: str
    name: str | None = None


class SharedByMembers(BaseModel):
    kind: str = Field(description="phone, address or person")
    value: str
    text: str | None = None
    members: int = Field(description="member companies sharing it")
    degree: int = Field(description="entities tied to it in the whole graph")


class RingDetail(RingSummary):
    features: dict[str, float]
    members: list[RingCompany]
    people: list[RingPerson]
    shared: list[SharedByMembers]


# --- alerts ----------------------------------------------------------------------------------
class AlertOut(BaseModel):
    id: str
    company_id: str
    company_name: str | None = None
    level: str
    score: float | None = None
    reasons: list[str] = Field([], description="the reasons when raised, worded")
    reason_codes: list[ReasonOut] = []
    state: AlertState
    note: str | None = None
    label: bool | None = Field(None, description="training label: confirmed true, dismissed false")
    raised_at: str
    scored_at: str | None = None
    updated_at: str | None = None
    updated_by: str | None = None
    assignee: str | None = Field(None, description="the named user it is assigned to")
    history: list[str] = []
    current_level: str | None = None
    current_score: float | None = None


class AlertList(BaseModel):
    total: int
    items: list[AlertOut]


class AlertPatch(Strict):
    """At least one of the fields; a field left out is left as it is (null is refused)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})

    state: AlertState | SkipJsonSchema[None] = None
    note: str | SkipJsonSchema[None] = Field(None, max_length=2000)
    assignee: str | SkipJsonSchema[None] = Field(
        None,
        min_length=1,
        max_length=64,
        description="a named analyst or admin (role:name:key) to assign it to; with state "
        "assigned and no assignee, the caller",
    )

    @field_validator("state", "note", "assignee", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("leave the field out rather than sending null")
        return value


# --- admin -----------------------------------------------------------------------------------
class StateInfo(BaseModel):
    loaded_at: dt.datetime
    load_seconds: float
    companies: int
    exposed: int
    rings: int


# --- the model card (/model) ---------------------------------------------------------------------
class LevelMeaning(BaseModel):
    level: str
    label: str  # the level in the request's language
    companies: int  # held-out companies at this level in the back-test
    failed: int  # of them, failed within the horizon
    rate: float | None  # failed / companies; None when no company was at the level
    text: str  # the sentence a regulator reads, in the request's language


class RelationshipWeight(BaseModel):
    relationship: str
    label: str
    hand_set: float
    used: float  # in the current run's propagation


class CombinationTerm(BaseModel):
    components: list[str]
    coefficient: float


class BacktestCard(BaseModel):
    cutoff: dt.date
    now: dt.date  # the latest event of the history back-tested
    horizon_days: int
    seeds: int
    companies: int
    outcomes: int
    held_out_outcomes: int
    weights_status: str  # fitted, not_better (hand-set kept) or thin (nothing fitted)
    seed_half_life_days: float | None = None  # fitted with the weights (None: no fading)
    combination_status: str
    average_precision: dict[str, float]
    fitted_at: str
    levels: list[LevelMeaning]  # with what the calibration kept
    hand_set_levels: list[LevelMeaning]


class GnnCard(BaseModel):
    architecture: str
    target: str  # exposure or outcome
    fingerprint: str
    metrics: dict[str, float]


class ModelCard(BaseModel):
    """How the current run's scores are made, and what their levels meant in the back-test."""

    run_id: str | None
    scored_at: str | None
    combination: str  # "fitted" (a monotone logistic model) or "hand_set" (noisy-OR)
    # who fitted it: "calibrate" (the back-test) or "gnn_train" (with the GNN, on held-out
    # folds); None when hand-set
    combination_fitted_by: str | None = None
    combination_terms: list[CombinationTerm]  # the fitted model's, empty when hand-set
    combination_intercept: float | None
    component_weights: dict[str, float]  # the hand-set noisy-OR's
    relationship_weights: list[RelationshipWeight]
    # an exposure's seeding of contagion halves every this many days; None: it never fades
    seed_half_life_days: float | None = None
    levels: dict[str, float]  # the thresholds: red, orange, yellow
    backtest: BacktestCard | None  # None: `riskgraph calibrate` has not run
    calibration_applied: bool  # whether the current run used the stored calibration
    gnn: GnnCard | None  # None: the run scored without a GNN


# --- the GNN's explanation (/companies/{id}/explanation) -------------------------------------
class GnnTie(BaseModel):
    source_label: str
    source_key: str
    relationship: str
    target_label: str
    target_key: str
    weight: float = Field(description="drop of the GNN's logit without this tie")


class GnnEntity(BaseModel):
    label: str
    key: str
    weight: float


class GnnFeature(BaseModel):
    name: str
    value: float | None
    attribution: float = Field(description="input x gradient, in logit units")


class ExplainedPath(BaseModel):
    text: str = Field(description="the path in the request's language, entities named")
    hops: int
    contribution: float


class Explanation(BaseModel):
    company: str
    score: float
    level: str
    components: dict[str, float]
    probability: float | None = Field(description="the GNN's; null without a model")
    model: str | None = Field(description="fingerprint of the model's training graph")
    edges: list[GnnTie]
    entities: list[GnnEntity]
    features: list[GnnFeature]
    paths: list[ExplainedPath]
    reasons: list[str] = Field(description="why, in the request's language")
    reason_codes: list[ReasonOut]


# --- query parameters and small answers ------------------------------------------------------
def split_list(value: Any) -> Any:
    """types=HOLDS,OFFICER_OF and types=HOLDS&types=OFFICER_OF both work."""
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list):
        return [part.strip() for item in value for part in str(item).split(",") if part.strip()]
    return value


AS_OF = (
    "read the graph as of this day (YYYY-MM-DD): only relationships in force then "
    "(since <= as_of < until) and events up to it; default today"
)
AsOf = Annotated[dt.date | None, Query(description=AS_OF)]


# a relationship type of the schema (the OpenAPI document lists them: requests with others
# are refused, so the contract says so)
RelTypeName = Annotated[str, Field(json_schema_extra={"enum": sorted(relationship_types())})]


class SubgraphQuery(BaseModel):
    hops: int = Field(2, ge=1, le=3, description="neighbourhood depth")
    types: list[RelTypeName] = Field(
        default_factory=list, description="relationship types to follow; none = all"
    )
    limit: int = Field(100, ge=1, le=500, description="most nodes shown")
    as_of: dt.date | None = Field(None, description=AS_OF)

    _split = field_validator("types", mode="before")(split_list)
    _known = field_validator("types")(investigate.known_types)


class PathsQuery(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(alias="from", min_length=1, max_length=200, description="an entity id")
    to: str = Field(min_length=1, max_length=200, description="another entity id")
    max_hops: int = Field(4, ge=1, le=4)
    types: list[RelTypeName] = Field(
        default_factory=list, description="relationship types; none = all"
    )
    limit: int = Field(20, ge=1, le=100, description="most paths returned")
    as_of: dt.date | None = Field(None, description=AS_OF)

    _split = field_validator("types", mode="before")(split_list)
    _known = field_validator("types")(investigate.known_types)


class Health(BaseModel):
    status: str = Field(description="always ok: the process answers")


class Ready(BaseModel):
    status: str = Field(description="ready, loading (the state is being loaded) or unavailable")
    run_id: str | None  # the run this worker serves (None: analysed in place, no run saved)
    loaded_at: dt.datetime | None
    pid: int  # the worker process answering
    neo4j: bool = Field(description="Neo4j answered the last check (at most a few seconds old)")
    error: str | None = Field(
        None,
        description="why not ready, as a code: neo4j-unavailable, state-not-loaded, "
        "state-load-failed (details in the server's log, not here)",
    )


class RingRunOut(BaseModel):
    run_id: str
    at: str | None
    score: float
    companies: int
    persons: int
    companies_added: list[str]
    companies_removed: list[str]
    persons_added: list[str]
    persons_removed: list[str]


class RingHistory(BaseModel):
    id: str
    runs: list[RingRunOut]  # oldest first; the first lists every member as added


class Raised(BaseModel):
    candidates: int
    raised: list[str]


class SearchHit(BaseModel):
    """A company or person found by GET /search."""

    label: str = Field(description="Company or Person")
    id: str
    name: str | None
    level: str | None = Field(None, description="the company's risk level (null for persons)")
    score: float | None = Field(None, description="the company's 0-100 score (null for persons)")
    matched: str = Field(description="what matched: id, uscc, name or initials")


class SearchResults(BaseModel):
    query: str
    items: list[SearchHit]


# --- the web app's session (/session) ----------------------------------------------------
class SignIn(Strict):
    key: str = Field(min_length=1, max_length=200, description="an API key")


class SessionOut(BaseModel):
    who: str = Field(description="role and user name (or key hash), as the audit log says")
    name: str | None = Field(None, description="the user the key was issued to, if named")
    role: str = Field(description="viewer, analyst or admin")
    csrf: str = Field(description="send it in the X-CSRF-Token header with every change")
    expires_at: dt.datetime
    users: list[str] = Field(
        description="named analysts and admins alerts can be assigned to (for analysts)"
    )


# --- the neighbours of any entity (/entities/{type}/{id}/neighbours) ----------------------
class Neighbours(BaseModel):
    center: SubgraphNode
    nodes: list[SubgraphNode] = Field(description="one page of direct neighbours")
    edges: list[SubgraphEdge] = Field(description="between the centre and this page's nodes")
    total: int = Field(description="direct neighbours in all")
    offset: int
    limit: int
    more: int = Field(description="neighbours after this page (the next offset is offset+limit)")
