"""The GNN's cost on a loaded province: training (the default configuration, what
`riskgraph gnn train` runs) and inference (what `riskgraph gnn predict` and `analyze` add),
each in a fresh process so that its peak memory is its own, beside the rules' analysis of
the same snapshot as the baseline.

- `python -m bench gnn`: train on the province the settings point at, save the model to
  `RISKGRAPH_GNN_MODEL`, then time inference with it.
- `python -m bench gnn-infer`: inference only, with the model at `RISKGRAPH_GNN_MODEL`
  (trained on another province: the 650,000-company figure uses the 100,000-company model).

With `RISKGRAPH_BENCH_OUTCOMES` (a CSV of companies that failed after the loaded snapshot)
`gnn` trains the outcome target instead, as `riskgraph gnn train --outcomes` does.
"""

from __future__ import annotations

import os
import pickle
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.children import in_child, peak_gib
from bench.report import machine, write_section
from riskgraph.gnn.outcomes import read_outcomes
from riskgraph.graph.gateway import Gateway
from riskgraph.graph.snapshot import Snapshot, build_snapshot
from riskgraph.risk.analysis import Analysis, analyze
from riskgraph.settings import Settings


def _prepared(snapshot_file: str, threads: int) -> tuple[Snapshot, Analysis, float]:
    """In a child: the snapshot, and the rules' analysis with its seconds (the baseline)."""
    import torch

    torch.set_num_threads(threads)
    snapshot = pickle.loads(Path(snapshot_file).read_bytes())
    started = time.perf_counter()
    analysis = analyze(snapshot)
    return snapshot, analysis, time.perf_counter() - started


def _train(
    snapshot_file: str, model_file: str, threads: int, outcomes: list[str] | None, out: Any
) -> None:
    """In the child: analyse, train, save."""
    from riskgraph.gnn.train import train

    snapshot, analysis, analysis_s = _prepared(snapshot_file, threads)
    started = time.perf_counter()
    trained = train(snapshot, analysis, outcomes=outcomes)
    train_s = time.perf_counter() - started
    trained.save(model_file)
    out.put(
        {
            "analysis_s": analysis_s,
            "train_s": train_s,
            "peak_gib": peak_gib(),
            "metrics": trained.metrics,
            "what": f"{trained.target} target, `{trained.config.model.architecture}`",
        }
    )


def _infer(snapshot_file: str, model_file: str, threads: int, out: Any) -> None:
    """In the child: analyse, predict."""
    from riskgraph.gnn.train import TrainedModel

    snapshot, analysis, analysis_s = _prepared(snapshot_file, threads)
    model = TrainedModel.load(model_file)
    started = time.perf_counter()
    model.predict(snapshot, analysis)
    infer_s = time.perf_counter() - started
    out.put(
        {
            "analysis_s": analysis_s,
            "infer_s": infer_s,
            "peak_gib": peak_gib(),
            "what": f"{model.target} target, `{model.config.model.architecture}`",
            "target": model.target,
        }
    )


def _snapshot(settings: Settings, folder: Path) -> tuple[dict[str, Any], Path, float]:
    """The snapshot, pickled for the children; only its shape stays in this process (at
    650,000 companies it would otherwise be held twice)."""
    with Gateway(settings) as graph:
        started = time.perf_counter()
        snapshot = build_snapshot(graph)
        elapsed = time.perf_counter() - started
    path = folder / "snapshot.pkl"
    path.write_bytes(pickle.dumps(snapshot, protocol=pickle.HIGHEST_PROTOCOL))
    shape = {
        "companies": snapshot.size("Company"),
        "entities": sum(snapshot.size(label) for label in snapshot.nodes),
        "edges": sum(len(t) for t in snapshot.edges.values()),
        "exposed": int(snapshot.exposed().sum()),
    }
    return shape, path, elapsed


def run(settings: Settings, train: bool = True) -> Path:
    model = settings.gnn_model
    listed = os.environ.get("RISKGRAPH_BENCH_OUTCOMES") if train else None
    outcomes = read_outcomes(listed) if listed else None
    load = os.getloadavg()
    with tempfile.TemporaryDirectory() as folder:
        shape, path, snapshot_s = _snapshot(settings, Path(folder))
        threads = settings.gnn_threads
        trained = None
        if train:
            model.parent.mkdir(parents=True, exist_ok=True)
            trained = in_child(_train, str(path), str(model), threads, outcomes)
        inferred = in_child(_infer, str(path), str(model), threads)
    companies = shape["companies"]
    end_load = os.getloadavg()[0]
    rows = [
        f"| snapshot (read Neo4j into arrays) | {snapshot_s:.1f} | |",
        f"| rules' analysis (baseline: propagation, rings, scores) | "
        f"{inferred['analysis_s']:.1f} | |",
    ]
    if trained is not None:
        m = trained["metrics"]
        rows.append(
            f"| **GNN training** ({trained['what']}, {m['members']:.0f} cross-fitted members, "
            f"{m['epochs']:.0f} epochs each on average) | **{trained['train_s']:.1f}** | "
            f"{trained['peak_gib']:.1f} |"
        )
    rows.append(
        f"| **GNN inference** ({inferred['what']}: features, ensemble, calibration) | "
        f"**{inferred['infer_s']:.1f}** | {inferred['peak_gib']:.1f} |"
    )
    command = "python -m bench gnn" if train else "python -m bench gnn-infer"
    if listed:
        command = f"RISKGRAPH_BENCH_OUTCOMES={Path(listed).name} {command}"
    lines = [
        f"## GNN, {companies:,} companies" + ("" if train else " (inference)"),
        "",
        f"Machine: {machine()}; CPU only, {settings.gnn_threads} torch thread(s) "
        f"(`RISKGRAPH_GNN_THREADS`). Graph: {shape['entities']:,} nodes and "
        f"{shape['edges']:,} relationships at {settings.bolt_uri}; {shape['exposed']:,} "
        f"exposed companies. Command: `{command}` against the loaded province, model "
        f"`{model}`. Each step runs in a fresh process; peak memory is that process's (it "
        "holds the snapshot and the analysis too). Load average (1 min) at the start and "
        f"end: {load[0]:.1f} and {end_load:.1f}"
        + (
            " (above the core count: the machine was shared, the times are upper bounds)."
            if max(load[0], end_load) > (os.cpu_count() or 1)
            else "."
        ),
        "",
        "| step | seconds | peak memory (GiB) |",
        "| --- | ---: | ---: |",
        *rows,
        "",
    ]
    if trained is not None:
        m = trained["metrics"]
        lines.append(
            f"Held-out (out-of-fold) {'failures' if listed else 'exposures'}: average precision "
            f"{m['validation_average_precision']:.3f}, ROC-AUC {m['validation_roc_auc']:.3f}."
        )
    name = f"gnn-{companies}" if train else f"gnn-infer-{companies}"
    name += "-outcomes" if inferred["target"] == "outcome" else ""
    return write_section(name, "\n".join(lines))
