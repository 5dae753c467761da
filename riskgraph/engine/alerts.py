"""Alerts: the closed loop between the scores and the people who act on them.

``raise_alerts`` (run at the end of ``riskgraph analyze``) compares the written-back levels
with each company's latest alert and raises a new one only on new material risk: no alert
yet, a higher level than the last alert's, or a kind of reason the last alert did not have
(reason codes and their kinds, ``riskgraph.risk.codes``: never the words).
Handlers move alerts through their states (``update_alert``); confirmed and dismissed ones
are labels for the next GNN training (``alert_labels``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from riskgraph.errors import RiskgraphError
from riskgraph.graph.gateway import QueryGateway
from riskgraph.graph.schema import Level
from riskgraph.risk.codes import Reason, stored

# Levels from the lowest that can raise an alert to the highest.
LEVEL_RANK: dict[str, int] = {
    Level.NONE.value: 0,
    Level.YELLOW.value: 1,
    Level.ORANGE.value: 2,
    Level.RED.value: 3,
}


class AlertState(StrEnum):
    NEW = "new"
    ASSIGNED = "assigned"
    CONFIRMED = "confirmed"  # the risk is real: a positive label
    DISMISSED = "dismissed"  # a false alarm: a negative label
    DISPOSED = "disposed"  # handled (处置) after confirmation: stays positive


# Which states each state may move to (staying put, to change the note, is always allowed).
TRANSITIONS: dict[AlertState, frozenset[AlertState]] = {
    AlertState.NEW: frozenset({AlertState.ASSIGNED, AlertState.CONFIRMED, AlertState.DISMISSED}),
    AlertState.ASSIGNED: frozenset({AlertState.NEW, AlertState.CONFIRMED, AlertState.DISMISSED}),
    AlertState.CONFIRMED: frozenset({AlertState.DISPOSED, AlertState.DISMISSED}),
    AlertState.DISMISSED: frozenset({AlertState.ASSIGNED, AlertState.CONFIRMED}),
    AlertState.DISPOSED: frozenset(),
}


class AlertNotFound(RiskgraphError):
    """No alert has this id."""


class AlertConflict(RiskgraphError):
    """The alert's current state does not allow the requested change."""


def label_of(state: AlertState) -> bool | None:
    """The training label a state gives its company."""
    if state in (AlertState.CONFIRMED, AlertState.DISPOSED):
        return True
    if state is AlertState.DISMISSED:
        return False
    return None


def is_material(level: str, reasons: list[Reason], last: dict[str, Any] | None) -> bool:
    """Whether a company's current risk deserves a new alert, given its latest one: none
    yet, a higher level, or a kind of reason (a code, an event type) the last one lacked.
    Figures, paths, names and the language they are read in never count."""
    if last is None:
        return True
    if LEVEL_RANK.get(level, 0) > LEVEL_RANK.get(str(last.get("level")), 0):
        return True
    texts = list(last.get("reasons") or [])
    decoded = stored(texts)
    if texts and not decoded:  # an alert from before reason codes: its level decides
        return False
    before = set().union(*(r.kinds() for r in decoded))
    return bool(set().union(*(r.kinds() for r in reasons)) - before)


def alert_id(company_id: str, level: str, scored_at: str) -> str:
    digest = hashlib.sha256(f"{company_id}\x1f{level}\x1f{scored_at}".encode()).hexdigest()
    return f"A{digest[:16]}"


@dataclass(frozen=True)
class RaiseReport:
    candidates: int  # companies at an alerting level
    raised: tuple[str, ...]  # ids of the new alerts


def raise_alerts(
    graph: QueryGateway, min_level: Level = Level.ORANGE, now: datetime | None = None
) -> RaiseReport:
    """Raise an alert for every company at ``min_level`` or above whose risk is new since
    its latest alert; idempotent for one analysis run."""
    if min_level is Level.NONE:
        raise ValueError("alerts are raised from yellow, orange or red, not 'none'")
    levels = [lv for lv, rank in LEVEL_RANK.items() if rank >= LEVEL_RANK[min_level.value]]
    stamp = (now or datetime.now(UTC)).isoformat(timespec="microseconds")  # orders alerts
    rows = graph.read("alert_candidates", levels=levels)
    new = [
        {
            "id": alert_id(r["company_id"], r["level"], str(r["scored_at"])),
            "company_id": r["company_id"],
            "level": r["level"],
            "score": r["score"],
            "reasons": list(r["reasons"]),
            "scored_at": r["scored_at"],
        }
        for r in rows
        if is_material(r["level"], stored(list(r["reasons"])), r["last"])
    ]
    for start in range(0, len(new), 5000):
        graph.write("alert_create", rows=new[start : start + 5000], now=stamp)
    return RaiseReport(len(rows), tuple(r["id"] for r in new))


def update_alert(
    graph: QueryGateway,
    alert: str,
    state: AlertState | None,
    note: str | None,
    by: str,
    now: datetime | None = None,
    assignee: str | None = None,
) -> None:
    """Move an alert to ``state`` and/or set its note and assignee (a named user; moving
    back to new clears it); raises ``AlertNotFound`` or ``AlertConflict`` (a change its
    current state forbids)."""
    rows = graph.read("alert_state", id=alert)
    if not rows:
        raise AlertNotFound(f"no alert has the id {alert!r}")
    current = AlertState(rows[0]["state"])
    version = str(rows[0]["version"])
    target = state or current
    if assignee is not None and state is None and current is AlertState.NEW:
        target = AlertState.ASSIGNED  # naming an assignee assigns it
    if assignee is not None and target is AlertState.DISPOSED:
        raise AlertConflict(f"alert {alert} is disposed: it cannot be assigned")
    if target is not current and target not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "none (it is final)"
        raise AlertConflict(
            f"alert {alert} is {current.value}: it cannot become {target.value} "
            f"(allowed from {current.value}: {allowed})"
        )
    stamp = (now or datetime.now(UTC)).isoformat(timespec="microseconds")  # orders alerts
    entry = json.dumps(
        {
            "at": stamp,
            "by": by,
            "from": current.value,
            "to": target.value,
            "note": note,
            **({"assignee": assignee} if assignee else {}),
        },
        ensure_ascii=False,
    )
    applied = graph.write_rows(
        "alert_update",
        id=alert,
        state=target.value,
        **{"from": [current.value]},
        version=version,
        note=note,
        assignee=assignee,
        label=label_of(target),
        by=by,
        now=stamp,
        entry=entry,
    )
    if not applied:  # someone else changed its state meanwhile (the lock saw theirs)
        raise AlertConflict(f"alert {alert} changed while being updated: read it again")


def list_alerts(
    graph: QueryGateway,
    state: AlertState | None = None,
    level: str | None = None,
    company_id: str | None = None,
    alert: str | None = None,
    skip: int = 0,
    limit: int = 50,
) -> tuple[int, list[dict[str, Any]]]:
    """(alerts matching, one page of them), newest first."""
    rows = graph.read(
        "alert_list",
        state=None if state is None else state.value,
        level=level,
        company_id=company_id,
        id=alert,
        skip=skip,
        limit=limit,
    )
    row = rows[0]
    return int(row["total"]), [item for item in row["items"] if item is not None]


def alert_labels(graph: QueryGateway) -> dict[str, bool]:
    """Company id -> the label of its latest handled alert (True: confirmed or disposed,
    False: dismissed): extra labels for the next GNN training."""
    return {r["company_id"]: bool(r["label"]) for r in graph.read("alert_labels")}
