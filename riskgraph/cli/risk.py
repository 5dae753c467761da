"""The risk commands of ``riskgraph``: analyze, propagate, evaluate. Output and exit codes
live here; the work lives in ``riskgraph.engine``."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import numpy as np
import typer
from rich.table import Table

from riskgraph.cli.common import AsOfOption, _, console, engine_bars, errors, renderer
from riskgraph.errors import RiskgraphError
from riskgraph.graph.gateway import Gateway
from riskgraph.settings import Settings, get_settings

if TYPE_CHECKING:
    from riskgraph.engine.engine import RunReport
    from riskgraph.gnn.train import TrainedModel
    from riskgraph.graph.snapshot import Snapshot


def snapshot_of(graph: Gateway) -> Snapshot:
    from riskgraph.engine.engine import Engine

    with console.status(_("reading the graph snapshot...")):
        return Engine(graph, get_settings(), gnn=False).snapshot()


def run_engine(
    graph: Gateway,
    settings: Settings,
    gnn: TrainedModel | bool | None,
    alerts: bool = True,
    as_of: date | None = None,
) -> RunReport:
    """One analysis run (analyse, explain, save, write back, publish, raise alerts), with
    bars, under the pipeline lock."""
    from riskgraph.engine.engine import Engine
    from riskgraph.engine.lock import pipeline_lock

    with pipeline_lock(settings.lock_file, "riskgraph analyze"), engine_bars() as bars:
        engine = Engine(graph, settings, gnn=gnn, progress=bars, as_of=as_of, exclusive=True)
        return engine.run(raise_alerts=alerts)


def show_summary(run: RunReport) -> None:
    from riskgraph.engine.engine import level_counts

    words = renderer()
    analysis = run.analysis
    if run.alerts is not None:
        console.print(
            _(
                "alerts: {raised} raised for new material risk ({candidates} companies at an "
                "alerting level)"
            ).format(raised=f"{len(run.alerts.raised):,}", candidates=f"{run.alerts.candidates:,}"),
            highlight=False,
        )
    table = Table(title=_("{n} companies scored").format(n=f"{len(analysis.score):,}"))
    table.add_column(_("level"))
    table.add_column(_("companies"), justify="right")
    for level, count in level_counts(analysis).items():
        table.add_row(words.level(level), f"{count:,}")
    console.print(table)
    from riskgraph.risk.rings import ring_reasons

    rings = Table(title=_("{n} rings; the top 10").format(n=len(analysis.rings.rings)))
    for column in (_("ring"), _("score"), _("companies"), _("people"), _("why")):
        rings.add_column(column, overflow="fold")
    for i, ring in enumerate(analysis.rings.rings[:10]):
        why = _("; ").join(words.reasons(ring_reasons(ring)[:3]))
        rings.add_row(
            analysis.rings.id_at(i),
            f"{ring.score:.2f}",
            str(len(ring.companies)),
            str(len(ring.persons)),
            why,
        )
    console.print(rings)
    spent = ", ".join(f"{k} {v:.1f} s" for k, v in run.timings.items())
    total = f"{sum(run.timings.values()):.1f}"
    console.print(
        _("time: {spent}; total {total} s").format(spent=spent, total=total), highlight=False
    )
    if run.run_id:
        console.print(_("run {run} is current").format(run=run.run_id), highlight=False)


def analyze(
    gnn: Annotated[
        bool,
        typer.Option(
            help="Add the GNN's component when the model file (RISKGRAPH_GNN_MODEL) exists."
        ),
    ] = True,
    as_of: AsOfOption = None,
) -> None:
    """Snapshot, propagate, detect rings, score (with the trained GNN when there is one),
    save the run, write back, publish it, raise alerts; then a summary."""
    settings = get_settings()
    day = as_of.date() if as_of is not None else None
    with errors(), Gateway(settings) as graph:
        run = run_engine(graph, settings, None if gnn else False, as_of=day)
    show_summary(run)


def propagate(
    seed: Annotated[
        list[str] | None,
        typer.Option("--seed", help="What-if: a company assumed blown up (repeatable)."),
    ] = None,
    top: Annotated[int, typer.Option(min=1, help="Companies listed.")] = 20,
) -> None:
    """Who is hit, and how hard, if these companies blow up (default: the exposed ones)."""
    from riskgraph.engine.names import lookup_names
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
        shown = [str(companies.keys[i]) for i in ranked[:top]]
        names = lookup_names(graph, [("Company", key) for key in shown])
    words = renderer()
    table = Table(
        title=_("hit by {n} seed(s); propagation took {seconds} s").format(
            n=len(seeds), seconds=f"{elapsed:.2f}"
        )
    )
    table.add_column(_("company"))
    table.add_column(_("contagion"), justify="right")
    for i, key in zip(ranked[:top], shown, strict=True):
        entity = {"label": "Company", "id": key, "name": names.get(("Company", key))}
        table.add_row(words.entity(entity, kind=False), f"{scores[i]:.4f}")
    console.print(table)


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
