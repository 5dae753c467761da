"""The risk commands of ``riskgraph``: analyze, propagate, export, evaluate. Output and exit
codes live here; the work lives in ``riskgraph.risk`` and ``riskgraph.graph``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import numpy as np
import typer
from rich.table import Table

from riskgraph.cli_common import console, errors, progress_bars
from riskgraph.errors import RiskgraphError
from riskgraph.graph.gateway import Gateway
from riskgraph.settings import Settings, get_settings

if TYPE_CHECKING:
    from riskgraph.gnn.train import TrainedModel
    from riskgraph.graph.snapshot import Snapshot
    from riskgraph.risk.analysis import Analysis, AnalysisParams

export_app = typer.Typer(
    help="Write analysis results to CSV (utf-8-sig) or, for FILE.xlsx, a workbook.",
    no_args_is_help=True,
)


def snapshot_of(graph: Gateway) -> Snapshot:
    from riskgraph.graph.snapshot import build_snapshot

    with console.status("reading the graph snapshot..."):
        snapshot = build_snapshot(graph)
    if snapshot.size("Company") == 0:
        raise RiskgraphError("the graph has no companies: ingest a bundle first")
    return snapshot


def analysis_params(settings: Settings) -> AnalysisParams:
    from riskgraph.risk.analysis import AnalysisParams
    from riskgraph.risk.scoring import ScoringParams

    levels = ScoringParams(
        red=settings.level_red, orange=settings.level_orange, yellow=settings.level_yellow
    )
    return AnalysisParams(scoring=levels)


def run_analysis(
    graph: Gateway, settings: Settings, model: TrainedModel | None = None
) -> tuple[Analysis, dict[str, float]]:
    """Snapshot, analyse (with the GNN's component when a model is given), explain the
    flagged companies, write back; with progress."""
    from riskgraph.graph.writeback import write_analysis
    from riskgraph.risk.analysis import analyze as analyse
    from riskgraph.risk.reasons import explain_flagged

    started = time.perf_counter()
    snapshot = snapshot_of(graph)
    timings = {"snapshot": time.perf_counter() - started}
    params = analysis_params(settings)
    with progress_bars(22) as progress:
        steps = progress.add_task("analysis", total=3)
        analysis = analyse(
            snapshot,
            params,
            step=lambda name: progress.update(steps, description=f"analysis: {name}", advance=1),
        )
        progress.update(steps, completed=3)
        if model is not None:
            progress.update(steps, description="analysis: gnn")
            tick = time.perf_counter()
            analysis = model.add_to(analysis)
            timings["gnn"] = time.perf_counter() - tick
        flagged = int((analysis.level != "none").sum())
        explaining = progress.add_task("reasons (flagged)", total=flagged)
        tick = time.perf_counter()
        reasons = explain_flagged(analysis, lambda: progress.advance(explaining))
        timings["reasons"] = time.perf_counter() - tick
        writing = progress.add_task("write back", total=snapshot.size("Company"))
        tick = time.perf_counter()
        write_analysis(
            graph,
            analysis,
            reasons,
            batch_size=settings.ingest_batch_size,
            progress=lambda rows: progress.advance(writing, rows),
        )
        timings["write back"] = time.perf_counter() - tick
    return analysis, {**timings, **analysis.timings}


def show_summary(analysis: Analysis, timings: dict[str, float]) -> None:
    from riskgraph.risk.analysis import ring_id
    from riskgraph.risk.rings import ring_reasons

    counts = dict(zip(*np.unique(analysis.level, return_counts=True), strict=True))
    table = Table(title=f"{len(analysis.score):,} companies scored")
    table.add_column("level")
    table.add_column("companies", justify="right")
    for level in ("red", "orange", "yellow", "none"):
        table.add_row(level, f"{int(counts.get(level, 0)):,}")
    console.print(table)
    rings = Table(title=f"{len(analysis.rings.rings)} rings; the top 10")
    for column in ("ring", "score", "companies", "people", "why"):
        rings.add_column(column, overflow="fold")
    for i, ring in enumerate(analysis.rings.rings[:10]):
        why = "; ".join(ring_reasons(ring)[:3])
        rings.add_row(
            ring_id(i), f"{ring.score:.2f}", str(len(ring.companies)), str(len(ring.persons)), why
        )
    console.print(rings)
    spent = ", ".join(f"{k} {v:.1f} s" for k, v in timings.items())
    console.print(f"time: {spent}; total {sum(timings.values()):.1f} s", highlight=False)


def analyze(
    gnn: Annotated[
        bool,
        typer.Option(
            help="Add the GNN's component when the model file (RISKGRAPH_GNN_MODEL) exists."
        ),
    ] = True,
) -> None:
    """Snapshot, propagate, detect rings, score (with the trained GNN when there is one),
    write back, raise alerts; then a summary."""
    settings = get_settings()
    with errors(), Gateway(settings) as graph:
        model = None
        if gnn and settings.gnn_model.exists():
            from riskgraph.cli_gnn import load_model

            torch_threads(settings)
            model = load_model(settings.gnn_model)
        analysis, timings = run_analysis(graph, settings, model)
        from riskgraph.graph.alerts import raise_alerts

        console.print(raise_alerts(graph).summary, highlight=False)
    show_summary(analysis, timings)


def torch_threads(settings: Settings, threads: int | None = None) -> None:
    import torch

    torch.set_num_threads(threads or settings.gnn_threads)


def propagate(
    seed: Annotated[
        list[str] | None,
        typer.Option("--seed", help="What-if: a company assumed blown up (repeatable)."),
    ] = None,
    top: Annotated[int, typer.Option(min=1, help="Companies listed.")] = 20,
) -> None:
    """Who is hit, and how hard, if these companies blow up (default: the exposed ones)."""
    from riskgraph.risk.propagation import Propagator, contagion_graph

    with errors(), Gateway(get_settings()) as graph:
        snapshot = snapshot_of(graph)
        companies = snapshot.nodes["Company"]
        unknown = [s for s in seed or [] if s not in companies.index]
        if unknown:
            raise RiskgraphError(f"unknown company id(s): {', '.join(unknown)}")
        contagion = contagion_graph(snapshot)
        offset = contagion.offsets["Company"]
        if seed:
            seeds = np.array([offset + companies.index[s] for s in seed], dtype=np.int64)
        else:
            seeds = np.flatnonzero(snapshot.exposed()) + offset
        if len(seeds) == 0:
            raise RiskgraphError("no exposed companies in the graph: pass --seed ID")
        propagator = Propagator(contagion.adjacency)
        started = time.perf_counter()
        scores = propagator.scores(seeds)[contagion.indices("Company")]
        elapsed = time.perf_counter() - started
    seed_set = set((seeds - offset).tolist())
    ranked = [int(i) for i in np.argsort(-scores, kind="stable") if int(i) not in seed_set]
    table = Table(title=f"hit by {len(seeds)} seed(s); propagation took {elapsed:.2f} s")
    table.add_column("company")
    table.add_column("contagion", justify="right")
    for i in ranked[:top]:
        table.add_row(str(companies.keys[i]), f"{scores[i]:.4f}")
    console.print(table)


def _export(query: str, out: Path, what: str) -> None:
    """Run an export query and write its rows to OUT: xlsx or utf-8-sig CSV by suffix, text
    cells neutralised against formula injection (riskgraph.export)."""
    from riskgraph.export import write_table

    with errors():
        with Gateway(get_settings()) as graph:
            rows = graph.read_raw(query)
            if not rows and query == "export_scores":
                raise RiskgraphError("no scores in the graph: run `riskgraph analyze` first")
        columns = list(rows[0]) if rows else []
        write_table(
            out, columns, [list(r.values()) for r in rows], sheet=query.removeprefix("export_")
        )
    console.print(f"{len(rows):,} {what} written to {out}")


_OUT_HELP = "File to write: FILE.xlsx for a workbook, anything else CSV (utf-8-sig)."


@export_app.command("scores")
def export_scores(
    out: Annotated[Path, typer.Option(help=_OUT_HELP)] = Path("scores.csv"),
) -> None:
    """Every company's score: company_id, name, score, level, tier, contagion, ring_id,
    components, reasons."""
    _export("export_scores", out, "companies")


@export_app.command("rings")
def export_rings(
    out: Annotated[Path, typer.Option(help=_OUT_HELP)] = Path("rings.csv"),
) -> None:
    """Every ring member: ring_id, entity_id, entity_type, ring_score."""
    _export("export_rings", out, "ring members")


def evaluate(
    truth: Annotated[Path, typer.Option(help="The truth/ folder of a generated bundle.")],
    out: Annotated[Path, typer.Option(help="Markdown report to update.")] = Path(
        "docs/evaluation.md"
    ),
) -> None:
    """Score what `analyze` wrote against a generated province's truth, beside two
    baselines (the GDS fraud recipe, hop distance); prints and writes OUT."""
    from riskgraph.risk.evaluation_report import evaluate_graph

    with errors(), Gateway(get_settings()) as graph:
        report = evaluate_graph(graph, truth, out)
    console.print(report.markdown, highlight=False)
    console.print(f"written to {out}")
