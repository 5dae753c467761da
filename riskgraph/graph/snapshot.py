"""The graph snapshot: Neo4j read out into compact arrays in one streaming pass.

Propagation, ring detection and the GNN run on this, never by Cypher per node. Nodes of a
label are indexed in key order, so indices do not depend on how Neo4j stores them, and
every relationship type becomes an edge table that yields a sparse (CSR) matrix.
Absent numbers are NaN; absent categories are -1.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from riskgraph.graph.gateway import Gateway
from riskgraph.graph.schema import CompanyStatus, EventType, OfficerRole

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
_EPOCH = dt.date(1970, 1, 1).toordinal()

STATUSES = tuple(CompanyStatus)
EVENT_TYPES = tuple(EventType)
ROLES = tuple(OfficerRole)


def _day(value: Any) -> float:
    """Days since 1970-01-01 (NaN when absent): dates as plain numbers for the models."""
    if value is None:
        return np.nan
    return float(value.to_ordinal() - _EPOCH)


def _number(value: Any) -> float:
    return np.nan if value is None else float(value)


def _code(values: tuple[str, ...]) -> Callable[[Any], int]:
    codes = {v: i for i, v in enumerate(values)}
    return lambda value: codes.get(value, -1)


# label -> column -> (position in a snapshot_nodes row, converter, dtype)
_NODE_COLUMNS: dict[str, dict[str, tuple[int, Callable[[Any], Any], Any]]] = {
    "Company": {
        "status": (2, _code(STATUSES), np.int8),
        "established": (3, _day, np.float64),
        "registered_capital": (4, _number, np.float64),
        "industry": (5, lambda v: v or "", object),
        "region": (6, lambda v: v or "", object),
    },
    "Person": {"birth_year": (7, _number, np.float64)},
    "Event": {
        "type": (8, _code(EVENT_TYPES), np.int8),
        "date": (9, _day, np.float64),
        "severity": (10, _number, np.float64),
    },
}


@dataclass(frozen=True)
class NodeTable:
    label: str
    keys: npt.NDArray[np.object_]  # sorted
    columns: dict[str, npt.NDArray[Any]]
    index: dict[str, int] = field(repr=False)

    def __len__(self) -> int:
        return len(self.keys)


@dataclass(frozen=True)
class EdgeTable:
    type: str
    source_label: str
    target_label: str
    source: IntArray  # row index in the source label's table
    target: IntArray
    share: FloatArray
    amount: FloatArray
    since: FloatArray  # days since 1970, NaN when absent
    role: npt.NDArray[np.int8]  # index into ROLES, -1 when absent

    def __len__(self) -> int:
        return len(self.source)

    def matrix(self, shape: tuple[int, int], values: FloatArray | None = None) -> sp.csr_array:
        """Source × target CSR matrix; parallel edges are summed."""
        data = np.ones(len(self)) if values is None else values
        return sp.csr_array((data, (self.source, self.target)), shape=shape)


EdgeKey = tuple[str, str, str]  # (source label, relationship type, target label)


@dataclass(frozen=True)
class Snapshot:
    nodes: dict[str, NodeTable]
    edges: dict[EdgeKey, EdgeTable]

    def size(self, label: str) -> int:
        table = self.nodes.get(label)
        return 0 if table is None else len(table)

    def adjacency(self, key: EdgeKey, values: FloatArray | None = None) -> sp.csr_array:
        table = self.edges[key]
        shape = (self.size(key[0]), self.size(key[2]))
        return table.matrix(shape, values)

    def event_counts(self) -> npt.NDArray[np.int64]:
        """Companies × event types: how many events of each type each company has."""
        counts = np.zeros((self.size("Company"), len(EVENT_TYPES)), dtype=np.int64)
        table = self.edges.get(("Company", "HAS_EVENT", "Event"))
        if table is not None and len(table):
            types = self.nodes["Event"].columns["type"][table.target]
            known = types >= 0
            np.add.at(counts, (table.source[known], types[known]), 1)
        return counts

    def exposed(self) -> npt.NDArray[np.bool_]:
        """Companies with an exposure event: the seeds of contagion."""
        return self.event_counts()[:, EVENT_TYPES.index(EventType.EXPOSURE)] > 0


def _node_table(label: str, rows: list[list[Any]]) -> NodeTable:
    rows.sort(key=lambda row: row[1])
    keys = np.array([row[1] for row in rows], dtype=object)
    columns = {
        name: np.array([convert(row[position]) for row in rows], dtype=dtype)
        for name, (position, convert, dtype) in _NODE_COLUMNS.get(label, {}).items()
    }
    return NodeTable(label, keys, columns, {key: i for i, key in enumerate(keys)})


def _edge_table(key: EdgeKey, rows: list[list[Any]], nodes: dict[str, NodeTable]) -> EdgeTable:
    source_index, target_index = nodes[key[0]].index, nodes[key[2]].index
    role = _code(ROLES)
    return EdgeTable(
        type=key[1],
        source_label=key[0],
        target_label=key[2],
        source=np.array([source_index[r[2]] for r in rows], dtype=np.int64),
        target=np.array([target_index[r[4]] for r in rows], dtype=np.int64),
        share=np.array([_number(r[5]) for r in rows], dtype=np.float64),
        amount=np.array([_number(r[6]) for r in rows], dtype=np.float64),
        since=np.array([_day(r[8]) for r in rows], dtype=np.float64),
        role=np.array([role(r[7]) for r in rows], dtype=np.int8),
    )


def build_snapshot(graph: Gateway) -> Snapshot:
    """Read the whole graph: one pass over the nodes, one over the relationships."""
    by_label: dict[str, list[list[Any]]] = defaultdict(list)
    for row in graph.stream("snapshot_nodes"):
        by_label[row[0]].append(row)
    nodes = {label: _node_table(label, rows) for label, rows in by_label.items()}
    by_type: dict[EdgeKey, list[list[Any]]] = defaultdict(list)
    for row in graph.stream("snapshot_edges"):
        by_type[(row[1], row[0], row[3])].append(row)
    edges = {key: _edge_table(key, rows, nodes) for key, rows in by_type.items()}
    return Snapshot(nodes, edges)
