"""Where the GNN's lift over the rules could come from, on *validation* provinces (seeds that
``python -m bench evaluation`` never reports), so that nothing here is chosen on the test
seeds.

For each province: generate, load into a fresh embedded Neo4j, analyze, train the GNN on
the t0 exposures (default configuration), then, among the companies not exposed at t0:

- average precision of the contagion alone, the rules' score, the score with the GNN
  (``combine.with_gnn``, the product's), and other ways of combining the two that a reader
  might propose (the GNN gated by the rules' score or by contagion, the GNN as a tie-break
  of the rules' log-odds);
- how each future failure cause (``truth/future_exposures.csv``: ring contagion,
  controller contagion, background) ranks under the rules and under the GNN;
- ROC-AUC of the rules and of the GNN *inside* two bands of the rules' ranking: the top 80
  (mostly the exposed rings' members) and ranks 80-500 (where the controller-contagion
  failures lie).

Then the GNN trained on a **past period's outcomes** (``train(..., outcomes=...)``, the
failures after t0 of one validation province) scores each *other* validation province, and
its component is OR-ed in full at probabilities from 0.05 to 0.5: this is where
``combine.FULL_AT["outcome"]`` was chosen. Both ``rgcn`` and ``sage`` are trained on the
outcomes, to choose the architecture for that target too.

`python -m bench gnn-lift` (20k seeds 4, 5 and 6, about 10 minutes);
`RISKGRAPH_BENCH_PROVINCES=20000:7,20000:8` picks others. Written to docs/evaluation.md.
"""

from __future__ import annotations

import csv
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import torch
from scipy.special import logit
from sklearn.metrics import average_precision_score, roc_auc_score

from bench.evaluation import provinces
from bench.ingest import province_snapshot
from bench.report import machine
from riskgraph import markdown
from riskgraph.gnn.combine import FULL_AT, OUTCOME, gnn_component, with_gnn
from riskgraph.gnn.model import ModelConfig
from riskgraph.gnn.outcomes import read_outcomes
from riskgraph.gnn.train import TrainConfig, TrainedModel, train
from riskgraph.risk import scoring
from riskgraph.risk.analysis import Analysis, analyze
from riskgraph.risk.evaluation_report import HEADER
from riskgraph.settings import get_settings

DOC = Path(__file__).resolve().parents[1] / "docs" / "evaluation.md"
DEFAULT = "20000:4,20000:5,20000:6"
FULL = (0.05, 0.1, 0.2, 0.3, 0.5)  # where the outcome model's component could be full
OUTCOME_ARCHITECTURES = ("rgcn", "sage")  # compared on the outcome target too
BANDS = ((0, 80), (80, 500))
Floats = npt.NDArray[np.float64]


def _combinations(analysis: Analysis, gnn: Floats, gnn_logit: Floats) -> dict[str, Floats]:
    """Scores to rank by, for every company (the caller keeps those not exposed at t0). The
    gated variants are the product's noisy-OR (``scoring.combine``) with the GNN's component
    multiplied by the gate."""

    def gated(gate: Floats) -> Floats:
        components = {**analysis.components, "gnn": gnn_component(gnn) * gate}
        return scoring.combine(components, analysis.exposed, analysis.params.scoring)

    rules = analysis.score / 100.0
    return {
        "contagion alone (propagation)": analysis.components["contagion"],
        "rules' score": analysis.score,
        "rules + GNN (the product's noisy-OR)": with_gnn(analysis, gnn).score,
        "GNN alone": gnn,
        "rules + GNN gated by the rules' score": gated(rules),
        "rules + GNN gated by contagion": gated(analysis.components["contagion"]),
        "rules' log-odds + 0.1 GNN logit": logit(np.clip(rules, 1e-9, 1 - 1e-9)) + 0.1 * gnn_logit,
    }


@dataclass(frozen=True)
class Province:
    name: str
    analysis: Analysis
    cause: dict[str, str]  # future failure -> its cause
    outcome_models: dict[str, TrainedModel]  # per architecture, on its failures after t0

    @property
    def labels(self) -> npt.NDArray[np.bool_]:
        """Failed after t0, over the companies not exposed at t0."""
        keys = self.analysis.snapshot.nodes["Company"].keys[~self.analysis.exposed]
        return np.array([str(k) in self.cause for k in keys])


def _load(work: Path, companies: int, seed: int) -> Province:
    bundle, snapshot = province_snapshot(work, f"province-{companies}-{seed}", companies, seed)
    analysis = analyze(snapshot)
    torch.set_num_threads(get_settings().gnn_threads)
    truth = bundle / "truth" / "future_exposures.csv"
    with truth.open(encoding="utf-8", newline="") as f:
        cause = {row["company_id"]: row["cause"] for row in csv.DictReader(f)}
    failed = read_outcomes(truth)
    models = {
        architecture: train(
            snapshot, analysis, TrainConfig(model=ModelConfig(architecture)), outcomes=failed
        )
        for architecture in OUTCOME_ARCHITECTURES
    }
    return Province(f"{companies:,} / {seed}", analysis, cause, models)


def _median_rank(values: Floats, chosen: npt.NDArray[np.bool_]) -> int:
    """Median rank (0 = highest) of the ``chosen`` companies when ranked by ``values``."""
    rank = np.empty(len(values), dtype=np.int64)
    rank[np.argsort(-values, kind="stable")] = np.arange(len(values))
    return int(np.median(rank[chosen]))


def _transfer(past: Province, now: Province, architecture: str) -> list[object]:
    """AP on ``now`` of the rules, of the GNN trained on ``past``'s outcomes, and of the
    rules with that GNN's component full at each probability of ``FULL``; then where the
    controller-contagion failures rank, under the rules and with the GNN (the product's
    ``FULL_AT``)."""
    analysis, labels = now.analysis, now.labels
    open_ = ~analysis.exposed
    probability = past.outcome_models[architecture].predict(analysis.snapshot, analysis)
    row: list[object] = [
        past.name,
        now.name,
        f"`{architecture}`",
        f"{average_precision_score(labels, analysis.score[open_]):.4f}",
        f"{average_precision_score(labels, probability[open_]):.4f}",
    ]
    for full in FULL:
        components = {**analysis.components, "gnn": gnn_component(probability, full)}
        score = scoring.combine(components, analysis.exposed, analysis.params.scoring)
        row.append(f"{average_precision_score(labels, score[open_]):.4f}")
    keys = analysis.snapshot.nodes["Company"].keys[open_]
    controller = np.array([now.cause.get(str(k)) == "controller_contagion" for k in keys])
    product = with_gnn(analysis, probability, OUTCOME).score[open_]
    row.append(
        f"{_median_rank(analysis.score[open_], controller)} / {_median_rank(product, controller)}"
    )
    return row


def _province(province: Province) -> tuple[list[list[object]], list[str]]:
    analysis, cause = province.analysis, province.cause
    snapshot = analysis.snapshot
    model = train(snapshot, analysis)
    gnn_logit = model.logits(snapshot, analysis)
    gnn = model.calibration(gnn_logit)

    keys = [str(k) for k in snapshot.nodes["Company"].keys]
    open_ = ~analysis.exposed
    labels = np.array([k in cause for k in keys])[open_]
    rules = analysis.score[open_] / 100.0
    scores = {k: v[open_] for k, v in _combinations(analysis, gnn, gnn_logit).items()}
    name = province.name
    rows: list[list[object]] = [
        [name, method, f"{average_precision_score(labels, s):.4f}"] for method, s in scores.items()
    ]

    order = np.argsort(-rules, kind="stable")
    rank_rules = np.empty_like(order)
    rank_rules[order] = np.arange(len(order))
    rank_gnn = np.empty_like(order)
    rank_gnn[np.argsort(-gnn[open_], kind="stable")] = np.arange(len(order))
    open_keys = np.array(keys)[open_]
    lines = [f"**{name}**: {int(labels.sum())} future failures among {len(labels):,} companies."]
    for kind in sorted(set(cause.values())):
        at = np.array([cause.get(k) == kind for k in open_keys])
        lines.append(
            f"- {kind}: {int(at.sum())}; median rank under the rules "
            f"{np.median(rank_rules[at]):.0f}, under the GNN {np.median(rank_gnn[at]):.0f}"
        )
    for lo, hi in BANDS:
        band = order[lo:hi]
        inside = labels[band]
        if 0 < inside.sum() < len(inside):
            lines.append(
                f"- rules' ranks {lo}-{hi} ({int(inside.sum())} failures): ROC-AUC inside the "
                f"band, rules {roc_auc_score(inside, rules[band]):.2f}, "
                f"GNN {roc_auc_score(inside, gnn[open_][band]):.2f}"
            )
    return rows, lines


def run() -> Path:
    chosen = provinces(DEFAULT)
    rows: list[list[object]] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="riskgraph-gnnlift-") as tmp:
        loaded = [_load(Path(tmp), companies, seed) for companies, seed in chosen]
    for province in loaded:
        more, lines = _province(province)
        rows += more
        notes += [*lines, ""]
    transfers = [
        _transfer(a, b, architecture)
        for architecture in OUTCOME_ARCHITECTURES
        for a in loaded
        for b in loaded
        if a is not b
    ]
    body = "\n".join(
        [
            "## Where the GNN's lift could come from (validation provinces)",
            "",
            f"Machine: {machine()}. Command: `python -m bench gnn-lift` "
            f"(provinces {', '.join(f'{c}:{s}' for c, s in chosen)}; seeds that the "
            "summary above never reports, so nothing here is chosen on them). Average "
            "precision over the companies not exposed at t0:",
            "",
            markdown.table(["companies / seed", "ranking", "average precision"], rows),
            "",
            *notes,
            "### The GNN trained on a past period's outcomes",
            "",
            "Trained on one validation province's failures after t0 "
            "(`riskgraph gnn train --outcomes`), scoring another. Average precision over the "
            "scored province's companies not exposed at t0: the rules' score, the GNN alone, "
            "and the rules' score with the GNN's component OR-ed in (weight 0.8) and full at "
            "each probability, for two architectures (default configuration otherwise). The "
            "product uses the column that is best on most pairs "
            f"(`combine.FULL_AT`: {FULL_AT[OUTCOME]}).",
            "",
            markdown.table(
                [
                    "trained on",
                    "scored",
                    "GNN",
                    "rules",
                    "GNN alone",
                    *(f"rules + GNN, full at {full}" for full in FULL),
                    "controller contagion, median rank: rules / rules + GNN",
                ],
                transfers,
            ),
        ]
    )
    return markdown.write_section(DOC, "bench:gnn-lift", body, HEADER)
