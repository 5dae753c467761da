"""Which propagation method ranks the future exposures of a province best: the product's
leaky personalised PageRank, a heat kernel, or noisy-OR. Prints a markdown table.

The provinces are generated (``riskgraph generate``), so their future is known:
``truth/future_exposures.csv`` lists the companies that fail after t0. Each method scores
every company from the companies exposed before t0 (the seeds); the seeds are left out of
the evaluation, and the rest are ranked against the future: average precision (AP) and
ROC-AUC over all future exposures, and AP over those the generator caused by contagion
(rings, controllers), the background failures left out (no graph method can see them).

    python -m bench.propagation_methods --province SNAPSHOT.pkl FUTURE.csv [--province ...]
    python -m bench.propagation_methods --truth FUTURE.csv   # the Neo4j of the settings

(a ``SNAPSHOT.pkl`` is a pickled ``riskgraph.graph.snapshot.Snapshot``). The alternatives
live here, not in the package: they lost (docs/risk-model.md).
"""

from __future__ import annotations

import argparse
import csv
import math
import pickle
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from sklearn.metrics import average_precision_score, roc_auc_score

from riskgraph.graph.snapshot import FloatArray, IntArray, Snapshot
from riskgraph.risk.propagation import Propagator, contagion_graph, leak_scale

ALPHA = 0.85  # the product's damping
ROUNDS = 3  # timing: median of interleaved rounds
BOOTSTRAP = 200  # paired resamples of the companies, for the intervals

Method = Callable[[sp.csr_array, IntArray], FloatArray]


def personalised_pagerank(alpha: float) -> Method:
    """The product's method (riskgraph.risk.propagation)."""

    def scores(adjacency: sp.csr_array, seeds: IntArray) -> FloatArray:
        return Propagator(adjacency, alpha).scores(seeds)

    return scores


def heat_kernel(t: float) -> Method:
    """``exp(-t (I - P)) r`` with the same leaky transitions ``P = A S``: walks of Poisson(t)
    length instead of PageRank's geometric one (mean ``alpha / (1 - alpha)``). Taylor series,
    cut where the Poisson tail falls below 1e-9."""

    def scores(adjacency: sp.csr_array, seeds: IntArray) -> FloatArray:
        transition = sp.csr_array(adjacency @ sp.diags_array(leak_scale(adjacency)))
        term = np.zeros(adjacency.shape[0])
        term[seeds] = 1.0 / len(seeds)  # P^k r, from k = 0
        heat = term.copy()
        coefficient, covered, k = 1.0, 1.0, 0  # t^k / k!, and their sum so far
        while 1.0 - math.exp(-t) * covered > 1e-9 and k < 1000:
            k += 1
            coefficient *= t / k
            term = transition @ term
            heat += coefficient * term
            covered += coefficient
        return _seed_scaled(heat, seeds)  # the factor exp(-t) goes with the scaling

    return scores


def noisy_or(hops: int) -> Method:
    """Independent-cascade style: a node fails unless every neighbour's failure, passed on
    with probability ``min(1, weight)``, misses it; ``hops`` rounds from the seeds (at 1)."""

    def scores(adjacency: sp.csr_array, seeds: IntArray) -> FloatArray:
        csr = sp.csr_array(adjacency)
        probability = np.zeros(csr.shape[0])
        probability[seeds] = 1.0
        weight = np.minimum(csr.data, 1.0)
        for _ in range(hops):
            passed = weight * probability[csr.indices]
            miss = np.log1p(-np.minimum(passed, 1.0 - 1e-12))
            log_miss = sp.csr_array((miss, csr.indices, csr.indptr), shape=csr.shape).sum(axis=1)
            probability = -np.expm1(np.asarray(log_miss).ravel())
            probability[seeds] = 1.0
        return probability

    return scores


def _seed_scaled(rank: FloatArray, seeds: IntArray) -> FloatArray:
    level = rank[seeds].max()
    return np.clip(rank / level, 0.0, 1.0) if level > 0 else rank


PRODUCT = "PPR α=0.85 (product)"
METHODS: dict[str, Method] = {
    PRODUCT: personalised_pagerank(ALPHA),
    "PPR α=0.5": personalised_pagerank(0.5),
    "PPR α=0.95": personalised_pagerank(0.95),
    f"heat t={ALPHA / (1 - ALPHA):.2f}": heat_kernel(ALPHA / (1 - ALPHA)),
    "heat t=2": heat_kernel(2.0),
    "noisy-OR 2 hops": noisy_or(2),
    "noisy-OR 4 hops": noisy_or(4),
    "noisy-OR 6 hops": noisy_or(6),
}


@dataclass(frozen=True)
class Province:
    name: str
    snapshot: Snapshot
    future: dict[str, str]  # company id -> cause


def read_future(path: Path) -> dict[str, str]:
    with path.open(newline="", encoding="utf-8") as file:
        return {row["company_id"]: row["cause"] for row in csv.DictReader(file)}


@dataclass(frozen=True)
class Result:
    average_precision: float
    roc_auc: float
    contagion_average_precision: float
    seconds: float


def _evaluate(
    company_scores: FloatArray,
    exposed: npt.NDArray[np.bool_],
    future: npt.NDArray[np.bool_],
    contagion: npt.NDArray[np.bool_],
) -> tuple[float, float, float]:
    keep = ~exposed
    scores, label = company_scores[keep], future[keep]
    population = keep & (contagion | ~future)  # background failures left out
    return (
        float(average_precision_score(label, scores)),
        float(roc_auc_score(label, scores)),
        float(average_precision_score(contagion[population], company_scores[population])),
    )


def average_precision(
    scores: FloatArray, label: npt.NDArray[np.bool_], weight: FloatArray | None = None
) -> float:
    """sklearn's average precision (ties as one threshold), with case weights for the
    bootstrap."""
    w = np.ones(len(scores)) if weight is None else weight
    order = np.argsort(-scores, kind="stable")
    s, y, w = scores[order], label[order], w[order]
    ends = np.r_[np.flatnonzero(s[1:] != s[:-1]), len(s) - 1]
    true_positives = np.cumsum(w * y)[ends]
    predicted = np.cumsum(w)[ends]
    if true_positives[-1] <= 0:
        return float("nan")
    # a threshold that no resampled company reaches adds no recall: precision moot there
    precision = np.divide(
        true_positives, predicted, out=np.zeros_like(predicted), where=predicted > 0
    )
    recall = true_positives / true_positives[-1]
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def compare(provinces: list[Province]) -> str:
    """The markdown table: one row per province and method."""
    lines = [
        "| province | method | AP | ROC-AUC | AP, contagion causes | seconds |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    means: dict[str, list[float]] = {name: [] for name in METHODS}
    # paired bootstrap over companies: AP of each method minus the product's, per province
    differences: dict[str, list[FloatArray]] = {name: [] for name in METHODS}
    rng = np.random.default_rng(0)
    for province in provinces:
        snapshot = province.snapshot
        graph = contagion_graph(snapshot)
        companies = graph.indices("Company")
        exposed = snapshot.exposed()
        seeds = np.flatnonzero(exposed) + companies.start
        keys = snapshot.nodes["Company"].keys
        future = np.array([k in province.future for k in keys])
        contagion = np.array([province.future.get(k, "background") != "background" for k in keys])
        times: dict[str, list[float]] = {name: [] for name in METHODS}
        results: dict[str, FloatArray] = {}
        for _ in range(ROUNDS):
            for name, method in METHODS.items():
                started = time.perf_counter()
                results[name] = method(graph.adjacency, seeds)[companies]
                times[name].append(time.perf_counter() - started)
        held_out = int((~exposed).sum())
        positives = int(future[~exposed].sum())
        lines.append(
            f"| {province.name} | (random ranking: {positives} of {held_out:,} companies "
            f"fail; {len(seeds)} seeds) | {positives / held_out:.4f} | 0.5 | | |"
        )
        weights = rng.poisson(1.0, size=(BOOTSTRAP, held_out)).astype(np.float64)
        label = future[~exposed]
        resampled = {
            name: np.array([average_precision(results[name][~exposed], label, w) for w in weights])
            for name in METHODS
        }
        for name in METHODS:
            differences[name].append(resampled[name] - resampled[PRODUCT])
            ap, auc, contagion_ap = _evaluate(results[name], exposed, future, contagion)
            means[name].append(ap)
            lines.append(
                f"| {province.name} | {name} | {ap:.3f} | {auc:.3f} | {contagion_ap:.3f} | "
                f"{statistics.median(times[name]):.3f} |"
            )
    lines += [
        "",
        "| method | mean AP over the provinces | minus the product's, 95% interval |",
        "| --- | ---: | ---: |",
    ]
    for name, aps in means.items():
        low, high = np.percentile(np.mean(differences[name], axis=0), [2.5, 97.5])
        lines.append(f"| {name} | {statistics.mean(aps):.3f} | {low:+.3f} to {high:+.3f} |")
    return "\n".join(lines)


def _database_province(future: Path) -> Province:
    from riskgraph.graph.gateway import Gateway
    from riskgraph.graph.snapshot import build_snapshot
    from riskgraph.settings import get_settings

    settings = get_settings()
    with Gateway(settings) as graph:
        snapshot = build_snapshot(graph)
    return Province(settings.bolt_uri, snapshot, read_future(future))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.propagation_methods")
    parser.add_argument(
        "--province",
        nargs=2,
        action="append",
        metavar=("SNAPSHOT_PKL", "FUTURE_CSV"),
        help="a pickled Snapshot and its truth/future_exposures.csv (repeatable)",
    )
    parser.add_argument(
        "--truth", type=Path, help="future_exposures.csv of the province loaded in Neo4j"
    )
    args = parser.parse_args(argv)
    provinces: list[Province] = []
    for snapshot_path, future_path in args.province or []:
        with Path(snapshot_path).open("rb") as file:
            snapshot = pickle.load(file)  # a file you made: unpickling runs code
        provinces.append(
            Province(Path(snapshot_path).stem, snapshot, read_future(Path(future_path)))
        )
    if not provinces:
        if args.truth is None:
            parser.error("give --province SNAPSHOT FUTURE, or --truth FUTURE for Neo4j")
        provinces.append(_database_province(args.truth))
    sys.stdout.write(compare(provinces) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
