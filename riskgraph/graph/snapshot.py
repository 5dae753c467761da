"""The graph snapshot: Neo4j read out into compact arrays in one pass over the nodes and
one over the relationships (columnar reads, see cypher/snapshot_*.cypher).

Propagation, ring detection and the GNN run on this, never by Cypher per node. Nodes of a
label are indexed in key order, so indices do not depend on how Neo4j stores them, and
every relationship type becomes an edge table that yields a sparse (CSR) matrix.
Absent numbers are NaN; absent categories are -1.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from riskgraph.graph.gateway import Gateway
from riskgraph.graph.schema import (
    CompanyStatus,
    EventType,
    OfficerRole,
    source_labels,
    source_relationship_types,
)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

STATUSES = tuple(CompanyStatus)
EVENT_TYPES = tuple(EventType)
ROLES = tuple(OfficerRole)


def _floats(values: list[Any]) -> FloatArray:
    """Numbers, with the query's sentinels for absent values (-1, or -999999 for dates,
    never real values here) as NaN."""
    array = np.asarray(values, dtype=np.float64)
    array[(array == -1.0) | (array == -999999.0)] = np.nan
    return array


def _codes(values: list[Any], vocabulary: tuple[str, ...]) -> npt.NDArray[np.int8]:
    """Category codes: the position in ``vocabulary``, -1 when absent ('') or unknown."""
    index = {v: i for i, v in enumerate(vocabulary)}
    return np.array([index.get(v, -1) for v in values], dtype=np.int8)


def _strings(values: list[Any]) -> npt.NDArray[np.object_]:
    return np.array(values, dtype=object)


# label -> column -> how to turn the query's list into an array
_NODE_COLUMNS: dict[str, dict[str, Callable[[list[Any]], npt.NDArray[Any]]]] = {
    "Company": {
        "status": lambda v: _codes(v, STATUSES),
        "established": _floats,
        "registered_capital": _floats,
        "industry": _strings,
        "region": _strings,
    },
    "Person": {"birth_year": _floats},
    "Event": {"type": lambda v: _codes(v, EVENT_TYPES), "date": _floats, "severity": _floats},
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


def _node_table(row: dict[str, Any]) -> NodeTable:
    keys = np.array(row["keys"], dtype=object)
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    columns = {
        name: convert(row[name])[order]
        for name, convert in _NODE_COLUMNS.get(row["label"], {}).items()
    }
    return NodeTable(row["label"], keys, columns, {key: i for i, key in enumerate(keys)})


def _edge_table(key: EdgeKey, row: dict[str, Any], nodes: dict[str, NodeTable]) -> EdgeTable:
    source_index, target_index = nodes[key[0]].index, nodes[key[2]].index
    return EdgeTable(
        type=key[1],
        source_label=key[0],
        target_label=key[2],
        source=np.fromiter((source_index[k] for k in row["sources"]), dtype=np.int64),
        target=np.fromiter((target_index[k] for k in row["targets"]), dtype=np.int64),
        share=_floats(row["share"]),
        amount=_floats(row["amount"]),
        since=_floats(row["since"]),
        role=_codes(row["role"], ROLES),
    )


def build_snapshot(graph: Gateway) -> Snapshot:
    """Read the whole graph: one pass over the nodes, one over the relationships."""
    labels = list(source_labels())
    nodes = {
        row["label"]: _node_table(row) for row in graph.read_raw("snapshot_nodes", labels=labels)
    }
    edges: dict[EdgeKey, EdgeTable] = {}
    for row in graph.read_raw("snapshot_edges", types=list(source_relationship_types())):
        key = (row["source_label"], row["type"], row["target_label"])
        edges[key] = _edge_table(key, row, nodes)
    return Snapshot(nodes, edges)
