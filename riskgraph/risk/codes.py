"""Reasons as data: a closed set of codes, each with its parameters.

Scoring and ring detection say *why* with a ``Reason`` (a code and JSON-safe parameters);
words are made only at the edges (``riskgraph.i18n.render``), in the reader's language.
Alerts compare ``Reason.kinds()``, never text, so re-wording or translating a reason can
never raise an alert. The codes and their parameters are documented in docs/reasons.md.

An entity inside parameters is a mapping ``{"label": "Company", "id": "...", "name": ...}``:
the name is filled in by the engine from the graph (the snapshot holds no names) and may be
absent; a phone's id is already masked.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

Entity = dict[str, Any]  # {"label", "id", "name"?}


class ReasonCode(StrEnum):
    """Why a company scored."""

    EXPOSED = "exposed"  # {}
    CONTAGION = "contagion"  # {contagion, path: {seed: entity, hops: [{type, entity}]}}
    FRONT_OF_EXPOSED = "front_of_exposed"  # {person: entity, exposed}
    NOMINEE_FRONT = "nominee_front"  # {person: entity, companies}
    RING_MEMBER = "ring_member"  # {ring, score, companies, persons, exposed}
    REGISTRATION_BURST = "registration_burst"  # {identifier: entity, companies, days}
    RECENT_EVENTS = "recent_events"  # {counts: {event type: n}, years}
    HIGH_RISK_INDUSTRY = "high_risk_industry"  # {industry}
    GNN = "gnn"  # {probability, target: "exposure" | "outcome"}


class RingReasonCode(StrEnum):
    """Why a ring scored."""

    MEMBERS_EXPOSED = "members_exposed"  # {exposed}
    REGISTRATION_BURST = "ring_registration_burst"  # {burst, companies}
    NOMINEE_FRONTS = "ring_nominee_fronts"  # {fronted, companies}
    HIGH_RISK_INDUSTRY = "ring_high_risk_industry"  # {percent}
    ALARM_EVENTS = "ring_alarm_events"  # {per_company}
    CIRCULAR_HOLDINGS = "ring_circular_holdings"  # {}
    TIED = "ring_tied"  # {percent}


_CODES: dict[str, ReasonCode | RingReasonCode] = {
    c.value: c for c in (*ReasonCode, *RingReasonCode)
}


class UnknownReason(ValueError):
    """A stored reason whose code this version does not know (or that is not JSON)."""


@dataclass(frozen=True)
class Reason:
    code: ReasonCode | RingReasonCode
    params: Mapping[str, Any] = field(default_factory=dict)

    def kinds(self) -> set[str]:
        """What this reason is about, without its figures: what alerts compare. A company
        with a new kind of reason since its last alert has new material risk."""
        if self.code is ReasonCode.RECENT_EVENTS:
            return {f"{self.code.value}:{kind}" for kind in self.params.get("counts", {})}
        if self.code is ReasonCode.RING_MEMBER and self.params.get("exposed"):
            return {f"{self.code.value}:exposed"}
        return {self.code.value}

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code.value, "params": dict(self.params)}

    def to_json(self) -> str:
        """The stored form (a Neo4j string property; lists of maps are not properties)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Reason:
        code = _CODES.get(str(data.get("code")))
        if code is None:
            raise UnknownReason(f"unknown reason code {data.get('code')!r}")
        params = data.get("params") or {}
        if not isinstance(params, Mapping):
            raise UnknownReason("reason parameters must be an object")
        return cls(code, dict(params))

    @classmethod
    def from_json(cls, text: str) -> Reason:
        try:
            data = json.loads(text)
        except (TypeError, ValueError) as exc:
            raise UnknownReason(f"not a stored reason: {str(text)[:60]!r}") from exc
        if not isinstance(data, Mapping):
            raise UnknownReason("a stored reason is a JSON object")
        return cls.from_dict(data)


def stored(texts: list[str] | None) -> list[Reason]:
    """Stored reasons back as data; ones this version cannot read are left out (a reason
    written by a newer version, or a pre-codes text) rather than failing a whole answer."""
    out = []
    for text in texts or []:
        try:
            out.append(Reason.from_json(text))
        except UnknownReason:
            continue
    return out


def entities(reason: Reason) -> list[Entity]:
    """Every entity a reason's parameters name (to fill in their names)."""
    return entities_in(reason.params)


def entities_in(value: Any) -> list[Entity]:
    """Every entity (a mapping with ``label`` and ``id``) anywhere in a JSON-like value."""
    found: list[Entity] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if "label" in value and "id" in value:
                found.append(value)
            for inner in value.values():
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    walk(value)
    return found
