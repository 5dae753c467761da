"""The graph's identity: a random id kept in the graph itself (``cypher/graph_identity``).

A province's graph changes every day (the daily delta), so nothing counted in it can say
"the same graph"; this id can. It is made the first time it is asked for, stays while the
graph is loaded and updated, and goes with ``riskgraph db wipe`` (a graph wiped and loaded
again is a new graph). A GNN model records the id of the graph it was trained on, and the
engine compares it before applying the model (``riskgraph.engine.models``).
"""

from __future__ import annotations

from riskgraph.graph.gateway import QueryGateway


def graph_identity(graph: QueryGateway) -> str:
    """The database's graph id, made on first use (a write: MERGE ... ON CREATE)."""
    rows = graph.write_rows("graph_identity")
    return str(rows[0]["id"])
