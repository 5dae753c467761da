"""Write an analysis back to Neo4j: scores, levels, components and reasons on companies
(batched, tagged with the run); rings as ``Ring`` nodes with ``MEMBER_OF`` links and a
``RingRun`` per ring and run, published in one transaction with the run itself. Reasons are
stored as data (one JSON string per reason: ``{"code", "params"}``), never as words. A
re-run writes the companies whose scores changed (all of them after a run that died
mid-write) and replaces the rings."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from hashlib import blake2b
from typing import Any

import numpy as np
import numpy.typing as npt

from riskgraph.engine.runs import RunScores
from riskgraph.graph.gateway import QueryGateway
from riskgraph.risk.analysis import Analysis
from riskgraph.risk.codes import Reason
from riskgraph.risk.ring_ids import ring_number
from riskgraph.risk.rings import ring_reasons

Progress = Callable[[int], None]  # told how many companies were just written
SCORE_DECIMALS = 2  # scores as stored, and as every answer reports them
COMPONENT_DECIMALS = 4  # score components, stored and served
PROBABILITY_DECIMALS = 6  # the GNN's probability, stored and served


@dataclass(frozen=True)
class WriteReport:
    companies: int
    rings: int
    members: int
    written: int = 0  # companies whose scores were written (the others had not changed)


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
        "contagion_part": np.round(c["contagion"], COMPONENT_DECIMALS).tolist(),
        "ring_part": np.round(c["ring"], COMPONENT_DECIMALS).tolist(),
        "events_part": np.round(c["events"], COMPONENT_DECIMALS).tolist(),
        "structure_part": np.round(c["structure"], COMPONENT_DECIMALS).tolist(),
        "gnn_part": (np.round(c["gnn"], COMPONENT_DECIMALS).tolist() if "gnn" in c else [None] * n),
        "gnn_probability": (
            np.round(analysis.gnn_probability, PROBABILITY_DECIMALS).tolist()
            if analysis.gnn_probability is not None
            else [None] * n
        ),
        "contagion": analysis.contagion.tolist(),
        "reasons": [  # absent, not [], when none
            [r.to_json() for r in reasons[i]] if reasons.get(i) else None for i in range(n)
        ],
        "ring_id": [
            analysis.rings.id_at(r) if r >= 0 else None
            for r in analysis.rings.company_ring.tolist()
        ],
    }


def row_digests(columns: dict[str, list[Any]]) -> npt.NDArray[np.uint64]:
    """A stable 64-bit digest per company of every value written back but the run's time:
    equal digests, equal properties. Stable across processes (blake2b of each distinct
    value's ``repr``, never Python's salted ``hash``), so the next run compares against a
    saved one. Column by column: numbers by their bits, other values through a digest per
    distinct value, mixed with numpy; a blake2b of each row's ``repr`` cost 4 s at 650,000
    companies."""
    out = np.zeros(len(columns["ids"]), dtype=np.uint64)
    for name in sorted(k for k in columns if k != "ids"):
        out = _mix(out ^ _column_digest(name, columns[name]))
    return out


def _stable(value: object) -> int:
    return int.from_bytes(blake2b(repr(value).encode(), digest_size=8).digest(), "little")


def _column_digest(name: str, values: list[Any]) -> npt.NDArray[np.uint64]:
    salt = np.uint64(_stable(name))
    if all(v is None or isinstance(v, float | int) for v in values[:1000]):
        try:
            numbers = np.array(values, dtype=np.float64)  # None -> NaN
        except (TypeError, ValueError):
            numbers = None
        if numbers is not None:
            return _mix(numbers.view(np.uint64) ^ salt)
    known: dict[object, int] = {}
    digests = np.empty(len(values), dtype=np.uint64)
    for i, value in enumerate(values):
        key = tuple(value) if isinstance(value, list) else value
        digest = known.get(key)
        if digest is None:
            digest = known[key] = _stable(key)
        digests[i] = digest
    return _mix(digests ^ salt)


def _mix(x: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """splitmix64's finaliser, on whole arrays (uint64 arithmetic wraps)."""
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def changed_rows(
    ids: list[Any], digests: npt.NDArray[np.uint64], before: RunScores | None
) -> npt.NDArray[np.int64] | None:
    """The rows whose written values differ from ``before``'s (new companies included);
    None, meaning every row, when ``before`` has no digests."""
    if before is None or before.digest is None:
        return None
    old = dict(zip(before.ids.tolist(), before.digest.tolist(), strict=True))
    now = digests.tolist()
    return np.array([i for i, key in enumerate(ids) if old.get(key) != now[i]], dtype=np.int64)


def _write_scores(
    graph: QueryGateway,
    columns: dict[str, list[Any]],
    scored_at: str,
    run_id: str,
    batch_size: int,
    progress: Progress | None,
) -> None:
    """Batches in two threads: they touch disjoint companies, so they never wait on each
    other's locks, and the server encodes one while Python sends the next."""
    n = len(columns["ids"])

    def write(start: int) -> int:
        batch = {k: v[start : start + batch_size] for k, v in columns.items()}
        graph.write("write_scores", scored_at=scored_at, run_id=run_id, **batch)
        return len(batch["ids"])

    with ThreadPoolExecutor(max_workers=2) as pool:
        for written in pool.map(write, range(0, n, batch_size)):
            if progress is not None:
                progress(written)


def ring_publication(analysis: Analysis, run_id: str, at: str) -> list[tuple[str, dict[str, Any]]]:
    """The statements that replace the current rings by this run's and keep each ring's
    history: run together with ``publish_run`` (``Engine.publish``), in one transaction."""
    rings = analysis.rings.rings
    ids = [analysis.rings.id_at(i) for i in range(len(rings))]
    company_keys = analysis.snapshot.nodes["Company"].keys
    person_keys = analysis.snapshot.nodes["Person"].keys if rings else np.array([])
    members = [
        (
            company_keys[r.companies].astype(str).tolist(),
            person_keys[r.persons].astype(str).tolist(),
        )
        for r in rings
    ]
    numbers = [ring_number(i) or 0 for i in ids]
    return [
        ("publish_rings_clear", {"ids": ids}),
        (
            "write_rings",
            {
                "run_id": run_id,
                "rows": [
                    {
                        "id": ids[i],
                        "serial": numbers[i],
                        "score": round(r.score, 4),
                        "companies": len(r.companies),
                        "persons": len(r.persons),
                        "features": json.dumps(r.features, sort_keys=True),
                        "reasons": [reason.to_json() for reason in ring_reasons(r)],
                    }
                    for i, r in enumerate(rings)
                ],
            },
        ),
        (
            "write_ring_members",
            {
                "companies": [
                    {"id": c, "ring_id": ids[i]} for i, (cs, _) in enumerate(members) for c in cs
                ],
                "persons": [
                    {"id": p, "ring_id": ids[i]} for i, (_, ps) in enumerate(members) for p in ps
                ],
            },
        ),
        (
            "publish_ring_history",
            {
                "run_id": run_id,
                "at": at,
                "rows": [
                    {
                        "ring_id": ids[i],
                        "serial": numbers[i],
                        "score": round(r.score, 4),
                        "company_ids": members[i][0],
                        "person_ids": members[i][1],
                    }
                    for i, r in enumerate(rings)
                ],
            },
        ),
    ]


def write_scores(
    graph: QueryGateway,
    analysis: Analysis,
    reasons: dict[int, list[Reason]],
    run_id: str,
    batch_size: int = 5000,
    progress: Progress | None = None,
    columns: dict[str, list[Any]] | None = None,
    rows: npt.NDArray[np.int64] | None = None,
) -> WriteReport:
    """The companies' scores (``rows`` of ``columns``; None: every company), tagged with
    the run. Batched (a province does not fit one transaction): while it runs, ad-hoc
    Cypher on ``risk_*`` sees a mix of two runs; the API serves the current run's saved
    state and is never mixed. ``scored_at`` and ``scored_run`` say when a company's
    scores last changed."""
    scored_at = datetime.now(UTC).isoformat(timespec="seconds")
    columns = columns if columns is not None else score_columns(analysis, reasons)
    total = len(columns["ids"])
    if rows is not None:
        columns = {k: [v[i] for i in rows.tolist()] for k, v in columns.items()}
    _write_scores(graph, columns, scored_at, run_id, batch_size, progress)
    rings = analysis.rings.rings
    members = sum(len(r.companies) + len(r.persons) for r in rings)
    return WriteReport(total, len(rings), members, written=len(columns["ids"]))
