"""Evidence paths: why an entity scores, as chains seed -> ... -> entity that an analyst can
check relationship by relationship.

The propagation's scores are a sum over walks from the seeds (``x = (1 - alpha) sum_k
alpha^k (A S)^k r``): a walk passes, at each hop, the share ``transfer = weight x leak cap
of the sender`` of the sender's risk, and loses a factor ``alpha``. A path's
*contribution* is therefore ``alpha^hops x product of its transfers``: the score it alone
would give its entity if its seed scored 1. The score is the sum of the contributions of
all walks, divided by the seeds' level (at least 1 in these units, more where walks return
to a seed), so the strongest paths are the largest terms of the score.

The strongest path from any seed to every node is one multi-source Dijkstra on
``-log(alpha x transfer)`` (an ``EvidenceTree``, once per seed set); the top paths of one
entity are then, for each neighbour, the strongest path to the neighbour plus the last hop,
loops excluded: the best path that ends with each distinct last hop.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from riskgraph.graph.snapshot import FloatArray, IntArray
from riskgraph.risk.propagation import ContagionGraph, leak_scale

NO_NODE = -9999  # scipy's predecessor for a seed or an unreached node


@dataclass(frozen=True)
class Hop:
    """One relationship on a path, in the direction the risk travels."""

    source: int  # global node index (ContagionGraph.label_of gives label and row)
    target: int
    type: str  # the strongest relationship joining the pair
    forward: bool  # it points from source to target (source HOLDS target), not back
    weight: float  # the pair's weight in the contagion graph
    transfer: float  # weight x the source's leak cap: share of its risk passed on


@dataclass(frozen=True)
class EvidencePath:
    """A chain from a seed to an entity; no hops when the entity is the seed itself."""

    seed: int
    target: int
    hops: tuple[Hop, ...]
    contribution: float  # alpha^len(hops) x product of the transfers; 1 for a seed


@dataclass(frozen=True)
class EvidenceTree:
    """The strongest path from any seed to every node of a contagion graph."""

    graph: ContagionGraph
    alpha: float
    seeds: IntArray  # sorted, unique
    scale: FloatArray  # each node's leak cap (propagation.leak_scale)
    distance: FloatArray  # -log(contribution) of the node's strongest path; inf: unreached
    predecessor: IntArray  # previous node on it; NO_NODE at a seed or unreached
    origin: IntArray  # the seed it starts from; NO_NODE when unreached


def evidence_tree(
    graph: ContagionGraph,
    seeds: npt.NDArray[np.int64],
    alpha: float = 0.85,
    floor: float | None = None,
) -> EvidenceTree:
    """One multi-source Dijkstra from all seeds over the directed costs
    ``-log(alpha x weight(u, v) x scale[u])`` (positive: alpha < 1 and transfers <= 1).
    With ``floor``, paths contributing less are not followed (their ends stay unreached):
    a what-if from one company then explores hundreds of nodes, not the province (0.2 s
    instead of 1.5 s at 650,000 companies)."""
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be in (0, 1), not {alpha}")
    adjacency = graph.adjacency
    n = adjacency.shape[0]
    seeds = np.unique(np.asarray(seeds, dtype=np.int64))
    scale = leak_scale(adjacency)
    if n == 0 or len(seeds) == 0:
        unreached = np.full(n, NO_NODE, dtype=np.int64)
        return EvidenceTree(graph, alpha, seeds, scale, np.full(n, np.inf), unreached, unreached)
    rows = np.repeat(np.arange(n), np.diff(adjacency.indptr))
    transfer = alpha * adjacency.data * scale[rows]
    usable = transfer > 0.0  # a zero weight is no evidence (and no edge to csgraph)
    indptr = np.r_[0, np.cumsum(np.bincount(rows[usable], minlength=n))]
    # floor the cost so that an edge never vanishes (csgraph drops zeros)
    cost = np.maximum(-np.log(transfer[usable]), 1e-300)
    costs = sp.csr_array((cost, adjacency.indices[usable], indptr), shape=(n, n))
    limit = np.inf if floor is None else -np.log(floor)
    distance, predecessor, origin = dijkstra(
        costs, directed=True, indices=seeds, min_only=True, return_predecessors=True, limit=limit
    )
    return EvidenceTree(
        graph,
        alpha,
        seeds,
        scale,
        np.asarray(distance, dtype=np.float64),
        np.asarray(predecessor, dtype=np.int64),
        np.asarray(origin, dtype=np.int64),
    )


def _hop(tree: EvidenceTree, source: int, target: int) -> Hop:
    adjacency = tree.graph.adjacency
    start, end = adjacency.indptr[source], adjacency.indptr[source + 1]
    position = start + int(np.searchsorted(adjacency.indices[start:end], target))
    weight = float(adjacency.data[position])
    kind = tree.graph.relationships[int(tree.graph.edge_types[position])]
    forward = bool(tree.graph.edge_forward[position])
    return Hop(source, target, kind, forward, weight, weight * float(tree.scale[source]))


def _chain(tree: EvidenceTree, node: int) -> list[int]:
    """Nodes of the strongest path to ``node``, seed first."""
    chain = [node]
    while tree.predecessor[chain[-1]] != NO_NODE:
        chain.append(int(tree.predecessor[chain[-1]]))
        if len(chain) > len(tree.predecessor):
            raise RuntimeError("the predecessor tree has a cycle")
    return chain[::-1]


def _path(tree: EvidenceTree, chain: list[int]) -> EvidencePath:
    hops = tuple(_hop(tree, a, b) for a, b in itertools.pairwise(chain))
    contribution = float(np.prod([tree.alpha * h.transfer for h in hops]))
    return EvidencePath(chain[0], chain[-1], hops, contribution)


def strongest_path(tree: EvidenceTree, node: int) -> EvidencePath | None:
    """The strongest path from any seed to ``node``; None if no seed reaches it."""
    if not np.isfinite(tree.distance[node]):
        return None
    return _path(tree, _chain(tree, node))


def evidence_paths(tree: EvidenceTree, node: int, k: int = 3) -> list[EvidencePath]:
    """Up to ``k`` strongest paths from the seeds to ``node``, strongest first: the trivial
    path if ``node`` is a seed, then the best path through each neighbour (one per last hop,
    without loops through ``node``)."""
    n = len(tree.distance)
    if not 0 <= node < n:
        raise IndexError(f"node {node} is outside the graph ({n} nodes)")
    paths: list[EvidencePath] = []
    position = int(np.searchsorted(tree.seeds, node))
    if position < len(tree.seeds) and tree.seeds[position] == node:
        paths.append(EvidencePath(node, node, (), 1.0))
    adjacency = tree.graph.adjacency
    start, end = adjacency.indptr[node], adjacency.indptr[node + 1]
    neighbours = np.asarray(adjacency.indices[start:end], dtype=np.int64)
    transfer = tree.alpha * adjacency.data[start:end] * tree.scale[neighbours]
    with np.errstate(divide="ignore"):
        cost = tree.distance[neighbours] - np.log(transfer)
    candidates = np.flatnonzero(np.isfinite(cost) & (neighbours != node))
    for i in candidates[np.argsort(cost[candidates], kind="stable")]:
        if len(paths) >= k:
            break
        chain = _chain(tree, int(neighbours[i]))
        if node in chain:
            continue
        paths.append(_path(tree, [*chain, node]))
    return paths
