"""Reasons for a company's score, strongest first, in the style of the Wenzhou alerts in
DOMAIN.md ("52 negative news items in 2 years, ..."): each names a fact an investigator can
check in the graph. They are data (``riskgraph.risk.codes.Reason``), worded at the edges.

Reasons name entities by id (the engine adds names), never by resident ID number; phone
numbers are masked (the API also serves viewers, who may not see personal phones in clear).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from riskgraph.graph.schema import Level
from riskgraph.graph.snapshot import EVENT_TYPES, IntArray
from riskgraph.risk.analysis import Analysis
from riskgraph.risk.codes import Entity, Reason, ReasonCode
from riskgraph.risk.evidence import EvidencePath, EvidenceTree, evidence_paths
from riskgraph.risk.rings import connectors


def mask_phone(number: str) -> str:
    """+8613812345678 -> +86138****5678: enough to tell numbers apart, not to dial one."""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:-8] + "****" + number[-4:]


@dataclass(frozen=True)
class Explainer:
    """Reasons for any company of one analysis; build once (the connector tables and the
    evidence tree cost a few seconds on a province), then ask per company."""

    analysis: Analysis
    tree: EvidenceTree
    incidence: dict[str, sp.csr_array]  # company x connector, by connector label
    members: dict[str, sp.csc_array]  # the same, by column, for connector -> companies
    events: sp.csr_array  # company x HAS_EVENT row: which event rows are whose
    by_front: IntArray  # companies ordered by legal representative (fronts of -1 first)
    sorted_fronts: IntArray  # their legal representatives, in that order

    @classmethod
    def build(cls, analysis: Analysis, tree: EvidenceTree) -> Explainer:
        snapshot = analysis.snapshot
        incidence = connectors(snapshot)
        table = snapshot.edges.get(("Company", "HAS_EVENT", "Event"))
        count = 0 if table is None else len(table)
        events = sp.csr_array(
            (
                np.ones(count),
                (np.zeros(0, dtype=np.int64) if table is None else table.source, np.arange(count)),
            ),
            shape=(snapshot.size("Company"), count),
        )
        members = {k: sp.csc_array(v) for k, v in incidence.items()}
        by_front = np.argsort(analysis.fronts, kind="stable")
        sorted_fronts = analysis.fronts[by_front]
        return cls(analysis, tree, incidence, members, events, by_front, sorted_fronts)

    def entity(self, node: int) -> Entity:
        """An entity of the contagion graph as reason data (a phone's number masked)."""
        label, row = self.analysis.graph.label_of(node)
        key = str(self.analysis.snapshot.nodes[label].keys[row])
        return {"label": label, "id": mask_phone(key) if label == "Phone" else key}

    def path(self, path: EvidencePath) -> dict[str, Any]:
        """An evidence path as data: the seed and each hop's relationship and entity."""
        return {
            "seed": self.entity(path.seed),
            "hops": [{"type": hop.type, "entity": self.entity(hop.target)} for hop in path.hops],
        }

    def reasons(self, company: int, limit: int = 6) -> list[Reason]:
        a = self.analysis
        out: list[Reason] = []
        if a.exposed[company]:
            out.append(Reason(ReasonCode.EXPOSED))
        node = a.graph.offsets["Company"] + company
        contagion = float(a.contagion[company])
        if not a.exposed[company] and a.components["contagion"][company] >= 0.2:
            paths = evidence_paths(self.tree, node, k=1)
            if paths:
                out.append(
                    Reason(
                        ReasonCode.CONTAGION,
                        {"contagion": round(contagion, 4), "path": self.path(paths[0])},
                    )
                )
        out += self._fronts(company)
        position = int(a.rings.company_ring[company])
        if position >= 0:
            ring = a.rings.rings[position]
            out.append(
                Reason(
                    ReasonCode.RING_MEMBER,
                    {
                        "ring": a.rings.id_at(position),
                        "score": round(ring.score, 2),
                        "companies": len(ring.companies),
                        "persons": len(ring.persons),
                        "exposed": int(ring.features["exposed"]),
                    },
                )
            )
        out += self._burst(company)
        out += self._events(company)
        if a.structure.high_risk_industry[company]:
            industry = a.snapshot.nodes["Company"].columns["industry"][company]
            out.append(Reason(ReasonCode.HIGH_RISK_INDUSTRY, {"industry": str(industry)}))
        gnn = a.components.get("gnn")
        if gnn is not None and a.gnn_probability is not None and gnn[company] >= 0.2:
            out.append(
                Reason(
                    ReasonCode.GNN,
                    {
                        "probability": round(float(a.gnn_probability[company]), 4),
                        "target": "outcome" if a.gnn_target == "outcome" else "exposure",
                    },
                )
            )
        return out[:limit]

    def _fronts(self, company: int) -> list[Reason]:
        a = self.analysis
        front = int(a.fronts[company])
        if front < 0:
            return []
        start, end = np.searchsorted(self.sorted_fronts, [front, front + 1])
        fronted = self.by_front[start:end]
        others = fronted[fronted != company]
        exposed = int(a.exposed[others].sum())
        out = []
        person = {"label": "Person", "id": str(a.snapshot.nodes["Person"].keys[front])}
        if exposed:
            out.append(Reason(ReasonCode.FRONT_OF_EXPOSED, {"person": person, "exposed": exposed}))
        if len(fronted) >= 3:
            out.append(
                Reason(
                    ReasonCode.NOMINEE_FRONT, {"person": dict(person), "companies": len(fronted)}
                )
            )
        return out

    def _burst(self, company: int) -> list[Reason]:
        """The rare identifier shared with the most companies registered close in time."""
        a = self.analysis
        days = a.snapshot.nodes["Company"].columns.get("established")
        if days is None or np.isnan(days[company]) or a.structure.burst[company] < 2:
            return []
        window = a.params.scoring.burst_days
        hub = a.params.rings.max_identifier_degree  # beyond it, sharing is no evidence
        best: tuple[int, str, str] | None = None
        for label, matrix in self.incidence.items():
            column = self.members[label]
            row = matrix.indices[matrix.indptr[company] : matrix.indptr[company + 1]]
            for connector in row.tolist():
                peers = column.indices[column.indptr[connector] : column.indptr[connector + 1]]
                if len(peers) > hub or len(peers) < 2:
                    continue
                close = int((np.abs(days[peers] - days[company]) <= window).sum()) - 1
                key = str(a.snapshot.nodes[label].keys[connector])
                if best is None or close > best[0]:
                    best = (close, label, key)
        if best is None or best[0] < 2:
            return []
        close, label, key = best
        shown = mask_phone(key) if label == "Phone" else key
        return [
            Reason(
                ReasonCode.REGISTRATION_BURST,
                {"identifier": {"label": label, "id": shown}, "companies": close, "days": window},
            )
        ]

    def _events(self, company: int) -> list[Reason]:
        a = self.analysis
        table = a.snapshot.edges.get(("Company", "HAS_EVENT", "Event"))
        if table is None:
            return []
        mine = self.events.indices[self.events.indptr[company] : self.events.indptr[company + 1]]
        columns = a.snapshot.nodes["Event"].columns
        recent = mine[(a.as_of - columns["date"][table.target[mine]]) <= 730]
        counts = Counter(
            EVENT_TYPES[int(t)].value for t in columns["type"][table.target[recent]] if t >= 0
        )
        counts.pop("exposure", None)
        if not counts:
            return []
        return [
            Reason(ReasonCode.RECENT_EVENTS, {"counts": dict(counts.most_common()), "years": 2})
        ]


def explain_flagged(
    analysis: Analysis, done: Callable[[], None] | None = None
) -> dict[int, list[Reason]]:
    """Reasons for every flagged company (level yellow or above), by company row: what
    ``riskgraph analyze`` writes back. ``done`` is called after each company (progress)."""
    explainer = Explainer.build(analysis, analysis.evidence_tree())
    reasons = {}
    for company in np.flatnonzero(analysis.level != Level.NONE.value).tolist():
        reasons[company] = explainer.reasons(company)
        if done is not None:
            done()
    return reasons
