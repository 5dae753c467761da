"""Investigation-query latency on a generated 100,000-company province: p50/p95 over random
parameters per query, and the worst cases at hubs (the biggest incubator address and
bookkeeping phone) reported separately."""

from __future__ import annotations

import csv
import random
import shutil
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.ingest import fresh_graph
from bench.report import latency_stats, machine, write_section
from riskgraph.graph.gateway import Gateway
from riskgraph.graph.investigate import EntityNotFound
from riskgraph.graph.investigate import run as run_query
from riskgraph.graph.snapshot import build_snapshot
from riskgraph.ingest.generator import generate
from riskgraph.ingest.normalise import normalise_addresses, normalise_phone
from riskgraph.ingest.pipeline import ingest_bundle

TARGET_MS = {
    "neighbourhood": 50,
    "shared_identifiers": 50,
    "equity_penetration": 200,
    "connection_paths": 200,
}


def _column(path: Path, column: str) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [row[column] for row in csv.DictReader(handle) if row[column]]


def _time(graph: Gateway, name: str, params: dict[str, Any]) -> float | None:
    started = time.perf_counter()
    try:
        run_query(graph, name, params)
    except EntityNotFound:  # a planted malformed row: not in the graph
        return None
    return (time.perf_counter() - started) * 1000


def run(companies: int = 100_000, seed: int = 1, samples: int = 200) -> Path:
    rng = random.Random(seed)
    work = Path(tempfile.mkdtemp(prefix="riskgraph-qbench-"))
    try:
        bundle = work / "province"
        generate(companies, seed, bundle)
        company_ids = _column(bundle / "companies.csv", "id")
        person_ids = _column(bundle / "persons.csv", "id")
        hub_text, hub_size = Counter(_column(bundle / "addresses.csv", "address")).most_common(1)[0]
        hub_key = normalise_addresses([hub_text])[0].key
        phones = (_phone(p) for p in _column(bundle / "phones.csv", "phone"))
        phone_numbers = Counter(p for p in phones if p is not None)
        hub_phone, phone_size = phone_numbers.most_common(1)[0]
        with (bundle / "addresses.csv").open(encoding="utf-8") as handle:
            at_hub = [r["entity_id"] for r in csv.DictReader(handle) if r["address"] == hub_text]

        with fresh_graph(work, "db") as (graph, settings):
            ingest_bundle(bundle, graph, settings)
            snapshot_s = []
            for _ in range(3):
                started = time.perf_counter()
                snap = build_snapshot(graph)
                snapshot_s.append(time.perf_counter() - started)
            snapshot_rows = (
                sum(len(t) for t in snap.nodes.values()),
                sum(len(t) for t in snap.edges.values()),
            )
            del snap
            everyone = company_ids + person_ids
            plans: dict[str, Any] = {
                "neighbourhood": lambda: {"id": rng.choice(company_ids), "hops": 2},
                "shared_identifiers": lambda: {"id": rng.choice(company_ids)},
                "equity_penetration": lambda: {"id": rng.choice(company_ids)},
                "connection_paths": lambda: {
                    "from": rng.choice(everyone),
                    "to": rng.choice(everyone),
                    "max_hops": 4,
                },
                "connection_paths (connected pairs)": lambda: _connected_pair(
                    graph, rng, company_ids
                ),
                "controlled_by": lambda: {"id": rng.choice(everyone)},
                "contagion_paths": lambda: {"id": rng.choice(company_ids)},
                "timeline": lambda: {"id": rng.choice(everyone)},
                "neighbourhood (k=3)": lambda: {"id": rng.choice(company_ids), "hops": 3},
            }
            results: list[tuple[str, int, tuple[float, float, float]]] = []
            for label, plan in plans.items():
                name = label.split(" ")[0]
                for _ in range(5):  # warm-up: plans cached, pages in memory
                    _time(graph, name, plan())
                timings: list[float] = []
                while len(timings) < samples:
                    elapsed = _time(graph, name, plan())
                    if elapsed is not None:
                        timings.append(elapsed)
                results.append((label, len(timings), latency_stats(timings)))
            worst: list[tuple[str, float]] = []
            hub_cases = [
                (f"neighbourhood k=2 from the biggest address ({hub_size} companies)",
                 "neighbourhood", {"id": hub_key, "hops": 2}),
                (f"neighbourhood k=2 from the biggest phone ({phone_size} filings)",
                 "neighbourhood", {"id": hub_phone, "hops": 2}),
                ("neighbourhood k=3 from a company at the biggest address",
                 "neighbourhood", {"id": at_hub[0], "hops": 3}),
                ("shared_identifiers of a company at the biggest address",
                 "shared_identifiers", {"id": at_hub[0]}),
                ("connection_paths between two companies at the biggest address",
                 "connection_paths", {"from": at_hub[0], "to": at_hub[-1], "max_hops": 4}),
                ("contagion_paths to a company at the biggest address",
                 "contagion_paths", {"id": at_hub[1]}),
            ]  # fmt: skip
            for label, name, params in hub_cases:
                _time(graph, name, params)
                worst.append((label, max(_time(graph, name, params) or 0.0 for _ in range(5))))
            started = time.perf_counter()
            cycles = run_query(graph, "circular_holdings", {"id": None})
            cycles_ms = (time.perf_counter() - started) * 1000
    finally:
        shutil.rmtree(work, ignore_errors=True)

    lines = [
        "## Investigation queries",
        "",
        f"Machine: {machine()}; Neo4j 5.26 embedded (heap 4g, page cache 2g).",
        f"Graph: generated province, {companies:,} companies (seed {seed}), ingested by riskgraph.",
        "Command: `make bench` (`python -m bench queries`). Each query run through",
        "`riskgraph.graph.investigate.run` (parameter validation, entity check, query, typed",
        f"records) with default caps, {samples} random parameter sets after 5 warm-up runs.",
        "",
        "| query | runs | p50 (ms) | p95 (ms) | max (ms) | target p95 (ms) |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, count, (p50, p95, top) in results:
        target = TARGET_MS.get(label.split(" ")[0]) if "k=3" not in label else None
        if label == "connection_paths":
            label = "connection_paths (random pairs)"
        lines.append(f"| {label} | {count} | {p50:.1f} | {p95:.1f} | {top:.1f} | {target or '-'} |")
    lines += ["", "Hubs (worst of 5 runs each):", "", "| case | max (ms) |", "| --- | ---: |"]
    lines += [f"| {label} | {ms:.1f} |" for label, ms in worst]
    lines += [
        "",
        f"`circular_holdings` over the whole graph: {len(cycles)} cycles in {cycles_ms:.0f} ms.",
    ]
    write_section("queries", "\n".join(lines))
    nodes, edges = snapshot_rows
    per_company = max(snapshot_s) / companies
    snapshot_lines = [
        "## Snapshot",
        "",
        f"Machine: {machine()}; Neo4j 5.26 embedded (heap 4g, page cache 2g).",
        f"Graph: generated province, {companies:,} companies ({nodes:,} nodes, {edges:,}",
        "relationships). Command: `make bench` (`python -m bench queries`), which times",
        "`riskgraph.graph.snapshot.build_snapshot` three times on the loaded graph.",
        "",
        "| runs | min (s) | max (s) |",
        "| ---: | ---: | ---: |",
        f"| {len(snapshot_s)} | {min(snapshot_s):.1f} | {max(snapshot_s):.1f} |",
        "",
        f"Linear extrapolation to 650,000 companies: ≈ {per_company * 650_000:.0f} s "
        "(not measured).",
    ]
    return write_section("snapshot", "\n".join(snapshot_lines))


def _connected_pair(graph: Gateway, rng: random.Random, ids: list[str]) -> dict[str, Any]:
    """A pair with a path: B is drawn from A's capped 3-hop neighbourhood (untimed)."""
    while True:
        start = rng.choice(ids)
        try:
            (page,) = run_query(graph, "neighbourhood", {"id": start, "hops": 3, "limit": 5000})
        except EntityNotFound:
            continue
        far = [n.id for n in page.nodes if n.hop >= 2 and n.label in ("Company", "Person")]  # type: ignore[attr-defined]
        if far:
            return {"from": start, "to": rng.choice(far), "max_hops": 4}


def _phone(text: str) -> str | None:
    try:
        return normalise_phone(text).number
    except ValueError:  # a planted malformed row
        return None
