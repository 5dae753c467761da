"""Receptive fields: the part of the graph a network of ``k`` message-passing layers reads
to compute some nodes: one hop for batched inference, which runs layer by layer
(``riskgraph.gnn.train``), ``k`` hops for one company's explanation.

A layer updates a node from its own representation and the mean of its in-neighbours'
per edge type (``hgt``: their attention-weighted sum). The last layer's output at the
targets thus needs the layer before at the targets and at their in-neighbours (hop 1),
which needs the one before at hop 2, and so on: ``k`` layers read the nodes within ``k``
hops upstream, and layer ``i`` (from 0) the edges *into* the nodes within ``k - 1 - i``
hops (the last layer: only the edges into the targets; PyG's ``trim_to_layer`` does the
same for its samplers). Every node a layer updates keeps *all* its in-edges, so its means
are over the same neighbours, with the same degree, as in the whole graph; the nodes at
hop ``k`` are only read as sources (their projected features), and whatever a layer
writes into a node it has no use for is wrong but never read.

The graph's in-edges are kept per edge type as CSR arrays (rows: targets, duplicates kept:
a person holding two roles is two edges, as in the whole graph's mean), built once: 4 bytes
per edge and direction plus 4 per node and edge type it is the target of. PyG's
``NeighborLoader`` with ``num_neighbors=[-1] * k`` would cut the same fields but needs
``pyg-lib`` or ``torch-sparse``, which riskgraph does not install; ``k_hop_subgraph`` is
for homogeneous graphs only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import torch
from torch import Tensor

from riskgraph.gnn.features import EdgeType
from riskgraph.graph.snapshot import IntArray

Index = npt.NDArray[np.signedinteger[Any]]  # int32 where the graph allows, else int64


def _gather(indptr: Index, indices: Index, rows: IntArray) -> tuple[IntArray, IntArray]:
    """The in-edges of ``rows`` as (source, target) rows, duplicates kept."""
    starts = indptr[rows].astype(np.int64)
    counts = indptr[rows + 1] - starts
    total = int(counts.sum())
    if not total:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    offsets = np.cumsum(counts) - counts  # where each row's edges begin in the output
    positions = np.repeat(starts - offsets, counts) + np.arange(total)
    return indices[positions].astype(np.int64), np.repeat(rows, counts)


@dataclass(frozen=True)
class Field:
    """A receptive field: per node type the original rows it holds (sorted) and each one's
    hop from the targets; per edge type the edges it keeps, renumbered into those rows, and
    each edge's target hop; the targets' positions among their type's rows."""

    rows: dict[str, IntArray]
    hop: dict[str, IntArray]
    edge_index: dict[EdgeType, Tensor]
    edge_hop: dict[EdgeType, IntArray]
    targets: IntArray
    hops: int

    def layers(self) -> list[dict[EdgeType, Tensor]]:
        """One edge index per layer, each trimmed to the edges that layer reads (into the
        nodes within ``hops - 1 - i`` hops)."""
        out: list[dict[EdgeType, Tensor]] = []
        for i in range(self.hops):
            reach = self.hops - 1 - i
            layer: dict[EdgeType, Tensor] = {}
            for edge_type, pairs in self.edge_index.items():
                keep = self.edge_hop[edge_type] <= reach
                layer[edge_type] = pairs if keep.all() else pairs[:, torch.from_numpy(keep)]
            out.append(layer)
        return out


class Fields:
    """The graph's in-edges per edge type (CSR), from which receptive fields are cut."""

    def __init__(
        self,
        edges: Mapping[EdgeType, tuple[IntArray, IntArray]],
        sizes: Mapping[str, int],
    ) -> None:
        """``edges``: every edge type (reverses included) as (source rows, target rows)."""
        self.sizes = dict(sizes)
        largest = max([*self.sizes.values(), *(len(s) for s, _ in edges.values()), 0])
        dtype = np.int64 if largest >= 2**31 else np.int32  # half the memory, as a rule
        self._csr: dict[EdgeType, tuple[Index, Index]] = {}
        for (src, rel, dst), (source, target) in edges.items():
            order = np.argsort(target, kind="stable")
            indptr: Index = np.zeros(self.sizes[dst] + 1, dtype=dtype)
            np.cumsum(np.bincount(target, minlength=self.sizes[dst]), out=indptr[1:])
            self._csr[(src, rel, dst)] = (indptr, source[order].astype(dtype))

    def field(self, node_type: str, targets: IntArray, hops: int, *, closed: bool = False) -> Field:
        """The receptive field of ``targets`` (rows of ``node_type``) for ``hops`` layers.
        Its edges are those the layers read (into the nodes within ``hops - 1`` hops); with
        ``closed``, every edge between two of its nodes (the subgraph it induces, which
        the explainer masks edge by edge; the edges it adds change nothing the targets
        read)."""
        targets = np.unique(np.asarray(targets, dtype=np.int64))
        hop = {t: np.full(n, -1, dtype=np.int16) for t, n in self.sizes.items()}
        hop[node_type][targets] = 0
        frontier = {node_type: targets}
        for distance in range(1, hops + 1):
            found: dict[str, list[IntArray]] = {}
            for (src, _, dst), (indptr, indices) in self._csr.items():
                rows = frontier.get(dst)
                if rows is not None and len(rows):
                    found.setdefault(src, []).append(_gather(indptr, indices, rows)[0])
            frontier = {}
            for t, parts in found.items():
                rows = np.unique(np.concatenate(parts))
                new = rows[hop[t][rows] < 0]
                hop[t][new] = distance
                frontier[t] = new
        kept = {t: np.flatnonzero(h >= 0) for t, h in hop.items()}
        edge_index: dict[EdgeType, Tensor] = {}
        edge_hop: dict[EdgeType, IntArray] = {}
        for edge_type, (indptr, indices) in self._csr.items():
            src, _, dst = edge_type
            reach = hops if closed else hops - 1
            into = kept[dst][hop[dst][kept[dst]] <= reach]
            source, target = _gather(indptr, indices, into)
            if closed:
                inside = hop[src][source] >= 0
                source, target = source[inside], target[inside]
            local = np.stack(
                [np.searchsorted(kept[src], source), np.searchsorted(kept[dst], target)]
            )
            edge_index[edge_type] = torch.from_numpy(local.astype(np.int64))
            edge_hop[edge_type] = hop[dst][target].astype(np.int64)
        return Field(
            rows=kept,
            hop={t: hop[t][rows].astype(np.int64) for t, rows in kept.items()},
            edge_index=edge_index,
            edge_hop=edge_hop,
            targets=np.searchsorted(kept[node_type], targets),
            hops=hops,
        )
