"""`riskgraph analyze` step by step on a loaded province: snapshot, propagation, rings,
scoring, reasons, write-back; with the process's peak memory. Run against the province the
settings point at (`RISKGRAPH_NEO4J_DIR`/`RISKGRAPH_NEO4J_PORT`, or `NEO4J_URI`)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

from bench.children import peak_gib
from bench.report import machine, write_section
from riskgraph.engine.engine import Engine
from riskgraph.engine.runs import current_run, new_run_id
from riskgraph.graph.gateway import Gateway
from riskgraph.settings import Settings


def run(settings: Settings) -> Path:
    timings: dict[str, float] = {}
    with Gateway(settings) as graph:
        previous = graph.read("scored_count")[0]["scored"]
        engine = Engine(graph, settings, gnn=False)
        started = time.perf_counter()
        snapshot = engine.snapshot()
        timings["snapshot (read Neo4j into arrays)"] = time.perf_counter() - started
        analysis = engine.analyze(snapshot)
        timings["propagation (contagion graph + solve)"] = analysis.timings["propagation"]
        timings["rings (linkage + Leiden + features)"] = analysis.timings["rings"]
        timings["scoring (components, levels)"] = analysis.timings["scoring"]
        started = time.perf_counter()
        reasons = engine.explain(analysis)
        timings[f"reasons ({len(reasons):,} flagged companies, named)"] = (
            time.perf_counter() - started
        )
        run_id = new_run_id()
        artefact = engine.save(analysis, reasons, run_id)
        timings["save (the run's state, for the API)"] = engine.timings["save"]
        report = engine.write_back(analysis, reasons, run_id)
        timings["write back (scores)"] = engine.timings["write back"]
        engine.publish(analysis, run_id, datetime.now(UTC), artefact, current_run(graph))
        timings["publish (rings, members, history, run; one transaction)"] = engine.timings[
            "publish"
        ]
    total = sum(timings.values())
    peak = peak_gib()
    companies = snapshot.size("Company")
    entities = sum(snapshot.size(label) for label in snapshot.nodes)
    edges = sum(len(t) for t in snapshot.edges.values())
    lines = [
        f"## Analyze, {companies:,} companies",
        "",
        f"Machine: {machine()}. Graph: {entities:,} nodes and {edges:,} relationships at "
        f"{settings.bolt_uri}; {report.rings} rings, {report.members:,} ring members, "
        f"{int(analysis.exposed.sum()):,} exposed seeds.",
        "Command: `python -m bench analyze` against the loaded province (what "
        "`riskgraph analyze` runs, step by step).",
        "",
        "| step | seconds |",
        "| --- | ---: |",
        *(f"| {name} | {seconds:.1f} |" for name, seconds in timings.items()),
        f"| **total** | **{total:.1f}** |",
        "",
        f"Peak memory of the Python process: {peak:.1f} GiB (Neo4j runs in its own JVM). "
        + (
            "A first analysis: no company had a score, so the write-back creates every "
            "property (a re-run only overwrites them, and is faster)."
            if previous == 0
            else f"A re-run: {previous:,} companies had scores, which the write-back overwrites."
        ),
    ]
    return write_section(f"analyze-{companies}", "\n".join(lines))
