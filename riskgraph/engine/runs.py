"""Analysis runs: ids, the state each run saves for serving, and which run is current.

Every ``analyze`` is a run with an id (its UTC start time, sortable, plus a random suffix).
It saves what serving needs under ``RISKGRAPH_RUNS_DIR/<run id>/``: ``state.pickle`` (the
analysis with the prepared propagation graph's inputs, the evidence tree and the reasons)
and ``scores.npz`` (ids, scores, levels and a digest of what was written back, for the next
run's diff and its write-back of changed companies only), then becomes current
in one transaction in Neo4j (``publish_run``). API workers poll ``run_current`` and load the
saved state of a new current run: no worker re-analyses the graph.

The pickle is written by riskgraph and read back only from its own runs folder: like the GNN
model file, it must not come from anyone else.
"""

from __future__ import annotations

import gc
import os
import pickle
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt

from riskgraph.engine.models import ModelUse
from riskgraph.errors import RiskgraphError
from riskgraph.graph.gateway import QueryGateway
from riskgraph.risk.analysis import Analysis
from riskgraph.risk.codes import Reason
from riskgraph.risk.evidence import EvidenceTree
from riskgraph.risk.ring_ids import PreviousRings

STATE_FILE = "state.pickle"
SCORES_FILE = "scores.npz"


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off meanwhile: (un)pickling a run's state makes millions
    of objects, and each full collection it triggers walks all made so far (at 650,000
    companies loading took 2.9 s with it, 2.0 s without)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class RunMissing(RiskgraphError):
    """A run's saved state is not where the graph says it is."""


def new_run_id(now: datetime | None = None) -> str:
    """``20261202T190512.345Z-3fa1``: sorts by start time, to the millisecond (an unchanged
    graph's re-run can take under a second); the suffix keeps runs started in the same
    millisecond apart."""
    now = now or datetime.now(UTC)
    return f"{now.strftime('%Y%m%dT%H%M%S')}.{now.microsecond // 1000:03d}Z-{secrets.token_hex(2)}"


@dataclass(frozen=True)
class CurrentRun:
    id: str
    started_at: str | None
    finished_at: str | None
    as_of: date | None
    previous_id: str | None
    artefact: Path | None


@dataclass(frozen=True)
class Saved:
    """What a run saves for serving."""

    run_id: str
    analysis: Analysis
    tree: EvidenceTree
    reasons: dict[int, list[Reason]]
    # the GNN the run scored with, or why none; None in runs saved before it was recorded
    model: ModelUse | None = None


@dataclass(frozen=True)
class RunScores:
    """One run's scores, for diffs between runs."""

    ids: npt.NDArray[np.str_]
    score: npt.NDArray[np.float64]
    level: npt.NDArray[np.str_]
    # per company, a digest of every value written back (writeback.row_digests): the next
    # run writes only the companies whose digest changed; None in runs saved before it
    digest: npt.NDArray[np.uint64] | None = None

    def by_id(self) -> dict[str, tuple[float, str]]:
        return {
            str(i): (float(s), str(lv))
            for i, s, lv in zip(self.ids, self.score, self.level, strict=True)
        }


class RunStore:
    """The runs folder: one subfolder per run, the newest ``keep`` kept."""

    def __init__(self, root: Path, keep: int = 7) -> None:
        self.root = root
        self.keep = keep

    def folder(self, run_id: str) -> Path:
        return self.root / run_id

    def save(self, saved: Saved, scores: RunScores) -> Path:
        """Write the run's files; each appears whole (written aside, then renamed)."""
        folder = self.folder(saved.run_id)
        folder.mkdir(parents=True, exist_ok=True)
        state = folder / STATE_FILE
        partial = state.with_suffix(".partial")
        with partial.open("wb") as handle, gc_paused():
            pickle.dump(saved, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(partial, state)
        partial_scores = folder / "scores.partial.npz"
        digest = scores.digest if scores.digest is not None else np.zeros(0, dtype=np.uint64)
        np.savez(
            partial_scores, ids=scores.ids, score=scores.score, level=scores.level, digest=digest
        )
        os.replace(partial_scores, folder / SCORES_FILE)
        return state

    def load(self, run_id: str, path: Path | None = None) -> Saved:
        path = path or self.folder(run_id) / STATE_FILE
        if not path.exists():
            raise RunMissing(
                f"the saved state of run {run_id} is not at {path}: run `riskgraph analyze` "
                "again (or point RISKGRAPH_RUNS_DIR at the folder the analysis wrote)"
            )
        with path.open("rb") as handle, gc_paused():
            saved = pickle.load(handle)  # our own runs folder (see the module docstring)
        if not isinstance(saved, Saved) or saved.run_id != run_id:
            raise RunMissing(f"{path} does not hold the state of run {run_id}")
        return saved

    def scores(self, run_id: str, artefact: Path | None = None) -> RunScores | None:
        """The run's scores, beside its saved state (``artefact``, the absolute path the
        graph records) when given, else in this store's folder; None when not found."""
        path = self.folder(run_id) / SCORES_FILE
        if artefact is not None and (artefact.parent / SCORES_FILE).exists():
            path = artefact.parent / SCORES_FILE
        if not path.exists():
            return None
        with np.load(path) as data:
            # a run saved before digests, or without them, has none (an empty array)
            digest = data["digest"] if "digest" in data.files and data["digest"].size else None
            return RunScores(data["ids"], data["score"], data["level"], digest)

    def prune(self, protect: set[str]) -> None:
        """Remove all but the newest ``keep`` runs (and those in ``protect``)."""
        if not self.root.exists():
            return
        runs = sorted((p for p in self.root.iterdir() if p.is_dir()), key=lambda p: p.name)
        for old in runs[: max(0, len(runs) - self.keep)]:
            if old.name not in protect:
                shutil.rmtree(old, ignore_errors=True)


def scores_of(analysis: Analysis, digest: npt.NDArray[np.uint64] | None = None) -> RunScores:
    return RunScores(
        ids=analysis.snapshot.nodes["Company"].keys.astype(str),
        score=np.asarray(analysis.score, dtype=np.float64),
        level=analysis.level.astype(str),
        digest=digest,
    )


def current_run(graph: QueryGateway) -> CurrentRun | None:
    rows = graph.read("run_current")
    if not rows:
        return None
    row = rows[0]
    artefact = row.get("artefact")
    return CurrentRun(
        id=str(row["id"]),
        started_at=row.get("started_at"),
        finished_at=row.get("finished_at"),
        as_of=row.get("as_of"),
        previous_id=row.get("previous_id"),
        artefact=Path(artefact) if artefact else None,
    )


def previous_rings(graph: QueryGateway) -> PreviousRings:
    """The current rings' members and the highest ring number issued so far."""
    rows = graph.read("rings_previous")
    if not rows:
        return PreviousRings()
    row = rows[0]
    members = {str(r["id"]): frozenset(str(c) for c in r["companies"]) for r in row["rings"]}
    return PreviousRings(members, int(row["issued"] or 0))
