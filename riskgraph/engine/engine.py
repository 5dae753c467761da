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
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from riskgraph.engine import alerts, runs, writeback
from riskgraph.engine.models import ModelStatus, ModelUse, choose_model
from riskgraph.engine.models import ModelUnusable as ModelUnusable  # re-exported
from riskgraph.engine.models import load_model as load_model  # re-exported
from riskgraph.engine.names import named
from riskgraph.engine.params import analysis_params
from riskgraph.engine.runs import CurrentRun, RunStore, Saved, current_run, new_run_id, scores_of
from riskgraph.engine.state import EngineState
from riskgraph.errors import RiskgraphError
from riskgraph.graph.gateway import QueryGateway
from riskgraph.graph.schema import Level
from riskgraph.graph.snapshot import Snapshot, build_snapshot
from riskgraph.risk.analysis import Analysis, analyze
from riskgraph.risk.codes import Reason
from riskgraph.risk.propagation import Propagator
from riskgraph.risk.reasons import explain_flagged
from riskgraph.risk.ring_ids import PreviousRings
from riskgraph.settings import Settings

if TYPE_CHECKING:
    from riskgraph.gnn.train import TrainedModel

# Told (step, done, total) as work advances; total None when not known in advance.
Progress = Callable[[str, int, int | None], None]


class NothingToAnalyse(RiskgraphError):
    """The graph holds no companies yet."""


@dataclass(frozen=True)
class RunReport:
    """What ``Engine.run`` did."""

    analysis: Analysis
    reasons: dict[int, list[Reason]]
    written: writeback.WriteReport
    alerts: alerts.RaiseReport | None
    timings: dict[str, float] = field(default_factory=dict)
    run_id: str = ""
    previous_run_id: str | None = None
    previous_artefact: Path | None = None  # where the previous run saved its state
    previous_rings: PreviousRings = field(default_factory=PreviousRings)
    # the GNN it scored with, or why none (a model at the default path from another graph)
    model: ModelUse = field(default_factory=lambda: ModelUse(ModelStatus.DISABLED))


def _quiet(step: str, done: int, total: int | None) -> None:
    return None


class Engine:
    """The pipeline over one graph. ``gnn``: None uses the model file when it exists and
    was trained on this graph (``riskgraph.engine.models``), True requires it, False uses
    none; a Path is a model file named on purpose, used whatever graph it was trained on;
    or a model already loaded."""

    def __init__(
        self,
        graph: QueryGateway,
        settings: Settings,
        gnn: TrainedModel | Path | bool | None = None,
        progress: Progress | None = None,
        as_of: date | None = None,
        exclusive: bool = False,
    ) -> None:
        self.graph = graph
        self.as_of = as_of  # None: today
        # the caller holds the pipeline lock: nothing writes, the snapshot may read in
        # parallel transactions (graph.read_apart)
        self.exclusive = exclusive
        self.settings = settings
        self.params = analysis_params(settings)
        self.progress = progress or _quiet
        self._gnn = gnn
        self._model: TrainedModel | None = None
        self._use: ModelUse | None = None
        self.timings: dict[str, float] = {}

    # --- inputs ---------------------------------------------------------------------------
    def model(self) -> TrainedModel | None:
        """The GNN this engine scores with, loaded once; None without one, or when the
        model file at the default path was trained on another graph (``model_use`` says
        which)."""
        if self._use is None:
            self._model, self._use = choose_model(self.graph, self.settings, self._gnn)
        return self._model

    @property
    def model_use(self) -> ModelUse:
        """Which model this engine scores with, or why none (``ModelUse``)."""
        self.model()
        assert self._use is not None
        return self._use

    def snapshot(self) -> Snapshot:
        started = time.perf_counter()
        self.progress("snapshot", 0, None)
        snapshot = build_snapshot(self.graph, as_of=self.as_of, exclusive=self.exclusive)
        self.timings["snapshot"] = time.perf_counter() - started
        if snapshot.size("Company") == 0:
            raise NothingToAnalyse(
                "the graph has no companies: ingest a bundle (`riskgraph ingest DIR`) first"
            )
        return snapshot

    # --- the steps ------------------------------------------------------------------------
    def previous_rings(self) -> PreviousRings:
        """The current run's rings, from which this analysis carries ring ids over."""
        return runs.previous_rings(self.graph)

    def analyze(
        self, snapshot: Snapshot | None = None, previous: PreviousRings | None = None
    ) -> Analysis:
        """Propagation, rings and scores, with the GNN's component when there is a model:
        the one analysis every command and endpoint reports. Ring ids carry over from
        ``previous`` (default: the current run's rings in the graph)."""
        snapshot = snapshot if snapshot is not None else self.snapshot()
        previous = previous if previous is not None else self.previous_rings()
        steps = ("propagation", "rings", "scoring")
        done = iter(range(len(steps)))
        analysis = analyze(
            snapshot,
            self.params,
            step=lambda name: self.progress(name, next(done), len(steps)),
            previous_rings=previous,
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
        self,
        analysis: Analysis,
        reasons: dict[int, list[Reason]],
        run_id: str,
        previous: CurrentRun | None = None,
        columns: dict[str, list[Any]] | None = None,
        digests: npt.NDArray[np.uint64] | None = None,
    ) -> writeback.WriteReport:
        """The companies' scores onto the graph: with a ``previous`` run whose write-back
        finished, only the companies whose written values changed since it (a daily run
        changes few), else every company."""
        started = time.perf_counter()
        columns = columns if columns is not None else writeback.score_columns(analysis, reasons)
        rows = self._changed(columns, digests, previous)
        total = len(columns["ids"]) if rows is None else len(rows)
        self.progress("write back", 0, total)
        self.graph.write(
            "run_begin", id=run_id, started_at=datetime.now(UTC).isoformat(timespec="seconds")
        )
        written = 0

        def advance(count: int) -> None:
            nonlocal written
            written += count
            self.progress("write back", written, total)

        report = writeback.write_scores(
            self.graph,
            analysis,
            reasons,
            run_id,
            self.settings.ingest_batch_size,
            advance,
            columns=columns,
            rows=rows,
        )
        self.timings["write back"] = time.perf_counter() - started
        return report

    def _changed(
        self,
        columns: dict[str, list[Any]],
        digests: npt.NDArray[np.uint64] | None,
        previous: CurrentRun | None,
    ) -> npt.NDArray[np.int64] | None:
        """Rows whose values differ from the previous run's; None (all) when there is no
        previous run, its digests are not saved, or a run died while writing (the graph
        may hold its half-written scores)."""
        if previous is None or self.graph.read("runs_unfinished"):
            return None
        if digests is None:
            digests = writeback.row_digests(columns)
        before = self.store.scores(previous.id, previous.artefact)
        return writeback.changed_rows(columns["ids"], digests, before)

    def save(
        self,
        analysis: Analysis,
        reasons: dict[int, list[Reason]],
        run_id: str,
        digests: npt.NDArray[np.uint64] | None = None,
    ) -> Path:
        """What serving needs, under the runs folder (``riskgraph.engine.runs``), with the
        digests of the values written back (the next run's write-back compares them)."""
        started = time.perf_counter()
        self.progress("save", 0, None)
        tree = analysis.evidence_tree()
        if digests is None:
            digests = writeback.row_digests(writeback.score_columns(analysis, reasons))
        scores = scores_of(analysis, digests)
        path = self.store.save(Saved(run_id, analysis, tree, reasons, self.model_use), scores)
        self.timings["save"] = time.perf_counter() - started
        return path

    def publish(
        self,
        analysis: Analysis,
        run_id: str,
        started_at: datetime,
        artefact: Path,
        previous: CurrentRun | None,
        written: int | None = None,
    ) -> None:
        """The run becomes current with its rings, in one transaction: readers see the
        previous run or this one, whole."""
        started = time.perf_counter()
        self.progress("publish", 0, None)
        finished = datetime.now(UTC).isoformat(timespec="seconds")
        statements = writeback.ring_publication(analysis, run_id, finished)
        props = {
            "started_at": started_at.isoformat(timespec="seconds"),
            "finished_at": finished,
            "as_of": self.as_of or date.today(),
            "previous_id": previous.id if previous else None,
            "companies": len(analysis.score),
            "flagged": int((analysis.level != Level.NONE.value).sum()),
            "rings": len(analysis.rings.rings),
            "artefact": str(artefact.resolve()),
            "written": written,
            **self.model_use.props(),
        }
        statements.append(("publish_run", {"id": run_id, "props": props}))
        self.graph.write_together(statements)
        self.timings["publish"] = time.perf_counter() - started

    def raise_alerts(self, min_level: Level = Level.ORANGE) -> alerts.RaiseReport:
        started = time.perf_counter()
        self.progress("alerts", 0, None)
        report = alerts.raise_alerts(self.graph, min_level)
        self.timings["alerts"] = time.perf_counter() - started
        return report

    @property
    def store(self) -> RunStore:
        return RunStore(self.settings.runs_dir, self.settings.runs_keep)

    def run(self, raise_alerts: bool = True, analysis: Analysis | None = None) -> RunReport:
        """One analysis run: analyse (unless given the analysis, made by ``analyze``),
        explain, save what serving needs, write the scores back, publish the run (current
        from now on), raise alerts."""
        started_at = datetime.now(UTC)
        run_id = new_run_id(started_at)
        previous = current_run(self.graph)
        rings_before = self.previous_rings()
        if analysis is None:
            analysis = self.analyze(previous=rings_before)
        reasons = self.explain(analysis)
        columns = writeback.score_columns(analysis, reasons)
        digests = writeback.row_digests(columns)
        artefact = self.save(analysis, reasons, run_id, digests)
        written = self.write_back(analysis, reasons, run_id, previous, columns, digests)
        self.publish(analysis, run_id, started_at, artefact, previous, written.written)
        raised = self.raise_alerts() if raise_alerts else None
        self.store.prune({run_id} | ({previous.id} if previous else set()))
        return RunReport(
            analysis,
            reasons,
            written,
            raised,
            dict(self.timings),
            run_id=run_id,
            previous_run_id=previous.id if previous else None,
            previous_artefact=previous.artefact if previous else None,
            previous_rings=rings_before,
            model=self.model_use,
        )

    def state(self) -> EngineState:
        """A serving process's state, analysed here and now (no run saved yet)."""
        started = time.perf_counter()
        analysis = self.analyze()
        reasons = self.explain(analysis)
        saved = Saved("", analysis, analysis.evidence_tree(), reasons)
        return serving_state(saved, self.model(), started, run_id=None, scored_at=None)

    def current_state(self) -> EngineState:
        """What the API serves: the current run's saved state (seconds, whatever the size
        of the graph); analysed in place only when no run has been saved yet."""
        current = current_run(self.graph)
        if current is None:
            return self.state()
        started = time.perf_counter()
        saved = self.store.load(current.id, current.artefact)
        return serving_state(
            saved, self.model(), started, run_id=current.id, scored_at=current.finished_at
        )


def serving_state(
    saved: Saved,
    model: TrainedModel | None,
    started: float,
    run_id: str | None,
    scored_at: str | None,
) -> EngineState:
    """A serving state from a run's saved parts: the propagation operator is prepared from
    the saved graph (one pass over its edges)."""
    analysis = saved.analysis
    return EngineState(
        analysis=analysis,
        propagator=Propagator(analysis.graph.adjacency, analysis.params.alpha),
        tree=saved.tree,
        loaded_at=datetime.now(UTC),
        load_seconds=time.perf_counter() - started,
        model=model,
        run_id=run_id,
        reasons=saved.reasons,
        scored_at=scored_at,
    )


def level_counts(analysis: Analysis) -> dict[Level, int]:
    """Companies per level, every level present (zero when none)."""
    values, counts = np.unique(analysis.level, return_counts=True)
    found = {str(v): int(n) for v, n in zip(values, counts, strict=True)}
    return {level: found.get(level.value, 0) for level in Level}
