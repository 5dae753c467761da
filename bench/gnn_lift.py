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

`python -m bench gnn-lift` (20k seeds 4 and 5, about 5 minutes);
`RISKGRAPH_BENCH_PROVINCES=20000:6` picks others. Written to docs/evaluation.md.
"""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

import numpy as np
import numpy.typing as npt
import torch
from scipy.special import logit
from sklearn.metrics import average_precision_score, roc_auc_score

from bench.evaluation import provinces
from bench.ingest import fresh_graph
from bench.report import machine
from riskgraph import markdown
from riskgraph.gnn.combine import gnn_component, with_gnn
from riskgraph.gnn.train import train
from riskgraph.graph.snapshot import build_snapshot
from riskgraph.ingest.generator import generate
from riskgraph.ingest.pipeline import ingest_bundle
from riskgraph.risk import scoring
from riskgraph.risk.analysis import Analysis, analyze
from riskgraph.risk.evaluation_report import HEADER
from riskgraph.settings import get_settings

DOC = Path(__file__).resolve().parents[1] / "docs" / "evaluation.md"
DEFAULT = "20000:4,20000:5"
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


def _province(work: Path, companies: int, seed: int) -> tuple[list[list[object]], list[str]]:
    bundle = work / f"province-{companies}-{seed}"
    generate(companies, seed, bundle)
    with fresh_graph(work, f"db-{companies}-{seed}") as (graph, settings):
        ingest_bundle(bundle, graph, settings)
        snapshot = build_snapshot(graph)
    analysis = analyze(snapshot)
    torch.set_num_threads(get_settings().gnn_threads)
    model = train(snapshot, analysis)
    gnn_logit = model.logits(snapshot, analysis)
    gnn = model.calibration(gnn_logit)

    keys = [str(k) for k in snapshot.nodes["Company"].keys]
    with (bundle / "truth" / "future_exposures.csv").open(encoding="utf-8", newline="") as f:
        cause = {row["company_id"]: row["cause"] for row in csv.DictReader(f)}
    open_ = ~analysis.exposed
    labels = np.array([k in cause for k in keys])[open_]
    rules = analysis.score[open_] / 100.0
    scores = {k: v[open_] for k, v in _combinations(analysis, gnn, gnn_logit).items()}
    name = f"{companies:,} / {seed}"
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
        for companies, seed in chosen:
            more, lines = _province(Path(tmp), companies, seed)
            rows += more
            notes += [*lines, ""]
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
        ]
    )
    return markdown.write_section(DOC, "bench:gnn-lift", body, HEADER)
