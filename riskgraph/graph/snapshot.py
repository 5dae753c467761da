"""The graph snapshot: Neo4j read out into compact arrays in one pass over the nodes and
one over the relationships (columnar reads, see cypher/snapshot_*.cypher).

Propagation, ring detection and the GNN run on this, never by Cypher per node. Nodes of a
label are indexed in key order, so indices do not depend on how Neo4j stores them, and
every relationship type becomes an edge table that yields a sparse (CSR) matrix.
Absent numbers are NaN; absent categories are -1.

A snapshot is the graph as of one day (default today): only the relationships in force on
that day (``since <= as_of < until``, either end open) and the events dated up to it are
read, so a closed holding or a past officer is not there and a change of share is one edge.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from riskgraph.graph.gateway import QueryGateway
from riskgraph.graph.schema import (
    CompanyStatus,
    EventType,
    OfficerRole,
    relationship,
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
    as_of: date = field(default_factory=date.today)  # the day the graph was read as of

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


def _node_table(row: dict[str, Any]) -> tuple[NodeTable, IntArray]:
    """The label's table in key order, and each read row's position in it."""
    keys = np.array(row["keys"], dtype=object)
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    columns = {
        name: convert(row[name])[order]
        for name, convert in _NODE_COLUMNS.get(row["label"], {}).items()
    }
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order))
    table = NodeTable(row["label"], keys, columns, {key: i for i, key in enumerate(keys)})
    return table, position


@dataclass(frozen=True)
class _NodeIds:
    """Internal node id -> (label, row), as sorted arrays: endpoints of millions of edges
    are mapped with one ``searchsorted`` instead of a dict lookup each."""

    ids: IntArray  # sorted
    rows: IntArray
    labels: npt.NDArray[np.int64]  # position in ``names``
    names: tuple[str, ...]

    @classmethod
    def of(cls, rows: list[dict[str, Any]], positions: list[IntArray]) -> _NodeIds:
        names = tuple(row["label"] for row in rows)
        ids, labels = [], []
        for code, row in enumerate(rows):
            raw = np.asarray(row["ids"], dtype=np.int64)
            ids.append(raw)
            labels.append(np.full(len(raw), code, dtype=np.int64))
        every = np.concatenate(ids) if ids else np.zeros(0, np.int64)
        order = np.argsort(every, kind="stable")
        return cls(
            every[order],
            (np.concatenate(positions) if positions else every)[order],
            (np.concatenate(labels) if labels else every)[order],
            names,
        )

    def rows_of(self, ids: list[int], label: str) -> IntArray:
        where = np.searchsorted(self.ids, np.asarray(ids, dtype=np.int64))
        if len(where) and (
            where.max() >= len(self.ids) or (self.labels[where] != self.names.index(label)).any()
        ):
            raise RuntimeError("the snapshot's node and relationship reads disagree")
        return self.rows[where]


def _edge_table(key: EdgeKey, row: dict[str, Any], ids: _NodeIds) -> EdgeTable:
    """Edges in a canonical order (source, target, then attributes), so that nothing
    downstream depends on how Neo4j happens to store them."""
    count = len(row["sources"])
    absent = [-1.0] * count
    source = ids.rows_of(row["sources"], key[0])
    target = ids.rows_of(row["targets"], key[2])
    share = _floats(row.get("share", absent))
    amount = _floats(row.get("amount", absent))
    since = _floats(row.get("since", absent))
    role = _codes(row.get("role", [""] * count), ROLES)
    order = np.lexsort((since, amount, share, role, target, source))
    return EdgeTable(
        type=key[1],
        source_label=key[0],
        target_label=key[2],
        source=source[order],
        target=target[order],
        share=share[order],
        amount=amount[order],
        since=since[order],
        role=role[order],
    )


def _attributes(rel_type: str) -> bool:
    """Whether the relationship carries attributes beyond its period."""
    return any(p.name not in ("since", "until") for p in relationship(rel_type).properties)


def build_snapshot(
    graph: QueryGateway, as_of: date | None = None, exclusive: bool = False
) -> Snapshot:
    """Read the whole graph as of ``as_of`` (None: today): a pass over the nodes, one over
    the relationships with attributes, one over those without. The day is filtered in the
    queries, so history edges cost no transfer. In one read transaction, or, for a caller
    that holds the pipeline lock (``exclusive``: nothing writes meanwhile), in three at
    once, twice as fast."""
    day = date.today() if as_of is None else as_of
    # a relationship whose only properties are its period (phones, addresses) is read
    # without properties: the query filters on since/until and transfers ids alone
    rich = [t for t in source_relationship_types() if _attributes(t)]
    bare = [t for t in source_relationship_types() if not _attributes(t)]
    read = graph.read_apart if exclusive else graph.read_consistent
    node_rows, rich_rows, bare_rows = read(
        [
            ("snapshot_nodes", {"as_of": day}),
            ("snapshot_edges", {"types": rich, "as_of": day}),
            ("snapshot_edges_bare", {"types": bare, "as_of": day}),
        ]
    )
    node_rows = [row for row in node_rows if row["ids"]]  # labels without nodes stay out
    tables = [_node_table(row) for row in node_rows]
    nodes = {table.label: table for table, _ in tables}
    ids = _NodeIds.of(node_rows, [position for _, position in tables])
    edges: dict[EdgeKey, EdgeTable] = {}
    for row in rich_rows + bare_rows:
        key = (row["source_label"], row["type"], row["target_label"])
        edges[key] = _edge_table(key, row, ids)
    return Snapshot(nodes, edges, day)
