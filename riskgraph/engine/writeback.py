"""Write an analysis back to Neo4j: scores, levels, components and reasons on companies;
rings as ``Ring`` nodes with ``MEMBER_OF`` links. Reasons are stored as data (one JSON
string per reason: ``{"code", "params"}``), never as words. The write is a replacement: a re-run
overwrites every company's scores and replaces the rings, so running twice changes nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from riskgraph.graph.gateway import QueryGateway
from riskgraph.risk.analysis import Analysis, ring_id
from riskgraph.risk.codes import Reason
from riskgraph.risk.rings import ring_reasons

Progress = Callable[[int], None]  # told how many companies were just written
SCORE_DECIMALS = 2  # scores as stored, and as every answer reports them


@dataclass(frozen=True)
class WriteReport:
    companies: int
    rings: int
    members: int


def score_columns(analysis: Analysis, reasons: dict[int, list[Reason]]) -> dict[str, list[Any]]:
    """The ``write_scores`` columns for every company; reasons only where given (the
    flagged ones)."""
    c = analysis.components
    n = len(analysis.score)
    return {
        "ids": analysis.snapshot.nodes["Company"].keys.tolist(),
        "score": np.round(analysis.score, SCORE_DECIMALS).tolist(),
        "level": analysis.level.tolist(),
        "tier": analysis.tier.tolist(),
        "contagion_part": np.round(c["contagion"], 4).tolist(),
        "ring_part": np.round(c["ring"], 4).tolist(),
        "events_part": np.round(c["events"], 4).tolist(),
        "structure_part": np.round(c["structure"], 4).tolist(),
        "gnn_part": np.round(c["gnn"], 4).tolist() if "gnn" in c else [None] * n,
        "gnn_probability": (
            np.round(analysis.gnn_probability, 6).tolist()
            if analysis.gnn_probability is not None
            else [None] * n
        ),
        "contagion": analysis.contagion.tolist(),
        "reasons": [  # absent, not [], when none
            [r.to_json() for r in reasons[i]] if reasons.get(i) else None for i in range(n)
        ],
        "ring_id": [ring_id(r) if r >= 0 else None for r in analysis.rings.company_ring.tolist()],
    }


def _write_scores(
    graph: QueryGateway,
    columns: dict[str, list[Any]],
    scored_at: str,
    batch_size: int,
    progress: Progress | None,
) -> None:
    """Batches in two threads: they touch disjoint companies, so they never wait on each
    other's locks, and the server encodes one while Python sends the next."""
    n = len(columns["ids"])

    def write(start: int) -> int:
        batch = {k: v[start : start + batch_size] for k, v in columns.items()}
        graph.write("write_scores", scored_at=scored_at, **batch)
        return len(batch["ids"])

    with ThreadPoolExecutor(max_workers=2) as pool:
        for written in pool.map(write, range(0, n, batch_size)):
            if progress is not None:
                progress(written)


def write_analysis(
    graph: QueryGateway,
    analysis: Analysis,
    reasons: dict[int, list[Reason]],
    batch_size: int = 5000,
    progress: Progress | None = None,
) -> WriteReport:
    scored_at = datetime.now(UTC).isoformat(timespec="seconds")
    columns = score_columns(analysis, reasons)
    _write_scores(graph, columns, scored_at, batch_size, progress)
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
                "reasons": [reason.to_json() for reason in ring_reasons(r)],
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
    return WriteReport(len(columns["ids"]), len(rings), len(companies) + len(persons))
