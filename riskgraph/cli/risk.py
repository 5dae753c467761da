"""The risk commands of ``riskgraph``: analyze, propagate, evaluate. Output and exit codes
live here; the work lives in ``riskgraph.engine``."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import numpy as np
import typer
from rich.table import Table

from riskgraph.cli.common import AsOfOption, _, console, engine_bars, err, errors, renderer
from riskgraph.errors import RiskgraphError
from riskgraph.graph.gateway import Gateway
from riskgraph.settings import Settings, get_settings

if TYPE_CHECKING:
    from riskgraph.engine.engine import RunReport
    from riskgraph.engine.models import ModelUse
    from riskgraph.gnn.train import TrainedModel
    from riskgraph.graph.snapshot import Snapshot
    from riskgraph.risk.calibration import Calibration


def snapshot_of(graph: Gateway) -> Snapshot:
    from riskgraph.engine.engine import Engine

    with console.status(_("reading the graph snapshot...")):
        return Engine(graph, get_settings(), gnn=False).snapshot()


def run_engine(
    graph: Gateway,
    settings: Settings,
    gnn: TrainedModel | Path | bool | None,
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


def _recorded(value: str | None) -> str:
    return value if value else _("not recorded")


def refused_text(use: ModelUse, command: str = "riskgraph analyze") -> str:
    """Why a model at the default path was not applied, and how to apply it anyway."""
    trained_on = (
        _("graph {graph}").format(graph=use.graph_id)
        if use.graph_id
        else _("a graph it does not record (a model from before graph ids)")
    )
    return _(
        "the GNN model {path} was trained on {trained_on}, not on this graph ({graph}): it "
        "is not applied. To use it anyway: {command} --model {path}, or set "
        "RISKGRAPH_GNN_ANY_GRAPH=true"
    ).format(path=use.path, trained_on=trained_on, graph=_recorded(use.graph), command=command)


def show_model(use: ModelUse) -> None:
    """Which GNN a run scored with, or why none; a refused one as a warning on stderr."""
    from riskgraph.engine.models import ModelStatus

    if use.status is ModelStatus.FOREIGN:
        err.print(
            f"[bold yellow]{_('warning:')}[/] "
            + _("{refused}; the scores use the rules only").format(refused=refused_text(use)),
            highlight=False,
            soft_wrap=True,
        )
        return
    if use.status is ModelStatus.ABSENT:
        line = _("GNN model: none at {path}; the scores use the rules only").format(path=use.path)
    elif use.status is ModelStatus.DISABLED:
        line = _("GNN model: not used (--no-gnn); the scores use the rules only")
    else:
        targets = {"exposure": _("exposure"), "outcome": _("failure (a past period's outcomes)")}
        line = _("GNN model: {path} (trained {trained_at} on graph {graph}; target: {target})")
        line = line.format(
            path=use.path or "-",
            trained_at=_recorded(use.trained_at),
            graph=_recorded(use.graph_id),
            target=targets.get(use.target or "", use.target or "-"),
        )
        if use.forced:
            line += _("; trained on another graph, applied as asked")
    console.print(line, highlight=False, soft_wrap=True)


@contextmanager
def refusing_foreign(command: str) -> Iterator[None]:
    """A required model (``gnn predict``, ``gnn explain``) at the default path that was
    trained on another graph: the error, in the configured language."""
    from riskgraph.engine.models import ForeignModel

    try:
        yield
    except ForeignModel as exc:
        raise RiskgraphError(refused_text(exc.use, command)) from exc


def show_summary(run: RunReport) -> None:
    from riskgraph.engine.engine import level_counts

    words = renderer()
    analysis = run.analysis
    show_model(run.model)
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


ModelFileOption = Annotated[
    Path | None,
    typer.Option(
        "--model",
        help="Score with this GNN model file, whatever graph it was trained on (default: "
        "RISKGRAPH_GNN_MODEL when it exists and was trained on this graph).",
    ),
]


def model_choice(model: Path | None, gnn: bool) -> Path | bool | None:
    """The engine's ``gnn`` for --model FILE and --gnn/--no-gnn."""
    if model is not None and not gnn:
        raise typer.BadParameter("--model and --no-gnn contradict each other", param_hint="--model")
    return model if model is not None else (None if gnn else False)


def analyze(
    gnn: Annotated[
        bool,
        typer.Option(
            help="Add the GNN's component when the model file (RISKGRAPH_GNN_MODEL) exists "
            "and was trained on this graph."
        ),
    ] = True,
    model: ModelFileOption = None,
    as_of: AsOfOption = None,
) -> None:
    """Snapshot, propagate, detect rings, score (with the trained GNN when there is one),
    save the run, write back, publish it, raise alerts; then a summary."""
    settings = get_settings()
    day = as_of.date() if as_of is not None else None
    choice = model_choice(model, gnn)
    with errors(), Gateway(settings) as graph:
        run = run_engine(graph, settings, choice, as_of=day)
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


def calibrate(
    cutoff: Annotated[
        datetime | None,
        typer.Option(
            "--cutoff",
            formats=["%Y-%m-%d"],
            help="The back-test's cut-off: exposures up to it are the seeds, failures in the "
            "horizon after it the outcomes (default: the horizon before the latest event).",
        ),
    ] = None,
    horizon: Annotated[
        int, typer.Option(min=1, help="Days after the cut-off within which a failure counts.")
    ] = 365,
) -> None:
    """Back-test on the graph's own history: fit the relationship weights, the combination
    of the components and each level's failure rate; store them for every later analysis
    (RISKGRAPH_CALIBRATION)."""
    from riskgraph.engine import calibrate as backtest
    from riskgraph.engine.lock import pipeline_lock
    from riskgraph.engine.params import hand_set_params

    settings = get_settings()
    day = cutoff.date() if cutoff is not None else None
    with errors(), Gateway(settings) as graph:
        with (
            pipeline_lock(settings.lock_file, "riskgraph calibrate"),
            console.status(_("back-testing on the graph's history...")),
        ):
            result = backtest.run_backtest(graph, hand_set_params(settings), day, horizon)
        backtest.save(result, settings.calibration)
    show_calibration(result)
    console.print(_("saved to {path}").format(path=settings.calibration), highlight=False)


def show_calibration(result: Calibration) -> None:
    from riskgraph.risk.calibration import MIN_HELD_OUT, MIN_OUTCOMES, MIN_SEEDS, FitStatus
    from riskgraph.weights import PATH_WEIGHTS

    words = renderer()
    console.print(
        _(
            "cut-off {cutoff}, horizon {horizon} days (history up to {now}): {seeds} exposures "
            "known at the cut-off; {outcomes} of {companies} companies failed within the "
            "horizon ({held} of them held out)"
        ).format(
            cutoff=result.cutoff.isoformat(),
            horizon=result.horizon_days,
            now=result.now.isoformat(),
            seeds=f"{result.seeds:,}",
            outcomes=f"{result.outcomes:,}",
            companies=f"{result.companies:,}",
            held=f"{result.held_out_outcomes:,}",
        ),
        highlight=False,
    )
    if result.weights_status == FitStatus.THIN:
        console.print(
            _(
                "the history is too thin to fit (at least {outcomes} failures, {held} of them "
                "held out, and {seeds} exposures at the cut-off are needed): the hand-set "
                "values stay"
            ).format(outcomes=MIN_OUTCOMES, held=MIN_HELD_OUT, seeds=MIN_SEEDS),
            style="yellow",
            highlight=False,
        )
    status = {
        FitStatus.FITTED: _("fitted, used"),
        FitStatus.NOT_BETTER: _("not better on the held-out companies: hand-set kept"),
        FitStatus.THIN: _("too thin: hand-set kept"),
    }
    table = Table(title=_("back-test"))
    table.add_column(_("part"))
    table.add_column(_("result"))
    table.add_row(_("relationship weights"), status[result.weights_status])
    table.add_row(_("combination of the components"), status[result.combination_status])
    console.print(table)
    if result.ap:
        aps = Table(title=_("average precision on the failures"))
        aps.add_column(_("ranking"))
        aps.add_column(_("average precision"), justify="right")
        labels = {
            "fit_contagion_hand_set": _("contagion, hand-set weights (fitting companies)"),
            "fit_contagion_fitted": _("contagion, fitted weights (fitting companies)"),
            "held_out_contagion_hand_set": _("contagion, hand-set weights (held out)"),
            "held_out_contagion_fitted": _("contagion, fitted weights (held out)"),
            "held_out_score_hand_set": _("score, hand-set (held out)"),
            "held_out_score_hand_set_combination": _(
                "score, hand-set combination of the components kept (held out)"
            ),
            "held_out_score_fitted": _("score, fitted combination (held out)"),
            "fit_score_fitted": _("score, fitted combination (fitting companies)"),
            "held_out_score_kept": _("score kept (held out)"),
            "held_out_score_fitted_weights": _("best score with the fitted weights (held out)"),
        }
        for name, value in result.ap.items():
            aps.add_row(labels.get(name, name), f"{value:.3f}")
        console.print(aps)
    if result.weights is not None:
        weights = Table(title=_("relationship weights"))
        for column in (_("relationship"), _("hand-set"), _("fitted")):
            weights.add_column(column, justify="right" if column != _("relationship") else "left")
        for rel_type, value in sorted(result.weights.items()):
            before = PATH_WEIGHTS.get(rel_type, 0.0)
            if value != before:
                weights.add_row(rel_type, f"{before:.2f}", f"{value:.2f}")
        console.print(weights)
        console.print(
            _("an exposure's contagion halves every {days} days").format(
                days=f"{result.seed_half_life_days:g}"
            )
            if result.seed_half_life_days is not None
            else _("an exposure's contagion does not fade with its age"),
            highlight=False,
        )
    if result.combination is not None:
        terms = Table(title=_("combination: coefficients of the logistic model (logit)"))
        terms.add_column(_("term"))
        terms.add_column(_("coefficient"), justify="right")
        for term, value in zip(
            result.combination.terms, result.combination.coefficients, strict=True
        ):
            terms.add_row(" × ".join(term), f"{value:.3f}")
        terms.add_row(_("intercept"), f"{result.combination.intercept:.3f}")
        console.print(terms)
    levels = Table(
        title=_("failed within {days} days, by level (held-out companies)").format(
            days=result.horizon_days
        )
    )
    for column in (_("level"), _("companies"), _("failed"), _("rate"), _("hand-set: rate")):
        levels.add_column(column, justify="left" if column == _("level") else "right")
    for kept, hand in zip(result.levels, result.hand_set_levels, strict=True):
        levels.add_row(
            words.level(kept.level),
            f"{kept.companies:,}",
            f"{kept.failed:,}",
            _percent(kept.rate),
            _percent(hand.rate),
        )
    console.print(levels)


def _percent(rate: float) -> str:
    return "-" if rate != rate else f"{100 * rate:.1f}%"
