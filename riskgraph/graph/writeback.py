"""Write an analysis back to Neo4j: scores, levels, components and reasons on companies;
rings as ``Ring`` nodes with ``MEMBER_OF`` links. The write is a replacement: a re-run
overwrites every company's scores and replaces the rings, so running twice changes nothing."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from riskgraph.graph.gateway import Gateway
from riskgraph.risk.analysis import Analysis, ring_id
from riskgraph.risk.rings import ring_reasons

Progress = Callable[[int], None]  # told how many companies were just written


@dataclass(frozen=True)
class WriteReport:
    companies: int
    rings: int
    members: int


def _batches(rows: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def score_rows(analysis: Analysis, reasons: dict[int, list[str]], scored_at: str) -> list[Any]:
    """One ``write_scores`` row per company; reasons only where given (the flagged ones)."""
    keys = analysis.snapshot.nodes["Company"].keys
    c = analysis.components
    columns = zip(
        keys.tolist(),
        np.round(analysis.score, 2).tolist(),
        analysis.level.tolist(),
        analysis.tier.tolist(),
        np.round(c["contagion"], 4).tolist(),
        np.round(c["ring"], 4).tolist(),
        np.round(c["events"], 4).tolist(),
        np.round(c["structure"], 4).tolist(),
        analysis.contagion.tolist(),
        analysis.rings.company_ring.tolist(),
        strict=True,
    )
    rows = []
    for i, (key, score, level, tier, rc, rr, re, rs, contagion, ring) in enumerate(columns):
        props = {
            "risk_score": score,
            "risk_level": level,
            "risk_tier": tier,
            "risk_contagion": rc,
            "risk_ring": rr,
            "risk_events": re,
            "risk_structure": rs,
            "contagion": contagion,
            "risk_reasons": reasons.get(i, []),
            "ring_id": ring_id(ring) if ring >= 0 else None,
            "scored_at": scored_at,
        }
        rows.append({"id": key, "props": props})
    return rows


def write_analysis(
    graph: Gateway,
    analysis: Analysis,
    reasons: dict[int, list[str]],
    batch_size: int = 5000,
    progress: Progress | None = None,
) -> WriteReport:
    scored_at = datetime.now(UTC).isoformat(timespec="seconds")
    rows = score_rows(analysis, reasons, scored_at)
    for batch in _batches(rows, batch_size):
        graph.write("write_scores", rows=list(batch))
        if progress is not None:
            progress(len(batch))
    graph.run_autocommit("clear_rings", batch=1000)
    rings = analysis.rings.rings
    graph.write(
        "write_rings",
        rows=[
            {
                "id": ring_id(i),
                "score": round(r.score, 4),
                "companies": len(r.companies),
                "persons": len(r.persons),
                "features": json.dumps(r.features, sort_keys=True),
                "reasons": ring_reasons(r),
            }
            for i, r in enumerate(rings)
        ],
    )
    company_keys = analysis.snapshot.nodes["Company"].keys
    person_keys = analysis.snapshot.nodes["Person"].keys if rings else np.array([])
    companies = [
        {"id": company_keys[c], "ring_id": ring_id(i)}
        for i, r in enumerate(rings)
        for c in r.companies.tolist()
    ]
    persons = [
        {"id": person_keys[p], "ring_id": ring_id(i)}
        for i, r in enumerate(rings)
        for p in r.persons.tolist()
    ]
    for start in range(0, max(len(companies), len(persons)), batch_size):
        graph.write(
            "write_ring_members",
            companies=companies[start : start + batch_size],
            persons=persons[start : start + batch_size],
        )
    return WriteReport(len(rows), len(rings), len(companies) + len(persons))
