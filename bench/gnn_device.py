"""GNN training and inference on each device a machine has: the CPU (the baseline, in the
same process, on the same snapshot) and a GPU when there is one. Nothing in riskgraph
needs a GPU; this says what one buys.

The snapshot comes from a file (``RISKGRAPH_BENCH_SNAPSHOT``: a pickled ``Snapshot``,
optionally gzipped, as ``python -m bench gnn`` makes them), so a GPU machine without
Neo4j can run it. ``RISKGRAPH_BENCH_DEVICES`` lists the runs, ``cpu:THREADS`` or ``cuda``
(default ``cpu:1,cuda``). With ``RISKGRAPH_BENCH_OUTCOMES`` (a CSV of the companies that
failed after the snapshot) the outcome target trains, as ``riskgraph gnn train
--outcomes``; else the exposure target.

`RISKGRAPH_BENCH_SNAPSHOT=snapshot.pkl.gz python -m bench gnn-device`.
"""

from __future__ import annotations

import gzip
import os
import pickle
import time
from pathlib import Path

import numpy as np
import torch

from bench.report import machine, write_section
from riskgraph.gnn.outcomes import read_outcomes
from riskgraph.gnn.train import TrainedModel, train
from riskgraph.graph.snapshot import Snapshot
from riskgraph.risk.analysis import Analysis, analyze


def _snapshot(path: Path) -> Snapshot:
    data = path.read_bytes()
    snapshot: Snapshot = pickle.loads(gzip.decompress(data) if path.suffix == ".gz" else data)
    return snapshot


def _device_name(device: str) -> str:
    if device.startswith("cuda"):
        return torch.cuda.get_device_name(torch.device(device))
    return "CPU"


def _infer(model: TrainedModel, snapshot: Snapshot, analysis: Analysis) -> float:
    started = time.perf_counter()
    model.predict(snapshot, analysis)
    return time.perf_counter() - started


def _run(
    spec: str, snapshot: Snapshot, analysis: Analysis, outcomes: list[str] | None
) -> tuple[list[object], np.ndarray]:
    """Train with the default configuration on one device; (table row, probabilities)."""
    device, _, threads = spec.partition(":")
    torch.set_num_threads(int(threads or 1))
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    started = time.perf_counter()
    model = train(snapshot, analysis, outcomes=outcomes, device=device)
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    seconds = time.perf_counter() - started
    m = model.metrics
    row: list[object] = [
        f"{_device_name(device)}" + (f", {threads} thread(s)" if device == "cpu" else ""),
        f"{model.target} (`{model.config.model.architecture}`)",
        f"{seconds:.1f}",
        f"{m['epochs']:.0f}",
        f"{seconds / max(m['epochs'] * m['members'], 1):.2f}",
        f"{m['validation_average_precision']:.3f}",
        f"{m['validation_roc_auc']:.3f}",
        f"{_infer(model, snapshot, analysis):.1f}",
    ]
    return row, model.predict(snapshot, analysis)


def run() -> Path:
    path = Path(os.environ["RISKGRAPH_BENCH_SNAPSHOT"])
    specs = os.environ.get("RISKGRAPH_BENCH_DEVICES", "cpu:1,cuda").split(",")
    listed = os.environ.get("RISKGRAPH_BENCH_OUTCOMES")
    outcomes = read_outcomes(listed) if listed else None
    snapshot = _snapshot(path)
    analysis = analyze(snapshot)
    rows, predictions = [], []
    for spec in specs:
        if spec.startswith("cuda") and not torch.cuda.is_available():
            continue
        row, probability = _run(spec, snapshot, analysis, outcomes)
        rows.append(row)
        predictions.append(probability)
    spread = max((float(np.abs(p - predictions[0]).max()) for p in predictions[1:]), default=0.0)
    companies = snapshot.size("Company")
    body = "\n".join(
        [
            f"## GNN training by device, {companies:,} companies"
            + (" (outcome target)" if listed else ""),
            "",
            f"Machine: {machine()}. Command: `RISKGRAPH_BENCH_SNAPSHOT={path.name} "
            f"RISKGRAPH_BENCH_DEVICES={','.join(specs)}"
            + (f" RISKGRAPH_BENCH_OUTCOMES={Path(listed).name}" if listed else "")
            + " python -m bench gnn-device` "
            f"(torch {torch.__version__}); the default configuration of `riskgraph gnn "
            "train` (3 cross-fitted members, early stopping) on each device in turn, in "
            "one process, on the same snapshot. Inference runs on the CPU (features, "
            "ensemble, calibration), with the model trained on that device.",
            "",
            "| trained on | target | training s | epochs (mean) | s per member-epoch "
            "| held-out AP | held-out ROC-AUC | inference s (CPU) |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
            *("| " + " | ".join(str(c) for c in row) + " |" for row in rows),
            "",
            "Largest difference between the devices' predicted probabilities: "
            f"{spread:.4f} (floating-point order of sums differs, so early stopping may "
            "pick another epoch).",
        ]
    )
    # one section per province, target and kind of machine (with or without a GPU run)
    suffix = ("-outcomes" if listed else "") + ("-gpu" if any("cuda" in s for s in specs) else "")
    return write_section(f"gnn-device-{companies}{suffix}", body)
