"""The whole analysis on one snapshot: propagate, detect rings, score. Pure: the snapshot in,
arrays out; reading Neo4j and writing back happen at the edges (``riskgraph.graph``)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt

from riskgraph.graph.snapshot import FloatArray, IntArray, Snapshot
from riskgraph.risk import scoring
from riskgraph.risk.evidence import EvidenceTree, evidence_tree
from riskgraph.risk.propagation import (
    ContagionGraph,
    contagion_graph,
    propagate,
    seed_strength,
)
from riskgraph.risk.ring_ids import PreviousRings, assign_ids
from riskgraph.risk.rings import (
    RingParams,
    RingResult,
    company_legal_fronts,
    detect_rings,
    linkage,
)
from riskgraph.weights import PATH_WEIGHTS

Step = Callable[[str], None]  # told the name of each step as it starts


@dataclass(frozen=True)
class AnalysisParams:
    rings: RingParams = field(default_factory=RingParams)
    scoring: scoring.ScoringParams = field(default_factory=scoring.ScoringParams)
    alpha: float = 0.85  # propagation: the share of risk passed on at each hop
    # each relationship type's weight in propagation (hand-set, or fitted by a back-test)
    weights: Mapping[str, float] = field(default_factory=lambda: dict(PATH_WEIGHTS))
    # an exposure's seeding fades by half every this many days (fitted by a back-test);
    # None: every exposed company seeds alike, however long ago it blew up
    seed_half_life_days: float | None = None


@dataclass(frozen=True)
class Analysis:
    """Everything ``riskgraph analyze`` computes, aligned with the snapshot's companies."""

    snapshot: Snapshot
    params: AnalysisParams
    graph: ContagionGraph
    seeds: IntArray  # global indices in ``graph`` of the exposed companies
    entity_contagion: FloatArray  # every entity of ``graph``
    exposed: npt.NDArray[np.bool_]
    components: dict[str, FloatArray]
    score: FloatArray
    level: npt.NDArray[np.str_]
    tier: npt.NDArray[np.str_]
    rings: RingResult
    structure: scoring.StructureFacts
    fronts: IntArray
    as_of: float
    timings: dict[str, float]
    gnn_probability: FloatArray | None = None  # set by riskgraph.gnn.combine.with_gnn
    gnn_target: str | None = None  # what that probability is of: "exposure" or "outcome"

    @property
    def contagion(self) -> FloatArray:
        """Per company, the propagated contagion in [0, 1]."""
        return self.entity_contagion[self.graph.indices("Company")]

    def evidence_tree(self) -> EvidenceTree:
        """The strongest paths from this analysis' seeds, at its own alpha: what every
        evidence path and reason of it is read from. Made once (4 s at 650,000 companies):
        the reasons and the saved run both read it."""
        tree: EvidenceTree | None = self.__dict__.get("_evidence_tree")
        if tree is None:
            tree = evidence_tree(self.graph, self.seeds, self.params.alpha)
            object.__setattr__(self, "_evidence_tree", tree)  # a cache on a frozen value
        return tree

    def ring_id(self, company: int) -> str:
        position = int(self.rings.company_ring[company])
        return "" if position < 0 else self.rings.id_at(position)


def with_stable_ids(rings: RingResult, snapshot: Snapshot, previous: PreviousRings) -> RingResult:
    """``rings`` with ids carried over from the previous run's (``ring_ids``)."""
    keys = snapshot.nodes["Company"].keys
    members = [frozenset(str(k) for k in keys[r.companies]) for r in rings.rings]
    given = assign_ids(members, previous)
    return replace(rings, ids=given.ids, issued=given.issued)


def analyze(
    snapshot: Snapshot,
    params: AnalysisParams | None = None,
    step: Step | None = None,
    previous_rings: PreviousRings | None = None,
) -> Analysis:
    """Snapshot -> contagion, rings, components, 0-100 scores, levels and tiers; ring ids
    carried over from ``previous_rings`` (none: numbered afresh from R0001)."""
    params = params or AnalysisParams()
    timings: dict[str, float] = {}

    @contextmanager
    def timed(name: str) -> Iterator[None]:
        if step is not None:
            step(name)
        started = time.perf_counter()
        yield
        timings[name] = time.perf_counter() - started

    exposed = snapshot.exposed() if snapshot.size("Company") else np.zeros(0, dtype=bool)
    with timed("propagation"):
        graph = contagion_graph(snapshot, params.weights)
        seeds = np.flatnonzero(exposed) + graph.offsets.get("Company", 0)
        today = scoring.as_of(snapshot, params.scoring)
        strength = seed_strength(snapshot, exposed, params.seed_half_life_days, today)
        entity_contagion = propagate(graph.adjacency, seeds, alpha=params.alpha, strength=strength)
    with timed("rings"):
        links = linkage(snapshot, params.rings.max_identifier_degree)
        rings = detect_rings(snapshot, params.rings, links)
        rings = with_stable_ids(rings, snapshot, previous_rings or PreviousRings())
    with timed("scoring"):
        fronts = company_legal_fronts(snapshot)
        structure = scoring.structure_facts(snapshot, links, fronts, params.scoring)
        ring_scores = np.array([r.score for r in rings.rings] + [0.0])[rings.company_ring]
        ring_exposed = np.array([r.features["exposed"] > 0 for r in rings.rings] + [False])
        contagion = entity_contagion[graph.indices("Company")]
        components = {
            "contagion": scoring.contagion_component(contagion, params.scoring),
            "ring": scoring.ring_component(
                ring_scores, ring_exposed[rings.company_ring], params.scoring
            ),
            "events": scoring.event_component(snapshot, params.scoring),
            "structure": scoring.structure_component(structure, params.scoring),
        }
        score = scoring.combine(components, exposed, params.scoring)
        level = scoring.levels(score, params.scoring)
        tier = scoring.tiers(level)
    return Analysis(
        snapshot=snapshot,
        params=params,
        graph=graph,
        seeds=seeds,
        entity_contagion=entity_contagion,
        exposed=exposed,
        components=components,
        score=score,
        level=level,
        tier=tier,
        rings=rings,
        structure=structure,
        fronts=fronts,
        as_of=scoring.as_of(snapshot, params.scoring),
        timings=timings,
    )
