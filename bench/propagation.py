"""Propagation speed on a province snapshot, against networkx's personalised PageRank on
the same weighted graph in the same run, at equal accuracy.

Accuracy is each method's relative L1 error against its own fully converged answer (they
solve slightly different systems: networkx normalises the transitions, riskgraph lets weak
evidence leak). Where riskgraph's error at the default tolerance exceeds networkx's, its
tolerance is tightened until it does not, and that is the time reported.

``python -m bench propagation`` reads the province the settings point at;
``python -m bench.propagation --snapshot FILE.pkl --print`` reads a pickled ``Snapshot``
and prints the section instead of writing docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import pickle
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import networkx as nx
import numpy as np
import scipy.sparse as sp

from bench.report import machine, write_section
from riskgraph.graph.snapshot import FloatArray, IntArray, Snapshot
from riskgraph.risk.propagation import (
    Propagator,
    contagion_graph,
    leak_scale,
    propagate,
)
from riskgraph.settings import Settings

ALPHA = 0.85
TOLERANCE = 1e-10  # riskgraph's default and the tolerance networkx is asked for
ROUNDS = 5


def _interleaved_medians(calls: dict[str, Callable[[], object]], rounds: int) -> dict[str, float]:
    """Median seconds of each call over ``rounds`` rounds that run every call once, so that
    all of them see the same load (the machine may be shared)."""
    times: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(rounds):
        for name, call in calls.items():
            started = time.perf_counter()
            call()
            times[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in times.items()}


def power_iteration(
    adjacency: sp.csr_array, seeds: IntArray, tolerance: float = TOLERANCE
) -> FloatArray:
    """The previous method (to 2026-11): float32 power iteration, networkx's stopping rule."""
    n = adjacency.shape[0]
    transition_t = sp.csr_array(adjacency @ sp.diags_array(leak_scale(adjacency)), dtype=np.float32)
    restart = np.zeros(n, dtype=np.float32)
    restart[seeds] = 1.0 / len(seeds)
    rank = restart.copy()
    for _ in range(200):
        updated = (1.0 - ALPHA) * restart + ALPHA * (transition_t @ rank)
        done = np.abs(updated - rank).sum() < n * tolerance
        rank = updated
        if done:
            break
    return rank.astype(np.float64)


def _relative_l1(x: FloatArray, reference: FloatArray) -> float:
    return float(np.abs(x - reference).sum() / np.abs(reference).sum())


def _networkx(graph: nx.Graph, seeds: IntArray, tolerance: float) -> FloatArray:
    personalization = {int(s): 1.0 for s in seeds}
    ranks = nx.pagerank(
        graph,
        alpha=ALPHA,
        personalization=personalization,
        tol=tolerance,
        max_iter=2000,
        weight="weight",
    )
    return np.array([ranks[i] for i in range(graph.number_of_nodes())])


def networkx_iteration(matrix: sp.csr_array, seeds: IntArray, tolerance: float) -> FloatArray:
    """``networkx.pagerank`` after its conversion to scipy: the loop of networkx 3.x's
    ``_pagerank_scipy``, for its time alone (``matrix`` as ``to_scipy_sparse_array`` makes it)."""
    n = matrix.shape[0]
    out = np.asarray(matrix.sum(axis=1)).ravel()
    inverse = np.divide(1.0, out, out=np.zeros(n), where=out != 0)
    transition = sp.csr_array(sp.diags_array(inverse) @ matrix)
    x = np.full(n, 1.0 / n)
    p = np.zeros(n)
    p[seeds] = 1.0 / len(seeds)
    dangling = np.flatnonzero(out == 0)
    for _ in range(2000):
        last = x
        x = ALPHA * (x @ transition + x[dangling].sum() * p) + (1 - ALPHA) * p
        if np.abs(x - last).sum() < n * tolerance:
            break
    return x


def measure(snapshot: Snapshot, source: str) -> str:
    """The markdown section: times, speed-ups and errors."""
    started = time.perf_counter()
    contagion = contagion_graph(snapshot)
    build_s = time.perf_counter() - started
    adjacency = contagion.adjacency
    companies = contagion.indices("Company")
    seeds = np.flatnonzero(snapshot.exposed()) + companies.start
    n, edges = adjacency.shape[0], adjacency.nnz // 2

    propagator = Propagator(adjacency, ALPHA)
    reference = propagator.solve(seeds, tolerance=1e-22, max_iterations=1000)  # float64
    old = power_iteration(adjacency, seeds)
    nx_graph = nx.from_scipy_sparse_array(adjacency)
    nx_reference = _networkx(nx_graph, seeds, 1e-16)
    nx_error = _relative_l1(_networkx(nx_graph, seeds, TOLERANCE), nx_reference)

    # equal accuracy: riskgraph's tolerance, tightened until its error is at most networkx's
    tolerance = TOLERANCE
    while True:
        error = _relative_l1(propagator.solve(seeds, tolerance), reference)
        if error <= nx_error or tolerance < 1e-14:
            break
        tolerance /= 2

    def scores() -> FloatArray:
        return propagator.scores(seeds, tolerance)

    matrix = nx.to_scipy_sparse_array(nx_graph, weight="weight", dtype=float)
    iteration = networkx_iteration(matrix, seeds, TOLERANCE)
    seconds = _interleaved_medians(
        {
            "prepare": lambda: Propagator(adjacency, ALPHA),
            "solve": scores,
            "one-off": lambda: propagate(adjacency, seeds, ALPHA, tolerance),
            "power": lambda: power_iteration(adjacency, seeds),
            "networkx": lambda: _networkx(nx_graph, seeds, TOLERANCE),
            "iteration": lambda: networkx_iteration(matrix, seeds, TOLERANCE),
        },
        ROUNDS,
    )
    prepare_s, solve_s, one_off_s = seconds["prepare"], seconds["solve"], seconds["one-off"]
    power_s, nx_s, iteration_s = seconds["power"], seconds["networkx"], seconds["iteration"]
    new = scores()
    old_scores = old / old[seeds].max()
    reference_scores = reference / reference[seeds].max()
    lines = [
        "## Propagation",
        "",
        f"Machine: {machine()}. Graph: {source}",
        f"({snapshot.size('Company'):,} companies; contagion graph of {n:,} nodes and "
        f"{edges:,} edges; {len(seeds)} exposed seeds).",
        "Command: `python -m bench propagation` against a loaded province, or "
        "`python -m bench.propagation --snapshot FILE.pkl --print`.",
        "",
        f"Times: medians of {ROUNDS} interleaved rounds. Accuracy: relative L1 error of the "
        "PageRank vector against the same method converged to rounding. riskgraph runs at "
        "tolerance "
        f"{tolerance:.0e} (L1 residual < n × tolerance), networkx at {TOLERANCE:.0e}.",
        "",
        "| step | seconds | relative L1 error |",
        "| --- | ---: | ---: |",
        f"| build the weighted contagion graph | {build_s:.3f} | |",
        f"| `Propagator(adjacency)`: prepare the operator | {prepare_s:.3f} | |",
        f"| `Propagator.scores(seeds)`: a what-if, conjugate gradients | {solve_s:.3f} | "
        f"{error:.1e} |",
        f"| `propagate(adjacency, seeds)`: prepare + solve | {one_off_s:.3f} | {error:.1e} |",
        f"| previous method: float32 power iteration | {power_s:.3f} | "
        f"{_relative_l1(old, reference):.1e} |",
        f"| `networkx.pagerank`, personalised, same graph | {nx_s:.2f} | {nx_error:.1e} |",
        f"| networkx's iteration alone, after its conversion to scipy | {iteration_s:.3f} | "
        f"{_relative_l1(iteration, nx_reference):.1e} |",
        "",
        f"Speed-up over `networkx.pagerank` at equal accuracy: {nx_s / solve_s:.0f}x for a "
        f"what-if on a prepared `Propagator`, {nx_s / one_off_s:.0f}x for a one-off "
        f"`propagate`. Most of networkx's time is its conversion of the graph to scipy; "
        f"against its iteration alone: {iteration_s / solve_s:.1f}x "
        f"(previous method: {iteration_s / power_s:.1f}x).",
        f"Scores (seed = 1): largest difference from the converged answer "
        f"{np.abs(new - reference_scores).max():.1e} (previous method "
        f"{np.abs(old_scores - reference_scores).max():.1e}); companies with a score "
        f"> 0.01: {int((new[companies] > 0.01).sum()):,}.",
    ]
    return "\n".join(lines)


def _database_snapshot(settings: Settings) -> Snapshot:
    from riskgraph.graph.gateway import Gateway
    from riskgraph.graph.snapshot import build_snapshot

    with Gateway(settings) as graph:
        return build_snapshot(graph)


def run(settings: Settings) -> Path:
    """Times on the graph ``settings`` points at (load a province first)."""
    source = f"the snapshot of the database at {settings.bolt_uri}"
    return write_section("propagation", measure(_database_snapshot(settings), source))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.propagation")
    parser.add_argument("--snapshot", type=Path, help="a pickled Snapshot instead of Neo4j")
    parser.add_argument(
        "--print", action="store_true", help="print the section, leave docs/benchmarks.md"
    )
    args = parser.parse_args(argv)
    if args.snapshot is None:
        from riskgraph.settings import get_settings

        settings = get_settings()
        snapshot = _database_snapshot(settings)
        source = f"the snapshot of the database at {settings.bolt_uri}"
    else:
        with args.snapshot.open("rb") as file:
            snapshot = pickle.load(file)  # a file you made: unpickling runs code
        source = f"the pickled snapshot {args.snapshot.name}"
    section = measure(snapshot, source)
    if args.print:
        sys.stdout.write(section + "\n")
    else:
        sys.stdout.write(
            f"propagation: figures written to {write_section('propagation', section)}\n"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
