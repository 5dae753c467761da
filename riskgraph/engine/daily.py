"""``riskgraph daily``: load a delta, analyse, raise alerts, and say what changed since the
previous run: the companies whose level changed, the new alerts, the rings that are new,
changed or gone. The diff itself is pure (``level_changes``, ``ring_changes``); ``run_daily``
is the job, under the pipeline lock."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from riskgraph.engine.engine import Engine, Progress, RunReport
from riskgraph.engine.lock import pipeline_lock
from riskgraph.engine.models import ModelUse
from riskgraph.engine.names import lookup_names
from riskgraph.engine.runs import RunScores, RunStore, scores_of
from riskgraph.graph.gateway import Gateway, QueryGateway
from riskgraph.graph.migrate import migrate
from riskgraph.ingest.mapping import Mapping
from riskgraph.ingest.pipeline import IngestReport, ProgressSink, ingest_bundle
from riskgraph.risk.analysis import Analysis
from riskgraph.risk.ring_ids import PreviousRings
from riskgraph.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LevelChange:
    company_id: str
    name: str | None
    from_level: str | None  # None: the company was not in the previous run
    to_level: str
    score_from: float | None
    score_to: float


@dataclass(frozen=True)
class RingChange:
    id: str
    score: float
    companies: int
    persons: int
    added: list[str] = field(default_factory=list)  # member companies that joined
    removed: list[str] = field(default_factory=list)  # member companies that left


@dataclass(frozen=True)
class RingChanges:
    new: list[RingChange]
    changed: list[RingChange]
    gone: list[str]


@dataclass(frozen=True)
class DailyReport:
    run_id: str
    previous_run_id: str | None
    level_changes: list[LevelChange]
    new_alerts: list[dict[str, Any]]
    rings: RingChanges
    ingest: IngestReport | None
    timings: dict[str, float]
    model: ModelUse | None = None  # the GNN the run scored with, or why none

    def to_json(self) -> dict[str, Any]:
        """The documented JSON (docs/daily.md)."""
        return {
            "run_id": self.run_id,
            "previous_run_id": self.previous_run_id,
            "level_changes": [
                {
                    "company_id": c.company_id,
                    "name": c.name,
                    "from": c.from_level,
                    "to": c.to_level,
                    "score_from": c.score_from,
                    "score_to": c.score_to,
                }
                for c in self.level_changes
            ],
            "new_alerts": self.new_alerts,
            "rings": {
                "new": [asdict(r) for r in self.rings.new],
                "changed": [asdict(r) for r in self.rings.changed],
                "gone": self.rings.gone,
            },
            "model": None if self.model is None else self.model.to_json(),
        }


def level_changes(
    before: RunScores | None, after: RunScores, decimals: int = 2
) -> list[LevelChange]:
    """Companies whose level differs from the previous run's, highest new score first;
    companies new since then count when they are flagged. Scores as written back."""
    old = before.by_id() if before is not None else {}
    out: list[LevelChange] = []
    for ident, score, level in zip(after.ids, after.score, after.level, strict=True):
        key, level = str(ident), str(level)
        previous = old.get(key)
        if previous is None:
            if level == "none":
                continue
            out.append(LevelChange(key, None, None, level, None, round(float(score), decimals)))
        elif previous[1] != level:
            out.append(
                LevelChange(
                    key,
                    None,
                    previous[1],
                    level,
                    round(previous[0], decimals),
                    round(float(score), decimals),
                )
            )
    out.sort(key=lambda c: (-c.score_to, c.company_id))
    return out


def ring_changes(previous: PreviousRings, analysis: Analysis) -> RingChanges:
    """This run's rings against the previous run's, by id (ids carry over: ``ring_ids``)."""
    keys = analysis.snapshot.nodes["Company"].keys
    new: list[RingChange] = []
    changed: list[RingChange] = []
    seen: set[str] = set()
    for position, ring in enumerate(analysis.rings.rings):
        ident = analysis.rings.id_at(position)
        seen.add(ident)
        members = frozenset(str(k) for k in keys[ring.companies])
        before = previous.members.get(ident)
        change = RingChange(
            ident,
            round(ring.score, 4),
            len(ring.companies),
            len(ring.persons),
            sorted(members - before) if before is not None else sorted(members),
            sorted(before - members) if before is not None else [],
        )
        if before is None:
            new.append(change)
        elif change.added or change.removed:
            changed.append(change)
    return RingChanges(new, changed, sorted(set(previous.members) - seen))


def _named(graph: QueryGateway, changes: list[LevelChange]) -> list[LevelChange]:
    names = lookup_names(graph, [("Company", c.company_id) for c in changes])
    return [replace(c, name=names.get(("Company", c.company_id))) for c in changes]


def report_of(
    graph: QueryGateway, settings: Settings, run: RunReport, ingest: IngestReport | None
) -> DailyReport:
    """The diff of a finished run against the run before it."""
    store = RunStore(settings.runs_dir, settings.runs_keep)
    before = None
    if run.previous_run_id:
        before = store.scores(run.previous_run_id, run.previous_artefact)
        if before is None:
            log.warning(
                "the scores of the previous run %s are not in %s: every flagged company is "
                "reported as a level change (RISKGRAPH_RUNS_DIR must be the folder the "
                "analyses write to)",
                run.previous_run_id,
                store.root,
            )
    changes = _named(graph, level_changes(before, scores_of(run.analysis)))
    raised = list(run.alerts.raised) if run.alerts is not None else []
    alerts = graph.read("alerts_by_id", ids=raised) if raised else []
    return DailyReport(
        run_id=run.run_id,
        previous_run_id=run.previous_run_id,
        level_changes=changes,
        new_alerts=alerts,
        rings=ring_changes(run.previous_rings, run.analysis),
        ingest=ingest,
        timings=dict(run.timings),
        model=run.model,
    )


def run_daily(
    delta: Path | None,
    graph: Gateway,
    settings: Settings,
    *,
    delivered: date | None = None,
    as_of: date | None = None,
    gnn: Path | bool | None = None,
    mapping: Mapping | None = None,
    encoding: str | None = None,
    reports: Path | None = None,
    ingest_progress: ProgressSink | None = None,
    progress: Progress | None = None,
    on_ingested: Callable[[IngestReport], None] | None = None,
) -> DailyReport:
    """Ingest ``delta`` (None: nothing to load) as ``riskgraph ingest`` would (schema first,
    then the bundle), then one analysis run with alerts, under the pipeline lock; the diff
    against the run before. ``gnn`` as ``Engine``'s: None, the model file when it exists
    and was trained on this graph; a Path, that file; False, none."""
    with pipeline_lock(settings.lock_file, "riskgraph daily"):
        ingested = None
        if delta is not None:
            migrate(graph)  # idempotent; the loader's MERGEs need the unique keys' indexes
            ingested = ingest_bundle(
                delta,
                graph,
                settings,
                ingest_progress,
                mapping,
                encoding,
                reports,
                delivered=delivered,
            )
            if on_ingested is not None:
                on_ingested(ingested)
        engine = Engine(graph, settings, gnn=gnn, progress=progress, as_of=as_of, exclusive=True)
        run = engine.run(raise_alerts=True)
    return report_of(graph, settings, run, ingested)
