"""``riskgraph calibrate``: the back-test on the graph's own history, and its stored result.

Reads the graph twice, as of now and as of the cut-off; the companies whose first exposure
falls within the horizon after the cut-off are the outcomes (``riskgraph.risk.calibration``
fits on them). The fitted parameters and their report are stored as one JSON file
(``RISKGRAPH_CALIBRATION``), which every later analysis applies (``engine.params``).
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np

from riskgraph.errors import RiskgraphError
from riskgraph.graph.gateway import QueryGateway
from riskgraph.graph.snapshot import Snapshot, build_snapshot
from riskgraph.risk.analysis import AnalysisParams
from riskgraph.risk.calibration import Calibration, backtest


class CalibrationError(RiskgraphError, ValueError):
    """The back-test cannot run as asked (a cut-off outside the history), or a stored
    calibration cannot be read."""


def without_status(snapshot: Snapshot) -> Snapshot:
    """The snapshot without the companies' registry status: the registry keeps today's
    status only, and a company that failed after the cut-off often shows it (abnormal,
    revoked), which would teach the back-test the outcome."""
    companies = snapshot.nodes["Company"]
    columns = {k: v for k, v in companies.columns.items() if k != "status"}
    return replace(
        snapshot, nodes={**snapshot.nodes, "Company": replace(companies, columns=columns)}
    )


def _day(value: float) -> date:
    return date(1970, 1, 1) + timedelta(days=int(value))


def run_backtest(
    graph: QueryGateway,
    base: AnalysisParams,
    cutoff: date | None = None,
    horizon_days: int = 365,
) -> Calibration:
    """The back-test at ``cutoff`` (default: ``horizon_days`` before the latest dated event,
    the history's "now") over the ``horizon_days`` after it."""
    if horizon_days < 1:
        raise CalibrationError("the horizon must be at least one day")
    current = build_snapshot(graph)
    first = current.exposure_days()
    events = current.nodes.get("Event")
    dates = events.columns.get("date") if events is not None else None
    if dates is None or np.isnan(dates).all():
        raise CalibrationError("the graph has no dated events: there is no history to back-test")
    now = _day(float(np.nanmax(dates)))
    cutoff = cutoff or now - timedelta(days=horizon_days)
    if cutoff >= now:
        raise CalibrationError(
            f"the cut-off {cutoff.isoformat()} is not before the latest event ({now.isoformat()})"
        )
    past = without_status(build_snapshot(graph, as_of=cutoff))
    start = float(np.datetime64(cutoff, "D").astype(np.int64))
    window = (first > start) & (first <= start + horizon_days)
    failed_keys = set(current.nodes["Company"].keys[window].tolist())
    failed = np.array([k in failed_keys for k in past.nodes["Company"].keys], dtype=bool)
    return backtest(
        past,
        failed,
        cutoff=cutoff,
        now=now,
        horizon_days=horizon_days,
        base=base,
        fitted_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )


def save(calibration: Calibration, path: Path) -> None:
    """Written whole or not at all (a temporary file renamed over the old one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(
        json.dumps(calibration.to_dict(), ensure_ascii=False, indent=1), encoding="utf-8"
    )
    os.replace(temporary, path)


def load(path: Path) -> Calibration | None:
    """The stored calibration; None when there is none."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        return Calibration.from_dict(json.loads(text))
    except (ValueError, KeyError, TypeError) as exc:
        raise CalibrationError(
            f"{path}: not a calibration riskgraph can read ({exc}); run `riskgraph calibrate` "
            "again or remove the file"
        ) from exc
