"""Scoring ring detection and contagion ranking against the generator's ground truth.

The metric functions are pure and work on plain id mappings, so any method (ours, the
baselines, a notebook experiment) is scored the same way; the two CSV readers of
``truth/`` are kept apart at the bottom.

Rings are scored twice. Member level asks whether the entities flagged are ring entities
at all (which ring does not matter). Ring level asks whether the rings themselves were
found: a predicted ring matches a true one when their member sets overlap with Jaccard at
least ``jaccard`` (0.5 by default), each ring matched at most once, greedily by Jaccard.
A method that returns one giant component scores well on member recall and badly here.
"""

from __future__ import annotations

import csv
import hashlib
import math
from collections import defaultdict
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
from sklearn.metrics import average_precision_score, roc_auc_score

from riskgraph.graph.snapshot import IntArray, Snapshot

ENTITY_TYPES = ("company", "person")  # as written in truth/rings.csv
_LABELS = {"company": "Company", "person": "Person"}


@dataclass(frozen=True)
class PRF:
    """Precision, recall and F1 with the counts behind them (0 where undefined)."""

    hits: int  # true positives: matched predictions (= matched truths, matching is 1:1)
    predicted: int
    actual: int
    precision: float
    recall: float
    f1: float

    @classmethod
    def of(cls, hits: int, predicted: int, actual: int) -> PRF:
        precision = hits / predicted if predicted else 0.0
        recall = hits / actual if actual else 0.0
        total = precision + recall
        f1 = 2 * precision * recall / total if total else 0.0
        return cls(hits, predicted, actual, precision, recall, f1)


@dataclass(frozen=True)
class RingMatch:
    predicted: str  # ring ids
    true: str
    jaccard: float


@dataclass(frozen=True)
class RingMetrics:
    members: PRF  # entity level: flagged as in some ring vs. in some true ring
    rings: PRF  # ring level: one-to-one matches at Jaccard >= threshold
    matches: tuple[RingMatch, ...] = field(repr=False)


@dataclass(frozen=True)
class ContagionMetrics:
    roc_auc: float  # NaN when only one class is present
    average_precision: float
    precision_at_k: float  # k = positives; ties at the cut shared out pro rata
    positives: int
    negatives: int


@dataclass(frozen=True)
class RingTruth(Mapping[str, str]):
    """entity id -> true ring id, with each entity's type (company|person) and role."""

    ring_of: Mapping[str, str]
    entity_types: Mapping[str, str]
    roles: Mapping[str, str]

    def __getitem__(self, entity: str) -> str:
        return self.ring_of[entity]

    def __iter__(self) -> Iterator[str]:
        return iter(self.ring_of)

    def __len__(self) -> int:
        return len(self.ring_of)

    def of_type(self, entity_type: str) -> dict[str, str]:
        return {e: r for e, r in self.ring_of.items() if self.entity_types[e] == entity_type}


def _groups(assignment: Mapping[str, str]) -> dict[str, frozenset[str]]:
    members: dict[str, set[str]] = defaultdict(set)
    for entity, ring in assignment.items():
        members[ring].add(entity)
    return {ring: frozenset(entities) for ring, entities in members.items()}


def match_rings(
    predicted: Mapping[str, str], truth: Mapping[str, str], jaccard: float = 0.5
) -> tuple[RingMatch, ...]:
    """One-to-one greedy matching of predicted to true rings, best Jaccard first.

    Only pairs that share a member are candidates, so this costs the overlaps, not the
    product of the ring counts (a giant predicted component overlaps every true ring once).
    Ties are broken by ring id so the result does not depend on dict order."""
    predicted_rings, true_rings = _groups(predicted), _groups(truth)
    overlap: dict[tuple[str, str], int] = defaultdict(int)
    for entity, true_ring in truth.items():
        predicted_ring = predicted.get(entity)
        if predicted_ring is not None:
            overlap[predicted_ring, true_ring] += 1
    candidates = []
    for (p, t), common in overlap.items():
        union = len(predicted_rings[p]) + len(true_rings[t]) - common
        score = common / union
        if score >= jaccard:
            candidates.append(RingMatch(p, t, score))
    candidates.sort(key=lambda m: (-m.jaccard, m.predicted, m.true))
    used_predicted: set[str] = set()
    used_true: set[str] = set()
    matches = []
    for m in candidates:
        if m.predicted not in used_predicted and m.true not in used_true:
            used_predicted.add(m.predicted)
            used_true.add(m.true)
            matches.append(m)
    return tuple(matches)


def ring_metrics(
    predicted: Mapping[str, str],
    truth: Mapping[str, str],
    *,
    only: Collection[str] | None = None,
    jaccard: float = 0.5,
) -> RingMetrics:
    """Member- and ring-level precision/recall/F1 of a ring assignment (entity -> ring id).

    ``only`` restricts both sides to those entities before anything is counted (e.g. a
    snapshot's company keys, for company-only figures: see ``ring_metrics_by_type``); rings
    left empty by the restriction vanish, and Jaccard is taken over what remains."""
    if only is not None:
        keep = set(only)
        predicted = {e: r for e, r in predicted.items() if e in keep}
        truth = {e: r for e, r in truth.items() if e in keep}
    hits = sum(1 for entity in predicted if entity in truth)
    members = PRF.of(hits, len(predicted), len(truth))
    matches = match_rings(predicted, truth, jaccard)
    rings = PRF.of(len(matches), len(set(predicted.values())), len(set(truth.values())))
    return RingMetrics(members, rings, matches)


def ring_metrics_by_type(
    predicted: Mapping[str, str],
    truth: Mapping[str, str],
    snapshot: Snapshot,
    *,
    jaccard: float = 0.5,
) -> dict[str, RingMetrics]:
    """Ring metrics over all entities, over companies only and over persons only (keys
    'all', 'company', 'person'); an entity's type is the snapshot label holding its id."""
    result = {"all": ring_metrics(predicted, truth, jaccard=jaccard)}
    for entity_type in ENTITY_TYPES:
        table = snapshot.nodes.get(_LABELS[entity_type])
        keys: list[str] = [] if table is None else table.keys.tolist()
        result[entity_type] = ring_metrics(predicted, truth, only=keys, jaccard=jaccard)
    return result


def _precision_at_k(
    scores: npt.NDArray[np.float64], labels: npt.NDArray[np.int64], k: int
) -> float:
    """Expected precision of the top k under random tie-breaking: a constant score (or a
    hop distance, with its many ties) earns the base rate, not an arbitrary order's luck."""
    if k == 0:
        return math.nan
    cut = np.sort(scores)[::-1][k - 1]
    above = scores > cut
    at = scores == cut
    from_ties = (k - int(above.sum())) * float(labels[at].mean())
    return (float(labels[above].sum()) + from_ties) / k


def contagion_metrics(
    scores: Mapping[str, float],
    positives: Collection[str],
    exclude: Collection[str] = frozenset(),
    *,
    universe: Collection[str] | None = None,
) -> ContagionMetrics:
    """How well ``scores`` rank the companies that fail after t0 above those that do not.

    Evaluated over ``universe`` (default: every scored company plus every positive) minus
    ``exclude``, the companies already exposed at t0, whose failure is no prediction. A
    company without a score scores 0; a positive outside an explicit ``universe`` (say, a
    company rejected at ingest) is not counted."""
    excluded = set(exclude)
    population = set(scores) | set(positives) if universe is None else set(universe)
    companies = sorted(population - excluded)
    positive = set(positives)
    labels = np.array([c in positive for c in companies], dtype=np.int64)
    values = np.array([scores.get(c, 0.0) for c in companies], dtype=np.float64)
    n_pos = int(labels.sum())
    n_neg = len(labels) - n_pos
    auc, ap = ranking_quality(labels.astype(bool), values)
    return ContagionMetrics(auc, ap, _precision_at_k(values, labels, n_pos), n_pos, n_neg)


def ranking_quality(
    labels: npt.NDArray[np.bool_], values: npt.NDArray[np.float64]
) -> tuple[float, float]:
    """(ROC-AUC, average precision) of ranking ``labels`` by ``values``; NaN for both when
    one class is missing."""
    if labels.all() or not labels.any():
        return math.nan, math.nan
    return (
        float(roc_auc_score(labels, values)),
        float(average_precision_score(labels, values)),
    )


def folds_of(keys: npt.NDArray[np.object_], folds: int) -> IntArray:
    """Each company's fold, from a hash of its key: stable across runs and node orders (the
    GNN's cross-fitting folds, the back-test's held-out third)."""
    return np.array(
        [
            int.from_bytes(hashlib.blake2b(str(k).encode(), digest_size=8).digest(), "big") % folds
            for k in keys
        ],
        dtype=np.int64,
    )


# --- truth readers -------------------------------------------------------------------------


def read_ring_truth(path: Path | str) -> RingTruth:
    """truth/rings.csv (ring_id, entity_id, entity_type, role). An entity listed in two rings
    would make member-level scoring ambiguous, so it is an error rather than a silent pick."""
    ring_of: dict[str, str] = {}
    types: dict[str, str] = {}
    roles: dict[str, str] = {}
    with Path(path).open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            entity = row["entity_id"]
            if entity in ring_of and ring_of[entity] != row["ring_id"]:
                raise ValueError(f"{entity} is in rings {ring_of[entity]} and {row['ring_id']}")
            ring_of[entity] = row["ring_id"]
            types[entity] = row["entity_type"]
            roles[entity] = row["role"]
    return RingTruth(ring_of, types, roles)


def read_future_exposures(path: Path | str) -> set[str]:
    """truth/future_exposures.csv: the companies that fail after t0 (any cause)."""
    with Path(path).open(encoding="utf-8", newline="") as f:
        return {row["company_id"] for row in csv.DictReader(f)}
