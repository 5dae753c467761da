"""``riskgraph evaluate``: what ``analyze`` wrote to Neo4j, scored against a generated
province's truth beside the two baselines, as one section of docs/evaluation.md.

It reads the product's own output (the ``export`` queries), not a fresh in-memory run, so
the figures describe what users get."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from riskgraph import markdown
from riskgraph.errors import RiskgraphError
from riskgraph.graph.gateway import Gateway
from riskgraph.graph.snapshot import Snapshot, build_snapshot
from riskgraph.risk import scoring
from riskgraph.risk.baselines import hop_distance, shared_identifier_rings
from riskgraph.risk.evaluation import (
    ContagionMetrics,
    RingMetrics,
    contagion_metrics,
    read_future_exposures,
    read_ring_truth,
    ring_metrics_by_type,
)
from riskgraph.risk.scoring import COMPONENTS

HEADER = """# Evaluation

Written by `riskgraph evaluate --truth DIR/truth` after `riskgraph analyze` on a generated
province (`riskgraph generate`), one section per province. Rings: member-level precision,
recall and F1 (an entity flagged in any ring vs. in any true ring) and ring-level (one-to-one
matches at Jaccard >= 0.5). Contagion: how well each score ranks the companies that fail
after t0, leaving out those already exposed at t0. Baselines: (a) the Neo4j GDS
first-party-fraud recipe (weakly connected components of companies sharing any phone,
address or person; weighted degree as the score); (b) hop distance to the nearest exposed
company (1 / (1 + hops)). How the figures are produced: `docs/risk-model.md`.
"""


@dataclass(frozen=True)
class EvaluationReport:
    name: str  # the section, e.g. province-20000-seed-1
    rings: dict[str, dict[str, RingMetrics]]  # method -> entity type -> metrics
    contagion: dict[str, ContagionMetrics]  # method -> metrics
    markdown: str

    def figures(self) -> dict[str, Any]:
        """The headline numbers, flat, for tables across provinces."""
        ours = self.rings["riskgraph"]["all"]
        return {
            "ring_member_f1": ours.members.f1,
            "ring_level_f1": ours.rings.f1,
            "gds_member_f1": self.rings["GDS recipe"]["all"].members.f1,
            "gds_ring_f1": self.rings["GDS recipe"]["all"].rings.f1,
            **{f"ap_{k}": v.average_precision for k, v in self.contagion.items()},
            **{f"auc_{k}": v.roc_auc for k, v in self.contagion.items()},
        }


def _fmt(value: float) -> str:
    return f"{value:.3f}"


_SCOPE = {"all": "all entities", "company": "companies only", "person": "persons only"}


def _ring_rows(rings: dict[str, dict[str, RingMetrics]]) -> list[list[object]]:
    rows: list[list[object]] = []
    for method, by_type in rings.items():
        for entity_type in ("all", "company", "person"):
            m = by_type[entity_type]
            rows.append(
                [
                    f"{method} ({_SCOPE[entity_type]})",
                    _fmt(m.members.precision),
                    _fmt(m.members.recall),
                    _fmt(m.members.f1),
                    _fmt(m.rings.precision),
                    _fmt(m.rings.recall),
                    _fmt(m.rings.f1),
                    f"{m.rings.predicted:,}",
                ]
            )
    return rows


def _gnn_rankings(scores: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """When a GNN model scored the graph: the rules' score without it (the noisy-OR of the
    four stored rule components, as ``scoring.combine`` makes it) and the GNN's probability
    alone, beside the stored score (which then includes the GNN). Exposed companies score
    100 either way."""
    if not any(r.get("gnn_probability") is not None for r in scores):
        return {}
    components = {
        name: np.array([float(r[f"risk_{name}"] or 0.0) for r in scores]) for name in COMPONENTS
    }
    exposed = np.array([float(r["score"]) >= 100.0 for r in scores])
    combined = scoring.combine(components, exposed, scoring.ScoringParams())
    rules = {str(r["company_id"]): float(v) for r, v in zip(scores, combined, strict=True)}
    return {
        "riskgraph score, rules only": rules,
        "riskgraph GNN alone": {
            str(r["company_id"]): float(r["gnn_probability"] or 0.0) for r in scores
        },
    }


def evaluate(
    snapshot: Snapshot,
    scores: list[dict[str, Any]],
    ring_rows: list[dict[str, Any]],
    truth: Path,
    extra: Mapping[str, Mapping[str, float]] | None = None,
    note: str = "",
) -> EvaluationReport:
    """Pure core: the exported scores and rings of riskgraph and the baselines' against
    ``truth`` (the generator's truth/ folder); ``extra`` are more rankings (company id ->
    value) to rank the future failures by, such as a variant not written to the graph, and
    ``note`` says how the scores were made where the commands alone do not."""
    summary = json.loads((truth / "summary.json").read_text(encoding="utf-8"))
    parameters = summary.get("parameters", {})
    companies, seed = parameters.get("companies", "?"), parameters.get("seed", "?")
    name = f"province-{companies}-seed-{seed}"
    ring_truth = read_ring_truth(truth / "rings.csv")
    future = read_future_exposures(truth / "future_exposures.csv")
    keys = snapshot.nodes["Company"].keys
    exposed = {str(k) for k in keys[snapshot.exposed()]}
    universe = {str(k) for k in keys}

    ours = {str(r["entity_id"]): str(r["ring_id"]) for r in ring_rows}
    gds = shared_identifier_rings(snapshot)
    rings = {
        "riskgraph": ring_metrics_by_type(ours, ring_truth, snapshot),
        "GDS recipe": ring_metrics_by_type(gds.rings, ring_truth, snapshot),
    }
    hops = hop_distance(snapshot)
    rankings = {
        "riskgraph contagion": {str(r["company_id"]): float(r["contagion"]) for r in scores},
        "riskgraph score": {str(r["company_id"]): float(r["score"]) for r in scores},
        **_gnn_rankings(scores),
        **(extra or {}),
        "GDS recipe (weighted degree)": gds.scores,
        "hop distance": hops.scores,
    }
    contagion = {
        method: contagion_metrics(ranking, future, exposed, universe=universe)
        for method, ranking in rankings.items()
    }
    hop_ap = contagion["hop distance"].average_precision
    base = contagion["hop distance"]
    lines = [
        f"## {companies:,} companies, seed {seed} (t0 {parameters.get('t0', '?')})"
        if isinstance(companies, int)
        else f"## {name}",
        "",
        "Commands: `riskgraph generate --companies N --seed S --out DIR`, `riskgraph ingest "
        "DIR`, `riskgraph analyze`, `riskgraph evaluate --truth DIR/truth`."
        + (f" {note}" if note else ""),
        "",
        f"### Rings ({len(set(ring_truth.values()))} planted, {len(ring_truth):,} entities)",
        "",
        markdown.table(
            [
                "method",
                "member P",
                "member R",
                "member F1",
                "ring P",
                "ring R",
                "ring F1",
                "rings reported",
            ],
            _ring_rows(rings),
        ),
        "",
        f"### Contagion ({base.positives:,} future exposures among "
        f"{base.positives + base.negatives:,} companies not exposed at t0; base rate "
        f"{base.positives / max(base.positives + base.negatives, 1):.4f})",
        "",
        markdown.table(
            ["score", "ROC-AUC", "average precision", "precision@k", "AP / hop-distance AP"],
            [
                [
                    method,
                    _fmt(m.roc_auc),
                    _fmt(m.average_precision),
                    _fmt(m.precision_at_k),
                    f"{m.average_precision / hop_ap:.1f}x" if hop_ap > 0 else "n/a",
                ]
                for method, m in contagion.items()
            ],
        ),
    ]
    return EvaluationReport(name, rings, contagion, "\n".join(lines))


def evaluate_graph(
    graph: Gateway,
    truth: Path,
    out: Path,
    extra: Mapping[str, Mapping[str, float]] | None = None,
    note: str = "",
) -> EvaluationReport:
    """Read the graph and what ``analyze`` wrote, evaluate, write the section of ``out``."""
    for required in ("rings.csv", "future_exposures.csv", "summary.json"):
        if not (truth / required).is_file():
            raise RiskgraphError(
                f"{truth / required} not found: --truth takes the truth/ folder of a bundle "
                "made by `riskgraph generate`"
            )
    scores = graph.read_raw("export_scores")
    if not scores:
        raise RiskgraphError("no scores in the graph: run `riskgraph analyze` first")
    rings = graph.read_raw("export_rings")
    report = evaluate(build_snapshot(graph), scores, rings, truth, extra, note)
    markdown.write_section(out, report.name, report.markdown, HEADER)
    return report
