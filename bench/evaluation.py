"""Evaluation across provinces: for each (companies, seed), generate, load into a fresh
embedded Neo4j, analyze and write back, then `evaluate` against the planted truth. Each
province gets its section of docs/evaluation.md, and a summary table lists every one of them
(all seeds, not the best).

The GNN is trained two ways, and both are reported:

- on the **exposures known at t0** of the province itself (``riskgraph gnn train``);
- on a **past period's outcomes** (``riskgraph gnn train --outcomes``): a province of a
  validation seed (``RISKGRAPH_BENCH_HISTORY``, default 20,000 companies seed 4, never a
  test seed) stands for last year's graph, and the failures after its t0 for what happened
  since. One model, trained once, scores every test province, as a regulator's model
  trained on last year scores this year. The written-back score (the per-province
  sections' "riskgraph score") is this variant's.

No test province's failures after t0 are seen by either.

`python -m bench evaluation` runs 20k x seeds 1-3 and 100k x seeds 1-2 (about 20 minutes
with the GNN's training); `RISKGRAPH_BENCH_PROVINCES=20000:1,20000:2` picks others. Then
the variant grid (``bench.evaluation_grid``, about 30 minutes; ``RISKGRAPH_BENCH_GRID=off``
skips it)."""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from bench.ingest import fresh_graph, province_snapshot
from bench.report import machine
from riskgraph import markdown
from riskgraph.engine.engine import Engine
from riskgraph.gnn.outcomes import read_outcomes
from riskgraph.gnn.train import TrainedModel, train
from riskgraph.ingest.generator import generate
from riskgraph.ingest.pipeline import ingest_bundle
from riskgraph.risk.analysis import Analysis, analyze
from riskgraph.risk.evaluation_report import HEADER, EvaluationReport, evaluate_graph
from riskgraph.settings import get_settings

DOC = Path(__file__).resolve().parents[1] / "docs" / "evaluation.md"
DEFAULT = "20000:1,20000:2,20000:3,100000:1,100000:2"
HISTORY = "20000:4"
T0_SCORE = "riskgraph score + GNN (t0 exposures)"
T0_ALONE = "riskgraph GNN alone (t0 exposures)"


@dataclass(frozen=True)
class Run:
    report: EvaluationReport
    analyze_s: float
    train_s: float  # the GNN on the province's own t0 exposures


def _t0_rankings(analysis: Analysis) -> dict[str, dict[str, float]]:
    """The t0-exposure GNN's score and probability per company id, to rank by, rounded as
    the write-back stores them (so that ties fall as they do for the stored scores)."""
    keys = [str(k) for k in analysis.snapshot.nodes["Company"].keys]
    assert analysis.gnn_probability is not None
    return {
        T0_SCORE: dict(zip(keys, np.round(analysis.score, 2).tolist(), strict=True)),
        T0_ALONE: dict(zip(keys, np.round(analysis.gnn_probability, 6).tolist(), strict=True)),
    }


def history_model(work: Path, companies: int, seed: int) -> tuple[TrainedModel, float]:
    """The GNN trained on a past period: a generated province's graph at t0 and the
    companies that failed after it (its truth/future_exposures.csv)."""
    bundle, snapshot = province_snapshot(work, f"history-{companies}-{seed}", companies, seed)
    analysis = analyze(snapshot)
    torch.set_num_threads(get_settings().gnn_threads)
    started = time.perf_counter()
    outcomes = read_outcomes(bundle / "truth" / "future_exposures.csv")
    model = train(snapshot, analysis, outcomes=outcomes)
    return model, time.perf_counter() - started


def _province(work: Path, companies: int, seed: int, history: TrainedModel) -> Run:
    """Generate, load, analyze; train the GNN on the exposures known at t0 (kept in memory,
    evaluated as an extra ranking); write back the analysis with the past-outcome GNN's
    component; evaluate."""
    bundle = work / f"province-{companies}-{seed}"
    generate(companies, seed, bundle)
    with fresh_graph(work, f"db-{companies}-{seed}") as (graph, settings):
        ingest_bundle(bundle, graph, settings)
        started = time.perf_counter()
        engine = Engine(graph, settings, gnn=False)
        snapshot = engine.snapshot()
        analysis = engine.analyze(snapshot)
        analyze_s = time.perf_counter() - started
        started = time.perf_counter()
        torch.set_num_threads(get_settings().gnn_threads)
        own = train(snapshot, analysis)
        train_s = time.perf_counter() - started
        extra = _t0_rankings(own.add_to(analysis))
        analysis = history.add_to(analysis)
        engine.run(raise_alerts=False, analysis=analysis)
        note = (
            "The score written back includes the GNN trained on a past period's outcomes "
            "(`riskgraph gnn train --outcomes`, on another province: see the summary); the "
            "rankings marked (t0 exposures) use the GNN trained on this province's exposures "
            "known at t0 instead."
        )
        report = evaluate_graph(graph, bundle / "truth", DOC, extra, note)
        return Run(report, analyze_s, train_s)


def provinces(default: str, variable: str = "RISKGRAPH_BENCH_PROVINCES") -> list[tuple[int, int]]:
    """(companies, seed) pairs from the environment variable ("20000:1,100000:2"), else
    from ``default``."""
    items = os.environ.get(variable, default).split(",")
    return [(int(companies), int(seed)) for companies, seed in (i.split(":") for i in items)]


def run() -> Path:
    chosen = provinces(DEFAULT)
    (past,) = provinces(HISTORY, "RISKGRAPH_BENCH_HISTORY")
    rows = []
    with tempfile.TemporaryDirectory(prefix="riskgraph-eval-") as tmp:
        history, history_s = history_model(Path(tmp), *past)
        for companies, seed in chosen:
            result = _province(Path(tmp), companies, seed, history)
            f = result.report.figures()
            rules = f["ap_riskgraph score, rules only"]
            rows.append(
                [
                    f"{companies:,}",
                    seed,
                    f"{f['ring_member_f1']:.3f}",
                    f"{f['ring_level_f1']:.3f}",
                    f"{f['gds_member_f1']:.3f} / {f['gds_ring_f1']:.3f}",
                    f"{f['ap_riskgraph contagion']:.3f}",
                    f"{rules:.3f}",
                    f"{f['ap_' + T0_SCORE]:.3f}",
                    f"{f['ap_' + T0_SCORE] - rules:+.4f}",
                    f"{f['ap_riskgraph score']:.3f}",
                    f"{f['ap_riskgraph score'] - rules:+.4f}",
                    f"{f['ap_riskgraph GNN alone']:.3f}",
                    f"{f['ap_hop distance']:.3f}",
                    f"{f['ap_GDS recipe (weighted degree)']:.3f}",
                    f"{f['ap_riskgraph score'] / f['ap_GDS recipe (weighted degree)']:.0f}x",
                    f"{f['auc_riskgraph score']:.3f}",
                    f"{result.analyze_s:.0f}",
                    f"{result.train_s:.0f}",
                ]
            )
    body = "\n".join(
        [
            "## Summary: every province evaluated",
            "",
            f"Machine: {machine()}. Command: `python -m bench evaluation` (provinces "
            f"{', '.join(f'{c}:{s}' for c, s in chosen)}; each generated, loaded into a "
            "fresh embedded Neo4j, analyzed, scored with the GNN two ways and evaluated on "
            'the failures after t0). AP: average precision on those failures; "rules" is '
            "the propagation, ring, event and structure score without the GNN; lift = AP "
            "with the GNN - AP of the rules.",
            "",
            "- **GNN (t0 exposures)**: trained on the province's own exposures known at t0 "
            "(`riskgraph gnn train`); 'GNN train s' is its time.",
            f"- **GNN (past outcomes)**: trained once (`{history.config.model.architecture}`, "
            f"{history_s:.0f} s) on a past period, "
            f"the province {past[0]:,} companies seed {past[1]} (a validation seed, never "
            "reported here) at its t0 with the failures that followed "
            "(`riskgraph gnn train --outcomes`), then used on every province above, as last "
            "year's model scores this year. Its score is the one written back.",
            "",
            markdown.table(
                [
                    "companies",
                    "seed",
                    "ring member F1",
                    "ring-level F1",
                    "GDS member / ring F1",
                    "AP contagion",
                    "AP score (rules)",
                    "AP + GNN (t0 exposures)",
                    "lift",
                    "AP + GNN (past outcomes)",
                    "lift",
                    "AP GNN alone (past outcomes)",
                    "AP hop distance",
                    "AP GDS degree",
                    "AP + GNN (past outcomes) / GDS",
                    "ROC-AUC + GNN (past outcomes)",
                    "analyze s",
                    "GNN train s",
                ],
                rows,
            ),
        ]
    )
    written = markdown.write_section(DOC, "evaluation:summary", body, HEADER)
    if os.environ.get("RISKGRAPH_BENCH_GRID") != "off":
        from bench import evaluation_grid  # imports this module: not at the top

        evaluation_grid.run()
    return written
