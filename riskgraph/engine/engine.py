"""``Engine``: the pipeline's steps over one graph, as functions with a progress callback.

Modelled on Splink's ``Linker``: one object bound to its inputs (a query gateway and the
settings) whose methods are the steps, so every caller — CLI, API, demo, benches, notebook,
tests — runs the same ones in the same order, and a step can be run alone (``analyze``
without writing, ``state`` for a serving process).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from riskgraph.engine import alerts, writeback
from riskgraph.engine.names import named
from riskgraph.engine.params import analysis_params
from riskgraph.engine.state import EngineState
from riskgraph.errors import RiskgraphError
from riskgraph.graph.gateway import QueryGateway
from riskgraph.graph.schema import Level
from riskgraph.graph.snapshot import Snapshot, build_snapshot
from riskgraph.risk.analysis import Analysis, analyze
from riskgraph.risk.codes import Reason
from riskgraph.risk.propagation import Propagator
from riskgraph.risk.reasons import explain_flagged
from riskgraph.settings import Settings

if TYPE_CHECKING:
    from riskgraph.gnn.train import TrainedModel

# Told (step, done, total) as work advances; total None when not known in advance.
Progress = Callable[[str, int, int | None], None]


class NothingToAnalyse(RiskgraphError):
    """The graph holds no companies yet."""


class ModelUnusable(RiskgraphError):
    """The GNN model file is missing or not a riskgraph model."""


def load_model(path: Path) -> TrainedModel:
    """The saved GNN, or a clear error saying how to make one."""
    from riskgraph.gnn.train import TrainedModel

    if not path.exists():
        raise ModelUnusable(f"no GNN model at {path}: train one with `riskgraph gnn train`")
    try:
        return TrainedModel.load(path)
    except Exception as exc:  # torch's and pickle's errors for a file that is not a model
        raise ModelUnusable(f"{path} is not a usable riskgraph GNN model: {exc}") from exc


@dataclass(frozen=True)
class RunReport:
    """What ``Engine.run`` did."""

    analysis: Analysis
    reasons: dict[int, list[Reason]]
    written: writeback.WriteReport
    alerts: alerts.RaiseReport | None
    timings: dict[str, float] = field(default_factory=dict)


def _quiet(step: str, done: int, total: int | None) -> None:
    return None


class Engine:
    """The pipeline over one graph. ``gnn``: None uses the model file when it exists (as
    ``analyze`` always has), False never, or a model already loaded."""

    def __init__(
        self,
        graph: QueryGateway,
        settings: Settings,
        gnn: TrainedModel | bool | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.graph = graph
        self.settings = settings
        self.params = analysis_params(settings)
        self.progress = progress or _quiet
        self._gnn = gnn
        self._model: TrainedModel | None = None
        self.timings: dict[str, float] = {}

    # --- inputs ---------------------------------------------------------------------------
    def model(self) -> TrainedModel | None:
        """The GNN this engine scores with, loaded once; None without one."""
        if self._gnn is False:
            return None
        if self._gnn is not None and self._gnn is not True:
            return self._gnn
        if self._model is None:
            path = self.settings.gnn_model
            if self._gnn is None and not path.exists():
                return None
            import torch

            torch.set_num_threads(self.settings.gnn_threads)
            self._model = load_model(path)
        return self._model

    def snapshot(self) -> Snapshot:
        started = time.perf_counter()
        self.progress("snapshot", 0, None)
        snapshot = build_snapshot(self.graph)
        self.timings["snapshot"] = time.perf_counter() - started
        if snapshot.size("Company") == 0:
            raise NothingToAnalyse(
                "the graph has no companies: ingest a bundle (`riskgraph ingest DIR`) first"
            )
        return snapshot

    # --- the steps ------------------------------------------------------------------------
    def analyze(self, snapshot: Snapshot | None = None) -> Analysis:
        """Propagation, rings and scores, with the GNN's component when there is a model:
        the one analysis every command and endpoint reports."""
        snapshot = snapshot if snapshot is not None else self.snapshot()
        steps = ("propagation", "rings", "scoring")
        done = iter(range(len(steps)))
        analysis = analyze(
            snapshot, self.params, step=lambda name: self.progress(name, next(done), len(steps))
        )
        self.timings.update(analysis.timings)
        model = self.model()
        if model is not None:
            self.progress("gnn", 0, 1)
            started = time.perf_counter()
            analysis = model.add_to(analysis)
            self.timings["gnn"] = time.perf_counter() - started
        return analysis

    def explain(self, analysis: Analysis) -> dict[int, list[Reason]]:
        """Reasons for every flagged company, by company row, entities named."""
        flagged = int((analysis.level != Level.NONE.value).sum())
        started = time.perf_counter()
        count = 0

        def tick() -> None:
            nonlocal count
            count += 1
            if count % 500 == 0 or count == flagged:
                self.progress("reasons", count, flagged)

        reasons = named(self.graph, explain_flagged(analysis, tick))
        self.timings["reasons"] = time.perf_counter() - started
        return reasons

    def write_back(
        self, analysis: Analysis, reasons: dict[int, list[Reason]]
    ) -> writeback.WriteReport:
        total = len(analysis.score)
        written = 0

        def advance(rows: int) -> None:
            nonlocal written
            written += rows
            self.progress("write back", written, total)

        started = time.perf_counter()
        report = writeback.write_analysis(
            self.graph, analysis, reasons, self.settings.ingest_batch_size, advance
        )
        self.timings["write back"] = time.perf_counter() - started
        return report

    def raise_alerts(self, min_level: Level = Level.ORANGE) -> alerts.RaiseReport:
        started = time.perf_counter()
        self.progress("alerts", 0, None)
        report = alerts.raise_alerts(self.graph, min_level)
        self.timings["alerts"] = time.perf_counter() - started
        return report

    def run(self, raise_alerts: bool = True) -> RunReport:
        """The daily job: analyse, explain, write back, raise alerts."""
        analysis = self.analyze()
        reasons = self.explain(analysis)
        written = self.write_back(analysis, reasons)
        raised = self.raise_alerts() if raise_alerts else None
        return RunReport(analysis, reasons, written, raised, dict(self.timings))

    def state(self) -> EngineState:
        """A serving process's state, from the same analysis ``run`` writes back."""
        started = time.perf_counter()
        analysis = self.analyze()
        propagator = Propagator(analysis.graph.adjacency, analysis.params.alpha)
        tree = analysis.evidence_tree()
        return EngineState(
            analysis=analysis,
            propagator=propagator,
            tree=tree,
            loaded_at=datetime.now(UTC),
            load_seconds=time.perf_counter() - started,
            model=self.model(),
        )


def level_counts(analysis: Analysis) -> dict[Level, int]:
    """Companies per level, every level present (zero when none)."""
    values, counts = np.unique(analysis.level, return_counts=True)
    found = {str(v): int(n) for v, n in zip(values, counts, strict=True)}
    return {level: found.get(level.value, 0) for level in Level}
