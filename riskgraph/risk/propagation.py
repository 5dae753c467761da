"""Contagion propagation: pure functions over the snapshot's arrays (scipy.sparse).

Every entity (company, person, address, phone) is a node of one weighted, undirected
contagion graph. An edge's weight is the relationship's weight from ``riskgraph.weights``,
times the share for holdings, the role's weight for offices, and, for a shared phone or
address, the identifier's rarity: a phone on 3 filings is strong evidence, one on 400 (a
bookkeeping agency) is almost none. Risk spreads from the seeds by a personalised
PageRank whose transitions are *leaky*: a node passes on at most the total weight of its
edges (capped at 1), so weak evidence moves little mass instead of being normalised up.
A chain's contribution therefore decays with its length (by ``alpha`` per hop) and with
the weakness of its links.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from riskgraph.graph.schema import OfficerRole
from riskgraph.graph.snapshot import ROLES, FloatArray, Snapshot
from riskgraph.weights import PATH_WEIGHTS

# How much control each office carries, legal representative first (法定代表人 signs for the
# company). Multiplies PATH_WEIGHTS["OFFICER_OF"].
ROLE_WEIGHTS: Mapping[OfficerRole, float] = {
    OfficerRole.LEGAL_REPRESENTATIVE: 1.0,
    OfficerRole.CHAIRMAN: 0.9,
    OfficerRole.DIRECTOR: 0.7,
    OfficerRole.MANAGER: 0.6,
    OfficerRole.EXECUTIVE: 0.5,
    OfficerRole.SUPERVISOR: 0.4,
}
IDENTIFIER_TYPES = frozenset({"HAS_PHONE", "REGISTERED_AT"})
UNKNOWN_SHARE = 0.5  # a holding whose share is not known
UNKNOWN_ROLE = 0.5  # an office whose role is not given


def rarity(degree: npt.NDArray[np.int64] | npt.NDArray[np.float64]) -> FloatArray:
    """Evidence carried by an identifier shared by ``degree`` entities: 1 when two share it,
    1/(d-1) beyond (every other holder is one more innocent explanation)."""
    d = np.asarray(degree, dtype=np.float64)
    return np.where(d <= 2, 1.0, 1.0 / np.maximum(d - 1.0, 1.0))


@dataclass(frozen=True)
class ContagionGraph:
    offsets: dict[str, int]  # label -> first global index
    sizes: dict[str, int]
    adjacency: sp.csr_array  # symmetric, weights in [0, 1]

    def indices(self, label: str) -> slice:
        start = self.offsets[label]
        return slice(start, start + self.sizes[label])


def contagion_graph(
    snapshot: Snapshot, weights: Mapping[str, float] = PATH_WEIGHTS
) -> ContagionGraph:
    """One weighted, undirected graph over every entity of the snapshot (events aside)."""
    labels = [label for label in sorted(snapshot.nodes) if label != "Event"]
    offsets, sizes, total = {}, {}, 0
    for label in labels:
        offsets[label], sizes[label] = total, snapshot.size(label)
        total += sizes[label]
    rows, cols, values = [], [], []
    # indexed by role code; the extra last entry serves code -1 (no role)
    role_weight = np.array([ROLE_WEIGHTS.get(r, UNKNOWN_ROLE) for r in ROLES] + [UNKNOWN_ROLE])
    for (source_label, rel_type, target_label), table in sorted(snapshot.edges.items()):
        if rel_type not in weights or source_label not in offsets or target_label not in offsets:
            continue
        w = np.full(len(table), weights[rel_type])
        if rel_type == "HOLDS":
            w *= np.where(np.isnan(table.share), UNKNOWN_SHARE, table.share)
        elif rel_type == "OFFICER_OF":
            w *= role_weight[table.role]
        if rel_type in IDENTIFIER_TYPES:
            degree = np.bincount(table.target, minlength=snapshot.size(target_label))
            w *= rarity(degree[table.target])
        rows.append(table.source + offsets[source_label])
        cols.append(table.target + offsets[target_label])
        values.append(w)
    if rows:
        r, c, v = np.concatenate(rows), np.concatenate(cols), np.concatenate(values)
        upper = sp.coo_array((v, (r, c)), shape=(total, total))
        adjacency = sp.csr_array(upper + upper.T)
    else:
        adjacency = sp.csr_array((total, total))
    return ContagionGraph(offsets, sizes, adjacency)


def propagate(
    adjacency: sp.csr_array,
    seeds: npt.NDArray[np.int64],
    alpha: float = 0.85,
    tolerance: float = 1e-10,
    max_iterations: int = 200,
) -> FloatArray:
    """Contagion score in [0, 1] for every node: personalised PageRank from ``seeds`` with
    leaky transitions, scaled so that a seed scores 1.

    Stops when the L1 change of an iteration falls below ``n * tolerance``, the criterion of
    ``networkx.pagerank``, so that both do comparable work."""
    n = adjacency.shape[0]
    if n == 0 or len(seeds) == 0:
        return np.zeros(n)
    out_weight = np.asarray(adjacency.sum(axis=1)).ravel()
    scale = np.where(out_weight > 1.0, 1.0 / np.maximum(out_weight, 1e-300), 1.0)
    # leaky and transposed; float32 halves the memory traffic of the mat-vec products
    transition_t = sp.csr_array((adjacency.multiply(scale[:, None])).T, dtype=np.float32)
    restart = np.zeros(n, dtype=np.float32)
    restart[np.asarray(seeds)] = 1.0 / len(seeds)
    rank = restart.copy()
    for _ in range(max_iterations):
        updated = (1.0 - alpha) * restart + alpha * (transition_t @ rank)
        if np.abs(updated - rank).sum() < n * tolerance:
            rank = updated
            break
        rank = updated
    rank64 = rank.astype(np.float64)
    seed_level = rank64[np.asarray(seeds)].max()
    return np.clip(rank64 / seed_level, 0.0, 1.0) if seed_level > 0 else rank64
