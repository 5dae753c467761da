"""What a serving process keeps in memory: one analysis (the same call as ``analyze``,
with the GNN when a model exists), a prepared ``Propagator`` and the evidence tree of the
exposed companies, so a what-if or an evidence path costs a solve or a walk, never a
re-read of the graph."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from riskgraph.engine.writeback import COMPONENT_DECIMALS, PROBABILITY_DECIMALS, SCORE_DECIMALS
from riskgraph.graph.snapshot import IntArray
from riskgraph.risk.analysis import Analysis
from riskgraph.risk.codes import Reason
from riskgraph.risk.evidence import EvidenceTree
from riskgraph.risk.propagation import Propagator

if TYPE_CHECKING:
    from riskgraph.gnn.train import TrainedModel


@dataclass
class EngineState:
    analysis: Analysis
    propagator: Propagator
    tree: EvidenceTree  # strongest paths from the exposed companies
    loaded_at: datetime
    load_seconds: float
    model: TrainedModel | None = None  # the GNN the scores came from, when there is one
    run_id: str | None = None  # the run it was saved by; None when analysed in place
    reasons: dict[int, list[Reason]] = field(default_factory=dict)  # by company row
    scored_at: str | None = None  # when its run was published (ISO 8601)
    _propagators: OrderedDict[float, Propagator] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def scores_of(self, company_id: str) -> dict[str, Any] | None:
        """The company's scores as this state's run wrote them back (the same rounding):
        what ``/companies/{id}/risk`` serves, so every answer comes from one whole run."""
        row = self.company_row(company_id)
        if row is None or self.run_id is None:
            return None
        a = self.analysis
        c = {k: float(np.round(v[row], COMPONENT_DECIMALS)) for k, v in a.components.items()}
        ring = int(a.rings.company_ring[row])
        return {
            "ring_id": a.rings.id_at(ring) if ring >= 0 else None,
            "score": float(np.round(a.score[row], SCORE_DECIMALS)),
            "level": str(a.level[row]),
            "tier": str(a.tier[row]),
            "scored_at": self.scored_at,
            "contagion": float(a.contagion[row]),
            "components": {
                "contagion": c["contagion"],
                "ring": c["ring"],
                "events": c["events"],
                "structure": c["structure"],
                "gnn": c.get("gnn"),
            },
            "contributions": self._contributions(row),
            "reasons": [r.to_json() for r in self.reasons.get(row, [])],
            "gnn": c.get("gnn"),
            "gnn_probability": (
                None
                if a.gnn_probability is None
                else float(np.round(a.gnn_probability[row], PROBABILITY_DECIMALS))
            ),
        }

    def _contributions(self, row: int) -> dict[str, float] | None:
        """With a fitted combination (``riskgraph calibrate``), each component's share of
        its logit for this company; None with the hand-set noisy-OR."""
        combination = self.analysis.params.scoring.combination
        if combination is None:
            return None
        one = {k: v[row : row + 1] for k, v in self.analysis.components.items()}
        shares = combination.contributions(one)
        return {k: float(np.round(v[0], COMPONENT_DECIMALS)) for k, v in shares.items()}

    def company_row(self, company_id: str) -> int | None:
        return self.analysis.snapshot.nodes["Company"].index.get(company_id)

    def company_node(self, company_id: str) -> int | None:
        """The company's global index in the contagion graph."""
        row = self.company_row(company_id)
        return None if row is None else self.analysis.graph.offsets["Company"] + row

    def node_key(self, node: int) -> tuple[str, str]:
        """(label, key) of a global index of the contagion graph."""
        label, row = self.analysis.graph.label_of(node)
        return label, str(self.analysis.snapshot.nodes[label].keys[row])

    def company_nodes(self, company_ids: list[str]) -> IntArray:
        offset = self.analysis.graph.offsets["Company"]
        index = self.analysis.snapshot.nodes["Company"].index
        return np.array([offset + index[c] for c in company_ids], dtype=np.int64)

    def propagator_for(self, alpha: float) -> Propagator:
        """The prepared operator for ``alpha`` (the analysis' own, or one of the last few
        asked for: preparing costs a pass over the edges)."""
        if alpha == self.propagator.alpha:
            return self.propagator
        with self._lock:
            if alpha in self._propagators:
                self._propagators.move_to_end(alpha)
                return self._propagators[alpha]
            made = Propagator(self.analysis.graph.adjacency, alpha)
            self._propagators[alpha] = made
            while len(self._propagators) > 3:
                self._propagators.popitem(last=False)
            return made
