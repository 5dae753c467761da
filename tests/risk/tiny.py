"""Build small named snapshots by hand, whose right answers are known by construction.

``TinyGraph`` mirrors what ``build_snapshot`` reads from Neo4j (keys sorted per label,
absent numbers NaN, absent categories -1), without a database: the risk engine's pure
functions take snapshots, so their tests need none.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from riskgraph.graph.snapshot import (
    _NODE_COLUMNS,
    ROLES,
    EdgeKey,
    EdgeTable,
    NodeTable,
    Snapshot,
    _codes,
    _floats,
)


def day(text: str) -> float:
    """Days since 1970-01-01, the snapshot's unit for dates."""
    return float((date.fromisoformat(text) - date(1970, 1, 1)).days)


_DEFAULTS: dict[str, dict[str, Any]] = {
    "Company": {
        "status": "active",
        "established": -999999,
        "registered_capital": -1,
        "industry": "",
        "region": "",
    },
    "Person": {"birth_year": -1},
    "Event": {"type": "", "date": -999999, "severity": -1},
}


@dataclass
class TinyGraph:
    nodes: dict[str, dict[str, dict[str, Any]]] = field(default_factory=lambda: defaultdict(dict))
    edges: list[tuple[str, str, str, str, str, dict[str, Any]]] = field(default_factory=list)

    def company(self, key: str, **columns: Any) -> str:
        """columns: status, established (ISO date), industry, registered_capital, region."""
        if "established" in columns and isinstance(columns["established"], str):
            columns["established"] = day(columns["established"])
        self.nodes["Company"][key] = {**_DEFAULTS["Company"], **columns}
        return key

    def person(self, key: str, **columns: Any) -> str:
        self.nodes["Person"][key] = {**_DEFAULTS["Person"], **columns}
        return key

    def _node(self, label: str, key: str) -> None:
        self.nodes[label].setdefault(key, dict(_DEFAULTS.get(label, {})))

    def _edge(self, src: tuple[str, str], rel: str, dst: tuple[str, str], **p: Any) -> None:
        for label, key in (src, dst):
            self._node(label, key)
        self.edges.append((src[0], src[1], rel, dst[0], dst[1], p))

    def holds(self, holder: str, company: str, share: float, by: str = "Person") -> None:
        self._edge((by, holder), "HOLDS", ("Company", company), share=share)

    def officer(self, person: str, company: str, role: str = "legal_representative") -> None:
        self._edge(("Person", person), "OFFICER_OF", ("Company", company), role=role)

    def phone(self, owner: str, number: str, by: str = "Company") -> None:
        self._edge((by, owner), "HAS_PHONE", ("Phone", number))

    def address(self, owner: str, key: str, by: str = "Company") -> None:
        self._edge((by, owner), "REGISTERED_AT", ("Address", key))

    def link(self, rel: str, source: str, target: str) -> None:
        self._edge(("Company", source), rel, ("Company", target))

    def event(self, company: str, kind: str, when: str | None, severity: int = 3) -> None:
        """``when`` None: an event of unknown date."""
        key = f"{company}/{kind}/{when}/{len(self.edges)}"
        date = _DEFAULTS["Event"]["date"] if when is None else day(when)
        self.nodes["Event"][key] = {"type": kind, "date": date, "severity": severity}
        self._edge(("Company", company), "HAS_EVENT", ("Event", key))

    def build(self) -> Snapshot:
        tables: dict[str, NodeTable] = {}
        for label, rows in self.nodes.items():
            keys = np.array(sorted(rows), dtype=object)
            converters = _NODE_COLUMNS.get(label, {})
            columns = {
                name: convert([rows[k][name] for k in keys.tolist()])
                for name, convert in converters.items()
            }
            tables[label] = NodeTable(label, keys, columns)
        grouped: dict[EdgeKey, list[tuple[str, str, dict[str, Any]]]] = defaultdict(list)
        for sl, sk, rel, tl, tk, props in self.edges:
            grouped[(sl, rel, tl)].append((sk, tk, props))
        edges = {}
        for (sl, rel, tl), rows in grouped.items():
            edges[(sl, rel, tl)] = EdgeTable(
                type=rel,
                source_label=sl,
                target_label=tl,
                source=np.array([tables[sl].index[s] for s, _, _ in rows], dtype=np.int64),
                target=np.array([tables[tl].index[t] for _, t, _ in rows], dtype=np.int64),
                share=_floats([p.get("share", -1.0) for _, _, p in rows]),
                amount=_floats([p.get("amount", -1.0) for _, _, p in rows]),
                since=_floats([p.get("since", -999999) for _, _, p in rows]),
                role=_codes([p.get("role", "") for _, _, p in rows], ROLES),
            )
        return Snapshot(tables, edges)
