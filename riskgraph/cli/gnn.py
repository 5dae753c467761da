"""``riskgraph gnn``: train the GNN on the graph, predict with it (its score component,
written back), explain one company. Output and exit codes live here; the work lives in
``riskgraph.gnn``."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import numpy as np
import typer
from rich.table import Table

from riskgraph.cli.common import _, console, errors, renderer
from riskgraph.cli.risk import refusing_foreign, run_engine, show_summary, snapshot_of
from riskgraph.errors import RiskgraphError
from riskgraph.graph.gateway import Gateway
from riskgraph.settings import Settings, get_settings

if TYPE_CHECKING:
    pass

gnn_app = typer.Typer(
    help="The graph neural network: train, predict, explain.", no_args_is_help=True
)

ModelOption = Annotated[
    Path | None, typer.Option("--model", help="Model file (default: RISKGRAPH_GNN_MODEL).")
]


def _threads(settings: Settings, threads: int | None) -> Settings:
    """The settings with --threads (the engine sets torch's threads when it loads a model)."""
    import torch

    if threads is not None:
        settings = settings.model_copy(update={"gnn_threads": threads})
    torch.set_num_threads(settings.gnn_threads)
    return settings


@gnn_app.command()
def train(
    model: ModelOption = None,
    architecture: Annotated[str, typer.Option(help="rgcn, sage or hgt.")] = "rgcn",
    folds: Annotated[int, typer.Option(min=2, help="Cross-fitting folds (members).")] = 3,
    epochs: Annotated[int, typer.Option(min=1, help="Most epochs per member.")] = 100,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    threads: Annotated[int | None, typer.Option(min=1, help="torch threads.")] = None,
    outcomes: Annotated[
        Path | None,
        typer.Option(
            help="CSV (company_id column) of the companies that failed after the snapshot "
            "in the database: train on failure itself, with this database as the past."
        ),
    ] = None,
    device: Annotated[
        str, typer.Option(help="cpu, or cuda on a GPU machine (nothing needs one).")
    ] = "cpu",
) -> None:
    """Train on the exposures (and confirmed alerts) known now, or with --outcomes on a
    past snapshot and the failures that followed it; save model, schema, fingerprint,
    metrics and the graph it was trained on (applied by default to that graph only)."""
    from riskgraph.engine.engine import Engine
    from riskgraph.gnn.model import ARCHITECTURES, ModelConfig
    from riskgraph.gnn.outcomes import read_outcomes
    from riskgraph.gnn.train import TrainConfig
    from riskgraph.gnn.train import train as fit
    from riskgraph.graph.identity import graph_identity

    settings = get_settings()
    path = model or settings.gnn_model
    if architecture not in ARCHITECTURES:
        raise typer.BadParameter(f"one of {', '.join(ARCHITECTURES)}", param_hint="--architecture")
    settings = _threads(settings, threads)
    _check_device(device)
    with errors(), Gateway(settings) as graph:
        failed = None if outcomes is None else read_outcomes(outcomes)
        graph_id = graph_identity(graph)
        snapshot = snapshot_of(graph)
        confirmed = _confirmed_alerts(graph)
        analysis = Engine(graph, settings, gnn=False).analyze(snapshot)
        config = TrainConfig(
            model=ModelConfig(architecture), folds=folds, max_epochs=epochs, seed=seed
        )
        started = time.perf_counter()
        with console.status("training...") as status:
            trained = fit(
                snapshot,
                analysis,
                config,
                log=lambda line: status.update(f"training: {line}"),
                confirmed=confirmed,
                outcomes=failed,
                device=device,
            )
        elapsed = time.perf_counter() - started
    trained = replace(trained, graph_id=graph_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    trained.save(path)
    title = _("GNN ({architecture}) trained in {seconds} s, saved to {path}")
    table = Table(
        title=title.format(architecture=architecture, seconds=f"{elapsed:.0f}", path=path)
    )
    table.add_column(_("metric"))
    table.add_column(_("value"), justify="right")
    for name, value in trained.metrics.items():
        table.add_row(name, f"{value:.4g}")
    table.add_row(_("confirmed alerts used"), str(len(confirmed)))
    if failed is not None:
        known = snapshot.nodes["Company"].index
        table.add_row(_("target"), _("failure after this snapshot (--outcomes)"))
        table.add_row(
            _("outcomes listed / in the graph"),
            f"{len(failed)} / {sum(c in known for c in failed)}",
        )
    table.add_row(_("fingerprint"), trained.fingerprint)
    table.add_row(_("graph"), graph_id)
    console.print(table)


def _check_device(device: str) -> None:
    import torch

    if device not in ("cpu", "cuda") and not device.startswith("cuda:"):
        raise typer.BadParameter("cpu, cuda or cuda:N", param_hint="--device")
    if device != "cpu" and not torch.cuda.is_available():
        raise typer.BadParameter("no CUDA GPU on this machine; use cpu", param_hint="--device")


def _confirmed_alerts(graph: Gateway) -> list[str]:
    """Companies whose alerts an investigator confirmed (the API's closed loop)."""
    from riskgraph.engine.alerts import alert_labels

    return sorted(c for c, risky in alert_labels(graph).items() if risky)


@gnn_app.command()
def predict(
    model: ModelOption = None,
    top: Annotated[int, typer.Option(min=1, help="Companies listed.")] = 15,
    threads: Annotated[int | None, typer.Option(min=1, help="torch threads.")] = None,
) -> None:
    """Analyze with the GNN's component and write back (``analyze`` does the same when the
    model file exists); list the companies the GNN rates highest. The default model file
    must have been trained on this graph; --model FILE uses a file whatever its graph."""
    settings = get_settings()
    settings = _threads(settings, threads)
    with errors(), Gateway(settings) as graph, refusing_foreign("riskgraph gnn predict"):
        run = run_engine(graph, settings, model if model is not None else True)
    show_summary(run)
    analysis = run.analysis
    assert analysis.gnn_probability is not None
    keys = analysis.snapshot.nodes["Company"].keys
    order = [
        i for i in np.argsort(-analysis.gnn_probability, kind="stable") if not analysis.exposed[i]
    ]
    title = (
        _("highest GNN probability of failure (not exposed yet), top {n}")
        if run.model.target == "outcome"
        else _("highest GNN probability of exposure (not exposed yet), top {n}")
    )
    table = Table(title=title.format(n=top))
    table.add_column(_("company"))
    for column in (_("probability"), _("score"), _("level")):
        table.add_column(column, justify="right")
    words = renderer()
    for i in order[:top]:
        table.add_row(
            str(keys[i]),
            f"{analysis.gnn_probability[i]:.3f}",
            f"{analysis.score[i]:.1f}",
            words.level(str(analysis.level[i])),
        )
    console.print(table)


@gnn_app.command()
def explain(
    company: Annotated[str, typer.Argument(help="Company id.")],
    model: ModelOption = None,
    top: Annotated[int, typer.Option(min=1, help="Edges, entities and features shown.")] = 8,
    as_json: Annotated[bool, typer.Option("--json", help="Print the explanation as JSON.")] = False,
    threads: Annotated[int | None, typer.Option(min=1, help="torch threads.")] = None,
) -> None:
    """Why COMPANY scores what it does: the GNN's ties, entities and features, the
    propagation's evidence paths, the reasons."""
    from riskgraph.engine.engine import Engine
    from riskgraph.engine.names import named_values
    from riskgraph.gnn.explain import explain as explain_one
    from riskgraph.risk.codes import Reason

    settings = get_settings()
    settings = _threads(settings, threads)
    with errors(), Gateway(settings) as graph:
        engine = Engine(graph, settings, gnn=model if model is not None else True)
        with refusing_foreign("riskgraph gnn explain"):
            trained = engine.model()
        assert trained is not None  # required: a missing or refused model raised
        snapshot = snapshot_of(graph)
        if company not in snapshot.nodes["Company"].index:
            raise RiskgraphError(f"no company {company!r} in the graph")
        analysis = engine.analyze(snapshot)
        with console.status("explaining..."):
            result = explain_one(analysis, company, trained, top=top)
        paths = named_values(graph, [p.path for p in result.paths])
        reasons = named_values(graph, [r.to_dict() for r in result.reasons])
    if as_json:
        console.print_json(json.dumps(result.to_dict(), ensure_ascii=False))
        return
    words = renderer()
    probability = "n/a" if result.probability is None else f"{result.probability:.3f}"
    console.print(
        f"[bold]{result.company}[/]: score {result.score:.1f} ({result.level}), "
        f"GNN probability {probability}; components "
        + ", ".join(f"{k} {v:.2f}" for k, v in result.components.items()),
        highlight=False,
    )
    for title, columns, rows in (
        (
            _("ties the GNN relies on (GNNExplainer)"),
            (_("from"), _("relationship"), _("to"), _("weight")),
            [
                (
                    f"{e.source_label} {e.source_key}",
                    e.relationship,
                    f"{e.target_label} {e.target_key}",
                    f"{e.weight:.3f}",
                )
                for e in result.edges
            ],
        ),
        (
            _("entities"),
            (_("entity"), _("weight")),
            [(f"{e.label} {e.key}", f"{e.weight:.3f}") for e in result.entities],
        ),
        (
            _("own features (input x gradient, logit units)"),
            (_("feature"), _("value"), _("attribution")),
            [(f.name, f"{f.value:.4g}", f"{f.attribution:+.3f}") for f in result.features],
        ),
        (
            _("propagation paths from exposed companies"),
            (_("path"), _("hops"), _("contribution")),
            [
                (words.path(path), str(p.hops), f"{p.contribution:.4f}")
                for path, p in zip(paths, result.paths, strict=True)
            ],
        ),
    ):
        table = Table(title=title)
        for column in columns:
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(*row)
        console.print(table)
    console.print(_("reasons:"))
    for reason in reasons:
        console.print(f"  - {words.reason(Reason.from_dict(reason))}", highlight=False)
