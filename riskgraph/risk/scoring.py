"""0-100 company risk scores from named components: pure functions over the snapshot.

The components follow the monitoring systems in DOMAIN.md (金鹰's contagion, complaint and
industry indicators; 金电联行's judicial and association indices):

- **contagion**: how much risk reaches the company from the exposed ones (propagation);
- **ring**: the score of the ring it belongs to (ring detection);
- **events**: judicial cases, penalties, complaints, negative news, abnormal operation
  and tax arrears, weighted by severity and fading with age;
- **structure**: registration bursts among companies sharing its rare identifiers,
  nominee legal representatives, fund-raising-prone industry.

Each component is in [0, 1]; they combine by noisy-OR (``1 - prod(1 - w * x)``), so one
strong signal is enough for a high score and weak signals add up without exceeding 100.
An exposed company scores 100: it is the risk. Levels and tiers follow 金鹰 (red >= 80,
orange 60-80, yellow 40-60) and 金电联行 (key concern / general concern / no anomaly).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from riskgraph.graph.schema import CompanyStatus, EventType, Level, Tier
from riskgraph.graph.snapshot import EVENT_TYPES, STATUSES, FloatArray, IntArray, Snapshot
from riskgraph.risk.combination import Combination
from riskgraph.weights import (
    COMPONENT_WEIGHTS,
    EVENT_WEIGHTS,
    HIGH_RISK_INDUSTRIES,
    STRUCTURE_WEIGHTS,
)

COMPONENTS = ("contagion", "ring", "events", "structure")  # the rules'; "gnn" joins them
UNEXPOSED_MAX = 99.99  # 100 means exposed


@dataclass(frozen=True)
class ScoringParams:
    red: float = 80.0
    orange: float = 60.0
    yellow: float = 40.0
    event_half_life_days: float = 365.0
    burst_days: int = 40  # registered within this many days of each other
    burst_full: int = 5  # this many burst companies is full structural evidence
    nominee_fronts: int = 3  # a legal representative of this many companies is a front
    contagion_full: float = 0.1  # contagion this high (a seed is 1) is full evidence
    contagion_floor: float = 1e-4  # and this low is none: PageRank leaves dust everywhere
    unexposed_ring: float = 0.6  # a ring with no exposure yet counts this much of its score
    as_of: float | None = None  # days since 1970; None: the latest event in the snapshot
    weights: Mapping[str, float] = field(default_factory=lambda: dict(COMPONENT_WEIGHTS))
    # fitted by a back-test (riskgraph calibrate): replaces the noisy-OR of the components it
    # covers; None: the hand-set weights above
    combination: Combination | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.yellow <= self.orange <= self.red <= 100:
            raise ValueError("levels must satisfy 0 <= yellow <= orange <= red <= 100")


@dataclass(frozen=True)
class StructureFacts:
    """Per company, the counts behind the structure component (and its reasons)."""

    burst: IntArray  # companies sharing its rare identifiers, registered within burst_days
    fronted: IntArray  # companies its legal representative fronts (itself included)
    high_risk_industry: npt.NDArray[np.bool_]


def high_risk_industry(snapshot: Snapshot) -> npt.NDArray[np.bool_]:
    """Per company: is it in a fund-raising-prone industry (``HIGH_RISK_INDUSTRIES``)?"""
    industry = snapshot.nodes["Company"].columns.get("industry")
    if industry is None:
        return np.zeros(snapshot.size("Company"), dtype=bool)
    return np.isin(industry.astype(str), sorted(HIGH_RISK_INDUSTRIES))


def as_of(snapshot: Snapshot, params: ScoringParams) -> float:
    """The analysis date: given, else the latest event's (so old data scores as of its time)."""
    if params.as_of is not None:
        return params.as_of
    events = snapshot.nodes.get("Event")
    dates = events.columns.get("date") if events is not None else None
    if dates is None or np.isnan(dates).all():
        return float(np.datetime64("today", "D").astype(np.int64))
    return float(np.nanmax(dates))


def event_component(
    snapshot: Snapshot, params: ScoringParams, hidden: npt.NDArray[np.bool_] | None = None
) -> FloatArray:
    """1 - exp(-evidence): each event adds its type's weight times its severity (/3) times
    2^(-age / half-life); an abnormal or revoked status adds like a fresh event.

    ``hidden`` companies are scored as before their exposure (what the GNN's training
    hides, ``riskgraph.gnn.features``): their events dated on or after their first exposure
    are left out and their status counts as active."""
    n = snapshot.size("Company")
    evidence = np.zeros(n)
    hide = np.zeros(n, dtype=bool) if hidden is None else np.asarray(hidden, dtype=bool)
    table = snapshot.edges.get(("Company", "HAS_EVENT", "Event"))
    if table is not None and len(table):
        columns = snapshot.nodes["Event"].columns
        types = columns["type"][table.target].astype(np.int64)
        dates = columns["date"][table.target].astype(np.float64)
        weight = np.array([EVENT_WEIGHTS.get(t, 0.0) for t in EVENT_TYPES] + [0.0])[types]
        severity = np.nan_to_num(columns["severity"][table.target], nan=3.0) / 3.0
        age = np.maximum(as_of(snapshot, params) - dates, 0.0)
        fade = np.exp2(-np.nan_to_num(age, nan=0.0) / params.event_half_life_days)
        if hide.any():
            first = snapshot.exposure_days()
            after = hide[table.source] & (dates >= first[table.source])  # NaN: kept
            weight = np.where(after, 0.0, weight)
        np.add.at(evidence, table.source, weight * severity * fade)
    status = snapshot.nodes["Company"].columns.get("status")
    if status is not None:
        flagged = [STATUSES.index(s) for s in (CompanyStatus.ABNORMAL, CompanyStatus.REVOKED)]
        raised = np.isin(status, flagged) & ~(hide & snapshot.exposed())
        evidence += raised * EVENT_WEIGHTS[EventType.ABNORMAL_OPERATION]
    return 1.0 - np.exp(-evidence)


def structure_facts(
    snapshot: Snapshot, links: sp.csr_array, fronts: IntArray, params: ScoringParams
) -> StructureFacts:
    """``links`` is the company linkage of ring detection (rare shared identifiers, people,
    holdings); ``fronts`` each company's legal representative (-1 when none)."""
    n = snapshot.size("Company")
    established = snapshot.nodes["Company"].columns.get("established", np.full(n, np.nan))
    pairs = sp.triu(links, k=1).tocoo()
    gap = np.abs(established[pairs.row] - established[pairs.col])
    close = gap <= params.burst_days  # NaN compares False: unknown dates are no burst
    burst = np.bincount(pairs.row[close], minlength=n) + np.bincount(pairs.col[close], minlength=n)
    known = fronts >= 0
    per_front = np.bincount(fronts[known], minlength=int(fronts.max()) + 1 if known.any() else 1)
    fronted = np.where(known, per_front[np.maximum(fronts, 0)], 0)
    return StructureFacts(
        burst.astype(np.int64), fronted.astype(np.int64), high_risk_industry(snapshot)
    )


def structure_component(facts: StructureFacts, params: ScoringParams) -> FloatArray:
    burst = np.minimum(facts.burst / params.burst_full, 1.0)
    nominee = (facts.fronted >= params.nominee_fronts).astype(np.float64)
    industry = facts.high_risk_industry.astype(np.float64)
    w = STRUCTURE_WEIGHTS
    return 1.0 - (
        (1.0 - w["burst"] * burst)
        * (1.0 - w["nominee_fronts"] * nominee)
        * (1.0 - w["high_risk_industry"] * industry)
    )


def contagion_component(contagion: FloatArray, params: ScoringParams) -> FloatArray:
    """Propagated contagion (a seed is 1) on a log scale from ``contagion_floor`` (0) to
    ``contagion_full`` (1): PageRank mass thins by orders of magnitude along a chain, and
    an ultimate controller's other firm, four hops out, should still register."""
    low, high = np.log10(params.contagion_floor), np.log10(params.contagion_full)
    level = np.log10(np.maximum(contagion, params.contagion_floor))
    scaled: FloatArray = np.clip((level - low) / (high - low), 0.0, 1.0)
    return scaled


def ring_component(
    ring_score: FloatArray, ring_exposed: npt.NDArray[np.bool_], params: ScoringParams
) -> FloatArray:
    """The company's ring score, discounted while nobody in the ring has been exposed: a
    blown-up ring is a confirmed illegal group, an intact one is a suspicion."""
    return ring_score * np.where(ring_exposed, 1.0, params.unexposed_ring)


def combine(
    components: Mapping[str, FloatArray], exposed: npt.NDArray[np.bool_], params: ScoringParams
) -> FloatArray:
    """Noisy-OR of the weighted components given (the rules' four, and the GNN's when a
    model ran), 0-100; exposed companies score 100. With a fitted ``combination``, its
    score takes the place of the components it covers, and the others (the GNN's) are
    OR-ed onto it with their weights. Only exposure scores 100: any other company stays at
    most ``UNEXPOSED_MAX``, which the write-back's two decimals keep apart from it."""
    keep = np.ones_like(exposed, dtype=np.float64)
    learned = params.combination
    if learned is not None:
        keep *= 1.0 - np.clip(learned.score(components) / 100.0, 0.0, 1.0)
    for name, values in components.items():
        if learned is not None and name in learned.components:
            continue
        keep *= 1.0 - params.weights[name] * np.clip(values, 0.0, 1.0)
    return np.where(exposed, 100.0, np.minimum(100.0 * (1.0 - keep), UNEXPOSED_MAX))


def levels(score: FloatArray, params: ScoringParams) -> npt.NDArray[np.str_]:
    return np.select(
        [score >= params.red, score >= params.orange, score >= params.yellow],
        [Level.RED.value, Level.ORANGE.value, Level.YELLOW.value],
        Level.NONE.value,
    )


def tiers(level: npt.NDArray[np.str_]) -> npt.NDArray[np.str_]:
    """Red and orange need a visit (key concern); yellow is watched; the rest is quiet."""
    return np.select(
        [np.isin(level, [Level.RED.value, Level.ORANGE.value]), level == Level.YELLOW.value],
        [Tier.KEY_CONCERN.value, Tier.GENERAL_CONCERN.value],
        Tier.NO_ANOMALY.value,
    )
