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

The scores solve a linear system, ``x = (1 - alpha) r + alpha A S x`` (``A`` the symmetric
adjacency, ``S`` the leak caps, ``r`` the seeds). With ``x = S^-1/2 z`` it becomes
``(I - alpha S^1/2 A S^1/2) z = (1 - alpha) S^1/2 r``, symmetric positive definite with a
condition number of at most ``(1 + alpha) / (1 - alpha)``, which conjugate gradients solve
in fewer than half the products of the power iteration (docs/risk-model.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from riskgraph.graph.schema import OfficerRole
from riskgraph.graph.snapshot import ROLES, FloatArray, IntArray, Snapshot
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


def leak_scale(adjacency: sp.csr_array) -> FloatArray:
    """Per node, the factor on its edges' weights when it passes risk on: 1, or 1/total
    weight where that exceeds 1, so that a node never passes on more than it holds."""
    out_weight = np.asarray(adjacency.sum(axis=1), dtype=np.float64).ravel()
    return np.where(out_weight > 1.0, 1.0 / np.maximum(out_weight, 1.0), 1.0)


@dataclass(frozen=True)
class ContagionGraph:
    """The weighted graph over all entities, with each edge's strongest relationship type
    (to label evidence paths)."""

    offsets: dict[str, int]  # label -> first global index
    sizes: dict[str, int]
    adjacency: sp.csr_array  # symmetric, canonical (sorted, no duplicates), weights >= 0
    # parallel to adjacency.data: index into ``relationships`` of the strongest of the
    # relationships joining the pair (their weights are summed in ``adjacency``) ...
    edge_types: npt.NDArray[np.int8]
    # ... and whether it points from the entry's row to its column (row HOLDS column)
    edge_forward: npt.NDArray[np.bool_]
    relationships: tuple[str, ...]

    def indices(self, label: str) -> slice:
        start = self.offsets[label]
        return slice(start, start + self.sizes[label])

    def label_of(self, node: int) -> tuple[str, int]:
        """(label, row in that label's node table) of a global index."""
        for label, start in self.offsets.items():
            if start <= node < start + self.sizes[label]:
                return label, node - start
        raise IndexError(f"node {node} is outside the graph ({sum(self.sizes.values())} nodes)")


def contagion_graph(
    snapshot: Snapshot, weights: Mapping[str, float] = PATH_WEIGHTS
) -> ContagionGraph:
    """One weighted, undirected graph over every entity of the snapshot (events aside).

    Relationships joining the same pair add up (a person who holds and runs a company is
    tied to it twice); the pair's type is that of the heaviest of them."""
    labels = [label for label in sorted(snapshot.nodes) if label != "Event"]
    offsets, sizes, total = {}, {}, 0
    for label in labels:
        offsets[label], sizes[label] = total, snapshot.size(label)
        total += sizes[label]
    relationships = tuple(sorted(weights))
    code = {rel_type: i for i, rel_type in enumerate(relationships)}
    rows, cols, values, types = [], [], [], []
    # indexed by role code; the extra last entry serves code -1 (no role)
    role_weight = np.array([ROLE_WEIGHTS.get(r, UNKNOWN_ROLE) for r in ROLES] + [UNKNOWN_ROLE])
    for (source_label, rel_type, target_label), table in sorted(snapshot.edges.items()):
        if rel_type not in weights or source_label not in offsets or target_label not in offsets:
            continue
        w = np.full(len(table), float(weights[rel_type]))
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
        types.append(np.full(len(table), code[rel_type], dtype=np.int16))
    if sum(len(r) for r in rows) == 0:
        empty = sp.csr_array((total, total))
        none = np.zeros(0, np.int8)
        return ContagionGraph(offsets, sizes, empty, none, none.astype(bool), relationships)
    r, c, kinds = np.concatenate(rows), np.concatenate(cols), np.concatenate(types)
    # both directions of every edge (a self-loop counts twice, as in A + A.T); the code
    # tells the type and whether the entry keeps the relationship's direction (even codes)
    key = np.concatenate([r * total + c, c * total + r])
    v = np.concatenate(values * 2)
    t = np.concatenate([2 * kinds, 2 * kinds + 1])
    order = np.argsort(key)
    key, v, t = key[order], v[order], t[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    data = np.add.reduceat(v, starts)
    # the pair's heaviest relationship (the lowest code among equals)
    strongest = np.repeat(np.maximum.reduceat(v, starts), np.diff(np.r_[starts, len(v)]))
    chosen = np.minimum.reduceat(np.where(v == strongest, t, 2 * len(relationships)), starts)
    pair = key[starts]
    # int32 indices where they fit, as scipy makes them: half the memory, no conversion
    index = np.int32 if max(total, len(pair)) < 2**31 else np.int64
    indptr = np.r_[0, np.cumsum(np.bincount(pair // total, minlength=total))].astype(index)
    indices = (pair % total).astype(index)
    adjacency = sp.csr_array((data, indices, indptr), shape=(total, total))
    edge_types, edge_forward = (chosen // 2).astype(np.int8), chosen % 2 == 0
    return ContagionGraph(offsets, sizes, adjacency, edge_types, edge_forward, relationships)


def _conjugate_gradients(
    operator: sp.csr_array,
    rhs: npt.NDArray[Any],
    inverse_root: npt.NDArray[Any],
    threshold: float,
    max_iterations: int,
) -> npt.NDArray[Any]:
    """Solve ``(I - operator) z = rhs`` (symmetric positive definite) until the L1 norm of
    the residual in the original variables, ``S^-1/2 (rhs - (I - operator) z)``, is below
    ``threshold``."""
    residual = rhs.copy()
    scratch = np.empty_like(rhs)
    z = np.zeros_like(rhs)
    direction = residual.copy()
    rr = float(residual @ residual)
    for _ in range(max_iterations):
        # the L1 norm is at least the L2 norm, and S^-1/2 >= 1: skip the pass while the
        # cheap bound already says "not yet"
        if np.sqrt(rr) < threshold and float(np.abs(residual) @ inverse_root) < threshold:
            break
        product = operator @ direction
        np.subtract(direction, product, out=product)  # (I - operator) p
        curvature = float(direction @ product)
        if not curvature > 0.0:  # converged to rounding
            break
        step = rr / curvature
        z += np.multiply(direction, step, out=scratch)
        residual -= np.multiply(product, step, out=scratch)
        rr_next = float(residual @ residual)
        direction *= rr_next / rr
        direction += residual
        rr = rr_next
    return z


class Propagator:
    """The leaky PageRank operator of one contagion graph, prepared once so that a what-if
    (another set of seeds) costs only the solve.

    Holds ``alpha S^1/2 A S^1/2``, in float32 for the usual tolerances (half the memory
    traffic of the products, which dominate the solve) and float64 for tight ones. Seeds
    whose connected part of the graph is small are solved on that part alone."""

    LOCAL = 0.1  # solve on the seeds' reach when it holds at most this share of the edges

    def __init__(self, adjacency: sp.csr_array, alpha: float = 0.85) -> None:
        if not 0.0 <= alpha < 1.0:
            raise ValueError(f"alpha must be in [0, 1), not {alpha}")
        self.alpha = alpha
        self.size = adjacency.shape[0]
        self.scale = leak_scale(adjacency)
        self._root: FloatArray = np.sqrt(self.scale)
        self._inverse_root: FloatArray = 1.0 / self._root
        csr = sp.csr_array(adjacency)
        self._indptr, self._indices = csr.indptr, csr.indices
        row_root = np.repeat(self._root, np.diff(csr.indptr))
        self._data: FloatArray = alpha * csr.data * row_root * self._root[csr.indices]
        self._prepared: dict[bool, tuple[sp.csr_array, npt.NDArray[Any], npt.NDArray[Any]]] = {}

    def _operator(self, single: bool) -> tuple[sp.csr_array, npt.NDArray[Any], npt.NDArray[Any]]:
        """(operator, S^1/2, S^-1/2) in float32 if ``single``, else float64; made on first
        use."""
        if single not in self._prepared:
            dtype = np.float32 if single else np.float64
            operator = sp.csr_array(
                (self._data.astype(dtype), self._indices, self._indptr),
                shape=(self.size, self.size),
            )
            roots = self._root.astype(dtype), self._inverse_root.astype(dtype)
            self._prepared[single] = (operator, *roots)
        return self._prepared[single]

    def _reach(self, seeds: IntArray) -> IntArray | None:
        """The nodes connected to the seeds, sorted, by breadth-first search; None as soon
        as they hold more than ``LOCAL`` of the edges (then the whole graph is solved)."""
        indptr, indices = self._indptr, self._indices
        budget = self.LOCAL * len(indices)
        seen = np.zeros(self.size, dtype=bool)
        last = np.empty(self.size, dtype=np.int64)  # dedupes a level without sorting
        frontier = np.unique(seeds)
        seen[frontier] = True
        visited = 0
        while len(frontier):
            starts = indptr[frontier]
            counts = indptr[frontier + 1] - starts
            total = int(counts.sum())
            visited += total
            if visited > budget:
                return None
            # the neighbours of the frontier, gathered without a Python loop
            shift = np.repeat(starts - np.cumsum(counts) + counts, counts)
            neighbours = indices[shift + np.arange(total)]
            fresh = neighbours[~seen[neighbours]]
            seen[fresh] = True
            order = np.arange(len(fresh))
            last[fresh] = order
            frontier = fresh[last[fresh] == order]
        return np.flatnonzero(seen)

    def solve(
        self,
        seeds: npt.NDArray[np.int64],
        tolerance: float = 1e-10,
        max_iterations: int = 200,
        strength: FloatArray | None = None,
    ) -> FloatArray:
        """The raw PageRank vector ``x`` (restart mass 1 spread over the seeds, evenly or in
        proportion to ``strength``, one value per seed).

        Stops when the L1 residual of ``x`` falls below ``n * tolerance``. For the power
        iteration that residual is the change of an iteration, the criterion of
        ``networkx.pagerank``; either way the L1 error is at most the residual over
        ``1 - alpha``. Float32 unless that asks for more than float32 resolves."""
        n = self.size
        seeds = np.asarray(seeds, dtype=np.int64)
        if n == 0 or len(seeds) == 0:
            return np.zeros(n)
        threshold = n * tolerance
        restart_mass = 1.0 - self.alpha
        operator, root, inverse_root = self._operator(threshold >= 1e-5 * restart_mass)
        rhs = np.zeros(n, dtype=root.dtype)
        if strength is None:
            rhs[seeds] = restart_mass / len(seeds)
        else:
            mass = np.asarray(strength, dtype=np.float64)
            if mass.shape != seeds.shape or not (mass >= 0).all() or mass.sum() <= 0:
                raise ValueError("strength: one value >= 0 per seed, not all 0")
            np.add.at(rhs, seeds, restart_mass * mass / mass.sum())
        reach = self._reach(seeds)
        if reach is not None:  # the rest of the graph stays at 0, exactly
            operator = operator[reach][:, reach]
            rhs, root, inverse_root = rhs[reach], root[reach], inverse_root[reach]
        z = _conjugate_gradients(operator, rhs * root, inverse_root, threshold, max_iterations)
        x = np.asarray(z * inverse_root, dtype=np.float64)
        if reach is None:
            return x
        full = np.zeros(n)
        full[reach] = x
        return full

    def scores(
        self,
        seeds: npt.NDArray[np.int64],
        tolerance: float = 1e-10,
        max_iterations: int = 200,
        strength: FloatArray | None = None,
    ) -> FloatArray:
        """Contagion score in [0, 1] for every node, scaled so that the highest seed scores
        1 (with ``strength``, a fading seed scores less)."""
        seeds = np.asarray(seeds, dtype=np.int64)
        rank = self.solve(seeds, tolerance, max_iterations, strength)
        if len(seeds) == 0:
            return rank
        seed_level = rank[seeds].max()
        return np.clip(rank / seed_level, 0.0, 1.0) if seed_level > 0 else rank


def propagate(
    adjacency: sp.csr_array,
    seeds: npt.NDArray[np.int64],
    alpha: float = 0.85,
    tolerance: float = 1e-10,
    max_iterations: int = 200,
    strength: FloatArray | None = None,
) -> FloatArray:
    """Contagion score in [0, 1] for every node: personalised PageRank from ``seeds`` (each
    with its ``strength``, default equal) with leaky transitions, scaled so that the
    highest seed scores 1.

    One-off: prepares the operator and solves. Keep a ``Propagator`` to score several seed
    sets on the same graph."""
    return Propagator(adjacency, alpha).scores(seeds, tolerance, max_iterations, strength)


def seed_strength(
    snapshot: Snapshot, exposed: npt.NDArray[np.bool_], half_life: float | None, today: float
) -> FloatArray | None:
    """Per exposed company (in order), how strongly it seeds contagion: 2^(-age / half-life)
    of its latest dated exposure on ``today`` (days since 1970). A platform's partners fail
    in the months after it blows up; one that blew up years ago and whose partners are
    still standing is spent. None (equal seeds) without a half-life; an exposure of
    unknown date counts as fresh."""
    if half_life is None:
        return None
    latest = snapshot.exposure_days(latest=True, undated=np.inf)
    age = np.maximum(today - latest[exposed], 0.0)
    strength: FloatArray = np.exp2(-np.where(np.isfinite(age), age, 0.0) / half_life)
    return strength
