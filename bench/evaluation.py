"""Evaluation across provinces: for each (companies, seed), generate, load into a fresh
embedded Neo4j, analyze and write back, then `evaluate` against the planted truth. Each
province gets its section of docs/evaluation.md, and a summary table lists every one of them
(all seeds, not the best).

`python -m bench evaluation` runs 20k x seeds 1-3 and 100k x seeds 1-2 (about 15 minutes);
`RISKGRAPH_BENCH_PROVINCES=20000:1,20000:2` picks others."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from bench.ingest import fresh_graph
from bench.report import machine
from riskgraph import markdown
from riskgraph.graph.snapshot import build_snapshot
from riskgraph.graph.writeback import write_analysis
from riskgraph.ingest.generator import generate
from riskgraph.ingest.pipeline import ingest_bundle
from riskgraph.risk.analysis import analyze
from riskgraph.risk.evaluation_report import HEADER, EvaluationReport, evaluate_graph
from riskgraph.risk.reasons import explain_flagged

DOC = Path(__file__).resolve().parents[1] / "docs" / "evaluation.md"
DEFAULT = "20000:1,20000:2,20000:3,100000:1,100000:2"


def _province(work: Path, companies: int, seed: int) -> tuple[EvaluationReport, float]:
    bundle = work / f"province-{companies}-{seed}"
    generate(companies, seed, bundle)
    with fresh_graph(work, f"db-{companies}-{seed}") as (graph, settings):
        ingest_bundle(bundle, graph, settings)
        started = time.perf_counter()
        analysis = analyze(build_snapshot(graph))
        write_analysis(graph, analysis, explain_flagged(analysis))
        analyze_s = time.perf_counter() - started
        return evaluate_graph(graph, bundle / "truth", DOC), analyze_s


def run() -> Path:
    provinces = [
        tuple(int(x) for x in item.split(":"))
        for item in os.environ.get("RISKGRAPH_BENCH_PROVINCES", DEFAULT).split(",")
    ]
    rows = []
    with tempfile.TemporaryDirectory(prefix="riskgraph-eval-") as tmp:
        for companies, seed in provinces:
            report, analyze_s = _province(Path(tmp), companies, seed)
            f = report.figures()
            rows.append(
                [
                    f"{companies:,}",
                    seed,
                    f"{f['ring_member_f1']:.3f}",
                    f"{f['ring_level_f1']:.3f}",
                    f"{f['gds_member_f1']:.3f} / {f['gds_ring_f1']:.3f}",
                    f"{f['ap_riskgraph contagion']:.3f}",
                    f"{f['ap_riskgraph score']:.3f}",
                    f"{f['ap_hop distance']:.3f}",
                    f"{f['ap_GDS recipe (weighted degree)']:.3f}",
                    f"{f['ap_riskgraph contagion'] / f['ap_hop distance']:.1f}x",
                    f"{f['auc_riskgraph contagion']:.3f}",
                    f"{analyze_s:.0f}",
                ]
            )
    body = "\n".join(
        [
            "## Summary: every province evaluated",
            "",
            f"Machine: {machine()}. Command: `python -m bench evaluation` (provinces "
            f"{', '.join(f'{c}:{s}' for c, s in provinces)}; each generated, loaded into a "
            "fresh embedded Neo4j, analyzed, written back and evaluated).",
            "",
            markdown.table(
                [
                    "companies",
                    "seed",
                    "ring member F1",
                    "ring-level F1",
                    "GDS member / ring F1",
                    "AP contagion",
                    "AP score",
                    "AP hop distance",
                    "AP GDS degree",
                    "AP contagion / hop",
                    "ROC-AUC contagion",
                    "analyze s",
                ],
                rows,
            ),
        ]
    )
    return markdown.write_section(DOC, "evaluation:summary", body, HEADER)
