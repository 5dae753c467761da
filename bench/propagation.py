"""Propagation speed on a loaded province snapshot, against networkx's personalised
PageRank on the same weighted graph in the same run."""

from __future__ import annotations

import time
from pathlib import Path

import networkx as nx
import numpy as np

from bench.report import machine, write_section
from riskgraph.graph.gateway import Gateway
from riskgraph.graph.snapshot import build_snapshot
from riskgraph.risk.propagation import contagion_graph, propagate
from riskgraph.settings import Settings


def run(settings: Settings) -> Path:
    """Times on the graph ``settings`` points at (load a province first)."""
    with Gateway(settings) as graph:
        snapshot = build_snapshot(graph)
    started = time.perf_counter()
    contagion = contagion_graph(snapshot)
    build_s = time.perf_counter() - started
    companies = contagion.indices("Company")
    seeds = np.flatnonzero(snapshot.exposed()) + companies.start
    times = []
    for _ in range(5):
        started = time.perf_counter()
        scores = propagate(contagion.adjacency, seeds)
        times.append(time.perf_counter() - started)
    nx_graph = nx.from_scipy_sparse_array(contagion.adjacency)
    personalization = {int(s): 1.0 for s in seeds}
    started = time.perf_counter()
    nx.pagerank(nx_graph, alpha=0.85, personalization=personalization, tol=1e-10, weight="weight")
    nx_s = time.perf_counter() - started
    n, edges = contagion.adjacency.shape[0], contagion.adjacency.nnz // 2
    lines = [
        "## Propagation",
        "",
        f"Machine: {machine()}. Graph: the snapshot of the database at {settings.bolt_uri}",
        f"({snapshot.size('Company'):,} companies; contagion graph of {n:,} nodes and "
        f"{edges:,} edges; {len(seeds)} exposed seeds).",
        "Command: `python -m bench propagation` against a loaded province.",
        "",
        "| step | seconds |",
        "| --- | ---: |",
        f"| build the weighted contagion graph | {build_s:.2f} |",
        f"| riskgraph `propagate` (median of 5) | {sorted(times)[2]:.3f} |",
        f"| `networkx.pagerank`, personalised, same graph | {nx_s:.2f} |",
        "",
        f"Speed-up: {nx_s / sorted(times)[2]:.0f}x. Companies with a score > 0.01: "
        f"{int((scores[companies] > 0.01).sum()):,}.",
    ]
    return write_section("propagation", "\n".join(lines))
